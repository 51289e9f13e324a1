"""Cross-checks against PyTorch (skipped when torch is not installed): same weights, same
inputs → same outputs, losses and gradients."""

import numpy as np
import pytest

import autograd
import nn
from autograd import Value

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def rng(seed=0):
    return np.random.default_rng(seed)


def to_torch(array, grad=False):
    return torch.tensor(np.asarray(array), requires_grad=grad)


def test_linear_state_dict_loads_into_torch_and_matches():
    autograd.manual_seed(0)
    ours = nn.Linear(5, 3)
    theirs = torch.nn.Linear(5, 3)
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    x = rng().standard_normal((4, 5)).astype(np.float32)
    out = ours(x)
    ref = theirs(torch.from_numpy(x))
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-5, atol=1e-6)
    (out * out).sum().backward()
    (ref * ref).sum().backward()
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ours.bias.grad, theirs.bias.grad.numpy(), rtol=1e-4, atol=1e-5)
    # and back: a torch state dict loads into ours
    back = nn.Linear(5, 3)
    back.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    np.testing.assert_array_equal(back.weight.data, ours.weight.data)


def _torch_mlp(ours, activation):
    layers = []
    for module in ours:
        if isinstance(module, nn.Linear):
            layers.append(torch.nn.Linear(module.nin, module.nout, dtype=torch.float64))
        else:
            layers.append(activation())
    theirs = torch.nn.Sequential(*layers)
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    return theirs


@pytest.mark.parametrize(
    "name, activation",
    [("relu", torch.nn.ReLU), ("tanh", torch.nn.Tanh), ("sigmoid", torch.nn.Sigmoid)],
)
def test_mlp_gradients_match_torch(name, activation):
    autograd.manual_seed(1)
    ours = nn.MLP(6, [16, 8, 4], activation=name, dtype=np.float64)
    theirs = _torch_mlp(ours, activation)
    X = rng(1).standard_normal((32, 6))
    y = rng(2).integers(0, 4, 32)
    loss = nn.F.cross_entropy(ours(X), y)
    ref = TF.cross_entropy(theirs(to_torch(X)), torch.from_numpy(y))
    assert loss.item() == pytest.approx(ref.item(), rel=1e-12)
    loss.backward()
    ref.backward()
    named = dict(theirs.named_parameters())
    for key, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad, named[key].grad.numpy(), rtol=1e-9, atol=1e-12)


def _compare(ours, theirs, pred, target, rtol=1e-10):
    p = Value(pred)
    tp = to_torch(pred, grad=True)
    out = ours(p, target)
    ref = theirs(tp, target if isinstance(target, torch.Tensor) else to_torch(target))
    assert np.all(np.isfinite(out.data))
    np.testing.assert_allclose(np.asarray(out.data), ref.detach().numpy(), rtol=rtol, atol=1e-12)
    weights = rng(9).standard_normal(np.shape(out.data))
    (out * weights).sum().backward()
    (ref * to_torch(weights)).sum().backward()
    np.testing.assert_allclose(p.grad, tp.grad.numpy(), rtol=rtol, atol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_regression_losses(reduction):
    pred, target = rng(3).standard_normal((5, 3)), rng(4).standard_normal((5, 3))
    _compare(
        lambda p, t: nn.F.mse_loss(p, t, reduction=reduction),
        lambda p, t: TF.mse_loss(p, t, reduction=reduction),
        pred,
        target,
    )
    _compare(
        lambda p, t: nn.F.l1_loss(p, t, reduction=reduction),
        lambda p, t: TF.l1_loss(p, t, reduction=reduction),
        pred,
        target,
    )


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_binary_losses(reduction):
    logits = np.concatenate([rng(5).standard_normal(6) * 3, [0.0, 1000.0, -1000.0, 30.0]])
    target = np.concatenate([rng(6).uniform(0, 1, 6), [1.0, 0.0, 1.0, 0.5]])
    _compare(
        lambda p, t: nn.F.binary_cross_entropy_with_logits(p, t, reduction=reduction),
        lambda p, t: TF.binary_cross_entropy_with_logits(p, t, reduction=reduction),
        logits,
        target,
    )
    probs = rng(7).uniform(0.01, 0.99, 8)
    _compare(
        lambda p, t: nn.F.binary_cross_entropy(p, t, reduction=reduction),
        lambda p, t: TF.binary_cross_entropy(p, t, reduction=reduction),
        probs,
        target[:8].copy(),
    )


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_cross_entropy_and_nll(reduction, smoothing):
    logits = rng(8).standard_normal((6, 5)) * 4
    logits[0, 0] = 1000.0
    labels = rng(9).integers(0, 5, 6)
    probs = rng(10).dirichlet(np.ones(5), 6)
    for target in (labels, probs):
        _compare(
            lambda p, t: nn.F.cross_entropy(p, t, reduction=reduction, label_smoothing=smoothing),
            lambda p, t: TF.cross_entropy(p, t, reduction=reduction, label_smoothing=smoothing),
            logits,
            target,
        )
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    _compare(
        lambda p, t: nn.F.nll_loss(p, t, reduction=reduction),
        lambda p, t: TF.nll_loss(p, t, reduction=reduction),
        log_probs,
        labels,
    )


def test_hinge_loss_matches_the_torch_formula():
    scores = rng(11).standard_normal(10) * 2
    labels = rng(12).choice([-1.0, 1.0], 10)
    _compare(nn.F.hinge_loss, lambda s, y: torch.clamp(1 - y * s, min=0).mean(), scores, labels)


def test_float32_linear_training_step_matches_torch_sgd():
    optim = pytest.importorskip("optim")
    autograd.manual_seed(3)
    ours = nn.MLP(3, [4, 2])
    theirs = _torch_mlp(ours, torch.nn.ReLU).float()
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    X = rng(13).standard_normal((8, 3)).astype(np.float32)
    y = rng(14).integers(0, 2, 8)
    opt, ref_opt = optim.SGD(ours.parameters(), lr=0.1), torch.optim.SGD(theirs.parameters(), 0.1)
    for _ in range(3):
        loss = nn.F.cross_entropy(ours(X), y)
        ours.zero_grad()
        loss.backward()
        opt.step()
        ref = TF.cross_entropy(theirs(torch.from_numpy(X)), torch.from_numpy(y))
        ref_opt.zero_grad()
        ref.backward()
        ref_opt.step()
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key], value.numpy(), rtol=1e-5, atol=1e-6)
