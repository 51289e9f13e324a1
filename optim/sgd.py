"""Stochastic gradient descent, with optional momentum, Nesterov momentum and weight decay."""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from autograd.checks import check_flag, check_number

from .optimizer import Optimizer, ParamsLike


class SGD(Optimizer):
    r"""Stochastic gradient descent, with PyTorch's update rule and defaults.

    With gradient :math:`g_t`, learning rate :math:`\gamma`, weight decay :math:`\lambda`,
    momentum :math:`\mu` and dampening :math:`\tau`::

        g_t <- g_t + λ θ_{t-1}                       if λ ≠ 0   (L2 penalty ½λ‖θ‖²)
        b_t <- g_t                                   on the first step
        b_t <- μ b_{t-1} + (1 - τ) g_t               afterwards           } if μ ≠ 0
        g_t <- g_t + μ b_t   if nesterov,  else  g_t <- b_t               }
        θ_t <- θ_{t-1} - γ g_t

    ``lr`` is required (pass it, or give every parameter group an ``"lr"``). Nesterov momentum
    needs ``momentum > 0`` and ``dampening == 0``. The state of each parameter is its
    ``"momentum_buffer"`` (none when ``momentum == 0``). ``maximize=True`` ascends: the rule runs
    on ``-g_t``.
    """

    option_checks = {
        **Optimizer.option_checks,
        "momentum": check_number,
        "dampening": partial(check_number, high=1.0),
        "nesterov": check_flag,
        "weight_decay": check_number,
    }

    def __init__(
        self,
        params: ParamsLike,
        lr: float | None = None,
        momentum: float = 0.0,
        dampening: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            nesterov=nesterov,
            weight_decay=weight_decay,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        if group["lr"] is None:
            raise TypeError(
                "SGD needs a learning rate: pass lr=..., or give every parameter group an 'lr'"
            )
        super()._check_group(group)
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                "SGD: nesterov=True needs momentum > 0 and dampening = 0, got "
                f"momentum={group['momentum']}, dampening={group['dampening']}"
            )

    def _state_keys(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("momentum_buffer",)

    def _update(
        self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        weight_decay = group["weight_decay"]
        momentum = group["momentum"]
        if weight_decay != 0:
            grad = grad + weight_decay * param
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = grad.copy()
            else:
                buf *= momentum
                dampening = group["dampening"]
                if dampening == 0:
                    buf += grad
                else:
                    buf += (1.0 - dampening) * grad
            grad = grad + momentum * buf if group["nesterov"] else buf
        param -= group["lr"] * grad
