"""Cut a data set into mini-batches, reshuffled every epoch."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

from autograd.checks import check_flag, check_int
from autograd.random import generator

from ._checks import (
    as_numeric_array,
    check_finite,
    check_same_length,
)


class DataLoader:
    """Iterate over ``(xb, yb)`` mini-batches of numpy arrays (just ``xb`` when ``y`` is None).

    The first axis of ``X`` (and ``y``) indexes examples. Each pass over the loader is one epoch:
    with ``shuffle=True`` it draws a fresh permutation from :func:`autograd.random.generator`
    when the pass starts, so ``autograd.random.manual_seed(n)`` makes the order repeatable and
    each epoch still sees a new order. Every example appears exactly once per epoch; the last
    batch holds the ``n mod batch_size`` leftovers unless ``drop_last=True`` drops it.

    The three flavours of gradient descent are only batch sizes:

    - full batch (batch gradient descent): ``batch_size=len(X)``, one step per epoch;
    - mini-batch gradient descent: ``1 < batch_size < len(X)``, the usual choice;
    - stochastic gradient descent on single examples: ``batch_size=1``.

    ``len(loader)`` is the number of batches per epoch: ``⌈n / batch_size⌉``, or
    ``⌊n / batch_size⌋`` with ``drop_last=True``. Batches are copies, so changing one in place
    never changes the data set.

    ``X`` (and a floating-point ``y``) must not hold NaN or ±inf: one such value would turn the
    loss, then every weight, into NaN at the first step. The error names the first bad entry.

    Example::

        for xb, yb in DataLoader(X, y, batch_size=64):
            loss = loss_fn(model(xb), yb)
    """

    def __init__(
        self,
        X: npt.ArrayLike,
        y: npt.ArrayLike | None = None,
        batch_size: int = 32,
        shuffle: bool = True,
        drop_last: bool = False,
    ) -> None:
        self.X = as_numeric_array(X, "X")
        self.y = None if y is None else np.asarray(y)
        if self.y is not None:
            if self.y.ndim == 0:
                raise ValueError(f"y must have one entry per example, got a scalar {self.y!r}")
            check_same_length(self.X, self.y)
            check_finite(self.y, "y")
        check_finite(self.X, "X")
        self.batch_size = check_int("DataLoader", "batch_size", batch_size)
        self.shuffle = check_flag("DataLoader", "shuffle", shuffle)
        self.drop_last = check_flag("DataLoader", "drop_last", drop_last)
        n = len(self.X)
        if n == 0:
            raise ValueError("X is empty: a DataLoader needs at least one example")
        if self.drop_last and self.batch_size > n:
            raise ValueError(
                f"batch_size={self.batch_size} is larger than the {n} examples, so drop_last=True "
                "would leave no batch at all; lower batch_size or set drop_last=False"
            )

    def __len__(self) -> int:
        n, size = len(self.X), self.batch_size
        return n // size if self.drop_last else -(-n // size)

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray] | np.ndarray]:
        n = len(self.X)
        order = generator().permutation(n) if self.shuffle else np.arange(n)
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            batch = order[start : start + self.batch_size]
            if self.y is None:
                yield self.X[batch]
            else:
                yield self.X[batch], self.y[batch]

    def __repr__(self) -> str:
        return (
            f"DataLoader(examples={len(self.X)}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last}, batches={len(self)})"
        )
