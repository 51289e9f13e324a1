"""BatchNorm1d and LayerNorm: hand-computed statistics, gradchecks, and PyTorch."""

import numpy as np
import pytest

import autograd
import nn
from autograd import Value, gradcheck


def rng(seed=0):
    return np.random.default_rng(seed)


def batch(shape=(8, 3), seed=0):
    return rng(seed).standard_normal(shape) * 3.0 + 1.5


# ------------------------------------------------------------------ BatchNorm1d
def test_batchnorm_training_normalises_with_batch_statistics():
    bn = nn.BatchNorm1d(3, dtype=np.float64)
    bn.weight.data[:] = [1.0, 2.0, -0.5]
    bn.bias.data[:] = [0.0, 1.0, 3.0]
    x = batch()
    mean = x.mean(axis=0)
    var = ((x - mean) ** 2).sum(axis=0) / len(x)  # biased, as the normalisation uses
    expected = (x - mean) / np.sqrt(var + 1e-5) * bn.weight.data + bn.bias.data
    np.testing.assert_allclose(bn(x).data, expected, rtol=1e-12)
    plain = nn.BatchNorm1d(3, dtype=np.float64)(x).data
    np.testing.assert_allclose(plain.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(plain.std(axis=0), 1.0, rtol=1e-5)


def test_batchnorm_running_statistics_by_hand():
    bn = nn.BatchNorm1d(3, momentum=0.1, dtype=np.float64)
    mean, var = np.zeros(3), np.ones(3)
    for step in range(3):
        x = batch(seed=step)
        bn(x)
        n = len(x)
        mean = 0.9 * mean + 0.1 * x.mean(axis=0)
        var = 0.9 * var + 0.1 * x.var(axis=0) * n / (n - 1)  # unbiased in the estimate
    np.testing.assert_allclose(bn.running_mean, mean, rtol=1e-12)
    np.testing.assert_allclose(bn.running_var, var, rtol=1e-12)
    assert int(bn.num_batches_tracked) == 3


def test_batchnorm_cumulative_average_with_momentum_none():
    bn = nn.BatchNorm1d(2, momentum=None, dtype=np.float64)
    xs = [batch((5, 2), seed) for seed in range(4)]
    for x in xs:
        bn(x)
    np.testing.assert_allclose(bn.running_mean, np.mean([x.mean(0) for x in xs], axis=0))
    np.testing.assert_allclose(bn.running_var, np.mean([x.var(0, ddof=1) for x in xs], axis=0))


def test_batchnorm_eval_uses_running_statistics_and_does_not_update_them():
    bn = nn.BatchNorm1d(3, dtype=np.float64)
    for step in range(2):
        bn(batch(seed=step))
    saved = {k: v.copy() for k, v in bn.state_dict().items()}
    bn.eval()
    x = batch((4, 3), seed=9)
    out = bn(x).data
    expected = (x - saved["running_mean"]) / np.sqrt(saved["running_var"] + 1e-5)
    np.testing.assert_allclose(out, expected * saved["weight"] + saved["bias"], rtol=1e-12)
    for key, value in bn.state_dict().items():
        np.testing.assert_array_equal(value, saved[key], err_msg=key)
    single = bn(x[:1]).data  # one example is fine in eval mode
    np.testing.assert_allclose(single, out[:1])


def test_batchnorm_without_running_stats_and_without_affine():
    bn = nn.BatchNorm1d(3, track_running_stats=False, affine=False, dtype=np.float64)
    assert bn.parameters() == [] and bn.state_dict() == {}
    x = batch()
    bn.eval()  # no running statistics: batch statistics in both modes
    np.testing.assert_allclose(bn(x).data, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5))


def test_batchnorm_state_dict_save_and_load(tmp_path):
    bn = nn.BatchNorm1d(3)
    bn(batch().astype(np.float32))
    assert list(bn.state_dict()) == [
        "weight", "bias", "running_mean", "running_var", "num_batches_tracked"
    ]  # fmt: skip
    assert bn.running_mean.dtype == np.float32 and bn.num_batches_tracked.dtype == np.int64
    nn.save(bn, tmp_path / "bn.npz")
    fresh = nn.load(nn.BatchNorm1d(3), tmp_path / "bn.npz")
    for key, value in bn.state_dict().items():
        np.testing.assert_array_equal(fresh.state_dict()[key], value)
    model = nn.Sequential(nn.Linear(3, 3), nn.BatchNorm1d(3))
    assert "1.running_var" in model.state_dict() and len(model.parameters()) == 4


def test_batchnorm_errors():
    bn = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match=r"\(N, 3\)"):
        bn(np.ones((4, 5), np.float32))
    with pytest.raises(ValueError, match="more than one value per feature"):
        bn(np.ones((1, 3), np.float32))
    with pytest.raises(ValueError, match="momentum"):
        nn.BatchNorm1d(3, momentum=1.5)


@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5)])
def test_batchnorm_gradcheck_training_mode_through_batch_statistics(shape):
    bn = nn.BatchNorm1d(3, dtype=np.float64)
    x = batch(shape)
    gamma, beta = rng(1).standard_normal(3), rng(2).standard_normal(3)

    def f(x, gamma, beta):
        bn.weight = gamma if isinstance(gamma, Value) else Value(gamma)
        bn.bias = beta if isinstance(beta, Value) else Value(beta)
        return bn(x)

    gradcheck(f, x, gamma, beta)
    # The batch statistics carry gradient: Σ over the batch of x̂ is 0 whatever x is, so the
    # sum of the outputs does not depend on x. Treating μ and σ as constants would give γ/σ.
    xv = Value(x)
    bn(xv).sum().backward()
    np.testing.assert_allclose(xv.grad, 0.0, atol=1e-10)


def test_batchnorm_gradcheck_eval_mode():
    bn = nn.BatchNorm1d(3, dtype=np.float64)
    for seed in range(3):
        bn(batch(seed=seed))
    bn.eval()
    x = batch((5, 3), seed=4)

    def f(x, gamma, beta):
        bn.weight = gamma if isinstance(gamma, Value) else Value(gamma)
        bn.bias = beta if isinstance(beta, Value) else Value(beta)
        return bn(x)

    gradcheck(f, x, rng(1).standard_normal(3), rng(2).standard_normal(3))


def assert_same_step(torch, ours, theirs, x, g) -> None:
    """Forward and backward (upstream gradient g) agree with the torch module's."""
    xv, xt = Value(x), torch.tensor(x, requires_grad=True)
    out, out_t = ours(xv), theirs(xt)
    out.backward(g)
    out_t.backward(torch.from_numpy(g))
    np.testing.assert_allclose(out.data, out_t.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(xv.grad, xt.grad.numpy(), rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=1e-8)
    np.testing.assert_allclose(ours.bias.grad, theirs.bias.grad.numpy(), rtol=1e-8)


def test_batchnorm_matches_torch_over_several_steps():
    torch = pytest.importorskip("torch")
    for shape in [(8, 4), (5, 4, 3)]:
        ours = nn.BatchNorm1d(4, momentum=0.2, dtype=np.float64)
        theirs = torch.nn.BatchNorm1d(4, momentum=0.2).double()
        gamma, beta = rng(1).standard_normal(4), rng(2).standard_normal(4)
        ours.weight.data[:], ours.bias.data[:] = gamma, beta
        with torch.no_grad():
            theirs.weight.copy_(torch.from_numpy(gamma))
            theirs.bias.copy_(torch.from_numpy(beta))
        for step in range(4):
            if step == 3:
                ours.eval()
                theirs.eval()
            x = batch(shape, seed=10 + step)
            assert_same_step(torch, ours, theirs, x, rng(20 + step).standard_normal(shape))
            ours.zero_grad()
            theirs.zero_grad()
            for key, value in theirs.state_dict().items():
                np.testing.assert_allclose(ours.state_dict()[key], value.numpy(), rtol=1e-12,
                                           err_msg=f"{shape} step {step}: {key}")  # fmt: skip


def test_batchnorm_loads_a_torch_state_dict():
    torch = pytest.importorskip("torch")
    theirs = torch.nn.BatchNorm1d(3)
    theirs(torch.randn(10, 3) * 2 + 1)
    ours = nn.BatchNorm1d(3)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    theirs.eval()
    ours.eval()
    x = batch((4, 3)).astype(np.float32)
    np.testing.assert_allclose(ours(x).data, theirs(torch.from_numpy(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)  # fmt: skip


# ------------------------------------------------------------------ LayerNorm
def test_layernorm_normalises_each_example_by_hand():
    ln = nn.LayerNorm(5, dtype=np.float64)
    ln.weight.data[:] = rng(1).standard_normal(5)
    ln.bias.data[:] = rng(2).standard_normal(5)
    x = batch((3, 5))
    mean = x.mean(axis=1, keepdims=True)
    var = x.var(axis=1, keepdims=True)
    expected = (x - mean) / np.sqrt(var + 1e-5) * ln.weight.data + ln.bias.data
    np.testing.assert_allclose(ln(x).data, expected, rtol=1e-12)
    ln.eval()  # no batch statistics: the same in evaluation
    np.testing.assert_allclose(ln(x).data, expected, rtol=1e-12)
    np.testing.assert_allclose(ln(x[:1]).data, expected[:1], rtol=1e-12)


def test_layernorm_gradcheck_and_several_axes():
    ln = nn.LayerNorm((2, 3), dtype=np.float64)
    x = batch((4, 2, 3))

    def f(x, gamma, beta):
        ln.weight = gamma if isinstance(gamma, Value) else Value(gamma)
        ln.bias = beta if isinstance(beta, Value) else Value(beta)
        return ln(x)

    gradcheck(f, x, rng(1).standard_normal((2, 3)), rng(2).standard_normal((2, 3)))
    out = nn.LayerNorm((2, 3), elementwise_affine=False, dtype=np.float64)(x).data
    np.testing.assert_allclose(out.reshape(4, -1).mean(axis=1), 0.0, atol=1e-12)
    with pytest.raises(ValueError, match=r"last 2 axes"):
        ln(np.ones((4, 3, 2)))


def test_layernorm_matches_torch():
    torch = pytest.importorskip("torch")
    autograd.manual_seed(0)
    ours = nn.LayerNorm(6, dtype=np.float64)
    theirs = torch.nn.LayerNorm(6).double()
    gamma, beta = rng(1).standard_normal(6), rng(2).standard_normal(6)
    ours.weight.data[:], ours.bias.data[:] = gamma, beta
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(gamma))
        theirs.bias.copy_(torch.from_numpy(beta))
    assert_same_step(torch, ours, theirs, batch((4, 6)), rng(3).standard_normal((4, 6)))
    assert list(ours.state_dict()) == list(theirs.state_dict())
