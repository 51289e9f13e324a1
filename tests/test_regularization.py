"""Regularisation: penalties, weights_only, max_norm_, activity penalties, Dropout,
GaussianNoise and Residual."""

import numpy as np
import pytest

import autograd
import nn
import optim
from autograd import Value, gradcheck


def rng(seed=0):
    return np.random.default_rng(seed)


def small_model():
    autograd.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.BatchNorm1d(4), nn.Linear(4, 2))


# ------------------------------------------------------------------ which parameters
def test_weights_only_leaves_out_biases_and_normalisation_parameters():
    model = small_model()
    assert weights_names(model) == ["0.weight", "3.weight"]
    scalar = nn.scalar.MLP(2, [3, 1])
    chosen = {id(p) for p in nn.weights_only(scalar)}
    for name, p in scalar.named_parameters():
        assert (id(p) in chosen) == (not name.endswith(".b")), name
    with pytest.raises(TypeError, match="nn.Module"):
        nn.weights_only(model.parameters())


def weights_names(model):
    chosen = {id(p) for p in nn.weights_only(model)}
    return [name for name, p in model.named_parameters() if id(p) in chosen]


def test_penalty_values_for_a_module_and_for_an_explicit_list():
    model = small_model()
    w0, b0, w3 = model[0].weight.data, model[0].bias.data, model[3].weight.data
    l1 = np.abs(w0).sum() + np.abs(w3).sum()
    l2 = 0.5 * ((w0**2).sum() + (w3**2).sum())
    np.testing.assert_allclose(nn.l1_penalty(model).item(), l1, rtol=1e-6)
    np.testing.assert_allclose(nn.l2_penalty(model).item(), l2, rtol=1e-6)
    # A list is taken as given: model.parameters() includes biases and the BatchNorm gains.
    everything = model.parameters()
    np.testing.assert_allclose(
        nn.l2_penalty(everything).item(), 0.5 * sum((p.data**2).sum() for p in everything),
        rtol=1e-6,
    )  # fmt: skip
    assert nn.l1_penalty([model[0].bias]).item() == pytest.approx(np.abs(b0).sum(), rel=1e-6)


def test_penalty_gradients_are_sign_and_w():
    w = Value(np.array([[-2.0, 0.0, 3.0], [0.5, -0.25, 1.0]]))
    nn.l1_penalty([w]).backward()
    np.testing.assert_array_equal(w.grad, np.sign(w.data))
    w.grad = None
    nn.l2_penalty([w]).backward()
    np.testing.assert_array_equal(w.grad, w.data)
    gradcheck(lambda v: nn.l2_penalty([v]) + nn.l1_penalty([v]), w.data + 0.1)


def test_penalty_errors():
    with pytest.raises(TypeError, match="named_parameters"):
        nn.l2_penalty(nn.Linear(2, 2).named_parameters())
    with pytest.raises(ValueError, match="no parameters"):
        nn.l1_penalty([])
    with pytest.raises(TypeError, match="iterable of Values"):
        nn.l1_penalty(3.0)


def test_l2_penalty_with_sgd_is_weight_decay():
    """cost + λ·½‖w‖² under plain SGD moves w exactly as SGD(weight_decay=λ) on the cost."""
    x = rng(1).standard_normal((8, 3))
    y = rng(2).standard_normal((8, 2))
    lam = 0.3
    models = []
    for decay in (True, False):
        autograd.manual_seed(5)
        model = nn.Linear(3, 2, bias=False, dtype=np.float64)
        opt = optim.SGD(model.parameters(), lr=0.1, weight_decay=lam if decay else 0.0)
        for _ in range(3):
            cost = nn.F.mse_loss(model(x), y)
            if not decay:
                cost = cost + lam * nn.l2_penalty(model)
            opt.zero_grad()
            cost.backward()
            opt.step()
        models.append(model.weight.data)
    np.testing.assert_allclose(models[0], models[1], rtol=1e-12)


def train_linear_with(penalty, lam=0.05, epochs=300):
    """Least squares on 30 features of which 3 matter, full-batch SGD with a cosine-annealed
    learning rate (so the sub-gradient steps of L1 shrink at the end)."""
    data = rng(0)
    n, d = 200, 30
    X = data.standard_normal((n, d))
    w_true = np.zeros(d)
    w_true[:3] = [2.0, -3.0, 1.5]
    y = X @ w_true + 0.1 * data.standard_normal(n)
    autograd.manual_seed(0)
    model = nn.Linear(d, 1, dtype=np.float64)
    opt = optim.SGD(model.parameters(), lr=0.05)
    schedule = optim.CosineAnnealingLR(opt, T_max=epochs)

    def loss_fn(out, target):
        return nn.F.mse_loss(out.reshape(-1), target) + lam * penalty(model)

    loader = nn.data.DataLoader(X, y, batch_size=n, shuffle=False)
    nn.fit(model, loss_fn, opt, loader, epochs=epochs, callbacks=[schedule], progress=False)
    return model.weight.data[0], w_true


def test_l1_gives_sparser_weights_than_l2():
    w_l1, w_true = train_linear_with(nn.l1_penalty)
    w_l2, _ = train_linear_with(nn.l2_penalty)
    zeros_l1 = int((np.abs(w_l1[3:]) < 1e-3).sum())
    zeros_l2 = int((np.abs(w_l2[3:]) < 1e-3).sum())
    # Both find the three features that matter ...
    np.testing.assert_allclose(w_l1[:3], w_true[:3], atol=0.1)
    np.testing.assert_allclose(w_l2[:3], w_true[:3], atol=0.15)
    # ... but only L1 sets (nearly) all 27 irrelevant weights to zero.
    assert zeros_l1 >= 24, (zeros_l1, w_l1[3:])
    assert zeros_l2 <= 10, (zeros_l2, w_l2[3:])


# ------------------------------------------------------------------ max_norm_
def test_max_norm_caps_each_row_and_keeps_its_direction():
    w = Value(np.array([[3.0, 4.0], [0.3, 0.4], [0.0, 0.0], [-6.0, 8.0]]))
    before = w.data.copy()
    nn.max_norm_([w], 2.0)
    norms = np.linalg.norm(w.data, axis=1)
    np.testing.assert_allclose(norms, [2.0, 0.5, 0.0, 2.0])
    np.testing.assert_array_equal(w.data[1:3], before[1:3])  # short rows are untouched
    np.testing.assert_allclose(w.data[0], before[0] * 2 / 5)
    np.testing.assert_allclose(w.data[3], before[3] * 2 / 10)


def test_max_norm_on_a_module_whole_tensors_and_scalars():
    autograd.manual_seed(0)
    model = nn.MLP(5, [6, 3])
    for p in model.parameters():
        p.data *= 10
    biases = [model[0].bias.data.copy(), model[2].bias.data.copy()]
    weight = model[0].weight.data  # the same array must be changed in place
    nn.max_norm_(model, 1.5)
    assert model[0].weight.data is weight
    for layer in (model[0], model[2]):
        assert np.linalg.norm(layer.weight.data, axis=1).max() <= 1.5 * (1 + 1e-6)
        assert layer.weight.dtype == np.float32
    np.testing.assert_array_equal(model[0].bias.data, biases[0])  # biases are not weights
    np.testing.assert_array_equal(model[2].bias.data, biases[1])
    w = Value(np.full((2, 2), 3.0))
    nn.max_norm_([w], 3.0, axis=None)
    assert np.linalg.norm(w.data) == pytest.approx(3.0)
    s = Value(-5.0)
    nn.max_norm_([s], 2.0)
    assert s.data == -2.0 and type(s.data) is float


@pytest.mark.parametrize("bad", [0, -1.0])
def test_max_norm_rejects_non_positive_limits(bad):
    with pytest.raises(ValueError, match="positive"):
        nn.max_norm_([Value(np.ones(2))], bad)


# ------------------------------------------------------------------ activity penalties
def test_activity_penalties_average_over_the_batch():
    a = Value(rng().standard_normal((4, 5)))
    assert nn.activity_l1(a).item() == pytest.approx(np.abs(a.data).sum() / 4)
    assert nn.activity_l2(a).item() == pytest.approx(0.5 * (a.data**2).sum() / 4)
    nn.activity_l2(a).backward()
    np.testing.assert_allclose(a.grad, a.data / 4)
    gradcheck(nn.activity_l1, a.data)
    gradcheck(nn.activity_l2, a.data)
    assert nn.activity_l1(np.array([1.0, -2.0])).item() == 3.0  # one example, a constant


# ------------------------------------------------------------------ Dropout
@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_statistics(p):
    autograd.manual_seed(0)
    n = 400_000
    x = np.full(n, 2.0, np.float32)
    out = nn.Dropout(p)(x).data
    assert out.dtype == np.float32
    zeroed = np.mean(out == 0)
    assert abs(zeroed - p) < 5 * np.sqrt(p * (1 - p) / n)
    kept = out[out != 0]
    np.testing.assert_allclose(kept, 2.0 / (1 - p), rtol=1e-6)  # scaled by 1/(1 - p)
    # The mean is preserved: E[y] = x. Each element's std is 2·sqrt(p/(1 - p)).
    assert abs(out.mean() - 2.0) < 5 * 2 * np.sqrt(p / (1 - p) / n)


def test_dropout_eval_is_identity_and_masks_change_per_call():
    autograd.manual_seed(1)
    layer = nn.Dropout(0.5)
    x = Value(rng().standard_normal((50, 20)))
    first, second = layer(x).data, layer(x).data
    assert not np.array_equal(first == 0, second == 0)
    layer.eval()
    assert layer(x) is x
    assert nn.Dropout(0.0)(x) is x
    np.testing.assert_array_equal(nn.Dropout(1.0)(x).data, 0.0)
    assert nn.Dropout(0.5)(np.ones((4, 4), dtype=int)).dtype == np.float64
    autograd.manual_seed(7)
    again = nn.Dropout(0.5)(x).data
    autograd.manual_seed(7)
    np.testing.assert_array_equal(nn.Dropout(0.5)(x).data, again)  # seeded: repeatable


def test_dropout_gradient_uses_the_same_mask():
    layer = nn.Dropout(0.3)
    x = Value(rng().standard_normal((6, 7)))
    autograd.manual_seed(3)
    out = layer(x)
    out.sum().backward()
    mask = out.data / x.data
    np.testing.assert_allclose(x.grad, mask)
    assert set(np.round(np.unique(mask), 6)) <= {0.0, round(1 / 0.7, 6)}

    def fixed_mask(v):
        autograd.manual_seed(3)  # the same mask at every evaluation
        return layer(v)

    gradcheck(fixed_mask, x.data)


def test_dropout_rejects_bad_p():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        nn.Dropout(1.5)
    with pytest.raises(TypeError):
        nn.Dropout("0.5")
    assert repr(nn.Dropout(0.25)) == "Dropout(p=0.25)"


# ------------------------------------------------------------------ GaussianNoise
def test_gaussian_noise_in_training_only():
    autograd.manual_seed(0)
    layer = nn.GaussianNoise(0.5)
    x = Value(np.ones((500, 400), np.float32))
    out = layer(x)
    noise = out.data - 1.0
    assert out.dtype == np.float32
    assert abs(noise.mean()) < 5 * 0.5 / np.sqrt(noise.size)
    assert noise.std() == pytest.approx(0.5, rel=0.01)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, 1.0)  # the noise is a constant
    layer.eval()
    assert layer(x) is x
    with pytest.raises(ValueError, match=">= 0"):
        nn.GaussianNoise(-1.0)


# ------------------------------------------------------------------ Residual
def test_residual_adds_the_input_and_gradchecks():
    autograd.manual_seed(0)
    block = nn.Sequential(nn.Linear(4, 4, dtype=np.float64), nn.Tanh())
    layer = nn.Residual(block)
    x = rng().standard_normal((3, 4))
    np.testing.assert_allclose(layer(x).data, x + block(x).data)
    assert [n for n, _ in layer.named_parameters()] == ["block.0.weight", "block.0.bias"]
    gradcheck(layer, x)
    w = block[0].weight

    def through_weight(v):
        block[0].weight = v if isinstance(v, Value) else Value(v)
        return layer(x)

    gradcheck(through_weight, w.data)


def test_residual_shape_mismatch_is_a_clear_error():
    layer = nn.Residual(nn.Linear(4, 3))
    with pytest.raises(ValueError, match=r"\(2, 4\) to \(2, 3\)"):
        layer(np.ones((2, 4), np.float32))
    with pytest.raises(TypeError, match="parentheses"):
        nn.Residual(nn.ReLU)
