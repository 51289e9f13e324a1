"""Reductions: sum, mean, max, min over ``axis`` (None, an int or a tuple), with ``keepdims``.

A reduction's gradient flows back to every element that was reduced: ``expand_reduced`` puts the
reduced axes back (as size 1) and broadcasting copies the gradient along them.
"""

from __future__ import annotations

import numpy as np

from autograd.ops.generic import broadcast_to, expand_reduced, raw, scale
from autograd.ops.primitive import Primitive


def _shape(x) -> tuple[int, ...]:
    return () if type(x) is float else x.shape


class Sum(Primitive):
    """y = Σᵢ xᵢ.   ∂y/∂xᵢ = 1: the gradient is copied to every summed element."""

    def forward(x, *, axis=None, keepdims=False):
        return np.sum(x, axis=axis, keepdims=keepdims)

    def vjp_x(g, y, x, *, axis=None, keepdims=False):
        shape = _shape(raw(x))
        return broadcast_to(expand_reduced(g, shape, axis, keepdims), shape)


class Mean(Primitive):
    """y = (1/n) Σᵢ xᵢ.   ∂y/∂xᵢ = 1/n."""

    def forward(x, *, axis=None, keepdims=False):
        return np.mean(x, axis=axis, keepdims=keepdims)

    def vjp_x(g, y, x, *, axis=None, keepdims=False):
        shape = _shape(raw(x))
        count = max(int(np.prod(shape)), 1) // max(int(np.size(raw(y))), 1)
        return broadcast_to(expand_reduced(g, shape, axis, keepdims) / count, shape)


def _extremum_vjp(g, y, x, axis, keepdims):
    """Gradient of max or min: shared evenly among the elements that attain the extremum."""
    data = raw(x)
    if type(data) is float:
        return g
    shape = data.shape
    winners = data == expand_reduced(raw(y), shape, axis, keepdims)
    share = winners / np.sum(winners, axis=axis, keepdims=True)
    return scale(broadcast_to(expand_reduced(g, shape, axis, keepdims), shape), share)


class Max(Primitive):
    """y = maxᵢ xᵢ.   ∂y/∂xᵢ = 1/k for the k elements equal to the max (ties share), else 0."""

    def forward(x, *, axis=None, keepdims=False):
        return np.max(x, axis=axis, keepdims=keepdims)

    def vjp_x(g, y, x, *, axis=None, keepdims=False):
        return _extremum_vjp(g, y, x, axis, keepdims)


class Min(Primitive):
    """y = minᵢ xᵢ.   ∂y/∂xᵢ = 1/k for the k elements equal to the min (ties share), else 0."""

    def forward(x, *, axis=None, keepdims=False):
        return np.min(x, axis=axis, keepdims=keepdims)

    def vjp_x(g, y, x, *, axis=None, keepdims=False):
        return _extremum_vjp(g, y, x, axis, keepdims)
