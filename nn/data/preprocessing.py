"""Preprocessing: standardise features, one-hot encode labels."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from autograd.checks import check_int

from ._checks import as_integer_labels, as_numeric_array, check_finite


class Standardizer:
    """Rescale each feature to mean 0 and standard deviation 1: ``z = (x − μ) / σ``.

    ``fit`` learns, per feature (every axis after the first, which indexes examples),

    .. math:: μ = \\frac{1}{n} \\sum_i x_i, \\qquad σ = \\sqrt{\\frac{1}{n} \\sum_i (x_i − μ)^2}

    (the population standard deviation). A feature that is constant on the fitting data has
    ``σ = 0``; its ``std_`` is set to 1 instead, so it maps to 0 rather than dividing by zero.

    Fit on the training part only, then transform every part with the same ``mean_`` and
    ``std_``: statistics taken from validation or test data would leak them into training::

        scaler = Standardizer().fit(Xtr)
        Xtr, Xva, Xte = scaler.transform(Xtr), scaler.transform(Xva), scaler.transform(Xte)

    Floating-point input keeps its dtype (float32 stays float32); integer or bool input comes
    back as float64. The statistics are computed in float64.
    """

    def __init__(self) -> None:
        self.mean_: np.ndarray | None = None
        self.std_: np.ndarray | None = None

    def fit(self, X: npt.ArrayLike) -> Standardizer:
        """Learn ``mean_`` and ``std_`` of each feature of ``X``; return ``self``."""
        X = self._checked(X, "fit")
        if len(X) == 0:
            raise ValueError("fit needs at least one example, got an empty X")
        mean = X.mean(axis=0, dtype=np.float64)
        std = X.std(axis=0, dtype=np.float64)
        std[std == 0] = 1.0
        self.mean_, self.std_ = mean, std
        return self

    def transform(self, X: npt.ArrayLike) -> np.ndarray:
        """``(X − mean_) / std_``, with the statistics learned by :meth:`fit`."""
        X = self._checked_fitted(X, "transform")
        dtype = _float_dtype(X)
        return (X - self.mean_.astype(dtype)) / self.std_.astype(dtype)

    def fit_transform(self, X: npt.ArrayLike) -> np.ndarray:
        """:meth:`fit` on ``X``, then :meth:`transform` it."""
        return self.fit(X).transform(X)

    def inverse_transform(self, X: npt.ArrayLike) -> np.ndarray:
        """Undo :meth:`transform`: ``X · std_ + mean_``."""
        X = self._checked_fitted(X, "inverse_transform")
        dtype = _float_dtype(X)
        return X * self.std_.astype(dtype) + self.mean_.astype(dtype)

    def _checked(self, X: npt.ArrayLike, method: str) -> np.ndarray:
        X = as_numeric_array(X, f"X passed to {method}")
        if X.ndim < 2:
            raise ValueError(
                f"Standardizer.{method} expects X of shape (examples, features), got shape "
                f"{X.shape}; for a single feature use X.reshape(-1, 1)"
            )
        check_finite(X, f"X passed to {method}")
        return X

    def _checked_fitted(self, X: npt.ArrayLike, method: str) -> np.ndarray:
        if self.mean_ is None:
            raise RuntimeError(
                f"Standardizer.{method} was called before fit; call fit(X_train) first "
                "(fit on the training data, then transform every part)"
            )
        X = self._checked(X, method)
        if X.shape[1:] != self.mean_.shape:
            raise ValueError(
                f"Standardizer was fitted on features of shape {self.mean_.shape} but "
                f"{method} got X with features of shape {X.shape[1:]}; pass data with the "
                "same features as in fit"
            )
        return X

    def __repr__(self) -> str:
        if self.mean_ is None:
            return "Standardizer(unfitted)"
        return f"Standardizer(features={self.mean_.shape})"


def _float_dtype(X: np.ndarray) -> np.dtype:
    """The dtype of the result: ``X``'s own if floating, else float64."""
    return X.dtype if X.dtype.kind == "f" else np.dtype(np.float64)


def one_hot(y: npt.ArrayLike, num_classes: int | None = None) -> np.ndarray:
    """Integer labels as float32 one-hot rows: ``out[..., k] = 1`` where ``y == k``, else 0.

    The result has shape ``y.shape + (num_classes,)``. ``num_classes=None`` uses
    ``max(y) + 1``; pass it explicitly when a batch may miss the highest class.
    """
    labels = as_integer_labels(y, "y")
    if labels.size and labels.min() < 0:
        raise ValueError(
            f"class labels must be 0 or more, but y contains {int(labels.min())}; "
            "relabel the classes as 0, 1, ..., num_classes - 1"
        )
    if num_classes is None:
        if labels.size == 0:
            raise ValueError("y is empty, so num_classes cannot be inferred; pass num_classes")
        num_classes = int(labels.max()) + 1
    num_classes = check_int("one_hot", "num_classes", num_classes)
    if labels.size and labels.max() >= num_classes:
        raise ValueError(
            f"y contains the label {int(labels.max())}, but num_classes={num_classes} allows "
            f"only 0..{num_classes - 1}; raise num_classes or relabel the classes"
        )
    return np.eye(num_classes, dtype=np.float32)[labels]
