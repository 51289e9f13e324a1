"""Pooling primitives: ``max_pool2d`` and ``avg_pool2d`` on (N, C, H, W).

Pooling slides a kh×kw window over each channel separately (stride ``s``, padding ``pad``)
and keeps one number per stop::

    max:  y[n, c, i, j] = max_{p,q}  x_pad[n, c, i·s + p, j·s + q]      (padding with −∞)
    avg:  y[n, c, i, j] = 1/(kh·kw) · Σ_{p,q} x_pad[n, c, i·s + p, j·s + q]   (padding with 0)

The average always divides by kh·kw, padded zeros included (PyTorch's default
``count_include_pad=True``). Both walk the kh·kw kernel offsets rather than the windows:
for offset (p, q) the numbers it sees in every window form one strided slice of the input, so
the maximum is a running ``np.maximum`` and the average a running sum, kh·kw whole-array
steps. The loops over output positions are in :mod:`autograd.ops.conv_reference`.

Gradients: the max passes each output's gradient to the one input that won its window (the
first one in reading order on a tie, as PyTorch); the average spreads it evenly, g/(kh·kw),
over the window. Windows overlap when s < k, so the shares are added up (col2im): a loop over
the kh·kw offsets adds one strided slice at a time.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.ops.conv import _pad, pair
from autograd.ops.generic import raw, scale
from autograd.ops.primitive import Primitive
from autograd.ops.shape import scatter_add
from autograd.value import Value, apply

Pair = tuple[int, int]


def _spread(pieces, shape, kernel, stride, padding, dtype):
    """Add ``pieces(p, q)`` — an (N, C, OH, OW) share for kernel offset (p, q) — onto an
    (N, C, H, W) image at the positions window offset (p, q) read from; padding cropped."""
    n, c, h, w = shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    padded = (n, c, h + 2 * ph, w + 2 * pw)
    total = None
    for p in range(kh):
        for q in range(kw):
            piece = pieces(p, q)
            oh, ow = piece.shape[2:]
            index = (
                slice(None),
                slice(None),
                slice(p, p + sh * (oh - 1) + 1, sh),
                slice(q, q + sw * (ow - 1) + 1, sw),
            )
            if isinstance(piece, Value):  # recorded backward: a differentiable scatter
                part = scatter_add(piece, index, np.empty(padded, dtype))
                total = part if total is None else total + part
            elif total is None:
                total = np.zeros(padded, dtype)
                total[index] = piece
            elif sh >= kh and sw >= kw:
                total[index] = piece  # windows side by side: each position gets one share
            else:
                total[index] += piece
    return total[:, :, ph : ph + h, pw : pw + w]


def _offsets(xp, kernel, stride, out_hw=None):
    """For each kernel offset (p, q), in reading order: the (N, C, OH, OW) strided slice of the
    padded input ``xp`` that offset reads in every window."""
    (kh, kw), (sh, sw) = kernel, stride
    oh, ow = out_hw or ((xp.shape[2] - kh) // sh + 1, (xp.shape[3] - kw) // sw + 1)
    for p in range(kh):
        for q in range(kw):
            yield xp[:, :, p : p + sh * (oh - 1) + 1 : sh, q : q + sw * (ow - 1) + 1 : sw]


class MaxPool2d(Primitive):
    """y[n, c, i, j] = max of x's window at (i, j) (padding counts as −∞).

    ∂L/∂x = g routed to each window's maximum (the first one, in reading order, on a tie),
    summed where windows overlap.

    Both passes walk the kh·kw kernel offsets, one whole-array step each: the forward keeps a
    running maximum; the backward finds, offset by offset, the inputs equal to their window's
    maximum that no earlier offset has claimed.
    """

    symbol = "max_pool2d"

    def forward(x, *, kernel_size, stride, padding):
        xp = _pad(x, padding, -np.inf)
        pieces = _offsets(xp, kernel_size, stride)
        y = next(pieces).copy()
        for piece in pieces:
            np.maximum(y, piece, out=y)
        return y

    def vjp_x(g, y, x, *, kernel_size, stride, padding):
        xp, top = _pad(raw(x), padding, -np.inf), raw(y)
        pieces = _offsets(xp, kernel_size, stride, top.shape[2:])
        claimed = np.zeros(top.shape, bool)

        def share(p, q):
            wins = next(pieces) == top
            np.greater(wins, claimed, out=wins)  # not if an earlier offset took this maximum
            np.logical_or(claimed, wins, out=claimed)
            return scale(g, wins) if isinstance(g, Value) else g * wins

        return _spread(share, raw(x).shape, kernel_size, stride, padding, raw(x).dtype)


class AvgPool2d(Primitive):
    """y[n, c, i, j] = mean of x's zero-padded window at (i, j), always over kh·kw numbers.

    ∂L/∂x = g/(kh·kw) added to every position of each window.
    """

    symbol = "avg_pool2d"

    def forward(x, *, kernel_size, stride, padding):
        pieces = _offsets(_pad(x, padding, 0.0), kernel_size, stride)
        total = next(pieces).copy()
        for piece in pieces:
            total += piece
        total *= x.dtype.type(1.0 / (kernel_size[0] * kernel_size[1]))
        return total

    def vjp_x(g, y, x, *, kernel_size, stride, padding):
        share = g * raw(x).dtype.type(1.0 / (kernel_size[0] * kernel_size[1]))
        return _spread(lambda p, q: share, raw(x).shape, kernel_size, stride, padding, raw(x).dtype)


def _pool_settings(op: str, x: Any, kernel_size: Any, stride: Any, padding: Any):
    k = pair(kernel_size, "kernel_size", op, 1)
    s = k if stride is None else pair(stride, "stride", op, 1)
    p = pair(padding, "padding", op, 0)
    shape = np.shape(raw(x))
    if len(shape) != 4:
        fix = " — add the batch axis with x.reshape(1, *x.shape)" if len(shape) == 3 else ""
        raise ValueError(f"{op}: input must be 4-d (N, C, H, W), got shape {shape}{fix}")
    if np.asarray(raw(x)).dtype.kind != "f":
        raise TypeError(f"{op}: input must be floating point, got {np.asarray(raw(x)).dtype}")
    for axis, size, ki, pi in zip(("height", "width"), shape[2:], k, p, strict=True):
        if pi > ki // 2:
            raise ValueError(
                f"{op}: padding {pi} along the {axis} is more than half the kernel ({ki}); "
                "a window could see only padding — use padding ≤ kernel_size // 2"
            )
        if ki > size + 2 * pi:
            raise ValueError(
                f"{op}: kernel {ki} along the {axis} is larger than the padded input "
                f"({size} + 2·{pi}) of shape {shape}; use a smaller kernel or more padding"
            )
    return k, s, p


def max_pool2d(
    x: Any, kernel_size: int | Pair, stride: int | Pair | None = None, padding: int | Pair = 0
) -> Value:
    """The maximum of each kh×kw window of each channel of ``x`` (N, C, H, W).

    ``stride`` defaults to ``kernel_size`` (windows side by side); ``padding`` adds −∞ borders
    (at most half the kernel). Output (N, C, OH, OW), OH = ⌊(H + 2·pad − kh)/stride⌋ + 1.
    """
    k, s, p = _pool_settings("max_pool2d", x, kernel_size, stride, padding)
    return apply(MaxPool2d, x, kernel_size=k, stride=s, padding=p)


def avg_pool2d(
    x: Any, kernel_size: int | Pair, stride: int | Pair | None = None, padding: int | Pair = 0
) -> Value:
    """The mean of each kh×kw window of each channel of ``x`` (N, C, H, W).

    Padding adds zeros and they count: the divisor is always kh·kw (PyTorch's
    ``count_include_pad=True``). ``stride`` defaults to ``kernel_size``.
    """
    k, s, p = _pool_settings("avg_pool2d", x, kernel_size, stride, padding)
    return apply(AvgPool2d, x, kernel_size=k, stride=s, padding=p)
