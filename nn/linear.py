"""``Linear``: the fully connected layer y = x Wᵀ + b."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import Value, apply
from autograd.checks import check_dtype, check_size
from autograd.ops import Linear as LinearOp

from . import init as nn_init
from .module import Module

Init = str | Callable[[Value], Any] | None

_SCHEMES: dict[str, Callable[[Value], Any]] = {
    "he": nn_init.he_uniform,
    "kaiming": nn_init.he_uniform,
    "xavier": nn_init.xavier_uniform,
    "glorot": nn_init.xavier_uniform,
    "lecun": nn_init.lecun_normal,
    "zeros": nn_init.zeros,
}


def _one_of(ours: str, value: Any, torch_name: str, torch_value: Any) -> Any:
    """The size given as ``ours`` or by its PyTorch name, or an error for none or both."""
    if value is not None and torch_value is not None:
        raise TypeError(f"Linear: give {ours} or {torch_name} (its PyTorch name), not both")
    if value is None and torch_value is None:
        raise TypeError(f"Linear: missing {ours} (also accepted as {torch_name})")
    return value if value is not None else torch_value


class Linear(Module):
    """A fully connected layer: y = x Wᵀ + b, for inputs of shape ``(..., nin)``.

    ``weight`` has shape ``(nout, nin)`` and ``bias`` ``(nout,)``, as in ``torch.nn.Linear``, so
    state dicts carry over one to one. Row i of W holds the weights of output neuron i.

    Initialisation (``init``):

    - ``"default"`` (or None): PyTorch's default, W and b ~ U(−1/√nin, 1/√nin) — variance
      1/(3·nin), a safe middle ground when the activation that follows is not known;
    - ``"he"``/``"kaiming"`` (He uniform, for ReLU), ``"xavier"``/``"glorot"`` (Xavier uniform,
      for tanh/sigmoid), ``"lecun"`` (LeCun normal) or ``"zeros"``: that scheme for W, b = 0;
    - a function ``f(weight)`` from :mod:`nn.init` (or your own) that fills W in place; b = 0.

    ``nn.MLP`` picks He or Xavier to match its activation.

    PyTorch's keyword names work too: ``Linear(in_features=64, out_features=10)`` is
    ``Linear(64, 10)``.
    """

    def __init__(
        self,
        nin: int | None = None,
        nout: int | None = None,
        bias: bool = True,
        dtype: Any = np.float32,
        init: Init = None,
        *,
        in_features: int | None = None,
        out_features: int | None = None,
    ) -> None:
        super().__init__()
        nin = _one_of("nin", nin, "in_features", in_features)
        nout = _one_of("nout", nout, "out_features", out_features)
        self.nin = check_size("Linear", "nin", nin)
        self.nout = check_size("Linear", "nout", nout)
        dtype = check_dtype("Linear", dtype)
        self.weight = Value(np.zeros((self.nout, self.nin), dtype), label="weight")
        self.bias = Value(np.zeros(self.nout, dtype), label="bias") if bias else None
        self.reset_parameters(init)

    def reset_parameters(self, init: Init = None) -> None:
        """Draw fresh weights with the scheme ``init`` (see the class docstring)."""
        if init is None or init == "default":
            bound = 1.0 / math.sqrt(self.nin)
            nn_init.uniform(self.weight, -bound, bound)
            if self.bias is not None:
                nn_init.uniform(self.bias, -bound, bound)
            return
        if isinstance(init, str):
            if init not in _SCHEMES:
                raise ValueError(
                    f"Linear: unknown init {init!r}; use 'default', "
                    f"{', '.join(map(repr, _SCHEMES))} or a function"
                )
            init = _SCHEMES[init]
        init(self.weight)
        if self.bias is not None:
            nn_init.zeros(self.bias)

    def forward(self, x: Any) -> Value:
        shape = np.shape(x)
        if not shape or shape[-1] != self.nin:
            features = shape[-1] if shape else "no feature axis"
            raise ValueError(
                f"Linear({self.nin}→{self.nout}) got input with {features} features (shape "
                f"{shape}); it expects shape (..., {self.nin}) — check the data's columns or the "
                "previous layer's output size"
            )
        if self.bias is None:
            return x @ self.weight.T
        return apply(LinearOp, x, self.weight, self.bias)  # x Wᵀ + b as one node (speed)

    def extra_repr(self) -> str:
        dtype = self.weight.dtype
        extra = "" if dtype == np.float32 else f", dtype={dtype}"
        return f"nin={self.nin}, nout={self.nout}, bias={self.bias is not None}{extra}"
