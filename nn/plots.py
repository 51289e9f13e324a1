"""The pictures a learner draws again and again, in one place (matplotlib, imported lazily).

- :func:`points`: a 2-D data set, one colour and marker per class (class 0 blue circles, class 1
  red triangles, class 2 green squares, ...).
- :func:`line`: the line w·x + b = 0 across the axes — what one neuron (or perceptron) with two
  inputs separates.
- :func:`decision_boundary`: what any 2-D classifier answers over the plane. Two classes: the
  shaded probability of class 1 and the black line where it is ½; more classes: one colour per
  predicted class. ``neuron_lines=True`` adds the line w_j·x + b_j = 0 of each neuron of the
  first layer (a ReLU or tanh network bends its boundary along these lines).
- :func:`image_grid`: small images in a grid, each with a title (digits and their labels).

Every function draws on ``ax`` when given (else on a new figure) and returns the ``Axes`` (or
the ``Figure`` for :func:`image_grid`). matplotlib is not a dependency of the library itself:
``pip install "glassgrad[notebook]"`` (or ``pip install matplotlib``) brings it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import Value, no_grad

INSTALL_HINT = (
    'nn.plots needs matplotlib: pip install "glassgrad[notebook]" (JupyterLab, ipywidgets and '
    "matplotlib) or just pip install matplotlib"
)

# Class k is drawn in COLOURS[k] with MARKERS[k] (cycling for more classes). Blue and red match
# the "RdBu_r" shading of a two-class boundary: blue where class 0 wins, red where class 1 does.
COLOURS = ["tab:blue", "tab:red", "tab:green", "tab:orange", "tab:purple", "tab:brown",
           "tab:pink", "tab:gray", "tab:olive", "tab:cyan"]  # fmt: skip
MARKERS = ["o", "^", "s", "D", "v", "P", "X", "*", "p", "h"]
NEURON_COLOURS = ["#7c3aed", "#059669", "#d97706", "#db2777", "#0891b2", "#65a30d", "#9333ea",
                  "#ea580c"]  # fmt: skip


def pyplot() -> Any:
    """``matplotlib.pyplot``, or an ImportError that says how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:  # pragma: no cover - exercised with a patched import
        raise ImportError(INSTALL_HINT) from error
    return plt


def _axes(ax: Any, figsize: tuple[float, float] = (5, 4.5)) -> Any:
    if ax is not None:
        return ax
    _, ax = pyplot().subplots(figsize=figsize)
    return ax


def _array(x: Any) -> np.ndarray:
    return np.asarray(x.data if isinstance(x, Value) else x)


def _points_2d(X: Any, owner: str) -> np.ndarray:
    X = np.asarray(_array(X), dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(
            f"{owner}: X must have shape (n, 2) — one row of two coordinates per point — got "
            f"shape {X.shape}; for more features, plot two of them (X[:, [i, j]]) or reduce "
            "the data to two dimensions first"
        )
    return X


# ---------------------------------------------------------------------------- points
def points(
    X: Any,
    y: Any = None,
    ax: Any = None,
    *,
    size: float = 20,
    alpha: float = 1.0,
    names: Sequence[str] | None = None,
    legend: bool = False,
) -> Any:
    """Scatter the rows of ``X`` (shape ``(n, 2)``), one colour and marker per class in ``y``.

    ``y`` holds integer labels 0, 1, ... (None: every point in one colour). ``names`` labels
    the classes in the legend (default "class 0", "class 1", ...); ``legend=True`` shows it.
    Returns the Axes.
    """
    X = _points_2d(X, "plots.points")
    ax = _axes(ax)
    labels = np.zeros(len(X), dtype=np.int64) if y is None else _labels(y, len(X), "points")
    style = {"s": size, "alpha": alpha, "edgecolors": "black", "linewidths": 0.5, "zorder": 3}
    for k in np.unique(labels):
        mine = labels == k
        name = names[k] if names is not None else f"class {k}"
        ax.scatter(
            *X[mine].T,
            c=COLOURS[k % len(COLOURS)],
            marker=MARKERS[k % len(MARKERS)],
            label=name if y is not None else None,
            **style,
        )
    if legend:
        ax.legend(loc="best", fontsize=8)
    return ax


def _labels(y: Any, n: int, owner: str) -> np.ndarray:
    labels = np.asarray(_array(y)).reshape(-1)
    if len(labels) != n:
        raise ValueError(f"plots.{owner}: {n} points but {len(labels)} labels")
    if labels.size and (labels.min() < 0 or not np.all(labels == np.round(labels))):
        raise ValueError(
            f"plots.{owner}: labels must be class numbers 0, 1, 2, ..., got {np.unique(labels)}"
        )
    return labels.astype(np.int64)


# ---------------------------------------------------------------------------- line
def line(w: Any, b: Any, ax: Any = None, **style: Any) -> Any:
    """Draw the line w₁x₁ + w₂x₂ + b = 0 across the axes' current limits; return the Axes.

    ``style`` goes to ``ax.plot`` (``color``, ``linestyle``, ``label``, ...). The limits stay
    as they were. A neuron whose two weights are both 0 has no line: nothing is drawn.
    """
    ax = _axes(ax)
    w1, w2 = np.asarray(_array(w), dtype=np.float64).reshape(-1)[:2]
    b = float(np.asarray(_array(b), dtype=np.float64).reshape(-1)[0])
    (left, right), (bottom, top) = ax.get_xlim(), ax.get_ylim()
    if w1 == 0 and w2 == 0:
        return ax
    if abs(w2) >= abs(w1):  # closer to horizontal: x2 as a function of x1
        xs = np.array([left, right])
        ys = -(w1 * xs + b) / w2
    else:  # closer to vertical: x1 as a function of x2
        ys = np.array([bottom, top])
        xs = -(w2 * ys + b) / w1
    ax.plot(xs, ys, **style)
    ax.set_xlim(left, right)
    ax.set_ylim(bottom, top)
    return ax


# ---------------------------------------------------------------------------- boundary
def first_layer(model: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """The weights ``(k, 2)`` and biases ``(k,)`` of the first layer of neurons of a 2-input
    ``model`` (nn.Linear, nn.Sequential/MLP, nn.scalar.MLP/Layer/Neuron, nn.Perceptron), or
    None if it has none that reads two inputs."""
    from . import scalar
    from .linear import Linear
    from .perceptron import Perceptron

    if isinstance(model, Perceptron):
        w = np.asarray(model.weight.data, dtype=np.float64).reshape(1, -1)
        if w.shape[1] != 2:
            return None
        return w, np.asarray(model.bias.data, dtype=np.float64).reshape(1)
    if isinstance(model, (scalar.MLP, scalar.Layer, scalar.Neuron)):
        neurons = (
            model.layers[0].neurons
            if isinstance(model, scalar.MLP)
            else model.neurons
            if isinstance(model, scalar.Layer)
            else [model]
        )
        if len(neurons[0].w) != 2:
            return None
        w = np.array([[float(np.asarray(wi.data)) for wi in n.w] for n in neurons])
        return w, np.array([float(np.asarray(n.b.data)) for n in neurons])
    for module in _leaves(model):
        if isinstance(module, Linear):
            w = np.asarray(module.weight.data, dtype=np.float64)
            if w.shape[1] != 2:
                return None
            b = np.zeros(len(w)) if module.bias is None else np.asarray(module.bias.data)
            return w, np.asarray(b, dtype=np.float64)
        if callable(getattr(module, "parameters", None)) and module.parameters():
            return None  # some other layer with weights comes first
    return None


def _leaves(model: Any) -> list[Any]:
    from .containers import Sequential

    if isinstance(model, Sequential):
        return [leaf for child in model for leaf in _leaves(child)]
    return [model]


def predict_grid(model: Any, grid: np.ndarray, output: str = "auto") -> np.ndarray:
    """What ``model`` says at each row of ``grid`` (shape ``(n, 2)``), as class scores for the
    picture: shape ``(n,)`` = probability of class 1, or ``(n, C)`` = class probabilities.

    Runs the model in evaluation mode without a graph and puts its mode back. One output per
    point is read as a logit (passed through the sigmoid) unless every output lies in [0, 1]
    (a sigmoid or step at the end): ``output="logits"`` or ``"probability"`` says so instead.
    """
    from . import scalar
    from .module import Module

    if output not in ("auto", "logits", "probability"):
        raise ValueError(f"output must be 'auto', 'logits' or 'probability', got {output!r}")
    was_training = model.training if isinstance(model, Module) else None
    dtype = _dtype(model)
    try:
        if isinstance(model, Module):
            model.eval()
        with no_grad():
            if isinstance(model, (scalar.MLP, scalar.Layer, scalar.Neuron)):
                # one example at a time in principle, but its neurons broadcast over arrays
                out = model([Value(col, requires_grad=False) for col in grid.T])
                out = (
                    np.stack([_array(o) for o in out], -1) if isinstance(out, list) else _array(out)
                )
            else:
                out = _array(model(grid.astype(dtype)))
    finally:
        if was_training is not None:
            model.train(was_training)
    out = np.asarray(out, dtype=np.float64)
    if out.ndim == 2 and out.shape[1] == 1:
        out = out[:, 0]
    if out.ndim == 1:
        probability = output == "probability" or (
            output == "auto" and out.min() >= 0.0 and out.max() <= 1.0
        )
        return out if probability else 1.0 / (1.0 + np.exp(-np.clip(out, -60, 60)))
    if out.ndim != 2:
        raise ValueError(
            f"decision_boundary: the model's output has shape {out.shape} for "
            f"{len(grid)} points; expected ({len(grid)},) or ({len(grid)}, C)"
        )
    if output == "probability" or (output == "auto" and _rows_are_probabilities(out)):
        return out
    shifted = np.exp(out - out.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def _rows_are_probabilities(out: np.ndarray) -> bool:
    return bool(out.min() >= 0 and np.allclose(out.sum(axis=1), 1.0, atol=1e-4))


def _dtype(model: Any) -> Any:
    try:
        params = model.parameters()
    except (AttributeError, TypeError):
        return np.float32
    for p in params:
        if isinstance(p.data, np.ndarray) and p.data.dtype.kind == "f":
            return p.data.dtype
    return np.float32


def decision_boundary(
    model: Any,
    X: Any = None,
    y: Any = None,
    ax: Any = None,
    *,
    neuron_lines: bool = False,
    limits: tuple[float, float, float, float] | None = None,
    resolution: int = 150,
    output: str = "auto",
    size: float = 16,
    title: str | None = None,
    colorbar: bool = False,
) -> Any:
    """Shade what the 2-input classifier ``model`` answers over the plane; return the Axes.

    - Two classes (one output per point, or two): the probability of class 1, blue (0) to red
      (1), and the decision boundary, where it is ½, in black. More classes: the predicted
      class in its colour, paler where the model is less sure.
    - ``X``, ``y``: the points to draw on top (``y``: labels 0, 1, ...); ``X`` also sets the
      plotted area (its range plus a margin) unless ``limits=(x_min, x_max, y_min, y_max)``.
    - ``neuron_lines``: also draw w_j·x + b_j = 0 for every neuron j of the first layer
      (dashed, one colour each). A network bends its boundary along these lines.
    - ``output``: how to read one output per point — "auto" (a probability when every output
      lies in [0, 1], else a logit), "logits" or "probability".

    ``model`` is any callable from an ``(n, 2)`` array to outputs (nn modules; ``nn.scalar``
    models and perceptrons too). It runs in evaluation mode under ``no_grad``.
    """
    if limits is None:
        if X is None:
            raise ValueError("decision_boundary: pass the points X or limits=(x0, x1, y0, y1)")
        P = _points_2d(X, "decision_boundary")
        lo, hi = P.min(axis=0), P.max(axis=0)
        margin = 0.1 * np.maximum(hi - lo, 1e-9) + 0.1
        limits = (lo[0] - margin[0], hi[0] + margin[0], lo[1] - margin[1], hi[1] + margin[1])
    x0, x1, y0, y1 = map(float, limits)
    ax = _axes(ax)
    g1, g2 = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    grid = np.column_stack([g1.ravel(), g2.ravel()])
    scores = predict_grid(model, grid, output)
    shade = None
    if scores.ndim == 1 or scores.shape[1] == 2:
        p1 = (scores if scores.ndim == 1 else scores[:, 1]).reshape(g1.shape)
        shade = ax.contourf(
            g1, g2, p1, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.35, vmin=0, vmax=1
        )
        if p1.min() < 0.5 < p1.max():
            ax.contour(g1, g2, p1, levels=[0.5], colors="black", linewidths=1.5)
    else:
        from matplotlib.colors import ListedColormap

        classes = scores.shape[1]
        winner = scores.argmax(axis=1).reshape(g1.shape)
        confidence = scores.max(axis=1).reshape(g1.shape)
        alpha = 0.15 + 0.3 * (confidence - confidence.min()) / max(1e-9, np.ptp(confidence))
        cmap = ListedColormap([COLOURS[k % len(COLOURS)] for k in range(classes)])
        ax.imshow(
            winner,
            origin="lower",
            extent=(x0, x1, y0, y1),
            cmap=cmap,
            vmin=-0.5,
            vmax=classes - 0.5,
            alpha=alpha,
            aspect="auto",
            interpolation="nearest",
        )
        ax.contour(
            g1, g2, winner, levels=np.arange(classes - 1) + 0.5, colors="black", linewidths=1.0
        )
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    if neuron_lines:
        layer = first_layer(model)
        if layer is None:
            raise TypeError(
                f"decision_boundary(neuron_lines=True): {type(model).__name__} has no first "
                "layer of neurons with two inputs (nn.Linear(2, k) first, nn.scalar.MLP(2, ...) "
                "or nn.Perceptron(2)); leave neuron_lines off for this model"
            )
        weights, biases = layer
        for j, (w, b) in enumerate(zip(weights, biases, strict=True)):
            colour = NEURON_COLOURS[j % len(NEURON_COLOURS)]
            line(
                w,
                b,
                ax,
                color=colour,
                linestyle="--",
                linewidth=1.0,
                alpha=0.8,
                label=f"neuron {j + 1}" if len(weights) <= 4 else None,
            )
    if X is not None:
        points(X, y, ax, size=size)
    if colorbar and shade is not None:
        ax.figure.colorbar(shade, ax=ax, label="P(class 1)")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title is not None:
        ax.set_title(title)
    return ax


# ---------------------------------------------------------------------------- images
def image_grid(
    images: Any,
    titles: Sequence[str] | None = None,
    *,
    heading: str | None = None,
    shape: tuple[int, int] | None = None,
    columns: int = 10,
    cmap: str = "gray_r",
    vmin: float | None = None,
    vmax: float | None = None,
    color: str = "black",
    size: float = 1.1,
) -> Any:
    """Show ``images`` in a grid, ``columns`` wide, each with its title; return the Figure.

    ``images`` is a sequence of 2-D images, or of flat rows that ``shape`` (default: the
    nearest square, 64 -> 8×8) turns into images. One grey scale for all (``vmin``/``vmax``,
    default the range of all images): white is small, black large. ``color`` colours the titles
    (e.g. red for mistakes), ``size`` is the width of one image in inches.
    """
    plt = pyplot()
    images = np.asarray(_array(images), dtype=np.float64)
    if images.ndim == 2:
        if shape is None:
            side = math.isqrt(images.shape[1])
            if side * side != images.shape[1]:
                raise ValueError(
                    f"image_grid: rows of {images.shape[1]} pixels are not square images; pass "
                    "shape=(height, width)"
                )
            shape = (side, side)
        images = images.reshape(len(images), *shape)
    if images.ndim != 3:
        raise ValueError(
            f"image_grid: expected (n, h, w) images or (n, h*w) rows, got shape {images.shape}"
        )
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"image_grid: {len(images)} images but {len(titles)} titles")
    n = len(images)
    columns = max(1, min(columns, n))
    rows = max(1, math.ceil(n / columns))
    lines = max((t.count("\n") + 1 for t in titles), default=0) if titles else 0
    figsize = (columns * size, rows * size * (1 + 0.25 * lines) + (0.4 if heading else 0.1))
    fig, axes = plt.subplots(rows, columns, figsize=figsize, layout="constrained", squeeze=False)
    lo = float(images.min()) if vmin is None and n else vmin
    hi = float(images.max()) if vmax is None and n else vmax
    for i, ax in enumerate(np.ravel(axes)):
        ax.axis("off")
        if i < n:
            ax.imshow(images[i], cmap=cmap, vmin=lo, vmax=hi)
            if titles is not None:
                ax.set_title(titles[i], fontsize=9, color=color)
    if heading:
        fig.suptitle(heading)
    return fig


__all__ = ["points", "line", "decision_boundary", "image_grid", "first_layer", "predict_grid",
           "pyplot"]  # fmt: skip
