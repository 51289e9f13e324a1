"""Split a data set into training, validation and test parts."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from autograd.checks import check_flag, check_probability

from ._checks import (
    as_numeric_array,
    check_finite,
    check_same_length,
    has_integer_dtype,
    rng_from_seed,
)

Part = tuple[np.ndarray, np.ndarray]


def train_val_test_split(
    X: npt.ArrayLike,
    y: npt.ArrayLike,
    val: float = 0.1,
    test: float = 0.2,
    stratify: bool = True,
    seed: int | None = None,
) -> tuple[Part, Part, Part]:
    """Shuffle and split ``(X, y)`` into ``((Xtr, ytr), (Xva, yva), (Xte, yte))``.

    With ``n`` examples the test part gets ``round(test·n)`` of them, the validation part
    ``round(val·n)``, and training the rest (which must not be empty). ``val=0`` gives an empty
    validation part.

    ``stratify=True`` keeps each class's share the same in all three parts (to within one
    example per class and part) when ``y`` holds integer class labels (a 1-D integer or bool
    array); for any other ``y`` (e.g. float regression targets) the split is plain random.

    ``seed=None`` draws from the shared generator (see ``autograd.random.manual_seed``); an int
    uses its own ``np.random.default_rng(seed)`` and leaves the shared one untouched.

    ``X`` (and a floating-point ``y``) must not be empty or hold NaN or ±inf: the error names
    the first bad entry, before anything is split.
    """
    X = as_numeric_array(X, "X")
    y = np.asarray(y)
    if y.ndim == 0:
        raise ValueError(f"y must have one entry per example, got a scalar {y!r}")
    check_same_length(X, y)
    stratify = check_flag("train_val_test_split", "stratify", stratify)
    if len(X) == 0:
        raise ValueError("X is empty: train_val_test_split needs at least one example")
    check_finite(X, "X")
    check_finite(y, "y")
    val = check_probability("train_val_test_split", "val", val)
    test = check_probability("train_val_test_split", "test", test)
    n = len(X)
    n_test = _round_half_up(test * n)
    n_val = _round_half_up(val * n)
    if n - n_val - n_test < 1:
        raise ValueError(
            f"val={val} and test={test} leave no training examples out of {n}; "
            "lower val and/or test so that val + test < 1"
        )
    rng = rng_from_seed(seed)

    if stratify and y.ndim == 1 and has_integer_dtype(y):
        order = _stratified_order(y, rng)
    else:
        order = rng.permutation(n)

    # Parts are taken from the front; each is reshuffled so its classes come in random order.
    test_idx = rng.permutation(order[:n_test])
    val_idx = rng.permutation(order[n_test : n_test + n_val])
    train_idx = rng.permutation(order[n_test + n_val :])
    return (X[train_idx], y[train_idx]), (X[val_idx], y[val_idx]), (X[test_idx], y[test_idx])


def _round_half_up(x: float) -> int:
    return int(np.floor(x + 0.5))


def _stratified_order(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """An ordering of all examples whose every prefix holds each class in proportion.

    Within class ``c`` (``n_c`` examples, shuffled) the ``r``-th example gets the key
    ``(r + u_c) / n_c`` with a random offset ``u_c ∈ [0, 1)``: the keys of each class are spread
    evenly over ``[0, 1)``. Sorting all examples by key interleaves the classes, so the first
    ``k`` examples contain about ``k · n_c / n`` of class ``c`` — off by at most one.
    """
    keys = np.empty(len(labels))
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        keys[members] = (np.arange(len(members)) + rng.random()) / len(members)
    # A random permutation first, then a stable sort, so equal keys tie in random order.
    shuffled = rng.permutation(len(labels))
    return shuffled[np.argsort(keys[shuffled], kind="stable")]
