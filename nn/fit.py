"""``fit``: the training loop — epochs of mini-batch steps, validation, metrics and callbacks.

``fit`` runs the loop that every notebook also writes by hand::

    for epoch in range(1, epochs + 1):
        model.train()
        for xb, yb in train_loader:
            loss = loss_fn(model(xb), yb)    # forward: the cost of this batch
            optimizer.zero_grad()            # forget the last step's gradients
            loss.backward()                  # backward: ∂loss/∂w for every parameter
            optimizer.step()                 # update: w ← w − lr·∂loss/∂w (or Adam's rule)
        model.eval()
        with autograd.no_grad():
            val_loss = loss_fn(model(X_val), y_val)

and records, per epoch, the training loss, the validation loss and any metrics in a
:class:`History`. Everything else — early stopping, schedules, live views, diagnostics — hooks
in through the one :class:`nn.Callback` interface (see ``nn/callbacks.py`` for the order).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from autograd import Value, no_grad
from autograd.checks import check_callable, check_int

from .callbacks import AfterStepCallback, Callback, as_callback, overrides
from .history import History
from .module import Module
from .progress import make_progress

__all__ = ["fit"]

Metric = Callable[[np.ndarray, np.ndarray], float]


def fit(
    model: Module,
    loss_fn: Callable[[Any, Any], Value],
    optimizer: Any,
    train_loader: Iterable[tuple[Any, Any]],
    val: tuple[Any, Any] | Iterable[tuple[Any, Any]] | None = None,
    epochs: int = 10,
    callbacks: Sequence[Any] = (),
    metrics: Mapping[str, Metric] | None = None,
    progress: bool | str = True,
    after_step: Callable[[], Any] | None = None,
) -> History:
    """Train ``model`` for ``epochs`` passes over ``train_loader``; return the :class:`History`.

    - ``loss_fn(outputs, yb)`` returns the scalar cost of a batch as a ``Value``, e.g.
      ``nn.F.cross_entropy``; add a penalty with a lambda: ``lambda out, y:
      F.cross_entropy(out, y) + 1e-4 * nn.l2_penalty(nn.weights_only(model))``.
    - ``train_loader``: an ``nn.data.DataLoader`` or any re-iterable of ``(xb, yb)`` batches.
    - ``val``: validation data, ``(X, y)`` arrays (evaluated in one batch) or a loader;
      evaluated after each epoch in ``model.eval()`` mode under ``no_grad``. ``"val_loss"``
      is ``loss_fn`` on it, so it includes any penalty ``loss_fn`` adds (as in Keras).
    - ``metrics``: name → ``fn(outputs, y)`` on numpy arrays (the model's raw outputs, e.g.
      logits), such as ``{"accuracy": nn.accuracy}``. Computed once per epoch on the outputs
      the training steps produced (in training mode, as Keras reports them) and on the
      validation outputs (``"val_<name>"``).
    - ``callbacks``: :class:`nn.Callback` objects, called in order (see ``nn.callbacks``):
      an :class:`nn.EarlyStopping` (watches ``"val_loss"``, or ``"loss"`` without validation
      data, or its ``monitor``; with ``restore_best`` the model ends with the best epoch's
      weights, also when the epochs run out first), :class:`nn.Diagnostics`,
      :class:`nn.TrainingView`; an ``optim`` scheduler (``step()`` once per epoch;
      ``ReduceLROnPlateau.step(val_loss)``); or a function ``f(epoch, history, model)``
      (epoch from 1) that stops training by returning True.
    - ``after_step``: a function called with no arguments right after every
      ``optimizer.step()`` — the place for a weight constraint, e.g.
      ``after_step=lambda: nn.max_norm_(nn.weights_only(model), 3.0)``.
    - ``progress``: ``True`` shows a progress bar in a terminal and in Jupyter (a widget with
      ipywidgets installed, else one line updated in place), and nothing in a script whose
      output is not a terminal; ``"lines"`` prints one line per epoch; ``False`` nothing. When
      a callback stops training the bar ends with e.g. "stopped at epoch 61, restored epoch 51".

    Epochs are numbered from 1 (``history.epochs``, ``history.stopped_epoch``,
    ``history.restored_epoch``, the callbacks' ``epoch``). The model is left in evaluation mode
    (``model.eval()``), ready for predictions.
    """
    if not isinstance(model, Module):
        raise TypeError(f"fit: model must be an nn.Module, got {type(model).__name__}")
    check_callable("fit", "loss_fn", loss_fn, "(outputs, y) -> loss Value")
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
    epochs = check_int("fit", "epochs", epochs, low=0)
    if isinstance(val, tuple) and len(val) != 2:
        raise ValueError(f"fit: val must be a pair (X, y) or a loader, got a {len(val)}-tuple")
    metrics = _check_metrics(metrics)
    given = list(callbacks) if isinstance(callbacks, (list, tuple)) else [callbacks]
    hooks = [as_callback(c) for c in given]
    if after_step is not None:
        check_callable("fit", "after_step", after_step, "of no arguments")
        hooks.append(AfterStepCallback(after_step))

    history = History()
    history["loss"] = []
    for name in metrics:
        history[name] = []
    if val is not None:
        history["val_loss"] = []
        for name in metrics:
            history[f"val_{name}"] = []
    history["lr"] = []
    bar = make_progress(progress, epochs)
    try:
        for hook in hooks:
            hook.on_train_begin(model, optimizer, history)
        step_hooks = (
            [h for h in hooks if overrides(h, "on_before_step")],
            [h for h in hooks if overrides(h, "on_after_step")],
        )
        for epoch in range(1, epochs + 1):
            for hook in hooks:
                hook.on_epoch_begin(epoch, model, optimizer, history)
            history["lr"].append(_current_lr(optimizer))
            model.train()
            loss, outputs, targets = _train_epoch(
                model, loss_fn, optimizer, train_loader, bool(metrics), step_hooks
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
            logs = {key: values[-1] for key, values in history.items()}
            stop = False
            for hook in hooks:
                stop = bool(hook.on_epoch_end(epoch, logs, model, optimizer, history)) or stop
            bar.update(epoch, logs)
            if stop:
                history.stopped_epoch = epoch
                break
        for hook in hooks:
            hook.on_train_end(model, optimizer, history)
    finally:
        bar.close(history)
        model.eval()
    return history


def _train_epoch(
    model: Module,
    loss_fn: Callable,
    optimizer: Any,
    loader: Iterable,
    keep: bool,
    step_hooks: tuple[list[Callback], list[Callback]],
) -> tuple[float, Any, Any]:
    """One pass of forward, backward and update over ``loader``: (mean loss, outputs, ys).

    The loop is the hot path of training: nothing here allocates or wraps per batch beyond the
    forward and backward themselves; only callbacks that override a step hook are called.
    Outputs are kept (for metrics) only when ``keep``.
    """
    total = 0.0
    count = 0
    outputs: list[Any] = []
    targets: list[Any] = []
    zero_grad, step = optimizer.zero_grad, optimizer.step
    before, after = step_hooks
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
        if not isinstance(loss, Value) or np.ndim(loss.data) != 0:
            _bad_loss(loss)
        value = float(loss.data)
        if not math.isfinite(value):  # before any parameter moves: the model stays as it was
            raise FloatingPointError(
                f"fit: the loss of batch {count // max(len(xb), 1) + 1} is {value} (not finite), "
                "so training stops before the step. Look for NaN or inf in the data "
                "(np.isfinite(X).all()), or lower the learning rate; run the step inside "
                "autograd.detect_anomaly() to find the op that made it"
            )
        zero_grad()
        loss.backward()
        for hook in before:
            hook.on_before_step(model, optimizer)
        step()
        for hook in after:
            hook.on_after_step(model, optimizer)
        n = len(xb)
        total += value * n
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


def _bad_loss(loss: Any) -> None:
    """Raise the error for a ``loss_fn`` result that ``backward`` cannot start from."""
    if not isinstance(loss, Value):
        raise TypeError(
            f"fit: loss_fn returned a {type(loss).__name__} ({loss!r:.40}), not a Value, so "
            "there is no graph to backpropagate through. Build the loss from the model's "
            "outputs with autograd operations (e.g. nn.F.cross_entropy(out, y)) and return "
            "it without float(), .item() or np.mean()"
        )
    raise ValueError(
        f"fit: loss_fn returned a Value of shape {np.shape(loss.data)}; it must be a scalar. "
        "Reduce it, e.g. with .mean() or reduction='mean'"
    )


def _evaluate(model: Module, loss_fn: Callable, val: Any) -> tuple[float, Any, Any]:
    """Validation loss (weighted by batch size), outputs and targets, without a graph."""
    with no_grad():
        if isinstance(val, tuple):
            X, y = val
            out = model(X)
            return _loss_number(loss_fn(out, y)), _numpy(out), np.asarray(y)
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
            total += _loss_number(loss_fn(out, yb)) * n
            count += n
            outputs.append(_numpy(out))
            targets.append(np.asarray(yb))
    if count == 0:
        raise RuntimeError("fit: the validation loader yielded no batches")
    return total / count, _join(outputs), _join(targets)


def _loss_number(loss: Any) -> float:
    if not isinstance(loss, Value) or np.ndim(loss.data) != 0:
        _bad_loss(loss)
    return float(loss.data)


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
        check_callable("fit", f"metric {name!r}", fn, "(outputs, y) -> number")
    return dict(metrics)
