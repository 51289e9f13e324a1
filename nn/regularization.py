"""Penalties and constraints against overfitting: L1, L2, max-norm, activity penalties.

A *penalty* is a term added to the cost, so training trades fitting the data against keeping
the weights (or the activations) small::

    loss = F.cross_entropy(model(xb), yb) + 1e-4 * nn.l2_penalty(model)

- L2 (*ridge*, *weight decay*): ½Σw², gradient w — every weight shrinks in proportion to its
  size, none reaches exactly zero. Adding λ·½Σw² to the cost is what ``weight_decay=λ`` does
  inside ``optim.SGD``.
- L1 (*lasso*): Σ|w|, gradient sign(w) — every weight is pushed towards zero by the same
  amount, so weights that do not help end up (near) zero: a *sparse* model.

A *constraint* (:func:`max_norm_`) is applied to the weights themselves after each optimizer
step instead of changing the cost.

**Which parameters?** The penalties and :func:`max_norm_` act on exactly what you pass:

- a module: its *weights only* — :func:`weights_only` leaves out biases and the scale and
  shift of normalisation layers, which set offsets rather than how strongly inputs count
  (penalising them is rarely useful: shrinking a bias does not make the model simpler);
- a list of ``Value``s: all of them, e.g. ``model.parameters()`` to include the biases, or
  ``[model[0].weight]`` for one layer.

In a training loop, find the weights once (``weights = nn.weights_only(model)``) and pass the
list: walking the module costs about as much as computing the penalty.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Value
from autograd.checks import check_number

from .module import Module

Params = Module | Iterable[Value]

_BIAS_NAMES = ("bias", "b")


def weights_only(model: Module) -> list[Value]:
    """The parameters of ``model`` that a weight penalty should act on: every parameter except
    biases (named ``bias``, or ``b`` in :mod:`nn.scalar`) and the parameters of normalisation
    layers (:class:`nn.BatchNorm1d`, :class:`nn.LayerNorm`).

    ``nn.weights_only(nn.MLP(2, [8, 1]))`` is ``[layer0.weight, layer2.weight]``.
    """
    if not isinstance(model, Module):
        raise TypeError(
            f"weights_only expects an nn.Module, got {type(model).__name__}; for a list of "
            "parameters, choose the ones to penalise yourself"
        )
    from .normalization import BatchNorm1d, LayerNorm  # imported here: they import Module

    skipped: set[int] = set()
    for module in model.modules():
        if isinstance(module, (BatchNorm1d, LayerNorm)):
            skipped.update(id(p) for p in module.parameters())
    return [
        p
        for name, p in model.named_parameters()
        if name.rpartition(".")[2] not in _BIAS_NAMES and id(p) not in skipped
    ]


def _parameters(params: Any, owner: str) -> list[Value]:
    """A module's weights, or the Values of an iterable, checked."""
    if isinstance(params, Module):
        return weights_only(params)
    if isinstance(params, Value):
        return [params]
    try:
        items = list(params)
    except TypeError:
        raise TypeError(
            f"{owner} expects a module or an iterable of Values, got {type(params).__name__}"
        ) from None
    for p in items:
        if not isinstance(p, Value):
            hint = (
                " — pass model.parameters(), not model.named_parameters()"
                if isinstance(p, tuple)
                else ""
            )
            raise TypeError(f"{owner}: every parameter must be a Value, got {type(p).__name__}"
                            + hint)  # fmt: skip
    return items


def _total(terms: list[Value], owner: str) -> Value:
    if not terms:
        raise ValueError(f"{owner}: no parameters to penalise")
    total = terms[0]
    for term in terms[1:]:  # a short chain: one node per parameter tensor
        total = total + term
    return total


def l1_penalty(params: Params) -> Value:
    """The L1 norm Σ|w| over every element of every parameter (a scalar ``Value``).

    ∂/∂w = sign(w) (0 at w = 0). Pass a module for its weights only (see
    :func:`weights_only`) or a list of Values to choose (``model.parameters()`` includes biases).
    """
    return _total([p.abs().sum() for p in _parameters(params, "l1_penalty")], "l1_penalty")


def l2_penalty(params: Params) -> Value:
    """Half the squared L2 norm, ½Σw², over every element of every parameter (a scalar).

    ∂/∂w = w, so ``cost + λ·l2_penalty(params)`` moves each weight by −lr·λ·w per SGD step:
    SGD's ``weight_decay=λ``. Pass a module for its weights only (see :func:`weights_only`) or
    a list of Values to choose.
    """
    terms = [(p * p).sum() for p in _parameters(params, "l2_penalty")]
    return 0.5 * _total(terms, "l2_penalty")


def max_norm_(params: Params, max_norm: float, axis: int | tuple[int, ...] | None = -1) -> None:
    """Cap the norm of each unit's incoming weights at ``max_norm``, in place.

    The max-norm constraint (Srebro & Shraibman 2005; used with dropout by Srivastava et al.
    2014): after each optimizer step, every weight vector w whose Euclidean norm exceeds c is
    scaled back onto the ball, w ← w · c/‖w‖; shorter ones are left alone. Like Keras'
    ``MaxNorm`` and ``torch.renorm(w, 2, 0, c)``.

    ``axis`` is the axis (or axes) the norms are taken over. The default, the last axis, gives
    one norm per row of a ``Linear`` weight of shape ``(nout, nin)`` — the weights *into* one
    output unit — and one norm for a 1-D parameter; ``axis=None`` caps the norm of each whole
    parameter. Pass a module for its weights only (see :func:`weights_only`). Use it after
    ``optimizer.step()``; it records no graph.
    """
    max_norm = check_number("max_norm_", "max_norm", max_norm, fix="the norm must be positive")
    if max_norm == 0:
        raise ValueError("max_norm_: max_norm must be positive, got 0")
    for p in _parameters(params, "max_norm_"):
        data = p.data
        if type(data) is float:  # a scalar weight: its norm is |w|
            if abs(data) > max_norm:
                p.data = float(np.copysign(max_norm, data))
            continue
        norms = np.sqrt(np.sum(data * data, axis=axis if data.ndim else None, keepdims=True))
        if np.any(norms > max_norm):
            scale = max_norm / np.maximum(norms, max_norm)  # c/‖w‖ where ‖w‖ > c, else 1
            np.multiply(data, scale.astype(data.dtype, copy=False), out=data)
            p.mark_modified()


def _batch_size(a: Value) -> int:
    return a.shape[0] if a.ndim > 1 else 1


def activity_l1(activations: Any) -> Value:
    """L1 activity penalty: Σ|a| per example, averaged over the batch (the first axis).

    Add it to the cost for sparse activations (few units active for each example)::

        hidden = model[:2](xb)                       # the activations to penalise
        cost = F.cross_entropy(model[2:](hidden), yb) + 1e-4 * nn.activity_l1(hidden)

    A 1-D input counts as one example. Like Keras' ``activity_regularizer=l1(...)``, which also
    divides by the batch size, so the strength does not depend on it.
    """
    a = activations if isinstance(activations, Value) else Value(activations, requires_grad=False)
    return a.abs().sum() / _batch_size(a)


def activity_l2(activations: Any) -> Value:
    """L2 activity penalty: ½Σa² per example, averaged over the batch (the first axis).

    Same use as :func:`activity_l1`; keeps activations small without making them sparse. The
    ½ matches :func:`l2_penalty`.
    """
    a = activations if isinstance(activations, Value) else Value(activations, requires_grad=False)
    return 0.5 * (a * a).sum() / _batch_size(a)
