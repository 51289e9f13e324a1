"""``Residual``: a skip connection, y = x + block(x)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Value

from .module import Module


class Residual(Module):
    """y = x + block(x) (He et al. 2016): the block learns a correction to its input.

    The gradient reaches x along two paths, ∂L/∂x = ∂L/∂y + ∂L/∂y · ∂block/∂x, so even a deep
    stack of residual blocks passes gradients straight down the identity path. The block's
    output must have the input's shape, e.g. ``nn.Residual(nn.Sequential(nn.Linear(64, 64),
    nn.ReLU(), nn.Linear(64, 64)))``.
    """

    def __init__(self, block: Module) -> None:
        super().__init__()
        if not isinstance(block, Module):
            raise TypeError(
                f"Residual: block must be an nn.Module, got {type(block).__name__}"
                + (" — did you forget the parentheses?" if isinstance(block, type) else "")
            )
        self.block = block

    def forward(self, x: Any) -> Value:
        out = self.block(x)
        if np.shape(out) != np.shape(x):
            raise ValueError(
                f"Residual: the block maps shape {np.shape(x)} to {np.shape(out)}, but x + "
                "block(x) needs the same shape; make the block's last layer output as many "
                "features as it takes in (or add a projection outside the Residual)"
            )
        return x + out if isinstance(x, Value) else out + x
