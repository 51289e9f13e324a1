"""Selection: argmax, argmin, argsort, sort and topk.

No new primitive. The positions (``argmax``, ``argmin``, ``argsort``, topk's indices) are
plain integer arrays: an index has no gradient. The values (``sort``, ``topk``) are the input
read at those positions — ``take_along_axis`` — so the gradient flows to the selected elements
and is 0 for the others, as in PyTorch. Ties are broken by position (a stable sort).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.ops.gather import take_along_axis
from autograd.value import Value


def _data(x: Any) -> np.ndarray:
    return np.asarray(x.data if isinstance(x, Value) else x)


def argmax(x: Any, axis: int | None = None, keepdims: bool = False) -> np.ndarray:
    """The position of the largest element (the first on ties) — a plain integer array."""
    return np.argmax(_data(x), axis=axis, keepdims=keepdims)


def argmin(x: Any, axis: int | None = None, keepdims: bool = False) -> np.ndarray:
    """The position of the smallest element (the first on ties) — a plain integer array."""
    return np.argmin(_data(x), axis=axis, keepdims=keepdims)


def argsort(x: Any, axis: int = -1, descending: bool = False) -> np.ndarray:
    """The positions that sort ``x`` along ``axis`` (stable) — a plain integer array."""
    data = _data(x)
    if descending:
        return _argsort_descending(data, axis)
    return np.argsort(data, axis=axis, kind="stable")


def _argsort_descending(data: np.ndarray, axis: int) -> np.ndarray:
    """Stable descending order: among equal elements the earlier one comes first.

    A stable ascending sort of the reversed array, read backwards, is descending; reversing the
    array first keeps equal elements in their original order."""
    n = data.shape[axis]
    reversed_order = np.argsort(np.flip(data, axis), axis=axis, kind="stable")
    return np.ascontiguousarray(np.flip(n - 1 - reversed_order, axis))


def sort(x: Any, axis: int = -1, descending: bool = False) -> Value:
    """``x`` sorted along ``axis`` (numpy's ``sort``; ``descending`` as PyTorch's).

    Sorting only moves numbers: the gradient goes back to each element's old position.
    """
    x = x if isinstance(x, Value) else Value(x, requires_grad=False)
    if x.ndim == 0:
        return x
    return take_along_axis(x, argsort(x, axis, descending), axis)


def topk(
    x: Any,
    k: int,
    axis: int = -1,
    largest: bool = True,
    sorted: bool = True,  # noqa: A002
) -> tuple[Value, np.ndarray]:
    """The ``k`` largest (``largest=False``: smallest) elements along ``axis`` and their
    positions, as PyTorch's ``topk``: ``(values, indices)``. The gradient reaches only the
    selected elements."""
    x = x if isinstance(x, Value) else Value(x, requires_grad=False)
    n = x.shape[axis]
    if not 0 <= k <= n:
        raise ValueError(f"topk: k = {k} is out of range for an axis of length {n}")
    order = argsort(x, axis, descending=largest)
    indices = np.take(order, np.arange(k), axis=axis)
    del sorted  # the k are always returned in sorted order (allowed by PyTorch's contract)
    return take_along_axis(x, indices, axis), indices
