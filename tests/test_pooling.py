"""max_pool2d and avg_pool2d: the fast path against the loop reference, gradchecks (first and
second order), ties, float32, errors, the layers, and PyTorch (outputs and gradients over a
sweep; skipped without torch)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
from autograd import Value, gradcheck
from autograd.ops.conv_reference import avg_pool2d_reference, max_pool2d_reference

# (N, C, H, W), kernel, stride, padding
POOL_SWEEP = [
    ((2, 3, 8, 8), 2, None, 0),
    ((1, 2, 7, 9), 3, 1, 1),
    ((2, 1, 7, 7), 3, 2, 1),
    ((1, 2, 6, 8), (2, 3), (1, 2), (1, 1)),
    ((1, 1, 5, 5), 5, None, 0),
    ((2, 2, 9, 6), (3, 2), 2, (1, 0)),
]
POOL_IDS = [f"{s}-k{k}-s{st}-p{p}" for s, k, st, p in POOL_SWEEP]
POOLS = [
    ("max", ag.max_pool2d, max_pool2d_reference),
    ("avg", ag.avg_pool2d, avg_pool2d_reference),
]


def distinct(shape, seed=0):
    """Numbers at least 0.1 apart: no ties, so max pooling is differentiable at them."""
    r = np.random.default_rng(seed)
    n = int(np.prod(shape))
    return (r.permutation(n) * 0.1 - 0.05 * n).reshape(shape)


@pytest.mark.parametrize("kind", POOLS, ids=[p[0] for p in POOLS])
@pytest.mark.parametrize("case", POOL_SWEEP, ids=POOL_IDS)
def test_pool_matches_loop_reference(case, kind):
    _, fast, reference = kind
    shape, k, s, p = case
    x = np.random.default_rng(1).standard_normal(shape)
    np.testing.assert_allclose(fast(x, k, s, p).data, reference(x, k, s, p), rtol=1e-13)


@pytest.mark.parametrize("kind", POOLS, ids=[p[0] for p in POOLS])
@pytest.mark.parametrize("case", POOL_SWEEP, ids=POOL_IDS)
def test_pool_gradcheck(case, kind):
    _, fast, _ = kind
    shape, k, s, p = case
    assert gradcheck(lambda x: fast(x, k, s, p), distinct(shape, 2))


@pytest.mark.parametrize("kind", POOLS, ids=[p[0] for p in POOLS])
def test_pool_second_order(kind):
    _, fast, _ = kind

    def h(x):
        y = fast(x, 3, 2, 1)
        c = np.random.default_rng(2).standard_normal(y.shape)
        return (y * y * 0.5 + y * c).sum()

    def first(x):
        return ag.reshape(ag.grad(h)(x), (-1,))

    assert gradcheck(first, distinct((1, 2, 7, 7), 3))


def test_max_pool_gives_the_whole_gradient_to_the_first_maximum_on_ties():
    x = Value(np.ones((1, 1, 2, 2)))
    ag.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad, [[[[1.0, 0.0], [0.0, 0.0]]]])


def test_avg_pool_counts_padding():
    x = np.ones((1, 1, 2, 2))
    y = ag.avg_pool2d(x, 2, 1, 1).data  # the corner windows hold one 1 and three zeros
    np.testing.assert_allclose(y[0, 0], [[0.25, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 0.25]])


def test_float32_stays_float32():
    x = Value(np.random.default_rng(4).standard_normal((2, 3, 6, 6)).astype(np.float32))
    y = ag.max_pool2d(x, 2).sum() + ag.avg_pool2d(x, 3, 1, 1).sum()
    assert y.dtype == np.float32
    y.backward()
    assert x.grad.dtype == np.float32


def test_errors_name_the_op_the_shapes_and_the_rule():
    x = np.zeros((1, 1, 4, 4))
    with pytest.raises(ValueError, match=r"max_pool2d: kernel 5 .* larger than the padded input"):
        ag.max_pool2d(x, 5)
    with pytest.raises(ValueError, match=r"avg_pool2d: padding 2 .* more than half the kernel"):
        ag.avg_pool2d(x, 3, 1, 2)
    with pytest.raises(ValueError, match=r"4-d.*x.reshape\(1, \*x.shape\)"):
        ag.max_pool2d(np.zeros((1, 4, 4)), 2)


def test_layers():
    x = np.random.default_rng(5).standard_normal((2, 3, 9, 9)).astype(np.float32)
    pool = nn.MaxPool2d(3, stride=2, padding=1)
    assert pool(x).shape == pool.output_shape(x.shape) == (2, 3, 5, 5)
    assert repr(pool) == "MaxPool2d(kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))"
    avg = nn.AvgPool2d(2)
    assert avg(x).shape == avg.output_shape(x.shape) == (2, 3, 4, 4)
    assert pool.num_parameters() == avg.num_parameters() == 0


@pytest.mark.parametrize("kind", POOLS, ids=[p[0] for p in POOLS])
@pytest.mark.parametrize("case", POOL_SWEEP, ids=POOL_IDS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_pool_and_gradient_match_torch(case, kind, dtype):
    torch = pytest.importorskip("torch")
    name, fast, _ = kind
    shape, k, s, p = case
    x = np.random.default_rng(6).standard_normal(shape).astype(dtype)
    X = Value(x)
    y = fast(X, k, s, p)
    g = np.random.default_rng(7).standard_normal(y.shape).astype(dtype)
    (y * g).sum().backward()
    tf = torch.nn.functional.max_pool2d if name == "max" else torch.nn.functional.avg_pool2d
    tx = torch.tensor(x, requires_grad=True)
    ty = tf(tx, k, s if s is not None else k, p)
    (ty * torch.tensor(g)).sum().backward()
    tol = dict(rtol=1e-6, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), **tol)
    assert X.grad.dtype == dtype
    np.testing.assert_allclose(X.grad, tx.grad.numpy(), **tol)
