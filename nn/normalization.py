"""Normalisation layers: ``BatchNorm1d`` (across the batch) and ``LayerNorm`` (across features).

Both compute x̂ = (x − μ)/√(σ² + ε) and then, if affine, y = γ·x̂ + β with a learned scale γ
(``weight``, starting at 1) and shift β (``bias``, starting at 0). They differ in what μ and σ²
are averaged over. Both are built from the engine's ops, so backpropagation goes through the
statistics themselves: in training, each example's gradient depends on the whole batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import Value
from autograd.checks import check_dtype, check_number, check_size

from .module import Module


def _as_value(x: Any) -> Value:
    if isinstance(x, Value):
        return x
    array = np.asarray(x)
    return Value(array if array.dtype.kind == "f" else array.astype(np.float64),
                 requires_grad=False)  # fmt: skip


class BatchNorm1d(Module):
    """Batch normalisation (Ioffe & Szegedy 2015) for inputs of shape ``(N, C)`` or ``(N, C, L)``.

    **Training** (``model.train()``): each of the C features is normalised with the mean μ_B
    and the *biased* variance σ²_B of the current batch (over N, and L if present), then
    scaled and shifted: y = γ·(x − μ_B)/√(σ²_B + ε) + β. The running estimates are updated
    as in PyTorch::

        running_mean ← (1 − momentum)·running_mean + momentum·μ_B
        running_var  ← (1 − momentum)·running_var  + momentum·σ²_B·n/(n − 1)   (unbiased)

    with n values per feature; ``momentum=None`` uses the cumulative average instead
    (momentum = 1/num_batches_tracked). Training needs n ≥ 2.

    **Evaluation** (``model.eval()``): y = γ·(x − running_mean)/√(running_var + ε) + β, and
    the running statistics are not changed. With ``track_running_stats=False`` there are no
    running statistics and batch statistics are used in both modes.

    ``weight`` (γ), ``bias`` (β) and the buffers ``running_mean``, ``running_var``,
    ``num_batches_tracked`` carry PyTorch's names, so state dicts carry over.
    """

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        dtype: Any = np.float32,
    ) -> None:
        super().__init__()
        self.num_features = check_size("BatchNorm1d", "num_features", num_features)
        self.eps = check_number("BatchNorm1d", "eps", eps)
        self.momentum = (
            None
            if momentum is None
            else check_number("BatchNorm1d", "momentum", momentum, high=1.0)
        )
        self.affine = bool(affine)
        self.track_running_stats = bool(track_running_stats)
        dtype = check_dtype("BatchNorm1d", dtype)
        c = self.num_features
        self.weight = Value(np.ones(c, dtype), label="weight") if self.affine else None
        self.bias = Value(np.zeros(c, dtype), label="bias") if self.affine else None
        if self.track_running_stats:
            self.register_buffer("running_mean", np.zeros(c, dtype))
            self.register_buffer("running_var", np.ones(c, dtype))
            self.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64))
        else:
            self.running_mean = self.running_var = self.num_batches_tracked = None

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batches seen."""
        if self.track_running_stats:
            self.running_mean.fill(0)
            self.running_var.fill(1)
            self.num_batches_tracked.fill(0)

    def forward(self, x: Any) -> Value:
        x = _as_value(x)
        c = self.num_features
        if x.ndim not in (2, 3) or x.shape[1] != c:
            raise ValueError(
                f"BatchNorm1d({c}) expects input of shape (N, {c}) or (N, {c}, L), got "
                f"{x.shape}; num_features must equal the size of axis 1"
            )
        axes = (0,) if x.ndim == 2 else (0, 2)
        n = x.size // c  # values per feature
        if self.training or not self.track_running_stats:
            if self.training and n < 2:
                raise ValueError(
                    f"BatchNorm1d: training needs more than one value per feature to compute "
                    f"batch statistics, got input of shape {x.shape}; use a batch of 2 or more, "
                    "or call model.eval() to use the running statistics"
                )
            mean = x.mean(axis=axes, keepdims=True)
            centred = x - mean
            var = (centred * centred).mean(axis=axes, keepdims=True)  # biased: divides by n
            x_hat = centred / (var + self.eps).sqrt()
            if self.training and self.track_running_stats:
                self._update_running_stats(mean.data, var.data, n)
        else:
            shape = (c,) if x.ndim == 2 else (c, 1)
            inv_std = 1.0 / np.sqrt(self.running_var + self.eps)
            x_hat = (x - self.running_mean.reshape(shape)) * inv_std.reshape(shape)
        if not self.affine:
            return x_hat
        if x.ndim == 2:
            return x_hat * self.weight + self.bias
        return x_hat * self.weight.reshape(c, 1) + self.bias.reshape(c, 1)

    def _update_running_stats(self, mean: np.ndarray, var: np.ndarray, n: int) -> None:
        """The running estimates, updated in place (no graph) from one batch's statistics."""
        self.num_batches_tracked += 1
        if self.momentum is None:  # cumulative moving average
            factor = 1.0 / float(self.num_batches_tracked)
        else:
            factor = self.momentum
        unbiased = var.reshape(-1) * (n / (n - 1))
        self.running_mean *= 1.0 - factor
        self.running_mean += factor * mean.reshape(-1)
        self.running_var *= 1.0 - factor
        self.running_var += factor * unbiased

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps:g}, momentum={self.momentum}, "
            f"affine={self.affine}, track_running_stats={self.track_running_stats}"
        )


class LayerNorm(Module):
    """Layer normalisation (Ba et al. 2016): normalise each example over its last axes.

    For ``normalized_shape`` (an int or a tuple) equal to the last axes of x, each example is
    normalised with the mean and the *biased* variance of its own values over those axes:
    y = γ·(x − μ)/√(σ² + ε) + β, with γ (``weight``) and β (``bias``) of shape
    ``normalized_shape`` when ``elementwise_affine``. No batch statistics, so training and
    evaluation compute the same thing and any batch size works, even 1.
    """

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        dtype: Any = np.float32,
    ) -> None:
        super().__init__()
        shape = (
            (normalized_shape,)
            if isinstance(normalized_shape, (int, np.integer))
            else tuple(normalized_shape)
        )
        if not shape:
            raise ValueError("LayerNorm: normalized_shape must name at least one axis size")
        self.normalized_shape = tuple(check_size("LayerNorm", "normalized_shape", s) for s in shape)
        self.eps = check_number("LayerNorm", "eps", eps)
        self.elementwise_affine = bool(elementwise_affine)
        dtype = check_dtype("LayerNorm", dtype)
        if self.elementwise_affine:
            self.weight = Value(np.ones(self.normalized_shape, dtype), label="weight")
            self.bias = Value(np.zeros(self.normalized_shape, dtype), label="bias")
        else:
            self.weight = self.bias = None

    def forward(self, x: Any) -> Value:
        x = _as_value(x)
        k = len(self.normalized_shape)
        if x.shape[x.ndim - k :] != self.normalized_shape or x.ndim < k:
            raise ValueError(
                f"LayerNorm{self.normalized_shape}: the input's last {k} axes must have shape "
                f"{self.normalized_shape}, got input of shape {x.shape}"
            )
        axes = tuple(range(x.ndim - k, x.ndim))
        mean = x.mean(axis=axes, keepdims=True)
        centred = x - mean
        var = (centred * centred).mean(axis=axes, keepdims=True)
        x_hat = centred / (var + self.eps).sqrt()
        if not self.elementwise_affine:
            return x_hat
        return x_hat * self.weight + self.bias

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps:g}, "
            f"elementwise_affine={self.elementwise_affine}"
        )
