"""Functional gradients, as in HIPS autograd and JAX: ``grad(f)`` is a new function.

    df = grad(lambda x: (x ** 3).sum())      # df(x) = 3x²
    df(np.array([1.0, 2.0]))                  # array([ 3., 12.])
    grad(grad(lambda x: x ** 3))(2.0)         # 12.0: gradients nest

Arguments that are numbers or arrays give numbers or arrays back; arguments that are ``Value``s
(for example inside another ``grad``) give ``Value``s, with the backward pass recorded so that
it can be differentiated again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from autograd.backprop import backpropagate, owned
from autograd.grad_mode import enable_grad
from autograd.value import Value


def _argnums(argnums: int | tuple[int, ...]) -> tuple[int, ...]:
    positions = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    if not positions or not all(isinstance(i, int) and not isinstance(i, bool) for i in positions):
        raise TypeError(f"grad: argnums must be an int or a tuple of ints, got {argnums!r}")
    return positions


def value_and_grad(
    f: Callable[..., Any], argnums: int | tuple[int, ...] = 0
) -> Callable[..., tuple[Any, Any]]:
    """A function returning ``(f(*args), ∂f/∂args[argnums])``; ``f`` must return a scalar.

    With a tuple ``argnums`` the gradient is a tuple, one entry per argument. ``.grad``
    attributes are left untouched.
    """
    positions = _argnums(argnums)

    def value_and_grad_f(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        args = list(args)
        for i in positions:
            if not -len(args) <= i < len(args):
                raise IndexError(
                    f"grad: argnums={argnums!r} asks for argument {i}, but the function was "
                    f"called with {len(args)} positional argument(s); argnums counts them from "
                    "0 (pass the inputs to differentiate positionally)"
                )
        # Inside an outer trace (some argument is a Value that needs a gradient), record this
        # backward pass so the outer gradient can see through it; otherwise run at full speed.
        nested = any(isinstance(x, Value) and x.requires_grad for x in args)
        for i in positions:
            if not (isinstance(args[i], Value) and args[i].requires_grad):
                args[i] = Value(args[i].data if isinstance(args[i], Value) else args[i])
        with enable_grad():  # grad(f) differentiates even when called inside no_grad()
            out = f(*args, **kwargs)
        if not isinstance(out, Value):
            raise TypeError(f"grad: the function must return a Value, got {type(out).__name__}")
        if out.size != 1:
            raise ValueError(f"grad: the function must return a scalar, got shape {out.shape}; "
                             "reduce it (e.g. .sum()) first")  # fmt: skip
        with enable_grad():
            grads = backpropagate(out, create_graph=nested) if out.requires_grad else {}
        result = []
        for i in positions:
            g = grads.get(args[i])
            if g is None:  # f does not depend on this argument
                g = 0.0 * args[i].data
            result.append(g if nested else owned(g.data if isinstance(g, Value) else g))
        value = out if nested else out.data
        return value, (result[0] if isinstance(argnums, int) else tuple(result))

    return value_and_grad_f


def grad(f: Callable[..., Any], argnums: int | tuple[int, ...] = 0) -> Callable[..., Any]:
    """A function returning ∂f/∂args[argnums] (``f`` returns a scalar). Nests: ``grad(grad(f))``."""
    value_and_grad_f = value_and_grad(f, argnums)

    def grad_f(*args: Any, **kwargs: Any) -> Any:
        return value_and_grad_f(*args, **kwargs)[1]

    return grad_f
