"""Recurrent cells and layers: PyTorch's names and shapes, finite-difference gradchecks, and
(when torch is installed) outputs, final states and every gradient against torch."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
import nn
from autograd import Value, gradcheck
from nn.recurrent import gru_cell, lstm_cell, rnn_cell

LAYERS = {"RNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}
CELLS = {"RNN": nn.RNNCell, "LSTM": nn.LSTMCell, "GRU": nn.GRUCell}
GATES = {"RNN": 1, "LSTM": 4, "GRU": 3}


def put(module, name, value):
    """Set a parameter for a gradcheck: its numeric pass hands in constants, which Module's
    assignment guard (rightly) refuses for a parameter, so this bypasses it."""
    object.__setattr__(module, name, value)


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


# ------------------------------------------------------------------------------- names, shapes
@pytest.mark.parametrize("mode", LAYERS)
def test_parameter_names_shapes_and_init_are_pytorchs(mode: str) -> None:
    autograd.manual_seed(0)
    layer = LAYERS[mode](5, 7, num_layers=2)
    g = GATES[mode]
    shapes = {name: p.shape for name, p in layer.named_parameters()}
    assert shapes == {
        "weight_ih_l0": (g * 7, 5), "weight_hh_l0": (g * 7, 7), "bias_ih_l0": (g * 7,),
        "bias_hh_l0": (g * 7,), "weight_ih_l1": (g * 7, 7), "weight_hh_l1": (g * 7, 7),
        "bias_ih_l1": (g * 7,), "bias_hh_l1": (g * 7,),
    }  # fmt: skip
    bound = 1 / math.sqrt(7)
    for p in layer.parameters():
        assert p.dtype == np.float32
        assert np.abs(p.data).max() <= bound and np.abs(p.data).max() > 0.5 * bound
    cell = CELLS[mode](5, 7, bias=False)
    assert [name for name, _ in cell.named_parameters()] == ["weight_ih", "weight_hh"]


@pytest.mark.parametrize("mode", LAYERS)
@pytest.mark.parametrize("batch_first", [False, True])
def test_output_and_state_shapes(mode: str, batch_first: bool) -> None:
    layer = LAYERS[mode](3, 4, num_layers=2, batch_first=batch_first)
    x = np.zeros((2, 6, 3) if batch_first else (6, 2, 3), np.float32)
    out, state = layer(x)
    assert out.shape == ((2, 6, 4) if batch_first else (6, 2, 4))
    finals = state if mode == "LSTM" else (state,)
    for s in finals:
        assert s.shape == (2, 2, 4) and s.dtype == np.float32
    # one unbatched sequence: (seq, features) → (seq, hidden), states (layers, hidden)
    out, state = layer(np.zeros((6, 3), np.float32))
    assert out.shape == (6, 4)
    assert (state[0] if mode == "LSTM" else state).shape == (2, 4)


def test_shape_errors_say_what_is_expected() -> None:
    with pytest.raises(ValueError, match=r"\(seq, batch, features\) with features = 3"):
        nn.LSTM(3, 4)(np.zeros((5, 2, 4), np.float32))
    with pytest.raises(ValueError, match=r"initial state h0 must have shape"):
        nn.GRU(3, 4, num_layers=2)(np.zeros((5, 2, 3), np.float32), np.zeros((1, 2, 4)))
    with pytest.raises(ValueError, match="nonlinearity"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match=r"\(batch, 3\)"):
        nn.LSTMCell(3, 4)(np.zeros((2, 5), np.float32))


def test_last_output_is_the_final_state_and_layers_chain() -> None:
    autograd.manual_seed(1)
    lstm = nn.LSTM(3, 4, num_layers=2)
    x = rng().standard_normal((5, 2, 3)).astype(np.float32)
    out, (h, c) = lstm(x)
    np.testing.assert_array_equal(out.data[-1], h.data[-1])
    # the same by hand with cells sharing the weights
    cells = [nn.LSTMCell(3, 4), nn.LSTMCell(4, 4)]
    for layer, cell in enumerate(cells):
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            setattr(cell, name, getattr(lstm, f"{name}_l{layer}"))
    states = [None, None]
    for t in range(5):
        inp = x[t]
        for layer, cell in enumerate(cells):
            states[layer] = cell(inp, states[layer])
            inp = states[layer][0]
    np.testing.assert_allclose(h.data[1], states[1][0].data, rtol=1e-6)
    np.testing.assert_allclose(c.data[0], states[0][1].data, rtol=1e-6)


def test_float64_stays_float64() -> None:
    gru = nn.GRU(2, 3, dtype=np.float64)
    out, h = gru(np.ones((4, 1, 2)))
    assert out.dtype == h.dtype == np.float64


# ---------------------------------------------------------------------------------- gradchecks
def test_cells_gradcheck() -> None:
    r = rng(2)
    x, h, c = r.standard_normal((3, 4)), r.standard_normal((3, 5)), r.standard_normal((3, 5))
    for fn, g in ((rnn_cell, 1), (gru_cell, 3)):
        w_ih, w_hh = r.standard_normal((g * 5, 4)) * 0.5, r.standard_normal((g * 5, 5)) * 0.5
        b_ih, b_hh = r.standard_normal(g * 5), r.standard_normal(g * 5)
        assert gradcheck(fn, x, h, w_ih, w_hh, b_ih, b_hh)
    w_ih, w_hh = r.standard_normal((20, 4)) * 0.5, r.standard_normal((20, 5)) * 0.5
    b_ih, b_hh = r.standard_normal(20), r.standard_normal(20)

    def lstm(x, h, c, *weights):
        h2, c2 = lstm_cell(x, h, c, *weights)
        return h2 * 2 + c2 * c2

    assert gradcheck(lstm, x, h, c, w_ih, w_hh, b_ih, b_hh)


def _through(layer: nn.Module, mode: str):
    """f(x, h0, [c0,] *parameters) -> the layer's outputs and final states, summed in a way
    that weighs every element differently."""
    names = [name for name, _ in layer.named_parameters()]

    def f(x, *rest):
        states, params = (rest[:2], rest[2:]) if mode == "LSTM" else (rest[:1], rest[1:])
        for name, p in zip(names, params, strict=True):
            put(layer, name, p)
        out, final = layer(x, tuple(states) if mode == "LSTM" else states[0])
        finals = final if mode == "LSTM" else (final,)
        total = (out * out).sum()
        for s in finals:
            total = total + (s * np.arange(s.size).reshape(s.shape)).sum()
        return total

    return f


@pytest.mark.parametrize("mode", LAYERS)
@pytest.mark.parametrize("batch_first", [False, True])
def test_layers_gradcheck_over_layers_and_states(mode: str, batch_first: bool) -> None:
    r = rng(3)
    layer = LAYERS[mode](3, 4, num_layers=2, batch_first=batch_first, dtype=np.float64)
    x = r.standard_normal((2, 4, 3) if batch_first else (4, 2, 3))
    states = [r.standard_normal((2, 2, 4)) for _ in range(2 if mode == "LSTM" else 1)]
    params = [p.data for p in layer.parameters()]
    assert gradcheck(_through(layer, mode), x, *states, *params)


def test_relu_rnn_gradcheck() -> None:
    r = rng(4)
    layer = nn.RNN(2, 3, nonlinearity="relu", dtype=np.float64)
    x, h0 = r.standard_normal((5, 2, 2)), r.standard_normal((1, 2, 3))
    assert gradcheck(_through(layer, "RNN"), x, h0, *[p.data for p in layer.parameters()])


# ------------------------------------------------------------------------------- a model learns
def test_char_level_lstm_learns_the_names() -> None:
    """Next-letter prediction on the names: the loss falls well under log(vocabulary)."""
    import optim

    autograd.manual_seed(0)
    names = nn.data.load_names()
    chars = "." + "abcdefghijklmnopqrstuvwxyz"
    index = {ch: i for i, ch in enumerate(chars)}
    length = 8
    seqs = np.array(
        [[index[ch] for ch in ("." + name + "." * length)[: length + 1]] for name in names]
    )
    emb, lstm, head = nn.Embedding(27, 16), nn.LSTM(16, 48, batch_first=True), nn.Linear(48, 27)
    params = emb.parameters() + lstm.parameters() + head.parameters()
    optimizer = optim.Adam(params, lr=0.01)
    gen = np.random.default_rng(0)
    for _ in range(150):
        batch = seqs[gen.integers(0, len(seqs), 64)]
        out, _ = lstm(emb(batch[:, :-1]))
        loss = nn.F.cross_entropy(head(out).reshape(-1, 27), batch[:, 1:].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with autograd.no_grad():
        out, _ = lstm(emb(seqs[:, :-1]))
        final = nn.F.cross_entropy(head(out).reshape(-1, 27), seqs[:, 1:].reshape(-1)).item()
    assert final < 0.65 * math.log(27), final  # log 27 = 3.30; it reaches about 1.8


# ------------------------------------------------------------------------------------- PyTorch
def _torch_layer(torch, ours: nn.Module, mode: str, **kwargs):
    cls = {"RNN": torch.nn.RNN, "LSTM": torch.nn.LSTM, "GRU": torch.nn.GRU}[mode]
    theirs = cls(ours.input_size, ours.hidden_size, dtype=torch.float64, **kwargs)
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    return theirs


@pytest.mark.parametrize("mode", LAYERS)
@pytest.mark.parametrize("num_layers", [1, 3])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("initial", [False, True])
def test_layers_match_torch(mode: str, num_layers: int, batch_first: bool, initial: bool) -> None:
    torch = pytest.importorskip("torch")
    autograd.manual_seed(5)
    ours = LAYERS[mode](4, 6, num_layers=num_layers, batch_first=batch_first, dtype=np.float64)
    theirs = _torch_layer(torch, ours, mode, num_layers=num_layers, batch_first=batch_first)
    r = rng(6)
    x = r.standard_normal((3, 5, 4) if batch_first else (5, 3, 4))
    n_states = 2 if mode == "LSTM" else 1
    states = [r.standard_normal((num_layers, 3, 6)) for _ in range(n_states)] if initial else []

    x_ours = Value(x)
    s_ours = [Value(s) for s in states]
    x_theirs = torch.tensor(x, requires_grad=True)
    s_theirs = [torch.tensor(s, requires_grad=True) for s in states]
    if mode == "LSTM":
        out, (h, c) = ours(x_ours, tuple(s_ours) if initial else None)
        ref, (h_ref, c_ref) = theirs(x_theirs, tuple(s_theirs) if initial else None)
        finals, finals_ref = (h, c), (h_ref, c_ref)
    else:
        out, h = ours(x_ours, s_ours[0] if initial else None)
        ref, h_ref = theirs(x_theirs, s_theirs[0] if initial else None)
        finals, finals_ref = (h,), (h_ref,)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-10, atol=1e-12)
    for s, s_ref in zip(finals, finals_ref, strict=True):
        np.testing.assert_allclose(s.data, s_ref.detach().numpy(), rtol=1e-10, atol=1e-12)

    # one loss that touches the outputs and every final state
    w_out = r.standard_normal(out.shape)
    w_fin = [r.standard_normal(s.shape) for s in finals]
    loss = (out * w_out).sum()
    loss_ref = (ref * torch.from_numpy(w_out)).sum()
    for s, s_ref, w in zip(finals, finals_ref, w_fin, strict=True):
        loss = loss + (s * w).sum()
        loss_ref = loss_ref + (s_ref * torch.from_numpy(w)).sum()
    loss.backward()
    loss_ref.backward()
    np.testing.assert_allclose(x_ours.grad, x_theirs.grad.numpy(), rtol=1e-9, atol=1e-12)
    for s, s_ref in zip(s_ours, s_theirs, strict=True):
        np.testing.assert_allclose(s.grad, s_ref.grad.numpy(), rtol=1e-9, atol=1e-12)
    theirs_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(
            p.grad, theirs_params[name].grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=name
        )


@pytest.mark.parametrize("mode", CELLS)
@pytest.mark.parametrize("initial", [False, True])
def test_cells_match_torch(mode: str, initial: bool) -> None:
    torch = pytest.importorskip("torch")
    autograd.manual_seed(7)
    ours = CELLS[mode](3, 5)
    cls = {"RNN": torch.nn.RNNCell, "LSTM": torch.nn.LSTMCell, "GRU": torch.nn.GRUCell}[mode]
    theirs = cls(3, 5)
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    r = rng(8)
    x = r.standard_normal((4, 3)).astype(np.float32)
    states = [r.standard_normal((4, 5)).astype(np.float32) for _ in range(2)]
    x_ours, x_theirs = Value(x), torch.tensor(x, requires_grad=True)
    if mode == "LSTM":
        h, c = ours(x_ours, tuple(states) if initial else None)
        h_ref, c_ref = theirs(x_theirs, tuple(map(torch.from_numpy, states)) if initial else None)
        out, ref = h * 2 + c, h_ref * 2 + c_ref
    else:
        out = ours(x_ours, states[0] if initial else None)
        ref = theirs(x_theirs, torch.from_numpy(states[0]) if initial else None)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-5, atol=1e-6)
    (out * out).sum().backward()
    (ref * ref).sum().backward()
    np.testing.assert_allclose(x_ours.grad, x_theirs.grad.numpy(), rtol=1e-4, atol=1e-5)
    grads = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        assert p.grad.dtype == np.float32
        np.testing.assert_allclose(p.grad, grads[name].grad.numpy(), rtol=1e-4, atol=1e-5)


def test_torch_state_dict_loads_unchanged_and_back() -> None:
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs = torch.nn.GRU(3, 4, num_layers=2, batch_first=True)
    ours = nn.GRU(3, 4, num_layers=2, batch_first=True)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = rng(9).standard_normal((2, 5, 3)).astype(np.float32)
    out, h = ours(x)
    ref, h_ref = theirs(torch.from_numpy(x))
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(h.data, h_ref.detach().numpy(), rtol=1e-5, atol=1e-6)
    back = torch.nn.GRU(3, 4, num_layers=2, batch_first=True)
    back.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    for k, v in back.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), ours.state_dict()[k])


@pytest.mark.parametrize("mode", LAYERS)
def test_a_sequence_of_one_step_backpropagates(mode: str) -> None:
    layer = LAYERS[mode](2, 3)
    x = Value(np.ones((1, 4, 2), np.float32))
    out, state = layer(x)
    assert out.shape == (1, 4, 3)
    total = out.sum() + (state[1] if mode == "LSTM" else state).sum()
    total.backward()
    assert x.grad.shape == (1, 4, 2) and layer.weight_hh_l0.grad is not None
