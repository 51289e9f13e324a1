"""``GaussianNoise``: add random noise to the input during training, a regulariser."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Value
from autograd.checks import check_number
from autograd.random import generator

from .module import Module


class GaussianNoise(Module):
    """y = x + ε with ε ~ N(0, std²) drawn afresh for every element and call, in training only.

    Training on slightly perturbed inputs (or hidden activations) makes the model insensitive
    to small changes — for a linear model it is equivalent, on average, to an L2 penalty
    (Bishop 1995). In evaluation mode (``model.eval()``) it is the identity. The noise comes
    from :func:`autograd.random.generator`, so ``autograd.manual_seed`` makes it repeatable;
    it is a constant of the graph, so the gradient passes through unchanged: ∂y/∂x = 1.
    """

    def __init__(self, std: float) -> None:
        super().__init__()
        self.std = check_number("GaussianNoise", "std", std)

    def forward(self, x: Any) -> Any:
        if not self.training or self.std == 0.0:
            return x
        data = x.data if isinstance(x, Value) else np.asarray(x)
        if type(data) is float:
            return x + self.std * float(generator().standard_normal())
        dtype = data.dtype if data.dtype.kind == "f" else np.dtype(np.float64)
        drawn = dtype if dtype in (np.float32, np.float64) else np.float64  # what numpy draws
        noise = generator().standard_normal(data.shape, dtype=drawn).astype(dtype, copy=False)
        noise *= dtype.type(self.std)
        if not isinstance(x, Value):
            x = Value(data.astype(dtype, copy=False), requires_grad=False)
        return x + noise

    def extra_repr(self) -> str:
        return f"std={self.std:g}"
