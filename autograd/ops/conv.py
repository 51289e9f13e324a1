"""Convolution primitives: ``conv2d`` and its adjoint ``conv_transpose2d``, on (N, C, H, W).

A 2-d convolution (strictly, a cross-correlation, as in every deep-learning library) slides a
kernel ``w`` of shape (O, C, kh, kw) over the zero-padded input and takes a dot product at
each stop::

    y[n, o, i, j] = b[o] + Σ_c Σ_p Σ_q  w[o, c, p, q] · x_pad[n, c, i·s + p·d, j·s + q·d]

with stride ``s``, padding ``pad`` and dilation ``d``; the output has
``OH = ⌊(H + 2·pad − d·(kh − 1) − 1) / s⌋ + 1`` rows (likewise columns). The loops are written
out plainly in :mod:`autograd.ops.conv_reference`; here they become one matrix product:

- **im2col** gathers every window of the input into one row of a matrix ``cols`` of shape
  (N·OH·OW, C·kh·kw) — a strided *view* of the input (``sliding_window_view``), copied once;
- then ``y = cols · W_matᵀ`` with ``W_mat = w.reshape(O, C·kh·kw)``: all outputs in one matmul.

The gradients are matrix products too. With ``G`` = ∂L/∂y as an (N·OH·OW, O) matrix:

- ∂L/∂w = Gᵀ · cols (each weight met every window it was multiplied with);
- ∂L/∂cols = G · W_mat, and **col2im** adds each window's share back onto the input
  positions it was copied from (a loop over the kh·kw kernel offsets, each adding one strided
  slice) — this is ∂L/∂x;
- ∂L/∂b = Σ over n, i, j of G.

The input gradient *is* the transposed convolution: ``conv_transpose2d(g, w)`` with the same
stride, padding and dilation spreads each input value over a kh×kw patch of the (larger)
output — exactly col2im(g · W_mat). So both ops share :func:`_conv_raw`, :func:`_col2im` and
:func:`_weight_grad_raw`; each one's input gradient is the other's forward.

During a recorded backward (``create_graph=True``) the same identities are applied to
``Value``s, so gradients of gradients work: ∂L/∂x is a ``conv_transpose2d`` node, ∂L/∂w a
``conv2d`` of the input with the upstream gradient as its kernel.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.ops.generic import raw
from autograd.ops.primitive import Primitive
from autograd.value import Value, apply

Pair = tuple[int, int]


# --------------------------------------------------------------------------- the machinery
def out_size(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    """Output length of a convolution:
    ⌊(size + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def _pad(x: np.ndarray, padding: Pair, value: float = 0.0) -> np.ndarray:
    ph, pw = padding
    if ph == 0 and pw == 0:
        return x
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=value)


def windows(
    x: np.ndarray, kernel: Pair, stride: Pair, padding: Pair, dilation: Pair, fill: float = 0.0
) -> np.ndarray:
    """Every kernel window of ``x`` (N, C, H, W) padded with ``fill``, as a strided view of
    shape (N, C, OH, OW, kh, kw): ``windows[n, c, i, j]`` is what the kernel sees at (i, j)."""
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    xp = _pad(x, padding, fill)
    span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    view = np.lib.stride_tricks.sliding_window_view(xp, span, axis=(2, 3))
    return view[:, :, ::sh, ::sw, ::dh, ::dw]


def _im2col(x: np.ndarray, kernel: Pair, stride: Pair, padding: Pair, dilation: Pair):
    """The windows of ``x`` as rows of a matrix (N·OH·OW, C·kh·kw), and (OH, OW)."""
    view = windows(x, kernel, stride, padding, dilation)
    n, c, oh, ow, kh, kw = view.shape
    cols = view.transpose(0, 2, 3, 1, 4, 5).reshape(n * oh * ow, c * kh * kw)  # one copy
    return cols, (oh, ow)


def _col2im(
    cols: np.ndarray,
    shape: tuple[int, int, int, int],
    kernel: Pair,
    stride: Pair,
    padding: Pair,
    dilation: Pair,
) -> np.ndarray:
    """The adjoint of im2col: ``cols`` of shape (N, OH, OW, C, kh, kw) added back onto an
    (N, C, H, W) image, each window onto the positions it was read from (overlaps add up)."""
    n, c, h, w = shape
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    oh, ow = cols.shape[1], cols.shape[2]
    out = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=cols.dtype)
    per_offset = cols.transpose(4, 5, 0, 3, 1, 2)  # (kh, kw, N, C, OH, OW)
    for p in range(kh):
        rows = slice(p * dh, p * dh + sh * (oh - 1) + 1, sh)
        for q in range(kw):
            out[:, :, rows, q * dw : q * dw + sw * (ow - 1) + 1 : sw] += per_offset[p, q]
    return out[:, :, ph : ph + h, pw : pw + w]


def _conv_raw(x, w, stride, padding, dilation):
    """conv2d without bias on arrays: the output (N, O, OH, OW) and the im2col matrix."""
    o = w.shape[0]
    n = x.shape[0]
    cols, (oh, ow) = _im2col(x, w.shape[2:], stride, padding, dilation)
    y = cols @ w.reshape(o, -1).T  # (N·OH·OW, O)
    return y.reshape(n, oh, ow, o).transpose(0, 3, 1, 2), cols


def _conv_input_grad_raw(g, w, in_hw, stride, padding, dilation):
    """∂L/∂x of conv2d for upstream ``g`` (N, O, OH, OW) — also conv_transpose2d's forward:
    col2im(G · W_mat) onto an image of height and width ``in_hw``."""
    n, o, oh, ow = g.shape
    _, c, kh, kw = w.shape
    gmat = g.transpose(0, 2, 3, 1).reshape(n * oh * ow, o)
    dcols = (gmat @ w.reshape(o, -1)).reshape(n, oh, ow, c, kh, kw)
    return _col2im(dcols, (n, c, *in_hw), (kh, kw), stride, padding, dilation)


def _weight_grad_raw(g, x, kernel, stride, padding, dilation, cols=None):
    """∂L/∂w of conv2d (O, C, kh, kw) for upstream ``g`` (N, O, OH, OW) and input ``x``:
    Gᵀ · cols, with ``cols`` = im2col(x) (recomputed when not given)."""
    n, o, oh, ow = g.shape
    if cols is None:
        cols, _ = _im2col(x, kernel, stride, padding, dilation)
    gmat = g.transpose(0, 2, 3, 1).reshape(n * oh * ow, o)
    return (gmat.T @ cols).reshape(o, x.shape[1], *kernel)


def _weight_grad_value(g, x, kernel, stride, padding, dilation):
    """∂L/∂w as a recorded conv2d (for gradients of gradients): the input's channels become
    the batch, the upstream gradient becomes the kernel, and stride and dilation swap places::

        ∂L/∂w[o, c, p, q] = Σ_n Σ_i Σ_j  g[n, o, i, j] · x_pad[n, c, p·d + i·s, q·d + j·s]
    """
    x = x if isinstance(x, Value) else Value(x, requires_grad=False)
    g = g if isinstance(g, Value) else Value(g, requires_grad=False)
    full = conv2d_op(
        x.transpose(1, 0, 2, 3), g.transpose(1, 0, 2, 3), None, dilation, padding, stride
    )  # (C, O, ≥kh, ≥kw)
    return full[:, :, : kernel[0], : kernel[1]].transpose(1, 0, 2, 3)


def _bias_grad(g):
    return g.sum(axis=(0, 2, 3))


# ------------------------------------------------------------------------------ primitives
class Conv2d(Primitive):
    """y = conv2d(x, w) + b on (N, C, H, W) with w of shape (O, C, kh, kw) (see the module
    docstring for the sum).

    ∂L/∂x = conv_transpose2d(g, w) (col2im of G·W_mat),   ∂L/∂w = Gᵀ · im2col(x),
    ∂L/∂b = Σ_{n,i,j} g[n, :, i, j].
    """

    symbol = "conv2d"
    broadcasts = False  # each vjp returns its input's exact shape

    def forward(x, w, b, *, stride, padding, dilation):
        y, cols = _conv_raw(x, w, stride, padding, dilation)
        y = y + b.reshape(1, -1, 1, 1)  # also makes y contiguous in (N, O, OH, OW) order
        return y, {"cols": cols}

    def vjp_x(g, y, x, w, b, *, stride, padding, dilation, cols):
        in_hw = raw(x).shape[2:]
        if isinstance(g, Value) or isinstance(w, Value):
            extra = _output_padding(in_hw, raw(g).shape[2:], w.shape[2:], stride, padding, dilation)
            return conv_transpose2d_op(g, w, None, stride, padding, extra, dilation)
        return _conv_input_grad_raw(g, w, in_hw, stride, padding, dilation)

    def vjp_w(g, y, x, w, b, *, stride, padding, dilation, cols):
        kernel = raw(w).shape[2:]
        if isinstance(g, Value) or isinstance(x, Value):
            return _weight_grad_value(g, x, kernel, stride, padding, dilation)
        return _weight_grad_raw(g, x, kernel, stride, padding, dilation, cols)

    def vjp_b(g, y, x, w, b, *, stride, padding, dilation, cols):
        return _bias_grad(g)


class ConvTranspose2d(Primitive):
    """y = conv_transpose2d(x, w) + b: x (N, Cin, H, W), w (Cin, Cout, kh, kw), the adjoint of
    conv2d — each input value adds ``x[n, ci, i, j] · w[ci, :, :, :]`` onto the output patch
    at rows i·s − pad + p·d (likewise columns)::

        y = col2im(X_mat · W_mat),   OH = (H − 1)·s − 2·pad + d·(kh − 1) + output_padding + 1

    ∂L/∂x = conv2d(g, w) (the same stride, padding, dilation),   ∂L/∂w = Xᵀ · im2col(g),
    ∂L/∂b = Σ_{n,i,j} g[n, :, i, j].
    """

    symbol = "conv_transpose2d"
    broadcasts = False

    def forward(x, w, b, *, stride, padding, output_padding, dilation):
        n, _, h, wd = x.shape
        _, cout, kh, kw = w.shape
        out_hw = tuple(
            (size - 1) * s - 2 * p + d * (k - 1) + e + 1
            for size, s, p, d, k, e in zip(
                (h, wd), stride, padding, dilation, (kh, kw), output_padding, strict=True
            )
        )
        y = _conv_input_grad_raw(x, w, out_hw, stride, padding, dilation)
        return y + b.reshape(1, -1, 1, 1)

    def vjp_x(g, y, x, w, b, *, stride, padding, output_padding, dilation):
        if isinstance(g, Value) or isinstance(w, Value):
            return conv2d_op(g, w, None, stride, padding, dilation)
        return _conv_raw(g, w, stride, padding, dilation)[0]

    def vjp_w(g, y, x, w, b, *, stride, padding, output_padding, dilation):
        kernel = raw(w).shape[2:]
        # conv2d's weight gradient with the roles of input and upstream gradient exchanged
        if isinstance(g, Value) or isinstance(x, Value):
            return _weight_grad_value(x, g, kernel, stride, padding, dilation)
        return _weight_grad_raw(x, g, kernel, stride, padding, dilation)

    def vjp_b(g, y, x, w, b, *, stride, padding, output_padding, dilation):
        return _bias_grad(g)


def _output_padding(in_hw, out_hw, kernel, stride, padding, dilation) -> Pair:
    """The rows/columns conv2d skipped at the end (its stride did not reach them): what
    conv_transpose2d must add back to restore the input's size."""
    return tuple(
        size - ((o - 1) * s - 2 * p + d * (k - 1) + 1)
        for size, o, k, s, p, d in zip(
            in_hw, out_hw, kernel, stride, padding, dilation, strict=True
        )
    )


# ------------------------------------------------------------------------------ functions
def pair(value: Any, name: str, op: str, minimum: int = 0) -> Pair:
    """An int or a pair of ints as a pair, or a clear error."""
    pair_ = (value, value) if isinstance(value, (int, np.integer)) else tuple(value)
    if len(pair_) != 2 or not all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= minimum for v in pair_
    ):
        raise ValueError(
            f"{op}: {name} must be an int ≥ {minimum} or a pair of them, got {value!r}"
        )
    return int(pair_[0]), int(pair_[1])


def _zeros_bias(w: Any, channels: int) -> np.ndarray:
    dtype = raw(w).dtype if isinstance(raw(w), np.ndarray) else np.float64
    return np.zeros(channels, dtype=dtype)


def conv2d_op(x, w, b, stride: Pair, padding: Pair, dilation: Pair) -> Value:
    """Record a Conv2d node (settings already checked pairs; ``b`` may be None)."""
    if b is None:
        b = _zeros_bias(w, raw(w).shape[0])
    return apply(Conv2d, x, w, b, stride=stride, padding=padding, dilation=dilation)


def conv_transpose2d_op(x, w, b, stride, padding, output_padding, dilation) -> Value:
    """Record a ConvTranspose2d node (settings already checked pairs; ``b`` may be None)."""
    if b is None:
        b = _zeros_bias(w, raw(w).shape[1])
    return apply(
        ConvTranspose2d,
        x,
        w,
        b,
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        dilation=dilation,
    )


def _check_4d(op: str, x: Any, w: Any, b: Any, bias_size: int, weight_layout: str) -> None:
    xs, ws = np.shape(raw(x)), np.shape(raw(w))
    if len(xs) != 4:
        fix = (
            " — add the batch axis with x.reshape(1, *x.shape)" if len(xs) == 3 else
            " — images must be (batch, channels, height, width)"
        )  # fmt: skip
        raise ValueError(f"{op}: input must be 4-d (N, C, H, W), got shape {xs}{fix}")
    if len(ws) != 4:
        raise ValueError(f"{op}: weight must be 4-d {weight_layout}, got shape {ws}")
    if b is not None and np.shape(raw(b)) != (bias_size,):
        raise ValueError(
            f"{op}: bias must have shape ({bias_size},) for weight {ws}, got {np.shape(raw(b))}"
        )


def conv2d(
    x: Any,
    weight: Any,
    bias: Any = None,
    stride: int | Pair = 1,
    padding: int | Pair = 0,
    dilation: int | Pair = 1,
) -> Value:
    """2-d convolution of ``x`` (N, C, H, W) with ``weight`` (O, C, kh, kw), plus ``bias`` (O,).

    y[n, o, i, j] = b[o] + Σ_{c,p,q} w[o, c, p, q] · x_pad[n, c, i·s + p·d, j·s + q·d], of shape
    (N, O, OH, OW) with OH = ⌊(H + 2·padding − dilation·(kh − 1) − 1)/stride⌋ + 1. ``stride``,
    ``padding`` (zeros) and ``dilation`` are ints or (height, width) pairs, as in PyTorch.
    """
    s = pair(stride, "stride", "conv2d", 1)
    p = pair(padding, "padding", "conv2d", 0)
    d = pair(dilation, "dilation", "conv2d", 1)
    _check_4d("conv2d", x, weight, bias, np.shape(raw(weight))[0] if np.ndim(raw(weight)) else 0,
              "(out_channels, in_channels, kh, kw)")  # fmt: skip
    xs, ws = np.shape(raw(x)), np.shape(raw(weight))
    if xs[1] != ws[1]:
        raise ValueError(
            f"conv2d: input {xs} has {xs[1]} channels but weight {ws} expects {ws[1]} "
            "(weight is (out_channels, in_channels, kh, kw)); check in_channels"
        )
    for axis, size, k, pad, dil in zip(("height", "width"), xs[2:], ws[2:], p, d, strict=True):
        span = dil * (k - 1) + 1
        if span > size + 2 * pad:
            raise ValueError(
                f"conv2d: the kernel spans {span} along the {axis} (size {k}, dilation {dil}) "
                f"but the padded input is only {size + 2 * pad} (input {xs}, padding {pad}); "
                "the kernel must fit: use a smaller kernel or more padding"
            )
    return conv2d_op(x, weight, bias, s, p, d)


def conv_transpose2d(
    x: Any,
    weight: Any,
    bias: Any = None,
    stride: int | Pair = 1,
    padding: int | Pair = 0,
    output_padding: int | Pair = 0,
    *,
    dilation: int | Pair = 1,
) -> Value:
    """Transposed convolution (conv2d's input gradient) of ``x`` (N, Cin, H, W) with ``weight``
    (Cin, Cout, kh, kw), plus ``bias`` (Cout,): upsamples when stride > 1.

    Output size OH = (H − 1)·stride − 2·padding + dilation·(kh − 1) + output_padding + 1;
    ``output_padding`` (< stride or dilation) picks among the sizes a strided conv2d maps
    to the same H. Each input value adds x·w[ci] onto a kh×kw patch of the output.
    """
    s = pair(stride, "stride", "conv_transpose2d", 1)
    p = pair(padding, "padding", "conv_transpose2d", 0)
    e = pair(output_padding, "output_padding", "conv_transpose2d", 0)
    d = pair(dilation, "dilation", "conv_transpose2d", 1)
    ws = np.shape(raw(weight))
    _check_4d("conv_transpose2d", x, weight, bias, ws[1] if len(ws) > 1 else 0,
              "(in_channels, out_channels, kh, kw)")  # fmt: skip
    xs = np.shape(raw(x))
    if xs[1] != ws[0]:
        raise ValueError(
            f"conv_transpose2d: input {xs} has {xs[1]} channels but weight {ws} expects {ws[0]} "
            "(weight is (in_channels, out_channels, kh, kw)); check in_channels"
        )
    for axis, extra, si, di in zip(("height", "width"), e, s, d, strict=True):
        if extra >= max(si, di):
            raise ValueError(
                f"conv_transpose2d: output_padding {extra} along the {axis} must be smaller "
                f"than the stride ({si}) or the dilation ({di})"
            )
    for axis, size, k, si, pad, di, extra in zip(
        ("height", "width"), xs[2:], ws[2:], s, p, d, e, strict=True
    ):
        if (size - 1) * si - 2 * pad + di * (k - 1) + extra + 1 < 1:
            raise ValueError(
                f"conv_transpose2d: padding {pad} leaves no output along the {axis} (input "
                f"{xs}, weight {ws}, stride {si}); use less padding"
            )
    return conv_transpose2d_op(x, weight, bias, s, p, e, d)
