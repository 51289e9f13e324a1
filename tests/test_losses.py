"""Losses in nn.functional: hand-computed values, reductions, gradients, stability, errors."""

import math

import numpy as np
import pytest

import nn
from autograd import Value, gradcheck

F = nn.F


def rng(seed=0):
    return np.random.default_rng(seed)


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


# ------------------------------------------------------------------ hand-computed values
def test_mse_and_l1_by_hand():
    pred, target = np.array([1.0, 2.0, 4.0]), np.array([1.0, 1.0, 1.0])
    assert F.mse_loss(pred, target).item() == pytest.approx((0 + 1 + 9) / 3)
    assert F.mse_loss(pred, target, reduction="sum").item() == pytest.approx(10.0)
    np.testing.assert_allclose(F.mse_loss(pred, target, reduction="none").data, [0, 1, 9])
    assert F.l1_loss(pred, target).item() == pytest.approx((0 + 1 + 3) / 3)
    assert F.l1_loss(pred, target, reduction="sum").item() == pytest.approx(4.0)


def test_binary_cross_entropy_by_hand():
    p, y = np.array([0.9, 0.2]), np.array([1.0, 0.0])
    expected = [-math.log(0.9), -math.log(0.8)]
    np.testing.assert_allclose(F.binary_cross_entropy(p, y, reduction="none").data, expected)
    assert F.binary_cross_entropy(p, y).item() == pytest.approx(sum(expected) / 2)


def test_bce_with_logits_by_hand():
    x, y = np.array([2.0, -1.0, 0.0]), np.array([1.0, 1.0, 0.0])
    expected = [-math.log(sigmoid(2.0)), -math.log(sigmoid(-1.0)), math.log(2.0)]
    np.testing.assert_allclose(
        F.binary_cross_entropy_with_logits(x, y, reduction="none").data, expected, rtol=1e-12
    )


def test_cross_entropy_by_hand():
    z = np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]])
    y = np.array([2, 0])
    first = -(3.0 - math.log(math.exp(1) + math.exp(2) + math.exp(3)))
    expected = [first, math.log(3.0)]
    np.testing.assert_allclose(F.cross_entropy(z, y, reduction="none").data, expected)
    assert F.cross_entropy(z, y).item() == pytest.approx(sum(expected) / 2)
    assert F.cross_entropy(z, y, reduction="sum").item() == pytest.approx(sum(expected))
    assert F.cross_entropy(z[0], 2).item() == pytest.approx(first)  # one example, no batch


def test_hinge_by_hand():
    s, y = np.array([2.0, 0.5, -0.5, 0.3]), np.array([1, 1, 1, -1])
    expected = [0.0, 0.5, 1.5, 1.3]
    np.testing.assert_allclose(F.hinge_loss(s, y, reduction="none").data, expected)
    assert F.hinge_loss(s, y).item() == pytest.approx(sum(expected) / 4)
    np.testing.assert_allclose(
        F.hinge_loss(s, y, margin=0.0, reduction="none").data, [0, 0, 0.5, 0.3]
    )


def test_nll_by_hand_and_equals_cross_entropy():
    lp = np.log(np.array([[0.2, 0.8], [0.6, 0.4]]))
    y = np.array([1, 1])
    assert F.nll_loss(lp, y).item() == pytest.approx(-(math.log(0.8) + math.log(0.4)) / 2)
    z = rng().standard_normal((6, 4))
    labels = rng(1).integers(0, 4, 6)
    assert F.nll_loss(F.log_softmax(z), labels).item() == pytest.approx(
        F.cross_entropy(z, labels).item()
    )


# ------------------------------------------------------------------ targets and options
def test_cross_entropy_probability_targets_equal_labels_for_one_hot():
    z = rng(2).standard_normal((5, 3))
    y = np.array([0, 2, 1, 1, 0])
    one_hot = np.eye(3)[y]
    assert F.cross_entropy(z, one_hot).item() == pytest.approx(F.cross_entropy(z, y).item())
    soft = np.array([0.7, 0.2, 0.1])
    expected = -(soft * (z[0] - np.log(np.exp(z[0]).sum()))).sum()
    assert F.cross_entropy(z[0], soft).item() == pytest.approx(expected)


def test_cross_entropy_label_smoothing():
    z = rng(3).standard_normal((4, 5))
    y = np.array([1, 4, 0, 2])
    eps = 0.1
    smoothed = (1 - eps) * np.eye(5)[y] + eps / 5
    expected = F.cross_entropy(z, smoothed).item()
    assert F.cross_entropy(z, y, label_smoothing=eps).item() == pytest.approx(expected)
    assert F.cross_entropy(z, np.eye(5)[y], label_smoothing=eps).item() == pytest.approx(expected)


def test_losses_take_lists_of_scalar_values():
    preds = [Value(0.5), Value(-1.0), Value(2.0)]
    loss = F.mse_loss(preds, [1.0, -1.0, 0.0])
    assert loss.item() == pytest.approx((0.25 + 0 + 4) / 3)
    loss.backward()
    assert preds[2].grad == pytest.approx(2 * 2.0 / 3)
    assert F.hinge_loss(preds, [1, -1, 1]).item() == pytest.approx((0.5 + 0 + 0) / 3)
    rows = [[Value(1.0), Value(2.0)], [Value(0.0), Value(0.0)]]
    assert F.cross_entropy(rows, [1, 0]).item() == pytest.approx(
        (math.log(1 + math.e**-1) + math.log(2)) / 2
    )


def test_scalar_value_inputs():
    x = Value(0.0)
    loss = F.binary_cross_entropy_with_logits(x, 1.0)
    assert loss.item() == pytest.approx(math.log(2))
    loss.backward()
    assert x.grad == pytest.approx(-0.5)


@pytest.mark.parametrize(
    "loss, pred, target",
    [
        (F.mse_loss, np.ones((4, 2)), np.zeros((4, 2))),
        (F.binary_cross_entropy_with_logits, np.ones(4), np.zeros(4)),
        (F.cross_entropy, np.ones((4, 3)), np.array([0, 1, 2, 0])),
    ],
)
def test_float32_stays_float32(loss, pred, target):
    out = loss(Value(pred.astype(np.float32)), target)
    assert out.dtype == np.float32


# ------------------------------------------------------------------ gradients
GRADCHECKS = [
    ("mse", lambda p, t: F.mse_loss(p, t), (4, 3), lambda r: r.standard_normal((4, 3))),
    ("l1", lambda p, t: F.l1_loss(p, t, reduction="sum"), (4, 3),
     lambda r: r.standard_normal((4, 3))),
    ("bce", lambda p, t: F.binary_cross_entropy(p.sigmoid(), t), (6,),
     lambda r: r.uniform(0, 1, 6)),
    ("bce_logits", lambda p, t: F.binary_cross_entropy_with_logits(p, t, reduction="none"), (6,),
     lambda r: r.uniform(0, 1, 6)),
    ("hinge", lambda p, t: F.hinge_loss(p, t), (6,), lambda r: r.choice([-1, 1], 6)),
    ("ce_labels", lambda p, t: F.cross_entropy(p, t), (5, 4), lambda r: r.integers(0, 4, 5)),
    ("ce_probs", lambda p, t: F.cross_entropy(p, t, label_smoothing=0.2), (5, 4),
     lambda r: r.dirichlet(np.ones(4), 5)),
    ("nll", lambda p, t: F.nll_loss(p.log_softmax(), t, reduction="sum"), (5, 4),
     lambda r: r.integers(0, 4, 5)),
]  # fmt: skip


@pytest.mark.parametrize(
    "name, loss, shape, make_target", GRADCHECKS, ids=[g[0] for g in GRADCHECKS]
)
def test_loss_gradcheck(name, loss, shape, make_target):
    r = rng(4)
    pred = r.standard_normal(shape)
    pred[np.abs(pred) < 0.05] += 0.2  # away from the kinks of l1 and hinge
    target = make_target(r)
    if name == "hinge":
        pred[np.abs(1 - pred * target) < 0.05] += 0.2
    assert gradcheck(lambda p: loss(p, target), pred)


@pytest.mark.parametrize(
    "name, loss, shape, make_target", GRADCHECKS[:4], ids=[g[0] for g in GRADCHECKS[:4]]
)
def test_regression_loss_gradcheck_in_the_target(name, loss, shape, make_target):
    target = make_target(rng(5))
    pred = rng(6).standard_normal(shape)
    assert gradcheck(lambda t: loss(Value(pred, requires_grad=False), t), target)


def test_cross_entropy_gradient_is_softmax_minus_target():
    z = Value(rng(7).standard_normal((3, 4)))
    y = np.array([3, 0, 1])
    F.cross_entropy(z, y, reduction="sum").backward()
    softmax = np.exp(z.data) / np.exp(z.data).sum(1, keepdims=True)
    np.testing.assert_allclose(z.grad, softmax - np.eye(4)[y], atol=1e-12)


def test_hinge_gradient():
    s = Value(np.array([2.0, 0.5, -1.5, 0.3, -0.5]))  # y·s = 2, 0.5, 1.5, -0.3, 0.5
    F.hinge_loss(s, np.array([1, 1, -1, -1, -1]), reduction="sum").backward()
    np.testing.assert_array_equal(s.grad, [0.0, -1.0, 0.0, 1.0, 1.0])  # −y where y·s < 1


# ------------------------------------------------------------------ stability
def test_bce_with_logits_stable_at_extremes():
    x = Value(np.array([1000.0, -1000.0, 1000.0, -1000.0, 0.0]))
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0])
    loss = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    np.testing.assert_allclose(loss.data, [0.0, 0.0, 1000.0, 1000.0, math.log(2)])
    loss.sum().backward()
    np.testing.assert_allclose(x.grad, [0.0, 0.0, 1.0, -1.0, -0.5])  # σ(x) − y, exact at 0
    x32 = Value(np.array([1000.0, -1000.0], np.float32))
    out = F.binary_cross_entropy_with_logits(x32, np.array([0.0, 1.0]))
    assert np.isfinite(out.item()) and out.item() == pytest.approx(1000.0)


def test_cross_entropy_stable_at_extremes():
    z = Value(np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -1000.0]]))
    loss = F.cross_entropy(z, np.array([1, 2]), reduction="none")
    np.testing.assert_allclose(loss.data, [2000.0, math.log(3)])
    loss.sum().backward()
    assert np.all(np.isfinite(z.grad))
    np.testing.assert_allclose(z.grad[0], [1.0, -1.0, 0.0])


def test_binary_cross_entropy_saturated_probability_is_finite():
    p = Value(np.array([1.0, 0.0], np.float32))
    loss = F.binary_cross_entropy(p, np.array([0.0, 1.0]))
    assert np.isfinite(loss.item()) and loss.item() > 10
    loss.backward()
    assert np.all(np.isfinite(p.grad))


# ------------------------------------------------------------------ errors
def test_reduction_must_be_known():
    with pytest.raises(ValueError, match="reduction must be"):
        F.mse_loss(np.ones(2), np.ones(2), reduction="avg")


def test_shape_mismatch_is_refused_not_broadcast():
    with pytest.raises(ValueError, match=r"prediction shape \(4, 1\) and target shape \(4,\)"):
        F.mse_loss(np.ones((4, 1)), np.ones(4))


def test_hinge_rejects_zero_one_labels_with_a_hint():
    with pytest.raises(ValueError, match="2 \\* y - 1"):
        F.hinge_loss(np.ones(3), np.array([0, 1, 1]))


def test_bce_rejects_values_outside_zero_one():
    with pytest.raises(ValueError, match="with_logits"):
        F.binary_cross_entropy(np.array([1.5, 0.5]), np.array([1.0, 0.0]))
    with pytest.raises(ValueError, match="target must lie in"):
        F.binary_cross_entropy_with_logits(np.zeros(2), np.array([2.0, 0.0]))


def test_cross_entropy_label_errors():
    z = np.zeros((3, 4))
    with pytest.raises(ValueError, match="0..3"):
        F.cross_entropy(z, np.array([0, 4, 1]))
    with pytest.raises(ValueError, match="shape"):
        F.cross_entropy(z, np.array([0, 1]))
    with pytest.raises(ValueError, match="probability targets"):
        F.cross_entropy(z, np.ones((3, 3)) / 3)
    with pytest.raises(TypeError, match="integer class labels"):
        F.nll_loss(z, np.zeros(3))
    with pytest.raises(ValueError, match="class axis"):
        F.cross_entropy(Value(1.0), 0)
