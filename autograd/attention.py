"""Scaled dot-product attention, composed from primitives so its graph can be drawn.

Each query asks "which keys look like me?"; the answer is a weighted average of the values::

    scores  = q kᵀ · scale            (L, S): how well query i matches key j; scale = 1/√E
    scores  = masked(scores)          a position that may not take part gets −∞
    weights = softmax(scores)         along the keys: each row sums to 1
    out     = weights v               (L, Ev): each query's mix of the values

Nothing here is a new primitive: matmul, transpose, multiply, where (or add), softmax and
matmul again. Its gradient is backpropagation through those five ops.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd.value import Value, as_value, where


def causal_mask(queries: int, keys: int) -> np.ndarray:
    """The boolean mask that lets query i see keys 0..i only (True = may attend), shape
    ``(queries, keys)``: the lower triangle, as ``torch.ones(L, S).tril()``."""
    return np.tril(np.ones((queries, keys), dtype=bool))


def attention_weights(
    q: Any,
    k: Any,
    attn_mask: Any = None,
    is_causal: bool = False,
    scale: float | None = None,
) -> Value:
    """softmax(q kᵀ · scale + mask) along the keys: the ``(..., L, S)`` weights of
    :func:`scaled_dot_product_attention`, which multiplies them by ``v``."""
    q = as_value(q)
    k = as_value(k)
    if q.ndim < 2 or k.ndim < 2 or q.shape[-1] != k.shape[-1]:
        raise ValueError(
            f"scaled_dot_product_attention: q (..., L, E) and k (..., S, E) must end in the same "
            f"feature size E, got q {q.shape} and k {k.shape}"
        )
    if attn_mask is not None and is_causal:
        raise ValueError(
            "scaled_dot_product_attention: pass attn_mask or is_causal=True, not both (as in "
            "PyTorch); combine them into one mask yourself"
        )
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])
    scores = (q @ k.swapaxes(-1, -2)) * scale
    if is_causal:
        attn_mask = causal_mask(q.shape[-2], k.shape[-2])
    if attn_mask is not None:
        mask = attn_mask.data if isinstance(attn_mask, Value) else np.asarray(attn_mask)
        if mask.dtype == bool:  # True = take part; the rest get −∞ before the softmax
            scores = where(mask, scores, -np.inf)
        else:  # an additive float mask (0 = take part, −∞ = not), as PyTorch's
            scores = scores + attn_mask
    return scores.softmax(axis=-1)


def scaled_dot_product_attention(
    q: Any,
    k: Any,
    v: Any,
    attn_mask: Any = None,
    is_causal: bool = False,
    scale: float | None = None,
) -> Value:
    """softmax(q kᵀ/√E + mask) v, PyTorch's ``F.scaled_dot_product_attention`` (no dropout).

    Shapes: q ``(..., L, E)``, k ``(..., S, E)``, v ``(..., S, Ev)`` → ``(..., L, Ev)``; the
    leading axes (batch, heads) broadcast. ``attn_mask`` broadcasts to ``(..., L, S)`` and is
    either boolean — True where a query may attend to a key, as in PyTorch — or a float mask
    added to the scores (0 to keep, −∞ to block). ``is_causal=True`` lets query i attend to
    keys 0..i only. ``scale`` defaults to 1/√E. A query row that every mask blocks gives nan,
    as the softmax of all −∞ is undefined.
    """
    v = as_value(v)
    k_shape = k.shape if isinstance(k, Value) else np.shape(k)
    if v.ndim < 2 or v.shape[-2] != k_shape[-2]:
        raise ValueError(
            f"scaled_dot_product_attention: k (..., S, E) and v (..., S, Ev) must have the same "
            f"number of keys S, got k {tuple(k_shape)} and v {v.shape}"
        )
    return attention_weights(q, k, attn_mask, is_causal, scale) @ v
