"""The softmax family along one axis, numerically stable for any logits.

Subtracting the max before exponentiating keeps every eˣ ≤ 1, so logits of ±1000 give finite
results:

    logsumexp(x) = m + ln Σⱼ e^(xⱼ − m),  m = maxⱼ xⱼ          ∂/∂xᵢ = softmax(x)ᵢ
    log_softmax(x)ᵢ = xᵢ − logsumexp(x)                        (a composite: see Value)
    softmax(x)ᵢ = e^(xᵢ − logsumexp(x))                        vjp: s ⊙ (g − Σ g⊙s)

``logsumexp`` and ``log_softmax`` are composites of smaller ops (``logsumexp`` below, with the
max entering as a constant: the result does not depend on it). ``Softmax`` stays a primitive for
measured speed — one node instead of four, and attention calls it once per head and layer — and
:func:`softmax_composite` beside it is the plain composition the tests hold it equal to.
"""

from __future__ import annotations

import numpy as np

from autograd.ops.generic import sum_along
from autograd.ops.primitive import Primitive


def _logsumexp(x: np.ndarray, axis: int) -> np.ndarray:
    """ln Σ eˣ along ``axis`` with keepdims, stable for large |x| and all −inf rows."""
    m = np.max(x, axis=axis, keepdims=True)
    if not np.isfinite(m).all():  # rows of −inf (or inf): shift them by 0 instead
        m = np.where(np.isfinite(m), m, 0)
    return np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m


def _as_array(x):
    return np.asarray(x) if type(x) is float else x


def logsumexp(x, axis: int = -1, keepdims: bool = False):
    """ln Σⱼ e^(xⱼ) along ``axis`` of a Value, as a composite: m + ln Σⱼ e^(xⱼ − m), with
    m = maxⱼ xⱼ a constant (rows of ±inf are shifted by 0 instead)."""
    m = np.max(_as_array(x.data), axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0).astype(x.dtype)
    out = (x - m).exp().sum(axis=axis, keepdims=True).log() + m
    return out if keepdims else out.reshape(np.squeeze(m, axis=axis).shape)


def softmax_composite(x, axis: int = -1):
    """softmax as a composition of smaller ops, e^(x − logsumexp(x)): what ``Softmax`` fuses."""
    return (x - logsumexp(x, axis, keepdims=True)).exp()


class Softmax(Primitive):
    """sᵢ = e^(xᵢ) / Σⱼ e^(xⱼ).   ∂L/∂x = s ⊙ (g − Σⱼ gⱼ sⱼ)."""

    def forward(x, *, axis=-1):
        x = _as_array(x)
        return np.exp(x - _logsumexp(x, axis))

    def vjp_x(g, s, x, *, axis=-1):
        return s * (g - sum_along(g * s, axis))
