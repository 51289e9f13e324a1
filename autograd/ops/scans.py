"""Running (cumulative) ops along an axis: cumsum, cumprod, logcumsumexp, and diff.

No new primitive. A running total is a *scan*, and a scan is a composite: Hillis and Steele's
parallel prefix combines each element with the one ``s`` places back, for s = 1, 2, 4, …,
so after ⌈log₂ n⌉ rounds element i has combined x₀ … xᵢ:

    round s:   yᵢ ← yᵢ₋ₛ ⊕ yᵢ  (for i ≥ s; the first s stay)      ⊕ = +, ×, or logaddexp

Each round is one slice and one elementwise op, so the graph has O(log n) nodes and the
gradient comes out of the chain rule through + or × — exact even where cumprod meets zeros
(no division by xᵢ anywhere), and second derivatives work. ``diff`` is xᵢ₊₁ − xᵢ by slicing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.value import Value, as_value, concatenate, where


def _scan(x: Any, axis: int | None, combine: Callable[[Value, Value], Value], op: str) -> Value:
    """The inclusive prefix scan of ``x`` along ``axis`` (flattened when None)."""
    x = as_value(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    if x.ndim == 0:
        raise ValueError(f"{op}: needs an array with at least one axis, got a scalar")
    axis %= x.ndim
    n = x.shape[axis]
    lead = (slice(None),) * axis
    s = 1
    while s < n:
        head = x[lead + (slice(0, s),)]
        rest = combine(x[lead + (slice(0, n - s),)], x[lead + (slice(s, n),)])
        x = concatenate([head, rest], axis=axis)
        s *= 2
    return x


def cumsum(x: Any, axis: int | None = None) -> Value:
    """Running sum yᵢ = x₀ + … + xᵢ along ``axis`` (flattened when None).

    ∂L/∂xⱼ = Σ_{i≥j} ∂L/∂yᵢ: the gradient is the running sum taken backwards.
    """
    return _scan(x, axis, lambda a, b: a + b, "cumsum")


def cumprod(x: Any, axis: int | None = None) -> Value:
    """Running product yᵢ = x₀·…·xᵢ along ``axis``; exact gradients with zeros in x.

    ∂yᵢ/∂xⱼ = Π_{k≤i, k≠j} xₖ for j ≤ i (never computed as yᵢ/xⱼ, which fails at 0).
    """
    return _scan(x, axis, lambda a, b: a * b, "cumprod")


def logaddexp(a: Any, b: Any) -> Value:
    """ln(eᵃ + eᵇ) = m + ln(e^(a−m) + e^(b−m)), m = max(a, b): stable for any a, b.

    ∂/∂a = σ(a − b), ∂/∂b = σ(b − a) (the terms of m cancel, so max's tie rule is harmless).
    """
    a = as_value(a)
    m = a.maximum(b)
    finite = np.isfinite(np.asarray(m.data))
    if not finite.all():  # both −inf: shift by 0 instead of by −inf (which would give nan)
        m = where(finite, m, 0.0)
    return m + ((a - m).exp() + (b - m).exp()).log()


def logcumsumexp(x: Any, axis: int | None = None) -> Value:
    """Running log-sum-exp yᵢ = ln Σ_{k≤i} e^(xₖ), stable for large |x|.

    ∂yᵢ/∂xⱼ = e^(xⱼ − yᵢ) for j ≤ i (a running softmax).
    """
    return _scan(x, axis, logaddexp, "logcumsumexp")


def diff(x: Any, n: int = 1, axis: int = -1) -> Value:
    """The n-th difference along ``axis``: yᵢ = xᵢ₊₁ − xᵢ, applied n times (numpy's ``diff``)."""
    x = as_value(x)
    if x.ndim == 0:
        raise ValueError("diff: needs an array with at least one axis, got a scalar")
    axis %= x.ndim
    lead = (slice(None),) * axis
    for _ in range(n):
        x = x[lead + (slice(1, None),)] - x[lead + (slice(None, -1),)]
    return x
