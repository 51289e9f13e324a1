"""The perceptron rule, and logic gates against their truth tables."""

import itertools

import numpy as np
import pytest

import autograd
import nn
from nn import logic

PAIRS = np.array(list(itertools.product([0, 1], repeat=2)))


@pytest.mark.parametrize(
    "gate, truth",
    [
        (logic.AND, lambda a, b: a and b),
        (logic.OR, lambda a, b: a or b),
        (logic.XOR, lambda a, b: a != b),
    ],
    ids=["AND", "OR", "XOR"],
)
def test_two_input_gates_match_truth_tables(gate, truth):
    expected = [int(truth(a, b)) for a, b in PAIRS]
    np.testing.assert_array_equal(gate.predict(PAIRS), expected)
    assert gate.predict(PAIRS).dtype == np.int64


def test_not_gate():
    np.testing.assert_array_equal(logic.NOT.predict([[0], [1]]), [1, 0])
    np.testing.assert_array_equal(logic.NOT.predict([0, 1]), [1, 0])  # a column of inputs


def test_xor_is_built_from_the_other_gates():
    xor = logic.xor_network()
    assert all(
        isinstance(g, nn.Perceptron) for g in (xor.or_gate, xor.and_gate, xor.not_gate, xor.output)
    )
    np.testing.assert_array_equal(xor.output.weight.data, logic.AND.weight.data)
    # the hidden layer computes OR and NAND; the output ANDs them
    out = xor(PAIRS.astype(float))
    assert not out.requires_grad
    np.testing.assert_array_equal(out.numpy(), [0, 1, 1, 0])


def test_fresh_gates_are_independent_of_the_shared_ones():
    mine = logic.and_gate()
    mine.weight.data[...] = 0
    np.testing.assert_array_equal(logic.AND.predict(PAIRS), [0, 0, 0, 1])


def test_one_update_follows_the_rule():
    p = nn.Perceptron(2)
    x = np.array([[2.0, -1.0]])
    history = p.fit(x, [1], lr=0.5, epochs=1)
    assert history == [1]  # w·x + b = 0 → predicted 0, a mistake on a positive point: add it
    np.testing.assert_array_equal(p.weight.data, [1.0, -0.5])
    assert float(p.bias.data) == 0.5
    p.fit(np.array([[1.0, 0.0]]), [0], lr=1.0, epochs=1)  # predicted 1 on a negative: subtract
    np.testing.assert_array_equal(p.weight.data, [0.0, -0.5])
    assert float(p.bias.data) == -0.5


@pytest.mark.parametrize("seed", range(5))
def test_perceptron_reaches_100_percent_on_separable_data(seed):
    rng = np.random.default_rng(seed)
    w_true = rng.standard_normal(3)
    X = rng.uniform(-2, 2, size=(300, 3))
    b_true = -np.quantile(X @ w_true, rng.uniform(0.3, 0.7))  # both classes well present
    margin = X @ w_true + b_true
    X, margin = X[np.abs(margin) > 0.2], margin[np.abs(margin) > 0.2]  # a clear gap
    y = (margin > 0).astype(int)
    p = nn.Perceptron(3)
    history = p.fit(X, y, lr=1.0, epochs=1000)
    assert history[-1] == 0 and history[0] > 0
    assert (p.predict(X) == y).mean() == 1.0


def test_perceptron_learns_and_or_from_truth_tables_but_not_xor():
    for truth in ([0, 0, 0, 1], [0, 1, 1, 1]):
        p = nn.Perceptron(2)
        p.fit(PAIRS, truth, lr=0.1, epochs=100)
        np.testing.assert_array_equal(p.predict(PAIRS), truth)
    p = nn.Perceptron(2)
    history = p.fit(PAIRS, [0, 1, 1, 0], epochs=50)
    assert len(history) == 50 and min(history) > 0  # never separable


def test_shuffled_fit_is_seeded():
    X = np.array([[1.0, 2.0], [-1.0, -0.5], [2.0, 0.1], [-0.3, -2.0]])
    y = [1, 0, 1, 0]
    results = []
    for _ in range(2):
        autograd.manual_seed(3)
        p = nn.Perceptron(2)
        results.append((p.fit(X, y, shuffle=True), p.weight.data.copy()))
    assert results[0][0] == results[1][0]
    np.testing.assert_array_equal(results[0][1], results[1][1])


def test_perceptron_errors_and_shapes():
    p = nn.Perceptron(2)
    with pytest.raises(ValueError, match="labels must be 0 or 1"):
        p.fit(PAIRS, [0, 1, 2, 1])
    with pytest.raises(ValueError, match=r"expected \(n, 2\)"):
        p.predict(np.ones((3, 3)))
    assert p.predict([1.0, 1.0]).shape == ()
    assert [n for n, _ in p.named_parameters()] == ["weight", "bias"]
    assert p(np.ones((4, 2))).shape == (4,)
