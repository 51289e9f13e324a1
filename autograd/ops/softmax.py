"""Fused, numerically stable softmax, log-softmax and log-sum-exp along one axis.

They are primitives (not compositions of exp, sum and log) for stability: subtracting the max
before exponentiating keeps every eˣ ≤ 1, so logits of ±1000 give finite results.

    logsumexp(x) = m + ln Σⱼ e^(xⱼ − m),  m = maxⱼ xⱼ          ∂/∂xᵢ = softmax(x)ᵢ
    log_softmax(x)ᵢ = xᵢ − logsumexp(x)                        vjp: g − softmax·Σg
    softmax(x)ᵢ = e^(xᵢ − logsumexp(x))                        vjp: s ⊙ (g − Σ g⊙s)
"""

from __future__ import annotations

import numpy as np

from autograd.ops.generic import exp, expand_reduced, raw, sum_along
from autograd.ops.primitive import Primitive


def _logsumexp(x: np.ndarray, axis: int) -> np.ndarray:
    """ln Σ eˣ along ``axis`` with keepdims, stable for large |x| and all −inf rows."""
    m = np.max(x, axis=axis, keepdims=True)
    if not np.isfinite(m).all():  # rows of −inf (or inf): shift them by 0 instead
        m = np.where(np.isfinite(m), m, 0)
    return np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m


def _as_array(x):
    return np.asarray(x) if type(x) is float else x


class LogSumExp(Primitive):
    """y = ln Σⱼ e^(xⱼ).   ∂y/∂xᵢ = e^(xᵢ − y) = softmax(x)ᵢ."""

    def forward(x, *, axis=-1, keepdims=False):
        out = _logsumexp(_as_array(x), axis)
        return out if keepdims else np.squeeze(out, axis=axis)

    def vjp_x(g, y, x, *, axis=-1, keepdims=False):
        shape = np.shape(raw(x))
        g = expand_reduced(g, shape, axis, keepdims)
        return g * exp(x - expand_reduced(y, shape, axis, keepdims))


class LogSoftmax(Primitive):
    """yᵢ = xᵢ − ln Σⱼ e^(xⱼ).   ∂L/∂x = g − softmax(x) · Σⱼ gⱼ."""

    def forward(x, *, axis=-1):
        x = _as_array(x)
        return x - _logsumexp(x, axis)

    def vjp_x(g, y, x, *, axis=-1):
        return g - exp(y) * sum_along(g, axis)


class Softmax(Primitive):
    """sᵢ = e^(xᵢ) / Σⱼ e^(xⱼ).   ∂L/∂x = s ⊙ (g − Σⱼ gⱼ sⱼ)."""

    def forward(x, *, axis=-1):
        x = _as_array(x)
        return np.exp(x - _logsumexp(x, axis))

    def vjp_x(g, s, x, *, axis=-1):
        return s * (g - sum_along(g * s, axis))
