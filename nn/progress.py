"""How :func:`nn.fit` shows its progress: a bar, one updating line, lines, or nothing.

``fit(progress=...)`` picks one of these:

- ``True`` (the default) chooses by where the code runs:

  * in Jupyter with ``ipywidgets`` installed: a notebook progress bar (a widget) while training
    runs, replaced at the end by one line of text saying how it ended — a saved notebook keeps
    no widgets, so that line is what a reader of the saved notebook sees;
  * in Jupyter without it: **one** line of text, updated in place (a display with an id), so
    the saved notebook holds a single line with the final numbers — never a wall of text;
  * in a terminal (stderr is a tty): a text bar (tqdm) that rewrites itself;
  * anywhere else (a script whose output goes to a file or a CI log): nothing.

- ``"lines"``: one printed line per epoch on stdout, e.g. for a log file;
- ``False``: nothing.

When training ends early the bar does not freeze part-way: it ends full, saying why, e.g.
``stopped at epoch 61, restored epoch 51`` (from :meth:`History.summary`).
"""

from __future__ import annotations

import sys
import time
from typing import Any

__all__ = ["make_progress", "in_jupyter"]


def in_jupyter() -> bool:
    """True inside a Jupyter kernel (JupyterLab, Notebook, VS Code)."""
    shell = sys.modules.get("IPython")
    if shell is None or "ipykernel" not in sys.modules:
        return False
    ip = shell.get_ipython() if hasattr(shell, "get_ipython") else None
    return type(ip).__name__ == "ZMQInteractiveShell"


def _has_ipywidgets() -> bool:
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return True


def _numbers(logs: dict[str, float]) -> str:
    return " ".join(f"{k}={v:.4g}" for k, v in logs.items() if k != "lr")


class Progress:
    """Shows nothing; the base of the other displays."""

    def update(self, epoch: int, logs: dict[str, float]) -> None:
        """Epoch ``epoch`` (from 1) has ended with these numbers."""

    def close(self, history: Any) -> None:
        """Training has ended (normally, stopped early, or by an error)."""


class Bar(Progress):
    """A tqdm text bar in a terminal, rewriting itself in place."""

    def __init__(self, epochs: int) -> None:
        from tqdm.std import tqdm

        self.bar = tqdm(total=epochs, unit="epoch", desc="fit")

    def update(self, epoch: int, logs: dict[str, float]) -> None:
        shown = {k: f"{v:.4g}" for k, v in logs.items() if k != "lr"}
        self.bar.set_postfix(shown, refresh=False)
        self.bar.update(1)

    def close(self, history: Any) -> None:
        bar = self.bar
        if history.stopped_epoch is not None or history.restored_epoch is not None:
            if bar.n < (bar.total or 0):  # stopped early: end full, not frozen part-way
                bar.total = bar.n
            bar.set_description(f"fit: {history.summary()}", refresh=False)
        bar.close()


def final_line(history: Any, epochs: int) -> str:
    """The line a notebook keeps after training, e.g. ``fit: |████████████████████| stopped at
    epoch 61 of 150, restored epoch 51  loss=0.0016 val_loss=0.071`` (the bar ends full when a
    callback stopped training: nothing is left to run)."""
    done = len(history.get("loss", ()))
    if history.stopped_epoch is not None:
        filled, how = 20, f"stopped at epoch {history.stopped_epoch} of {epochs}"
    else:
        filled = round(20 * done / epochs) if epochs else 20
        how = f"{done}/{epochs} epochs"
    if history.restored_epoch is not None:
        how += f", restored epoch {history.restored_epoch}"
    numbers = _numbers({k: v[-1] for k, v in history.items() if v})
    return f"fit: |{'█' * filled}{' ' * (20 - filled)}| {how}  {numbers}".rstrip()


class WidgetBar(Progress):
    """A notebook progress bar (ipywidgets) while training runs; afterwards it is replaced by
    one line of text (:func:`final_line`), so a saved notebook — which keeps no widgets —
    shows how training ended instead of a bar frozen at 0 %."""

    def __init__(self, epochs: int) -> None:
        import ipywidgets
        from IPython.display import display

        self.epochs = epochs
        self.bar = ipywidgets.IntProgress(value=0, min=0, max=max(epochs, 1), description="fit")
        self.label = ipywidgets.Label(value=f"0/{epochs} epochs")
        self.box = ipywidgets.HBox([self.bar, self.label])
        self.handle = display(self.box, display_id=True)
        self.last = 0.0

    def update(self, epoch: int, logs: dict[str, float]) -> None:
        self.bar.value = epoch
        now = time.monotonic()
        if now - self.last >= 0.1 or epoch == self.epochs:
            self.last = now
            self.label.value = f"{epoch}/{self.epochs} epochs  {_numbers(logs)}"

    def close(self, history: Any) -> None:
        if self.handle is not None:
            self.handle.update({"text/plain": final_line(history, self.epochs)}, raw=True)
        self.box.close()


class JupyterLine(Progress):
    """One text line in the notebook, replaced in place (at most a few times a second)."""

    def __init__(self, epochs: int) -> None:
        from IPython.display import display

        self.epochs = epochs
        self.last = 0.0
        self.text = f"fit: 0/{epochs} epochs"
        self.handle = display({"text/plain": self.text}, raw=True, display_id=True)

    def update(self, epoch: int, logs: dict[str, float]) -> None:
        self.text = f"fit: epoch {epoch}/{self.epochs}  {_numbers(logs)}"
        now = time.monotonic()
        if now - self.last >= 0.25:
            self.last = now
            self._show()

    def _show(self) -> None:
        if self.handle is not None:
            self.handle.update({"text/plain": self.text}, raw=True)

    def close(self, history: Any) -> None:
        self.text = final_line(history, self.epochs)
        self._show()


class Lines(Progress):
    """One printed line per epoch (``progress="lines"``), and how training ended."""

    def __init__(self, epochs: int) -> None:
        self.epochs = epochs

    def update(self, epoch: int, logs: dict[str, float]) -> None:
        print(f"epoch {epoch}/{self.epochs}: {_numbers(logs)}", flush=True)

    def close(self, history: Any) -> None:
        if history.stopped_epoch is not None or history.restored_epoch is not None:
            print(f"fit: {history.summary()}", flush=True)


def make_progress(progress: Any, epochs: int) -> Progress:
    """The display for ``fit(progress=...)`` (see the module docstring)."""
    if progress is False or progress is None:
        return Progress()
    if progress == "lines":
        return Lines(epochs)
    if progress is not True:
        raise ValueError(f"fit: progress must be True, False or 'lines', got {progress!r}")
    if in_jupyter():
        return WidgetBar(epochs) if _has_ipywidgets() else JupyterLine(epochs)
    stderr = sys.stderr
    if stderr is not None and hasattr(stderr, "isatty") and stderr.isatty():
        return Bar(epochs)
    return Progress()
