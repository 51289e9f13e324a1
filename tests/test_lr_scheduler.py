"""Tests for the learning-rate schedules: closed forms, the plateau rule, state dicts, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import optim
from autograd import Value


def make_optimizer(*lrs: float) -> optim.Optimizer:
    """An SGD optimizer with one parameter group per learning rate."""
    groups = [{"params": [Value(np.zeros(2))], "lr": lr} for lr in lrs]
    return optim.SGD(groups, lr=1.0, momentum=0.9)


def lrs_over(scheduler: optim.LRScheduler, epochs: int) -> list[list[float]]:
    """The lrs at epochs 0..epochs, checking that the optimizer's groups agree."""
    history = [scheduler.get_last_lr()]
    for _ in range(epochs):
        scheduler.step()
        history.append(scheduler.get_last_lr())
        assert [g["lr"] for g in scheduler.optimizer.param_groups] == history[-1]
    return history


CLOSED_FORMS = {
    "step": (
        lambda opt: optim.StepLR(opt, step_size=3, gamma=0.5),
        lambda lr0, t: lr0 * 0.5 ** (t // 3),
    ),
    "exponential": (
        lambda opt: optim.ExponentialLR(opt, gamma=0.9),
        lambda lr0, t: lr0 * 0.9**t,
    ),
    "inverse-time": (
        lambda opt: optim.InverseTimeLR(opt, decay=0.5),
        lambda lr0, t: lr0 / (1 + 0.5 * t),
    ),
    "cosine": (
        lambda opt: optim.CosineAnnealingLR(opt, T_max=10, eta_min=0.001),
        lambda lr0, t: 0.001 + (lr0 - 0.001) * (1 + math.cos(math.pi * t / 10)) / 2,
    ),
    "lambda": (
        lambda opt: optim.LambdaLR(opt, lambda t: 1.0 / (t + 2)),
        lambda lr0, t: lr0 / (t + 2),
    ),
}


@pytest.mark.parametrize(("make", "closed_form"), CLOSED_FORMS.values(), ids=CLOSED_FORMS.keys())
def test_schedule_follows_closed_form_for_every_group(make, closed_form):
    scheduler = make(make_optimizer(0.1, 0.02))
    history = lrs_over(scheduler, 25)
    for t, lrs in enumerate(history):
        assert lrs == pytest.approx([closed_form(0.1, t), closed_form(0.02, t)], rel=1e-14)
    assert scheduler.last_epoch == 25


def test_step_lr_changes_at_multiples_of_step_size():
    history = lrs_over(optim.StepLR(make_optimizer(1.0), step_size=2), 5)
    assert [lrs[0] for lrs in history] == pytest.approx([1, 1, 0.1, 0.1, 0.01, 0.01])


def test_cosine_reaches_eta_min_at_t_max_and_halfway_at_half():
    opt = make_optimizer(0.1)
    history = lrs_over(optim.CosineAnnealingLR(opt, T_max=8, eta_min=0.02), 8)
    assert history[4][0] == pytest.approx((0.1 + 0.02) / 2)
    assert history[8][0] == pytest.approx(0.02)
    assert opt.lr == pytest.approx(0.02)


def test_lambda_lr_applies_epoch_zero_factor_and_per_group_functions():
    opt = make_optimizer(0.1, 1.0)
    scheduler = optim.LambdaLR(opt, [lambda t: 0.5, lambda t: t + 1])
    assert opt.param_groups[0]["lr"] == 0.05 and opt.param_groups[1]["lr"] == 1.0
    scheduler.step()
    assert scheduler.get_last_lr() == [0.05, 2.0]


def test_scheduler_drives_optimizer_steps():
    p = Value(np.array([1.0]))
    opt = optim.SGD([p], lr=0.1)
    scheduler = optim.ExponentialLR(opt, gamma=0.5)
    for _ in range(3):
        p.grad = np.array([1.0])
        opt.step()
        scheduler.step()
    assert p.data[0] == pytest.approx(1.0 - 0.1 - 0.05 - 0.025)
    assert opt.lr == pytest.approx(0.0125)


def test_closed_form_overwrites_a_hand_set_lr_but_base_lrs_can_be_changed():
    opt = make_optimizer(0.1)
    scheduler = optim.ExponentialLR(opt, gamma=0.5)
    opt.lr = 7.0
    scheduler.step()
    assert opt.lr == pytest.approx(0.05)
    scheduler.base_lrs = [1.0]
    scheduler.step()
    assert opt.lr == pytest.approx(0.25)


# --- ReduceLROnPlateau -------------------------------------------------------------------------


def plateau_lrs(metrics, **options):
    opt = make_optimizer(1.0)
    scheduler = optim.ReduceLROnPlateau(opt, **options)
    lrs = []
    for metric in metrics:
        scheduler.step(metric)
        lrs.append(opt.lr)
        assert scheduler.get_last_lr() == [opt.lr]
    return lrs


def test_plateau_waits_patience_epochs_then_cuts():
    # best 1.0 at epoch 1; epochs 2, 3 are bad (within patience 2); epoch 4 is the third → cut
    lrs = plateau_lrs([1.0, 1.0, 1.0, 1.0, 1.0], patience=2)
    assert lrs == pytest.approx([1.0, 1.0, 1.0, 0.1, 0.1])


def test_plateau_improvement_resets_the_count():
    lrs = plateau_lrs([1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5], patience=2)
    assert lrs == pytest.approx([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.1])


def test_plateau_relative_and_absolute_thresholds():
    # 0.995 is not 1% below 1.0 (rel) but is more than 0.001 below it (abs)
    assert plateau_lrs([1.0, 0.995], patience=0, threshold=0.01)[-1] == pytest.approx(0.1)
    abs_lrs = plateau_lrs([1.0, 0.995], patience=0, threshold=0.001, threshold_mode="abs")
    assert abs_lrs[-1] == 1.0


def test_plateau_max_mode():
    lrs = plateau_lrs([0.5, 0.6, 0.6, 0.7], mode="max", patience=0, factor=0.5)
    assert lrs == pytest.approx([1.0, 1.0, 0.5, 0.5])


def test_plateau_cooldown_ignores_bad_epochs():
    lrs = plateau_lrs([1.0] * 7, patience=0, cooldown=2)
    # cut at epoch 2; epochs 3, 4 in cooldown; cut again at epoch 5
    assert lrs == pytest.approx([1.0, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01])


def test_plateau_min_lr_and_eps():
    assert plateau_lrs([1.0] * 6, patience=0, factor=0.5, min_lr=0.2)[-1] == 0.2
    # the cut 1.0 → 0.5 is bigger than eps, the cut 0.5 → 0.25 is not: it is skipped
    assert plateau_lrs([1.0] * 4, patience=0, factor=0.5, eps=0.3) == [1.0, 0.5, 0.5, 0.5]


def test_plateau_min_lr_per_group():
    opt = make_optimizer(1.0, 1.0)
    scheduler = optim.ReduceLROnPlateau(opt, patience=0, min_lr=[0.5, 0.0])
    for metric in (1.0, 1.0, 1.0):
        scheduler.step(metric)
    assert scheduler.get_last_lr() == pytest.approx([0.5, 0.01])


def test_plateau_accepts_value_and_numpy_metrics():
    opt = make_optimizer(1.0)
    scheduler = optim.ReduceLROnPlateau(opt, patience=0)
    scheduler.step(Value(np.array(2.0)))
    scheduler.step(np.float32(2.0))
    assert scheduler.best == 2.0 and opt.lr == pytest.approx(0.1)
    with pytest.raises(TypeError, match="monitored metric as a number"):
        scheduler.step("2.0")


# --- state dicts -------------------------------------------------------------------------------

RESUMABLE = {
    "step": lambda opt: optim.StepLR(opt, step_size=3, gamma=0.5),
    "exponential": lambda opt: optim.ExponentialLR(opt, gamma=0.9),
    "inverse-time": lambda opt: optim.InverseTimeLR(opt, decay=0.5),
    "cosine": lambda opt: optim.CosineAnnealingLR(opt, T_max=10),
    "lambda": lambda opt: optim.LambdaLR(opt, lambda t: 0.9**t),
}


@pytest.mark.parametrize("make", RESUMABLE.values(), ids=RESUMABLE.keys())
def test_state_dict_round_trip_resumes_schedule(make):
    opt = make_optimizer(0.1, 0.02)
    scheduler = make(opt)
    lrs_over(scheduler, 5)
    saved_opt, saved = opt.state_dict(), scheduler.state_dict()
    expected = lrs_over(scheduler, 6)

    opt2 = make_optimizer(0.1, 0.02)
    scheduler2 = make(opt2)
    opt2.load_state_dict(saved_opt)
    scheduler2.load_state_dict(saved)
    assert scheduler2.last_epoch == 5
    assert lrs_over(scheduler2, 6) == expected


def test_plateau_state_dict_round_trip():
    opt = make_optimizer(1.0)
    scheduler = optim.ReduceLROnPlateau(opt, patience=2, cooldown=1)
    metrics = [1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8]
    for metric in metrics[:5]:
        scheduler.step(metric)
    saved_opt, saved = opt.state_dict(), scheduler.state_dict()
    assert saved["best"] == 0.9 and saved["num_bad_epochs"] == 0 and saved["cooldown_counter"] == 1
    for metric in metrics[5:]:
        scheduler.step(metric)

    opt2 = make_optimizer(1.0)
    scheduler2 = optim.ReduceLROnPlateau(opt2)  # options come back from the state dict
    opt2.load_state_dict(saved_opt)
    scheduler2.load_state_dict(saved)
    for metric in metrics[5:]:
        scheduler2.step(metric)
    assert scheduler2.get_last_lr() == scheduler.get_last_lr()
    assert scheduler2.state_dict() == scheduler.state_dict()


def test_load_state_dict_errors():
    opt = make_optimizer(0.1, 0.02)
    scheduler = optim.StepLR(opt, step_size=3)
    with pytest.raises(ValueError, match="different scheduler"):
        scheduler.load_state_dict(optim.ExponentialLR(make_optimizer(0.1, 0.02), 0.9).state_dict())
    with pytest.raises(ValueError, match=r"one lr per parameter group \(2\)"):
        scheduler.load_state_dict(optim.StepLR(make_optimizer(0.1), step_size=3).state_dict())
    bad = scheduler.state_dict()
    bad["last_epoch"] = -1
    with pytest.raises(ValueError, match="last_epoch"):
        scheduler.load_state_dict(bad)
    assert scheduler.last_epoch == 0


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda opt: optim.StepLR([], step_size=2), TypeError, "needs an optim.Optimizer"),
        (lambda opt: optim.StepLR(opt, step_size=0), ValueError, "invalid step_size=0"),
        (lambda opt: optim.StepLR(opt, step_size=2.5), TypeError, "step_size must be an int"),
        (lambda opt: optim.StepLR(opt, 2, gamma=-0.1), ValueError, "invalid gamma"),
        (lambda opt: optim.ExponentialLR(opt, gamma="0.9"), TypeError, "gamma must be a number"),
        (lambda opt: optim.InverseTimeLR(opt, decay=-1.0), ValueError, "invalid decay"),
        (lambda opt: optim.CosineAnnealingLR(opt, T_max=0), ValueError, "invalid T_max"),
        (lambda opt: optim.LambdaLR(opt, 0.5), TypeError, "lr_lambda must be a function"),
        (lambda opt: optim.LambdaLR(opt, [abs]), ValueError, "expected 2 lr_lambdas"),
        (lambda opt: optim.ReduceLROnPlateau(opt, mode="low"), ValueError, "mode must be"),
        (
            lambda opt: optim.ReduceLROnPlateau(opt, threshold_mode="pct"),
            ValueError,
            "threshold_mode",
        ),
        (lambda opt: optim.ReduceLROnPlateau(opt, factor=1.0), ValueError, "invalid factor"),
        (lambda opt: optim.ReduceLROnPlateau(opt, patience=-1), ValueError, "invalid patience"),
        (lambda opt: optim.ReduceLROnPlateau(opt, min_lr=[0.1]), ValueError, "2 min_lr values"),
    ],
)
def test_bad_arguments(make, error, message):
    with pytest.raises(error, match=message):
        make(make_optimizer(0.1, 0.02))


# --- schedules cannot set what the optimizer refuses; one step signature ----------------------


def test_lambda_lr_cannot_set_a_negative_lr():
    """A negative factor used to set a negative lr silently (issue 13); now it raises and
    changes nothing."""
    opt = make_optimizer(0.1, 0.02)
    scheduler = optim.LambdaLR(opt, lambda t: 1.0 - 0.5 * t)  # 1, 0.5, 0, -0.5
    scheduler.step()
    scheduler.step()
    assert [g["lr"] for g in opt.param_groups] == [0.0, 0.0]
    with pytest.raises(ValueError, match=r"LambdaLR: .*lr=-0.05 at epoch 3.*SGD refuses"):
        scheduler.step()
    assert [g["lr"] for g in opt.param_groups] == [0.0, 0.0]
    assert scheduler.last_epoch == 2 and scheduler.get_last_lr() == [0.0, 0.0]
    with pytest.raises(ValueError, match="factor >= 0"):
        optim.LambdaLR(make_optimizer(0.1), lambda t: -1.0)
    with pytest.raises(ValueError, match="invalid lr=nan"):
        optim.LambdaLR(make_optimizer(0.1), lambda t: math.nan)


def test_every_scheduler_has_one_step_signature():
    import inspect

    base = inspect.signature(optim.LRScheduler.step)
    assert inspect.signature(optim.ReduceLROnPlateau.step) == base
    assert not optim.StepLR.needs_metric and optim.ReduceLROnPlateau.needs_metric
    with pytest.raises(TypeError, match="takes no metric"):
        optim.StepLR(make_optimizer(0.1), step_size=2).step(0.5)
    with pytest.raises(TypeError, match=r"needs the monitored metric"):
        optim.ReduceLROnPlateau(make_optimizer(0.1)).step()
