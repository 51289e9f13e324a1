"""Argument checks shared by ``autograd``, ``nn`` and ``optim``: one wording for every library.

Each helper takes ``owner`` (the function or class a user called, e.g. ``"SGD"`` or
``"fit"``), the argument's ``name`` and its ``value``; it returns the value normalised to a plain
Python type, or raises an error that names the owner, the argument, what it got and what it
needs::

    lr = check_number("SGD", "lr", lr)         # SGD: invalid lr=-0.1; it must be >= 0
    n = check_int("fit", "epochs", n, low=0)   # fit: epochs must be an int, got float 2.5
    p = check_probability("Dropout", "p", p)   # Dropout: invalid p=1.0; it must be in [0, 1)

A wrong *type* raises ``TypeError``, a value out of range ``ValueError`` (as in PyTorch). Python
floats are returned rather than numpy scalars: a ``np.float64`` would silently upcast float32
arrays in numpy arithmetic.
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

__all__ = [
    "check_number",
    "check_int",
    "check_probability",
    "check_flag",
    "check_choice",
    "check_callable",
    "check_shape",
    "check_size",
    "check_dtype",
    "did_you_mean",
]


def _fix(fix: str | None) -> str:
    return f"; {fix}" if fix else ""


def check_number(
    owner: str,
    name: str,
    value: Any,
    *,
    low: float | None = 0.0,
    high: float | None = None,
    high_open: bool = False,
    fix: str | None = None,
) -> float:
    """``value`` as a finite Python float in ``[low, high]`` (``[low, high)`` with
    ``high_open``; ``low=None`` for no lower bound), or a clear error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{owner}: {name} must be a number, got {type(value).__name__} {value!r}{_fix(fix)}"
        )
    number = float(value)
    too_low = low is not None and number < low
    too_high = high is not None and (number >= high if high_open else number > high)
    if not math.isfinite(number) or too_low or too_high:
        if high is None:
            allowed = "finite" if low is None else f">= {low:g}"
        else:
            allowed = f"in [{'-inf' if low is None else f'{low:g}'}, {high:g}"
            allowed += ")" if high_open else "]"
        raise ValueError(f"{owner}: invalid {name}={value!r}; it must be {allowed}{_fix(fix)}")
    return number


def check_int(
    owner: str, name: str, value: Any, *, low: int | None = 1, fix: str | None = None
) -> int:
    """``value`` as a Python int ``>= low`` (``low=1``: a positive int; ``low=0``:
    non-negative; ``None``: any), or a clear error. Booleans and floats such as 2.0 are refused."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{owner}: {name} must be an int, got {type(value).__name__} {value!r}{_fix(fix)}"
        )
    if low is not None and value < low:
        raise ValueError(f"{owner}: invalid {name}={value!r}; it must be >= {low}{_fix(fix)}")
    return int(value)


def check_probability(
    owner: str, name: str, value: Any, *, include_one: bool = False, fix: str | None = None
) -> float:
    """``value`` as a Python float in ``[0, 1)`` (``[0, 1]`` with ``include_one``)."""
    return check_number(owner, name, value, low=0.0, high=1.0, high_open=not include_one, fix=fix)


def check_flag(owner: str, name: str, value: Any) -> bool:
    """``value`` if it is a bool (Python or numpy), else a ``TypeError`` naming the option."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{owner}: {name} must be True or False, got {value!r}")
    return bool(value)


def check_choice(owner: str, name: str, value: Any, choices: Iterable[str]) -> str:
    """``value`` if it is one of ``choices``, else a ``ValueError`` listing them."""
    choices = list(choices)
    if not isinstance(value, str) or value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise ValueError(
            f"{owner}: {name} must be one of {listed}, got {value!r}{did_you_mean(value, choices)}"
        )
    return value


def check_callable(owner: str, name: str, value: Any, signature: str) -> Callable[..., Any]:
    """``value`` if it can be called, else a ``TypeError`` showing the expected ``signature``
    (e.g. ``"(outputs, y) -> loss"``)."""
    if not callable(value):
        raise TypeError(
            f"{owner}: {name} must be a function {signature}, got {type(value).__name__} {value!r}"
        )
    return value


def check_shape(
    owner: str, name: str, array: Any, shape: tuple[int, ...], *, fix: str | None = None
) -> None:
    """Raise a ``ValueError`` unless ``np.shape(array) == shape``."""
    got = np.shape(array)
    if got != tuple(shape):
        raise ValueError(f"{owner}: {name} has shape {got}, expected {tuple(shape)}{_fix(fix)}")


def check_dtype(owner: str, dtype: Any) -> np.dtype:
    """A floating-point numpy dtype for a layer's parameters, or a clear error."""
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(
            f"{owner}: dtype must be a floating-point type (float32 or float64), got {dtype}"
        )
    return dtype


def check_size(owner: str, name: str, value: Any) -> int:
    """A layer size: a positive int, or a ``ValueError`` (for any wrong value, as PyTorch's
    layers raise for a bad size)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{owner}: {name} must be a positive integer, got {value!r}")
    return int(value)


def did_you_mean(key: Any, options: Iterable[str]) -> str:
    """``" (did you mean 'momentum'?)"`` for the closest option, or ``""``."""
    close = difflib.get_close_matches(str(key), list(options), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
