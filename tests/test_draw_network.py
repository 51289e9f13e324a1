"""nn.draw_network: neurons, weight and bias arrows, titles, eliding wide layers, every kind of
model it supports, clear errors for the rest, stable DOT text, and real PNG/SVG rendering."""

from __future__ import annotations

import re

import graphviz
import numpy as np
import pytest

import nn
from autograd import Value, manual_seed
from autograd.draw import format_number
from autograd.render import Drawing, find_dot
from nn.draw_network import MAX_PEN, NEGATIVE, POSITIVE

ATTR = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|[^\s\]]+)')


def attrs(text: str) -> dict[str, str]:
    return {key: value.strip('"') for key, value in ATTR.findall(text)}


def nodes(source: str) -> dict[str, dict[str, str]]:
    found = re.findall(r"^\s*(c\d+_\w+) \[(.*)\]$", source, flags=re.M)
    return {name: attrs(text) for name, text in found}


def arrows(source: str) -> dict[tuple[str, str], dict[str, str]]:
    """The visible arrows (weights and biases): (tail, head) -> attributes."""
    found = re.findall(r"^\s*(\S+) -> (\S+) \[(.*)\]$", source, flags=re.M)
    return {(t, h): attrs(a) for t, h, a in found if "style=invis" not in a}


def neurons(source: str, column: int) -> list[str]:
    """The labels of the circles drawn in one column, top to bottom (neither +1 nor titles)."""
    return [
        a["label"] for name, a in nodes(source).items() if re.fullmatch(rf"c{column}_\d+", name)
    ]


def title(source: str, column: int) -> str:
    return nodes(source)[f"c{column}_title"]["label"]


# --------------------------------------------------------------------------- an MLP
def test_small_mlp_has_its_neurons_weights_biases_and_titles() -> None:
    manual_seed(0)
    model = nn.MLP(2, [3, 1])
    graph = nn.draw_network(model)
    assert isinstance(graph, Drawing) and isinstance(graph, graphviz.Digraph)
    source = graph.source
    assert neurons(source, 0) == ["x1", "x2"]
    assert neurons(source, 1) == ["h1", "h2", "h3"]
    assert neurons(source, 2) == ["y"]
    assert [title(source, i) for i in range(3)] == ["input (2)", "hidden 1 (3, relu)", "output (1)"]
    # a "+1" bias node in every column that feeds a layer with biases, none in the last
    assert {n for n in nodes(source) if n.endswith("_bias")} == {"c0_bias", "c1_bias"}
    drawn = arrows(source)
    weights = {k: v for k, v in drawn.items() if not k[0].endswith("_bias")}
    biases = {k: v for k, v in drawn.items() if k[0].endswith("_bias")}
    assert len(weights) == 2 * 3 + 3 * 1
    assert len(biases) == 3 + 1
    # every arrow is the weight it stands for: W[j, i] goes from neuron i to neuron j
    first, second = model[0], model[2]
    for i in range(2):
        for j in range(3):
            w = float(first.weight.data[j, i])
            arrow = weights[(f"c0_{i}", f"c1_{j}")]
            assert arrow["color"] == (POSITIVE if w > 0 else NEGATIVE)
            assert arrow["label"] == format_number(w)  # 13 arrows: labelled automatically
    for j in range(3):
        assert weights[(f"c1_{j}", "c2_0")]["label"] == format_number(second.weight.data[0, j])
        assert ("c0_bias", f"c1_{j}") in biases
    assert ("c1_bias", "c2_0") in biases


def test_pen_width_grows_with_the_size_of_the_weight() -> None:
    manual_seed(1)
    model = nn.MLP(3, [4, 2])
    model[0].bias.data[...] = [0.5, -0.25, 0.0, 1.0]
    drawn = arrows(nn.draw_network(model).source)
    values = []
    for (tail, head), a in drawn.items():
        col, j = map(int, head[1:].split("_"))
        layer = model[0] if col == 1 else model[2]
        if tail.endswith("_bias"):
            w = float(layer.bias.data[j])
        else:
            w = float(layer.weight.data[j, int(tail.split("_")[1])])
        values.append((abs(w), float(a["penwidth"])))
        expected = POSITIVE if w > 0 else NEGATIVE if w < 0 else None
        if expected:
            assert a["color"] == expected
        else:
            assert a["color"] not in (POSITIVE, NEGATIVE)  # a zero weight is grey
    values.sort()
    widths = [width for _, width in values]
    assert widths == sorted(widths)
    assert widths[-1] == MAX_PEN and widths[0] < widths[-1]


def test_show_weights_off_and_labels_forced_either_way() -> None:
    manual_seed(2)
    model = nn.MLP(2, [2, 1])
    plain = nn.draw_network(model, show_weights=False, label_weights=False).source
    for a in arrows(plain).values():
        assert "color" not in a and "penwidth" not in a and "label" not in a
    assert "weight > 0" not in plain  # no legend
    assert "blue: weight > 0" in nn.draw_network(model).source
    wide = nn.MLP(4, [8, 8, 1])  # far more than 16 arrows: no numbers unless asked
    assert all("label" not in a for a in arrows(nn.draw_network(wide).source).values())
    labelled = arrows(nn.draw_network(wide, label_weights=True).source)
    assert all("label" in a for a in labelled.values())


def test_wide_layers_show_first_and_last_neurons_and_how_many_are_left_out() -> None:
    manual_seed(3)
    source = nn.draw_network(nn.MLP(64, [128, 10])).source
    assert neurons(source, 0) == [f"x{i}" for i in [1, 2, 3, 4, 5, 60, 61, 62, 63, 64]]
    assert neurons(source, 1) == [f"h{i}" for i in [1, 2, 3, 4, 5, 124, 125, 126, 127, 128]]
    assert neurons(source, 2) == [f"y{i}" for i in range(1, 11)]  # 10 <= 12: all drawn
    found = nodes(source)
    assert found["c0_more"]["label"] == "... 54 more"
    assert found["c1_more"]["label"] == "... 118 more"
    assert "c2_more" not in found
    assert title(source, 1) == "hidden 1 (128, relu)"
    weights = [k for k in arrows(source) if not k[0].endswith("_bias")]
    assert len(weights) == 10 * 10 + 10 * 10
    assert source.isascii()  # graphviz-pure warns on non-ASCII labels
    # the "... more" node sits in the middle of its column
    order = re.findall(r"^\s*(c0_\w+) \[", source, flags=re.M)
    assert order.index("c0_more") == order.index("c0_4") + 1


@pytest.mark.parametrize(
    ("width", "max_neurons", "drawn", "more"),
    [(12, 12, 12, None), (13, 12, 10, "... 3 more"), (7, 3, 2, "... 5 more"), (4, 4, 4, None)],
)
def test_max_neurons_boundary(width: int, max_neurons: int, drawn: int, more: str | None) -> None:
    source = nn.draw_network(nn.Linear(width, 1), max_neurons=max_neurons).source
    assert len(neurons(source, 0)) == drawn
    assert nodes(source).get("c0_more", {}).get("label") == more


# --------------------------------------------------------------------------- other models
def test_sequential_of_linear_and_activation_modules() -> None:
    manual_seed(4)
    model = nn.Sequential(
        nn.Flatten(),
        nn.Sequential(nn.Linear(3, 4), nn.Tanh()),
        nn.Identity(),
        nn.Linear(4, 2, bias=False),
        nn.Sigmoid(),
    )
    source = nn.draw_network(model).source
    assert [title(source, i) for i in range(3)] == [
        "input (3)",
        "hidden 1 (4, tanh)",
        "output (2, sigmoid)",
    ]
    bias_nodes = {n for n in nodes(source) if n.endswith("_bias")}
    assert bias_nodes == {"c0_bias"}  # the last Linear has no bias
    assert len(arrows(source)) == 3 * 4 + 4 + 4 * 2
    # one Linear alone is a one-layer network
    single = nn.draw_network(nn.Linear(2, 3)).source
    assert neurons(single, 1) == ["y1", "y2", "y3"] and title(single, 1) == "output (3)"


def test_scalar_mlp_reads_each_neurons_weights() -> None:
    manual_seed(5)
    model = nn.scalar.MLP(3, [4, 1])
    model.layers[0].neurons[2].b.data = -0.75
    source = nn.draw_network(model).source
    assert neurons(source, 1) == ["h1", "h2", "h3", "h4"]
    assert [title(source, i) for i in range(3)] == ["input (3)", "hidden 1 (4, relu)", "output (1)"]
    drawn = arrows(source)
    assert len(drawn) == 3 * 4 + 4 + 4 + 1
    for j, neuron in enumerate(model.layers[0].neurons):
        for i, w in enumerate(neuron.w):
            assert drawn[(f"c0_{i}", f"c1_{j}")]["color"] == (POSITIVE if w.data > 0 else NEGATIVE)
    assert drawn[("c0_bias", "c1_2")]["color"] == NEGATIVE
    tanh = nn.draw_network(nn.scalar.MLP(2, [3, 1], activation="tanh")).source
    assert title(tanh, 1) == "hidden 1 (3, tanh)"
    layer = nn.draw_network(nn.scalar.Layer(2, 3, activation="sigmoid")).source
    assert title(layer, 1) == "output (3, sigmoid)"
    neuron = nn.draw_network(nn.scalar.Neuron(5)).source
    assert len(neurons(neuron, 0)) == 5 and neurons(neuron, 1) == ["y"]


def test_perceptron_is_one_step_neuron() -> None:
    p = nn.Perceptron(3)
    p.weight.data[...] = [2.0, -1.0, 0.0]
    p.bias.data[...] = -0.5
    source = nn.draw_network(p).source
    assert title(source, 0) == "input (3)" and title(source, 1) == "output (1, step)"
    drawn = arrows(source)
    assert drawn[("c0_0", "c1_0")]["label"] == "2.0"
    assert drawn[("c0_1", "c1_0")]["color"] == NEGATIVE
    assert drawn[("c0_2", "c1_0")]["color"] not in (POSITIVE, NEGATIVE)
    assert drawn[("c0_bias", "c1_0")]["label"] == "-0.5"


@pytest.mark.parametrize("name", ["AND", "OR", "NOT"])
def test_logic_gates_show_their_weights_and_bias(name: str) -> None:
    gate = getattr(nn.logic, name)
    source = nn.draw_network(gate).source
    assert neurons(source, 1) == [name]
    drawn = arrows(source)
    for i, w in enumerate(gate.weight.data):
        assert drawn[(f"c0_{i}", "c1_0")]["label"] == format_number(w)
    assert drawn[("c0_bias", "c1_0")]["label"] == format_number(gate.bias.data)
    assert len(drawn) == gate.nin + 1


def test_xor_network_draws_the_gates_it_is_built_from() -> None:
    xor = nn.logic.xor_network()
    xor.output.weight.data[...] = [0.75, 1.25]  # make each arrow's number traceable
    source = nn.draw_network(xor).source
    assert [neurons(source, i) for i in range(4)] == [["x1", "x2"], ["OR", "AND"], ["NOT"], ["AND"]]
    assert title(source, 1) == "hidden 1 (2, step)" and title(source, 3) == "output (1, step)"
    drawn = arrows(source)
    assert set(drawn) == {
        ("c0_0", "c1_0"), ("c0_1", "c1_0"), ("c0_0", "c1_1"), ("c0_1", "c1_1"),  # OR, AND
        ("c1_1", "c2_0"),  # NOT reads AND
        ("c1_0", "c3_0"), ("c2_0", "c3_0"),  # the output AND reads OR and NOT
        ("c0_bias", "c1_0"), ("c0_bias", "c1_1"), ("c1_bias", "c2_0"), ("c2_bias", "c3_0"),
    }  # fmt: skip
    label = {k: a["label"] for k, a in drawn.items()}
    assert label[("c1_0", "c3_0")] == "0.75" and label[("c2_0", "c3_0")] == "1.25"
    assert label[("c1_1", "c2_0")] == format_number(xor.not_gate.weight.data[0])
    assert label[("c0_bias", "c1_0")] == format_number(xor.or_gate.bias.data)
    assert label[("c0_bias", "c1_1")] == format_number(xor.and_gate.bias.data)
    assert label[("c1_bias", "c2_0")] == format_number(xor.not_gate.bias.data)
    assert nn.draw_network(nn.logic.XOR).source.count("->") == source.count("->")


# --------------------------------------------------------------------------- stability, errors
def test_same_model_gives_the_same_dot_text() -> None:
    manual_seed(6)
    first = nn.MLP(3, [20, 4])
    manual_seed(6)
    second = nn.MLP(3, [20, 4])
    assert nn.draw_network(first).source == nn.draw_network(second).source
    assert nn.draw_network(first).source == nn.draw_network(first).source
    second[0].weight.data[0, 0] *= -1
    assert nn.draw_network(first).source != nn.draw_network(second).source


class Custom(nn.Module):
    def forward(self, x):
        return x


@pytest.mark.parametrize(
    ("model", "error", "words"),
    [
        (Custom(), TypeError, ["Custom", "nn.Sequential", "nn.scalar.MLP", "draw_graph"]),
        (nn.ReLU(), TypeError, ["ReLU", "nn.Linear"]),
        ("not a model", TypeError, ["str"]),
        (nn.Sequential(nn.Linear(2, 3), Custom()), TypeError, ["Sequential", "Custom"]),
        (nn.Sequential(nn.ReLU(), nn.Linear(2, 3)), TypeError, ["ReLU", "before any Linear"]),
        (nn.Sequential(), TypeError, ["no nn.Linear"]),
        (nn.Sequential(nn.Linear(2, 3), nn.Linear(4, 1)), ValueError, ["4 inputs", "3 neurons"]),
    ],
)
def test_models_it_cannot_draw_get_a_clear_error(model, error, words) -> None:
    with pytest.raises(error) as caught:
        nn.draw_network(model)
    for word in words:
        assert word in str(caught.value)


def test_bad_options_are_rejected() -> None:
    model = nn.Linear(2, 1)
    with pytest.raises(ValueError, match="at least 3"):
        nn.draw_network(model, max_neurons=2)
    with pytest.raises(TypeError, match="max_neurons"):
        nn.draw_network(model, max_neurons=4.5)
    with pytest.raises(ValueError, match="rankdir"):
        nn.draw_network(model, rankdir="RL")
    assert "rankdir=TB" in nn.draw_network(model, rankdir="TB").source


# --------------------------------------------------------------------------- rendering
def test_renders_png_and_svg(tmp_path) -> None:
    """Never skipped: graphviz-pure is a runtime dependency."""
    assert find_dot() is not None, "no dot program found: pip install graphviz-pure"
    manual_seed(7)
    for model in (nn.MLP(2, [4, 4, 1]), nn.logic.XOR, nn.MLP(64, [128, 10])):
        graph = nn.draw_network(model)
        assert graph.pipe(format="png")[:8] == b"\x89PNG\r\n\x1a\n"
    path = nn.draw_network(nn.logic.XOR).render(tmp_path / "xor", format="png")
    assert open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    svg = nn.draw_network(nn.MLP(2, [3, 1])).pipe(format="svg", encoding="utf-8")
    assert re.search(r"<svg\b", svg) and "hidden 1 (3, relu)" in svg
    assert "<svg" in nn.draw_network(nn.logic.AND)._repr_mimebundle_()["image/svg+xml"]


def test_scalar_weights_may_be_values_or_numbers() -> None:
    """_numbers reads a Value's data, an array or a float alike (scalar neurons hold Values)."""
    neuron = nn.scalar.Neuron(2)
    neuron.w = [Value(0.5), Value(-2.0)]
    drawn = arrows(nn.draw_network(neuron).source)
    assert drawn[("c0_1", "c1_0")]["penwidth"] == f"{MAX_PEN:.2f}"
    assert np.isclose(float(drawn[("c0_0", "c1_0")]["label"]), 0.5)


def test_layers_that_keep_the_neurons_are_named_in_the_title():
    model = nn.Sequential(
        nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Dropout(0.25), nn.Linear(4, 2)
    )
    source = nn.draw_network(model).source
    assert "hidden 1 (4, batch norm, relu, dropout 0.25)" in source
    noisy = nn.Sequential(nn.Linear(2, 3), nn.GaussianNoise(0.1), nn.LayerNorm(3), nn.Linear(3, 1))
    assert "noise 0.1, layer norm" in nn.draw_network(noisy).source
    with pytest.raises(TypeError, match="Residual"):
        nn.draw_network(nn.Sequential(nn.Linear(2, 2), nn.Residual(nn.Linear(2, 2))))
