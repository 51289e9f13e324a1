"""The arithmetic primitives: ``+ - * / **``, negation and matrix product.

Each vjp returns ``∂L/∂input = ∂L/∂out · ∂out/∂input``; the engine sums it back to the input's
shape when the op broadcast it.
"""

from __future__ import annotations

import numpy as np

from autograd.ops.generic import log, power, raw, where
from autograd.ops.primitive import Primitive


class Add(Primitive):
    """z = a + b.   ∂z/∂a = 1,   ∂z/∂b = 1."""

    symbol = "+"

    def forward(a, b):
        return a + b

    def vjp_a(g, z, a, b):
        return g

    def vjp_b(g, z, a, b):
        return g


class Sub(Primitive):
    """z = a − b.   ∂z/∂a = 1,   ∂z/∂b = −1."""

    symbol = "-"

    def forward(a, b):
        return a - b

    def vjp_a(g, z, a, b):
        return g

    def vjp_b(g, z, a, b):
        return -g


class Neg(Primitive):
    """z = −a.   ∂z/∂a = −1."""

    symbol = "neg"

    def forward(a):
        return -a

    def vjp_a(g, z, a):
        return -g


class Mul(Primitive):
    """z = a · b.   ∂z/∂a = b,   ∂z/∂b = a."""

    symbol = "*"

    def forward(a, b):
        return a * b

    def vjp_a(g, z, a, b):
        return g * b

    def vjp_b(g, z, a, b):
        return g * a


class Div(Primitive):
    """z = a / b.   ∂z/∂a = 1/b,   ∂z/∂b = −a/b²."""

    symbol = "/"

    def forward(a, b):
        if type(a) is float and type(b) is float and b == 0.0:
            return float(np.divide(a, b))  # ±inf or nan, as numpy, instead of ZeroDivisionError
        return a / b

    def vjp_a(g, z, a, b):
        return g / b

    def vjp_b(g, z, a, b):
        return -g * a / (b * b)


class Pow(Primitive):
    """z = aᵇ.   ∂z/∂a = b·aᵇ⁻¹,   ∂z/∂b = aᵇ·ln a.

    Choices at the edges, all PyTorch's: ∂z/∂a is 0 where b = 0 (so x⁰ has gradient 0 even
    at x = 0, where b·aᵇ⁻¹ would be 0·inf), 0 at a = 0 for b ≥ 1 and inf for 0 < b < 1; a
    negative base with a fractional power gives nan. ∂z/∂b is 0 at a = 0 with b ≥ 0 (where aᵇ
    is 0 or 1 whatever b does nearby from above); elsewhere it is aᵇ·ln a as computed, which
    is nan for a negative base (ln a is not real) and −inf at a = 0 with b < 0.
    """

    symbol = "**"

    def forward(a, b):
        return power(a, b)

    def vjp_a(g, z, a, b):
        zero_power = raw(b) == 0
        if zero_power is True or (type(zero_power) is np.ndarray and zero_power.all()):
            return g * 0.0
        if zero_power is False or not np.any(zero_power):
            return g * b * power(a, b - 1)
        with np.errstate(divide="ignore", invalid="ignore"):  # 0·0⁻¹ where b = 0: masked below
            grad = g * b * power(a, b - 1)
        return where(np.broadcast_to(zero_power, np.shape(raw(grad))), 0.0, grad)

    def vjp_b(g, z, a, b):
        a_data, b_data = raw(a), raw(b)
        with np.errstate(divide="ignore", invalid="ignore"):  # ln of 0 and of negatives
            grad = g * z * log(a)
            flat = (a_data == 0) & (b_data >= 0)
        if flat is False or not np.any(flat):
            return grad
        return where(np.broadcast_to(flat, np.shape(raw(grad))), 0.0, grad)


def _matmul_error(a: np.ndarray, b: np.ndarray) -> ValueError:
    return ValueError(
        f"matmul (@): shapes {a.shape} and {b.shape} do not align — the last axis of the left "
        f"operand ({a.shape[-1] if a.ndim else 'scalar'}) must equal the "
        f"{'only' if b.ndim == 1 else 'second-to-last'} axis of the right operand "
        f"({b.shape[0] if b.ndim == 1 else (b.shape[-2] if b.ndim else 'scalar')}). "
        "Transpose one operand (x.T) or reshape it."
    )


def _swap_last(x):
    return x.swapaxes(-1, -2)


def _is_transposed(x) -> bool:
    """True for a matrix stored column by column, such as ``W.T`` of a row-major ``W``.

    Its gradient is best computed transposed too: the transpose's own backward then turns it
    into a row-major array, which later elementwise updates (optimizers) read ~5× faster.
    """
    data = raw(x)
    return data.ndim == 2 and data.flags.f_contiguous and not data.flags.c_contiguous


class MatMul(Primitive):
    """Z = A @ B (numpy's rules, with batches and 1-D vectors).

    ∂L/∂A = ∂L/∂Z @ Bᵀ,   ∂L/∂B = Aᵀ @ ∂L/∂Z   (a 1-D operand is treated as a row or column).
    """

    symbol = "@"

    def forward(a, b):
        if type(a) is float or type(b) is float or a.ndim == 0 or b.ndim == 0:
            raise ValueError("matmul (@) needs arrays with at least one axis; use * for scalars")
        inner_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
        if a.shape[-1] != inner_b:
            raise _matmul_error(a, b)
        try:
            return a @ b
        except ValueError:  # batch axes that do not broadcast
            raise ValueError(
                f"matmul (@): the batch axes of shapes {a.shape} and {b.shape} (all but the "
                f"last two: {a.shape[:-2]} and {b.shape[:-2]}) do not match; "
                "each must be equal or 1"
            ) from None

    def vjp_a(g, z, a, b):
        if raw(b).ndim == 1:  # z = A·b: outer product of g with b
            if raw(a).ndim == 1:
                return g * b
            return g.reshape(g.shape + (1,)) * b
        if raw(a).ndim == 1:  # z = a·B: row vector times matrix
            return (b @ g.reshape(g.shape + (1,))).reshape(g.shape[:-1] + (b.shape[-2],))
        if _is_transposed(a):  # (B gᵀ)ᵀ: the same product, laid out like a's own memory
            return _swap_last(b @ _swap_last(g))
        return g @ _swap_last(b)

    def vjp_b(g, z, a, b):
        if raw(a).ndim == 1:
            if raw(b).ndim == 1:
                return g * a
            return a.reshape((a.shape[0], 1)) * g.reshape(g.shape[:-1] + (1, g.shape[-1]))
        if raw(b).ndim == 1:
            return (_swap_last(a) @ g.reshape(g.shape + (1,))).reshape(
                g.shape[:-1] + (a.shape[-1],)
            )
        if _is_transposed(b):  # x @ W.T: (gᵀ A)ᵀ, so W's gradient comes out contiguous
            return _swap_last(_swap_last(g) @ a)
        return _swap_last(a) @ g
