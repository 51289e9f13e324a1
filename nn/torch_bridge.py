"""``nn.to_torch`` and ``nn.from_torch``: the same network, with the same weights, in PyTorch.

A model trained here can keep training in PyTorch (GPUs, ``torch.distributed``), and a PyTorch
model of the same layers can be opened here and looked at::

    theirs = nn.to_torch(model)          # a torch.nn.Module, weights and buffers copied
    ours = nn.from_torch(theirs)         # back again

Both directions go through one **table**, :data:`CONVERSIONS`: one :class:`Conversion` per
layer type, saying which ``torch.nn`` class it corresponds to and how to build each from the
other's settings. Weights are never converted by hand: parameter and buffer names already
follow PyTorch's (``weight``, ``bias``, ``running_mean``, ...), so after building the empty
counterpart the converter copies the layer's ``state_dict`` across, strictly (every name, shape
and dtype must match). Adding a layer is adding one entry.

What to know:

- **Copies, not views**: the two models share no memory; training one leaves the other alone.
- **dtypes** are kept (float32 stays float32); the torch model is on the CPU (``.to("cuda")``
  it afterwards). ``from_torch`` accepts a model on any device; bfloat16 has no numpy
  equivalent (call ``.float()`` first).
- **train/eval mode** is copied layer by layer.
- ``nn.MLP`` becomes a ``torch.nn.Sequential`` (with the same layer names); coming back it is
  an ``nn.Sequential``, whose layers are numbered ``0``, ``1``, ... even when the torch one
  named them (``Sequential(OrderedDict(fc1=...))``).
- Settings glassgrad's layers lack (``Conv2d(groups=2)``, ``LSTM(bidirectional=True)``,
  ``Embedding(padding_idx=0)``, ...) are refused with an error naming the setting.
- Layers PyTorch lacks become small ``torch.nn.Module`` classes defined here: ``Residual``
  (x + block(x)), ``Step`` (the Heaviside step, no gradient, as ours) and ``GaussianNoise``
  (adds N(0, std²) noise in training, the identity in eval). Dropout and noise draw from
  PyTorch's generator there, so training-mode samples differ from glassgrad's; eval-mode
  outputs are equal.
- Only the layer types in the table convert, matched by exact type: a custom ``Module`` with
  its own ``forward`` cannot be translated automatically and raises
  :class:`UnsupportedLayerError` naming it. Write the same class in PyTorch and copy the state
  dict (the names match): ``theirs.load_state_dict({k: torch.from_numpy(v) for k, v in
  model.state_dict().items()})``.
- A layer used twice (shared weights) is converted once and stays shared.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np

from ._optional import require
from .module import Module


class UnsupportedLayerError(TypeError):
    """A layer that ``to_torch`` / ``from_torch`` / ``export_onnx`` cannot translate."""


@dataclass(frozen=True)
class Conversion:
    """How one glassgrad layer type and one PyTorch layer type map to each other.

    ``ours`` names a class in :mod:`nn`, ``theirs`` a class in ``torch.nn`` or, for layers
    PyTorch lacks, in this module (``TorchResidual`` ...). ``to_torch(module, ctx)`` and
    ``from_torch(torch_module, ctx)`` build the counterpart from the other's settings, without
    weights (``None``: that direction is not offered, e.g. ``torch.nn.Sequential`` comes back
    as ``nn.Sequential``, never ``nn.MLP``). ``container``: its state lives in children that
    ``ctx.convert`` translates; otherwise its whole ``state_dict`` is copied across.
    """

    ours: str
    theirs: str
    to_torch: Callable[[Any, Context], Any] | None
    from_torch: Callable[[Any, Context], Any] | None
    container: bool = False


@dataclass
class Context:
    """What a builder may use: ``torch.nn`` as ``T``, this module's small torch modules as ``X``
    (``X.TorchResidual`` ...), ``nn`` as ``ours``, the floating dtype of the layer being
    converted (a ``torch.dtype`` going to torch, a numpy dtype coming back), and
    ``convert(child, name)`` for a container's children."""

    T: Any
    X: Any
    ours: Any
    dtype: Any
    convert: Callable[[Any, str], Any]


def _settings_unsupported(layer: str, setting: str, why: str) -> UnsupportedLayerError:
    return UnsupportedLayerError(f"{layer} with {setting} cannot be converted: {why}")


def _softmax_from_torch(kind: str) -> Callable[[Any, Context], Any]:
    def build(t: Any, ctx: Context) -> Any:
        if t.dim is None:
            raise _settings_unsupported(
                f"torch.nn.{kind}", "dim=None", f"give the axis explicitly, {kind}(dim=-1)"
            )
        return getattr(ctx.ours, kind)(axis=t.dim)

    return build


def _flatten_from_torch(t: Any, ctx: Context) -> Any:
    if t.end_dim != -1:
        raise _settings_unsupported(
            "torch.nn.Flatten", f"end_dim={t.end_dim}", "nn.Flatten flattens to the last axis"
        )
    return ctx.ours.Flatten(start_axis=t.start_dim)


def _layer_norm_from_torch(t: Any, ctx: Context) -> Any:
    if t.elementwise_affine and t.bias is None:
        raise _settings_unsupported(
            "torch.nn.LayerNorm", "bias=False", "nn.LayerNorm's affine form always has a bias"
        )
    return ctx.ours.LayerNorm(
        t.normalized_shape, eps=t.eps, elementwise_affine=t.elementwise_affine, dtype=ctx.dtype
    )


def _batch_norm(module: Any, make: Callable[..., Any], dtype: Any) -> Any:
    if module.affine and getattr(module, "bias", True) is None:  # torch's BatchNorm(bias=False)
        raise _settings_unsupported(
            "torch.nn.BatchNorm1d", "bias=False", "nn.BatchNorm1d's affine form always has a bias"
        )
    return make(
        module.num_features, eps=module.eps, momentum=module.momentum, affine=module.affine,
        track_running_stats=module.track_running_stats, dtype=dtype,
    )  # fmt: skip


def _sequence(make: Callable[..., Any]) -> Callable[[Any, Context], Any]:
    """A container of layers in order (both directions): its children converted one by one."""

    def build(module: Any, ctx: Context) -> Any:
        return make(ctx)(*(ctx.convert(layer, str(i)) for i, layer in enumerate(module)))

    return build


def _refuse(t: Any, **allowed: Any) -> None:
    """Raise naming the first setting of ``t`` that differs from what glassgrad supports."""
    for setting, value in allowed.items():
        current = getattr(t, setting, value)
        if (current is not None) if value is None else (current != value):
            raise _settings_unsupported(
                f"torch.nn.{type(t).__name__}",
                f"{setting}={getattr(t, setting)!r}",
                f"glassgrad's {type(t).__name__} supports only {setting}={value!r}",
            )


def _conv_from_torch(t: Any, ctx: Context, make: Callable[..., Any]) -> Any:
    _refuse(t, groups=1, padding_mode="zeros")
    if isinstance(t.padding, str):
        raise _settings_unsupported(
            f"torch.nn.{type(t).__name__}", f"padding={t.padding!r}", "give the padding in pixels"
        )
    transposed = type(t).__name__ == "ConvTranspose2d"  # (torch's Conv2d has output_padding too)
    extra = {"output_padding": t.output_padding} if transposed else {}
    return make(
        t.in_channels, t.out_channels, t.kernel_size, stride=t.stride, padding=t.padding,
        dilation=t.dilation, bias=t.bias is not None, dtype=ctx.dtype, **extra,
    )  # fmt: skip


def _pool_from_torch(t: Any, ctx: Context, kind: str) -> Any:
    if kind == "MaxPool2d":
        _refuse(t, dilation=1, ceil_mode=False, return_indices=False)
    else:
        _refuse(t, ceil_mode=False, count_include_pad=True, divisor_override=None)
    return getattr(ctx.ours, kind)(t.kernel_size, stride=t.stride, padding=t.padding)


def _embedding_from_torch(t: Any, ctx: Context) -> Any:
    _refuse(t, padding_idx=None, max_norm=None, scale_grad_by_freq=False, sparse=False)
    return ctx.ours.Embedding(t.num_embeddings, t.embedding_dim, dtype=ctx.dtype)


def _nonlinearity(m: Any) -> dict[str, Any]:
    return {"nonlinearity": m.nonlinearity} if hasattr(m, "nonlinearity") else {}


def _recurrent_from_torch(t: Any, ctx: Context, kind: str) -> Any:
    _refuse(t, dropout=0.0, bidirectional=False, proj_size=0)
    return getattr(ctx.ours, kind)(
        t.input_size, t.hidden_size, t.num_layers, bias=t.bias, batch_first=t.batch_first,
        dtype=ctx.dtype, **_nonlinearity(t),
    )  # fmt: skip


def _attention_from_torch(t: Any, ctx: Context) -> Any:
    _refuse(t, _qkv_same_embed_dim=True, bias_k=None, add_zero_attn=False, dropout=0.0)
    return ctx.ours.MultiheadAttention(
        t.embed_dim,
        t.num_heads,
        bias=t.in_proj_bias is not None,
        batch_first=t.batch_first,
        dtype=ctx.dtype,
    )


CONVERSIONS: list[Conversion] = [
    Conversion(
        "Linear", "Linear",
        lambda m, c: c.T.Linear(m.nin, m.nout, bias=m.bias is not None, dtype=c.dtype),
        lambda t, c: c.ours.Linear(
            t.in_features, t.out_features, bias=t.bias is not None, dtype=c.dtype
        ),
    ),
    Conversion("ReLU", "ReLU", lambda m, c: c.T.ReLU(), lambda t, c: c.ours.ReLU()),
    Conversion(
        "LeakyReLU", "LeakyReLU",
        lambda m, c: c.T.LeakyReLU(m.negative_slope),
        lambda t, c: c.ours.LeakyReLU(t.negative_slope),
    ),
    Conversion("Tanh", "Tanh", lambda m, c: c.T.Tanh(), lambda t, c: c.ours.Tanh()),
    Conversion("Sigmoid", "Sigmoid", lambda m, c: c.T.Sigmoid(), lambda t, c: c.ours.Sigmoid()),
    Conversion(
        "Softmax", "Softmax", lambda m, c: c.T.Softmax(dim=m.axis), _softmax_from_torch("Softmax")
    ),
    Conversion(
        "LogSoftmax", "LogSoftmax",
        lambda m, c: c.T.LogSoftmax(dim=m.axis),
        _softmax_from_torch("LogSoftmax"),
    ),
    Conversion("Identity", "Identity", lambda m, c: c.T.Identity(), lambda t, c: c.ours.Identity()),
    Conversion("Step", "TorchStep", lambda m, c: c.X.TorchStep(), lambda t, c: c.ours.Step()),
    Conversion(
        "Dropout", "Dropout", lambda m, c: c.T.Dropout(m.p), lambda t, c: c.ours.Dropout(t.p)
    ),
    Conversion(
        "GaussianNoise", "TorchGaussianNoise",
        lambda m, c: c.X.TorchGaussianNoise(m.std),
        lambda t, c: c.ours.GaussianNoise(t.std),
    ),
    Conversion(
        "Flatten", "Flatten",
        lambda m, c: c.T.Flatten(start_dim=m.start_axis, end_dim=-1),
        _flatten_from_torch,
    ),
    Conversion(
        "BatchNorm1d", "BatchNorm1d",
        lambda m, c: _batch_norm(m, c.T.BatchNorm1d, c.dtype),
        lambda t, c: _batch_norm(t, c.ours.BatchNorm1d, c.dtype),
    ),
    Conversion(
        "LayerNorm", "LayerNorm",
        lambda m, c: c.T.LayerNorm(
            m.normalized_shape, eps=m.eps, elementwise_affine=m.elementwise_affine, dtype=c.dtype
        ),
        _layer_norm_from_torch,
    ),
    Conversion(
        "Sequential", "Sequential",
        _sequence(lambda c: c.T.Sequential),
        _sequence(lambda c: c.ours.Sequential),
        container=True,
    ),
    Conversion("MLP", "Sequential", _sequence(lambda c: c.T.Sequential), None, container=True),
    Conversion(
        "Residual", "TorchResidual",
        lambda m, c: c.X.TorchResidual(c.convert(m.block, "block")),
        lambda t, c: c.ours.Residual(c.convert(t.block, "block")),
        container=True,
    ),
    # ---- images (§4)
    Conversion(
        "Conv2d", "Conv2d",
        lambda m, c: c.T.Conv2d(
            m.in_channels, m.out_channels, m.kernel_size, m.stride, m.padding, m.dilation,
            bias=m.bias is not None, dtype=c.dtype,
        ),
        lambda t, c: _conv_from_torch(t, c, c.ours.Conv2d),
    ),
    Conversion(
        "ConvTranspose2d", "ConvTranspose2d",
        lambda m, c: c.T.ConvTranspose2d(
            m.in_channels, m.out_channels, m.kernel_size, m.stride, m.padding,
            m.output_padding, bias=m.bias is not None, dilation=m.dilation, dtype=c.dtype,
        ),
        lambda t, c: _conv_from_torch(t, c, c.ours.ConvTranspose2d),
    ),
    Conversion(
        "MaxPool2d", "MaxPool2d",
        lambda m, c: c.T.MaxPool2d(m.kernel_size, m.stride, m.padding),
        lambda t, c: _pool_from_torch(t, c, "MaxPool2d"),
    ),
    Conversion(
        "AvgPool2d", "AvgPool2d",
        lambda m, c: c.T.AvgPool2d(m.kernel_size, m.stride, m.padding, count_include_pad=True),
        lambda t, c: _pool_from_torch(t, c, "AvgPool2d"),
    ),
    Conversion(
        "Unflatten", "Unflatten",
        lambda m, c: c.T.Unflatten(m.dim, m.sizes),
        lambda t, c: c.ours.Unflatten(t.dim, tuple(t.unflattened_size)),
    ),
    # ---- more activations
    Conversion(
        "GELU", "GELU",
        lambda m, c: c.T.GELU(approximate=m.approximate),
        lambda t, c: c.ours.GELU(approximate=t.approximate),
    ),
    Conversion(
        "Softplus", "Softplus",
        lambda m, c: c.T.Softplus(beta=m.beta, threshold=m.threshold),
        lambda t, c: c.ours.Softplus(beta=t.beta, threshold=t.threshold),
    ),
    Conversion("ELU", "ELU", lambda m, c: c.T.ELU(m.alpha), lambda t, c: c.ours.ELU(t.alpha)),
    Conversion("SELU", "SELU", lambda m, c: c.T.SELU(), lambda t, c: c.ours.SELU()),
    Conversion("SiLU", "SiLU", lambda m, c: c.T.SiLU(), lambda t, c: c.ours.SiLU()),
    Conversion("Mish", "Mish", lambda m, c: c.T.Mish(), lambda t, c: c.ours.Mish()),
    Conversion(
        "Hardtanh", "Hardtanh",
        lambda m, c: c.T.Hardtanh(m.min_val, m.max_val),
        lambda t, c: c.ours.Hardtanh(t.min_val, t.max_val),
    ),
    Conversion("Softsign", "Softsign", lambda m, c: c.T.Softsign(), lambda t, c: c.ours.Softsign()),
    Conversion(
        "LogSigmoid", "LogSigmoid", lambda m, c: c.T.LogSigmoid(), lambda t, c: c.ours.LogSigmoid()
    ),
    # ---- sequences (§4)
    Conversion(
        "Embedding", "Embedding",
        lambda m, c: c.T.Embedding(m.num_embeddings, m.embedding_dim, dtype=c.dtype),
        _embedding_from_torch,
    ),
    Conversion(
        "RNNCell", "RNNCell",
        lambda m, c: c.T.RNNCell(m.input_size, m.hidden_size, bias=m.bias_ih is not None,
                                 nonlinearity=m.nonlinearity, dtype=c.dtype),
        lambda t, c: c.ours.RNNCell(t.input_size, t.hidden_size, bias=t.bias,
                                    nonlinearity=t.nonlinearity, dtype=c.dtype),
    ),
    *(
        Conversion(
            kind, kind,
            lambda m, c, kind=kind: getattr(c.T, kind)(
                m.input_size, m.hidden_size, bias=m.bias_ih is not None, dtype=c.dtype
            ),
            lambda t, c, kind=kind: getattr(c.ours, kind)(
                t.input_size, t.hidden_size, bias=t.bias, dtype=c.dtype
            ),
        )
        for kind in ("LSTMCell", "GRUCell")
    ),
    *(
        Conversion(
            kind, kind,
            lambda m, c, kind=kind: getattr(c.T, kind)(
                m.input_size, m.hidden_size, m.num_layers, bias=m.bias,
                batch_first=m.batch_first, dtype=c.dtype, **_nonlinearity(m),
            ),
            lambda t, c, kind=kind: _recurrent_from_torch(t, c, kind),
        )
        for kind in ("RNN", "LSTM", "GRU")
    ),
    Conversion(
        "MultiheadAttention", "MultiheadAttention",
        lambda m, c: c.T.MultiheadAttention(
            m.embed_dim, m.num_heads, bias=m.in_proj_bias is not None,
            batch_first=m.batch_first, dtype=c.dtype,
        ),
        _attention_from_torch,
    ),
]  # fmt: skip


# ---------------------------------------------------------------------------- torch side
@functools.cache
def _torch_modules() -> dict[str, type]:
    """The small torch modules for glassgrad layers that torch.nn lacks (made on first use, so
    importing nn never imports torch). They are reachable as ``nn.torch_bridge.TorchResidual``
    etc., so ``torch.save(whole_model)`` can pickle them."""
    torch = require("torch", "nn.to_torch / nn.from_torch")

    class TorchResidual(torch.nn.Module):
        """y = x + block(x): glassgrad's ``nn.Residual`` in PyTorch."""

        def __init__(self, block: Any) -> None:
            super().__init__()
            self.block = block

        def forward(self, x: Any) -> Any:
            return x + self.block(x)

    class TorchStep(torch.nn.Module):
        """The Heaviside step, 1 where x > 0 else 0, with no gradient: glassgrad's ``nn.Step``."""

        def forward(self, x: Any) -> Any:
            return (x > 0).to(x.dtype)

    class TorchGaussianNoise(torch.nn.Module):
        """x + N(0, std²) noise in training, the identity in eval: ``nn.GaussianNoise``."""

        def __init__(self, std: float) -> None:
            super().__init__()
            self.std = float(std)

        def forward(self, x: Any) -> Any:
            if not self.training or self.std == 0.0:
                return x
            return x + self.std * torch.randn_like(x)

        def extra_repr(self) -> str:
            return f"std={self.std:g}"

    made = {"TorchResidual": TorchResidual, "TorchStep": TorchStep,
            "TorchGaussianNoise": TorchGaussianNoise}  # fmt: skip
    for name, cls in made.items():
        cls.__module__, cls.__qualname__ = __name__, name
    return made


def __getattr__(name: str) -> Any:  # TorchResidual, TorchStep, TorchGaussianNoise
    if name in ("TorchResidual", "TorchStep", "TorchGaussianNoise"):
        return _torch_modules()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---------------------------------------------------------------------------- lookup
def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _ours() -> Any:
    import nn  # at call time: nn imports this module

    return nn


def _supported(direction: str) -> str:
    names = [c.ours if direction == "to" else c.theirs for c in _available(direction)]
    return ", ".join(dict.fromkeys(names))


def _available(direction: str) -> list[Conversion]:
    """Entries whose glassgrad class exists (layers land one by one) for that direction."""
    ours = _ours()
    return [
        c
        for c in CONVERSIONS
        if hasattr(ours, c.ours) and (c.to_torch if direction == "to" else c.from_torch)
    ]


def _by_our_type() -> dict[type, Conversion]:
    ours = _ours()
    return {getattr(ours, c.ours): c for c in _available("to")}


def _by_torch_type() -> dict[type, Conversion]:
    torch_nn = require("torch", "nn.from_torch").nn
    extra = _torch_modules()
    table = {}
    for c in _available("from"):
        cls = extra.get(c.theirs) or getattr(torch_nn, c.theirs, None)
        if cls is not None:
            table[cls] = c
    return table


def _unsupported(function: str, module: Any, path: str, supported: str) -> UnsupportedLayerError:
    kind = type(module).__name__
    where = f"layer {path!r} ({kind})" if path else kind
    return UnsupportedLayerError(
        f"{function}: cannot convert {where}: no conversion is defined for {kind}. "
        f"Supported layers: {supported}. A custom module with its own forward cannot be "
        "translated automatically: write the same module in the other library and copy the "
        "state dict across (parameter names follow PyTorch's)."
    )


def _torch_dtype(torch: Any, own: dict[str, np.ndarray]) -> Any:
    """The torch dtype matching the first floating-point array of a glassgrad state dict."""
    dtype = next((v.dtype for v in own.values() if v.dtype.kind == "f"), np.dtype(np.float32))
    return {"float16": torch.float16, "float64": torch.float64}.get(dtype.name, torch.float32)


def _numpy_dtype(torch: Any, own: dict[str, Any], layer: Any, path: str) -> np.dtype:
    """The numpy dtype matching the first floating-point tensor of a torch state dict."""
    dtype = next((v.dtype for v in own.values() if v.is_floating_point()), torch.float32)
    numpy = {torch.float16: np.float16, torch.float32: np.float32, torch.float64: np.float64}
    if dtype not in numpy:
        where = f"layer {path!r} ({type(layer).__name__})" if path else type(layer).__name__
        raise UnsupportedLayerError(
            f"nn.from_torch: {where} holds {dtype} weights, which numpy cannot hold; convert "
            "the model first, e.g. nn.from_torch(model.float())"
        )
    return np.dtype(numpy[dtype])


# ---------------------------------------------------------------------------- converting
def to_torch(module: Module) -> Any:
    """The equivalent ``torch.nn.Module`` with copies of ``module``'s weights and buffers.

    Same layer names, so ``theirs.state_dict()`` has the keys of ``module.state_dict()``; same
    dtypes; same train/eval mode. Raises :class:`UnsupportedLayerError` naming the first layer
    with no entry in :data:`CONVERSIONS`, and ``ImportError`` (with the pip command) without
    torch.
    """
    torch = require("torch", "nn.to_torch")
    if not isinstance(module, Module):
        raise TypeError(f"nn.to_torch expects an nn.Module, got {type(module).__name__}")
    return _translate(torch, module, "to")


def from_torch(torch_module: Any) -> Module:
    """The equivalent glassgrad module with copies of ``torch_module``'s weights and buffers.

    The reverse of :func:`to_torch` (``torch.nn.Sequential`` comes back as ``nn.Sequential``).
    Works from any device; raises :class:`UnsupportedLayerError` naming the first layer it
    cannot translate (or a setting glassgrad lacks, e.g. ``Flatten(end_dim=2)``).
    """
    torch = require("torch", "nn.from_torch")
    if not isinstance(torch_module, torch.nn.Module):
        raise TypeError(
            f"nn.from_torch expects a torch.nn.Module, got {type(torch_module).__name__}"
        )
    return _translate(torch, torch_module, "from")


def _translate(torch: Any, root: Any, direction: str) -> Any:
    """The walk both directions share: convert ``root`` layer by layer through the table
    (``direction`` "to" torch or "from" it), copying each leaf layer's state dict across and
    keeping train/eval mode; a layer used twice is converted once and stays shared."""
    to = direction == "to"
    table = _by_our_type() if to else _by_torch_type()
    extra = SimpleNamespace(**_torch_modules())
    done: dict[int, Any] = {}

    def convert(layer: Any, path: str) -> Any:
        if id(layer) in done:  # shared layer: shared on the other side too
            return done[id(layer)]
        entry = table.get(type(layer))
        if entry is None:
            raise _unsupported(f"nn.{direction}_torch", layer, path, _supported(direction))
        own = {} if entry.container else layer.state_dict()
        dtype = _torch_dtype(torch, own) if to else _numpy_dtype(torch, own, layer, path)
        ctx = Context(
            torch.nn, extra, _ours(), dtype, lambda child, name: convert(child, _join(path, name))
        )
        made = entry.to_torch(layer, ctx) if to else entry.from_torch(layer, ctx)
        if not entry.container:
            made.load_state_dict(
                {
                    k: torch.from_numpy(np.array(v)) if to else v.detach().cpu().numpy()
                    for k, v in own.items()
                }
            )
        made.training = layer.training
        done[id(layer)] = made
        return made

    return convert(root, "")
