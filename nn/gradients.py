"""``gradient_norms``: how large each parameter's gradient is, to spot vanishing or exploding
gradients at a glance."""

from __future__ import annotations

import math

import numpy as np

from .module import Module


def gradient_norms(model: Module, per_layer: bool = False) -> dict[str, float]:
    """Name → Euclidean norm ‖∂L/∂w‖ of each parameter's gradient, after ``loss.backward()``.

    ``per_layer=True`` groups the parameters by the module that holds them (``"0"`` for
    ``"0.weight"`` and ``"0.bias"``; the model's class name for its own parameters) and gives
    √(Σ‖g‖²) over each group. Parameters without a gradient (backward has not reached them)
    are left out. In a notebook::

        loss.backward()
        nn.gradient_norms(model)     # {'0.weight': 0.41, '0.bias': 0.05, '2.weight': 0.93, ...}

    Norms shrinking layer by layer towards the input signal vanishing gradients; growing ones,
    exploding gradients.
    """
    if not isinstance(model, Module):
        raise TypeError(f"gradient_norms expects an nn.Module, got {type(model).__name__}")
    squares: dict[str, float] = {}
    for name, p in model.named_parameters():
        grad = p.grad
        if grad is None:
            continue
        grad = np.asarray(getattr(grad, "data", grad), dtype=np.float64)
        key = (name.rpartition(".")[0] or type(model).__name__) if per_layer else name
        squares[key] = squares.get(key, 0.0) + float(np.sum(grad * grad))
    return {key: math.sqrt(total) for key, total in squares.items()}
