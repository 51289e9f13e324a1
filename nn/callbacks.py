"""``Callback``: the one interface through which ``nn.fit`` lets other code watch and steer training.

``fit`` calls each callback's hooks in this order (every hook is optional; the base class's do
nothing)::

    on_train_begin(model, optimizer, history)
    for each epoch:
        for each batch:
            ... forward, loss.backward() ...
            on_before_step(model, optimizer)      # gradients are fresh, parameters not yet moved
            optimizer.step()
            on_after_step(model, optimizer)       # parameters moved (weight constraints go here)
        on_epoch_end(epoch, logs, model, optimizer, history) -> stop?
    on_train_end(model, optimizer, history)

``epoch`` counts from 1, as ``History.epochs`` does. ``logs`` maps the names recorded this epoch
(``"loss"``, ``"val_loss"``, metrics, ``"lr"``) to their latest value. ``on_epoch_end``
returning True asks training to stop. Early stopping, learning-rate schedulers, the live
``TrainingView`` and ``Diagnostics`` are all callbacks; a plain function
``f(epoch, history, model)`` is wrapped as one.
"""

from __future__ import annotations

from typing import Any


class Callback:
    """Base class of everything ``nn.fit`` calls back into; override the hooks you need."""

    def on_train_begin(self, model: Any, optimizer: Any, history: Any) -> None:
        """Before the first epoch."""

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
