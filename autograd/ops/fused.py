"""Fused primitives: several steps done as one op where speed or stability demands it.

Each of these could be composed from smaller primitives (and is, in the tests that check
them); fusing saves graph nodes — the Python overhead per node dominates small networks — and,
for cross-entropy, computes ``log_softmax`` and the pick of the right class without ever
forming probabilities that could underflow.

    linear(x, W, b) = x Wᵀ + b                 ∂L/∂x = g W,  ∂L/∂W = gᵀ x,  ∂L/∂b = Σₙ g
    softmax_cross_entropy(z, y)ₙ = logsumexp(zₙ) − zₙ,yₙ      ∂/∂zₙ = softmax(zₙ) − onehot(yₙ)
"""

from __future__ import annotations

import numpy as np

from autograd.ops.generic import softmax
from autograd.ops.primitive import Primitive
from autograd.value import Value


def _rows(x):
    """``x`` as a matrix: every leading axis folded into the rows."""
    return x if len(x.shape) == 2 else x.reshape((-1, x.shape[-1]))


def linear_composite(x, w, b):
    """x Wᵀ + b from three ops: what :class:`Linear` fuses (the tests hold the two equal)."""
    return x @ w.T + b


class Linear(Primitive):
    """y = x Wᵀ + b (a dense layer; W has shape (nout, nin) as in PyTorch).

    ∂L/∂x = g W,   ∂L/∂W = gᵀ x (summed over every leading axis),   ∂L/∂b = Σ g over them.
    """

    symbol = "linear"
    broadcasts = False  # each vjp returns its input's exact shape

    def forward(x, w, b):
        out = x @ w.T
        if out.dtype == b.dtype and out.ndim:  # a fresh array: add the bias in place
            out += b
            return out
        return out + b

    def vjp_x(g, y, x, w, b):
        return g @ w

    def vjp_w(g, y, x, w, b):
        return _rows(g).T @ _rows(x)

    def vjp_b(g, y, x, w, b):
        return _rows(g).sum(axis=0)


def _class_index(labels: np.ndarray) -> tuple[np.ndarray, ...]:
    """The index that picks each example's class: ``z[index]`` has the labels' shape."""
    if labels.ndim == 1:  # the common case, a batch of labels
        return (np.arange(labels.shape[0]), labels)
    return tuple(np.indices(labels.shape, sparse=True)) + (labels,)


def cross_entropy_composite(z, labels):
    """ℓₙ = −log_softmax(zₙ)[yₙ] from smaller ops: what :class:`SoftmaxCrossEntropy` fuses."""
    return -z.log_softmax()[_class_index(labels)]


class SoftmaxCrossEntropy(Primitive):
    """ℓₙ = −log softmax(zₙ)[yₙ] = logsumexp(zₙ) − zₙ,yₙ for integer labels y, reduced by
    ``reduction`` ("mean", "sum" or "none").   ∂ℓₙ/∂zₙ = softmax(zₙ) − onehot(yₙ)."""

    symbol = "cross_entropy"

    def forward(z, *, labels, reduction):
        m = np.max(z, axis=-1, keepdims=True)
        if not np.isfinite(m).all():  # rows of −inf (or inf): shift them by 0 instead
            m = np.where(np.isfinite(m), m, 0)
        probs = np.exp(z - m)
        total = np.sum(probs, axis=-1, keepdims=True)
        losses = (np.log(total) + m)[..., 0] - z[_class_index(labels)]  # logsumexp(z) − z_y
        probs /= total  # softmax(z), kept for the backward
        if reduction == "none":
            out = losses
        else:
            out = np.sum(losses)
            out = out / losses.size if reduction == "mean" else out
        return out, {"probs": probs}

    def vjp_z(g, out, z, *, labels, reduction, probs):
        if reduction == "none":
            g = g.reshape(g.shape + (1,))
        elif reduction == "mean":
            g = g / labels.size
        if isinstance(z, Value):  # recording (create_graph): the same formula on Values
            onehot = np.zeros_like(z.data)
            onehot[_class_index(labels)] = 1
            return (softmax(z) - onehot) * g
        grad = probs.copy()  # softmax − onehot, built in place on a copy
        grad[_class_index(labels)] -= 1
        grad *= g
        return grad
