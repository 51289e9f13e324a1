"""RMSprop: divide the step by a running root-mean-square of recent gradients."""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from autograd.checks import check_flag, check_number

from .optimizer import Optimizer, ParamsLike


class RMSprop(Optimizer):
    r"""RMSprop (Hinton, 2012; centered form from Graves, 2013), as ``torch.optim.RMSprop``.

    With gradient :math:`g_t`, learning rate :math:`\gamma`, smoothing :math:`\alpha`, weight
    decay :math:`\lambda` and momentum :math:`\mu`::

        g_t <- g_t + λ θ_{t-1}                        if λ ≠ 0
        v_t <- α v_{t-1} + (1 - α) g_t²               v_0 = 0
        ḡ_t <- α ḡ_{t-1} + (1 - α) g_t                ḡ_0 = 0     } if centered
        ṽ_t <- v_t - ḡ_t²   if centered,  else  ṽ_t <- v_t
        b_t <- μ b_{t-1} + g_t / (sqrt(ṽ_t) + ε),  θ_t <- θ_{t-1} - γ b_t     if μ > 0
        θ_t <- θ_{t-1} - γ g_t / (sqrt(ṽ_t) + ε)                              otherwise

    Note ε is added after the square root (TensorFlow adds it inside). State per parameter:
    ``"step"``, ``"square_avg"`` (v), ``"momentum_buffer"`` (b, if μ > 0) and ``"grad_avg"``
    (ḡ, if centered). ``maximize=True`` uses ``-g_t``.
    """

    option_checks = {
        **Optimizer.option_checks,
        "alpha": partial(check_number, high=1.0),
        "eps": check_number,
        "weight_decay": check_number,
        "momentum": check_number,
        "centered": check_flag,
    }

    def __init__(
        self,
        params: ParamsLike,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            alpha=alpha,
            eps=eps,
            weight_decay=weight_decay,
            momentum=momentum,
            centered=centered,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _state_keys(self, group: dict[str, Any]) -> tuple[str, ...]:
        keys = ("step", "square_avg")
        if group["momentum"] > 0:
            keys += ("momentum_buffer",)
        if group["centered"]:
            keys += ("grad_avg",)
        return keys

    def _update(
        self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        alpha = group["alpha"]
        momentum = group["momentum"]
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(param)
            if momentum > 0:
                state["momentum_buffer"] = np.zeros_like(param)
            if group["centered"]:
                state["grad_avg"] = np.zeros_like(param)
        state["step"] += 1

        weight_decay = group["weight_decay"]
        if weight_decay != 0:
            grad = grad + weight_decay * param

        square_avg = state["square_avg"]
        square_avg *= alpha
        square_avg += (1.0 - alpha) * grad * grad
        if group["centered"]:
            grad_avg = state["grad_avg"]
            grad_avg *= alpha
            grad_avg += (1.0 - alpha) * grad
            denom = square_avg - grad_avg * grad_avg
            np.sqrt(denom, out=denom)
        else:
            denom = np.sqrt(square_avg)
        denom += group["eps"]

        if momentum > 0:
            buf = state["momentum_buffer"]
            buf *= momentum
            buf += grad / denom
            param -= group["lr"] * buf
        else:
            update = grad * group["lr"]
            update /= denom
            param -= update
