"""Layout ops: squeeze, expand_dims, moveaxis, permute, repeat, tile, flip, roll, split, pad,
tril, triu, diagonal, trace.

No new primitive: each one only moves, copies or masks numbers, so each is a composite of the
shape primitives (``Reshape``, ``Transpose``, ``GetItem``, ``ScatterAdd``, ``Where``). The
gradient follows for free: moving numbers is undone by moving the gradient back, a copy made
by integer-array indexing has a scatter-add as its gradient (copies add up), and a mask lets
the gradient through only where it kept the number.

    repeat, tile, roll, pad(reflect/edge), diagonal  =  x[integer index arrays]
    flip, split                                      =  x[slices]
    pad(constant)                                    =  x scattered into zeros (+ the fill)
    tril, triu                                       =  where(mask, x, 0)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd.ops.shape import ScatterAdd
from autograd.value import Value, apply, as_value, where


def _axis(axis: int, ndim: int, op: str) -> int:
    if not -ndim <= axis < max(ndim, 1):
        raise ValueError(f"{op}: axis {axis} is out of range for an array with {ndim} axes")
    return axis % max(ndim, 1)


def _along(axis: int, ndim: int, index: Any) -> tuple[Any, ...]:
    """An index that applies ``index`` along ``axis`` and keeps every other axis whole."""
    return (slice(None),) * axis + (index,) + (slice(None),) * (ndim - axis - 1)


# ------------------------------------------------------------------------------- axes
def squeeze(x: Any, axis: int | tuple[int, ...] | None = None) -> Value:
    """Drop size-1 axes: all of them, or those in ``axis`` (which must have size 1)."""
    x = as_value(x)
    return x.reshape(np.squeeze(np.empty(x.shape, dtype=bool), axis=axis).shape)


def expand_dims(x: Any, axis: int | tuple[int, ...]) -> Value:
    """Insert size-1 axes at ``axis`` (numpy's ``expand_dims``, PyTorch's ``unsqueeze``)."""
    x = as_value(x)
    return x.reshape(np.expand_dims(np.empty(x.shape, dtype=bool), axis).shape)


unsqueeze = expand_dims


def moveaxis(x: Any, source: int | Sequence[int], destination: int | Sequence[int]) -> Value:
    """Move axes to new positions, the others keeping their order (a transpose)."""
    x = as_value(x)
    source = [source] if isinstance(source, (int, np.integer)) else list(source)
    destination = [destination] if isinstance(destination, (int, np.integer)) else list(destination)
    source = [_axis(a, x.ndim, "moveaxis") for a in source]
    destination = [_axis(a, x.ndim, "moveaxis") for a in destination]
    order = [a for a in range(x.ndim) if a not in source]
    for dest, src in sorted(zip(destination, source, strict=True)):
        order.insert(dest, src)
    return x.transpose(tuple(order)) if x.ndim else x


def permute(x: Any, *axes: Any) -> Value:
    """Reorder the axes: ``x.permute(2, 0, 1)`` (PyTorch's name for numpy's ``transpose``)."""
    return as_value(x).transpose(*axes)


# ------------------------------------------------------------------------------ copies
def repeat(x: Any, repeats: int | Sequence[int], axis: int | None = None) -> Value:
    """Repeat each element ``repeats`` times along ``axis`` (numpy's ``repeat``: flattened
    first when ``axis`` is None). The gradient of an element sums over its copies."""
    x = as_value(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    axis = _axis(axis, x.ndim, "repeat")
    index = np.repeat(np.arange(x.shape[axis]), repeats)
    return x[_along(axis, x.ndim, index)]


def tile(x: Any, reps: int | Sequence[int]) -> Value:
    """Copy the whole array ``reps`` times along each axis (numpy's ``tile``)."""
    x = as_value(x)
    reps = (reps,) if isinstance(reps, (int, np.integer)) else tuple(reps)
    ndim = max(x.ndim, len(reps))
    x = x.reshape((1,) * (ndim - x.ndim) + x.shape)
    reps = (1,) * (ndim - len(reps)) + reps
    index = np.ix_(*[np.tile(np.arange(n), r) for n, r in zip(x.shape, reps, strict=True)])
    return x[index]


def flip(x: Any, axis: int | tuple[int, ...] | None = None) -> Value:
    """Reverse the order along ``axis`` (all axes when None)."""
    x = as_value(x)
    axes = range(x.ndim) if axis is None else (axis if isinstance(axis, tuple) else (axis,))
    index = [slice(None)] * x.ndim
    for a in axes:
        index[_axis(a, x.ndim, "flip")] = slice(None, None, -1)
    return x[tuple(index)]


def roll(x: Any, shift: int | Sequence[int], axis: int | Sequence[int] | None = None) -> Value:
    """Shift elements cyclically by ``shift`` along ``axis`` (flattened when None)."""
    x = as_value(x)
    if axis is None:
        return roll(x.reshape(-1), shift, 0).reshape(x.shape)
    shifts = (shift,) if isinstance(shift, (int, np.integer)) else tuple(shift)
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    for s, a in zip(shifts, axes, strict=True):
        a = _axis(a, x.ndim, "roll")
        x = x[_along(a, x.ndim, np.roll(np.arange(x.shape[a]), s))]
    return x


def split(x: Any, indices_or_sections: int | Sequence[int], axis: int = 0) -> list[Value]:
    """Split into pieces along ``axis``: into N equal parts, or at the given indices
    (numpy's ``split``; unequal parts raise — use ``array_split``)."""
    x = as_value(x)
    axis = _axis(axis, x.ndim, "split")
    if isinstance(indices_or_sections, (int, np.integer)) and x.shape[axis] % indices_or_sections:
        raise ValueError(
            f"split: axis {axis} of length {x.shape[axis]} does not divide into "
            f"{indices_or_sections} equal parts; use array_split for unequal parts"
        )
    return array_split(x, indices_or_sections, axis)


def array_split(x: Any, indices_or_sections: int | Sequence[int], axis: int = 0) -> list[Value]:
    """Like ``split``, but N sections need not be equal (the first ones get one more)."""
    x = as_value(x)
    axis = _axis(axis, x.ndim, "array_split")
    n = x.shape[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        size, extra = divmod(n, int(indices_or_sections))
        sizes = [size + 1] * extra + [size] * (int(indices_or_sections) - extra)
        bounds = np.concatenate([[0], np.cumsum(sizes)])
    else:
        bounds = np.concatenate([[0], np.asarray(indices_or_sections, dtype=int), [n]])
    return [
        x[_along(axis, x.ndim, slice(int(lo), max(int(lo), int(hi))))]
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)
    ]


def _pad_widths(pad_width: Any, ndim: int) -> list[tuple[int, int]]:
    widths = np.broadcast_to(np.asarray(pad_width, dtype=int), (ndim, 2))
    return [(int(before), int(after)) for before, after in widths]


def pad(x: Any, pad_width: Any, mode: str = "constant", constant_values: float = 0.0) -> Value:
    """Pad with ``constant_values``, or by mirroring (``"reflect"``, edge not repeated) or
    repeating the edge (``"edge"``), as numpy's ``pad``. ``pad_width`` is numpy's: an int,
    ``(before, after)`` or one pair per axis.

    Gradient: the padding's own part is dropped (constant) or added back onto the elements
    it copied (reflect, edge).
    """
    x = as_value(x)
    widths = _pad_widths(pad_width, x.ndim)
    if mode == "constant":
        shape = tuple(n + b + a for n, (b, a) in zip(x.shape, widths, strict=True))
        inner = tuple(slice(b, b + n) for n, (b, _) in zip(x.shape, widths, strict=True))
        out = apply(ScatterAdd, x, index=inner, shape=shape, dtype=x.dtype)
        if constant_values:
            filled = np.ones(shape, dtype=bool)
            filled[inner] = False
            out = where(filled, float(constant_values), out)
        return out
    if mode not in ("reflect", "edge"):
        raise ValueError(f"pad: mode must be 'constant', 'reflect' or 'edge', got {mode!r}")
    sources = [np.pad(np.arange(n), w, mode=mode) for n, w in zip(x.shape, widths, strict=True)]
    return x[np.ix_(*sources)]


# ------------------------------------------------------------------------------ matrices
def _triangle(x: Value, k: int, lower: bool, op: str) -> Value:
    if x.ndim < 2:
        raise ValueError(f"{op}: needs a matrix (or a batch of them), got shape {x.shape}")
    rows, cols = x.shape[-2:]
    mask = np.tri(rows, cols, k, dtype=bool)
    return where(mask if lower else ~np.tri(rows, cols, k - 1, dtype=bool), x, 0.0)


def tril(x: Any, k: int = 0) -> Value:
    """The lower triangle (on and below diagonal ``k``) of the last two axes, zeros above."""
    return _triangle(as_value(x), k, True, "tril")


def triu(x: Any, k: int = 0) -> Value:
    """The upper triangle (on and above diagonal ``k``) of the last two axes, zeros below."""
    return _triangle(as_value(x), k, False, "triu")


def diagonal(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Value:
    """The diagonal ``offset`` of the planes (axis1, axis2), on a new last axis (numpy's
    ``diagonal``; ``x.diagonal(axis1=-2, axis2=-1)`` for a batch of matrices)."""
    x = as_value(x)
    if x.ndim < 2:
        raise ValueError(f"diagonal: needs at least 2 axes, got shape {x.shape}")
    a1, a2 = _axis(axis1, x.ndim, "diagonal"), _axis(axis2, x.ndim, "diagonal")
    x = moveaxis(x, (a1, a2), (-2, -1))
    rows, cols = x.shape[-2:]
    start_row, start_col = max(-offset, 0), max(offset, 0)
    length = max(min(rows - start_row, cols - start_col), 0)
    i = np.arange(length)
    return x[..., start_row + i, start_col + i]


def trace(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Value:
    """Σ of the diagonal ``offset`` (numpy's ``trace``).   ∂/∂xᵢⱼ = 1 on that diagonal."""
    return diagonal(x, offset, axis1, axis2).sum(axis=-1)
