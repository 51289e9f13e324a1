"""Logic gates as perceptrons with hand-set weights, and XOR as a network of them.

With inputs in {0, 1} and ŷ = step(w·x + b) (1 when w·x + b > 0):

    AND:  w = (1, 1),  b = −1.5     fires only for (1, 1)
    OR:   w = (1, 1),  b = −0.5     fires unless both inputs are 0
    NOT:  w = (−1,),   b = 0.5      fires for 0

XOR is not linearly separable, so no single perceptron computes it; two layers do:

    XOR(a, b) = AND(OR(a, b), NOT(AND(a, b)))

``AND``, ``OR``, ``NOT`` and ``XOR`` are ready-made instances, each with ``predict(X)``; the
functions ``and_gate()`` etc. build fresh ones (to retrain without changing the shared ones).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Value, stack

from .module import Module
from .perceptron import Perceptron


def _gate(weights: list[float], bias: float, label: str) -> Perceptron:
    gate = Perceptron(len(weights))
    gate.weight.data[...] = weights
    gate.bias.data[...] = bias
    gate.weight.label, gate.bias.label = f"w_{label}", f"b_{label}"
    return gate


def and_gate() -> Perceptron:
    """A new AND perceptron: w = (1, 1), b = −1.5."""
    return _gate([1.0, 1.0], -1.5, "and")


def or_gate() -> Perceptron:
    """A new OR perceptron: w = (1, 1), b = −0.5."""
    return _gate([1.0, 1.0], -0.5, "or")


def not_gate() -> Perceptron:
    """A new NOT perceptron (one input): w = (−1,), b = 0.5."""
    return _gate([-1.0], 0.5, "not")


class XORNetwork(Module):
    """XOR(a, b) = AND(OR(a, b), NOT(AND(a, b))): three gates in a hidden layer, one output."""

    def __init__(self) -> None:
        super().__init__()
        self.or_gate = or_gate()
        self.and_gate = and_gate()
        self.not_gate = not_gate()
        self.output = and_gate()

    def forward(self, x: Any) -> Value:
        either = self.or_gate(x)
        both = self.and_gate(x)
        not_both = self.not_gate(both.reshape(both.shape + (1,)))
        return self.output(stack([either, not_both], axis=-1))

    def predict(self, X: Any) -> np.ndarray:
        """0/1 predictions (int64) for each row of ``X`` (shape ``(n, 2)``)."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim == 0 or X.shape[-1] != 2:
            raise ValueError(f"XOR takes inputs of shape (n, 2), got {X.shape}")
        return self(X).numpy().astype(np.int64)


def xor_network() -> XORNetwork:
    """A new XOR network built from fresh gates."""
    return XORNetwork()


AND = and_gate()
OR = or_gate()
NOT = not_gate()
XOR = xor_network()

__all__ = [
    "AND",
    "OR",
    "NOT",
    "XOR",
    "XORNetwork",
    "and_gate",
    "or_gate",
    "not_gate",
    "xor_network",
]
