"""``gradient_norms``: how large each parameter's gradient is, to spot vanishing or exploding
gradients at a glance; ``clip_grad_norm_`` and ``clip_grad_value_`` to cap them."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Value
from autograd.checks import check_number

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


def _parameters(parameters: Any) -> list[Any]:
    """A Module's parameters, one Value, or an iterable of Values, as a list."""
    if isinstance(parameters, Module):
        return list(parameters.parameters())
    if isinstance(parameters, Value):
        return [parameters]
    return list(parameters)


def _grad_array(p: Any) -> np.ndarray:
    return np.asarray(getattr(p.grad, "data", p.grad))


def _scaled(grad: Any, factor: float) -> Any:
    """grad · factor in the gradient's own dtype (float32 stays float32)."""
    if type(grad) is float:
        return grad * factor
    data = np.asarray(getattr(grad, "data", grad))
    return data * data.dtype.type(factor)


def clip_grad_norm_(
    parameters: Any,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
) -> float:
    """Rescale the gradients in place so that their joint norm is at most ``max_norm``.

    The norm is taken over all the gradients together, as if concatenated into one vector:
    ‖g‖ = (Σᵢ ‖gᵢ‖ᵖ)^(1/p) (p = ``norm_type``; ``inf`` for the largest |g|). If it exceeds
    ``max_norm`` every gradient is multiplied by max_norm / (‖g‖ + 10⁻⁶), so the direction of
    the step is kept and only its length is capped — the usual remedy for exploding gradients
    in recurrent networks. Call it between ``loss.backward()`` and ``optimizer.step()``.
    Returns the norm before clipping. As PyTorch's ``torch.nn.utils.clip_grad_norm_``.
    """
    check_number("clip_grad_norm_", "max_norm", max_norm, fix="the largest norm to allow")
    if isinstance(norm_type, bool) or not isinstance(norm_type, (int, float)) or not norm_type > 0:
        raise ValueError(
            f"clip_grad_norm_: norm_type must be a positive number (2 for the Euclidean norm, "
            f"math.inf for the largest |g|), got {norm_type!r}"
        )
    params = [p for p in _parameters(parameters) if p.grad is not None]
    if not params:
        return 0.0
    norm_type = float(norm_type)
    if norm_type == math.inf:
        total = max(float(np.max(np.abs(_grad_array(p)), initial=0.0)) for p in params)
    else:
        total = sum(
            float(np.sum(np.abs(_grad_array(p).astype(np.float64)) ** norm_type)) for p in params
        ) ** (1.0 / norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"clip_grad_norm_: the total norm of order {norm_type:g} of the gradients is "
            f"{total}, so they cannot be clipped; pass error_if_nonfinite=False to skip this check"
        )
    factor = min(max_norm / (total + 1e-6), 1.0)
    if factor < 1.0:
        for p in params:
            p.grad = _scaled(p.grad, factor)
    return total


def clip_grad_value_(parameters: Any, clip_value: float) -> None:
    """Clip every gradient element to [−clip_value, clip_value], in place (PyTorch's
    ``clip_grad_value_``). Unlike ``clip_grad_norm_`` this changes the step's direction."""
    if clip_value < 0:
        raise ValueError(f"clip_grad_value_: clip_value must be ≥ 0, got {clip_value}")
    for p in _parameters(parameters):
        if p.grad is None:
            continue
        if type(p.grad) is float:
            p.grad = min(max(p.grad, -clip_value), clip_value)
        else:
            data = _grad_array(p)
            p.grad = np.clip(data, -clip_value, clip_value).astype(data.dtype, copy=False)
