"""``Dropout``: randomly silence units during training, so none can rely on another."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Value
from autograd.checks import check_probability
from autograd.random import generator

from .module import Module


class Dropout(Module):
    """Inverted dropout (Srivastava et al. 2014): zero each element with probability ``p``.

    In training mode every element is kept with probability 1 − p and then scaled by
    1/(1 − p), so its expected value is unchanged: E[y] = x. Each call draws a fresh mask
    from :func:`autograd.random.generator` (``autograd.manual_seed`` makes it repeatable).
    The gradient flows through the kept elements, times the same 1/(1 − p).

    In evaluation mode (``model.eval()``) it is the identity: because of the scaling during
    training, nothing needs rescaling at test time. ``p=0`` is always the identity; ``p=1``
    zeroes everything in training (as PyTorch does).

    Put it after an activation, e.g. ``nn.Sequential(nn.Linear(64, 128), nn.ReLU(),
    nn.Dropout(0.5), nn.Linear(128, 10))``.
    """

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        self.p = check_probability(
            "Dropout", "p", p, include_one=True, fix="p is the probability of dropping an element"
        )

    def forward(self, x: Any) -> Any:
        if not self.training or self.p == 0.0:
            return x
        data = x.data if isinstance(x, Value) else np.asarray(x)
        dtype = np.result_type(data)
        if dtype.kind != "f":  # integer or boolean input: computed in float64
            dtype = np.dtype(np.float64)
        shape = np.shape(data)
        if self.p == 1.0:
            mask = np.zeros(shape, dtype)
        else:
            keep = generator().random(shape, dtype=np.float32) >= self.p
            mask = keep * dtype.type(1.0 / (1.0 - self.p))  # 0 or 1/(1 − p), in x's dtype
        if type(data) is float:  # a scalar Value stays a Python float
            mask = float(mask)
        if not isinstance(x, Value):
            x = Value(np.asarray(x, dtype=dtype), requires_grad=False)
        return x * mask

    def extra_repr(self) -> str:
        return f"p={self.p:g}"
