"""Losses and activations as plain functions (also available as ``nn.F``).

**Loss and cost.** A *loss* measures how wrong the model is on one example; the *cost* that
training minimises is the mean of the losses over a batch. Every loss here computes the
per-example losses and then applies ``reduction``: ``"mean"`` (the cost, the default),
``"sum"``, or ``"none"`` (the per-example losses themselves).

Predictions may be ``Value``s, numpy arrays, or lists of scalar ``Value``s (what
``nn.scalar.MLP`` returns for a batch: ``[model(x) for x in X]``), which are stacked into one
tensor. Targets may be numbers, lists or arrays; they are constants of the graph and take the
prediction's dtype.

The stable forms: ``cross_entropy`` goes through the fused ``log_softmax`` primitive and
``binary_cross_entropy_with_logits`` through the fused ``logsumexp`` primitive, so logits of
±1000 give finite losses and gradients.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import Value, apply
from autograd.ops import SoftmaxCrossEntropy
from autograd.ops.elementary import clamped_log

# ---------------------------------------------------------------------------- activations
relu = autograd.relu
leaky_relu = autograd.leaky_relu
tanh = autograd.tanh
sigmoid = autograd.sigmoid
softmax = autograd.softmax
log_softmax = autograd.log_softmax
conv2d = autograd.conv2d
conv_transpose2d = autograd.conv_transpose2d
max_pool2d = autograd.max_pool2d
avg_pool2d = autograd.avg_pool2d
gelu = autograd.gelu
softplus = autograd.softplus
elu = autograd.elu
selu = autograd.selu
silu = autograd.silu
mish = autograd.mish
hardtanh = autograd.hardtanh
softsign = autograd.softsign
logsigmoid = autograd.logsigmoid
scaled_dot_product_attention = autograd.scaled_dot_product_attention


def step(x: Any) -> Value:
    """The Heaviside step: 1 where x > 0, else 0 (so step(0) = 0), in x's dtype.

    Its derivative is 0 wherever it exists, so no gradient flows through it: the result is a
    constant. That is why a perceptron learns by the perceptron rule, not by backpropagation.
    """
    data = x.data if isinstance(x, Value) else np.asarray(x, dtype=np.float64)
    if type(data) is float:
        return Value(1.0 if data > 0 else 0.0, requires_grad=False)
    return Value((data > 0).astype(data.dtype), requires_grad=False)


def identity(x: Any) -> Any:
    """x itself (the "linear" activation)."""
    return x


# ---------------------------------------------------------------------------- helpers
_REDUCTIONS = ("mean", "sum", "none")


def _prediction(x: Any) -> Value:
    """A Value from a Value, an array, or a (nested) list of scalar Values."""
    if isinstance(x, Value):
        return x
    if isinstance(x, (list, tuple)) and any(isinstance(v, (Value, list, tuple)) for v in x):
        return autograd.stack([_prediction(v) if isinstance(v, (list, tuple)) else v for v in x])
    array = np.asarray(x)
    if array.dtype.kind != "f":
        array = array.astype(np.float64)
    return Value(array, requires_grad=False)


def _target(y: Any) -> Any:
    """A target: a Value stays one (it may even carry a gradient), anything else an array."""
    if isinstance(y, Value):
        return y
    if isinstance(y, (list, tuple)) and any(isinstance(v, Value) for v in y):
        return autograd.stack(list(y))
    return np.asarray(y)


def _check_reduction(loss: str, reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{loss}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _check_same_shape(loss: str, pred: Value, target: Any) -> None:
    if np.shape(target) != pred.shape:
        raise ValueError(
            f"{loss}: prediction shape {pred.shape} and target shape {np.shape(target)} differ. "
            "Broadcasting them would compare every prediction with every target; reshape one "
            "(e.g. target.reshape(pred.shape) or pred.reshape(-1))."
        )


def _constant_of(w: Any, like: Value) -> np.ndarray:
    """A weight (array, number or Value) as a constant array in ``like``'s dtype."""
    return np.asarray(w.data if isinstance(w, Value) else w, dtype=like.dtype)


def _reduce(losses: Value, reduction: str) -> Value:
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    return losses


def _check_range(loss: str, name: str, values: Any, lo: float, hi: float) -> None:
    data = np.asarray(values.data if isinstance(values, Value) else values)
    if data.size and (np.nanmin(data) < lo or np.nanmax(data) > hi):
        raise ValueError(
            f"{loss}: {name} must lie in [{lo}, {hi}], got values from {np.nanmin(data):.4g} to "
            f"{np.nanmax(data):.4g}"
            + (" — pass logits to binary_cross_entropy_with_logits instead" if name == "p" else "")
        )


# ---------------------------------------------------------------------------- regression
def mse_loss(pred: Any, target: Any, reduction: str = "mean") -> Value:
    """Squared error: loss = (ŷ − y)² per element; the cost is their mean.

    ∂loss/∂ŷ = 2(ŷ − y). ``pred`` and ``target`` must have the same shape.
    """
    _check_reduction("mse_loss", reduction)
    pred, target = _prediction(pred), _target(target)
    _check_same_shape("mse_loss", pred, target)
    diff = pred - target
    return _reduce(diff * diff, reduction)


def l1_loss(pred: Any, target: Any, reduction: str = "mean") -> Value:
    """Absolute error: loss = |ŷ − y| per element; the cost is their mean.

    ∂loss/∂ŷ = sign(ŷ − y) (0 where ŷ = y). ``pred`` and ``target`` must have the same shape.
    """
    _check_reduction("l1_loss", reduction)
    pred, target = _prediction(pred), _target(target)
    _check_same_shape("l1_loss", pred, target)
    return _reduce((pred - target).abs(), reduction)


# ---------------------------------------------------------------------------- binary
def binary_cross_entropy(
    p: Any, target: Any, reduction: str = "mean", *, weight: Any = None
) -> Value:
    """Cross-entropy of probabilities: loss = −[y·ln p + (1 − y)·ln(1 − p)]; cost = the mean.

    ``p`` must be in [0, 1] (e.g. a sigmoid's output) and ``target`` y in [0, 1]. As in
    PyTorch, each log is clamped at −100, so p = 0 or 1 gives a large finite loss (100) rather
    than inf, and the gradient still pushes p away from the wrong end: ∂/∂ln u is taken as
    1/max(u, 10⁻¹²) (the ``clamped_log`` primitive). ``binary_cross_entropy_with_logits`` is
    exact and stable: prefer it. ``weight`` rescales each element's loss.
    """
    _check_reduction("binary_cross_entropy", reduction)
    p, target = _prediction(p), _target(target)
    _check_same_shape("binary_cross_entropy", p, target)
    _check_range("binary_cross_entropy", "p", p, 0.0, 1.0)
    _check_range("binary_cross_entropy", "target", target, 0.0, 1.0)
    losses = -(target * clamped_log(p) + (1.0 - target) * clamped_log(1.0 - p))
    return _reduce(losses if weight is None else losses * _constant_of(weight, p), reduction)


def binary_cross_entropy_with_logits(
    logits: Any, target: Any, reduction: str = "mean", *, weight: Any = None, pos_weight: Any = None
) -> Value:
    """Binary cross-entropy of σ(x) from the logit x, stable for any x; cost = the mean.

    loss = −[y·ln σ(x) + (1 − y)·ln(1 − σ(x))] = softplus(x) − x·y,  softplus(x) = ln(1 + eˣ),
    and ∂loss/∂x = σ(x) − y. softplus(x) is computed as logsumexp([0, x]) =
    max(x, 0) + ln(1 + e^−|x|) by the fused logsumexp primitive: finite at x = ±1000, and with
    the exact gradient σ(0) = ½ at x = 0 (composing max and |x| from relu and abs would give 0
    there, since their kinks each take derivative 0).

    ``pos_weight`` p (one per class, broadcast along the last axis, as PyTorch) weighs the
    positive term: loss = −[p·y·ln σ(x) + (1 − y)·ln(1 − σ(x))] = (1 + (p − 1)y)·softplus(x)
    − p·y·x, trading recall against precision. ``weight`` rescales each element's loss.
    """
    _check_reduction("binary_cross_entropy_with_logits", reduction)
    x, target = _prediction(logits), _target(target)
    _check_same_shape("binary_cross_entropy_with_logits", x, target)
    _check_range("binary_cross_entropy_with_logits", "target", target, 0.0, 1.0)
    zero = 0.0 if type(x.data) is float else np.zeros(x.shape, x.dtype)
    softplus = autograd.stack([zero, x], axis=-1).logsumexp(axis=-1)
    if pos_weight is None:
        losses = softplus - x * target
    else:
        positive = _constant_of(pos_weight, x) * target
        losses = (1.0 + positive - target) * softplus - x * positive
    return _reduce(losses if weight is None else losses * _constant_of(weight, x), reduction)


def hinge_loss(scores: Any, target: Any, margin: float = 1.0, reduction: str = "mean") -> Value:
    """The SVM hinge: loss = max(0, margin − y·s) with labels y ∈ {−1, +1}; cost = the mean.

    Zero once an example is on the right side with room to spare (y·s ≥ margin); otherwise it
    grows linearly. ∂loss/∂s = −y where y·s < margin, else 0 (also at y·s = margin exactly).
    """
    _check_reduction("hinge_loss", reduction)
    s, target = _prediction(scores), _target(target)
    _check_same_shape("hinge_loss", s, target)
    labels = np.asarray(target.data if isinstance(target, Value) else target)
    if not np.all((labels == 1) | (labels == -1)):
        found = np.unique(labels)[:6]
        hint = " — for 0/1 labels pass 2 * y - 1" if np.all((labels == 0) | (labels == 1)) else ""
        raise ValueError(f"hinge_loss: labels must be -1 or +1, found {found}{hint}")
    return _reduce((margin - s * target).relu(), reduction)


# ---------------------------------------------------------------------------- multi-class
def _pick(log_probs: Value, labels: Any, loss: str) -> Value:
    """log_probs[..., label] for every example: the log-probability of the right class."""
    labels = _checked_labels(log_probs, labels, loss)
    index = tuple(np.indices(labels.shape, sparse=True)) + (labels,)
    return log_probs[index]


def _checked_labels(scores: Value, labels: Any, loss: str) -> np.ndarray:
    """Integer labels, checked: one per example, each a class index of ``scores``."""
    labels = np.asarray(labels.data if isinstance(labels, Value) else labels)
    lead, classes = scores.shape[:-1], scores.shape[-1]
    if labels.shape != lead:
        raise ValueError(
            f"{loss}: {scores.shape} scores need integer labels of shape {lead} (one per "
            f"example), got shape {labels.shape}"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(
            f"{loss}: labels must be class indices in 0..{classes - 1} (the scores have "
            f"{classes} classes), found {labels.min()}..{labels.max()}"
        )
    return labels


def _check_scores(loss: str, scores: Value) -> None:
    if scores.ndim == 0:
        raise ValueError(f"{loss}: scores must have a class axis (shape (..., C)), got a scalar")


def _class_weights(
    scores: Value, labels: Any, weight: Any, ignore_index: int, loss: str
) -> tuple[np.ndarray, np.ndarray]:
    """Labels with the ignored ones replaced by 0 (to index safely), and each example's weight:
    weight[label], or 1 without class weights; 0 where the label is ``ignore_index``."""
    labels = np.asarray(labels.data if isinstance(labels, Value) else labels)
    kept = labels != ignore_index
    safe = np.where(kept, labels, 0)
    _checked_labels(scores, safe, loss)
    if weight is None:
        return safe, kept.astype(scores.dtype)
    weight = _constant_of(weight, scores)
    if weight.shape != scores.shape[-1:]:
        raise ValueError(
            f"{loss}: weight needs one number per class, shape {scores.shape[-1:]}, got "
            f"{weight.shape}"
        )
    return safe, weight[safe] * kept


def _weighted_reduce(losses: Value, example_weights: np.ndarray, reduction: str) -> Value:
    """PyTorch's rule: the weighted mean divides by the total weight of the kept examples."""
    if reduction == "mean":
        return losses.sum() / float(example_weights.sum())
    return _reduce(losses, reduction)


def cross_entropy(
    logits: Any,
    target: Any,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
    *,
    weight: Any = None,
    ignore_index: int = -100,
) -> Value:
    """Softmax cross-entropy from logits (classes on the last axis); cost = the mean.

    loss = −Σ_c t_c · log_softmax(z)_c for one example with logits z. ``target`` is either
    integer class labels (shape ``logits.shape[:-1]``; then loss = −log_softmax(z)_y) or
    probabilities (one-hot or smoothed, shape ``logits.shape``). ∂loss/∂z = softmax(z) − t.
    Computed from the fused, stable ``log_softmax``. ``label_smoothing`` ε mixes the target
    with the uniform distribution: t ← (1 − ε)·t + ε/C, as PyTorch does.

    As PyTorch: ``weight`` (one number per class) scales each class's term — with labels,
    example n's loss by w[yₙ], and the mean becomes Σ wₙ·lossₙ / Σ wₙ; examples labelled
    ``ignore_index`` (default −100, e.g. padding) add nothing and do not count in the mean.
    """
    _check_reduction("cross_entropy", reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    z = _prediction(logits)
    _check_scores("cross_entropy", z)
    target = _target(target)
    kind = np.asarray(target.data if isinstance(target, Value) else target).dtype.kind
    if kind in "iu":
        labels = np.asarray(target.data if isinstance(target, Value) else target)
        if labels.size == 0:
            raise ValueError(
                f"cross_entropy: the batch is empty (labels of shape {labels.shape}); there is "
                "no loss to average — check the data loader or the slicing"
            )
        if not label_smoothing and weight is None and labels.shape == z.shape[:-1]:
            low, high = labels.min(), labels.max()  # one look at the labels for every check
            if 0 <= low and high < z.shape[-1] and not low <= ignore_index <= high:
                # the fused, stable op: logsumexp(z) − z_y in one node
                return apply(SoftmaxCrossEntropy, z, labels=labels.copy(), reduction=reduction)
        labels, example_weights = _class_weights(z, labels, weight, ignore_index, "cross_entropy")
        log_probs = z.log_softmax(axis=-1)
        losses = -_pick(log_probs, labels, "cross_entropy") * example_weights
        if label_smoothing:  # the uniform part, weighted by class and without ignored examples
            class_weights = 1.0 if weight is None else _constant_of(weight, z)
            kept = np.asarray(np.asarray(getattr(target, "data", target)) != ignore_index, z.dtype)
            uniform = -(log_probs * class_weights).mean(axis=-1) * kept
            losses = (1.0 - label_smoothing) * losses + label_smoothing * uniform
        return _weighted_reduce(losses, example_weights, reduction)
    if kind == "f":
        if np.shape(target) != z.shape:
            raise ValueError(
                f"cross_entropy: probability targets must have the logits' shape {z.shape}, "
                f"got {np.shape(target)}; for class labels pass an integer array of shape "
                f"{z.shape[:-1]}"
            )
        if label_smoothing:
            target = (1.0 - label_smoothing) * target + label_smoothing / z.shape[-1]
        terms = z.log_softmax(axis=-1) * target
        if weight is not None:
            terms = terms * _constant_of(weight, z)
        return _reduce(-terms.sum(axis=-1), reduction)
    raise TypeError(
        f"cross_entropy: target must be integer class labels or float probabilities, got "
        f"dtype {np.asarray(target).dtype}"
    )


def nll_loss(
    log_probs: Any,
    target: Any,
    reduction: str = "mean",
    *,
    weight: Any = None,
    ignore_index: int = -100,
) -> Value:
    """Negative log-likelihood: loss = −log p_y, the log-probability of the right class.

    ``log_probs`` (shape ``(..., C)``) are log-probabilities, e.g. from ``log_softmax``;
    ``target`` holds integer labels of shape ``log_probs.shape[:-1]``. The cost is the mean.
    ``nll_loss(log_softmax(z), y)`` equals ``cross_entropy(z, y)``; ``weight`` and
    ``ignore_index`` as there (the mean is Σ w_yₙ·lossₙ / Σ w_yₙ over the kept examples).
    """
    _check_reduction("nll_loss", reduction)
    lp = _prediction(log_probs)
    _check_scores("nll_loss", lp)
    target = _target(target)
    kind = np.asarray(target.data if isinstance(target, Value) else target).dtype.kind
    if kind not in "iu":
        raise TypeError(
            f"nll_loss: target must be integer class labels, got dtype {np.asarray(target).dtype}"
        )
    labels, example_weights = _class_weights(lp, target, weight, ignore_index, "nll_loss")
    losses = -_pick(lp, labels, "nll_loss") * example_weights
    return _weighted_reduce(losses, example_weights, reduction)


# ---------------------------------------------------------------------------- robust / divergence
def huber_loss(pred: Any, target: Any, reduction: str = "mean", delta: float = 1.0) -> Value:
    """Huber loss with d = ŷ − y: ½d² where |d| < δ, else δ(|d| − ½δ); cost = the mean.

    Quadratic near the target, linear far from it, so outliers pull with a bounded force:
    ∂loss/∂ŷ = d where |d| < δ, else δ·sign(d). As PyTorch's ``huber_loss``.
    """
    _check_reduction("huber_loss", reduction)
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    pred, target = _prediction(pred), _target(target)
    _check_same_shape("huber_loss", pred, target)
    d = pred - target
    size = abs(d)
    quadratic = np.asarray(size.data) < delta
    losses = autograd.where(quadratic, d * d * 0.5, (size - 0.5 * delta) * delta)
    return _reduce(losses, reduction)


def smooth_l1_loss(pred: Any, target: Any, reduction: str = "mean", beta: float = 1.0) -> Value:
    """Smooth L1 with d = ŷ − y: ½d²/β where |d| < β, else |d| − ½β (= huber_loss / β);
    ``beta=0`` is the L1 loss. As PyTorch's ``smooth_l1_loss``."""
    _check_reduction("smooth_l1_loss", reduction)
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be ≥ 0, got {beta}")
    pred, target = _prediction(pred), _target(target)
    _check_same_shape("smooth_l1_loss", pred, target)
    d = pred - target
    size = abs(d)
    if beta == 0:
        return _reduce(size, reduction)
    quadratic = np.asarray(size.data) < beta
    losses = autograd.where(quadratic, d * d * (0.5 / beta), size - 0.5 * beta)
    return _reduce(losses, reduction)


def kl_div(
    input: Any,  # noqa: A002  (PyTorch's name)
    target: Any,
    reduction: str = "mean",
    log_target: bool = False,
) -> Value:
    """Kullback–Leibler divergence KL(t ‖ q) from log-probabilities ``input`` = ln q.

    Pointwise loss = t·(ln t − ln q) (0 where t = 0), or with ``log_target`` (target given
    as ln t) eᵗ·(t − ln q). As PyTorch: ``reduction="mean"`` averages over every element;
    ``"batchmean"`` — the true KL per example — divides the sum by the batch size.
    ∂/∂ln q = −t.
    """
    if reduction not in _REDUCTIONS + ("batchmean",):
        raise ValueError(
            f"kl_div: reduction must be 'mean', 'batchmean', 'sum' or 'none', got {reduction!r}"
        )
    log_q, target = _prediction(input), _target(target)
    _check_same_shape("kl_div", log_q, target)
    if log_target:
        t_log = target if isinstance(target, Value) else np.asarray(target, dtype=log_q.dtype)
        losses = autograd.exp(t_log) * (t_log - log_q)
    else:
        t = target if isinstance(target, Value) else np.asarray(target, dtype=log_q.dtype)
        positive = np.asarray(getattr(t, "data", t)) > 0
        t_log_t = autograd.where(positive, t * autograd.log(autograd.where(positive, t, 1.0)), 0.0)
        losses = t_log_t - t * log_q
    if reduction == "batchmean":
        return losses.sum() / (log_q.shape[0] if log_q.ndim else 1)
    return _reduce(losses, reduction)


__all__ = [
    "relu", "leaky_relu", "tanh", "sigmoid", "softmax", "log_softmax", "step", "identity",
    "mse_loss", "l1_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "cross_entropy", "nll_loss", "hinge_loss", "huber_loss", "smooth_l1_loss", "kl_div",
    "softplus", "elu", "selu", "silu", "mish", "hardtanh", "softsign", "logsigmoid",
]  # fmt: skip
