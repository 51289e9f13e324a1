"""Loss options and gradient clipping of issue 16, against PyTorch where it is installed:
class ``weight`` and ``ignore_index`` on cross_entropy / nll_loss, ``pos_weight`` on
binary_cross_entropy_with_logits, huber / smooth L1 / KL losses, binary cross-entropy at
probabilities of exactly 0 and 1, ``clip_grad_norm_`` and ``clip_grad_value_``, and the new
activation modules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import nn
from autograd import Value, gradcheck
from nn import functional as F

_rng = np.random.default_rng(1603)


def _torch() -> Any:
    return pytest.importorskip("torch")


def _compare(
    ours: Callable, theirs: Callable, inputs: list[np.ndarray], skip_nan: bool = False
) -> None:
    """Same forward and same gradient (of every input) in glassgrad and PyTorch; with
    ``skip_nan``, places where PyTorch's gradient is nan are not compared."""
    torch = _torch()
    values = [Value(x) for x in inputs]
    tensors = [torch.tensor(x, requires_grad=True) for x in inputs]
    out, expected = ours(*values), theirs(*tensors)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-7, atol=1e-12)
    weights = _rng.standard_normal(expected.shape)
    (out * weights).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    for v, t in zip(values, tensors, strict=True):
        theirs_grad = t.grad.numpy()
        keep = ~np.isnan(theirs_grad) if skip_nan else np.ones(theirs_grad.shape, bool)
        np.testing.assert_allclose(v.grad[keep], theirs_grad[keep], rtol=1e-6, atol=1e-12)


LOGITS = _rng.standard_normal((6, 4)) * 2
LABELS = np.array([0, 3, -100, 1, 3, 2])
LABELS_PAD = np.array([0, 3, 1, 1, 3, 1])  # 1 plays the padding class in the ignore_index=1 case
CLASS_W = np.array([0.5, 2.0, 1.0, 0.25])
PROBS = _rng.dirichlet(np.ones(4), 6)
REDUCTIONS = ["mean", "sum", "none"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    ("labels", "options"),
    [
        (LABELS_PAD, {"weight": CLASS_W}),
        (LABELS, {}),
        (LABELS, {"weight": CLASS_W}),
        (LABELS_PAD, {"ignore_index": 1}),
        (LABELS, {"weight": CLASS_W, "label_smoothing": 0.2}),
        (LABELS_PAD, {"ignore_index": 3, "label_smoothing": 0.1}),
    ],
    ids=["weight", "ignore", "weight-ignore", "ignore1", "weight-ignore-smooth", "ignore-smooth"],
)
def test_cross_entropy_options_match_pytorch(labels, options, reduction) -> None:
    torch = _torch()
    ours = dict(options)
    theirs = {k: torch.tensor(v) if k == "weight" else v for k, v in options.items()}
    _compare(
        lambda z: F.cross_entropy(z, labels, reduction=reduction, **ours),
        lambda z: torch.nn.functional.cross_entropy(
            z, torch.tensor(labels), reduction=reduction, **theirs
        ),
        [LOGITS],
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_probability_targets_with_weight_match_pytorch(reduction) -> None:
    torch = _torch()
    _compare(
        lambda z: F.cross_entropy(z, PROBS, reduction=reduction, weight=CLASS_W),
        lambda z: torch.nn.functional.cross_entropy(
            z, torch.tensor(PROBS), weight=torch.tensor(CLASS_W), reduction=reduction
        ),
        [LOGITS],
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "options",
    [{"weight": CLASS_W}, {"ignore_index": 3}, {"weight": CLASS_W, "ignore_index": 0}],
    ids=["weight", "ignore", "both"],
)
def test_nll_loss_options_match_pytorch(options, reduction) -> None:
    torch = _torch()
    theirs = {k: torch.tensor(v) if k == "weight" else v for k, v in options.items()}
    log_probs = np.log(PROBS)
    _compare(
        lambda lp: F.nll_loss(lp, LABELS_PAD, reduction=reduction, **options),
        lambda lp: torch.nn.functional.nll_loss(
            lp, torch.tensor(LABELS_PAD), reduction=reduction, **theirs
        ),
        [log_probs],
    )


def test_cross_entropy_weighted_mean_is_the_weighted_average() -> None:
    z, y = Value(LOGITS), np.array([0, 1, 1, 2, 3, 3])
    per_example = F.cross_entropy(z, y, reduction="none").data
    weighted = F.cross_entropy(z, y, weight=CLASS_W).item()
    w = CLASS_W[y]
    assert weighted == pytest.approx(np.sum(w * per_example) / np.sum(w))
    ignored = F.cross_entropy(z, np.array([0, 1, -100, -100, 3, 3]), reduction="none").data
    assert ignored[2] == ignored[3] == 0.0


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "options",
    [{"pos_weight": np.array([3.0, 0.5, 1.0, 2.0])}, {"pos_weight": np.array(4.0)},
     {"weight": np.array([1.0, 2.0, 0.5, 0.0])},
     {"weight": np.array([1.0, 2.0, 0.5, 0.0]), "pos_weight": np.array([3.0, 0.5, 1.0, 2.0])}],
    ids=["pos_weight", "pos_weight-scalar", "weight", "both"],
)  # fmt: skip
def test_bce_with_logits_weights_match_pytorch(options, reduction) -> None:
    torch = _torch()
    target = (_rng.random((6, 4)) < 0.5).astype(np.float64)
    target[0, 0] = 0.3  # soft targets too
    theirs = {k: torch.tensor(v) for k, v in options.items()}
    x = LOGITS * 10  # far into the saturated range
    _compare(
        lambda z: F.binary_cross_entropy_with_logits(z, target, reduction, **options),
        lambda z: torch.nn.functional.binary_cross_entropy_with_logits(
            z, torch.tensor(target), reduction=reduction, **theirs
        ),
        [x],
    )


def test_bce_matches_pytorch_inside_and_at_zero_and_one() -> None:
    torch = _torch()
    p = np.array([0.2, 0.7, 1e-3, 0.999, 0.0, 1.0, 0.0, 1.0])
    y = np.array([1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.5, 0.5])
    _compare(
        lambda q: F.binary_cross_entropy(q, y, reduction="none"),
        lambda q: torch.nn.functional.binary_cross_entropy(q, torch.tensor(y), reduction="none"),
        [p],
    )


def test_bce_at_the_wrong_end_gives_loss_100_and_a_gradient() -> None:
    """PyTorch's rule: log clamped at −100, and p = 0 with target 1 still pulls p up."""
    p = Value(np.array([0.0, 1.0]))
    loss = F.binary_cross_entropy(p, np.array([1.0, 0.0]), reduction="none")
    np.testing.assert_allclose(loss.data, [100.0, 100.0])
    loss.sum().backward()
    assert p.grad[0] < -1e11 and p.grad[1] > 1e11  # towards the right answer, not 0


def test_bce_weight_rescales() -> None:
    p, y, w = np.array([0.2, 0.9]), np.array([1.0, 0.0]), np.array([2.0, 0.5])
    plain = F.binary_cross_entropy(p, y, reduction="none").data
    weighted = F.binary_cross_entropy(p, y, reduction="none", weight=w).data
    np.testing.assert_allclose(weighted, plain * w)


RESIDUALS = np.array([[-3.0, -1.0, -0.4, 0.0], [0.2, 0.999, 1.0, 2.5]])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("delta", [1.0, 0.5, 2.0])
def test_huber_and_smooth_l1_match_pytorch(delta, reduction) -> None:
    torch = _torch()
    target = _rng.standard_normal((2, 4))
    pred = target + RESIDUALS
    _compare(
        lambda a: F.huber_loss(a, target, reduction, delta),
        lambda a: torch.nn.functional.huber_loss(a, torch.tensor(target), reduction, delta),
        [pred],
    )
    _compare(
        lambda a: F.smooth_l1_loss(a, target, reduction, beta=delta),
        lambda a: torch.nn.functional.smooth_l1_loss(
            a, torch.tensor(target), reduction=reduction, beta=delta
        ),
        [pred],
    )


def test_smooth_l1_beta_zero_is_l1() -> None:
    pred, target = RESIDUALS, np.zeros((2, 4))
    np.testing.assert_allclose(
        F.smooth_l1_loss(pred, target, beta=0.0).item(), F.l1_loss(pred, target).item()
    )


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")  # PyTorch's own advice
@pytest.mark.parametrize("reduction", ["mean", "batchmean", "sum", "none"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_pytorch(log_target, reduction) -> None:
    torch = _torch()
    target = PROBS.copy()
    target[0] = [0.0, 0.5, 0.5, 0.0]  # zeros in the target: 0·ln 0 = 0
    if log_target:
        target = np.log(np.where(target > 0, target, 1e-30))
    log_q = np.log(_rng.dirichlet(np.ones(4), 6))
    _compare(
        lambda lq, t: F.kl_div(lq, t, reduction, log_target),
        lambda lq, t: torch.nn.functional.kl_div(lq, t, reduction=reduction, log_target=log_target),
        [log_q, target],
        skip_nan=True,  # ∂/∂t at t = 0: PyTorch nan, ours 0 (see test_kl_div_zero_target)
    )


def test_kl_div_zero_target_has_finite_gradients() -> None:
    """0·ln 0 = 0, and the gradient of t·ln t at t = 0 is taken as 0 (PyTorch gives nan)."""
    log_q, t = Value(np.log(PROBS[:1])), Value(np.array([[0.0, 0.5, 0.5, 0.0]]))
    F.kl_div(log_q, t, "sum").backward()
    assert np.all(np.isfinite(t.grad))
    np.testing.assert_allclose(t.grad[0, [0, 3]], -log_q.data[0, [0, 3]])  # the ln t + 1 term: 0
    np.testing.assert_allclose(log_q.grad, -t.data)


def test_new_losses_gradcheck() -> None:
    target = _rng.standard_normal((2, 4))
    assert gradcheck(lambda a: F.huber_loss(a, target, delta=0.7), target + RESIDUALS * 1.1)
    assert gradcheck(lambda a: F.smooth_l1_loss(a, target, beta=0.7), target + RESIDUALS * 1.1)
    assert gradcheck(lambda lq, t: F.kl_div(lq, t, "batchmean"), np.log(PROBS), PROBS)
    assert gradcheck(
        lambda z: F.cross_entropy(z, LABELS, weight=CLASS_W, label_smoothing=0.1), LOGITS
    )
    assert gradcheck(
        lambda z: F.binary_cross_entropy_with_logits(
            z, (LOGITS > 0) * 1.0, pos_weight=np.array([1.0, 2.0, 3.0, 0.5])
        ),
        LOGITS,
    )


# ------------------------------------------------------------------------- clipping
def _model_with_grads(dtype: Any = np.float64) -> nn.Module:
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    for k, p in enumerate(model.parameters()):
        p.data = p.data.astype(dtype)
        p.grad = (_rng.standard_normal(p.shape) * (k + 1)).astype(dtype)
    return model


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_matches_pytorch(norm_type, max_norm) -> None:
    torch = _torch()
    model = _model_with_grads()
    grads = [p.grad.copy() for p in model.parameters()]
    tensors = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for t, g in zip(tensors, grads, strict=True):
        t.grad = torch.tensor(g)
    expected = torch.nn.utils.clip_grad_norm_(tensors, max_norm, norm_type)
    total = nn.clip_grad_norm_(model, max_norm, norm_type)
    assert total == pytest.approx(float(expected), rel=1e-12)
    for p, t in zip(model.parameters(), tensors, strict=True):
        np.testing.assert_allclose(p.grad, t.grad.numpy(), rtol=1e-12)


def test_clip_grad_value_matches_pytorch() -> None:
    torch = _torch()
    model = _model_with_grads()
    tensors = [torch.zeros(p.shape, dtype=torch.float64) for p in model.parameters()]
    for t, p in zip(tensors, model.parameters(), strict=True):
        t.grad = torch.tensor(p.grad)
    torch.nn.utils.clip_grad_value_(tensors, 0.3)
    nn.clip_grad_value_(model.parameters(), 0.3)
    for p, t in zip(model.parameters(), tensors, strict=True):
        np.testing.assert_array_equal(p.grad, t.grad.numpy())


def test_clipping_keeps_float32_skips_missing_grads_and_accepts_one_value() -> None:
    model = _model_with_grads(np.float32)
    first = next(iter(model.parameters()))
    first.grad = None
    total = nn.clip_grad_norm_(model, 0.1)
    assert total > 0.1 and first.grad is None
    norm = np.sqrt(sum(np.sum(p.grad.astype(np.float64) ** 2) for p in model.parameters()
                       if p.grad is not None))  # fmt: skip
    assert norm == pytest.approx(0.1, rel=1e-4)
    assert all(p.grad.dtype == np.float32 for p in model.parameters() if p.grad is not None)
    v = Value(2.0)
    v.grad = 5.0
    assert nn.clip_grad_norm_(v, 1.0) == pytest.approx(5.0)
    assert v.grad == pytest.approx(1.0, rel=1e-5)
    nn.clip_grad_value_([v], 0.5)
    assert v.grad == 0.5


def test_clip_grad_norm_error_if_nonfinite() -> None:
    v = Value(np.zeros(2))
    v.grad = np.array([np.inf, 1.0])
    with pytest.raises(RuntimeError, match="error_if_nonfinite"):
        nn.clip_grad_norm_([v], 1.0, error_if_nonfinite=True)


# ------------------------------------------------------------------- activation modules
@pytest.mark.parametrize(
    ("ours", "name", "args"),
    [(nn.Softplus(), "Softplus", ()), (nn.Softplus(2.0, 3.0), "Softplus", (2.0, 3.0)),
     (nn.ELU(), "ELU", ()), (nn.ELU(0.5), "ELU", (0.5,)), (nn.SELU(), "SELU", ()),
     (nn.SiLU(), "SiLU", ()), (nn.Mish(), "Mish", ()), (nn.Hardtanh(), "Hardtanh", ()),
     (nn.Hardtanh(-0.5, 2.0), "Hardtanh", (-0.5, 2.0)), (nn.Softsign(), "Softsign", ()),
     (nn.LogSigmoid(), "LogSigmoid", ())],
)  # fmt: skip
def test_activation_modules_match_pytorch(ours, name, args) -> None:
    torch = _torch()
    theirs = getattr(torch.nn, name)(*args)
    x = _rng.standard_normal((5, 3)) * 3
    x[0] = [0.0, 1.0, -1.0]
    _compare(ours, theirs, [x])
    assert name in repr(ours)
