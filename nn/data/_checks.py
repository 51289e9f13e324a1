"""Input checks shared by the data utilities.

Each helper either returns a clean value or raises ``TypeError`` / ``ValueError`` with a message
that names the argument, says what was wrong, and says how to fix it.
"""

from __future__ import annotations

import numbers

import numpy as np
import numpy.typing as npt

from autograd.random import generator

# numpy dtype kinds that count as numbers here: bool, signed int, unsigned int, float.
_NUMERIC_KINDS = "biuf"


def as_numeric_array(values: npt.ArrayLike, name: str, *, min_ndim: int = 1) -> np.ndarray:
    """``values`` as a numpy array of numbers with at least ``min_ndim`` axes."""
    try:
        array = np.asarray(values)
    except ValueError as error:  # ragged nested lists
        raise ValueError(
            f"{name} could not be made into an array ({error}); every row must have the same length"
        ) from None
    if array.dtype.kind not in _NUMERIC_KINDS:
        raise TypeError(
            f"{name} must hold numbers, got dtype {array.dtype}; "
            f"convert it first, e.g. np.asarray({name}, dtype=np.float32)"
        )
    if array.ndim < min_ndim:
        raise ValueError(
            f"{name} must have at least {min_ndim} axis(es) (examples first), "
            f"got shape {array.shape}"
        )
    return array


def check_finite(array: np.ndarray, name: str) -> None:
    """Refuse NaN and ±inf, pointing at the first bad entry."""
    if array.dtype.kind == "f":
        bad = ~np.isfinite(array)
        if bad.any():
            first = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ValueError(
                f"{name} contains {int(bad.sum())} NaN or infinite value(s), the first at index "
                f"{first} ({array[first]}); remove or impute them before using {name}"
            )


def check_same_length(X: np.ndarray, y: np.ndarray, x_name: str = "X", y_name: str = "y") -> None:
    """Refuse ``X`` and ``y`` with different numbers of examples (first axis)."""
    if len(X) != len(y):
        raise ValueError(
            f"{x_name} and {y_name} must have one entry per example, but {x_name} has "
            f"{len(X)} and {y_name} has {len(y)}"
        )


def has_integer_dtype(array: np.ndarray) -> bool:
    """True for bool and integer arrays: the ones that can be read as class labels as stored."""
    return array.dtype.kind in "biu"


def as_integer_labels(values: npt.ArrayLike, name: str) -> np.ndarray:
    """``values`` as an int64 array of class labels.

    Integer and bool arrays pass; float arrays pass only when every entry is a whole number (as
    labels read from a text file often are).
    """
    array = as_numeric_array(values, name, min_ndim=0)
    if array.dtype.kind == "f":
        fractional = ~np.isfinite(array) | (array != np.round(array))
        if fractional.any():
            first = tuple(int(i) for i in np.argwhere(fractional)[0])
            raise ValueError(
                f"{name} must hold integer class labels, but {name}[{first}] is {array[first]}; "
                "pass labels such as 0, 1, 2, ... (use argmax to turn scores into labels)"
            )
    return array.astype(np.int64)


def rng_from_seed(seed: int | None) -> np.random.Generator:
    """The shared generator for ``seed=None``; a private ``default_rng(seed)`` for an int."""
    if seed is None:
        return generator()
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be None or an int, got {seed!r}")
    return np.random.default_rng(int(seed))
