"""nn.init: statistics against the formulas, in place, seeded, fans as PyTorch computes them."""

import math

import numpy as np
import pytest

import autograd
import nn
from autograd import Value

init = nn.init
NOUT, NIN = 400, 2500  # weight (nout, nin): fan_in 2500, fan_out 400, a million numbers

CASES = [
    ("xavier_uniform", lambda w: init.xavier_uniform(w), math.sqrt(2 / (NIN + NOUT)),
     math.sqrt(6 / (NIN + NOUT))),
    ("xavier_uniform_gain", lambda w: init.xavier_uniform(w, gain=5 / 3),
     5 / 3 * math.sqrt(2 / (NIN + NOUT)), 5 / 3 * math.sqrt(6 / (NIN + NOUT))),
    ("xavier_normal", lambda w: init.xavier_normal(w), math.sqrt(2 / (NIN + NOUT)), None),
    ("he_uniform", lambda w: init.he_uniform(w), math.sqrt(2 / NIN), math.sqrt(6 / NIN)),
    ("he_uniform_fan_out", lambda w: init.he_uniform(w, mode="fan_out"), math.sqrt(2 / NOUT),
     math.sqrt(6 / NOUT)),
    ("he_normal", lambda w: init.he_normal(w), math.sqrt(2 / NIN), None),
    ("he_normal_leaky", lambda w: init.he_normal(w, a=0.2, nonlinearity="leaky_relu"),
     math.sqrt(2 / (1 + 0.04) / NIN), None),
    ("lecun_normal", lambda w: init.lecun_normal(w), math.sqrt(1 / NIN), None),
    ("uniform", lambda w: init.uniform(w, -0.3, 0.3), 0.6 / math.sqrt(12), 0.3),
    ("normal", lambda w: init.normal(w, 0.0, 0.05), 0.05, None),
]  # fmt: skip


@pytest.mark.parametrize("name, fill, std, bound", CASES, ids=[c[0] for c in CASES])
def test_statistics_match_the_formula(name, fill, std, bound):
    autograd.manual_seed(0)
    w = Value(np.zeros((NOUT, NIN), np.float32))
    array = w.data
    assert fill(w) is w
    assert w.data is array and w.data.dtype == np.float32  # in place, dtype kept
    assert abs(w.data.std() / std - 1) < 0.02
    assert abs(w.data.mean()) < 0.02 * std
    if bound is not None:
        assert np.abs(w.data).max() <= bound * (1 + 1e-6)
        assert np.abs(w.data).max() > 0.99 * bound


def test_normal_mean_and_zeros():
    autograd.manual_seed(1)
    w = Value(np.zeros((1000, 1000)))
    init.normal(w, mean=3.0, std=0.5)
    assert abs(w.data.mean() - 3.0) < 0.01 and abs(w.data.std() - 0.5) < 0.01
    init.zeros(w)
    assert not w.data.any()


def test_seeded_and_repeatable():
    draws = []
    for seed in (5, 5, 6):
        autograd.manual_seed(seed)
        draws.append(init.he_normal(np.zeros((20, 30))).copy())
    np.testing.assert_array_equal(draws[0], draws[1])
    assert not np.array_equal(draws[0], draws[2])


def test_fans_like_pytorch():
    assert init.fan_in_and_fan_out((4, 3)) == (3, 4)
    assert init.fan_in_and_fan_out((8, 3, 5, 5)) == (75, 200)
    with pytest.raises(ValueError, match="at least 2 axes"):
        init.xavier_uniform(Value(np.zeros(5)))


def test_gains():
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("sigmoid") == 1.0
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    with pytest.raises(ValueError, match="unknown nonlinearity"):
        init.calculate_gain("swish")


def test_scalar_values_and_bad_inputs():
    autograd.manual_seed(2)
    v = Value(0.0)
    init.uniform(v, 2.0, 3.0)
    assert type(v.data) is float and 2.0 <= v.data < 3.0
    with pytest.raises(TypeError, match="floating point"):
        init.zeros(np.zeros(3, dtype=np.int64))
    with pytest.raises(TypeError, match="Value or numpy array"):
        init.zeros([0.0, 1.0])
