"""Convolution layers: ``Conv2d`` and ``ConvTranspose2d``, with PyTorch's names and shapes.

A convolution layer holds one small kernel per (output channel, input channel) pair and slides
it over the image, so the same few weights are used at every position (*weight sharing*): a
3×3 kernel from 1 channel to 8 has 8·(1·3·3 + 1) = 80 parameters however large the image,
where a dense layer from an 8×8 image to 8·6·6 outputs has (64 + 1)·288 = 18 720.

Both layers start as PyTorch's do — weight ~ U(−1/√fan_in, 1/√fan_in), PyTorch's
``kaiming_uniform_(a=√5)``, and the bias from the same range — so a PyTorch ``state_dict``
loads unchanged and the two frameworks draw from the same distribution.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Value
from autograd.checks import check_dtype, check_size
from autograd.ops.conv import conv2d, conv_transpose2d, pair

from . import init as nn_init
from .module import Module


def _reset(weight: Value, bias: Value | None) -> None:
    """PyTorch's default: kaiming_uniform(a=√5) — U(±1/√fan_in) — and bias U(±1/√fan_in)."""
    nn_init.kaiming_uniform(weight, a=math.sqrt(5.0), nonlinearity="leaky_relu")
    if bias is not None:
        fan_in, _ = nn_init.fan_in_and_fan_out(weight.shape)
        bound = 1.0 / math.sqrt(fan_in)
        nn_init.uniform(bias, -bound, bound)


def _set_up(
    layer: Module,
    in_channels: int,
    out_channels: int,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    bias: bool,
    dtype: Any,
) -> None:
    """Check and store the settings shared by both layers, make weight and bias, initialise."""
    name = type(layer).__name__
    layer.in_channels = check_size(name, "in_channels", in_channels)
    layer.out_channels = check_size(name, "out_channels", out_channels)
    layer.kernel_size = pair(kernel_size, "kernel_size", name, 1)
    layer.stride = pair(stride, "stride", name, 1)
    layer.padding = pair(padding, "padding", name, 0)
    layer.dilation = pair(dilation, "dilation", name, 1)
    dtype = check_dtype(name, dtype)
    # Conv2d's weight is (out, in, kh, kw); ConvTranspose2d's (in, out, kh, kw), as PyTorch's.
    channels = (in_channels, out_channels) if name == "ConvTranspose2d" else (
        out_channels, in_channels)  # fmt: skip
    layer.weight = Value(np.zeros((*channels, *layer.kernel_size), dtype), label="weight")
    layer.bias = Value(np.zeros(out_channels, dtype), label="bias") if bias else None
    layer.reset_parameters()


def _describe(layer: Module, optional: tuple[str, ...]) -> str:
    """The layer's repr: channels, kernel, stride, and the optional settings not at default."""
    text = (
        f"{layer.in_channels}, {layer.out_channels}, kernel_size={layer.kernel_size}, "
        f"stride={layer.stride}"
    )
    for setting in optional:
        value = getattr(layer, setting)
        if value != ((1, 1) if setting == "dilation" else (0, 0)):
            text += f", {setting}={value}"
    return text + (", bias=False" if layer.bias is None else "")


class Conv2d(Module):
    """2-d convolution over (N, C, H, W) images: y = conv2d(x, weight) + bias.

    ``weight`` is (out_channels, in_channels, kh, kw) and ``bias`` (out_channels,), as in
    ``torch.nn.Conv2d``; ``stride``, ``padding`` (zeros) and ``dilation`` are ints or
    (height, width) pairs. Output height ⌊(H + 2·padding − dilation·(kh − 1) − 1)/stride⌋ + 1.
    Arguments in PyTorch's order up to ``dilation``; ``groups`` and ``padding_mode`` are not
    supported, so pass ``bias`` by name when porting PyTorch code.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] = 0,
        dilation: int | tuple[int, int] = 1,
        bias: bool = True,
        *,
        dtype: Any = np.float32,
    ) -> None:
        super().__init__()
        _set_up(
            self, in_channels, out_channels, kernel_size, stride, padding, dilation, bias, dtype
        )

    def reset_parameters(self) -> None:
        """Fresh weights from PyTorch's default distribution (see the module docstring)."""
        _reset(self.weight, self.bias)

    def forward(self, x: Any) -> Value:
        return conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation)

    def output_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """The output shape for an input of shape (N, C, H, W)."""
        *lead, h, w = shape
        size = [
            (n + 2 * p - d * (k - 1) - 1) // s + 1
            for n, k, s, p, d in zip(
                (h, w), self.kernel_size, self.stride, self.padding, self.dilation, strict=True
            )
        ]
        return (*lead[:-1], self.out_channels, *size)

    def extra_repr(self) -> str:
        return _describe(self, ("padding", "dilation"))


class ConvTranspose2d(Module):
    """Transposed convolution (conv2d's adjoint, an upsampling layer): each input pixel adds a
    weighted copy of its kernel onto the output.

    ``weight`` is (in_channels, out_channels, kh, kw) — note the order, as in
    ``torch.nn.ConvTranspose2d`` — and ``bias`` (out_channels,). Output height
    (H − 1)·stride − 2·padding + dilation·(kh − 1) + output_padding + 1: with kernel 4,
    stride 2, padding 1 it doubles the size. Arguments in PyTorch's order up to
    ``output_padding`` (no ``groups``): pass ``bias`` and ``dilation`` by name.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] = 0,
        output_padding: int | tuple[int, int] = 0,
        bias: bool = True,
        *,
        dilation: int | tuple[int, int] = 1,
        dtype: Any = np.float32,
    ) -> None:
        super().__init__()
        self.output_padding = pair(output_padding, "output_padding", "ConvTranspose2d", 0)
        _set_up(
            self, in_channels, out_channels, kernel_size, stride, padding, dilation, bias, dtype
        )

    def reset_parameters(self) -> None:
        """Fresh weights from PyTorch's default distribution (fan_in = out_channels·kh·kw, as
        PyTorch computes it from this weight's shape)."""
        _reset(self.weight, self.bias)

    def forward(self, x: Any) -> Value:
        return conv_transpose2d(
            x,
            self.weight,
            self.bias,
            self.stride,
            self.padding,
            self.output_padding,
            dilation=self.dilation,
        )

    def output_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """The output shape for an input of shape (N, C, H, W)."""
        *lead, h, w = shape
        size = [
            (n - 1) * s - 2 * p + d * (k - 1) + e + 1
            for n, k, s, p, d, e in zip(
                (h, w),
                self.kernel_size,
                self.stride,
                self.padding,
                self.dilation,
                self.output_padding,
                strict=True,
            )
        ]
        return (*lead[:-1], self.out_channels, *size)

    def extra_repr(self) -> str:
        return _describe(self, ("padding", "output_padding", "dilation"))
