"""The shape of a differentiable primitive: its forward and its vector-Jacobian products.

A primitive is a class used as a namespace, in the spirit of HIPS autograd's ``defvjp`` table::

    class Mul(Primitive):
        '''z = a·b.   ∂z/∂a = b,   ∂z/∂b = a.'''
        symbol = "*"

        def forward(a, b):
            return a * b

        def vjp_a(g, z, a, b):  # g = ∂L/∂z, the upstream gradient
            return g * b        # ∂L/∂a = ∂L/∂z · ∂z/∂a

        def vjp_b(g, z, a, b):
            return g * a

``forward`` takes the inputs' data positionally and the op's settings (``axis``, ...) as
keyword-only arguments. An input's data is a numpy array or, for a scalar made from a number, a
Python float: write forwards and vjps that accept both. For each positional input ``x`` a
function ``vjp_x(g, out, *inputs, **settings)`` returns that input's share of the gradient; an
input that has no gradient says so explicitly with ``vjp_x = not_differentiable``.

The table is strict: a class whose ``vjp_<name>`` matches no input, or whose input has neither a
vjp nor the ``not_differentiable`` mark, is refused when it is defined, with the fix in the
message (a misspelled vjp never survives until the first backward).

The engine calls a vjp only for inputs that need a gradient, and for ops with several inputs
sums the result back to each input's shape (broadcasting) itself. A fused op whose backward
needs an intermediate of its forward that is costly to recompute returns ``(out, saved)``
instead, ``saved`` being a dict; its vjps then receive the entries as keyword arguments, like
the settings.
Ops with any number of inputs (``concatenate``, ``stack``) define ``vjp(i, g, out, *inputs)``.
Every subclass is recorded in :data:`PRIMITIVES` so tests can check that each one is covered.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, ClassVar

PRIMITIVES: dict[str, type[Primitive]] = {}


def not_differentiable(*args: Any, **kwargs: Any) -> Any:
    """The mark for an input that has no gradient: ``vjp_mask = not_differentiable``."""
    raise TypeError("not_differentiable is a mark for the op table, not a function to call")


def _no_gradient(op: str, input_name: str) -> Callable[..., Any]:
    """The vjp that stands for ``not_differentiable``: it explains, if backward ever needs it."""

    def no_gradient(*args: Any, **kwargs: Any) -> Any:
        raise TypeError(
            f"backward: {op} has no gradient for its input {input_name!r} (marked "
            "not_differentiable), but that input needs one; pass a constant there"
        )

    return no_gradient


class OpDefinitionError(TypeError):
    """A primitive whose vjps do not match its inputs."""


class Primitive:
    """Base class of every differentiable op; see the module docstring."""

    symbol: ClassVar[str] = ""
    # True for ops whose inputs may be broadcast (binary elementwise ops, matmul, variadic ops):
    # their input gradients are summed back to each input's shape by ``sum_to_shape``. Ops
    # with one input return gradients of exactly the input's shape and dtype themselves.
    broadcasts: ClassVar[bool] = False
    vjps: ClassVar[tuple[Callable[..., Any] | None, ...] | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.symbol:
            cls.symbol = cls.__name__.lower()
        signature = inspect.signature(cls.forward)
        positional = [
            p.name
            for p in signature.parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
        _check_vjps(cls, positional, signature)
        if positional:  # fixed inputs: one vjp per input, in argument order
            cls.vjps = tuple(
                _no_gradient(cls.__name__, p) if getattr(cls, f"vjp_{p}") is not_differentiable
                else getattr(cls, f"vjp_{p}")
                for p in positional
            )  # fmt: skip
        if len(positional) != 1 and "broadcasts" not in cls.__dict__:
            cls.broadcasts = True
        PRIMITIVES[cls.__name__] = cls

    @staticmethod
    def forward(*inputs: Any, **settings: Any) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    @staticmethod
    def vjp(i: int, g: Any, out: Any, *inputs: Any, **settings: Any) -> Any:
        """Gradient for input ``i`` of a variadic op (used when ``vjps`` is None)."""
        raise NotImplementedError  # pragma: no cover - overridden


def _check_vjps(cls: type, positional: list[str], signature: inspect.Signature) -> None:
    """Refuse a primitive whose vjps do not match its inputs, saying what to write."""
    name = cls.__name__
    declared = {attr[4:] for attr in dir(cls) if attr.startswith("vjp_")}
    variadic = any(p.kind is p.VAR_POSITIONAL for p in signature.parameters.values())
    if variadic:
        if cls.vjp is Primitive.vjp:
            raise OpDefinitionError(
                f"primitive {name}: forward takes any number of inputs (*{positional or 'xs'}), "
                f"so it needs `def vjp(i, g, out, *inputs, **settings)` giving input i's gradient"
            )
        return
    unknown = sorted(declared - set(positional))
    if unknown:
        raise OpDefinitionError(
            f"primitive {name}: vjp_{unknown[0]} matches no input of forward{signature}; the "
            f"inputs are {positional}, so the vjps must be named "
            f"{', '.join('vjp_' + p for p in positional)}"
        )
    for input_name in positional:
        vjp = getattr(cls, f"vjp_{input_name}", None)
        if vjp is None or not callable(vjp):
            raise OpDefinitionError(
                f"primitive {name}: input {input_name!r} has no gradient rule; define "
                f"`def vjp_{input_name}(g, out, {', '.join(positional)}, **settings)` or mark it "
                f"`vjp_{input_name} = not_differentiable`"
            )
