"""Small 2-D classification problems for trying out models and drawing decision boundaries.

Every maker returns ``(X, y)``: ``X`` float32 of shape ``(n, 2)``, ``y`` int64 labels
``0, 1, ...`` with the classes as balanced as ``n`` allows, in shuffled order. ``noise`` is the
standard deviation of Gaussian noise added to each coordinate. ``seed=None`` draws from the
shared generator (see ``autograd.random.manual_seed``); an int uses its own
``np.random.default_rng(seed)``. Extra shape parameters (``factor``, ``classes``) are
keyword-only.
"""

from __future__ import annotations

import numpy as np

from autograd.checks import check_int, check_number

from ._checks import rng_from_seed

Dataset = tuple[np.ndarray, np.ndarray]


def make_xor(n: int = 200, noise: float = 0.1, seed: int | None = None) -> Dataset:
    """Four clusters at the corners ``(±1, ±1)``; the label is 1 where the signs differ.

    ``y = [x₁ > 0] XOR [x₂ > 0]``: the classic problem no single linear boundary solves. With
    ``noise=0`` the points sit exactly on the four corners.
    """
    rng, labels = _start("make_xor", n, noise, 2, seed)
    first = rng.choice([-1.0, 1.0], size=n)
    second = np.where(labels == 0, first, -first)
    return _finish(np.column_stack([first, second]), labels, noise, rng)


def make_moons(n: int = 200, noise: float = 0.1, seed: int | None = None) -> Dataset:
    """Two interleaving half circles of radius 1.

    Class 0: ``(cos t, sin t)``; class 1: ``(1 − cos t, ½ − sin t)``, with ``t`` uniform in
    ``[0, π]``.
    """
    rng, labels = _start("make_moons", n, noise, 2, seed)
    t = rng.uniform(0.0, np.pi, size=n)
    upper = np.column_stack([np.cos(t), np.sin(t)])
    lower = np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)])
    return _finish(np.where((labels == 0)[:, None], upper, lower), labels, noise, rng)


def make_circles(
    n: int = 200, noise: float = 0.05, seed: int | None = None, *, factor: float = 0.5
) -> Dataset:
    """Two concentric circles: class 0 of radius 1, class 1 of radius ``factor`` (in (0, 1))."""
    if not 0.0 < factor < 1.0:
        raise ValueError(f"factor is the inner circle's radius and must be in (0, 1), got {factor}")
    rng, labels = _start("make_circles", n, noise, 2, seed)
    angle = rng.uniform(0.0, 2.0 * np.pi, size=n)
    radius = np.where(labels == 0, 1.0, factor)
    points = radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return _finish(points, labels, noise, rng)


def make_spirals(
    n: int = 300, noise: float = 0.05, seed: int | None = None, *, classes: int = 3
) -> Dataset:
    """``classes`` spiral arms winding once around the origin, one arm per class.

    Arm ``k`` holds the points ``r (cos θ, sin θ)`` with ``r`` uniform in ``[0.1, 1]`` and
    ``θ = 2π (k / classes + r)``: the arms start evenly spaced and each turns a full circle.
    """
    classes = check_int("make_spirals", "classes", classes)
    if classes < 2:
        raise ValueError(f"classes must be at least 2, got {classes}")
    rng, labels = _start("make_spirals", n, noise, classes, seed)
    radius = rng.uniform(0.1, 1.0, size=n)
    angle = 2.0 * np.pi * (labels / classes + radius)
    points = radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return _finish(points, labels, noise, rng)


def _start(
    owner: str, n: int, noise: float, classes: int, seed: int | None
) -> tuple[np.random.Generator, np.ndarray]:
    """Check the shared arguments; return the generator and balanced labels."""
    n = check_int(owner, "n", n)
    check_number(owner, "noise", noise)
    if n < classes:
        raise ValueError(f"n={n} is too small for {classes} classes; use n >= {classes}")
    # n // classes of each class, and one more for the first n mod classes classes.
    labels = np.arange(n, dtype=np.int64) % classes
    return rng_from_seed(seed), labels


def _finish(
    points: np.ndarray, labels: np.ndarray, noise: float, rng: np.random.Generator
) -> Dataset:
    """Add the noise, shuffle the examples, and cast to float32 / int64."""
    points = points + noise * rng.standard_normal(points.shape)
    order = rng.permutation(len(labels))
    return points[order].astype(np.float32), labels[order]
