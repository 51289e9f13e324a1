"""Cross-checks against PyTorch: 25-step trajectories of every optimizer and option, and the
learning-rate schedules. Skipped when torch is not installed."""

from __future__ import annotations

import math

import numpy as np
import pytest

import optim
from autograd import Value

torch = pytest.importorskip("torch")

STEPS = 25

# (our class, torch class name, options); each entry is run with the same options on both sides.
CASES = {
    "sgd": ("SGD", dict(lr=0.05)),
    "sgd-momentum": ("SGD", dict(lr=0.05, momentum=0.9)),
    "sgd-dampening": ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3)),
    "sgd-nesterov": ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    "sgd-weight-decay": ("SGD", dict(lr=0.05, momentum=0.5, weight_decay=0.1)),
    "sgd-all": ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.05)),
    "adam": ("Adam", dict()),
    "adam-lr": ("Adam", dict(lr=0.05, betas=(0.8, 0.95), eps=1e-6)),
    "adam-weight-decay": ("Adam", dict(lr=0.05, weight_decay=0.1)),
    "adam-amsgrad": ("Adam", dict(lr=0.05, amsgrad=True)),
    "adam-all": ("Adam", dict(lr=0.05, betas=(0.5, 0.9), weight_decay=0.1, amsgrad=True)),
    "adamw": ("AdamW", dict()),
    "adamw-lr": ("AdamW", dict(lr=0.05, weight_decay=0.1)),
    "adamw-amsgrad": ("AdamW", dict(lr=0.05, weight_decay=0.3, amsgrad=True)),
    "adagrad": ("Adagrad", dict()),
    "adagrad-lr-decay": ("Adagrad", dict(lr=0.1, lr_decay=0.05)),
    "adagrad-all": (
        "Adagrad",
        dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.5, eps=1e-6),
    ),
    "rmsprop": ("RMSprop", dict()),
    "rmsprop-alpha": ("RMSprop", dict(lr=0.005, alpha=0.9, eps=1e-6)),
    "rmsprop-momentum": ("RMSprop", dict(lr=0.005, momentum=0.9)),
    "rmsprop-centered": ("RMSprop", dict(lr=0.005, centered=True)),
    "rmsprop-weight-decay": ("RMSprop", dict(lr=0.005, weight_decay=0.1)),
    "rmsprop-all": ("RMSprop", dict(lr=0.005, momentum=0.5, centered=True, weight_decay=0.1)),
    # maximize=True on every optimizer (issue 16): the rule runs on -grad, as in torch.optim
    "sgd-maximize": ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, maximize=True)),
    "sgd-maximize-decay": ("SGD", dict(lr=0.05, weight_decay=0.1, maximize=True)),
    "adam-maximize": ("Adam", dict(lr=0.05, weight_decay=0.1, maximize=True)),
    "adam-maximize-amsgrad": ("Adam", dict(lr=0.05, amsgrad=True, maximize=True)),
    "adamw-maximize": ("AdamW", dict(lr=0.05, weight_decay=0.1, maximize=True)),
    "adagrad-maximize": ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, maximize=True)),
    "rmsprop-maximize": (
        "RMSprop",
        dict(lr=0.005, momentum=0.5, centered=True, weight_decay=0.1, maximize=True),
    ),
}


def gradient(x: np.ndarray, t: int) -> np.ndarray:
    """The gradient of a smooth non-convex function that also changes with the step t."""
    return np.sin(3.0 * x + 0.1 * t) + 0.5 * x


def initial_arrays(dtype):
    rng = np.random.default_rng(0)
    return [rng.standard_normal((4, 3)).astype(dtype), rng.standard_normal(5).astype(dtype)]


def trajectories(name, options, dtype, groups=False):
    """Run our optimizer and torch's side by side; return both lists of per-step arrays."""
    ours = [Value(a.copy()) for a in initial_arrays(dtype)]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in initial_arrays(dtype)]
    if groups:  # two parameter groups: the second with half the lr and no weight decay
        second = dict(lr=options.get("lr", 1e-3) / 2, weight_decay=0.0)
        our_params = [{"params": ours[:1]}, {"params": ours[1:], **second}]
        their_params = [{"params": theirs[:1]}, {"params": theirs[1:], **second}]
    else:
        our_params, their_params = ours, theirs
    opt = getattr(optim, name)(our_params, **options)
    topt = getattr(torch.optim, name)(their_params, **options)
    got, want = [], []
    for t in range(STEPS):
        for p in ours:
            p.grad = gradient(p.data, t).astype(dtype)
        for p in theirs:
            p.grad = torch.from_numpy(gradient(p.detach().numpy(), t).astype(dtype))
        opt.step()
        topt.step()
        got.append(np.concatenate([p.data.ravel() for p in ours]))
        want.append(np.concatenate([p.detach().numpy().ravel() for p in theirs]))
    return np.array(got), np.array(want)


@pytest.mark.parametrize(("name", "options"), CASES.values(), ids=CASES.keys())
def test_trajectory_matches_torch_float64(name, options):
    got, want = trajectories(name, options, np.float64)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(("name", "options"), CASES.values(), ids=CASES.keys())
def test_trajectory_matches_torch_float32(name, options):
    got, want = trajectories(name, options, np.float32)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize(
    "case", ["sgd-all", "adam-all", "adamw-amsgrad", "adagrad-all", "rmsprop-all"]
)
def test_parameter_groups_match_torch(case):
    name, options = CASES[case]
    got, want = trajectories(name, options, np.float64, groups=True)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def test_scalar_value_matches_torch_scalar_tensor():
    """A scalar Value (Python float data) against a 0-d tensor, through a few optimizers."""
    for name, options in (CASES["sgd-all"], CASES["adam-all"], CASES["rmsprop-all"]):
        ours, theirs = Value(0.3), torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
        opt = getattr(optim, name)([ours], **options)
        topt = getattr(torch.optim, name)([theirs], **options)
        for t in range(STEPS):
            ours.grad = float(gradient(np.array(ours.data), t))
            theirs.grad = torch.tensor(gradient(theirs.detach().numpy(), t))
            opt.step()
            topt.step()
            assert ours.data == pytest.approx(theirs.item(), rel=1e-10, abs=1e-12)


def test_state_matches_torch_after_steps():
    """Step counts and moment buffers carry the same names and values as torch's."""
    ours = Value(np.array([0.5, -1.0, 2.0]))
    theirs = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64, requires_grad=True)
    opt = optim.Adam([ours], lr=0.1, amsgrad=True)
    topt = torch.optim.Adam([theirs], lr=0.1, amsgrad=True)
    for t in range(5):
        ours.grad = gradient(ours.data, t)
        theirs.grad = torch.from_numpy(gradient(theirs.detach().numpy(), t))
        opt.step()
        topt.step()
    state, tstate = opt.state_dict()["state"][0], topt.state_dict()["state"][0]
    assert set(state) == set(tstate)
    assert state["step"] == int(tstate["step"])
    for key in ("exp_avg", "exp_avg_sq", "max_exp_avg_sq"):
        np.testing.assert_allclose(state[key], tstate[key].numpy(), rtol=1e-12)


# --- learning-rate schedules ---------------------------------------------------------------------

EPOCHS = 40


def lr_sequences(make_ours, make_theirs, groups=(0.1, 0.03), metrics=None):
    our_opt = optim.SGD([{"params": [Value(np.zeros(1))], "lr": lr} for lr in groups], lr=1.0)
    their_opt = torch.optim.SGD(
        [{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in groups], lr=1.0
    )
    ours, theirs = make_ours(our_opt), make_theirs(their_opt)
    got = [ours.get_last_lr()]
    want = [theirs.get_last_lr()]
    for epoch in range(EPOCHS):
        their_opt.step()  # keeps torch from warning that the scheduler stepped first
        if metrics is None:
            ours.step()
            theirs.step()
        else:
            ours.step(metrics[epoch])
            theirs.step(metrics[epoch])
        got.append(ours.get_last_lr())
        want.append(theirs.get_last_lr())
        assert [g["lr"] for g in our_opt.param_groups] == got[-1]
    return np.array(got), np.array(want)


scheduler = torch.optim.lr_scheduler
SCHEDULES = {
    "step": (lambda o: optim.StepLR(o, 7, 0.5), lambda o: scheduler.StepLR(o, 7, 0.5)),
    "step-default-gamma": (lambda o: optim.StepLR(o, 3), lambda o: scheduler.StepLR(o, 3)),
    "exponential": (
        lambda o: optim.ExponentialLR(o, 0.9),
        lambda o: scheduler.ExponentialLR(o, 0.9),
    ),
    "cosine": (
        lambda o: optim.CosineAnnealingLR(o, 10),
        lambda o: scheduler.CosineAnnealingLR(o, 10),
    ),
    "cosine-eta-min": (
        lambda o: optim.CosineAnnealingLR(o, T_max=15, eta_min=0.01),
        lambda o: scheduler.CosineAnnealingLR(o, T_max=15, eta_min=0.01),
    ),
    "lambda": (
        lambda o: optim.LambdaLR(o, lambda t: 0.95**t + 0.5),
        lambda o: scheduler.LambdaLR(o, lambda t: 0.95**t + 0.5),
    ),
    "lambda-per-group": (
        # (a factor must be >= 0: a negative lr is refused, see test_lr_scheduler.py)
        lambda o: optim.LambdaLR(o, [lambda t: 1 / (t + 1), lambda t: 0.5 + 0.5 * math.cos(t)]),
        lambda o: scheduler.LambdaLR(o, [lambda t: 1 / (t + 1), lambda t: 0.5 + 0.5 * math.cos(t)]),
    ),
    "inverse-time": (
        lambda o: optim.InverseTimeLR(o, decay=0.3),
        lambda o: scheduler.LambdaLR(o, lambda t: 1 / (1 + 0.3 * t)),
    ),
}


@pytest.mark.parametrize(("ours", "theirs"), SCHEDULES.values(), ids=SCHEDULES.keys())
def test_schedule_matches_torch(ours, theirs):
    got, want = lr_sequences(ours, theirs)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


# A metric that improves, stalls, wobbles within the threshold, improves, and stalls again.
METRICS = (
    [1.0, 0.9, 0.8, 0.8, 0.8, 0.8, 0.79999, 0.8, 0.7, 0.7, 0.7]
    + [0.6 - 0.001 * i for i in range(6)]
    + [0.6] * 23
)
PLATEAU_OPTIONS = {
    "default": dict(patience=2),
    "patience-0": dict(patience=0),
    "cooldown": dict(patience=1, cooldown=3),
    "abs": dict(patience=2, threshold=0.05, threshold_mode="abs"),
    "rel-big": dict(patience=1, threshold=0.05),
    "min-lr": dict(patience=1, factor=0.5, min_lr=0.02),
    "min-lr-per-group": dict(patience=1, factor=0.5, min_lr=[0.05, 0.001]),
    "eps": dict(patience=0, factor=0.5, eps=0.01),
}


@pytest.mark.parametrize("options", PLATEAU_OPTIONS.values(), ids=PLATEAU_OPTIONS.keys())
@pytest.mark.parametrize("mode", ["min", "max"])
def test_reduce_on_plateau_matches_torch(options, mode):
    metrics = METRICS if mode == "min" else [2.0 - m for m in METRICS]  # e.g. an accuracy
    got, want = lr_sequences(
        lambda o: optim.ReduceLROnPlateau(o, mode=mode, **options),
        lambda o: scheduler.ReduceLROnPlateau(o, mode=mode, **options),
        metrics=metrics,
    )
    np.testing.assert_array_equal(got, want)


def test_every_torch_optimizer_we_mirror_has_maximize():
    """Each optimizer takes maximize=, as its torch.optim counterpart does."""
    import inspect

    for name in ("SGD", "Adam", "AdamW", "Adagrad", "RMSprop"):
        assert "maximize" in inspect.signature(getattr(torch.optim, name)).parameters
        assert "maximize" in inspect.signature(getattr(optim, name)).parameters
        assert any(key.endswith("maximize") for key in CASES if CASES[key][0] == name)
