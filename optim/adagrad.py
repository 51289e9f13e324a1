"""Adagrad: a per-coordinate step that shrinks with the sum of past squared gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.checks import check_number

from .optimizer import Optimizer, ParamsLike


class Adagrad(Optimizer):
    r"""Adagrad (Duchi, Hazan & Singer, 2011), with PyTorch's update rule and defaults.

    With gradient :math:`g_t`, learning rate :math:`\gamma`, lr decay :math:`\eta`, weight
    decay :math:`\lambda` and step count :math:`t = 1, 2, \ldots`::

        γ̃_t <- γ / (1 + (t - 1) η)
        g_t <- g_t + λ θ_{t-1}                       if λ ≠ 0
        s_t <- s_{t-1} + g_t²                        s_0 = initial_accumulator_value
        θ_t <- θ_{t-1} - γ̃_t g_t / (sqrt(s_t) + ε)

    State per parameter: ``"step"`` and ``"sum"`` (s). ``maximize=True`` uses ``-g_t``.
    """

    option_checks = {
        **Optimizer.option_checks,
        "lr_decay": check_number,
        "weight_decay": check_number,
        "initial_accumulator_value": check_number,
        "eps": check_number,
    }

    def __init__(
        self,
        params: ParamsLike,
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _state_keys(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("step", "sum")

    def _update(
        self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        if not state:
            state["step"] = 0
            state["sum"] = np.full_like(param, group["initial_accumulator_value"])
        state["step"] = step = state["step"] + 1

        weight_decay = group["weight_decay"]
        if weight_decay != 0:
            grad = grad + weight_decay * param
        step_size = group["lr"] / (1.0 + (step - 1) * group["lr_decay"])

        squares = state["sum"]
        squares += grad * grad
        denom = np.sqrt(squares)
        denom += group["eps"]
        update = grad * step_size
        update /= denom
        param -= update
