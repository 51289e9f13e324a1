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
