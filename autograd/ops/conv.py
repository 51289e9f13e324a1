"""Convolution primitives: ``conv2d`` and its adjoint ``conv_transpose2d``, on (N, C, H, W).

A 2-d convolution (strictly, a cross-correlation, as in every deep-learning library) slides a
kernel ``w`` of shape (O, C, kh, kw) over the zero-padded input and takes a dot product at
each stop::

    y[n, o, i, j] = b[o] + Σ_c Σ_p Σ_q  w[o, c, p, q] · x_pad[n, c, i·s + p·d, j·s + q·d]

with stride ``s``, padding ``pad`` and dilation ``d``; the output has
``OH = ⌊(H + 2·pad − d·(kh − 1) − 1) / s⌋ + 1`` rows (likewise columns). The loops are written
out plainly in :mod:`autograd.ops.conv_reference`; here they become one matrix product:

- **im2col** gathers every window of the input into one row of a matrix ``cols`` of shape
  (N·OH·OW, kh·kw·C) — a strided *view* of the input (``sliding_window_view``), copied once;
- then ``y = cols · W_matᵀ`` with ``W_mat`` the kernel as an (O, kh·kw·C) matrix: all outputs
  in one matmul.

The gradients are matrix products too. With ``G`` = ∂L/∂y as an (N·OH·OW, O) matrix:

- ∂L/∂w = Gᵀ · cols (each weight met every window it was multiplied with);
- ∂L/∂x = col2im(G · W_mat): each window's share added back onto the input positions it was
  read from. Computed as the equal *convolution* of g (spread out by the stride, padded) with
  the flipped kernel — im2col and one matmul again, and much faster than adding strided
  slices (see :func:`_conv_input_grad_raw`);
- ∂L/∂b = Σ over n, i, j of G.

The input gradient *is* the transposed convolution: ``conv_transpose2d(g, w)`` with the same
stride, padding and dilation spreads each input value over a kh×kw patch of the (larger)
output. So both ops share :func:`_conv_raw`, :func:`_conv_input_grad_raw` and
:func:`_weight_grad_raw`; each one's input gradient is the other's forward. The plain loops
(gather for conv2d, scatter for conv_transpose2d) are in :mod:`autograd.ops.conv_reference`.

During a recorded backward (``create_graph=True``) the same identities are applied to
``Value``s, so gradients of gradients work: ∂L/∂x is a ``conv_transpose2d`` node, ∂L/∂w a
``conv2d`` of the input with the upstream gradient as its kernel.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.ops.generic import raw
from autograd.ops.primitive import Primitive
from autograd.value import Value, apply, as_value

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


def _channels_last(x: np.ndarray, padding: Pair) -> np.ndarray:
    """x (N, C, H, W) as a zero-padded (N, H + 2·ph, W + 2·pw, C) array (one copy)."""
    n, c, h, w = x.shape
    ph, pw = padding
    out = np.zeros((n, h + 2 * ph, w + 2 * pw, c), dtype=x.dtype)
    out[:, ph : ph + h, pw : pw + w, :] = x.transpose(0, 2, 3, 1)
    return out


def _rows_of_windows(xt: np.ndarray, kernel: Pair, stride: Pair, dilation: Pair):
    """im2col of a padded channels-last image ``xt`` (N, H, W, C): every window as one row of
    a matrix (N·OH·OW, kh·kw·C), kernel offset by kernel offset with the channels innermost
    (the layout that copies fastest), and (OH, OW).

    The windows are a strided view of ``xt`` — the one ``np.lib.stride_tricks.
    sliding_window_view`` gives, built here directly from the strides, which costs less per
    call: window (i, j) starts s·i rows and s·j columns in, and its tap (p, q) is d·p rows and
    d·q columns further."""
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    n, h, w, c = xt.shape
    oh, ow = (h - dh * (kh - 1) - 1) // sh + 1, (w - dw * (kw - 1) - 1) // sw + 1
    bn, bh, bw, bc = xt.strides
    shape, strides = (n, oh, ow, kh, kw, c), (bn, bh * sh, bw * sw, bh * dh, bw * dw, bc)
    if xt.flags.c_contiguous:
        view = np.ndarray(shape, xt.dtype, xt, 0, strides)
    else:
        view = np.lib.stride_tricks.as_strided(xt, shape, strides, writeable=False)
    return view.reshape(n * oh * ow, kh * kw * c), (oh, ow)  # one copy


def _im2col(x: np.ndarray, kernel: Pair, stride: Pair, padding: Pair, dilation: Pair):
    """The windows of ``x`` (N, C, H, W) as the rows of a matrix (N·OH·OW, kh·kw·C)."""
    return _rows_of_windows(_channels_last(x, padding), kernel, stride, dilation)


def _kernel_matrix(w: np.ndarray) -> np.ndarray:
    """w (O, C, kh, kw) as the (O, kh·kw·C) matrix that multiplies im2col's rows."""
    return w.transpose(0, 2, 3, 1).reshape(w.shape[0], -1)


def _conv_raw(x, w, stride, padding, dilation, bias=None):
    """conv2d on arrays: the output (N, O, OH, OW) — a transposed view of the (N·OH·OW, O)
    product, so its numbers are in channels-last order in memory — and the im2col matrix."""
    n, o = x.shape[0], w.shape[0]
    cols, (oh, ow) = _im2col(x, w.shape[2:], stride, padding, dilation)
    y = cols @ _kernel_matrix(w).T  # (N·OH·OW, O)
    if bias is not None:
        y += bias  # a fresh array: the bias added in place, one per output channel
    return y.reshape(n, oh, ow, o).transpose(0, 3, 1, 2), cols


def _conv_input_grad_raw(g, w, in_hw, stride, padding, dilation):
    """∂L/∂x of conv2d for upstream ``g`` (N, O, OH, OW), on an image of size ``in_hw`` — also
    conv_transpose2d's forward.

    By definition it is col2im(G · W_mat): every output's gradient spread back over the
    window it read (``conv_transpose2d_reference`` writes that loop). The same numbers come
    faster from one more convolution: spread g out with stride − 1 zeros between its entries,
    pad it by dilation·(k − 1), and correlate it with the kernel flipped top-to-bottom and
    left-to-right, its in/out channels swapped —

        ∂L/∂x[n, c, r, t] = Σ_{o,p,q} g_spread[n, o, r + pad + p·d, t + pad + q·d]
                                     · w[o, c, kh − 1 − p, kw − 1 − q]

    — so it is im2col + one matmul, like the forward.
    """
    n, o, oh, ow = g.shape
    _, c, kh, kw = w.shape
    (h, wd), (sh, sw), (ph, pw), (dh, dw) = in_hw, stride, padding, dilation
    reach_h, reach_w = dh * (kh - 1), dw * (kw - 1)  # how far a window reaches
    rows = max(ph + h + reach_h, reach_h + (oh - 1) * sh + 1)
    cols_ = max(pw + wd + reach_w, reach_w + (ow - 1) * sw + 1)
    spread = np.zeros((n, rows, cols_, o), dtype=np.result_type(g, w))  # channels last
    spread[:, reach_h : reach_h + (oh - 1) * sh + 1 : sh,
           reach_w : reach_w + (ow - 1) * sw + 1 : sw, :] = g.transpose(0, 2, 3, 1)  # fmt: skip
    spread = spread[:, ph : ph + h + reach_h, pw : pw + wd + reach_w, :]
    windows_, _ = _rows_of_windows(spread, (kh, kw), (1, 1), dilation)  # (N·H·W, kh·kw·O)
    flipped = w[:, :, ::-1, ::-1].transpose(2, 3, 0, 1).reshape(kh * kw * o, c)
    dx = windows_ @ flipped  # (N·H·W, C)
    return dx.reshape(n, h, wd, c).transpose(0, 3, 1, 2)  # channels last in memory


def _weight_grad_raw(g, x, kernel, stride, padding, dilation, cols=None):
    """∂L/∂w of conv2d (O, C, kh, kw) for upstream ``g`` (N, O, OH, OW) and input ``x``:
    Gᵀ · cols, with ``cols`` = im2col(x) (recomputed when not given)."""
    n, o, oh, ow = g.shape
    if cols is None:
        cols, _ = _im2col(x, kernel, stride, padding, dilation)
    gmat = g.transpose(0, 2, 3, 1).reshape(n * oh * ow, o)
    dw = (gmat.T @ cols).reshape(o, *kernel, x.shape[1])  # (O, kh, kw, C)
    return np.ascontiguousarray(dw.transpose(0, 3, 1, 2))


def _weight_grad_value(g, x, kernel, stride, padding, dilation):
    """∂L/∂w as a recorded conv2d (for gradients of gradients): the input's channels become
    the batch, the upstream gradient becomes the kernel, and stride and dilation swap places::

        ∂L/∂w[o, c, p, q] = Σ_n Σ_i Σ_j  g[n, o, i, j] · x_pad[n, c, p·d + i·s, q·d + j·s]
    """
    x = as_value(x)
    g = as_value(g)
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
        y, cols = _conv_raw(x, w, stride, padding, dilation, bias=b)
        # copied into (N, O, OH, OW) order: the elementwise ops that follow (relu, pooling and
        # their gradients) run fastest on an ordinary contiguous array (measured)
        return np.ascontiguousarray(y), {"cols": cols}

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
