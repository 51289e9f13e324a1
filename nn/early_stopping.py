"""``EarlyStopping``: stop training when the validation loss stops improving, keep the best."""

from __future__ import annotations

import math
import os
import weakref
from typing import Any

import numpy as np

from autograd.checks import check_choice, check_int, check_number

from .callbacks import Callback, check_monitored, monitored_key
from .module import Module
from .serialization import save


class EarlyStopping(Callback):
    """Watch a validation score once per epoch; say when to stop, and restore the best weights.

    Training error keeps falling while validation error, after a while, rises again: the model
    has begun to fit the noise of its training set. Early stopping keeps the weights of the best
    validation epoch and stops once ``patience`` epochs in a row brought no improvement::

        stopper = nn.EarlyStopping(patience=5)
        for epoch in range(1, 201):
            train_one_epoch(model)
            if stopper.step(validation_loss(model), model):
                break            # model now holds the weights of epoch stopper.best_epoch

    or ``nn.fit(..., callbacks=[stopper])`` (it is an :class:`nn.Callback`).

    - An epoch *improves* when its value beats the best so far by more than ``min_delta``:
      ``value < best − min_delta`` (``mode="min"``, for losses) or ``value > best + min_delta``
      (``mode="max"``, for accuracies). NaN never improves.
    - On every improvement a copy of ``model.state_dict()`` is kept in memory (and written to
      ``checkpoint`` with :func:`nn.save` when a path is given).
    - :meth:`step` returns True once ``patience`` epochs in a row have not improved; with
      ``restore_best=True`` it has then loaded the best weights back into the model.
    - ``monitor`` (for :func:`nn.fit`): the history entry to watch, e.g. ``"val_accuracy"``
      with ``mode="max"``; by default ``"val_loss"``, or ``"loss"`` without validation data.

    Epochs are numbered from 1, as in ``History.epochs``: the first call to :meth:`step` is
    epoch 1 (with ``nn.fit``, the history's value of that epoch is ``history[key][epoch - 1]``).
    Attributes: ``best`` (the best value), ``best_epoch`` (the epoch it came from),
    ``stopped_epoch`` (the epoch that stopped training, or None), ``counter`` (epochs since the
    last improvement), ``best_state`` (the copied state dict). Using the instance with a
    different model starts it afresh.
    """

    def __init__(
        self,
        patience: int,
        min_delta: float = 0.0,
        restore_best: bool = True,
        mode: str = "min",
        checkpoint: str | os.PathLike | None = None,
        monitor: str | None = None,
    ) -> None:
        name = "EarlyStopping"
        self.patience = check_int(name, "patience", patience, low=0, fix="epochs to wait")
        self.min_delta = check_number(
            name, "min_delta", min_delta,
            fix="the least change that counts as an improvement, in either mode",
        )  # fmt: skip
        self.mode = check_choice(name, "mode", mode, ("min", "max"))
        if monitor is not None and not isinstance(monitor, str):
            raise TypeError(f"EarlyStopping: monitor must be a history key such as 'val_loss', "
                            f"got {monitor!r}")  # fmt: skip
        self.restore_best = bool(restore_best)
        self.checkpoint = checkpoint
        self.monitor = monitor
        self.reset()

    def reset(self) -> None:
        """Forget everything seen so far (the best value, its weights, the counters)."""
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch: int | None = None
        self.stopped_epoch: int | None = None
        self.counter = 0
        self.epoch = 0  # the last epoch seen (the first call to step is epoch 1)
        self.best_state: dict[str, np.ndarray] | None = None
        self._model: weakref.ref[Module] | None = None

    def is_improvement(self, value: float) -> bool:
        """Whether ``value`` beats the best so far by more than ``min_delta``."""
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def step(self, value: Any, model: Module) -> bool:
        """Record one epoch's validation ``value`` for ``model``; True means stop now.

        When it returns True and ``restore_best`` is set, ``model`` already holds the weights
        (and buffers) of the best epoch.
        """
        if not isinstance(model, Module):
            raise TypeError(
                f"EarlyStopping.step(value, model): model must be an nn.Module, got "
                f"{type(model).__name__}"
            )
        if hasattr(value, "item"):  # a Value or a numpy scalar
            value = value.item()
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(
                f"EarlyStopping.step: value must be a number (the epoch's validation loss), "
                f"got {type(value).__name__}"
            )
        if self._model is None or self._model() is not model:
            self.reset()
            self._model = weakref.ref(model)
        self.epoch += 1
        value = float(value)
        if self.is_improvement(value):
            self.best, self.best_epoch, self.counter = value, self.epoch, 0
            self.best_state = model.state_dict()
            if self.checkpoint is not None:
                save(self.best_state, self.checkpoint)
            return False
        self.counter += 1
        if self.counter >= self.patience:
            if self.stopped_epoch is None:
                self.stopped_epoch = self.epoch
            if self.restore_best:
                self.restore(model)
            return True
        return False

    # ------------------------------------------------------------------ as an nn.fit callback
    def on_train_begin(self, model: Any, optimizer: Any, history: Any) -> None:
        """Check that ``fit`` records the monitored key, before any training."""
        check_monitored("EarlyStopping", self.monitor, history)

    def on_epoch_end(
        self, epoch: int, logs: dict[str, float], model: Any, optimizer: Any, history: Any
    ) -> bool:
        """One :meth:`step` with the epoch's monitored value (``monitor``, else the
        validation loss, else the training loss)."""
        return self.step(logs[self.monitor or monitored_key(logs)], model)

    def on_train_end(self, model: Any, optimizer: Any, history: Any) -> None:
        """With ``restore_best``, put the best weights back — also when the epochs ran out
        before patience did — and note their epoch in ``history.restored_epoch``."""
        if self.restore_best and self.restore(model):  # a no-op copy if step() just did it
            # The best epoch lies `counter` epochs before the last; it may predate this run.
            restored = len(history.get("loss", ())) - self.counter
            history.restored_epoch = restored if restored >= 1 else None

    def restore(self, model: Module) -> bool:
        """Load the best weights seen into ``model``; False if there are none yet."""
        if self.best_state is None:
            return False
        model.load_state_dict(self.best_state)
        return True

    def __repr__(self) -> str:
        return (
            f"EarlyStopping(patience={self.patience}, min_delta={self.min_delta:g}, "
            f"mode={self.mode!r}, best={self.best:.4g}, best_epoch={self.best_epoch}, "
            f"counter={self.counter})"
        )
