"""Learning-rate schedules: change each parameter group's ``lr`` once per epoch.

Call ``scheduler.step()`` once at the end of every epoch, after the optimizer's steps (the
plateau scheduler takes the monitored metric: ``scheduler.step(val_loss)``; every scheduler has
the one signature ``step(metric=None)``, and ``needs_metric`` says which kind it is)::

    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = optim.StepLR(opt, step_size=30, gamma=0.1)
    for epoch in range(100):
        train_one_epoch(model, opt)
        sched.step()

Every schedule except :class:`ReduceLROnPlateau` is a closed form ``lr_t = f(lr_0, t)`` of the
epoch count ``t`` and each group's lr when the scheduler was made (``base_lrs``). The results
equal PyTorch's up to rounding. The difference from PyTorch's chained form: an lr set by hand
between epochs is overwritten at the next ``step()``; set ``scheduler.base_lrs`` instead.

A schedule can never set a learning rate that the optimizer's own ``lr`` setter refuses (a
negative one from a ``LambdaLR`` factor, say): every new lr is checked with
``optimizer.check_lr`` before any group changes, and a clear ``ValueError`` names the schedule,
the epoch and the group.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

from autograd.checks import check_choice, check_int, check_number

from .optimizer import Optimizer


class LRScheduler:
    """Base class: holds the optimizer, the epoch count and each group's initial lr.

    A subclass gives the closed form in :meth:`lr_at`. Making the scheduler sets every group's
    lr to its epoch-0 value; each :meth:`step` advances the epoch and sets the new lrs.
    """

    #: Whether :meth:`step` takes the monitored metric (only :class:`ReduceLROnPlateau`'s does).
    needs_metric = False

    #: Attributes (besides ``last_epoch``, ``base_lrs`` and the last lrs) that
    #: :meth:`state_dict` saves.
    _saved_options: tuple[str, ...] = ()

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{type(self).__name__} needs an optim.Optimizer, got {type(optimizer).__name__}"
            )
        self.optimizer = optimizer
        self.base_lrs: list[float] = [group["lr"] for group in optimizer.param_groups]
        self.last_epoch = 0
        self._last_lr: list[float] = list(self.base_lrs)
        self._set_lrs(self._lrs_at(0), 0)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        """The learning rate at ``epoch`` of a group that started at ``base_lr``."""
        raise NotImplementedError(f"{type(self).__name__} must implement lr_at")

    def _lrs_at(self, epoch: int) -> list[float]:
        return [self.lr_at(base_lr, epoch) for base_lr in self.base_lrs]

    def step(self, metric: float | None = None) -> None:
        """Advance one epoch and set every group's lr from the schedule.

        A closed-form schedule depends on the epoch count only, so ``metric`` must be None (it
        is in the signature so that every scheduler has the same one).
        """
        if metric is not None:
            raise TypeError(
                f"{type(self).__name__}.step() takes no metric: its lr depends on the epoch "
                f"count only; only ReduceLROnPlateau.step(metric) uses one"
            )
        lrs = self._lrs_at(self.last_epoch + 1)
        self._set_lrs(lrs, self.last_epoch + 1)
        self.last_epoch += 1

    def get_last_lr(self) -> list[float]:
        """The lr of each parameter group as last set by this scheduler."""
        return list(self._last_lr)

    def _set_lrs(self, lrs: list[float], epoch: int) -> None:
        """Set each group's lr, after checking every one with the optimizer's own rule."""
        name = type(self).__name__
        groups = self.optimizer.param_groups
        if len(lrs) != len(groups):
            raise ValueError(
                f"{name}: the optimizer has {len(groups)} parameter groups but "
                f"the scheduler knows {len(lrs)}; make the scheduler after adding groups"
            )
        checked = []
        for i, lr in enumerate(lrs):
            try:
                checked.append(self.optimizer.check_lr(lr))
            except (TypeError, ValueError) as error:
                raise ValueError(
                    f"{name}: the schedule gives parameter group {i} lr={lr!r} at epoch {epoch}, "
                    f"which {type(self.optimizer).__name__} refuses ({error}); fix the schedule"
                    f"{' (lr_lambda must return a factor >= 0)' if name == 'LambdaLR' else ''}"
                    f". No learning rate was changed."
                ) from None
        for group, lr in zip(groups, checked, strict=True):
            group["lr"] = lr
        self._last_lr = checked

    def state_dict(self) -> dict[str, Any]:
        """The epoch count, initial lrs, last lrs and the schedule's options (not the optimizer)."""
        state = {
            "last_epoch": self.last_epoch,
            "base_lrs": list(self.base_lrs),
            "last_lr": list(self._last_lr),
        }
        for key in self._saved_options:
            value = getattr(self, key)
            state[key] = list(value) if isinstance(value, list) else value
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` saved; the optimizer's lrs come from its own state dict.

        Checked before anything changes: the same entries, and one lr per parameter group.
        """
        name = type(self).__name__
        expected = {"last_epoch", "base_lrs", "last_lr", *self._saved_options}
        if not isinstance(state_dict, dict) or set(state_dict) != expected:
            found = sorted(state_dict) if isinstance(state_dict, dict) else type(state_dict)
            raise ValueError(
                f"{name}.load_state_dict: expected entries {sorted(expected)}, got {found}; "
                f"was it saved from a different scheduler?"
            )
        groups = len(self.optimizer.param_groups)
        for key in ("base_lrs", "last_lr"):
            if not isinstance(state_dict[key], (list, tuple)) or len(state_dict[key]) != groups:
                raise ValueError(
                    f"{name}.load_state_dict: {key!r} must list one lr per parameter group "
                    f"({groups}), got {state_dict[key]!r}"
                )
        epoch = state_dict["last_epoch"]
        if isinstance(epoch, bool) or not isinstance(epoch, numbers.Integral) or epoch < 0:
            raise ValueError(f"{name}.load_state_dict: bad 'last_epoch' {epoch!r}")
        self.last_epoch = int(epoch)
        self.base_lrs = [float(lr) for lr in state_dict["base_lrs"]]
        self._last_lr = [float(lr) for lr in state_dict["last_lr"]]
        for key in self._saved_options:
            value = state_dict[key]
            setattr(self, key, list(value) if isinstance(value, list) else value)

    def __repr__(self) -> str:
        options = ", ".join(f"{key}={getattr(self, key)!r}" for key in self._saved_options)
        return f"{type(self).__name__}({options}, last_epoch={self.last_epoch})"


class StepLR(LRScheduler):
    """Multiply the lr by ``gamma`` every ``step_size`` epochs: ``lr_t = lr_0 γ^⌊t/step_size⌋``."""

    _saved_options = ("step_size", "gamma")

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        self.step_size = check_int("StepLR", "step_size", step_size)
        self.gamma = check_number("StepLR", "gamma", gamma)
        super().__init__(optimizer)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma ** (epoch // self.step_size)


class ExponentialLR(LRScheduler):
    """Multiply the lr by ``gamma`` every epoch: ``lr_t = lr_0 γ^t``."""

    _saved_options = ("gamma",)

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        self.gamma = check_number("ExponentialLR", "gamma", gamma)
        super().__init__(optimizer)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma**epoch


class InverseTimeLR(LRScheduler):
    """Inverse-time decay: ``lr_t = lr_0 / (1 + decay · t)`` (not in PyTorch)."""

    _saved_options = ("decay",)

    def __init__(self, optimizer: Optimizer, decay: float) -> None:
        self.decay = check_number("InverseTimeLR", "decay", decay)
        super().__init__(optimizer)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        return base_lr / (1.0 + self.decay * epoch)


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing from ``lr_0`` down to ``eta_min`` over ``T_max`` epochs.

    ``lr_t = η_min + (lr_0 - η_min) (1 + cos(π t / T_max)) / 2``: the closed form of PyTorch's
    ``CosineAnnealingLR`` (without restarts). Past ``T_max`` the cosine climbs back up, as in
    PyTorch; stop stepping at ``T_max`` to stay at ``eta_min``.
    """

    _saved_options = ("T_max", "eta_min")

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:
        self.T_max = check_int("CosineAnnealingLR", "T_max", T_max)
        self.eta_min = check_number("CosineAnnealingLR", "eta_min", eta_min)
        super().__init__(optimizer)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        cosine = (1.0 + math.cos(math.pi * epoch / self.T_max)) / 2.0
        return self.eta_min + (base_lr - self.eta_min) * cosine


class LambdaLR(LRScheduler):
    """Scale the initial lr by a function of the epoch: ``lr_t = lr_0 · lr_lambda(t)``.

    ``lr_lambda`` is one function for every group, or a list with one per group. Functions are
    not saved by :meth:`state_dict`; pass the same ones when resuming.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]],
    ) -> None:
        groups = len(optimizer.param_groups) if isinstance(optimizer, Optimizer) else 0
        if callable(lr_lambda):
            self.lr_lambdas = [lr_lambda] * groups
        elif isinstance(lr_lambda, (list, tuple)) and all(callable(f) for f in lr_lambda):
            if len(lr_lambda) != groups:
                raise ValueError(
                    f"LambdaLR: expected {groups} lr_lambdas (one per parameter group), "
                    f"got {len(lr_lambda)}"
                )
            self.lr_lambdas = list(lr_lambda)
        else:
            raise TypeError(
                "LambdaLR: lr_lambda must be a function of the epoch, or a list of them, "
                f"got {type(lr_lambda).__name__}"
            )
        super().__init__(optimizer)

    def _lrs_at(self, epoch: int) -> list[float]:
        return [
            base_lr * float(f(epoch))
            for base_lr, f in zip(self.base_lrs, self.lr_lambdas, strict=True)
        ]


class ReduceLROnPlateau(LRScheduler):
    """Cut the lr by ``factor`` when a monitored metric stops improving, as in PyTorch.

    Call ``step(metric)`` once per epoch. A metric is an improvement when it beats the best so
    far by the threshold: ``metric < best (1 - threshold)`` (``mode="min"``,
    ``threshold_mode="rel"``), ``metric < best - threshold`` (``"abs"``), and mirrored for
    ``mode="max"``. After more than ``patience`` epochs in a row without one, each group's lr
    becomes ``max(lr · factor, min_lr)`` (skipped if that changes it by ``eps`` or less), and
    the count pauses for ``cooldown`` epochs. ``min_lr`` is a number or one per group.
    """

    _saved_options = (
        "mode",
        "factor",
        "patience",
        "threshold",
        "threshold_mode",
        "cooldown",
        "min_lrs",
        "eps",
        "best",
        "num_bad_epochs",
        "cooldown_counter",
    )

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float | Sequence[float] = 0.0,
        eps: float = 1e-8,
    ) -> None:
        name = "ReduceLROnPlateau"
        self.mode = check_choice(name, "mode", mode, ("min", "max"))
        self.threshold_mode = check_choice(name, "threshold_mode", threshold_mode, ("rel", "abs"))
        self.factor = check_number(name, "factor", factor, high=1.0, high_open=True)
        self.patience = check_int(name, "patience", patience, low=0)
        self.threshold = check_number(name, "threshold", threshold)
        self.cooldown = check_int(name, "cooldown", cooldown, low=0)
        self.eps = check_number(name, "eps", eps)
        groups = len(optimizer.param_groups) if isinstance(optimizer, Optimizer) else 0
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != groups:
                raise ValueError(
                    f"{name}: expected {groups} min_lr values (one per group), got {len(min_lr)}"
                )
            self.min_lrs = [check_number(name, "min_lr", lr) for lr in min_lr]
        else:
            self.min_lrs = [check_number(name, "min_lr", min_lr)] * groups
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        super().__init__(optimizer)

    def _lrs_at(self, epoch: int) -> list[float]:
        # No closed form: the lrs stay where they are until the metric stalls.
        return [group["lr"] for group in self.optimizer.param_groups]

    def is_better(self, metric: float, best: float) -> bool:
        """Whether ``metric`` improves on ``best`` by more than the threshold."""
        if self.mode == "min":
            if self.threshold_mode == "rel":
                return metric < best * (1.0 - self.threshold)
            return metric < best - self.threshold
        if self.threshold_mode == "rel":
            return metric > best * (1.0 + self.threshold)
        return metric > best + self.threshold

    needs_metric = True

    def step(self, metric: float | None = None) -> None:
        """Record this epoch's metric (e.g. the validation loss) and cut the lr if it stalled.

        The metric is required; it is optional in the signature only so that every scheduler's
        ``step`` has the same one.
        """
        if metric is None:
            raise TypeError(
                "ReduceLROnPlateau.step needs the monitored metric, e.g. scheduler.step(val_loss)"
            )
        if hasattr(metric, "item"):  # a Value or a 0-d array
            metric = metric.item()
        if isinstance(metric, bool) or not isinstance(metric, numbers.Real):
            raise TypeError(
                f"ReduceLROnPlateau.step takes the monitored metric as a number, "
                f"got {type(metric).__name__}"
            )
        current = float(metric)
        self.last_epoch += 1
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # epochs in cooldown do not count as bad
        if self.num_bad_epochs > self.patience:
            self._reduce_lrs()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _reduce_lrs(self) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            raise ValueError(
                f"ReduceLROnPlateau: the optimizer has {len(groups)} parameter groups but "
                f"min_lrs has {len(self.min_lrs)}; make the scheduler after adding groups"
            )
        for group, min_lr in zip(groups, self.min_lrs, strict=True):
            old_lr = group["lr"]
            new_lr = max(old_lr * self.factor, min_lr)
            if old_lr - new_lr > self.eps:
                group["lr"] = new_lr
