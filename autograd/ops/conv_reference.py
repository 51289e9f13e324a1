"""Convolution and pooling written as plain loops over output positions — the textbook picture.

These are the definitions; :mod:`autograd.ops.conv` and :mod:`autograd.ops.pooling` compute the
same numbers with strided views and one matrix product, and the tests hold them equal. They
take and return numpy arrays (no gradients) and are slow: read them, run them on small inputs.
Arguments are as in the fast ops; ``stride``, ``padding``, ``dilation`` are (height, width)
pairs or ints.
"""

from __future__ import annotations

import numpy as np


def _pair(v) -> tuple[int, int]:
    return (v, v) if isinstance(v, (int, np.integer)) else (int(v[0]), int(v[1]))


def _pad(x: np.ndarray, ph: int, pw: int, value: float) -> np.ndarray:
    """x (N, C, H, W) with ``ph`` rows of ``value`` above and below, ``pw`` columns each side."""
    n, c, h, w = x.shape
    out = np.full((n, c, h + 2 * ph, w + 2 * pw), value, dtype=x.dtype)
    out[:, :, ph : ph + h, pw : pw + w] = x
    return out


def conv2d_reference(x, weight, bias=None, stride=1, padding=0, dilation=1) -> np.ndarray:
    """y[n, o, i, j] = b[o] + Σ_c Σ_p Σ_q w[o, c, p, q] · x_pad[n, c, i·s + p·d, j·s + q·d]."""
    (sh, sw), (ph, pw), (dh, dw) = _pair(stride), _pair(padding), _pair(dilation)
    n, c, h, w = x.shape
    o, _, kh, kw = weight.shape
    xp = _pad(x, ph, pw, 0.0)
    oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    y = np.zeros((n, o, oh, ow), dtype=x.dtype)
    for b in range(n):
        for k in range(o):  # one output channel = one kernel
            for i in range(oh):
                for j in range(ow):
                    top, left = i * sh, j * sw  # the window's corner in the padded input
                    rows = slice(top, top + dh * (kh - 1) + 1, dh)  # every dh-th row ...
                    cols = slice(left, left + dw * (kw - 1) + 1, dw)  # ... and dw-th column
                    window = xp[b, :, rows, cols]  # (C, kh, kw)
                    y[b, k, i, j] = np.sum(window * weight[k])  # (C, kh, kw) dot (C, kh, kw)
                    if bias is not None:
                        y[b, k, i, j] += bias[k]
    return y


def conv_transpose2d_reference(
    x, weight, bias=None, stride=1, padding=0, output_padding=0, dilation=1
) -> np.ndarray:
    """Each input value x[n, ci, i, j] adds x · w[ci] (a Cout×kh×kw patch) onto the output at
    rows i·s + p·d − pad, columns j·s + q·d − pad: conv2d run backwards."""
    (sh, sw), (ph, pw) = _pair(stride), _pair(padding)
    (eh, ew), (dh, dw) = _pair(output_padding), _pair(dilation)
    n, cin, h, w = x.shape
    _, cout, kh, kw = weight.shape
    oh = (h - 1) * sh - 2 * ph + dh * (kh - 1) + eh + 1
    ow = (w - 1) * sw - 2 * pw + dw * (kw - 1) + ew + 1
    full = np.zeros((n, cout, oh + 2 * ph, ow + 2 * pw), dtype=x.dtype)  # padding included
    for b in range(n):
        for ci in range(cin):
            for i in range(h):
                for j in range(w):
                    top, left = i * sh, j * sw
                    rows = slice(top, top + dh * (kh - 1) + 1, dh)
                    cols = slice(left, left + dw * (kw - 1) + 1, dw)
                    full[b, :, rows, cols] += x[b, ci, i, j] * weight[ci]
    y = full[:, :, ph : ph + oh, pw : pw + ow]  # the padding is cut away again
    if bias is not None:
        y = y + bias.reshape(1, -1, 1, 1)
    return y


def _pool_reference(x, kernel_size, stride, padding, fill, reduce) -> np.ndarray:
    (kh, kw) = _pair(kernel_size)
    (sh, sw) = (kh, kw) if stride is None else _pair(stride)
    (ph, pw) = _pair(padding)
    n, c, h, w = x.shape
    xp = _pad(x, ph, pw, fill)
    oh, ow = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    y = np.zeros((n, c, oh, ow), dtype=x.dtype)
    for b in range(n):
        for k in range(c):  # each channel on its own
            for i in range(oh):
                for j in range(ow):
                    y[b, k, i, j] = reduce(xp[b, k, i * sh : i * sh + kh, j * sw : j * sw + kw])
    return y


def max_pool2d_reference(x, kernel_size, stride=None, padding=0) -> np.ndarray:
    """y[n, c, i, j] = the largest number in x's window at (i, j) (padding is −∞)."""
    return _pool_reference(x, kernel_size, stride, padding, -np.inf, np.max)


def avg_pool2d_reference(x, kernel_size, stride=None, padding=0) -> np.ndarray:
    """y[n, c, i, j] = the sum of x's window at (i, j) (padding is 0) divided by kh·kw."""
    return _pool_reference(x, kernel_size, stride, padding, 0.0, lambda win: win.sum() / win.size)
