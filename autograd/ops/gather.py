"""Gather and scatter: take_along_axis (``gather``), scatter_add, masked_fill, index_put.

No new primitive: reading by index is ``GetItem`` and its adjoint, writing by index, is
``ScatterAdd``; masking is ``Where``.

    take_along_axis(x, idx, axis)       = x[full index]         ∂/∂x: scatter-add of g
    scatter_add(x, axis, idx, src)      = x + zeros with src added at idx
                                          ∂/∂x = g,   ∂/∂src = g[full index]
    masked_fill(x, mask, v)             = where(mask, v, x)
    index_put(x, index, v)              = x with x[index] replaced by v (a new Value)
                                          ∂/∂x = g with 0 at index,  ∂/∂v = g[index]

Values are never changed in place (a graph may still need the old numbers for its backward):
``y = x.index_put(index, v)`` is the recorded form of numpy's ``x[index] = v``, and
``accumulate=True`` the form of ``x[index] += v`` (numpy's ``np.add.at``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.ops.shape import ScatterAdd
from autograd.value import Value, _index, apply, as_value, where


def _full_index(
    indices: np.ndarray, axis: int, shape: tuple[int, ...], op: str, broadcast: bool = False
) -> tuple:
    """The integer-array index that picks ``indices`` along ``axis`` and the matching
    position along every other axis: ``x[that] == np.take_along_axis(x, indices, axis)``.

    ``broadcast``: numpy's rule (a size-1 axis of ``indices`` is copied to the array's
    length); else PyTorch's (the result has the shape of ``indices``)."""
    ndim = len(shape)
    if indices.ndim != ndim:
        raise ValueError(
            f"{op}: indices need as many axes as the array ({ndim}, shape {shape}), got shape "
            f"{indices.shape}; add size-1 axes with expand_dims"
        )
    if indices.dtype.kind not in "iu":
        raise TypeError(f"{op}: indices must be integers, got dtype {indices.dtype}")
    axis %= ndim
    sizes = indices.shape
    if broadcast:  # every axis but ``axis`` follows the broadcast of indices and array
        others = np.broadcast_shapes(
            sizes[:axis] + (1,) + sizes[axis + 1 :], shape[:axis] + (1,) + shape[axis + 1 :]
        )
        sizes = others[:axis] + (sizes[axis],) + others[axis + 1 :]
    grids = np.ogrid[tuple(slice(n) for n in sizes)]
    return tuple(indices if i == axis else grids[i] for i in range(ndim))


def take_along_axis(x: Any, indices: Any, axis: int) -> Value:
    """Pick ``indices`` along ``axis`` (numpy's ``take_along_axis``; PyTorch's ``gather``).

    ``indices`` has the array's number of axes; the result has its shape. The gradient is
    scattered back to the picked places (adding where one was picked twice).
    """
    x = as_value(x)
    indices = np.asarray(getattr(indices, "data", indices))
    return x[_full_index(indices, axis, x.shape, "take_along_axis", broadcast=True)]


def gather(x: Any, axis: int, indices: Any) -> Value:
    """PyTorch's ``gather(input, dim, index)``: ``take_along_axis(x, indices, axis)``, except
    that the result has the shape of ``indices`` (an axis of ``indices`` may be shorter than
    the array's; numpy would broadcast a size-1 axis instead)."""
    x = as_value(x)
    indices = np.asarray(getattr(indices, "data", indices))
    return x[_full_index(indices, axis, x.shape, "gather")]


def scatter_add(x: Any, axis: int, indices: Any, src: Any) -> Value:
    """x with ``src`` added at ``indices`` along ``axis`` (PyTorch's ``scatter_add``, numpy's
    ``np.add.at`` with a ``take_along_axis``-style index); repeated indices add up.

    ∂/∂x = g,   ∂/∂src = g picked at ``indices`` (take_along_axis of g).
    """
    x, src = as_value(x), as_value(src)
    indices = np.asarray(getattr(indices, "data", indices))
    if src.shape != indices.shape:
        raise ValueError(
            f"scatter_add: src shape {src.shape} must equal the indices' shape {indices.shape}"
        )
    index = _full_index(indices, axis, x.shape, "scatter_add")
    return x + apply(ScatterAdd, src, index=index, shape=x.shape, dtype=x.dtype)


def masked_fill(x: Any, mask: Any, value: Any) -> Value:
    """``value`` where ``mask`` is True, else x (the mask broadcasts against x).

    ∂/∂x = g where the mask is False, 0 where it is True; ``value`` may be a Value.
    """
    x = as_value(x)
    mask = np.broadcast_to(np.asarray(getattr(mask, "data", mask), dtype=bool), x.shape)
    return where(mask, value, x)


def index_put(x: Any, index: Any, values: Any, accumulate: bool = False) -> Value:
    """A new Value equal to x with ``x[index]`` set to ``values`` (``accumulate=True``: with
    ``values`` added there) — the recorded, functional form of ``x[index] = values``.

    Any index that ``x[index]`` accepts works; ``values`` broadcasts to ``x[index]``'s shape.
    Where an integer-array index names one place twice, the last value wins (numpy's rule),
    or with ``accumulate`` all of them add up (``np.add.at``).
    ∂/∂x = g, zeroed at the replaced places;   ∂/∂values = g[index] (summed to its shape).
    """
    x = as_value(x)
    index = _index(index)
    positions = np.arange(x.size).reshape(x.shape)[index]  # flat position of every target
    values = as_value(values)
    if values.shape != positions.shape:
        values = values.broadcast_to(positions.shape)
    if accumulate:
        return x + apply(ScatterAdd, values, index=index, shape=x.shape, dtype=x.dtype)
    flat = positions.reshape(-1)
    last = np.zeros(flat.shape, dtype=bool)  # the last write to each place is the one kept
    last[flat.size - 1 - np.unique(flat[::-1], return_index=True)[1]] = True
    if not last.all():
        values = where(last.reshape(positions.shape), values, 0.0)
    hit = np.zeros(x.shape, dtype=bool)
    hit[index] = True
    written = apply(ScatterAdd, values, index=index, shape=x.shape, dtype=x.dtype)
    return where(hit, written, x)
