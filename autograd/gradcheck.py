"""``gradcheck``: compare backpropagation with finite differences, in float64.

For each input element xⱼ the numeric derivative is the central difference

    ∂f/∂xⱼ ≈ (f(x + ε·eⱼ) − f(x − ε·eⱼ)) / 2ε,

whose error shrinks like ε². A non-scalar output is first reduced to a scalar with fixed random
weights, f̃ = Σ wᵢ fᵢ, which checks the whole vector-Jacobian product at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.backprop import backpropagate
from autograd.checks import check_number
from autograd.grad_mode import no_grad
from autograd.value import Value


class GradcheckError(AssertionError):
    """Raised by :func:`gradcheck` when analytic and numeric gradients disagree."""


def _as_float64(x: Any) -> Any:
    data = x.data if isinstance(x, Value) else x
    if type(data) is float or isinstance(data, (int, np.integer)):
        return float(data) if not isinstance(data, bool) else data
    array = np.asarray(data)
    return array.astype(np.float64) if array.dtype.kind == "f" else array


def _is_float(d: Any) -> bool:
    return type(d) is float or (isinstance(d, np.ndarray) and d.dtype.kind == "f")


def gradcheck(
    f: Callable[..., Any],
    *inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """Check ``f``'s gradients with respect to every floating-point input.

    Inputs may be numbers, arrays or Values; they are copied to float64 (integer arrays are
    passed through as constants). Returns True, or raises :class:`GradcheckError` naming the
    input, the element and both values of the worst mismatch, where a mismatch is
    |analytic − numeric| > atol + rtol·|numeric|.
    """
    check_number("gradcheck", "eps", eps, fix="a small positive step such as 1e-6")
    if eps == 0:
        raise ValueError("gradcheck: invalid eps=0; the finite differences need a positive step")
    check_number("gradcheck", "atol", atol)
    check_number("gradcheck", "rtol", rtol)
    data = [_as_float64(x) for x in inputs]
    checked = [i for i, d in enumerate(data) if _is_float(d)]
    if not checked:
        raise ValueError("gradcheck: no floating-point input to check")
    weights: list[Any] = []

    def scalar_output(values: list[Any]) -> Value:
        out = f(*values)
        if not isinstance(out, Value):
            raise TypeError(f"gradcheck: f must return a Value, got {type(out).__name__}")
        if out.size == 1:
            return out if out.shape == () else out.reshape(())
        if not weights:
            weights.append(np.random.default_rng(0).standard_normal(out.shape))
        return (out * weights[0]).sum()

    values = [Value(d) if i in checked else d for i, d in enumerate(data)]
    out = scalar_output(values)
    grads = backpropagate(out) if out.requires_grad else {}

    worst = None  # (excess, input, index, analytic, numeric)
    for i in checked:
        analytic = grads.get(values[i])
        analytic = np.zeros(np.shape(data[i])) if analytic is None else np.asarray(analytic)
        numeric = _numeric_gradient(scalar_output, data, i, eps)
        excess = np.abs(analytic - numeric) - (atol + rtol * np.abs(numeric))
        excess = np.where(np.isnan(excess), np.inf, excess)
        j = np.unravel_index(int(np.argmax(excess)), np.shape(excess)) if excess.ndim else ()
        if excess[j] > 0 and (worst is None or excess[j] > worst[0]):
            worst = (excess[j], i, j, float(analytic[j]), float(numeric[j]))
    if worst is not None:
        _, i, j, a, n = worst
        where = f"at index {tuple(int(k) for k in j)}" if j != () else "(a scalar)"
        raise GradcheckError(
            f"gradcheck: gradient of input {i} {where} is wrong: analytic {a:.8g}, numeric "
            f"{n:.8g}, difference {abs(a - n):.3g} > atol + rtol·|numeric| = "
            f"{atol + rtol * abs(n):.3g}"
        )
    return True


def _numeric_gradient(
    scalar_output: Callable[[list[Any]], Value], data: list[Any], i: int, eps: float
) -> np.ndarray:
    """Central differences of the scalar output with respect to every element of input i."""

    def evaluate(x: Any) -> float:
        inputs = [x if k == i else d for k, d in enumerate(data)]
        values = [Value(d, requires_grad=False) if _is_float(d) else d for d in inputs]
        with no_grad():
            return float(np.asarray(scalar_output(values).data))

    if type(data[i]) is float:
        x = data[i]
        return np.asarray((evaluate(x + eps) - evaluate(x - eps)) / (2 * eps))
    base = data[i]
    numeric = np.zeros(base.shape)
    for j in np.ndindex(base.shape):
        x = base.copy()
        x[j] += eps
        plus = evaluate(x)
        x[j] -= 2 * eps
        numeric[j] = (plus - evaluate(x)) / (2 * eps)
    return numeric
