"""Weight initialisation, in place, drawing from the one seeded generator.

Each function fills a parameter (a ``Value``, or a numpy array) in place and returns it; the
numbers come from :func:`autograd.generator`, so ``autograd.manual_seed(n)`` makes them
repeatable. For a weight of shape ``(nout, nin)`` (``nn.Linear``'s layout), as in PyTorch::

    fan_in = nin,   fan_out = nout

(for more axes, ``(nout, nin, *kernel)``, both are multiplied by the kernel size).

Why the scale matters: a layer's output yᵢ = Σⱼ Wᵢⱼ xⱼ sums ``fan_in`` terms, so
Var(yᵢ) = fan_in · Var(W) · Var(x). Choosing Var(W) ≈ 1/fan_in keeps the signal's size the same
from layer to layer — neither vanishing nor exploding. ReLU zeroes half its inputs, so He doubles
that (gain √2); Xavier (Glorot) balances the forward and backward passes with
2/(fan_in + fan_out), the usual choice for tanh and sigmoid.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Value
from autograd.checks import check_number
from autograd.random import generator


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for an activation (PyTorch's values).

    ``linear``/``identity``/``sigmoid``: 1,  ``tanh``: 5/3,  ``relu``: √2,
    ``leaky_relu`` with slope a (default 0.01): √(2 / (1 + a²)),  ``selu``: 3/4.
    """
    name = nonlinearity.lower()
    if name in ("linear", "identity", "sigmoid", "conv1d", "conv2d", "conv3d"):
        return 1.0
    if name == "tanh":
        return 5.0 / 3.0
    if name == "relu":
        return math.sqrt(2.0)
    if name == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1.0 + slope**2))
    if name == "selu":
        return 0.75
    raise ValueError(
        f"calculate_gain: unknown nonlinearity {nonlinearity!r}; use one of linear, identity, "
        "sigmoid, tanh, relu, leaky_relu, selu"
    )


def fan_in_and_fan_out(shape: tuple[int, ...]) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight of shape ``(nout, nin, *kernel)``, as PyTorch computes
    them: ``fan_in = nin·k``, ``fan_out = nout·k`` with k the product of the kernel axes."""
    if len(shape) < 2:
        raise ValueError(
            f"fan-in and fan-out need a weight with at least 2 axes (nout, nin), got shape "
            f"{tuple(shape)}; for a bias use nn.init.zeros, uniform or normal"
        )
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _fill(param: Any, sample: Any, name: str) -> Any:
    """Write ``sample(shape)`` (float64 numbers) into ``param`` in place, keeping its dtype."""
    if isinstance(param, Value):
        if type(param.data) is float:
            param.data = float(sample(()))
            return param
        data = param.data
    elif isinstance(param, np.ndarray):
        data = param
    else:
        raise TypeError(
            f"nn.init.{name}: expected a Value or numpy array, got {type(param).__name__}"
        )
    if data.dtype.kind != "f":
        raise TypeError(
            f"nn.init.{name}: cannot fill an array of dtype {data.dtype}; "
            "parameters are floating point"
        )
    data[...] = sample(data.shape)
    if isinstance(param, Value):
        param.mark_modified()  # a graph recorded before must not backprop through the new values
    return param


def _shape(param: Any) -> tuple[int, ...]:
    return np.shape(param.data if isinstance(param, Value) else param)


def uniform(param: Any, a: float = 0.0, b: float = 1.0) -> Any:
    """Fill with U(a, b), uniform on [a, b) (PyTorch's defaults a = 0, b = 1)."""
    if check_number("nn.init.uniform", "b", b, low=None) < check_number(
        "nn.init.uniform", "a", a, low=None
    ):
        raise ValueError(f"nn.init.uniform: a={a!r} must not exceed b={b!r}")
    return _fill(param, lambda s: generator().uniform(a, b, size=s), "uniform")


def normal(param: Any, mean: float = 0.0, std: float = 1.0) -> Any:
    """Fill with N(mean, std²)."""
    check_number("nn.init.normal", "std", std, fix="a standard deviation is never negative")
    check_number("nn.init.normal", "mean", mean, low=None)
    return _fill(param, lambda s: generator().normal(mean, std, size=s), "normal")


def zeros(param: Any) -> Any:
    """Fill with 0 (the usual start for a bias)."""
    return _fill(param, lambda s: np.zeros(s), "zeros")


def xavier_uniform(param: Any, gain: float = 1.0) -> Any:
    """Glorot & Bengio (2010): U(−a, a) with a = gain·√(6 / (fan_in + fan_out)).

    Its variance a²/3 = gain²·2/(fan_in + fan_out). The usual choice for tanh and sigmoid.
    """
    fan_in, fan_out = fan_in_and_fan_out(_shape(param))
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return _fill(param, lambda s: generator().uniform(-bound, bound, size=s), "xavier_uniform")


def xavier_normal(param: Any, gain: float = 1.0) -> Any:
    """Glorot & Bengio (2010): N(0, σ²) with σ = gain·√(2 / (fan_in + fan_out))."""
    fan_in, fan_out = fan_in_and_fan_out(_shape(param))
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return _fill(param, lambda s: generator().normal(0.0, std, size=s), "xavier_normal")


def _he_std(param: Any, a: float, mode: str, nonlinearity: str) -> float:
    fan_in, fan_out = fan_in_and_fan_out(_shape(param))
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def he_uniform(param: Any, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "relu") -> Any:
    """He et al. (2015), "Kaiming": U(−b, b) with b = gain·√(3 / fan), fan = fan_in by default.

    gain = √2 for ReLU (√(2/(1+a²)) for leaky ReLU with slope ``a``), so Var(W) = 2/fan_in:
    ReLU halves the variance, this doubles it back. The usual choice for ReLU networks.
    """
    bound = math.sqrt(3.0) * _he_std(param, a, mode, nonlinearity)
    return _fill(param, lambda s: generator().uniform(-bound, bound, size=s), "he_uniform")


def he_normal(param: Any, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "relu") -> Any:
    """He et al. (2015), "Kaiming": N(0, σ²) with σ = gain / √fan (√(2/fan_in) for ReLU)."""
    std = _he_std(param, a, mode, nonlinearity)
    return _fill(param, lambda s: generator().normal(0.0, std, size=s), "he_normal")


def lecun_normal(param: Any) -> Any:
    """LeCun et al. (1998): N(0, σ²) with σ = 1/√fan_in, so Var(W) = 1/fan_in (for SELU and
    other self-normalising activations). A plain, untruncated normal."""
    fan_in, _ = fan_in_and_fan_out(_shape(param))
    std = 1.0 / math.sqrt(fan_in)
    return _fill(param, lambda s: generator().normal(0.0, std, size=s), "lecun_normal")


# PyTorch's names for the same schemes.
kaiming_uniform = he_uniform
kaiming_normal = he_normal
glorot_uniform = xavier_uniform
glorot_normal = xavier_normal
