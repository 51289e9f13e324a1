"""Layers that only change the shape of their input."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Value

from .module import Module


class Flatten(Module):
    """Flatten every axis from ``start_axis`` on into one: ``(N, 8, 8) → (N, 64)``.

    ``start_axis=1`` (the default, as PyTorch's ``nn.Flatten``) keeps the batch axis.
    """

    def __init__(self, start_axis: int = 1) -> None:
        super().__init__()
        self.start_axis = start_axis

    def forward(self, x: Any) -> Value:
        if not isinstance(x, Value):
            x = Value(np.asarray(x), requires_grad=False)
        return x.flatten(self.start_axis)

    def extra_repr(self) -> str:
        return f"start_axis={self.start_axis}"


class Unflatten(Module):
    """Split axis ``dim`` into ``sizes``: ``Unflatten(1, (1, 8, 8))`` turns (N, 64) into
    (N, 1, 8, 8) — the inverse of ``Flatten``, e.g. a decoder's vector back into an image."""

    def __init__(self, dim: int, sizes: tuple[int, ...]) -> None:
        super().__init__()
        self.dim = int(dim)
        self.sizes = tuple(int(s) for s in sizes)

    def forward(self, x: Any) -> Value:
        if not isinstance(x, Value):
            x = Value(np.asarray(x), requires_grad=False)
        shape = x.shape
        dim = self.dim % len(shape) if shape else 0
        known = int(np.prod([s for s in self.sizes if s != -1]))
        if not shape or (-1 not in self.sizes and known != shape[dim]):
            raise ValueError(
                f"Unflatten: axis {self.dim} of input {shape} has size "
                f"{shape[dim] if shape else 'none'}, but sizes {self.sizes} multiply to {known}; "
                "their product must equal the axis's size"
            )
        return x.reshape(*shape[:dim], *self.sizes, *shape[dim + 1 :])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, sizes={self.sizes}"
