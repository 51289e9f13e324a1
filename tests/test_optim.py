"""Tests for the optimizers: hand-computed steps, convergence, state dicts and errors."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

import optim
from autograd import Value


def param(*values: float, dtype=np.float64) -> Value:
    return Value(np.array(values, dtype=dtype))


def run(opt: optim.Optimizer, p: Value, grads: list[float]) -> list[float]:
    """Step a one-element parameter through the given gradients; return its values."""
    values = []
    for g in grads:
        p.grad = np.array([g], dtype=p.data.dtype)
        opt.step()
        values.append(float(p.data[0]))
    return values


# --- first steps against hand-computed values ------------------------------------------------


def test_sgd_plain_step():
    p = param(1.0, 2.0)
    p.grad = np.array([0.5, -1.0])
    optim.SGD([p], lr=0.1).step()
    np.testing.assert_allclose(p.data, [0.95, 2.1], rtol=0, atol=1e-15)


def test_sgd_momentum_steps():
    # b1 = g = 1, θ1 = 1 - 0.1 = 0.9; b2 = 0.9 + 1 = 1.9, θ2 = 0.71; b3 = 2.71, θ3 = 0.439
    p = param(1.0)
    values = run(optim.SGD([p], lr=0.1, momentum=0.9), p, [1.0, 1.0, 1.0])
    assert values == pytest.approx([0.9, 0.71, 0.439], abs=1e-14)


def test_sgd_nesterov_steps():
    # b1 = 1, step 1 + 0.9·1 = 1.9 → 0.81; b2 = 1.9, step 1 + 0.9·1.9 = 2.71 → 0.539
    p = param(1.0)
    values = run(optim.SGD([p], lr=0.1, momentum=0.9, nesterov=True), p, [1.0, 1.0])
    assert values == pytest.approx([0.81, 0.539], abs=1e-14)


def test_sgd_dampening_skips_first_step():
    # the first buffer is g itself (no dampening); then b2 = 0.9·1 + 0.5·1 = 1.4
    p = param(1.0)
    values = run(optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.5), p, [1.0, 1.0])
    assert values == pytest.approx([0.9, 0.76], abs=1e-14)


def test_sgd_weight_decay_is_l2():
    # g' = g + λθ = 1 + 0.1·2 = 1.2 → θ = 2 - 0.1·1.2
    p = param(2.0)
    assert run(optim.SGD([p], lr=0.1, weight_decay=0.1), p, [1.0]) == pytest.approx([1.88])


def test_adam_two_steps():
    lr, eps = 0.1, 1e-8
    p = param(1.0)
    values = run(optim.Adam([p], lr=lr), p, [1.0, -2.0])
    # step 1: m = 0.1, v = 0.001, bias-corrected m̂ = 1, v̂ = 1
    theta1 = 1.0 - lr * 1.0 / (1.0 + eps)
    # step 2: m = 0.09 - 0.2 = -0.11, v = 0.000999 + 0.004 = 0.004999
    m_hat = -0.11 / (1 - 0.9**2)
    v_hat = 0.004999 / (1 - 0.999**2)
    theta2 = theta1 - lr * m_hat / (math.sqrt(v_hat) + eps)
    assert values == pytest.approx([theta1, theta2], rel=1e-12)


def test_adam_amsgrad_keeps_max_second_moment():
    lr, eps = 0.1, 1e-8
    p = param(0.0)
    opt = optim.Adam([p], lr=lr, amsgrad=True)
    values = run(opt, p, [10.0, 0.0])
    # step 2: m = 0.9, v = 0.0999·... shrinks, but v̂ = max(v1, v2) = v1 = 0.1
    m_hat = 0.9 / (1 - 0.9**2)
    v_max_hat = 0.1 / math.sqrt(1 - 0.999**2)
    theta2 = values[0] - lr * m_hat / (math.sqrt(0.1) / math.sqrt(1 - 0.999**2) + eps)
    assert v_max_hat > 0
    assert values[1] == pytest.approx(theta2, rel=1e-12)
    state = opt.state[p]
    assert state["max_exp_avg_sq"][0] == pytest.approx(0.1)
    assert state["exp_avg_sq"][0] == pytest.approx(0.0999)


def test_adam_l2_versus_adamw_decoupled_decay():
    # With a zero gradient, Adam's L2 term λθ is the whole gradient and gets normalised to a
    # full step of size lr; AdamW shrinks θ by (1 - lr·λ) and takes no Adam step at all.
    a, w = param(2.0), param(2.0)
    run(optim.Adam([a], lr=0.1, weight_decay=0.01), a, [0.0])
    run(optim.AdamW([w], lr=0.1, weight_decay=0.01), w, [0.0])
    assert a.data[0] == pytest.approx(2.0 - 0.1, rel=1e-6)
    assert w.data[0] == pytest.approx(2.0 * (1 - 0.1 * 0.01), rel=1e-15)


def test_adamw_defaults_and_shared_code():
    w = param(1.0)
    opt = optim.AdamW([w])
    assert opt.defaults == dict(
        lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, maximize=False
    )
    assert issubclass(optim.AdamW, optim.Adam)
    assert optim.AdamW._update is optim.Adam._update


def test_adagrad_steps():
    p = param(1.0)
    values = run(optim.Adagrad([p], lr=0.1), p, [2.0, 1.0])
    eps = 1e-10
    theta1 = 1.0 - 0.1 * 2.0 / (2.0 + eps)  # s1 = 4
    theta2 = theta1 - 0.1 * 1.0 / (math.sqrt(5.0) + eps)  # s2 = 5
    assert values == pytest.approx([theta1, theta2], rel=1e-14)


def test_adagrad_lr_decay_and_initial_accumulator():
    p = param(1.0)
    opt = optim.Adagrad([p], lr=0.1, lr_decay=0.5, initial_accumulator_value=1.0)
    values = run(opt, p, [2.0, 1.0])
    eps = 1e-10
    theta1 = 1.0 - 0.1 * 2.0 / (math.sqrt(5.0) + eps)  # s1 = 1 + 4
    theta2 = theta1 - 0.1 / 1.5 * 1.0 / (math.sqrt(6.0) + eps)  # γ̃2 = γ / (1 + 1·0.5), s2 = 6
    assert values == pytest.approx([theta1, theta2], rel=1e-14)


def test_rmsprop_plain_and_centered_first_step():
    eps = 1e-8
    p, c = param(1.0), param(1.0)
    run(optim.RMSprop([p], lr=0.01), p, [1.0])
    run(optim.RMSprop([c], lr=0.01, centered=True), c, [1.0])
    # v1 = 0.01 (and ḡ1 = 0.01, so ṽ1 = 0.01 - 0.0001 when centered)
    assert p.data[0] == pytest.approx(1.0 - 0.01 / (0.1 + eps), rel=1e-12)
    assert c.data[0] == pytest.approx(1.0 - 0.01 / (math.sqrt(0.0099) + eps), rel=1e-12)


def test_rmsprop_momentum_two_steps():
    eps = 1e-8
    p = param(1.0)
    values = run(optim.RMSprop([p], lr=0.01, momentum=0.9), p, [1.0, 1.0])
    b1 = 1.0 / (math.sqrt(0.01) + eps)
    b2 = 0.9 * b1 + 1.0 / (math.sqrt(0.99 * 0.01 + 0.01) + eps)
    assert values == pytest.approx([1.0 - 0.01 * b1, 1.0 - 0.01 * b1 - 0.01 * b2], rel=1e-12)


# --- every optimizer, every kind of parameter ------------------------------------------------

ALL = [
    lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
    lambda ps: optim.SGD(ps, lr=0.05, momentum=0.5, dampening=0.3),
    lambda ps: optim.Adam(ps, lr=0.05, weight_decay=0.01, amsgrad=True),
    lambda ps: optim.AdamW(ps, lr=0.05),
    lambda ps: optim.Adagrad(ps, lr=0.1, lr_decay=0.01, weight_decay=0.01),
    lambda ps: optim.RMSprop(ps, lr=0.01, momentum=0.5, centered=True, weight_decay=0.01),
]
IDS = ["sgd-nesterov", "sgd-dampening", "adam-amsgrad", "adamw", "adagrad", "rmsprop-centered"]


@pytest.mark.parametrize("make", ALL, ids=IDS)
def test_float32_stays_float32_and_in_place(make):
    p = Value(np.array([[0.5, -1.0], [2.0, 3.0]], dtype=np.float32))
    array = p.data
    opt = make([p])
    for _ in range(3):
        p.grad = (p.data * 2.0).astype(np.float32)
        opt.step()
    assert p.data is array  # updated in place: references stay valid
    assert p.data.dtype == np.float32
    for value in opt.state[p].values():
        if isinstance(value, np.ndarray):
            assert value.dtype == np.float32


@pytest.mark.parametrize("make", ALL, ids=IDS)
def test_scalar_parameters_match_array_parameter(make):
    """A scalar Value (Python float data) and a 0-d array follow a 1-element array exactly."""
    s, z, a = Value(1.5), Value(np.array(1.5)), Value(np.array([1.5]))
    zero_d = z.data
    opts = [make([s]), make([z]), make([a])]
    for _ in range(5):
        s.grad = 2.0 * s.data - 1.0
        z.grad = 2.0 * z.data - 1.0
        a.grad = 2.0 * a.data - 1.0
        for opt in opts:
            opt.step()
        assert type(s.data) is float
        assert z.data is zero_d and z.data.shape == ()
        assert s.data == a.data[0] and z.data == a.data[0]


def test_parameters_without_grad_are_skipped():
    a, b = param(1.0), param(1.0)
    opt = optim.Adam([a, b], lr=0.1)
    a.grad = np.array([1.0])
    opt.step()
    assert b.data[0] == 1.0 and b not in opt.state
    assert a.data[0] != 1.0 and opt.state[a]["step"] == 1


def test_step_uses_gradient_from_backward_and_leaves_grad_alone():
    w = Value(np.array([1.0, -2.0]))
    loss = (w * w).sum()
    loss.backward()
    grad = w.grad.copy()
    optim.SGD([w], lr=0.1, weight_decay=0.5).step()
    np.testing.assert_array_equal(w.grad, grad)  # the weight-decay term is not written into it
    np.testing.assert_allclose(w.data, [1.0 - 0.1 * 2.5, -2.0 + 0.1 * 5.0])
    assert isinstance(w.data, np.ndarray)


def test_step_accepts_grad_left_as_value_by_create_graph():
    w = Value(np.array([1.0, 2.0]))
    (w * w).sum().backward(create_graph=True)
    optim.SGD([w], lr=0.1).step()
    np.testing.assert_allclose(w.data, [0.8, 1.6])


def test_step_with_closure_returns_loss():
    w = Value(np.array([3.0]))
    opt = optim.SGD([w], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert loss.item() == 9.0
    assert w.data[0] == 1.5


def test_gradient_of_the_wrong_shape_is_an_error():
    w = param(1.0, 2.0)
    w.grad = np.ones((2, 2))
    with pytest.raises(ValueError, match=r"shape \(2,\) has a gradient of shape \(2, 2\)"):
        optim.SGD([w], lr=0.1).step()


def test_zero_grad():
    a, s = param(1.0, 2.0), Value(1.0)
    opt = optim.SGD([a, s], lr=0.1)
    a.grad, s.grad = np.array([1.0, 1.0]), 3.0
    grad = a.grad
    opt.zero_grad(set_to_none=False)
    assert a.grad is grad and not a.grad.any() and s.grad == 0.0
    opt.zero_grad()
    assert a.grad is None and s.grad is None


# --- convergence -----------------------------------------------------------------------------


def quadratic(seed=0, n=5, cond=10.0):
    """f(x) = ½ xᵀAx - bᵀx with A symmetric positive definite; returns A, b, x*."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    a = q @ np.diag(np.linspace(1.0, cond, n)) @ q.T
    b = rng.standard_normal(n)
    return a, b, np.linalg.solve(a, b)


# (optimizer, steps, distance to the minimum it must reach). RMSprop with a constant lr only
# settles into a neighbourhood of the minimum whose size scales with lr: its step g/√v does
# not shrink with the gradient.
CONVEX = {
    "sgd": (lambda ps: optim.SGD(ps, lr=0.1), 300, 1e-6),
    "momentum": (lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9), 300, 1e-6),
    "nesterov": (lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True), 300, 1e-6),
    "adam": (lambda ps: optim.Adam(ps, lr=0.05), 1000, 1e-6),
    "amsgrad": (lambda ps: optim.Adam(ps, lr=0.05, amsgrad=True), 1000, 1e-6),
    "adamw": (lambda ps: optim.AdamW(ps, lr=0.05, weight_decay=0.0), 1000, 1e-6),
    "adagrad": (lambda ps: optim.Adagrad(ps, lr=0.5), 1000, 1e-6),
    "rmsprop": (lambda ps: optim.RMSprop(ps, lr=0.001), 1000, 2e-3),
    "rmsprop-centered": (
        lambda ps: optim.RMSprop(ps, lr=0.005, momentum=0.9, centered=True),
        300,
        1e-6,
    ),
}


@pytest.mark.parametrize(("make", "steps", "tol"), CONVEX.values(), ids=CONVEX.keys())
def test_converges_on_convex_quadratic(make, steps, tol):
    a, b, x_star = quadratic()
    x = Value(np.zeros(5))
    opt = make([x])
    for _ in range(steps):
        x.grad = a @ x.data - b
        opt.step()
    assert np.linalg.norm(x.data - x_star) < tol


ROSENBROCK = [
    lambda ps: optim.SGD(ps, lr=1e-3, momentum=0.9),
    lambda ps: optim.SGD(ps, lr=1e-3, momentum=0.9, nesterov=True),
    lambda ps: optim.Adam(ps, lr=0.02),
    lambda ps: optim.RMSprop(ps, lr=1e-3, momentum=0.9),
]


@pytest.mark.parametrize("make", ROSENBROCK, ids=["momentum", "nesterov", "adam", "rmsprop"])
def test_converges_on_rosenbrock(make):
    """f(x, y) = (1 - x)² + 100 (y - x²)², minimum at (1, 1); scalar Values through backward."""
    x, y = Value(-1.5), Value(2.0)
    opt = make([x, y])
    for _ in range(3000):
        opt.zero_grad()
        loss = (1 - x) ** 2 + 100 * (y - x * x) ** 2
        loss.backward()
        opt.step()
    assert abs(x.data - 1.0) < 1e-3 and abs(y.data - 1.0) < 1e-3


def test_momentum_beats_plain_sgd_on_ill_conditioned_quadratic():
    curvature = np.array([1.0, 100.0])  # condition number 100
    losses = {}
    for momentum in (0.0, 0.9):
        x = Value(np.array([1.0, 1.0]))
        opt = optim.SGD([x], lr=0.01, momentum=momentum)
        for _ in range(200):
            x.grad = curvature * x.data
            opt.step()
        losses[momentum] = 0.5 * float(curvature @ x.data**2)
    assert losses[0.9] < 1e-3 * losses[0.0]


# --- parameter groups and the lr property ---------------------------------------------------


def test_param_groups_have_their_own_options():
    a, b = param(1.0), param(1.0)
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5, "momentum": 0.9}], lr=0.1)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[0]["momentum"] == 0.0 and opt.param_groups[1]["momentum"] == 0.9
    a.grad, b.grad = np.array([1.0]), np.array([1.0])
    opt.step()
    assert a.data[0] == pytest.approx(0.9) and b.data[0] == pytest.approx(0.5)


def test_lr_property_reads_and_writes_every_group():
    a, b = param(1.0), param(1.0)
    opt = optim.Adam([{"params": [a]}, {"params": [b]}], lr=0.01)
    assert opt.lr == 0.01
    opt.lr = 0.2
    assert [g["lr"] for g in opt.param_groups] == [0.2, 0.2] and opt.lr == 0.2
    opt.param_groups[1]["lr"] = 0.3
    with pytest.raises(ValueError, match="different learning rates"):
        _ = opt.lr
    with pytest.raises(ValueError, match="lr"):
        opt.lr = -1.0


def test_lr_set_from_numpy_scalar_keeps_float32():
    p = Value(np.ones(3, np.float32))
    opt = optim.SGD([p], lr=0.1)
    opt.lr = np.float64(0.5)
    assert type(opt.lr) is float
    p.grad = np.ones(3, np.float32)
    opt.step()
    assert p.data.dtype == np.float32 and p.data[0] == np.float32(0.5)


def test_add_param_group():
    a, b = param(1.0), param(1.0)
    opt = optim.Adam([a], lr=0.1)
    opt.add_param_group({"params": [b], "betas": (0.5, 0.6)})
    assert opt.param_groups[1]["betas"] == (0.5, 0.6) and opt.param_groups[1]["lr"] == 0.1
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: optim.SGD(p, lr=-0.1), "invalid lr=-0.1"),
        (lambda p: optim.SGD(p, lr=float("nan")), "invalid lr"),
        (lambda p: optim.Adam(p, lr=-1e-3), "invalid lr"),
        (lambda p: optim.SGD(p, lr=0.1, momentum=-0.5), "invalid momentum"),
        (lambda p: optim.SGD(p, lr=0.1, nesterov=True), "nesterov=True needs momentum > 0"),
        (lambda p: optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "nesterov"),
        (lambda p: optim.Adam(p, betas=(1.0, 0.999)), r"invalid betas\[0\]=1.0"),
        (lambda p: optim.Adam(p, betas=(0.9, -0.1)), r"invalid betas\[1\]"),
        (lambda p: optim.AdamW(p, eps=-1e-8), "invalid eps"),
        (lambda p: optim.Adam(p, weight_decay=-1), "invalid weight_decay"),
        (lambda p: optim.Adagrad(p, lr_decay=-1), "invalid lr_decay"),
        (lambda p: optim.Adagrad(p, initial_accumulator_value=-1), "initial_accumulator_value"),
        (lambda p: optim.RMSprop(p, alpha=1.5), "invalid alpha"),
        (lambda p: optim.RMSprop(p, momentum=-0.1), "invalid momentum"),
        (lambda p: optim.SGD([{"params": p, "lr": -1.0}], lr=0.1), "invalid lr"),
        (lambda p: optim.SGD([{"params": p, "momentun": 0.9}], lr=0.1), "did you mean 'momentum'"),
        (lambda p: optim.Adam([{"params": p, "nesterov": True}]), "unknown option 'nesterov'"),
        (lambda p: optim.SGD([{"lr": 0.1}], lr=0.1), "no 'params' entry"),
        (lambda p: optim.SGD([], lr=0.1), "empty parameter list"),
        (lambda p: optim.SGD(p + p, lr=0.1), "same parameter twice"),
    ],
)
def test_bad_options_raise_value_error(make, message):
    with pytest.raises(ValueError, match=message):
        make([param(1.0)])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: optim.SGD(p), "SGD needs a learning rate"),
        (lambda p: optim.SGD(p, lr="0.1"), "lr must be a number, got str"),
        (lambda p: optim.Adam(p, betas=0.9), "betas must be a pair"),
        (lambda p: optim.Adam(p, amsgrad=1), "amsgrad must be True or False"),
        (lambda p: optim.SGD(p[0], lr=0.1), "got a single Value"),
        (lambda p: optim.SGD({"params": p}, lr=0.1), "got one dict"),
        (lambda p: optim.SGD([p[0], {"params": [param(1.0)]}], lr=0.1), "mixes Values"),
        (lambda p: optim.SGD([("w", p[0])], lr=0.1), "named_parameters"),
        (lambda p: optim.SGD([np.ones(2)], lr=0.1), "parameters must be Values"),
        (
            lambda p: optim.SGD([Value(np.arange(3), requires_grad=False)], lr=0.1),
            "cannot optimize a int64",
        ),
        (lambda p: optim.SGD(5, lr=0.1), "iterable"),
    ],
)
def test_bad_arguments_raise_type_error(make, message):
    with pytest.raises(TypeError, match=message):
        make([param(1.0)])


def test_passing_the_model_itself_is_an_error():
    class Model:
        def parameters(self):
            return [param(1.0)]

    with pytest.raises(TypeError, match=r"pass model.parameters\(\)"):
        optim.Adam(Model())


# --- state dicts -------------------------------------------------------------------------------

STATEFUL = [
    lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
    lambda ps: optim.Adam(ps, lr=0.05, weight_decay=0.01, amsgrad=True),
    lambda ps: optim.AdamW(ps, lr=0.05, betas=(0.8, 0.99)),
    lambda ps: optim.Adagrad(ps, lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1),
    lambda ps: optim.RMSprop(ps, lr=0.01, momentum=0.5, centered=True),
]
STATEFUL_IDS = ["sgd", "adam", "adamw", "adagrad", "rmsprop"]


def make_params():
    rng = np.random.default_rng(1)
    return [
        Value(rng.standard_normal((3, 2)).astype(np.float32)),
        Value(rng.standard_normal(4)),
        Value(0.7),  # a scalar Value: Python float data
        Value(np.array(-0.3, dtype=np.float32)),  # a 0-d array
    ]


def gradients(params, t):
    for i, p in enumerate(params):
        g = np.cos(np.asarray(p.data) * (i + 1) + t) + 0.1 * np.asarray(p.data)
        p.grad = g.astype(p.data.dtype) if isinstance(p.data, np.ndarray) else float(g)


def snapshot(params):
    return [np.array(p.data, copy=True) for p in params]


@pytest.mark.parametrize("make", STATEFUL, ids=STATEFUL_IDS)
def test_state_dict_round_trip_resumes_bit_identically(make):
    params = make_params()
    opt = make([{"params": params[:1]}, {"params": params[1:], "lr": 0.02}])
    for t in range(4):
        gradients(params, t)
        opt.step()
    saved_data = snapshot(params)
    saved = opt.state_dict()
    reference = copy.deepcopy(saved)
    for t in range(4, 8):
        gradients(params, t)
        opt.step()
    expected = snapshot(params)

    # a fresh model and optimizer, restored from the checkpoint
    resumed = make_params()
    for p, data in zip(resumed, saved_data, strict=True):
        p.data = data.copy() if isinstance(p.data, np.ndarray) else float(data)
    opt2 = make([{"params": resumed[:1]}, {"params": resumed[1:], "lr": 0.5}])
    opt2.load_state_dict(saved)
    assert opt2.param_groups[1]["lr"] == 0.02
    for t in range(4, 8):
        gradients(resumed, t)
        opt2.step()
    for got, want in zip(snapshot(resumed), expected, strict=True):
        np.testing.assert_array_equal(got, want)
        assert got.dtype == want.dtype
    # the checkpoint is a copy: neither optimizer's later steps changed it
    assert_state_dicts_equal(saved, reference)


def assert_state_dicts_equal(a, b):
    assert a["param_groups"] == b["param_groups"]
    assert a["state"].keys() == b["state"].keys()
    for index, entry in a["state"].items():
        assert entry.keys() == b["state"][index].keys()
        for key, value in entry.items():
            np.testing.assert_array_equal(value, b["state"][index][key])


def test_state_dict_layout_follows_pytorch():
    a, b, c = param(1.0), param(1.0, 2.0), param(3.0)
    opt = optim.Adam([{"params": [a, b]}, {"params": [c], "lr": 0.5}], lr=0.1)
    b.grad = np.array([1.0, 1.0])
    c.grad = np.array([1.0])
    opt.step()
    sd = opt.state_dict()
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert sd["param_groups"][1] == {
        "lr": 0.5,
        "betas": (0.9, 0.999),
        "eps": 1e-8,
        "weight_decay": 0.0,
        "amsgrad": False,
        "maximize": False,
        "params": [2],
    }
    assert sorted(sd["state"]) == [1, 2]  # a has no gradient yet, so no state
    assert sd["state"][1]["step"] == 1 and sd["state"][1]["exp_avg"].shape == (2,)
    assert sd["state"][1]["exp_avg"] is not opt.state[b]["exp_avg"]


def test_loaded_state_is_a_copy():
    p = param(1.0)
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    p.grad = np.array([1.0])
    opt.step()
    sd = opt.state_dict()
    opt2 = optim.SGD([param(1.0)], lr=0.1, momentum=0.9)
    opt2.load_state_dict(sd)
    sd["state"][0]["momentum_buffer"][0] = 123.0
    assert next(iter(opt2.state.values()))["momentum_buffer"][0] == 1.0


def adam_state_dict():
    p, q = param(1.0, 2.0), param(3.0)
    opt = optim.Adam([p, q], lr=0.1)
    p.grad, q.grad = np.array([1.0, 1.0]), np.array([1.0])
    opt.step()
    return opt.state_dict()


@pytest.mark.parametrize(
    ("make", "change", "message"),
    [
        (lambda ps: optim.Adam(ps), lambda sd: sd.pop("state"), "keys 'state' and 'param_groups'"),
        (lambda ps: optim.Adam(ps[:1]), lambda sd: None, "saved group 0 has 2 parameters"),
        (
            lambda ps: optim.Adam([{"params": ps[:1]}, {"params": ps[1:]}]),
            lambda sd: None,
            "state dict has 1 parameter groups, this optimizer has 2",
        ),
        (lambda ps: optim.SGD(ps, lr=0.1), lambda sd: None, "was it saved from a different"),
        (
            lambda ps: optim.Adam(ps),
            lambda sd: sd["param_groups"][0].pop("eps"),
            r"missing \['eps'\]",
        ),
        (
            lambda ps: optim.Adam(ps),
            lambda sd: sd["param_groups"][0].update(amsgrad=True),
            "expected .*max_exp_avg_sq",
        ),
        (
            lambda ps: optim.Adam(ps),
            lambda sd: sd["state"][0].update(exp_avg=np.zeros(3)),
            r"'exp_avg' of parameter 0 is float64 with shape \(3,\)",
        ),
        (
            lambda ps: optim.Adam(ps),
            lambda sd: sd["state"][0].update(step=1.5),
            "'step' of parameter 0 must be a non-negative int",
        ),
        (
            lambda ps: optim.Adam(ps),
            lambda sd: sd["state"].update({7: sd["state"][0]}),
            "parameter index 7, which no saved group lists",
        ),
        (
            lambda ps: optim.Adam(ps),
            lambda sd: sd["param_groups"][0].update(lr=-1.0),
            "invalid lr",
        ),
    ],
)
def test_load_state_dict_mismatch_is_an_error_and_changes_nothing(make, change, message):
    sd = adam_state_dict()
    change(sd)
    params = [param(1.0, 2.0), param(3.0)]
    opt = make(params)
    before = opt.state_dict()
    with pytest.raises(ValueError, match=message):
        opt.load_state_dict(sd)
    after = opt.state_dict()
    assert_state_dicts_equal(after, before)


def test_load_state_dict_casts_state_to_parameter_dtype():
    sd = adam_state_dict()
    opt = optim.Adam([param(1.0, 2.0, dtype=np.float32), param(3.0, dtype=np.float32)])
    opt.load_state_dict(sd)
    assert all(s["exp_avg"].dtype == np.float32 for s in opt.state.values())


# --- maximize, all-or-nothing steps, one __init__ for Adam and AdamW ---------------------------


@pytest.mark.parametrize("make", ALL, ids=IDS)
def test_maximize_equals_minimizing_the_negated_gradient(make):
    """maximize=True climbs: the same trajectory as minimizing with -grad (issue 16)."""
    up, down = param(0.5, -1.0), param(0.5, -1.0)
    climber = make([up])
    climber.param_groups[0]["maximize"] = True
    descender = make([down])
    for t in range(4):
        up.grad = np.cos(up.data + t)
        down.grad = -np.cos(down.data + t)
        climber.step()
        descender.step()
    np.testing.assert_allclose(up.data, down.data, rtol=1e-12, atol=1e-14)


def test_maximize_is_an_option_of_every_optimizer_and_is_checked():
    for cls in (optim.SGD, optim.Adam, optim.AdamW, optim.Adagrad, optim.RMSprop):
        opt = cls([param(1.0)], lr=0.1, maximize=True)
        assert opt.param_groups[0]["maximize"] is True
        with pytest.raises(TypeError, match="maximize must be True or False"):
            cls([param(1.0)], lr=0.1, maximize="yes")
    w = param(1.0)
    w.grad = np.array([2.0])
    optim.SGD([w], lr=0.1, maximize=True).step()
    assert w.data[0] == pytest.approx(1.2)  # uphill


def test_old_state_dict_without_maximize_still_loads():
    sd = adam_state_dict()
    for group in sd["param_groups"]:
        del group["maximize"]
    opt = optim.Adam([param(1.0, 2.0), param(3.0)])
    opt.load_state_dict(sd)
    assert opt.param_groups[0]["maximize"] is False


@pytest.mark.parametrize("make", ALL, ids=IDS)
def test_step_is_all_or_nothing(make):
    """A bad gradient anywhere raises before any parameter or state changes (issue 13)."""
    first, second = param(1.0, 2.0), param(3.0, 4.0)
    opt = make([first, second])
    first.grad = np.array([0.5, 0.5])
    second.grad = np.ones((2, 2))  # wrong shape: the second parameter in the group
    with pytest.raises(ValueError, match=r"shape \(2,\) has a gradient of shape \(2, 2\)"):
        opt.step()
    np.testing.assert_array_equal(first.data, [1.0, 2.0])
    assert opt.state == {}
    second.grad = np.array(["a", "b"])
    with pytest.raises(TypeError, match="gradients must be real numbers"):
        opt.step()
    np.testing.assert_array_equal(first.data, [1.0, 2.0])


def test_adamw_shares_adams_init_and_only_changes_the_default_decay():
    assert "__init__" not in vars(optim.AdamW)
    assert optim.Adam([param(1.0)]).param_groups[0]["weight_decay"] == 0.0
    assert optim.AdamW([param(1.0)]).param_groups[0]["weight_decay"] == 1e-2
    assert optim.AdamW([param(1.0)], weight_decay=0.0).param_groups[0]["weight_decay"] == 0.0


def test_options_are_checked_by_the_shared_checks():
    """Every option of every optimizer has a declared check; the base class runs them."""
    for cls in (optim.SGD, optim.Adam, optim.AdamW, optim.Adagrad, optim.RMSprop):
        opt = cls([param(1.0)], lr=0.1)
        assert set(cls.option_checks) == set(opt.defaults)
