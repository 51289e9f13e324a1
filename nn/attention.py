"""``MultiheadAttention``: several attention heads side by side, PyTorch's layer."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Value, linear
from autograd.attention import attention_weights, causal_mask
from autograd.checks import check_dtype, check_size
from autograd.value import as_value

from . import init as nn_init
from .linear import Linear
from .module import Module


class MultiheadAttention(Module):
    """Multi-head attention (Vaswani et al. 2017), with ``torch.nn.MultiheadAttention``'s names.

    The queries, keys and values are projected by one stacked matrix ``in_proj_weight``
    ``(3E, E)`` (rows q, k, v) plus ``in_proj_bias`` ``(3E,)``, split into ``num_heads`` heads
    of size E/num_heads, attended per head with scaled dot-product attention, joined again and
    projected by ``out_proj`` (an ``nn.Linear(E, E)``)::

        head_j = softmax(q_j k_jᵀ / √d + mask) v_j          d = E / num_heads
        out    = out_proj(concat(head_1, ..., head_h))

    ``forward(query, key, value, attn_mask=None, need_weights=True, is_causal=False)`` takes
    ``(L, N, E)`` inputs (``(N, L, E)`` with ``batch_first``; ``(L, E)`` for one sequence) and
    returns ``(output, weights)``: weights ``(N, L, S)`` averaged over the heads, or None with
    ``need_weights=False``.

    Masks follow **this layer's** PyTorch convention, the opposite of
    ``scaled_dot_product_attention``'s: a boolean ``attn_mask`` is True where attention is
    **not** allowed; a float mask is added to the scores. Its shape is ``(L, S)`` or
    ``(N·num_heads, L, S)``. ``is_causal=True`` without a mask builds the causal mask (PyTorch
    requires the mask and treats the flag as a hint; here a given mask wins).

    Initialisation as PyTorch's: ``in_proj_weight`` Xavier uniform, biases 0, ``out_proj``
    weight U(−1/√E, 1/√E).
    """

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        bias: bool = True,
        batch_first: bool = False,
        dtype: Any = np.float32,
    ) -> None:
        super().__init__()
        self.embed_dim = check_size("MultiheadAttention", "embed_dim", embed_dim)
        self.num_heads = check_size("MultiheadAttention", "num_heads", num_heads)
        if self.embed_dim % self.num_heads:
            raise ValueError(
                f"MultiheadAttention: embed_dim ({embed_dim}) must be divisible by num_heads "
                f"({num_heads}), each head getting embed_dim / num_heads features"
            )
        self.head_dim = self.embed_dim // self.num_heads
        self.batch_first = bool(batch_first)
        dtype = check_dtype("MultiheadAttention", dtype)
        e = self.embed_dim
        self.in_proj_weight = Value(np.zeros((3 * e, e), dtype), label="in_proj_weight")
        self.in_proj_bias = Value(np.zeros(3 * e, dtype), label="in_proj_bias") if bias else None
        self.out_proj = Linear(e, e, bias=bias, dtype=dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's initialisation (see the class docstring)."""
        nn_init.xavier_uniform(self.in_proj_weight)
        bound = 1.0 / math.sqrt(self.embed_dim)
        nn_init.uniform(self.out_proj.weight, -bound, bound)
        for b in (self.in_proj_bias, self.out_proj.bias):
            if b is not None:
                nn_init.zeros(b)

    def forward(
        self,
        query: Any,
        key: Any,
        value: Any,
        attn_mask: Any = None,
        need_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[Value, Value | None]:
        self_attention = query is key and key is value
        q, k, v = (as_value(t) for t in (query, key, value))
        unbatched = q.ndim == 2
        if q.ndim not in (2, 3) or q.shape[-1] != self.embed_dim or k.shape != v.shape:
            raise ValueError(
                f"MultiheadAttention(embed_dim={self.embed_dim}): query must be (L, N, E) "
                "((N, L, E) with batch_first, (L, E) unbatched) and key, value alike with E = "
                f"{self.embed_dim}; got query {q.shape}, key {k.shape}, value {v.shape}"
            )
        if unbatched:
            q, k, v = (t.reshape((1, *t.shape)) for t in (q, k, v))
        elif not self.batch_first:  # work in (N, L, E)
            q, k, v = (t.swapaxes(0, 1) for t in (q, k, v))
        n, length, e = q.shape
        heads, d = self.num_heads, self.head_dim

        def split_heads(t: Value) -> Value:  # (N, L, E) → (N, heads, L, d)
            return t.reshape(n, t.shape[1], heads, d).swapaxes(1, 2)

        w, b = self.in_proj_weight, self.in_proj_bias
        if self_attention:  # one projection for q, k and v together
            qkv = linear(q, w, b).reshape(n, length, 3, heads, d).transpose(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]
        else:
            bq, bk, bv = (None, None, None) if b is None else (b[:e], b[e : 2 * e], b[2 * e :])
            q = split_heads(linear(q, w[:e], bq))
            k = split_heads(linear(k, w[e : 2 * e], bk))
            v = split_heads(linear(v, w[2 * e :], bv))
        mask = self._mask(attn_mask, is_causal, n, length, k.shape[2])
        weights = attention_weights(q, k, mask)  # (N, heads, L, S)
        heads_out = weights @ v  # (N, heads, L, d)
        out = self.out_proj(heads_out.swapaxes(1, 2).reshape(n, length, e))
        if unbatched:
            out = out.reshape(out.shape[1:])
        elif not self.batch_first:
            out = out.swapaxes(0, 1)
        if not need_weights:
            return out, None
        averaged = weights.mean(axis=1)
        return out, (averaged.reshape(averaged.shape[1:]) if unbatched else averaged)

    def _mask(self, attn_mask: Any, is_causal: bool, n: int, length: int, keys: int) -> Any:
        """The mask in scaled_dot_product_attention's terms (boolean True = may attend),
        shaped to broadcast against (N, heads, L, S)."""
        if attn_mask is None:
            return causal_mask(length, keys) if is_causal else None
        mask = attn_mask.data if isinstance(attn_mask, Value) else np.asarray(attn_mask)
        if mask.shape not in ((length, keys), (n * self.num_heads, length, keys)):
            raise ValueError(
                f"MultiheadAttention: attn_mask must have shape (L, S) = {(length, keys)} or "
                f"(N·num_heads, L, S) = {(n * self.num_heads, length, keys)}, got {mask.shape}"
            )
        if mask.ndim == 3:
            mask = mask.reshape(n, self.num_heads, length, keys)
            if isinstance(attn_mask, Value) and mask.dtype != bool:
                return attn_mask.reshape(n, self.num_heads, length, keys)
        if mask.dtype == bool:
            return ~mask  # PyTorch's layer: True = blocked; the op: True = may attend
        return attn_mask if isinstance(attn_mask, Value) and mask.ndim == 2 else mask

    def extra_repr(self) -> str:
        bias = "" if self.in_proj_bias is not None else ", bias=False"
        first = ", batch_first=True" if self.batch_first else ""
        return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}{bias}{first}"
