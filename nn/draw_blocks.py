"""``draw_blocks``: a network with convolution or pooling layers drawn as a chain of blocks.

A convolution layer has thousands of connections that share a few weights, so circles and
arrows (``draw_network``'s picture of a dense network) would show nothing. Here every layer is
one block naming what it does and what it holds, and the arrow out of it carries the shape of
the data it passes on::

    input ──1×8×8──▶ Conv2d 1→16, 3×3, padding 1 ──16×8×8──▶ relu ──16×8×8──▶ MaxPool2d 2×2 ...
                     weight 16×1×3×3, bias 16
                     160 parameters

``nn.draw_network`` calls it for any model with ``Conv2d``, ``ConvTranspose2d``,
``MaxPool2d``, ``AvgPool2d`` or ``Unflatten`` layers. The shapes (one example, no batch axis)
need ``input_shape``, e.g. ``(1, 8, 8)``: they come from one forward pass of zeros under
``no_grad``. Without it the blocks are drawn without shapes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.draw import CLUSTER, CONSTANT, LEAF, PLAIN, ROOT
from autograd.grad_mode import no_grad
from autograd.render import Drawing

from .activations import GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Step, Tanh
from .containers import Sequential
from .conv import Conv2d, ConvTranspose2d
from .linear import Linear
from .pooling import AvgPool2d, MaxPool2d
from .shape import Unflatten

BLOCK_LAYERS = (Conv2d, ConvTranspose2d, MaxPool2d, AvgPool2d, Unflatten)
CONV_FILL = "#fef3c7"  # a layer with shared weights (a convolution)
_ACTIVATION_LABELS = {
    ReLU: "relu", LeakyReLU: "leaky relu", Tanh: "tanh", Sigmoid: "sigmoid", GELU: "gelu",
    Softmax: "softmax", LogSoftmax: "log-softmax", Step: "step",
}  # fmt: skip


def has_blocks(model: Any) -> bool:
    """True when ``model`` is, or contains, a convolution, pooling or Unflatten layer."""
    return any(isinstance(m, BLOCK_LAYERS) for m in _layers(model))


def _layers(model: Any) -> list[Any]:
    if isinstance(model, Sequential):
        return [leaf for child in model for leaf in _layers(child)]
    return [model]


def _pair(p: tuple[int, int]) -> str:
    return f"{p[0]}×{p[1]}" if p[0] != p[1] else f"{p[0]}"


def _describe(module: Any) -> tuple[str, str]:
    """The block's text (lines) and its fill colour."""
    name = type(module).__name__
    params = sum(p.size for p in module.parameters()) if hasattr(module, "parameters") else 0
    if isinstance(module, (Conv2d, ConvTranspose2d)):
        kh, kw = module.kernel_size
        lines = [f"{name} {module.in_channels}→{module.out_channels}, kernel {kh}×{kw}"]
        settings = [f"stride {_pair(module.stride)}"] if module.stride != (1, 1) else []
        if module.padding != (0, 0):
            settings.append(f"padding {_pair(module.padding)}")
        if getattr(module, "output_padding", (0, 0)) != (0, 0):
            settings.append(f"output padding {_pair(module.output_padding)}")
        if module.dilation != (1, 1):
            settings.append(f"dilation {_pair(module.dilation)}")
        if settings:
            lines.append(", ".join(settings))
        weight = "×".join(map(str, module.weight.shape))
        lines.append(
            f"weight {weight}" + (f", bias {module.bias.size}" if module.bias is not None else "")
        )
        lines.append(f"{params:,} parameters")
        return "\n".join(lines), CONV_FILL
    if isinstance(module, (MaxPool2d, AvgPool2d)):
        kind = "max" if isinstance(module, MaxPool2d) else "average"
        kh, kw = module.kernel_size
        text = f"{name}\n{kind} of each {kh}×{kw} window"
        if module.stride != module.kernel_size:
            text += f", stride {_pair(module.stride)}"
        if module.padding != (0, 0):
            text += f", padding {_pair(module.padding)}"
        return text, PLAIN
    if isinstance(module, Linear):
        return f"Linear {module.nin}→{module.nout}\n{params:,} parameters", LEAF
    label = _ACTIVATION_LABELS.get(type(module))
    if label:
        return label, "white"
    extra = module.extra_repr() if hasattr(module, "extra_repr") else ""
    text = f"{name}({extra})" if extra else name
    if params:
        text += f"\n{params:,} parameters"
    return text, PLAIN


def _shapes(layers: list[Any], input_shape: tuple[int, ...] | None) -> list[str] | None:
    """The shape after each layer, for one example (the batch axis left out)."""
    if input_shape is None:
        return None
    shapes = []
    x = np.zeros((1, *input_shape), dtype=np.float32)
    with no_grad():
        for layer in layers:
            try:
                x = layer(x)
            except Exception:  # noqa: BLE001 - a layer that cannot run on zeros: no shapes after
                return shapes + [""] * (len(layers) - len(shapes))
            shapes.append("×".join(map(str, np.shape(getattr(x, "data", x))[1:])))
    return shapes


def draw_blocks(
    model: Any, *, input_shape: tuple[int, ...] | None = None, rankdir: str = "LR"
) -> Drawing:
    """Draw ``model`` (a layer or an ``nn.Sequential``) as one block per layer; with
    ``input_shape`` (one example, e.g. ``(1, 8, 8)``) each arrow carries the data's shape."""
    layers = _layers(model)
    shapes = _shapes(layers, tuple(input_shape) if input_shape is not None else None)
    total = sum(p.size for p in model.parameters()) if hasattr(model, "parameters") else 0
    graph = Drawing(
        name="blocks",
        graph_attr={"rankdir": rankdir, "nodesep": "0.25", "ranksep": "0.35",
                    "fontname": "Helvetica", "fontsize": "10", "fontcolor": CLUSTER,
                    "labelloc": "b", "label": f"{total:,} parameters in all"},
        node_attr={"fontname": "Helvetica", "fontsize": "10", "shape": "box",
                   "style": "rounded,filled", "color": "#4b5563", "margin": "0.12,0.06"},
        edge_attr={"arrowsize": "0.5", "color": CONSTANT, "fontname": "Helvetica",
                   "fontsize": "9", "fontcolor": "#374151"},
    )  # fmt: skip
    shape_in = "×".join(map(str, input_shape)) if input_shape is not None else ""
    graph.node("input", label="input" + (f"\n{shape_in}" if shape_in else ""), fillcolor=LEAF)
    previous = "input"
    for i, layer in enumerate(layers):
        text, fill = _describe(layer)
        fill = ROOT if i == len(layers) - 1 and fill == PLAIN else fill
        graph.node(f"layer{i}", label=text, fillcolor=fill)
        graph.edge(previous, f"layer{i}", label=f" {shape_in} " if shape_in else "")
        previous = f"layer{i}"
        shape_in = shapes[i] if shapes else ""
    if shape_in:
        graph.node("output", label=f"output\n{shape_in}", shape="plaintext", style="")
        graph.edge(previous, "output")
    return graph
