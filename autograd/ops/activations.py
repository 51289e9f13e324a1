"""Activation functions, each a composite of existing ops (no new primitive).

The compositions are the stable ones, so every activation is finite for any finite x:

    softplus(x)   = max(x, 0) + log1p(e^−|x|)              (= ln(1 + eˣ), never overflows)
    logsigmoid(x) = min(x, 0) − log1p(e^−|x|)              (= ln σ(x) = −softplus(−x))
    elu(x)        = x for x > 0, else α·(eˣ − 1)            (expm1 on the non-positive part)
    selu(x)       = λ·elu(x, α), λ ≈ 1.0507, α ≈ 1.6733
    silu(x)       = x·σ(x)
    mish(x)       = x·tanh(softplus(x))
    hardtanh(x)   = clip(x, lo, hi), gradient 1 strictly inside (lo, hi), 0 at and beyond
    softsign(x)   = x / (1 + |x|)

At x = 0 the kinks of max, min and |x| cancel: ``maximum``/``minimum`` give each side half the
gradient on a tie and |x|'(0) = 0, so softplus'(0) = ½ = σ(0), exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.ops.elementary import expm1, log1p
from autograd.value import Value, as_value, where

# SELU's constants (Klambauer et al. 2017), as in PyTorch.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _data(x: Value) -> Any:
    return np.asarray(x.data)


def softplus(x: Any, beta: float = 1.0, threshold: float = 20.0) -> Value:
    """ln(1 + e^(βx))/β, computed stably; linear (= x) where βx > ``threshold`` (PyTorch's
    defaults β = 1, threshold 20).   d/dx = σ(βx)."""
    x = as_value(x)
    bx = x * beta if beta != 1.0 else x
    smooth = bx.maximum(0.0) + log1p((-abs(bx)).exp())
    smooth = smooth * (1.0 / beta) if beta != 1.0 else smooth
    linear = _data(bx) > threshold
    return where(linear, x, smooth) if linear.any() else smooth


def logsigmoid(x: Any) -> Value:
    """ln σ(x) = min(x, 0) − ln(1 + e^−|x|), finite for any x.   d/dx = 1 − σ(x) = σ(−x)."""
    x = as_value(x)
    return x.minimum(0.0) - log1p((-abs(x)).exp())


def elu(x: Any, alpha: float = 1.0) -> Value:
    """x for x > 0, else α(eˣ − 1).   d/dx = 1 for x > 0, else α·eˣ (α at 0, as PyTorch)."""
    x = as_value(x)
    positive = _data(x) > 0
    negative_part = where(positive, 0.0, x)  # e^x only of the non-positive part: no overflow
    return where(positive, x, expm1(negative_part) * alpha)


def selu(x: Any) -> Value:
    """λ·elu(x, α) with λ ≈ 1.0507 and α ≈ 1.6733: self-normalising."""
    return elu(x, SELU_ALPHA) * SELU_SCALE


def silu(x: Any) -> Value:
    """x·σ(x) (also called swish).   d/dx = σ(x)(1 + x(1 − σ(x)))."""
    x = as_value(x)
    return x * x.sigmoid()


def mish(x: Any) -> Value:
    """x·tanh(softplus(x)).   d/dx by the chain rule through tanh and softplus."""
    x = as_value(x)
    return x * softplus(x).tanh()


def hardtanh(x: Any, min_val: float = -1.0, max_val: float = 1.0) -> Value:
    """clip(x, min_val, max_val).   d/dx = 1 where min_val < x < max_val, else 0 (0 at the
    bounds too, as PyTorch; ``clip`` itself passes the gradient at its bounds)."""
    x = as_value(x)
    data = _data(x)
    inside = (data > min_val) & (data < max_val)
    clipped = np.clip(data, min_val, max_val)
    return where(inside, x, clipped.astype(x.dtype) if clipped.ndim else float(clipped))


def softsign(x: Any) -> Value:
    """x/(1 + |x|) ∈ (−1, 1).   d/dx = 1/(1 + |x|)²."""
    x = as_value(x)
    return x / (1.0 + abs(x))
