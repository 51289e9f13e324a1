"""nn.plots: points by class, a neuron's line, decision boundaries of any 2-D classifier, and
image grids — checked on what they draw (matplotlib's Agg backend, no window)."""

from __future__ import annotations

import builtins
from pathlib import Path

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402
from nn import plots  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def moons(n: int = 60) -> tuple[np.ndarray, np.ndarray]:
    return nn.data.make_moons(n=n, noise=0.1, seed=0)


def test_points_one_colour_and_marker_per_class() -> None:
    X, y = moons()
    ax = plots.points(X, y, legend=True)
    collections = ax.collections
    assert len(collections) == 2
    for k, collection in enumerate(collections):
        assert len(collection.get_offsets()) == int((y == k).sum())
        assert collection.get_label() == f"class {k}"
    colours = [tuple(c.get_facecolor()[0]) for c in collections]
    assert colours[0] != colours[1]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1"]


def test_points_rejects_wrong_shapes_with_the_fix() -> None:
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        plots.points(np.zeros((5, 3)), [0] * 5)
    with pytest.raises(ValueError, match="5 points but 4 labels"):
        plots.points(np.zeros((5, 2)), [0] * 4)


def test_line_is_where_w_x_plus_b_is_zero() -> None:
    _, ax = plt.subplots()
    ax.set_xlim(-2, 2)
    ax.set_ylim(-2, 2)
    for w, b in [((1.0, 1.0), -0.5), ((5.0, 0.1), 1.0), ((0.0, 2.0), 1.0)]:
        plots.line(w, b, ax)
        xs, ys = ax.lines[-1].get_data()
        assert np.allclose(w[0] * np.asarray(xs) + w[1] * np.asarray(ys) + b, 0, atol=1e-9)
    assert ax.get_xlim() == (-2, 2) and ax.get_ylim() == (-2, 2)  # limits unchanged
    plots.line((0.0, 0.0), 1.0, ax)  # no line at all: nothing drawn, no error
    assert len(ax.lines) == 3


def test_decision_boundary_contour_is_where_the_probability_is_one_half() -> None:
    # A linear model's boundary is the line w·x + b = 0: check the contour lies on it.
    model = nn.Linear(2, 1)
    model.weight.data[:] = [[1.0, -2.0]]
    model.bias.data[:] = [0.5]
    X, y = moons()
    ax = plots.decision_boundary(model, X, y)
    contour = [c for c in ax.collections if hasattr(c, "levels") and list(c.levels) == [0.5]]
    assert len(contour) == 1
    vertices = np.concatenate([p.vertices for p in contour[0].get_paths()])
    assert np.allclose(vertices @ [1.0, -2.0] + 0.5, 0, atol=0.05)


def test_predict_grid_reads_logits_probabilities_and_classes() -> None:
    grid = np.array([[0.0, 0.0], [1.0, 1.0]])
    logit = lambda X: X.sum(axis=1) - 1.0  # noqa: E731
    assert np.allclose(plots.predict_grid(logit, grid), [1 / (1 + np.e), 1 / (1 + 1 / np.e)])
    probability = lambda X: np.full(len(X), 0.25)  # noqa: E731
    assert np.allclose(plots.predict_grid(probability, grid), 0.25)
    two = lambda X: np.column_stack([np.zeros(len(X)), X[:, 0]])  # noqa: E731
    p = plots.predict_grid(two, grid)
    assert p.shape == (2, 2) and np.allclose(p.sum(axis=1), 1) and np.isclose(p[0, 1], 0.5)


def test_decision_boundary_leaves_the_model_in_training_mode_without_grads() -> None:
    autograd.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 2))
    X, y = moons()
    plots.decision_boundary(model, X, y, resolution=20)
    assert model.training
    assert all(p.grad is None for p in model.parameters())


@pytest.mark.parametrize("kind", ["mlp", "scalar", "perceptron", "linear"])
def test_neuron_lines_one_per_first_layer_neuron(kind: str) -> None:
    autograd.manual_seed(0)
    model, count = {
        "mlp": (nn.MLP(2, [5, 2]), 5),
        "scalar": (nn.scalar.MLP(2, [3, 1], activation="tanh"), 3),
        "perceptron": (nn.logic.AND, 1),
        "linear": (nn.Linear(2, 1), 1),
    }[kind]
    X, y = moons()
    ax = plots.decision_boundary(model, X, y, neuron_lines=True, resolution=30)
    weights, biases = plots.first_layer(model)
    assert weights.shape == (count, 2) and biases.shape == (count,)
    dashed = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert len(dashed) == count
    for line, w, b in zip(dashed, weights, biases, strict=True):
        xs, ys = (np.asarray(v) for v in line.get_data())
        assert np.allclose(w[0] * xs + w[1] * ys + b, 0, atol=1e-6)


def test_neuron_lines_need_a_first_layer_with_two_inputs() -> None:
    with pytest.raises(TypeError, match="neuron_lines"):
        plots.decision_boundary(lambda X: X[:, 0], limits=(0, 1, 0, 1), neuron_lines=True)


def test_decision_boundary_many_classes_colours_the_winner() -> None:
    autograd.manual_seed(0)
    X = autograd.generator().normal(size=(30, 2))
    y = np.arange(30) % 3
    ax = plots.decision_boundary(nn.MLP(2, [8, 3]), X, y, resolution=25)
    assert len(ax.images) == 1
    assert ax.images[0].get_array().max() <= 2


def test_decision_boundary_needs_points_or_limits() -> None:
    with pytest.raises(ValueError, match="limits"):
        plots.decision_boundary(nn.Linear(2, 1))


def test_image_grid_shapes_flat_rows_and_titles() -> None:
    X, y = nn.data.load_digits()
    fig = plots.image_grid(X[:12], [f"label {v}" for v in y[:12]], heading="digits", columns=5)
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 12 and len(fig.axes) == 15  # 3 rows of 5, three left empty
    assert shown[0].images[0].get_array().shape == (8, 8)
    assert shown[3].get_title() == f"label {y[3]}"
    with pytest.raises(ValueError, match="shape=\\(height, width\\)"):
        plots.image_grid(np.zeros((2, 10)))
    with pytest.raises(ValueError, match="2 images but 1 titles"):
        plots.image_grid(np.zeros((2, 4, 4)), ["a"])


def test_without_matplotlib_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError("No module named 'matplotlib'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    with pytest.raises(ImportError, match=r"glassgrad\[notebook\].*pip install matplotlib"):
        plots.points(np.zeros((2, 2)), [0, 1])


def test_importing_nn_does_not_import_matplotlib() -> None:
    import subprocess
    import sys

    code = "import sys, nn, nn.plots; assert 'matplotlib' not in sys.modules"
    repo = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-c", code], check=True, cwd=repo)
