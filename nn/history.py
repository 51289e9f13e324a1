"""``History``: what :func:`nn.fit` records, one number per epoch, and its plots."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .diagnostics import plot_diagnostics

__all__ = ["History"]


class History(dict):
    """What :func:`nn.fit` records: a dict from a name to one number per epoch.

    Keys: ``"loss"`` (training loss: the mean over the epoch's batches, weighted by batch
    size), ``"val_loss"`` (with validation data), each metric name and ``"val_<name>"``, and
    ``"lr"`` (the first parameter group's learning rate during the epoch).

    Epochs are numbered from 1 everywhere — here, in callbacks and in :class:`nn.EarlyStopping`
    — so epoch ``e``'s value of a key is ``history[key][e - 1]``:

    - ``history.epochs``: the epoch numbers 1, 2, …, n (the x axis of :meth:`plot`);
    - ``history.stopped_epoch``: the last epoch trained when a callback stopped training
      (None if all epochs ran);
    - ``history.restored_epoch``: the epoch whose weights the model holds after
      :class:`nn.EarlyStopping` restored them (None otherwise);
    - ``history.diagnostics``: what :class:`nn.Diagnostics` recorded (None without it); drawn
      by :meth:`plot_diagnostics`.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stopped_epoch: int | None = None
        self.restored_epoch: int | None = None
        self.diagnostics: dict[str, Any] | None = None

    @property
    def epochs(self) -> list[int]:
        """The epoch numbers 1, …, n."""
        return list(range(1, len(self.get("loss", ())) + 1))

    def summary(self) -> str:
        """One line on how training ended, e.g. ``"stopped at epoch 61, restored epoch 51"``."""
        if self.stopped_epoch is not None:
            text = f"stopped at epoch {self.stopped_epoch}"
        else:
            text = f"{len(self.epochs)} epochs"
        if self.restored_epoch is not None:
            text += f", restored epoch {self.restored_epoch}"
        return text

    def plot(self, keys: str | Sequence[str] | None = None, ax: Any = None) -> Any:
        """Draw per-epoch curves with matplotlib and return the ``Axes``.

        By default the training and validation losses; ``history.plot("accuracy")`` draws
        ``"accuracy"`` and ``"val_accuracy"``; a list names the keys exactly. A restored best
        epoch is marked with a dotted vertical line. Draws on ``ax`` if given, else on a new
        figure.
        """
        from .plots import pyplot  # matplotlib, or an error saying how to install it

        plt = pyplot()
        if keys is None:
            keys = [k for k in ("loss", "val_loss") if k in self]
        elif isinstance(keys, str):
            if keys not in self:
                raise KeyError(f"History.plot: no {keys!r} recorded; recorded: {list(self)}")
            keys = [keys] + ([f"val_{keys}"] if f"val_{keys}" in self else [])
        else:
            missing = [k for k in keys if k not in self]
            if missing:
                raise KeyError(f"History.plot: {missing} not recorded; recorded: {list(self)}")
        if ax is None:
            _, ax = plt.subplots()
        for key in keys:
            values = self[key]
            ax.plot(range(1, len(values) + 1), values, marker="." if len(values) < 50 else None,
                    label=_readable(key))  # fmt: skip
        if self.restored_epoch is not None:
            ax.axvline(self.restored_epoch, color="grey", linestyle=":", label="best epoch")
        ax.set_xlabel("epoch")
        ax.set_ylabel(keys[0].removeprefix("val_"))
        ax.legend()
        return ax

    def plot_diagnostics(self, epoch: int | None = None) -> Any:
        """The classic views of what :class:`nn.Diagnostics` recorded (a matplotlib Figure):
        activation histograms per layer (at ``epoch``, by default the last recorded), the
        fraction of saturated or dead units over time, gradient norms per layer over time and
        the update:data ratio against the 1e-3 guide line."""
        return plot_diagnostics(self, epoch=epoch)

    def __repr__(self) -> str:
        last = ", ".join(f"{k}={v[-1]:.4g}" for k, v in self.items() if v)
        return f"History(epochs={len(self.epochs)}{', ' if last else ''}{last})"


def _readable(key: str) -> str:
    """A legend label: "val_loss" → "validation loss", "accuracy" → "training accuracy"."""
    if key.startswith("val_"):
        return "validation " + key[4:].replace("_", " ")
    return key if key == "lr" else "training " + key.replace("_", " ")
