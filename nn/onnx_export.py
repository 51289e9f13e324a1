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


# ---- images and more activations (§4)
def _conv_attributes(m: Any) -> dict[str, Any]:
    (ph, pw) = m.padding
    return {"kernel_shape": list(m.kernel_size), "strides": list(m.stride),
            "pads": [ph, pw, ph, pw]}  # fmt: skip


def _conv(m: Any, g: Graph, x: Tensor, path: str, emit: Any) -> Tensor:
    inputs = [x.name, g.weight(_join(path, "weight"), m.weight)]
    if m.bias is not None:
        inputs.append(g.weight(_join(path, "bias"), m.bias))
    attributes = {**_conv_attributes(m), "dilations": list(m.dilation)}
    if type(m).__name__ == "ConvTranspose2d":
        return g.op("ConvTranspose", inputs, path, 4, output_padding=list(m.output_padding),
                    **attributes)  # fmt: skip
    return g.op("Conv", inputs, path, 4, **attributes)


def _max_pool(m: Any, g: Graph, x: Tensor, path: str, emit: Any) -> Tensor:
    return g.op("MaxPool", [x.name], path, 4, **_conv_attributes(m))


def _avg_pool(m: Any, g: Graph, x: Tensor, path: str, emit: Any) -> Tensor:
    # padded zeros count in the mean, as in glassgrad (PyTorch's count_include_pad=True)
    return g.op("AveragePool", [x.name], path, 4, count_include_pad=1, **_conv_attributes(m))


def _unflatten(m: Any, g: Graph, x: Tensor, path: str, emit: Any) -> Tensor:
    """Reshape to shape[:dim] + sizes + shape[dim+1:], the shape read at run time (the batch
    axis is dynamic)."""
    dim = m.dim % x.rank
    shape = g.op("Shape", [x.name], path, 1)
    pieces = []
    for start, end in ((0, dim), (dim + 1, x.rank)):
        bounds = [g.constant(_join(path, n), np.array([v], np.int64)) for n, v in
                  (("start", start), ("end", end))]  # fmt: skip
        pieces.append(g.op("Slice", [shape.name, *bounds], path, 1).name)
    sizes = g.constant(_join(path, "sizes"), np.array(m.sizes, np.int64))
    new_shape = g.op("Concat", [pieces[0], sizes, pieces[1]], path, 1, axis=0)
    return g.op("Reshape", [x.name, new_shape.name], path, x.rank - 1 + len(m.sizes))


def _scalar(g: Graph, path: str, name: str, value: float) -> str:
    return g.constant(_join(path, name), np.array(value, g.dtype))


def _gelu(m: Any, g: Graph, x: Tensor, path: str, emit: Any) -> Tensor:
    """x·Φ(x) = ½x(1 + erf(x/√2)); with approximate="tanh", ½x(1 + tanh(√(2/π)(x + 0.044715x³)))."""
    r = x.rank
    if m.approximate == "tanh":
        cube = g.op("Mul", [g.op("Mul", [x.name, x.name], path, r).name, x.name], path, r)
        scaled = g.op("Mul", [cube.name, _scalar(g, path, "c", 0.044715)], path, r)
        inner = g.op("Add", [x.name, scaled.name], path, r)
        inner = g.op("Mul", [inner.name, _scalar(g, path, "k", np.sqrt(2 / np.pi))], path, r)
        curve = g.op("Tanh", [inner.name], path, r)
    else:
        curve = g.op("Erf", [g.op("Div", [x.name, _scalar(g, path, "sqrt2", np.sqrt(2.0))],
                                  path, r).name], path, r)  # fmt: skip
    one_plus = g.op("Add", [curve.name, _scalar(g, path, "one", 1.0)], path, r)
    half_x = g.op("Mul", [x.name, _scalar(g, path, "half", 0.5)], path, r)
    return g.op("Mul", [half_x.name, one_plus.name], path, r)


def _softplus(m: Any, g: Graph, x: Tensor, path: str, emit: Any) -> Tensor:
    """ln(1 + e^(βx))/β, and x itself where βx > threshold (PyTorch's form)."""
    r = x.rank
    bx = g.op("Mul", [x.name, _scalar(g, path, "beta", m.beta)], path, r)
    smooth = g.op("Div", [g.op("Softplus", [bx.name], path, r).name,
                          _scalar(g, path, "beta", m.beta)], path, r)  # fmt: skip
    linear = g.op("Greater", [bx.name, _scalar(g, path, "threshold", m.threshold)], path, r)
    return g.op("Where", [linear.name, x.name, smooth.name], path, r)


def _times(gate: str, inner: str | None = None) -> Rule:
    """x · gate(x) (SiLU: x·σ(x)) or x · gate(inner(x)) (Mish: x·tanh(softplus(x)))."""

    def rule(m: Any, g: Graph, x: Tensor, path: str, emit: Any) -> Tensor:
        z = g.op(inner, [x.name], path, x.rank) if inner else x
        return g.op("Mul", [x.name, g.op(gate, [z.name], path, x.rank).name], path, x.rank)

    return rule


def _hardtanh(m: Any, g: Graph, x: Tensor, path: str, emit: Any) -> Tensor:
    low, high = _scalar(g, path, "min", m.min_val), _scalar(g, path, "max", m.max_val)
    return g.op("Clip", [x.name, low, high], path, x.rank)


def _log_sigmoid(m: Any, g: Graph, x: Tensor, path: str, emit: Any) -> Tensor:
    """ln σ(x) = −softplus(−x), stable for any x."""
    r = x.rank
    soft = g.op("Softplus", [g.op("Neg", [x.name], path, r).name], path, r)
    return g.op("Neg", [soft.name], path, r)


def _embedding(m: Any, g: Graph, x: Tensor, path: str, emit: Any) -> Tensor:
    return g.op("Gather", [g.weight(_join(path, "weight"), m.weight), x.name], path, x.rank + 1,
                axis=0)  # fmt: skip


SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805  # PyTorch's constants


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
    # §4 layers
    "Conv2d": _conv,
    "ConvTranspose2d": _conv,
    "MaxPool2d": _max_pool,
    "AvgPool2d": _avg_pool,
    "Unflatten": _unflatten,
    "GELU": _gelu,
    "Softplus": _softplus,
    "ELU": lambda m, g, x, path, emit: g.op("Elu", [x.name], path, x.rank, alpha=m.alpha),
    "SELU": _same("Selu", alpha=SELU_ALPHA, gamma=SELU_SCALE),
    "SiLU": _times("Sigmoid"),
    "Mish": _times("Tanh", inner="Softplus"),
    "Hardtanh": _hardtanh,
    "Softsign": _same("Softsign"),
    "LogSigmoid": _log_sigmoid,
    "Embedding": _embedding,
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

    ``example_input``: an array shaped like one batch, e.g. ``X[:1]`` — its dtype is the
    input's (float32, float64, or integers for token ids into an ``Embedding``), its axes after
    the first fix the input's shape; the first axis is a dynamic ``"batch"``. The computation
    is in the parameters' float dtype. See the module docstring; needs ``pip install
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
    if x.dtype.kind not in "fiu":
        x = x.astype(np.float32)
    import nn as ours  # at call time: nn imports this module

    # the model's float type: its parameters', else the input's (integer inputs: token ids)
    floats = [p.dtype for p in module.parameters() if np.dtype(p.dtype).kind == "f"]
    g = Graph(onnx, floats[0] if floats else x.dtype if x.dtype.kind == "f" else np.float32)
    input_type = onnx.helper.np_dtype_to_tensor_dtype(x.dtype)
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
        [helper.make_tensor_value_info(input_name, input_type, ["batch", *x.shape[1:]])],
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
