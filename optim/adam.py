"""Adam and AdamW: one update rule, two ways of applying weight decay."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd.checks import check_flag, check_number

from .optimizer import Optimizer, ParamsLike


def _check_betas(owner: str, name: str, betas: Any) -> tuple[float, float]:
    """A pair of numbers in [0, 1)."""
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise TypeError(f"{owner}: {name} must be a pair (beta1, beta2), got {betas!r}")
    beta1, beta2 = (
        check_number(owner, f"{name}[{i}]", beta, high=1.0, high_open=True)
        for i, beta in enumerate(betas)
    )
    return beta1, beta2


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2015), with PyTorch's update rule and defaults.

    With gradient :math:`g_t`, learning rate :math:`\gamma`, betas :math:`(\beta_1, \beta_2)`,
    weight decay :math:`\lambda` and step count :math:`t = 1, 2, \ldots`::

        g_t <- g_t + λ θ_{t-1}                          if λ ≠ 0   (L2 penalty, Adam)
        θ_{t-1} <- θ_{t-1} (1 - γ λ)                    if λ ≠ 0   (decoupled, AdamW)
        m_t <- β1 m_{t-1} + (1 - β1) g_t                first moment,  m_0 = 0
        v_t <- β2 v_{t-1} + (1 - β2) g_t²               second moment, v_0 = 0
        v̂_t <- max(v̂_{t-1}, v_t)  if amsgrad,  else  v̂_t <- v_t
        θ_t <- θ_{t-1} - γ/(1 - β1^t) · m_t / (sqrt(v̂_t) / sqrt(1 - β2^t) + ε)

    State per parameter: ``"step"``, ``"exp_avg"`` (m), ``"exp_avg_sq"`` (v) and, with
    ``amsgrad``, ``"max_exp_avg_sq"`` (v̂). :class:`AdamW` is this class with decoupled decay.
    ``weight_decay`` defaults to 0 (Adam) or 1e-2 (AdamW); ``maximize=True`` uses ``-g_t``.
    """

    decoupled_weight_decay = False
    default_weight_decay = 0.0

    option_checks = {
        **Optimizer.option_checks,
        "betas": _check_betas,
        "eps": check_number,
        "weight_decay": check_number,
        "amsgrad": check_flag,
    }

    def __init__(
        self,
        params: ParamsLike,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float | None = None,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        if weight_decay is None:
            weight_decay = self.default_weight_decay
        defaults = dict(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
            maximize=maximize,
        )  # fmt: skip
        super().__init__(params, defaults)

    def _state_keys(self, group: dict[str, Any]) -> tuple[str, ...]:
        keys = ("step", "exp_avg", "exp_avg_sq")
        return keys + ("max_exp_avg_sq",) if group["amsgrad"] else keys

    def _update(
        self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        lr = group["lr"]
        beta1, beta2 = group["betas"]
        weight_decay = group["weight_decay"]
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(param)
            state["exp_avg_sq"] = np.zeros_like(param)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(param)
        state["step"] = step = state["step"] + 1

        if weight_decay != 0:
            if self.decoupled_weight_decay:
                param *= 1.0 - lr * weight_decay
            else:
                grad = grad + weight_decay * param

        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg *= beta1
        exp_avg += (1.0 - beta1) * grad
        exp_avg_sq *= beta2
        exp_avg_sq += (1.0 - beta2) * grad * grad
        if group["amsgrad"]:
            second = state["max_exp_avg_sq"]
            np.maximum(second, exp_avg_sq, out=second)
        else:
            second = exp_avg_sq

        step_size = lr / (1.0 - beta1**step)
        denom = np.sqrt(second)
        denom /= math.sqrt(1.0 - beta2**step)
        denom += group["eps"]
        update = exp_avg * step_size
        update /= denom
        param -= update


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter, 2019), as ``torch.optim.AdamW``.

    The same rule as :class:`Adam`, except that weight decay shrinks the parameters directly,
    ``θ <- θ (1 - γ λ)``, before the Adam step instead of adding ``λ θ`` to the gradient, so
    the decay is not rescaled by the adaptive denominator. Default ``weight_decay=1e-2``.
    """

    decoupled_weight_decay = True
    default_weight_decay = 1e-2
