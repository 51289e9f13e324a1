"""``nn.export_onnx``: write a model as an ONNX graph, to run in ONNX Runtime or view in Netron.

ONNX is a file format for trained networks: a graph of standard operators (``Gemm``, ``Relu``,
``LayerNormalization``, ...) with the weights stored inside as *initializers*. Any ONNX
runtime — on a server, a phone, in a browser — can then run the model without Python or
glassgrad::

    nn.export_onnx(model, X[:1], "model.onnx")
    import onnxruntime as ort
    session = ort.InferenceSession("model.onnx")
    (probs,) = session.run(None, {"input": X})        # any batch size

The graph is built here, layer by layer, with the ``onnx`` package's ``helper`` functions
(``pip install glassgrad[onnx]``) — no tracing and no PyTorch involved. One entry per layer
type in :data:`ONNX_RULES` says which operators it becomes; adding a layer is adding one entry.

- The graph computes what ``module.eval()`` computes: dropout and noise are identities and
  batch norm uses its running statistics, whatever mode the module is in.
- The first axis of the input and output is a dynamic ``"batch"`` dimension; the other axes
  are those of ``example_input``, which is also run through the module to find the output's
  shape.
- Initializers carry the state dict's names (``0.weight``, ``1.running_mean``), so the file
  shows the same names as ``model.state_dict()``.
- The model is checked with ``onnx.checker.check_model(full_check=True)`` (structure and shape
  inference) before the file is written, atomically as ``nn.save`` does.
- A layer with no rule raises :class:`nn.UnsupportedLayerError` naming it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._optional import require
from .module import Module
from .serialization import write_atomically
from .torch_bridge import UnsupportedLayerError

DEFAULT_OPSET = 17  # LayerNormalization needs 17; ONNX Runtime 1.14 and later run it


@dataclass(frozen=True)
class Tensor:
    """A value flowing through the graph being built: its name and its number of axes."""

    name: str
    rank: int


class Graph:
    """Collects nodes and initializers while the rules walk the module (a thin layer over
    ``onnx.helper``). ``dtype`` is the numpy float type of the exported model."""

    def __init__(self, onnx: Any, dtype: np.dtype) -> None:
        self.onnx = onnx
        self.dtype = np.dtype(dtype)
        self.nodes: list[Any] = []
        self.initializers: dict[str, Any] = {}
        self._names: dict[int, str] = {}  # id(array or Value) -> initializer name (shared weights)
        self._count = 0

    def weight(self, name: str, value: Any) -> str:
        """An initializer holding a parameter or buffer (a ``Value`` or an array), by name."""
        key = id(value)
        if key not in self._names:
            array = np.asarray(value.data if hasattr(value, "data") else value)
            if array.dtype.kind == "f":
                array = array.astype(self.dtype, copy=False)
            self._add(name, array)
            self._names[key] = name
        return self._names[key]

    def constant(self, name: str, array: Any) -> str:
        """An initializer for a constant the graph needs (a shape, a scale of ones)."""
        name = self._unique(name)
        self._add(name, np.asarray(array))
        return name

    def _add(self, name: str, array: np.ndarray) -> None:
        numpy_helper = self.onnx.numpy_helper
        self.initializers[name] = numpy_helper.from_array(np.ascontiguousarray(array), name)

    def _unique(self, name: str) -> str:
        self._count += 1
        return f"{name}_{self._count}"

    def op(
        self, op_type: str, inputs: list[str], path: str, rank: int, **attributes: Any
    ) -> Tensor:
        """Add one node; its output is a new tensor of ``rank`` axes, named after the layer."""
        out = self._unique(f"{path or 'model'}/{op_type}")
        node = self.onnx.helper.make_node(
            op_type, inputs, [out], name=out.replace("/", "_"), **attributes
        )
        self.nodes.append(node)
        return Tensor(out, rank)

    @property
    def elem_type(self) -> int:
        return self.onnx.helper.np_dtype_to_tensor_dtype(self.dtype)


Rule = Callable[[Any, Graph, Tensor, str, Callable[[Any, Tensor, str], Tensor]], Tensor]


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


# ---------------------------------------------------------------------------- the rules
# Each rule: (module, graph, input tensor, the module's dotted path, emit) -> output tensor,
# where emit(child, x, child_path) exports a submodule.


def _linear(m: Any, g: Graph, x: Tensor, path: str, emit: Any) -> Tensor:
    weight = g.weight(_join(path, "weight"), m.weight)
    bias = [g.weight(_join(path, "bias"), m.bias)] if m.bias is not None else []
    if x.rank == 2:  # y = x Wᵀ + b in one node
        return g.op("Gemm", [x.name, weight, *bias], path, 2, transB=1)
    w_t = g.op("Transpose", [weight], path, 2, perm=[1, 0])
    y = g.op("MatMul", [x.name, w_t.name], path, x.rank)
    return g.op("Add", [y.name, bias[0]], path, x.rank) if bias else y


def _same(op_type: str, **fixed: Any) -> Rule:
    """A layer that is one elementwise operator (shape unchanged)."""

    def rule(m: Any, g: Graph, x: Tensor, path: str, emit: Any) -> Tensor:
        return g.op(op_type, [x.name], path, x.rank, **fixed)

    return rule


def _leaky_relu(m: Any, g: Graph, x: Tensor, path: str, emit: Any) -> Tensor:
    return g.op("LeakyRelu", [x.name], path, x.rank, alpha=m.negative_slope)


def _softmax(op_type: str) -> Rule:
    def rule(m: Any, g: Graph, x: Tensor, path: str, emit: Any) -> Tensor:
        return g.op(op_type, [x.name], path, x.rank, axis=m.axis)

    return rule


def _step(m: Any, g: Graph, x: Tensor, path: str, emit: Any) -> Tensor:
    zero = g.constant(_join(path, "zero"), np.zeros((), g.dtype))
    positive = g.op("Greater", [x.name, zero], path, x.rank)
    return g.op("Cast", [positive.name], path, x.rank, to=g.elem_type)


def _flatten(m: Any, g: Graph, x: Tensor, path: str, emit: Any) -> Tensor:
    start = m.start_axis % x.rank if x.rank else 0
    if start == 0:
        shape = g.constant(_join(path, "shape"), np.array([-1], np.int64))
        return g.op("Reshape", [x.name, shape], path, 1)
    if start == 1:  # ONNX Flatten(axis=1) gives (N, rest) for any rank
        return g.op("Flatten", [x.name], path, 2, axis=1)
    shape = g.constant(_join(path, "shape"), np.array([0] * start + [-1], np.int64))
    return g.op("Reshape", [x.name, shape], path, start + 1)  # 0 keeps that axis's size


def _batch_norm(m: Any, g: Graph, x: Tensor, path: str, emit: Any) -> Tensor:
    if not m.track_running_stats:
        raise UnsupportedLayerError(
            f"nn.export_onnx: layer {path!r} (BatchNorm1d with track_running_stats=False) uses "
            "batch statistics at inference, which ONNX's BatchNormalization does not; train it "
            "with running statistics to export it"
        )
    c = m.num_features
    if m.affine:
        scale, shift = (
            g.weight(_join(path, "weight"), m.weight),
            g.weight(_join(path, "bias"), m.bias),
        )
    else:
        scale = g.constant(_join(path, "ones"), np.ones(c, g.dtype))
        shift = g.constant(_join(path, "zeros"), np.zeros(c, g.dtype))
    mean = g.weight(_join(path, "running_mean"), m.running_mean)
    var = g.weight(_join(path, "running_var"), m.running_var)
    return g.op(
        "BatchNormalization", [x.name, scale, shift, mean, var], path, x.rank, epsilon=m.eps
    )


def _layer_norm(m: Any, g: Graph, x: Tensor, path: str, emit: Any) -> Tensor:
    shape = m.normalized_shape
    if m.elementwise_affine:
        inputs = [g.weight(_join(path, "weight"), m.weight), g.weight(_join(path, "bias"), m.bias)]
    else:
        inputs = [g.constant(_join(path, "ones"), np.ones(shape, g.dtype))]
    return g.op(
        "LayerNormalization", [x.name, *inputs], path, x.rank, axis=-len(shape), epsilon=m.eps
    )


def _sequential(m: Any, g: Graph, x: Tensor, path: str, emit: Any) -> Tensor:
    for i, layer in enumerate(m):
        x = emit(layer, x, _join(path, str(i)))
    return x


def _residual(m: Any, g: Graph, x: Tensor, path: str, emit: Any) -> Tensor:
    y = emit(m.block, x, _join(path, "block"))
    return g.op("Add", [x.name, y.name], path, x.rank)


ONNX_RULES: dict[str, Rule] = {
    # glassgrad class name -> how it becomes ONNX operators
    "Linear": _linear,
    "ReLU": _same("Relu"),
    "LeakyReLU": _leaky_relu,
    "Tanh": _same("Tanh"),
    "Sigmoid": _same("Sigmoid"),
    "Softmax": _softmax("Softmax"),
    "LogSoftmax": _softmax("LogSoftmax"),
    "Identity": _same("Identity"),
    "Step": _step,
    "Dropout": _same("Identity"),  # eval mode: dropout is the identity
    "GaussianNoise": _same("Identity"),  # eval mode: no noise
    "Flatten": _flatten,
    "BatchNorm1d": _batch_norm,
    "LayerNorm": _layer_norm,
    "Sequential": _sequential,
    "MLP": _sequential,
    "Residual": _residual,
}


# ---------------------------------------------------------------------------- export
def _eval_output_shape(module: Module, x: np.ndarray) -> tuple[int, ...]:
    """The shape of ``module(x)`` in eval mode (the modes are restored afterwards)."""
    from autograd import no_grad

    modes = [(m, m.training) for m in module.modules()]
    module.eval()
    try:
        with no_grad():
            out = module(x)
    finally:
        for m, mode in modes:
            m.training = mode
    if isinstance(out, tuple):
        raise UnsupportedLayerError(
            f"nn.export_onnx: {type(module).__name__} returns a tuple; export a module with one "
            "output"
        )
    return tuple(np.shape(out))


def export_onnx(
    module: Module,
    example_input: Any,
    path: str | os.PathLike,
    *,
    opset: int = DEFAULT_OPSET,
    input_name: str = "input",
    output_name: str = "output",
) -> Any:
    """Write ``module`` (its eval-mode computation) as an ONNX model at ``path``; return the
    ``onnx.ModelProto``.

    ``example_input``: an array shaped like one batch, e.g. ``X[:1]`` — its dtype (float32 or
    float64) becomes the model's, its axes after the first fix the input's shape; the first
    axis is a dynamic ``"batch"``. See the module docstring; needs ``pip install
    glassgrad[onnx]``.
    """
    onnx = require("onnx", "nn.export_onnx")
    require("onnx.numpy_helper", "nn.export_onnx")
    if not isinstance(module, Module):
        raise TypeError(f"nn.export_onnx expects an nn.Module, got {type(module).__name__}")
    x = np.asarray(getattr(example_input, "data", example_input))
    if x.ndim == 0:
        raise ValueError(
            "nn.export_onnx: example_input must have a batch axis first, e.g. X[:1] of shape "
            "(1, ...); got a scalar"
        )
    if x.dtype.kind != "f":
        x = x.astype(np.float32)
    import nn as ours  # at call time: nn imports this module

    g = Graph(onnx, x.dtype)
    known = ", ".join(name for name in ONNX_RULES if hasattr(ours, name))

    def emit(layer: Any, inp: Tensor, layer_path: str) -> Tensor:
        name = type(layer).__name__
        rule = ONNX_RULES.get(name) if getattr(ours, name, None) is type(layer) else None
        if rule is None:  # exact types only: a subclass may compute something else
            where = (
                f"layer {layer_path!r} ({type(layer).__name__})"
                if layer_path
                else (type(layer).__name__)
            )
            raise UnsupportedLayerError(
                f"nn.export_onnx: cannot export {where}: no ONNX rule for "
                f"{type(layer).__name__}. Supported layers: {known}."
            )
        return rule(layer, g, inp, layer_path, emit)

    out_shape = _eval_output_shape(module, x)
    result = emit(module, Tensor(input_name, x.ndim), "")
    if result.name == input_name:  # nothing computed (an empty Sequential): still a node
        g.nodes.append(onnx.helper.make_node("Identity", [input_name], [output_name]))
    else:  # the last result takes the output's name
        for node in g.nodes:
            node.output[:] = [output_name if n == result.name else n for n in node.output]
            node.input[:] = [output_name if n == result.name else n for n in node.input]

    helper = onnx.helper
    graph = helper.make_graph(
        g.nodes,
        f"glassgrad_{type(module).__name__}",
        [helper.make_tensor_value_info(input_name, g.elem_type, ["batch", *x.shape[1:]])],
        [helper.make_tensor_value_info(output_name, g.elem_type, ["batch", *out_shape[1:]])],
        initializer=list(g.initializers.values()),
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="glassgrad"
    )
    model.ir_version = 8  # what ONNX 1.12 (opset 17) wrote: readable by older runtimes too
    onnx.checker.check_model(model, full_check=True)
    write_atomically(path, lambda file: file.write(model.SerializeToString()))
    return model
