"""Rosenblatt's perceptron: a step-activated neuron and its learning rule (1958).

    ŷ = step(w·x + b) = 1 if w·x + b > 0 else 0

The rule updates only on mistakes: for a misclassified point, add it to the weights (times the
learning rate) when it should have fired, subtract it when it should not have:

    w ← w + lr·(y − ŷ)·x,    b ← b + lr·(y − ŷ)        (y − ŷ is +1 or −1 on a mistake)

On linearly separable data it stops making mistakes after finitely many updates (Novikoff's
convergence theorem); on data that is not separable (XOR) it never does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Value
from autograd.checks import check_size
from autograd.random import generator

from . import functional as F
from .module import Module


class Perceptron(Module):
    """A perceptron with ``nin`` inputs: ``weight`` of shape ``(nin,)``, scalar ``bias``
    (both float64 arrays, starting at 0, as in the classic algorithm)."""

    def __init__(self, nin: int) -> None:
        super().__init__()
        self.nin = check_size("Perceptron", "nin", nin)
        self.weight = Value(np.zeros(self.nin), label="w")
        self.bias = Value(np.zeros(()), label="b")

    def forward(self, x: Any) -> Value:
        """step(x·w + b) as a graph (its output is a constant: the step has no gradient)."""
        return F.step(x @ self.weight + self.bias)

    def _inputs(self, X: Any) -> np.ndarray:
        X = np.asarray(X.data if isinstance(X, Value) else X, dtype=np.float64)
        if X.ndim == 1 and self.nin == 1 and X.shape != (1,):
            X = X.reshape(-1, 1)  # one column of single inputs
        if X.ndim == 0 or X.shape[-1] != self.nin:
            raise ValueError(
                f"Perceptron({self.nin} inputs) got inputs of shape {X.shape}; "
                f"expected (n, {self.nin})"
            )
        return X

    def decision_function(self, X: Any) -> np.ndarray:
        """The pre-activation w·x + b for each example (its sign is the prediction)."""
        return self._inputs(X) @ self.weight.data + self.bias.data

    def predict(self, X: Any) -> np.ndarray:
        """0/1 predictions (int64): one per row of ``X``, or a 0-d array for one example."""
        return (self.decision_function(X) > 0).astype(np.int64)

    def fit(
        self, X: Any, y: Any, lr: float = 1.0, epochs: int = 100, shuffle: bool = False
    ) -> list[int]:
        """Run the perceptron rule over ``X`` (shape ``(n, nin)``) with 0/1 labels ``y``.

        Goes through the examples in order (or in a fresh random order each epoch with
        ``shuffle=True``, from the shared generator) and stops after the first epoch without a
        mistake, or after ``epochs``. Returns the number of mistakes in each epoch. Training
        continues from the current weights, so ``fit(X, y, epochs=1)`` in a loop steps through
        the learning one epoch at a time (e.g. to draw the line after every epoch).
        """
        X = self._inputs(X)
        y = np.asarray(y)
        if X.ndim != 2 or y.shape != (len(X),):
            raise ValueError(
                f"Perceptron.fit: X must be (n, {self.nin}) and y (n,), got {X.shape} and {y.shape}"
            )
        if not np.all((y == 0) | (y == 1)):
            raise ValueError(f"Perceptron.fit: labels must be 0 or 1, found {np.unique(y)[:6]}")
        y = y.astype(np.float64)
        w, b = self.weight.data, self.bias.data  # updated in place
        history: list[int] = []
        for _ in range(int(epochs)):
            order = np.arange(len(X))
            if shuffle:
                order = generator().permutation(len(X))
            mistakes = 0
            for i in order:
                predicted = 1.0 if X[i] @ w + b > 0 else 0.0
                error = y[i] - predicted  # +1: should have fired; −1: should not have
                if error != 0.0:
                    w += lr * error * X[i]
                    b += lr * error
                    mistakes += 1
            history.append(mistakes)
            if mistakes == 0:
                break
        return history

    def extra_repr(self) -> str:
        return f"nin={self.nin}"
