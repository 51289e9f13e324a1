"""``Callback``: the one interface through which ``nn.fit`` lets other code watch and steer it.

``fit`` calls each callback's hooks in this order (every hook is optional; the base class's do
nothing)::

    on_train_begin(model, optimizer, history)
    for each epoch:
        on_epoch_begin(epoch, model, optimizer, history)
        for each batch:
            ... forward, loss.backward() ...
            on_before_step(model, optimizer)      # gradients are fresh, parameters not yet moved
            optimizer.step()
            on_after_step(model, optimizer)       # parameters moved (weight constraints go here)
        on_epoch_end(epoch, logs, model, optimizer, history) -> stop?
    on_train_end(model, optimizer, history)

``epoch`` counts from 1, as ``History.epochs`` does. ``logs`` maps the names recorded this epoch
(``"loss"``, ``"val_loss"``, metrics, ``"lr"``) to their latest value. ``on_epoch_end``
returning True asks training to stop (the other callbacks still see that epoch's end).
Early stopping, learning-rate schedulers, the live ``TrainingView`` and ``Diagnostics`` are all
callbacks; :func:`as_callback` turns what ``fit`` is given into one:

- a :class:`Callback` is used as it is (``nn.EarlyStopping``, ``nn.TrainingView``,
  ``nn.Diagnostics``, your own subclass);
- an ``optim`` scheduler is wrapped by :class:`SchedulerCallback`: ``step()`` after each
  epoch, or ``step(metric)`` for one that needs a metric (``ReduceLROnPlateau``);
- a plain function ``f(epoch, history, model)`` is wrapped by :class:`FunctionCallback`
  (epoch from 1; returning True stops training).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import optim

__all__ = [
    "Callback",
    "FunctionCallback",
    "SchedulerCallback",
    "AfterStepCallback",
    "as_callback",
    "monitored_key",
    "check_monitored",
]


class Callback:
    """Base class of everything ``nn.fit`` calls back into; override the hooks you need."""

    def on_train_begin(self, model: Any, optimizer: Any, history: Any) -> None:
        """Before the first epoch (``history`` already has an empty list for every key that
        ``fit`` will record)."""

    def on_epoch_begin(self, epoch: int, model: Any, optimizer: Any, history: Any) -> None:
        """Before the first batch of epoch ``epoch`` (counting from 1)."""

    def on_before_step(self, model: Any, optimizer: Any) -> None:
        """After ``loss.backward()``, before ``optimizer.step()``: the gradients are fresh."""

    def on_after_step(self, model: Any, optimizer: Any) -> None:
        """Right after ``optimizer.step()``."""

    def on_epoch_end(
        self, epoch: int, logs: dict[str, float], model: Any, optimizer: Any, history: Any
    ) -> bool | None:
        """After each epoch (``epoch`` counts from 1); return True to stop training."""
        return None

    def on_train_end(self, model: Any, optimizer: Any, history: Any) -> None:
        """After the last epoch (also when a callback stopped training early)."""


def overrides(callback: Callback, hook: str) -> bool:
    """Whether ``callback``'s class replaces the base class's do-nothing ``hook`` (``fit``
    skips the others on its per-batch hot path)."""
    return getattr(type(callback), hook) is not getattr(Callback, hook)


def monitored_key(logs: dict[str, Any]) -> str:
    """What a callback watches by default: ``"val_loss"`` when there is validation data,
    else ``"loss"``."""
    return "val_loss" if "val_loss" in logs else "loss"


def check_monitored(owner: str, monitor: str | None, history: Any) -> None:
    """Before training: a callback's ``monitor`` must be a key that ``fit`` records."""
    if monitor is not None and monitor not in history:
        raise ValueError(
            f"fit: {owner} monitors {monitor!r}, which fit does not record here; it records "
            f"{sorted(history)}"
        )


class FunctionCallback(Callback):
    """A plain function ``f(epoch, history, model) -> stop?`` as a callback (epoch from 1)."""

    def __init__(self, function: Callable[[int, Any, Any], Any]) -> None:
        self.function = function

    def on_epoch_end(
        self, epoch: int, logs: dict[str, float], model: Any, optimizer: Any, history: Any
    ) -> bool:
        return bool(self.function(epoch, history, model))

    def __repr__(self) -> str:
        return f"FunctionCallback({getattr(self.function, '__name__', self.function)!r})"


class SchedulerCallback(Callback):
    """An ``optim`` learning-rate scheduler as a callback: one ``step`` after each epoch.

    A scheduler that ``needs_metric`` (``ReduceLROnPlateau``) gets ``logs[monitor]``: by
    default the validation loss, or the training loss without validation data.
    """

    def __init__(self, scheduler: optim.LRScheduler, monitor: str | None = None) -> None:
        self.scheduler = scheduler
        self.monitor = monitor

    def on_train_begin(self, model: Any, optimizer: Any, history: Any) -> None:
        check_monitored(type(self.scheduler).__name__, self.monitor, history)

    def on_epoch_end(
        self, epoch: int, logs: dict[str, float], model: Any, optimizer: Any, history: Any
    ) -> None:
        if self.scheduler.needs_metric:
            self.scheduler.step(logs[self.monitor or monitored_key(logs)])
        else:
            self.scheduler.step()

    def __repr__(self) -> str:
        return f"SchedulerCallback({self.scheduler!r})"


class AfterStepCallback(Callback):
    """``fit(after_step=f)``: ``f()`` right after every ``optimizer.step()``."""

    def __init__(self, function: Callable[[], Any]) -> None:
        self.function = function

    def on_after_step(self, model: Any, optimizer: Any) -> None:
        self.function()


def as_callback(obj: Any) -> Callback:
    """``obj`` as a :class:`Callback` (see the module docstring for what is accepted)."""
    if isinstance(obj, Callback):
        return obj
    if isinstance(obj, optim.LRScheduler):
        return SchedulerCallback(obj)
    if callable(obj):
        return FunctionCallback(obj)
    raise TypeError(
        f"fit: a callback must be an nn.Callback (such as nn.EarlyStopping), an optim "
        f"scheduler or a function (epoch, history, model) -> stop?, got {type(obj).__name__}"
    )
