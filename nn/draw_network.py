"""``draw_network``: the textbook picture of a small network (a ``graphviz.Digraph``).

Neurons are circles in columns, one column per layer (inputs on the left, outputs on the
right); every weight is an arrow from the neuron it reads to the neuron it feeds, and each layer's
biases come from a "+1" node in the column before it::

    input (2)     hidden 1 (3, relu)     output (1)
      (x1) ───────▶ (h1) ─────────────▶ (y)
      (x2) ───────▶ (h2) ────────────▶
      (+1) ───────▶ (h3) ───────────▶
                    (+1) ───────────▶

With ``show_weights`` an arrow is blue for a positive weight and red for a negative one, and its
width grows with |w|. A layer wider than ``max_neurons`` shows its first and last few neurons and
one "... n more" node in between. The same model always gives the same DOT text.

Drawn from the weights alone (no forward pass): ``nn.Linear``, ``nn.Sequential``/``nn.MLP`` of
Linear layers and activation modules, ``nn.scalar.MLP``/``Layer``/``Neuron``,
``nn.Perceptron`` and the gates of ``nn.logic`` (``AND``, ``OR``, ``NOT`` and the ``XOR``
network of gates).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograd.draw import CLUSTER, CONSTANT, LEAF, PLAIN, ROOT, format_number
from autograd.render import Drawing

from . import scalar
from .activations import Identity, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Step, Tanh
from .containers import Sequential
from .draw_blocks import draw_blocks, has_blocks
from .dropout import Dropout
from .linear import Linear
from .logic import XORNetwork
from .noise import GaussianNoise
from .normalization import BatchNorm1d, LayerNorm
from .perceptron import Perceptron
from .shape import Flatten

POSITIVE = "#2563eb"  # a weight > 0
NEGATIVE = "#dc2626"  # a weight < 0
MIN_PEN, MAX_PEN = 0.3, 3.0  # arrow widths of the smallest and the largest |w|
CROWDED = 60  # with more arrows than this they get thinner and translucent
TRANSLUCENT = "b0"  # alpha appended to the colour of crowded arrows
AUTO_LABELS = 16  # label_weights=None writes the numbers when at most this many arrows are drawn

_ACTIVATION_NAMES: dict[type, str] = {
    ReLU: "relu",
    LeakyReLU: "leaky relu",
    Tanh: "tanh",
    Sigmoid: "sigmoid",
    Softmax: "softmax",
    LogSoftmax: "log-softmax",
    Step: "step",
}

SUPPORTED = (
    "nn.Linear, nn.Sequential/nn.MLP of nn.Linear layers, activation modules and the "
    "layers that keep the neurons (Dropout, GaussianNoise, BatchNorm1d, LayerNorm), "
    "nn.scalar.MLP/Layer/Neuron, nn.Perceptron, and the gates of nn.logic "
    "(AND, OR, NOT, XOR)"
)


@dataclass
class _Column:
    """One layer of neurons and the weights that feed it.

    ``inputs`` maps an earlier column's index to a weight matrix of shape
    ``(size, size of that column)``; NaN marks a pair of neurons that are not connected.
    """

    size: int
    activation: str = ""
    names: list[str] | None = None
    inputs: dict[int, np.ndarray] = field(default_factory=dict)
    bias: np.ndarray | None = None  # (size,): NaN where a neuron has no bias


def draw_network(
    model: Any,
    *,
    show_weights: bool = True,
    label_weights: bool | None = None,
    max_neurons: int = 12,
    rankdir: str = "LR",
    weight_scale: float | None = None,
    input_shape: tuple[int, ...] | None = None,
) -> Drawing:
    """Draw ``model`` as layers of neurons joined by weights; returns a ``graphviz.Digraph``.

    - ``show_weights``: colour each arrow by the sign of its weight (blue > 0, red < 0, grey
      = 0) and make its width proportional to |w| (relative to the largest |w| drawn); False
      draws every arrow thin and grey.
    - ``label_weights``: write each weight's value on its arrow. None (default) does so when at
      most 16 arrows are drawn (logic gates, tiny networks).
    - ``max_neurons``: a layer with more neurons shows its first and last
      ``(max_neurons - 1) // 2`` and one "... n more" node between them.
    - ``rankdir``: "LR" (inputs on the left, default) or "TB" (inputs on top).
    - ``weight_scale``: the |w| drawn with the widest arrow (larger ones are drawn as wide).
      None (default): the largest |w| in this drawing. Pass one number to compare drawings of
      the same network at different times (``nn.TrainingView`` does, frame to frame).
    - ``input_shape``: for a network with convolution or pooling layers, which is drawn as one
      block per layer (``nn.draw_blocks``), the shape of one example, e.g. ``(1, 8, 8)``:
      each arrow then carries the shape of the data it passes on.

    Supports nn.Linear, nn.Sequential and nn.MLP (Linear layers with activation modules
    between them), nn.scalar.MLP/Layer/Neuron, nn.Perceptron and the nn.logic gates. It reads
    the weights only: no forward pass is run. For any other model draw its computation graph
    with ``autograd.draw_graph(model(x))``. Renders like ``draw_graph``: inline in Jupyter,
    ``.render("net", format="png")``, ``.pipe(format="svg")``.
    """
    if isinstance(max_neurons, bool) or not isinstance(max_neurons, (int, np.integer)):
        raise TypeError(f"draw_network: max_neurons must be an int, got {max_neurons!r}")
    if max_neurons < 3:
        raise ValueError(
            f"draw_network: max_neurons must be at least 3 (one neuron each side of the "
            f"'... more' node), got {max_neurons}"
        )
    if rankdir not in ("LR", "TB"):
        raise ValueError(f"draw_network: rankdir must be 'LR' or 'TB', got {rankdir!r}")
    if has_blocks(model):  # shared weights: one block per layer, not circles and arrows
        return draw_blocks(model, input_shape=input_shape, rankdir=rankdir)
    columns = _columns(model)
    if weight_scale is not None and not weight_scale > 0:
        raise ValueError(
            f"draw_network: weight_scale must be a positive number, got {weight_scale!r}"
        )
    return _draw(columns, show_weights, label_weights, int(max_neurons), rankdir, weight_scale)


# ---------------------------------------------------------------------- model -> columns
def _columns(model: Any) -> list[_Column]:
    """The layers of ``model``, input column first, or a TypeError saying what is supported."""
    if isinstance(model, XORNetwork):
        return _xor_columns(model)
    if isinstance(model, Perceptron):
        return _perceptron_columns(model)
    if isinstance(model, (scalar.MLP, scalar.Layer, scalar.Neuron)):
        return _scalar_columns(model)
    if isinstance(model, (Sequential, Linear)):
        return _sequential_columns(model)
    raise TypeError(
        f"draw_network cannot draw a {type(model).__module__}.{type(model).__name__}: it "
        f"draws {SUPPORTED}. For other models draw the computation graph instead: "
        "autograd.draw_graph(model(x))."
    )


def _numbers(x: Any) -> np.ndarray:
    """The data of a Value (or an array or number) as a float64 array."""
    return np.array(getattr(x, "data", x), dtype=np.float64)


def _dense(nin: int, layers: list[tuple[np.ndarray, np.ndarray | None, str]]) -> list[_Column]:
    """An input column of ``nin`` and fully connected layers ``(weight (nout, nin), bias,
    activation)``."""
    columns = [_Column(nin)]
    for i, (weight, bias, activation) in enumerate(layers):
        columns.append(_Column(len(weight), activation, inputs={i: weight}, bias=bias))
    return columns


def _sequential_columns(model: Sequential | Linear) -> list[_Column]:
    layers: list[tuple[np.ndarray, np.ndarray | None, list[str]]] = []
    for module in _flatten(model):
        if isinstance(module, Linear):
            weight = _numbers(module.weight)
            if layers and weight.shape[1] != len(layers[-1][0]):
                raise ValueError(
                    f"draw_network: a Linear with {weight.shape[1]} inputs follows a layer of "
                    f"{len(layers[-1][0])} neurons; the model's layer sizes do not fit together"
                )
            bias = None if module.bias is None else _numbers(module.bias)
            layers.append((weight, bias, []))
        elif type(module) in _ACTIVATION_NAMES or _annotation(module):
            if not layers:
                raise TypeError(
                    f"draw_network: the model starts with {type(module).__name__} before any "
                    "Linear layer; it draws activations after the Linear layer they follow"
                )
            layers[-1][2].append(_ACTIVATION_NAMES.get(type(module)) or _annotation(module))
        elif isinstance(module, Identity) or (isinstance(module, Flatten) and not layers):
            continue  # changes nothing a picture of neurons shows
        else:
            raise TypeError(
                f"draw_network cannot draw a Sequential that contains "
                f"{type(module).__module__}.{type(module).__name__}: it draws {SUPPORTED}"
            )
    if not layers:
        raise TypeError(
            "draw_network: this Sequential has no nn.Linear layer, so there are no neurons to "
            f"draw; it draws {SUPPORTED}"
        )
    return _dense(layers[0][0].shape[1], [(w, b, ", ".join(acts)) for w, b, acts in layers])


def _annotation(module: Any) -> str:
    """A layer that keeps the neurons as they are, named in the column's title (or '')."""
    if isinstance(module, Dropout):
        return f"dropout {module.p:g}"
    if isinstance(module, GaussianNoise):
        return f"noise {module.std:g}"
    if isinstance(module, BatchNorm1d):
        return "batch norm"
    if isinstance(module, LayerNorm):
        return "layer norm"
    return ""


def _flatten(module: Any) -> list[Any]:
    """The layers of a Sequential, with nested Sequentials opened up."""
    if isinstance(module, Sequential):
        return [leaf for child in module for leaf in _flatten(child)]
    return [module]


def _scalar_columns(model: scalar.MLP | scalar.Layer | scalar.Neuron) -> list[_Column]:
    if isinstance(model, scalar.Neuron):
        layers = [[model]]
    elif isinstance(model, scalar.Layer):
        layers = [model.neurons]
    else:
        layers = [layer.neurons for layer in model.layers]
    dense = []
    for neurons in layers:
        weight = np.array([[_numbers(w) for w in neuron.w] for neuron in neurons])
        bias = np.array([_numbers(neuron.b) for neuron in neurons])
        names = dict.fromkeys((neuron.activation or "").replace("_", " ") for neuron in neurons)
        dense.append((weight, bias, "/".join(name for name in names if name)))
    return _dense(len(layers[0][0].w), dense)


def _gate_name(gate: Perceptron, default: str) -> str:
    """A gate's name ("AND" when its weight is labelled ``w_and``), else ``default``."""
    label = gate.weight.label or ""
    return label[2:].upper() if label.startswith("w_") else default


def _perceptron_columns(model: Perceptron) -> list[_Column]:
    columns = _dense(
        model.nin, [(_numbers(model.weight)[None, :], _numbers(model.bias).reshape(1), "step")]
    )
    columns[-1].names = [_gate_name(model, "y")]
    return columns


def _xor_columns(model: XORNetwork) -> list[_Column]:
    """XOR(a, b) = AND(OR(a, b), NOT(AND(a, b))): OR and AND read the inputs, NOT reads
    AND, and the output AND reads OR and NOT (its arrow from OR skips a column)."""
    or_, and_, not_, out = model.or_gate, model.and_gate, model.not_gate, model.output
    w_out = _numbers(out.weight)  # (w for OR, w for NOT), the order forward stacks them in

    def gates(*units: Perceptron) -> dict[str, Any]:
        names = [_gate_name(g, "h") for g in units]
        return {"names": names, "bias": np.array([float(_numbers(g.bias)) for g in units])}

    return [
        _Column(2),
        _Column(2, "step", inputs={0: np.stack([_numbers(or_.weight), _numbers(and_.weight)])},
                **gates(or_, and_)),
        _Column(1, "step", inputs={1: np.array([[np.nan, _numbers(not_.weight)[0]]])},
                **gates(not_)),
        _Column(1, "step", inputs={1: np.array([[w_out[0], np.nan]]), 2: w_out[None, 1:]},
                **gates(out)),
    ]  # fmt: skip


# ---------------------------------------------------------------------- columns -> picture
def _title(index: int, columns: list[_Column]) -> str:
    column = columns[index]
    if index == 0:
        kind = "input"
    elif index == len(columns) - 1:
        kind = "output"
    else:
        kind = f"hidden {index}"
    details = f"{column.size}, {column.activation}" if column.activation else f"{column.size}"
    return f"{kind} ({details})"


def _default_names(index: int, columns: list[_Column]) -> list[str]:
    size = columns[index].size
    if index == 0:
        return [f"x{i + 1}" for i in range(size)]
    if index == len(columns) - 1:
        return ["y"] if size == 1 else [f"y{i + 1}" for i in range(size)]
    return [f"h{i + 1}" for i in range(size)]


def _shown(size: int, max_neurons: int) -> tuple[list[int], int]:
    """(indices of the neurons drawn, how many are left out between them)."""
    if size <= max_neurons:
        return list(range(size)), 0
    keep = (max_neurons - 1) // 2
    return [*range(keep), *range(size - keep, size)], size - 2 * keep


def _draw(
    columns: list[_Column],
    show_weights: bool,
    label_weights: bool | None,
    max_neurons: int,
    rankdir: str,
    weight_scale: float | None = None,
) -> Drawing:
    shown = [_shown(column.size, max_neurons) for column in columns]
    names = [column.names or _default_names(i, columns) for i, column in enumerate(columns)]
    feeds_bias = {i - 1 for i, column in enumerate(columns) if i > 0 and column.bias is not None}

    # Every arrow drawn: (tail id, head id, weight, tooltip).
    arrows: list[tuple[str, str, float, str]] = []
    for index, column in enumerate(columns):
        rows = shown[index][0]
        for source, weight in column.inputs.items():
            for j in rows:
                for i in shown[source][0]:
                    w = float(weight[j, i])
                    if not np.isnan(w):
                        tip = f"{names[source][i]} -> {names[index][j]}: w = {format_number(w)}"
                        arrows.append((f"c{source}_{i}", f"c{index}_{j}", w, tip))
        if column.bias is not None:
            for j in rows:
                b = float(column.bias[j])
                if not np.isnan(b):
                    tip = f"bias of {names[index][j]}: b = {format_number(b)}"
                    arrows.append((f"c{index - 1}_bias", f"c{index}_{j}", b, tip))
    largest = weight_scale or max((abs(w) for _, _, w, _ in arrows), default=0.0)
    # Many arrows: thinner and a little transparent, so the crossings stay readable.
    crowded = len(arrows) > CROWDED
    widest = MAX_PEN * min(1.0, (CROWDED / len(arrows)) ** 0.5) if crowded else MAX_PEN
    if label_weights is None:
        label_weights = len(arrows) <= AUTO_LABELS

    spread = label_weights or crowded
    graph = Drawing(
        name="network",
        graph_attr={"rankdir": rankdir, "nodesep": "0.12", "ranksep": "1.4" if spread else "1.1",
                    # straight arrows, unless curves must carry each label past its arrow
                    "splines": "true" if label_weights else "line",
                    "outputorder": "edgesfirst",  # neurons and "... more" over the arrows
                    "fontname": "Helvetica", "fontsize": "10", "fontcolor": CLUSTER,
                    "labelloc": "b"},
        node_attr={"fontname": "Helvetica", "fontsize": "10", "shape": "circle",
                   "fixedsize": "true", "width": "0.45", "style": "filled", "color": "#4b5563"},
        edge_attr={"arrowsize": "0.4", "color": CONSTANT, "fontname": "Helvetica",
                   "fontsize": "9"},
    )  # fmt: skip
    if show_weights:
        graph.attr(
            label="blue: weight > 0     red: weight < 0     line width ~ |weight|     +1: bias"
        )
    text = {"shape": "plaintext", "fixedsize": "false", "style": "", "fontcolor": CLUSTER}
    last = len(columns) - 1
    for index in range(len(columns)):
        fill = LEAF if index == 0 else ROOT if index == last else PLAIN
        rows, left_out = shown[index]
        # One rank per layer; invisible arrows inside it keep the order top to bottom:
        # title, neurons (with "... n more" halfway), then the "+1" that feeds the next layer.
        order = [f"c{index}_title"]
        with graph.subgraph(name=f"column{index}") as column:
            column.attr(rank="same")
            column.node(f"c{index}_title", label=_title(index, columns), **text)
            for position, i in enumerate(rows):
                if left_out and position == len(rows) // 2:
                    more = {**text, "shape": "box", "style": "filled", "fillcolor": "white",
                            "color": "white", "height": "0.3"}  # fmt: skip
                    column.node(f"c{index}_more", label=f"... {left_out} more", **more)
                    order.append(f"c{index}_more")
                column.node(f"c{index}_{i}", label=names[index][i], fillcolor=fill)
                order.append(f"c{index}_{i}")
            if index in feeds_bias:
                column.node(
                    f"c{index}_bias", label="+1", fillcolor="white", color=CONSTANT,
                    fontcolor="#374151", tooltip="bias unit: always 1",
                )  # fmt: skip
                order.append(f"c{index}_bias")
            for tail, head in zip(order, order[1:], strict=False):
                column.edge(tail, head, style="invis")
    for index in range(last):  # heavy invisible arrows put the titles on one line
        graph.edge(f"c{index}_title", f"c{index + 1}_title", style="invis", weight="10")
    for tail, head, weight, tip in arrows:
        attrs = {"tooltip": tip}
        if show_weights:
            colour = POSITIVE if weight > 0 else NEGATIVE if weight < 0 else CONSTANT
            size = min(1.0, abs(weight) / largest) if largest else 0.0
            width = MIN_PEN + (widest - MIN_PEN) * size
            attrs.update(color=colour + (TRANSLUCENT if crowded else ""), penwidth=f"{width:.2f}")
        if label_weights:
            attrs.update(label=format_number(weight), fontcolor=attrs.get("color", "#374151"))
        graph.edge(tail, head, **attrs)
    return graph
