"""nn.to_torch / nn.from_torch: the same network in PyTorch, both ways — equal outputs in eval
mode, equal gradients and equal updates after a training step on the same batch."""

import io
import sys

import numpy as np
import pytest

import autograd
import nn
import optim

torch = pytest.importorskip("torch")

# name -> (build a glassgrad model, input shape, dtype). Models with random layers are compared
# in eval mode only (each library draws its own dropout masks and noise).
CASES = {
    "linear": (lambda: nn.Linear(5, 3), (4, 5), np.float32),
    "linear_no_bias_3d_input": (lambda: nn.Linear(5, 3, bias=False), (2, 4, 5), np.float32),
    "linear_float64": (lambda: nn.Linear(5, 3, dtype=np.float64), (4, 5), np.float64),
    "activations": (
        lambda: nn.Sequential(
            nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 8), nn.LeakyReLU(0.2), nn.Tanh(),
            nn.Linear(8, 8), nn.Sigmoid(), nn.Identity(), nn.Linear(8, 4), nn.Softmax(),
        ),
        (6, 5), np.float32,
    ),
    "log_softmax_axis0": (
        lambda: nn.Sequential(nn.Linear(5, 4), nn.LogSoftmax(axis=0)), (6, 5), np.float32
    ),
    "mlp_tanh": (lambda: nn.MLP(5, [8, 8, 3], activation="tanh"), (6, 5), np.float32),
    "step": (lambda: nn.Sequential(nn.Linear(5, 6), nn.Step(), nn.Linear(6, 2)), (6, 5),
             np.float32),
    "dropout": (lambda: nn.Sequential(nn.Linear(5, 8), nn.Dropout(0.3), nn.Linear(8, 2)), (6, 5),
                np.float32),
    "gaussian_noise": (
        lambda: nn.Sequential(nn.Linear(5, 8), nn.GaussianNoise(0.5), nn.Linear(8, 2)), (6, 5),
        np.float32,
    ),
    "batchnorm": (
        lambda: nn.Sequential(nn.Linear(5, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 2)),
        (8, 5), np.float32,
    ),
    "batchnorm_3d_cumulative": (lambda: nn.BatchNorm1d(3, momentum=None), (4, 3, 5), np.float32),
    "batchnorm_no_affine_float64": (
        lambda: nn.BatchNorm1d(5, affine=False, dtype=np.float64), (8, 5), np.float64
    ),
    "batchnorm_untracked": (lambda: nn.BatchNorm1d(5, track_running_stats=False), (8, 5),
                            np.float32),
    "layernorm": (lambda: nn.Sequential(nn.Linear(5, 6), nn.LayerNorm(6)), (4, 5), np.float32),
    "layernorm_2d_no_affine": (
        lambda: nn.LayerNorm((3, 5), elementwise_affine=False), (4, 3, 5), np.float32
    ),
    "flatten": (lambda: nn.Sequential(nn.Flatten(), nn.Linear(15, 2)), (4, 3, 5), np.float32),
    "flatten_from_2": (lambda: nn.Sequential(nn.Flatten(2), nn.Linear(10, 2)), (4, 3, 5, 2),
                       np.float32),
    "residual": (
        lambda: nn.Sequential(
            nn.Linear(5, 6),
            nn.Residual(nn.Sequential(nn.Linear(6, 6), nn.Tanh(), nn.Linear(6, 6))),
            nn.LayerNorm(6), nn.Linear(6, 2),
        ),
        (4, 5), np.float32,
    ),
}  # fmt: skip
RANDOM = {"dropout", "gaussian_noise"}


# Layers from §4, added as they land: name -> (model, inputs: a shape or rng -> tuple, dtype)
def _tokens(rng):
    return (rng.integers(0, 7, size=(3, 4)),)


def _sequences(batch_first):
    shape = (2, 5, 3) if batch_first else (5, 2, 3)
    return lambda rng: (rng.standard_normal(shape).astype(np.float32),)


def _qkv(rng):
    return tuple(rng.standard_normal((2, 5, 8)).astype(np.float32) for _ in range(3))


LATER = {
    "conv_pool_gelu": (
        lambda: nn.Sequential(
            nn.Conv2d(2, 3, 3, padding=1), nn.GELU(), nn.MaxPool2d(2),
            nn.Conv2d(3, 4, 2, stride=1, dilation=1, bias=False), nn.GELU(approximate="tanh"),
            nn.AvgPool2d(2, stride=1, padding=1), nn.Flatten(), nn.Linear(4 * 3 * 3, 3),
        ),
        (2, 2, 6, 6), np.float32,
    ),
    "conv_transpose_unflatten": (
        lambda: nn.Sequential(
            nn.Linear(6, 12), nn.Unflatten(1, (3, 2, 2)),
            nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1), nn.SiLU(),
        ),
        (4, 6), np.float32,
    ),
    "activations_more": (
        lambda: nn.Sequential(
            nn.Linear(5, 8), nn.Softplus(beta=2.0, threshold=3.0), nn.Linear(8, 8), nn.ELU(0.5),
            nn.Linear(8, 8), nn.SELU(), nn.Mish(), nn.Hardtanh(-0.5, 0.7), nn.Softsign(),
            nn.LogSigmoid(),
        ),
        (6, 5), np.float32,
    ),
    "embedding": (lambda: nn.Sequential(nn.Embedding(7, 4), nn.Linear(4, 2)), _tokens, None),
    "rnn_relu_two_layers": (
        lambda: nn.RNN(3, 4, num_layers=2, nonlinearity="relu"), _sequences(False), None
    ),
    "lstm_batch_first": (lambda: nn.LSTM(3, 4, batch_first=True), _sequences(True), None),
    "gru_no_bias": (lambda: nn.GRU(3, 4, bias=False), _sequences(False), None),
    "rnn_cell": (lambda: nn.RNNCell(3, 4), (2, 3), np.float32),
    "lstm_cell": (lambda: nn.LSTMCell(3, 4), (2, 3), np.float32),
    "gru_cell": (lambda: nn.GRUCell(3, 4), (2, 3), np.float32),
    "multihead_attention": (
        lambda: nn.MultiheadAttention(8, 2, batch_first=True), _qkv, None
    ),
}  # fmt: skip
# a layer another helper has not landed yet is left out (the name must exist in nn)
NEEDS = {
    "conv_pool_gelu": ["Conv2d", "MaxPool2d", "AvgPool2d", "GELU"],
    "conv_transpose_unflatten": ["ConvTranspose2d", "Unflatten", "SiLU"],
    "activations_more": ["Softplus", "ELU", "SELU", "Mish", "Hardtanh", "Softsign", "LogSigmoid"],
    "embedding": ["Embedding"], "rnn_relu_two_layers": ["RNN"], "lstm_batch_first": ["LSTM"],
    "gru_no_bias": ["GRU"], "rnn_cell": ["RNNCell"], "lstm_cell": ["LSTMCell"],
    "gru_cell": ["GRUCell"], "multihead_attention": ["MultiheadAttention"],
}  # fmt: skip
CASES.update({k: v for k, v in LATER.items() if all(hasattr(nn, n) for n in NEEDS[k])})


def build(name, seed=0):
    make, spec, dtype = CASES[name]
    autograd.manual_seed(seed)
    model = make()
    rng = np.random.default_rng(seed)
    inputs = spec(rng) if callable(spec) else (rng.standard_normal(spec).astype(dtype),)
    return model, inputs


def torch_of(array):
    return torch.from_numpy(np.array(array))


def flat(out):
    """The arrays in an output (a Value, a tensor, or nested tuples of them, as RNNs return)."""
    if isinstance(out, (tuple, list)):
        return [array for part in out for array in flat(part)]
    if isinstance(out, torch.Tensor):
        return [out]
    return [out]


def numpy_of(out):
    if isinstance(out, torch.Tensor):
        return out.detach().numpy()
    return np.asarray(out.data if isinstance(out, autograd.Value) else out)


def assert_same_outputs(ours_out, theirs_out, rtol=1e-5, atol=1e-5):
    mine, other = flat(ours_out), flat(theirs_out)
    assert len(mine) == len(other)
    for a, b in zip(mine, other, strict=True):
        np.testing.assert_allclose(numpy_of(a), numpy_of(b), rtol=rtol, atol=atol)


def assert_same_state(ours, theirs, rtol=0.0, atol=0.0):
    mine = ours.state_dict()
    other = {k: v.detach().numpy() for k, v in theirs.state_dict().items()}
    assert sorted(mine) == sorted(other)  # (ours lists parameters first, then buffers)
    for key, value in mine.items():
        assert value.dtype == other[key].dtype, key
        np.testing.assert_allclose(value, other[key], rtol=rtol, atol=atol, err_msg=key)


def warm_up(model, inputs):
    """One training-mode forward, so batch norm's running statistics are not the defaults."""
    with autograd.no_grad():
        model(*inputs)


def eval_both(ours, theirs, inputs):
    ours.eval(), theirs.eval()
    with torch.no_grad():
        assert_same_outputs(ours(*inputs), theirs(*(torch_of(x) for x in inputs)))


def step_both(ours, theirs, inputs, seed):
    """Forward and backward on the same batch with a fixed random linear loss on every output;
    the outputs and the gradients of every float input must agree (the caller compares the
    parameters' gradients)."""
    floats = [x.dtype.kind == "f" for x in inputs]
    x_ours = [autograd.Value(x) if f else x for x, f in zip(inputs, floats, strict=True)]
    x_theirs = [torch_of(x).requires_grad_(f) for x, f in zip(inputs, floats, strict=True)]
    outs, refs = flat(ours(*x_ours)), flat(theirs(*x_theirs))
    rng = np.random.default_rng(seed + 100)
    weights = [rng.standard_normal(numpy_of(o).shape).astype(numpy_of(o).dtype) for o in outs]
    loss = outs[0] * weights[0]
    total = sum(((o * w).sum() for o, w in zip(outs[1:], weights[1:], strict=True)), loss.sum())
    total.backward()
    sum((r * torch_of(w)).sum() for r, w in zip(refs, weights, strict=True)).backward()
    assert_same_outputs(outs, refs)
    for a, b, f in zip(x_ours, x_theirs, floats, strict=True):
        if not f:
            continue
        if a.grad is None or b.grad is None:  # nothing flows back through a Step
            assert a.grad is None and b.grad is None
        else:
            np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=1e-4, atol=1e-5)


def assert_same_grads(ours, theirs):
    grads = dict(theirs.named_parameters())
    for key, p in ours.named_parameters():
        theirs_grad = grads[key].grad
        if p.grad is None:  # no gradient reaches it (before a Step): none in torch either
            assert theirs_grad is None or not theirs_grad.any(), key
            continue
        np.testing.assert_allclose(p.grad, theirs_grad.numpy(), rtol=1e-4, atol=1e-5, err_msg=key)


@pytest.mark.parametrize("name", CASES)
def test_to_torch_same_state_and_eval_outputs(name):
    ours, inputs = build(name)
    warm_up(ours, inputs)
    theirs = nn.to_torch(ours)
    assert isinstance(theirs, torch.nn.Module)
    assert_same_state(ours, theirs)  # same names, dtypes and values, buffers included
    eval_both(ours, theirs, inputs)


@pytest.mark.parametrize("name", CASES)
def test_to_torch_training_step_gives_equal_gradients_and_updates(name):
    ours, inputs = build(name)
    theirs = nn.to_torch(ours)
    if name in RANDOM:  # compare the deterministic computation
        ours.eval(), theirs.eval()
    step_both(ours, theirs, inputs, seed=0)
    assert_same_grads(ours, theirs)
    if ours.parameters():
        optim.SGD(ours.parameters(), lr=0.1).step()
        torch.optim.SGD(theirs.parameters(), lr=0.1).step()
    assert_same_state(ours, theirs, rtol=1e-5, atol=1e-6)  # parameters and running statistics
    eval_both(ours, theirs, inputs)


@pytest.mark.parametrize("name", CASES)
def test_from_torch_round_trip(name):
    ours, inputs = build(name)
    warm_up(ours, inputs)
    theirs = nn.to_torch(ours)
    back = nn.from_torch(theirs)
    assert isinstance(back, nn.Module) and type(back) is type(ours) or name.startswith("mlp")
    assert_same_state(back, theirs)
    for key, value in ours.state_dict().items():
        np.testing.assert_array_equal(back.state_dict()[key], value)
    eval_both(back, theirs, inputs)
    # a training step on both sides, from the model that came back
    back.train(), theirs.train()
    if name in RANDOM:
        back.eval(), theirs.eval()
    step_both(back, theirs, inputs, seed=1)
    assert_same_grads(back, theirs)
    assert_same_state(back, theirs, rtol=1e-5, atol=1e-6)  # running statistics moved alike


def test_from_a_model_written_in_torch():
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(
        torch.nn.Linear(4, 16), torch.nn.BatchNorm1d(16), torch.nn.LeakyReLU(0.05),
        torch.nn.Dropout(0.1), torch.nn.Linear(16, 16), torch.nn.LayerNorm(16),
        torch.nn.Tanh(), torch.nn.Linear(16, 3),
        torch.nn.LogSoftmax(dim=1),
    )  # fmt: skip
    x = np.random.default_rng(0).standard_normal((10, 4)).astype(np.float32)
    theirs(torch_of(x))  # move the running statistics
    ours = nn.from_torch(theirs)
    assert [type(m).__name__ for m in ours] == [
        "Linear", "BatchNorm1d", "LeakyReLU", "Dropout", "Linear", "LayerNorm", "Tanh",
        "Linear", "LogSoftmax",
    ]  # fmt: skip
    assert ours[2].negative_slope == 0.05 and ours[3].p == 0.1 and ours[8].axis == 1
    assert_same_state(ours, theirs)
    ours.eval(), theirs.eval()
    np.testing.assert_allclose(ours(x).data, theirs(torch_of(x)).detach().numpy(), atol=1e-5)


def test_modes_and_sharing_are_kept_and_nothing_is_shared_between_libraries():
    autograd.manual_seed(0)
    shared = nn.Linear(4, 4)
    ours = nn.Sequential(shared, nn.Dropout(0.5), shared, nn.BatchNorm1d(4))
    ours[3].eval()
    theirs = nn.to_torch(ours)
    assert theirs.training and theirs[1].training and not theirs[3].training
    assert theirs[0] is theirs[2]  # a shared layer stays shared
    back = nn.from_torch(theirs)
    assert back[0] is back[2] and not back[3].training
    before = ours[0].weight.data.copy()
    with torch.no_grad():
        theirs[0].weight.add_(1.0)  # training the copy leaves the original alone
    np.testing.assert_array_equal(ours[0].weight.data, before)
    back[0].weight.data += 1.0
    np.testing.assert_array_equal(theirs[0].weight.detach().numpy(), before + 1.0)
    assert theirs[0].weight.data_ptr() != 0 and not np.shares_memory(back[0].weight.data, before)


def test_mlp_becomes_a_torch_sequential_with_the_same_names():
    autograd.manual_seed(0)
    mlp = nn.MLP(3, [5, 2])
    theirs = nn.to_torch(mlp)
    assert type(theirs) is torch.nn.Sequential
    assert list(theirs.state_dict()) == list(mlp.state_dict()) == [
        "0.weight", "0.bias", "2.weight", "2.bias",
    ]  # fmt: skip
    assert type(nn.from_torch(theirs)) is nn.Sequential


def test_small_torch_modules_pickle_with_the_whole_model():
    autograd.manual_seed(0)
    ours = nn.Sequential(nn.Residual(nn.Linear(3, 3)), nn.Step(), nn.GaussianNoise(0.1))
    theirs = nn.to_torch(ours)
    assert [type(m).__name__ for m in theirs] == [
        "TorchResidual", "TorchStep", "TorchGaussianNoise",
    ]  # fmt: skip
    buffer = io.BytesIO()
    torch.save(theirs, buffer)
    buffer.seek(0)
    again = torch.load(buffer, weights_only=False)
    x = torch.ones(2, 3)
    again.eval(), theirs.eval()
    assert torch.equal(again(x), theirs(x))
    theirs.train()
    noisy = theirs[2](torch.zeros(1000))  # training mode: noise with std 0.1
    assert 0.08 < float(noisy.std()) < 0.12


# ------------------------------------------------------------------ refusals
class Custom(nn.Module):
    def forward(self, x):
        return x * 2


class MyLinear(nn.Linear):
    def forward(self, x):
        return super().forward(x) * 2


def test_unsupported_layers_raise_naming_them():
    with pytest.raises(nn.UnsupportedLayerError, match=r"layer '1' \(Custom\)") as info:
        nn.to_torch(nn.Sequential(nn.Linear(2, 2), Custom()))
    assert "Linear" in str(info.value)  # lists what is supported
    with pytest.raises(nn.UnsupportedLayerError, match="MyLinear"):  # exact types only
        nn.to_torch(MyLinear(2, 2))
    with pytest.raises(nn.UnsupportedLayerError, match=r"layer '0' \(PReLU\)"):
        nn.from_torch(torch.nn.Sequential(torch.nn.PReLU()))
    with pytest.raises(nn.UnsupportedLayerError, match="end_dim=2"):
        nn.from_torch(torch.nn.Flatten(1, 2))
    with pytest.raises(nn.UnsupportedLayerError, match="dim=None"):
        nn.from_torch(torch.nn.Softmax())
    with pytest.raises(nn.UnsupportedLayerError, match="bias=False"):
        nn.from_torch(torch.nn.LayerNorm(4, bias=False))
    with pytest.raises(nn.UnsupportedLayerError, match=r"bfloat16.*\.float\(\)"):
        nn.from_torch(torch.nn.Linear(2, 2).to(torch.bfloat16))
    refused = [
        (lambda: torch.nn.Conv2d(2, 2, 3, groups=2), "Conv2d", "groups=2"),
        (lambda: torch.nn.Conv2d(2, 2, 3, padding="same"), "Conv2d", "padding='same'"),
        (lambda: torch.nn.MaxPool2d(2, ceil_mode=True), "MaxPool2d", "ceil_mode=True"),
        (lambda: torch.nn.AvgPool2d(2, count_include_pad=False), "AvgPool2d", "count_include"),
        (lambda: torch.nn.LSTM(2, 3, bidirectional=True), "LSTM", "bidirectional=True"),
        (lambda: torch.nn.GRU(2, 3, num_layers=2, dropout=0.5), "GRU", "dropout=0.5"),
        (lambda: torch.nn.Embedding(5, 2, padding_idx=0), "Embedding", "padding_idx=0"),
        (lambda: torch.nn.MultiheadAttention(4, 2, kdim=3), "MultiheadAttention", "_qkv_same"),
    ]
    for make, kind, setting in refused:
        if hasattr(nn, kind):
            with pytest.raises(nn.UnsupportedLayerError, match=f"{kind}.*{setting}"):
                nn.from_torch(make())
    with pytest.raises(TypeError, match="expects an nn.Module"):
        nn.to_torch(torch.nn.Linear(2, 2))
    with pytest.raises(TypeError, match="expects a torch.nn.Module"):
        nn.from_torch(nn.Linear(2, 2))


def test_without_torch_the_error_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError, match="pip install torch"):
        nn.to_torch(nn.Linear(2, 2))
    with pytest.raises(ImportError, match="pip install torch"):
        nn.from_torch(object())


NOT_CONVERTED = {"Module", "Perceptron"}  # the base class; the perceptron's own learning rule


def test_every_layer_in_nn_has_a_conversion():
    """A new layer in nn needs one entry in nn.torch_bridge.CONVERSIONS (and a case above)."""
    from nn.torch_bridge import CONVERSIONS

    layers = {n for n in dir(nn) if isinstance(getattr(nn, n), type)
              and issubclass(getattr(nn, n), nn.Module)}  # fmt: skip
    missing = sorted(layers - NOT_CONVERTED - {c.ours for c in CONVERSIONS})
    assert not missing, f"add a Conversion entry to nn/torch_bridge.py for: {missing}"
    tested = {type(m).__name__ for name in CASES for m in build(name)[0].modules()}
    untested = sorted(layers - NOT_CONVERTED - tested)
    assert not untested, f"add a case to CASES in this file for: {untested}"
