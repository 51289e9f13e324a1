"""``random_restarts``: train several models from fresh initialisations and keep the best."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from autograd.checks import check_int

from .history import History
from .module import Module

__all__ = ["random_restarts"]


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
    n = check_int("random_restarts", "n", n, fix="pass a positive int: how many models to train")
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
        index = -1 if result.restored_epoch is None else result.restored_epoch - 1
        return float(values[index])
    if hasattr(result, "item"):
        result = result.item()
    if isinstance(result, bool) or not isinstance(result, (int, float)):
        raise TypeError(
            f"random_restarts: train(model) must return a score (lower is better) or a "
            f"History, got {type(result).__name__} from run {i}"
        )
    return float(result)
