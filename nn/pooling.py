"""Pooling layers: ``MaxPool2d`` and ``AvgPool2d`` (no parameters), as in PyTorch.

Pooling shrinks each channel of a feature map by keeping one number per window — the largest
(max) or the mean (average) — so later layers see a coarser, slightly shift-tolerant picture.
"""

from __future__ import annotations

from typing import Any

from autograd import Value
from autograd.ops.conv import pair
from autograd.ops.pooling import avg_pool2d, max_pool2d

from .module import Module


class _Pool2d(Module):
    name = ""

    def __init__(
        self,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] | None = None,
        padding: int | tuple[int, int] = 0,
    ) -> None:
        super().__init__()
        self.kernel_size = pair(kernel_size, "kernel_size", self.name, 1)
        self.stride = self.kernel_size if stride is None else pair(stride, "stride", self.name, 1)
        self.padding = pair(padding, "padding", self.name, 0)

    def output_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """The output shape for an input of shape (N, C, H, W)."""
        *lead, h, w = shape
        size = [
            (n + 2 * p - k) // s + 1
            for n, k, s, p in zip((h, w), self.kernel_size, self.stride, self.padding, strict=True)
        ]
        return (*lead, *size)

    def extra_repr(self) -> str:
        text = f"kernel_size={self.kernel_size}, stride={self.stride}"
        return text + (f", padding={self.padding}" if self.padding != (0, 0) else "")


class MaxPool2d(_Pool2d):
    """The maximum of each kernel_size window of each channel; ``stride`` defaults to the
    kernel size, ``padding`` adds −∞ borders. The gradient goes to each window's maximum."""

    name = "MaxPool2d"

    def forward(self, x: Any) -> Value:
        return max_pool2d(x, self.kernel_size, self.stride, self.padding)


class AvgPool2d(_Pool2d):
    """The mean of each kernel_size window of each channel, padded zeros included in the
    count (PyTorch's ``count_include_pad=True``); ``stride`` defaults to the kernel size."""

    name = "AvgPool2d"

    def forward(self, x: Any) -> Value:
        return avg_pool2d(x, self.kernel_size, self.stride, self.padding)
