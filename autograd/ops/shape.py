"""Primitives that move numbers without changing them: reshape, transpose, broadcast_to,
indexing (and its adjoint, scatter-add), concatenate and stack.

Their gradients move the numbers back: reshape back, transpose by the inverse permutation, sum
over broadcast copies, scatter into zeros, split into pieces.
"""

from __future__ import annotations

import numpy as np

from autograd.ops.generic import raw, sum_to_shape
from autograd.ops.primitive import Primitive
from autograd.value import Value, apply


class Reshape(Primitive):
    """y = x viewed with a new shape.   ∂L/∂x = ∂L/∂y reshaped to x's shape."""

    def forward(x, *, shape):
        return np.reshape(x, shape)

    def vjp_x(g, y, x, *, shape):
        return g.reshape(np.shape(raw(x)))


class Transpose(Primitive):
    """y = x with axes permuted.   ∂L/∂x = ∂L/∂y permuted back (the inverse permutation)."""

    def forward(x, *, axes=None):
        return np.transpose(x, axes)

    def vjp_x(g, y, x, *, axes=None):
        return g.transpose(None if axes is None else tuple(np.argsort(axes)))


class BroadcastTo(Primitive):
    """y = x copied along new or size-1 axes.   ∂L/∂x = Σ over the copies of ∂L/∂y."""

    symbol = "broadcast_to"

    def forward(x, *, shape):
        return np.broadcast_to(x, shape)

    def vjp_x(g, y, x, *, shape):
        return sum_to_shape(g, raw(x))


class GetItem(Primitive):
    """y = x[index] (basic slicing or integer arrays).   ∂L/∂x = ∂L/∂y scattered back into
    zeros at ``index``, adding where an element was picked more than once."""

    symbol = "[]"

    def forward(x, *, index):
        return np.asarray(x)[index] if type(x) is float else x[index]

    def vjp_x(g, y, x, *, index):
        return scatter_add(g, index, raw(x))


class ScatterAdd(Primitive):
    """y = zeros like ``like`` with g added at ``index`` — the adjoint of indexing.
    ∂L/∂g = (∂L/∂y)[index]."""

    symbol = "scatter_add"

    def forward(g, *, index, shape, dtype):
        out = np.zeros(shape, dtype=dtype)
        if _is_basic(index):
            out[index] = g  # basic indexing never picks an element twice
        else:
            np.add.at(out, index, g)
        return out

    def vjp_g(gy, y, g, *, index, shape, dtype):
        return gy[index]


def _is_basic(index) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, np.integer, slice)) for p in parts)


def scatter_add(g, index, like):
    """Zeros shaped like ``like`` with ``g`` added at ``index`` (recorded when g is a Value)."""
    if isinstance(g, Value):
        return apply(ScatterAdd, g, index=index, shape=like.shape, dtype=like.dtype)
    return ScatterAdd.forward(g, index=index, shape=np.shape(like), dtype=np.result_type(like))


def _piece(g, i, inputs, axis, stacked):
    """The part of ``g`` that came from input ``i``."""
    index = [slice(None)] * len(g.shape)
    if stacked:
        index[axis] = i
    else:
        start = sum(np.shape(raw(x))[axis] for x in inputs[:i])
        index[axis] = slice(start, start + np.shape(raw(inputs[i]))[axis])
    return g[tuple(index)]


class Concatenate(Primitive):
    """y = [x₀, x₁, …] joined along ``axis``.   ∂L/∂xᵢ = the slice of ∂L/∂y that xᵢ filled."""

    def forward(*xs, axis=0):
        return np.concatenate(xs, axis=axis)

    def vjp(i, g, y, *xs, axis=0):
        return _piece(g, i, xs, axis % len(g.shape), stacked=False)


class Stack(Primitive):
    """y = [x₀, x₁, …] stacked along a new ``axis``.   ∂L/∂xᵢ = (∂L/∂y) at position i."""

    def forward(*xs, axis=0):
        return np.stack(xs, axis=axis)

    def vjp(i, g, y, *xs, axis=0):
        return _piece(g, i, xs, axis % len(g.shape), stacked=True)
