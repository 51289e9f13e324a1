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


class Softplus(Module):
    """ln(1 + e^(βx))/β: a smooth ReLU, linear where βx > ``threshold`` (PyTorch's defaults)."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = float(beta), float(threshold)

    def forward(self, x: Any) -> Value:
        return F.softplus(x, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta:g}, threshold={self.threshold:g}"


class ELU(Module):
    """x for x > 0, else α(eˣ − 1): negative outputs push mean activations towards 0."""

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = float(alpha)

    def forward(self, x: Any) -> Value:
        return F.elu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha:g}"


class SELU(Module):
    """λ·elu(x, α) with λ ≈ 1.0507, α ≈ 1.6733: keeps activations normalised (with LeCun init)."""

    def forward(self, x: Any) -> Value:
        return F.selu(x)


class SiLU(Module):
    """x·σ(x) (swish): smooth, non-monotonic near 0."""

    def forward(self, x: Any) -> Value:
        return F.silu(x)


class Mish(Module):
    """x·tanh(softplus(x))."""

    def forward(self, x: Any) -> Value:
        return F.mish(x)


class Hardtanh(Module):
    """clip(x, min_val, max_val) (default [−1, 1]); gradient 1 strictly inside, else 0."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0) -> None:
        super().__init__()
        if min_val >= max_val:
            raise ValueError(f"Hardtanh: min_val {min_val} must be below max_val {max_val}")
        self.min_val, self.max_val = float(min_val), float(max_val)

    def forward(self, x: Any) -> Value:
        return F.hardtanh(x, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val:g}, max_val={self.max_val:g}"


class Softsign(Module):
    """x/(1 + |x|) ∈ (−1, 1): like tanh, with polynomial rather than exponential tails."""

    def forward(self, x: Any) -> Value:
        return F.softsign(x)


class LogSigmoid(Module):
    """ln σ(x) = −softplus(−x), computed stably for any x."""

    def forward(self, x: Any) -> Value:
        return F.logsigmoid(x)
