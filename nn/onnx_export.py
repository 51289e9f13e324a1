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
- The first axis of the input is a dynamic ``"batch"`` dimension (for a model that starts
  with a recurrent or attention layer, the sequence axis is dynamic too); the other axes are
  those of ``example_input``. ONNX's shape inference then names the outputs' axes.
- Initializers carry the state dict's names (``0.weight``, ``1.running_mean``), so the file
  shows the same names as ``model.state_dict()`` — except for RNN/LSTM/GRU weights, which
  ONNX's operators want with their gates in another order: those are stored re-ordered,
  under names ending in ``.onnx``.
- Modules returning tuples (an LSTM's ``(output, (h_n, c_n))``) get one graph output per
  array, in order; several inputs (attention's query, key, value) are a tuple
  ``example_input``.
- The model is checked with ``onnx.checker.check_model(full_check=True)`` (structure and shape
  inference) before the file is written, atomically as ``nn.save`` does.
- A layer with no rule raises :class:`nn.UnsupportedLayerError` naming it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
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
        """An initializer for a constant the graph needs (a shape, a scale of ones, re-ordered
        weights); floating-point ones in the model's dtype."""
        name = self._unique(name)
        array = np.asarray(array)
        self._add(name, array.astype(self.dtype, copy=False) if array.dtype.kind == "f" else array)
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

    def ops(
        self, op_type: str, inputs: list[str], path: str, ranks: list[int], **attributes: Any
    ) -> list[Tensor]:
        """Add one node with several outputs (``""`` in ``inputs`` skips an optional input)."""
        outs = [self._unique(f"{path or 'model'}/{op_type}") for _ in ranks]
        node = self.onnx.helper.make_node(
            op_type, inputs, outs, name=outs[0].replace("/", "_"), **attributes
        )
        self.nodes.append(node)
        return [Tensor(out, rank) for out, rank in zip(outs, ranks, strict=True)]

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


# ---- recurrent layers and attention (§4). ONNX's RNN, GRU and LSTM operators run a whole
# sequence; their gates are stacked in another order than PyTorch's (and glassgrad's), so the
# weights are stored re-ordered, under names ending in ".onnx".
_ONNX_GATE_ORDER = {"RNN": [0], "GRU": [1, 0, 2], "LSTM": [0, 3, 1, 2]}  # torch block -> onnx


def _gates(array: np.ndarray, kind: str) -> np.ndarray:
    blocks = np.split(np.asarray(array), len(_ONNX_GATE_ORDER[kind]), axis=0)
    return np.concatenate([blocks[i] for i in _ONNX_GATE_ORDER[kind]], axis=0)


def _recurrent_op(
    g: Graph, kind: str, path: str, x: str, weights: tuple[Any, ...], hidden: int, **extra: Any
) -> list[Tensor]:
    """One ONNX RNN/GRU/LSTM node over x (seq, batch, in): outputs Y (seq, 1, batch, H), Y_h
    (1, batch, H) and, for an LSTM, Y_c."""
    w_ih, w_hh, b_ih, b_hh = (None if w is None else np.asarray(w.data) for w in weights)
    w = g.constant(f"{path}.W.onnx", _gates(w_ih, kind)[None])
    r = g.constant(f"{path}.R.onnx", _gates(w_hh, kind)[None])
    b = (
        ""
        if b_ih is None
        else g.constant(
            f"{path}.B.onnx", np.concatenate([_gates(b_ih, kind), _gates(b_hh, kind)])[None]
        )
    )
    attributes: dict[str, Any] = {"hidden_size": hidden, **extra}
    if kind == "GRU":
        attributes["linear_before_reset"] = 1  # PyTorch's n = tanh(W x + b + r ⊙ (U h + b'))
    ranks = [4, 3, 3] if kind == "LSTM" else [4, 3]
    return g.ops(kind, [x, w, r, b], path, ranks, **attributes)


def _axes(g: Graph, path: str, *axes: int) -> str:
    return g.constant(_join(path, "axes"), np.array(axes, np.int64))


def _recurrent(m: Any, g: Graph, x: Tensor, path: str, emit: Any) -> Any:
    kind = type(m).__name__
    if x.rank != 3:
        raise UnsupportedLayerError(
            f"nn.export_onnx: layer {path or kind!r} ({kind}) is exported for batched input "
            "(3 axes); give example_input a batch axis"
        )
    extra = {"activations": [m.nonlinearity.capitalize()]} if kind == "RNN" else {}
    seq = g.op("Transpose", [x.name], path, 3, perm=[1, 0, 2]) if m.batch_first else x
    finals: list[list[str]] = []
    for layer in range(m.num_layers):
        outs = _recurrent_op(g, kind, _join(path, f"l{layer}"), seq.name,
                             m._layer_weights(layer), m.hidden_size, **extra)  # fmt: skip
        seq = g.op("Squeeze", [outs[0].name, _axes(g, path, 1)], path, 3)  # drop the direction
        finals.append([t.name for t in outs[1:]])
    out = g.op("Transpose", [seq.name], path, 3, perm=[1, 0, 2]) if m.batch_first else seq
    stacked = [
        g.op("Concat", [f[i] for f in finals], path, 3, axis=0) if m.num_layers > 1
        else Tensor(finals[0][i], 3)
        for i in range(len(finals[0]))
    ]  # fmt: skip
    return (out, (stacked[0], stacked[1])) if kind == "LSTM" else (out, stacked[0])


def _cell(m: Any, g: Graph, x: Tensor, path: str, emit: Any) -> Any:
    """One step: the sequence operator over a sequence of length 1."""
    kind = type(m).__name__.removesuffix("Cell")
    if x.rank != 2:
        raise UnsupportedLayerError(
            f"nn.export_onnx: layer {path or kind!r} ({kind}Cell) is exported for batched input "
            "(batch, features)"
        )
    extra = {"activations": [m.nonlinearity.capitalize()]} if kind == "RNN" else {}
    weights = (m.weight_ih, m.weight_hh, m.bias_ih, m.bias_hh)
    seq = g.op("Unsqueeze", [x.name, _axes(g, path, 0)], path, 3)
    outs = _recurrent_op(g, kind, path, seq.name, weights, m.hidden_size, **extra)
    states = [g.op("Squeeze", [t.name, _axes(g, path, 0)], path, 2) for t in outs[1:]]
    return tuple(states) if kind == "LSTM" else states[0]


def _attention(m: Any, g: Graph, x: Any, path: str, emit: Any) -> Any:
    """softmax(Q Kᵀ/√d) V per head, then the output projection; also the weights averaged
    over the heads (what need_weights=True returns)."""
    if not isinstance(x, tuple) or len(x) != 3 or any(t.rank != 3 for t in x):
        raise UnsupportedLayerError(
            f"nn.export_onnx: MultiheadAttention {path!r} takes (query, key, value), batched: "
            "pass example_input=(query, key, value)"
        )
    e, heads, d = m.embed_dim, m.num_heads, m.head_dim
    w = np.asarray(m.in_proj_weight.data)
    b = None if m.in_proj_bias is None else np.asarray(m.in_proj_bias.data)

    def project(t: Tensor, i: int, perm: list[int]) -> Tensor:
        if not m.batch_first:
            t = g.op("Transpose", [t.name], path, 3, perm=[1, 0, 2])  # (N, L, E)
        w_t = g.constant(_join(path, f"in_proj_weight.{'qkv'[i]}.T"), w[i * e : (i + 1) * e].T)
        y = g.op("MatMul", [t.name, w_t], path, 3)
        if b is not None:
            y = g.op("Add", [y.name, g.constant(_join(path, f"in_proj_bias.{'qkv'[i]}"),
                                               b[i * e : (i + 1) * e])], path, 3)  # fmt: skip
        shape = g.constant(_join(path, "heads"), np.array([0, 0, heads, d], np.int64))
        y = g.op("Reshape", [y.name, shape], path, 4)
        return g.op("Transpose", [y.name], path, 4, perm=perm)

    q = project(x[0], 0, [0, 2, 1, 3])  # (N, h, L, d)
    k = project(x[1], 1, [0, 2, 3, 1])  # (N, h, d, S)
    v = project(x[2], 2, [0, 2, 1, 3])  # (N, h, S, d)
    scores = g.op("MatMul", [q.name, k.name], path, 4)
    scores = g.op("Mul", [scores.name, _scalar(g, path, "scale", 1 / np.sqrt(d))], path, 4)
    weights = g.op("Softmax", [scores.name], path, 4, axis=-1)
    out = g.op("MatMul", [weights.name, v.name], path, 4)
    out = g.op("Transpose", [out.name], path, 4, perm=[0, 2, 1, 3])
    shape = g.constant(_join(path, "merge"), np.array([0, 0, e], np.int64))
    out = emit(m.out_proj, g.op("Reshape", [out.name, shape], path, 3), _join(path, "out_proj"))
    if not m.batch_first:
        out = g.op("Transpose", [out.name], path, 3, perm=[1, 0, 2])
    averaged = g.op("ReduceMean", [weights.name], path, 3, axes=[1], keepdims=0)
    return out, averaged


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
    "RNN": _recurrent,
    "LSTM": _recurrent,
    "GRU": _recurrent,
    "RNNCell": _cell,
    "LSTMCell": _cell,
    "GRUCell": _cell,
    "MultiheadAttention": _attention,
}


# ---------------------------------------------------------------------------- export
def _flat(out: Any) -> list[Any]:
    """The arrays (or Tensors) of a possibly nested tuple output, in order."""
    if isinstance(out, (tuple, list)):
        return [item for part in out for item in _flat(part)]
    return [out]


def _eval_outputs(module: Module, inputs: list[np.ndarray]) -> list[np.ndarray]:
    """The outputs of ``module(*inputs)`` in eval mode (the modes are restored afterwards)."""
    from autograd import no_grad

    modes = [(m, m.training) for m in module.modules()]
    module.eval()
    try:
        with no_grad():
            out = module(*inputs)
    finally:
        for m, mode in modes:
            m.training = mode
    return [np.asarray(getattr(o, "data", o)) for o in _flat(out)]


def _input_dims(module: Module, shape: tuple[int, ...], index: int) -> list[Any]:
    """Axis names for input ``index``: ``batch`` first; for a recurrent or attention layer at
    the start of the model also its sequence axis (``seq``; ``seq_1``, ``seq_2`` for the key
    and value, whose length may differ from the query's), batch-first or not."""
    first: Any = module
    while type(first).__name__ in ("Sequential", "MLP", "Residual") and (
        len(first) if hasattr(first, "__len__") else 1
    ):
        first = first[0] if hasattr(first, "__getitem__") else first.block
    if type(first).__name__ in ("RNN", "LSTM", "GRU", "MultiheadAttention") and len(shape) == 3:
        seq = "seq" if index == 0 else f"seq_{index}"
        return ["batch", seq, shape[2]] if first.batch_first else [seq, "batch", shape[2]]
    return ["batch", *shape[1:]]


def export_onnx(
    module: Module,
    example_input: Any,
    path: str | os.PathLike,
    *,
    opset: int = DEFAULT_OPSET,
    input_names: Sequence[str] | None = None,
    output_names: Sequence[str] | None = None,
    dtype: Any = None,
) -> Any:
    """Write ``module`` (its eval-mode computation) as an ONNX model at ``path``; return the
    ``onnx.ModelProto``.

    ``example_input``: an array shaped like one batch, e.g. ``X[:1]`` — its dtype is the
    input's (float32, float64, or integers for token ids into an ``Embedding``), its axes after
    the first fix the input's shape; the first axis is a dynamic ``"batch"`` (for a
    sequence-first RNN/LSTM/GRU/attention model, the first two: ``"seq", "batch"``). A tuple
    gives several inputs (``(query, key, value)`` for ``MultiheadAttention``). The inputs are
    named ``input`` (or ``input_0``, ``input_1``, ...) and the outputs ``output`` (or
    ``output_0``, ... when the module returns a tuple, flattened: an LSTM gives ``output_0``
    the sequence, ``output_1`` h_n, ``output_2`` c_n) unless ``input_names`` /
    ``output_names`` say otherwise. The computation is in the parameters' float dtype, or in
    ``dtype`` (e.g. ``np.float32`` for a float64 model: ONNX Runtime's CPU kernels for Conv,
    RNN/LSTM/GRU, Erf (GELU), Softplus and Elu are float32 only). See the module docstring;
    needs ``pip install glassgrad[onnx]``.
    """
    onnx = require("onnx", "nn.export_onnx")
    require("onnx.numpy_helper", "nn.export_onnx")
    if not isinstance(module, Module):
        raise TypeError(f"nn.export_onnx expects an nn.Module, got {type(module).__name__}")
    given = list(example_input) if isinstance(example_input, (tuple, list)) else [example_input]
    arrays = [np.asarray(getattr(x, "data", x)) for x in given]
    arrays = [x if x.dtype.kind in "fiu" else x.astype(np.float32) for x in arrays]
    if not arrays or any(x.ndim == 0 for x in arrays):
        raise ValueError(
            "nn.export_onnx: example_input must be an array with a batch axis first, e.g. X[:1] "
            "of shape (1, ...) (or a tuple of them)"
        )
    import nn as ours  # at call time: nn imports this module

    # the model's float type: its parameters', else the input's (integer inputs: token ids)
    floats = [p.dtype for p in module.parameters() if np.dtype(p.dtype).kind == "f"]
    first = arrays[0].dtype
    if dtype is None:
        dtype = floats[0] if floats else first if first.kind == "f" else np.float32
    elif np.dtype(dtype).kind != "f":
        raise TypeError(f"nn.export_onnx: dtype must be a float type, got {np.dtype(dtype)}")
    g = Graph(onnx, dtype)
    known = ", ".join(name for name in ONNX_RULES if hasattr(ours, name))

    def emit(layer: Any, inp: Any, layer_path: str) -> Any:
        name = type(layer).__name__
        rule = ONNX_RULES.get(name) if getattr(ours, name, None) is type(layer) else None
        if rule is None:  # exact types only: a subclass may compute something else
            where = f"layer {layer_path!r} ({name})" if layer_path else name
            raise UnsupportedLayerError(
                f"nn.export_onnx: cannot export {where}: no ONNX rule for {name}. "
                f"Supported layers: {known}."
            )
        if isinstance(inp, tuple) and name != "MultiheadAttention":
            if len(inp) != 1:
                raise UnsupportedLayerError(
                    f"nn.export_onnx: {name} takes one input, example_input gives {len(inp)}"
                )
            inp = inp[0]
        return rule(layer, g, inp, layer_path, emit)

    outputs = _eval_outputs(module, arrays)
    names_in = list(input_names or (["input"] if len(arrays) == 1 else
                                    [f"input_{i}" for i in range(len(arrays))]))  # fmt: skip
    names_out = list(output_names or (["output"] if len(outputs) == 1 else
                                      [f"output_{i}" for i in range(len(outputs))]))  # fmt: skip
    if len(names_in) != len(arrays) or len(names_out) != len(outputs):
        raise ValueError(
            f"nn.export_onnx: {len(arrays)} inputs and {len(outputs)} outputs, but "
            f"{len(names_in)} input_names and {len(names_out)} output_names"
        )
    tensors = tuple(Tensor(n, x.ndim) for n, x in zip(names_in, arrays, strict=True))
    results = _flat(emit(module, tensors if len(tensors) > 1 else tensors[0], ""))
    produced = {out for node in g.nodes for out in node.output}
    for result, name in zip(results, names_out, strict=True):
        if result.name in produced and [r.name for r in results].count(result.name) == 1:
            for node in g.nodes:  # the result takes the output's name
                node.output[:] = [name if n == result.name else n for n in node.output]
                node.input[:] = [name if n == result.name else n for n in node.input]
        else:  # an input passed straight through (an empty Sequential), or a repeated result
            g.nodes.append(onnx.helper.make_node("Identity", [result.name], [name]))

    helper = onnx.helper
    graph = helper.make_graph(
        g.nodes,
        f"glassgrad_{type(module).__name__}",
        [
            helper.make_tensor_value_info(
                n,
                g.elem_type if x.dtype.kind == "f" else helper.np_dtype_to_tensor_dtype(x.dtype),
                _input_dims(module, x.shape, i),
            )
            for i, (n, x) in enumerate(zip(names_in, arrays, strict=True))
        ],
        [helper.make_tensor_value_info(n, g.elem_type, None) for n in names_out],
        initializer=list(g.initializers.values()),
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="glassgrad"
    )
    model.ir_version = 8  # what ONNX 1.12 (opset 17) wrote: readable by older runtimes too
    # shape inference fills in every output's shape (dynamic axes by name), then a full check
    model = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    onnx.checker.check_model(model, full_check=True)
    write_atomically(path, lambda file: file.write(model.SerializeToString()))
    return model
