"""More reductions: prod, std, norm (vector and matrix), any and all.

No new primitive (the matrix 2-norm uses ``Svdvals`` from ``linalg``):

    prod   pairwise products in a tree, ⌈log₂ n⌉ multiplications deep: the gradient of each
           element is the product of all the others, exact with zeros (never prod/xᵢ)
    std    √var
    norm   ord 2 / 'fro': √Σx²;  1: Σ|x|;  inf: max|x|;  p: (Σ|x|ᵖ)^(1/p);
           matrices: 1 / inf = max column / row sum of |x|, 2 = largest singular value,
           'nuc' = Σ singular values
    any / all  plain booleans (no gradient), like comparisons

A norm of all zeros has gradient 0 (PyTorch's subgradient), not the nan of 0/0.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.ops.layout import moveaxis
from autograd.ops.linalg import svdvals
from autograd.value import Value, as_value, concatenate, where

Axis = int | tuple[int, ...] | None


def _axes(axis: Axis, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    return tuple(sorted(a % max(ndim, 1) for a in axes))


def prod(x: Any, axis: Axis = None, keepdims: bool = False) -> Value:
    """Π of the elements over ``axis`` (all when None).   ∂/∂xᵢ = Π_{j≠i} xⱼ, also at zeros.

    The product is taken pairwise — (x₀x₁)(x₂x₃)… — in ⌈log₂ n⌉ rounds of ``*``, so the
    chain rule through ``Mul`` gives each element the product of the others exactly.
    """
    x = as_value(x)
    if x.ndim == 0:
        return x
    axes = _axes(axis, x.ndim)
    kept = tuple(n for k, n in enumerate(x.shape) if k not in axes)
    out_shape = tuple(1 if k in axes else n for k, n in enumerate(x.shape)) if keepdims else kept
    x = moveaxis(x, axes, tuple(range(x.ndim - len(axes), x.ndim))).reshape(kept + (-1,))
    n = x.shape[-1]
    if n == 0:
        return (x.sum(axis=-1) * 0.0 + 1.0).reshape(out_shape)
    while n > 1:
        half = n // 2
        pairs = x[..., :half] * x[..., half : 2 * half]
        x = concatenate([pairs, x[..., 2 * half :]], axis=-1) if n % 2 else pairs
        n = x.shape[-1]
    return x.reshape(out_shape)


def std(x: Any, axis: Axis = None, keepdims: bool = False, ddof: int = 0) -> Value:
    """Standard deviation √var over ``axis`` (numpy's ``ddof=0``; PyTorch's default is 1)."""
    return as_value(x).var(axis=axis, keepdims=keepdims, ddof=ddof).sqrt()


def _root(s: Value, p: float) -> Value:
    """s^(1/p) for s ≥ 0, with gradient 0 (not nan) where s = 0."""
    zero = np.asarray(s.data) == 0
    root = (lambda v: v.sqrt()) if p == 2 else (lambda v: v ** (1.0 / p))
    if not zero.any():
        return root(s)
    return where(zero, 0.0, root(where(zero, 1.0, s)))


def _vector_norm(x: Value, ord: Any, axes: tuple[int, ...], keepdims: bool) -> Value:
    if ord is None or ord == 2:
        return _root((x * x).sum(axis=axes, keepdims=keepdims), 2)
    if ord == np.inf:
        return abs(x).max(axis=axes, keepdims=keepdims)
    if ord == -np.inf:
        return abs(x).min(axis=axes, keepdims=keepdims)
    if ord == 0:
        count = np.sum(np.asarray(x.data) != 0, axis=axes, keepdims=keepdims)
        return Value(count.astype(x.dtype), requires_grad=False)
    if ord == 1:
        return abs(x).sum(axis=axes, keepdims=keepdims)
    if isinstance(ord, str):
        raise ValueError(f"norm: ord {ord!r} is for matrices; pass a 2-tuple axis")
    return _root((abs(x) ** float(ord)).sum(axis=axes, keepdims=keepdims), float(ord))


def _matrix_norm(x: Value, ord: Any, axes: tuple[int, int], keepdims: bool) -> Value:
    rows, cols = axes
    if ord in (None, "fro"):
        out = _root((x * x).sum(axis=axes, keepdims=True), 2)
    elif ord in (1, -1):
        column_sums = abs(x).sum(axis=rows, keepdims=True)
        out = column_sums.max(cols, True) if ord == 1 else column_sums.min(cols, True)
    elif ord in (np.inf, -np.inf):
        row_sums = abs(x).sum(axis=cols, keepdims=True)
        out = row_sums.max(rows, True) if ord == np.inf else row_sums.min(rows, True)
    elif ord in (2, -2, "nuc"):
        s = svdvals(moveaxis(x, axes, (-2, -1)))
        s = s.max(axis=-1) if ord == 2 else (s.min(axis=-1) if ord == -2 else s.sum(axis=-1))
        shape = list(x.shape)
        shape[rows] = shape[cols] = 1
        out = s.reshape(tuple(shape))
    else:
        raise ValueError(
            f"norm: invalid ord {ord!r} for a matrix (1, -1, 2, -2, inf, 'fro', 'nuc')"
        )
    return (
        out if keepdims else out.reshape(tuple(n for k, n in enumerate(x.shape) if k not in axes))
    )


def norm(x: Any, ord: Any = None, axis: Axis = None, keepdims: bool = False) -> Value:
    """numpy.linalg.norm: a vector norm along one axis (or of the flattened array when
    ``axis`` and ``ord`` are None), a matrix norm over a 2-tuple ``axis`` (or of a 2-D x).

    ord for vectors: None/2, 1, inf, −inf, 0 (count, no gradient), any p; for matrices:
    None/'fro', 1, −1, inf, −inf, 2, −2, 'nuc'.
    """
    x = as_value(x)
    if axis is None:
        if ord is None:
            return _vector_norm(x, None, _axes(None, x.ndim), keepdims)
        axis = (0, 1) if x.ndim == 2 else (0 if x.ndim == 1 else None)
        if axis is None:
            raise ValueError(f"norm: ord={ord!r} needs a vector or a matrix, got shape {x.shape}")
    axes = _axes(axis, x.ndim)
    if isinstance(axis, (tuple, list)) and len(axis) == 2:
        return _matrix_norm(x, ord, (axis[0] % x.ndim, axis[1] % x.ndim), keepdims)
    if len(axes) != 1:
        raise ValueError(f"norm: axis must be an int or a 2-tuple, got {axis!r}")
    return _vector_norm(x, ord, axes, keepdims)


def any(x: Any, axis: Axis = None, keepdims: bool = False) -> Any:  # noqa: A001
    """Whether any element is nonzero: a plain boolean (array), no gradient."""
    return np.any(np.asarray(getattr(x, "data", x)), axis=axis, keepdims=keepdims)


def all(x: Any, axis: Axis = None, keepdims: bool = False) -> Any:  # noqa: A001
    """Whether every element is nonzero: a plain boolean (array), no gradient."""
    return np.all(np.asarray(getattr(x, "data", x)), axis=axis, keepdims=keepdims)
