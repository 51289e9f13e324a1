"""Activation functions as modules, for ``nn.Sequential`` and model definitions.

Each one is stateless and applies elementwise (``Softmax``/``LogSoftmax`` along an axis). Their
gradients are the engine's: relu'(0) = 0, leaky_relu'(0) = the slope, and the step function has
none at all.
"""

from __future__ import annotations

from typing import Any

from autograd import Value

from . import functional as F
from .module import Module


class ReLU(Module):
    """max(x, 0). The default hidden activation: cheap, and its gradient does not vanish for
    x > 0. Initialise the layer before it with He (``nn.init.he_uniform``)."""

    def forward(self, x: Any) -> Value:
        return F.relu(x)


class LeakyReLU(Module):
    """x for x > 0, else ``negative_slope``·x (default 0.01): a ReLU whose units cannot die."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = float(negative_slope)

    def forward(self, x: Any) -> Value:
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope:g}"


class Tanh(Module):
    """tanh(x) = (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ) ∈ (−1, 1); derivative 1 − tanh². Pairs with Xavier init."""

    def forward(self, x: Any) -> Value:
        return F.tanh(x)


class Sigmoid(Module):
    """σ(x) = 1/(1 + e⁻ˣ) ∈ (0, 1); derivative σ(1 − σ). Computed stably for any x."""

    def forward(self, x: Any) -> Value:
        return F.sigmoid(x)


class Softmax(Module):
    """e^(xᵢ)/Σⱼ e^(xⱼ) along ``axis`` (default the last): scores to probabilities.

    To train a classifier, give the logits to ``F.cross_entropy`` instead of a softmax layer.
    """

    def __init__(self, axis: int = -1) -> None:
        super().__init__()
        self.axis = axis

    def forward(self, x: Any) -> Value:
        return F.softmax(x, self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class LogSoftmax(Module):
    """xᵢ − ln Σⱼ e^(xⱼ) along ``axis`` (default the last): log-probabilities, for ``nll_loss``."""

    def __init__(self, axis: int = -1) -> None:
        super().__init__()
        self.axis = axis

    def forward(self, x: Any) -> Value:
        return F.log_softmax(x, self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class Step(Module):
    """The Heaviside step: 1 where x > 0, else 0 — the perceptron's activation.

    Its output is a constant: no gradient flows through a step (see ``F.step``).
    """

    def forward(self, x: Any) -> Value:
        return F.step(x)


class Identity(Module):
    """Returns its input unchanged (a placeholder, or the "linear" activation)."""

    def forward(self, x: Any) -> Any:
        return x


class GELU(Module):
    """x·Φ(x) = ½x(1 + erf(x/√2)), Φ the standard normal CDF: a smooth ReLU (transformers'
    usual choice). ``approximate="tanh"`` uses ½x(1 + tanh(√(2/π)(x + 0.044715x³))), as PyTorch."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: Any) -> Value:
        return F.gelu(x, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}" if self.approximate != "none" else ""
