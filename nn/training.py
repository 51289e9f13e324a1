"""Training loops: ``fit`` (epochs of mini-batch steps, with validation and callbacks), its
``History``, the ``accuracy`` metric, and ``random_restarts``.

``fit`` runs the loop that every notebook also writes by hand::

    for epoch in range(epochs):
        model.train()
        for xb, yb in train_loader:
            loss = loss_fn(model(xb), yb)    # forward: the cost of this batch
            optimizer.zero_grad()            # forget the last step's gradients
            loss.backward()                  # backward: ∂loss/∂w for every parameter
            optimizer.step()                 # update: w ← w − lr·∂loss/∂w (or Adam's rule)
        model.eval()
        with autograd.no_grad():
            val_loss = loss_fn(model(X_val), y_val)

and records, per epoch, the training loss, the validation loss and any metrics.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from autograd import Value, no_grad

from .early_stopping import EarlyStopping
from .module import Module

Metric = Callable[[np.ndarray, np.ndarray], float]


# ---------------------------------------------------------------------------- History
class History(dict):
    """What :func:`fit` records: a dict from a name to one number per epoch.

    Keys: ``"loss"`` (training loss: the mean over the epoch's batches, weighted by batch
    size), ``"val_loss"`` (with validation data), each metric name and ``"val_<name>"``, and
    ``"lr"`` (the first parameter group's learning rate during the epoch).

    - ``history.epochs``: the epoch numbers 1, 2, …, n (the x axis of :meth:`plot`);
    - ``history.stopped_epoch``: index of the epoch after which a callback stopped training
      (None if all epochs ran);
    - ``history.restored_epoch``: index of the epoch whose weights the model holds after
      :class:`nn.EarlyStopping` restored them (None otherwise).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stopped_epoch: int | None = None
        self.restored_epoch: int | None = None

    @property
    def epochs(self) -> list[int]:
        """The epoch numbers 1, …, n."""
        return list(range(1, len(self.get("loss", ())) + 1))

    def plot(self, keys: str | Sequence[str] | None = None, ax: Any = None) -> Any:
        """Draw per-epoch curves with matplotlib and return the ``Axes``.

        By default the training and validation losses; ``history.plot("accuracy")`` draws
        ``"accuracy"`` and ``"val_accuracy"``; a list names the keys exactly. A restored best
        epoch is marked with a dotted vertical line. Draws on ``ax`` if given, else on a new
        figure.
        """
        import matplotlib.pyplot as plt

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
            ax.axvline(self.restored_epoch + 1, color="grey", linestyle=":", label="best epoch")
        ax.set_xlabel("epoch")
        ax.set_ylabel(keys[0].removeprefix("val_"))
        ax.legend()
        return ax

    def __repr__(self) -> str:
        last = ", ".join(f"{k}={v[-1]:.4g}" for k, v in self.items() if v)
        return f"History(epochs={len(self.epochs)}{', ' if last else ''}{last})"


def _readable(key: str) -> str:
    """A legend label: "val_loss" → "validation loss", "accuracy" → "training accuracy"."""
    if key.startswith("val_"):
        return "validation " + key[4:].replace("_", " ")
    return key if key == "lr" else "training " + key.replace("_", " ")


# ---------------------------------------------------------------------------- metrics
def accuracy(outputs: Any, y: Any, threshold: float = 0.0) -> float:
    """The fraction of examples whose predicted class is the true one.

    - Several outputs per example (shape ``(N, C)``, logits or probabilities): the predicted
      class is the argmax; ``y`` holds integer labels ``(N,)`` or one-hot rows ``(N, C)``.
    - One output per example (shape ``(N,)`` or ``(N, 1)``): class 1 where the output exceeds
      ``threshold`` — 0 for logits or ±1 scores (the default), 0.5 for probabilities, e.g.
      ``metrics={"accuracy": functools.partial(nn.accuracy, threshold=0.5)}``; ``y`` holds
      0/1 or −1/+1 labels.
    """
    out = np.asarray(outputs.data if isinstance(outputs, Value) else outputs)
    labels = np.asarray(y.data if isinstance(y, Value) else y)
    if out.ndim >= 2 and out.shape[-1] > 1:
        predicted = out.argmax(axis=-1)
        if labels.shape == out.shape:  # one-hot or probability targets
            labels = labels.argmax(axis=-1)
    else:
        if out.ndim >= 2:
            out = out.reshape(out.shape[:-1])
        if labels.shape != out.shape and labels.shape == (*out.shape, 1):
            labels = labels.reshape(out.shape)
        predicted = out > threshold
        labels = labels > (0.5 if labels.size and labels.min() >= 0 else 0.0)
    if predicted.shape != labels.shape:
        raise ValueError(
            f"accuracy: outputs of shape {np.shape(outputs)} need labels of shape "
            f"{predicted.shape} (or one-hot {np.shape(outputs)}), got {np.shape(y)}"
        )
    if predicted.size == 0:
        raise ValueError("accuracy: no examples")
    return float(np.mean(predicted == labels))


# ---------------------------------------------------------------------------- fit
def fit(
    model: Module,
    loss_fn: Callable[[Any, Any], Value],
    optimizer: Any,
    train_loader: Iterable[tuple[Any, Any]],
    val: tuple[Any, Any] | Iterable[tuple[Any, Any]] | None = None,
    epochs: int = 10,
    callbacks: Sequence[Any] = (),
    metrics: Mapping[str, Metric] | None = None,
    progress: bool = True,
    after_step: Callable[[], Any] | None = None,
) -> History:
    """Train ``model`` for ``epochs`` passes over ``train_loader``; return the :class:`History`.

    - ``loss_fn(outputs, yb)`` returns the scalar cost of a batch, e.g. ``nn.F.cross_entropy``;
      add a penalty with a lambda: ``lambda out, y: F.cross_entropy(out, y) + 1e-4 *
      nn.l2_penalty(model)``.
    - ``optimizer``: an ``optim`` optimizer over ``model.parameters()``.
    - ``train_loader``: an ``nn.data.DataLoader`` or any re-iterable of ``(xb, yb)`` batches.
    - ``val``: validation data, ``(X, y)`` arrays (evaluated in one batch) or a loader;
      evaluated after each epoch in ``model.eval()`` mode under ``no_grad``. ``"val_loss"``
      is ``loss_fn`` on it, so it includes any penalty ``loss_fn`` adds (as in Keras).
    - ``metrics``: name → ``fn(outputs, y)`` on numpy arrays (the model's raw outputs, e.g.
      logits), such as ``{"accuracy": nn.accuracy}``. Computed once per epoch on the outputs
      the training steps produced (in training mode, as Keras reports them) and on the
      validation outputs (``"val_<name>"``).
    - ``callbacks``, run in order after each epoch:

      * an :class:`nn.EarlyStopping`: gets the epoch's ``"val_loss"`` (``"loss"`` without
        validation data, or its ``monitor`` key); training stops when it says so. With
        ``restore_best`` the model ends with the best epoch's weights — also when the epochs
        run out first;
      * an ``optim.ReduceLROnPlateau``: ``step(val_loss)`` (the training loss without
        validation data); any other ``optim`` scheduler: ``step()``, once per epoch;
      * any function ``f(epoch, history, model)`` (epoch: 0-based index of the epoch just
        finished); training stops if it returns True.

    - ``after_step``: a function called with no arguments right after every
      ``optimizer.step()`` — the place for a weight constraint, e.g.
      ``after_step=lambda: nn.max_norm_(nn.weights_only(model), 3.0)``.
    - ``progress``: a tqdm progress bar over the epochs, with the latest losses — shown only
      when stderr is a terminal or in Jupyter (as a widget when ipywidgets is installed, else
      as text), never with ``progress=False``.

    The model is left in evaluation mode (``model.eval()``), ready for predictions.
    """
    if not isinstance(model, Module):
        raise TypeError(f"fit: model must be an nn.Module, got {type(model).__name__}")
    if not callable(loss_fn):
        raise TypeError(f"fit: loss_fn must be a function (outputs, y) -> loss, got {loss_fn!r}")
    if not callable(getattr(optimizer, "step", None)) or not hasattr(optimizer, "zero_grad"):
        raise TypeError(
            f"fit: optimizer must be an optim optimizer (with step() and zero_grad()), got "
            f"{type(optimizer).__name__}; make one from the model's parameters, e.g. "
            "optim.Adam(model.parameters(), lr=1e-3)"
        )
    if isinstance(train_loader, tuple) or isinstance(train_loader, np.ndarray):
        raise TypeError(
            "fit: train_loader must yield (xb, yb) batches; wrap arrays in "
            "nn.data.DataLoader(X, y, batch_size=32)"
        )
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"fit: epochs must be a non-negative int, got {epochs!r}")
    if after_step is not None and not callable(after_step):
        raise TypeError(f"fit: after_step must be a function of no arguments, got {after_step!r}")
    if isinstance(val, tuple) and len(val) != 2:
        raise ValueError(f"fit: val must be a pair (X, y) or a loader, got a {len(val)}-tuple")
    metrics = _check_metrics(metrics)
    callbacks = list(callbacks) if isinstance(callbacks, (list, tuple)) else [callbacks]
    monitored = "val_loss" if val is not None else "loss"
    _check_callbacks(callbacks, metrics, val is not None)

    history = History()
    history["loss"] = []
    for name in metrics:
        history[name] = []
    if val is not None:
        history["val_loss"] = []
        for name in metrics:
            history[f"val_{name}"] = []
    history["lr"] = []
    bar = _progress_bar(progress, epochs)
    try:
        for epoch in range(epochs):
            history["lr"].append(_current_lr(optimizer))
            model.train()
            loss, outputs, targets = _train_epoch(
                model, loss_fn, optimizer, train_loader, bool(metrics), after_step
            )
            history["loss"].append(loss)
            for name, metric in metrics.items():
                history[name].append(float(metric(outputs, targets)))
            if val is not None:
                model.eval()
                val_loss, outputs, targets = _evaluate(model, loss_fn, val)
                history["val_loss"].append(val_loss)
                for name, metric in metrics.items():
                    history[f"val_{name}"].append(float(metric(outputs, targets)))
            stop = False
            for callback in callbacks:
                stop = _run_callback(callback, epoch, history, model, monitored) or stop
            if bar is not None:
                bar.set_postfix(
                    {k: f"{v[-1]:.4g}" for k, v in history.items() if k != "lr"}, refresh=False
                )
                bar.update(1)
            if stop:
                history.stopped_epoch = epoch
                break
        _finish_early_stopping(callbacks, history, model)
    finally:
        if bar is not None:
            bar.close()
        model.eval()
    return history


def _train_epoch(
    model: Module,
    loss_fn: Callable,
    optimizer: Any,
    loader: Iterable,
    keep: bool,
    after_step: Callable[[], Any] | None,
) -> tuple[float, Any, Any]:
    """One pass of forward, backward and update over ``loader``: (mean loss, outputs, ys).

    The loop is the hot path of training: nothing here allocates or wraps per batch beyond the
    forward and backward themselves. Outputs are kept (for metrics) only when ``keep``.
    """
    total = 0.0
    count = 0
    outputs: list[Any] = []
    targets: list[Any] = []
    zero_grad, step = optimizer.zero_grad, optimizer.step
    for batch in loader:
        try:
            xb, yb = batch
        except (TypeError, ValueError):
            raise TypeError(
                "fit: each training batch must be a pair (xb, yb); a DataLoader made "
                "without y yields xb only"
            ) from None
        out = model(xb)
        loss = loss_fn(out, yb)
        zero_grad()
        loss.backward()
        step()
        if after_step is not None:
            after_step()
        n = len(xb)
        total += float(loss.data) * n
        count += n
        if keep:
            outputs.append(out.data if isinstance(out, Value) else np.asarray(out))
            targets.append(yb)
    if count == 0:
        raise RuntimeError(
            "fit: the training loader yielded no batches this epoch; pass a re-iterable "
            "loader (nn.data.DataLoader), not a generator that is used up after one pass"
        )
    if keep:
        return total / count, _join(outputs), _join(targets)
    return total / count, None, None


def _evaluate(model: Module, loss_fn: Callable, val: Any) -> tuple[float, Any, Any]:
    """Validation loss (weighted by batch size), outputs and targets, without a graph."""
    with no_grad():
        if isinstance(val, tuple):
            X, y = val
            out = model(X)
            return float(loss_fn(out, y).data), _numpy(out), np.asarray(y)
        total, count, outputs, targets = 0.0, 0, [], []
        for batch in val:
            try:
                xb, yb = batch
            except (TypeError, ValueError):
                raise TypeError(
                    "fit: val must be a pair (X, y) — a tuple, not a list — or a loader of "
                    "(xb, yb) batches"
                ) from None
            out = model(xb)
            n = len(xb)
            total += float(loss_fn(out, yb).data) * n
            count += n
            outputs.append(_numpy(out))
            targets.append(np.asarray(yb))
    if count == 0:
        raise RuntimeError("fit: the validation loader yielded no batches")
    return total / count, _join(outputs), _join(targets)


def _numpy(out: Any) -> np.ndarray:
    return np.asarray(out.data if isinstance(out, Value) else out)


def _join(arrays: list[Any]) -> np.ndarray:
    return np.asarray(arrays[0]) if len(arrays) == 1 else np.concatenate(arrays)


def _current_lr(optimizer: Any) -> float:
    groups = getattr(optimizer, "param_groups", None)
    return float(groups[0]["lr"]) if groups else math.nan


def _check_metrics(metrics: Any) -> dict[str, Metric]:
    if metrics is None:
        return {}
    if not isinstance(metrics, Mapping):
        raise TypeError(
            "fit: metrics must be a dict name -> fn(outputs, y), e.g. {'accuracy': nn.accuracy}"
        )
    for name, fn in metrics.items():
        if not isinstance(name, str) or name in ("loss", "lr") or name.startswith("val_"):
            raise ValueError(
                f"fit: metric name {name!r} is not allowed (names are strings other than "
                "'loss' and 'lr', without the 'val_' prefix, which fit adds itself)"
            )
        if not callable(fn):
            raise TypeError(f"fit: metric {name!r} must be a function (outputs, y) -> number")
    return dict(metrics)


def _check_callbacks(callbacks: list[Any], metrics: dict[str, Metric], has_val: bool) -> None:
    import optim

    keys = {"loss", "lr", *metrics}
    if has_val:
        keys |= {"val_loss", *(f"val_{m}" for m in metrics)}
    for callback in callbacks:
        if isinstance(callback, EarlyStopping):
            if callback.monitor is not None and callback.monitor not in keys:
                raise ValueError(
                    f"fit: EarlyStopping monitors {callback.monitor!r}, which fit does not "
                    f"record here; it records {sorted(keys)}"
                )
        elif not isinstance(callback, optim.LRScheduler) and not callable(callback):
            raise TypeError(
                f"fit: a callback must be an nn.EarlyStopping, an optim scheduler or a function "
                f"(epoch, history, model) -> stop?, got {type(callback).__name__}"
            )


def _run_callback(
    callback: Any, epoch: int, history: History, model: Module, monitored: str
) -> bool:
    """Run one callback after ``epoch``; True if it asks to stop."""
    import optim

    if isinstance(callback, EarlyStopping):
        return callback.step(history[callback.monitor or monitored][-1], model)
    if isinstance(callback, optim.ReduceLROnPlateau):
        callback.step(history[monitored][-1])
        return False
    if isinstance(callback, optim.LRScheduler):
        callback.step()
        return False
    return bool(callback(epoch, history, model))


def _finish_early_stopping(callbacks: list[Any], history: History, model: Module) -> None:
    """Restore the best weights of an EarlyStopping (also when the epochs ran out first) and
    note in ``history`` which epoch they come from."""
    for callback in callbacks:
        if isinstance(callback, EarlyStopping) and callback.restore_best:
            if callback.restore(model):  # a no-op copy if step() has just restored them
                # The best epoch lies `counter` epochs before the last; it may predate this run.
                index = len(history["loss"]) - 1 - callback.counter
                history.restored_epoch = index if index >= 0 else None
            return


def _progress_bar(progress: bool, epochs: int) -> Any:
    """A tqdm bar over the epochs, or None when it should not be shown."""
    if not progress:
        return None
    if _in_jupyter():
        try:
            import ipywidgets  # noqa: F401
            from tqdm.notebook import tqdm
        except ImportError:
            from tqdm.std import tqdm
    elif sys.stderr is not None and hasattr(sys.stderr, "isatty") and sys.stderr.isatty():
        from tqdm.std import tqdm
    else:
        return None
    return tqdm(total=epochs, unit="epoch", desc="fit")


def _in_jupyter() -> bool:
    """True inside a Jupyter kernel (notebook, lab, VS Code)."""
    shell = sys.modules.get("IPython")
    if shell is None or "ipykernel" not in sys.modules:
        return False
    ip = shell.get_ipython() if hasattr(shell, "get_ipython") else None
    return type(ip).__name__ == "ZMQInteractiveShell"


# ---------------------------------------------------------------------------- restarts
def random_restarts(
    make_model: Callable[[], Module], train: Callable[[Module], Any], n: int
) -> tuple[Module, list[float]]:
    """Train ``n`` models from fresh random initialisations; keep the best one.

    Gradient descent ends in a minimum near where it starts, and a bad start can mean a poor
    local minimum; restarting from several initialisations and keeping the best is the simple
    remedy. ``make_model()`` builds a new model (drawing fresh weights from the shared
    generator); ``train(model)`` trains it and returns its score, **lower is better**:

    - a number (e.g. a validation loss, or ``-accuracy``), or
    - the :class:`History` from :func:`fit`: the score is the validation loss of the weights
      the model ends with — the restored best epoch's after early stopping, else the last
      epoch's — or the training loss without validation data.

    Returns ``(best_model, scores)``, the scores in the order trained. A NaN score (a run that
    diverged) counts as the worst; ties keep the earlier model. ``autograd.manual_seed``
    before the call makes the whole search repeatable.
    """
    if not callable(make_model) or not callable(train):
        raise TypeError("random_restarts(make_model, train, n): make_model and train must be "
                        "functions")  # fmt: skip
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"random_restarts: n must be a positive int, got {n!r}")
    best_model: Module | None = None
    best = math.inf
    scores: list[float] = []
    for i in range(n):
        model = make_model()
        score = _score(train(model), i)
        scores.append(score)
        rank = math.inf if math.isnan(score) else score
        if best_model is None or rank < best:
            best_model, best = model, rank
    assert best_model is not None
    return best_model, scores


def _score(result: Any, i: int) -> float:
    """The score of one restart: a number, or the loss a History assigns the final weights."""
    if isinstance(result, History):
        key = "val_loss" if result.get("val_loss") else "loss"
        values = result.get(key)
        if not values:
            raise ValueError(f"random_restarts: the History of run {i} recorded no epochs")
        index = -1 if result.restored_epoch is None else result.restored_epoch
        return float(values[index])
    if hasattr(result, "item"):
        result = result.item()
    if isinstance(result, bool) or not isinstance(result, (int, float)):
        raise TypeError(
            f"random_restarts: train(model) must return a score (lower is better) or a "
            f"History, got {type(result).__name__} from run {i}"
        )
    return float(result)
