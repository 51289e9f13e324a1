"""nn.Embedding (a lookup whose gradient scatter-adds) and the names shipped for it."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
from autograd import Value, gradcheck


def put(module, name, value):
    """Set a parameter for a gradcheck: its numeric pass hands in constants, which Module's
    assignment guard (rightly) refuses for a parameter, so this bypasses it."""
    object.__setattr__(module, name, value)


def test_lookup_shape_dtype_and_init() -> None:
    autograd.manual_seed(0)
    emb = nn.Embedding(10, 3)
    assert [(n, p.shape) for n, p in emb.named_parameters()] == [("weight", (10, 3))]
    assert emb.weight.dtype == np.float32
    assert 0.5 < emb.weight.data.std() < 1.5  # N(0, 1), as PyTorch
    idx = np.array([[1, 2, 1], [9, 0, 0]])
    out = emb(idx)
    assert out.shape == (2, 3, 3) and out.dtype == np.float32
    np.testing.assert_array_equal(out.data[0, 0], emb.weight.data[1])
    assert emb(4).shape == (3,)


def test_gradient_scatter_adds_over_repeated_indices() -> None:
    emb = nn.Embedding(5, 2)
    idx = np.array([1, 3, 1, 1])
    g = np.arange(8, dtype=np.float32).reshape(4, 2)
    (emb(idx) * g).sum().backward()
    expected = np.zeros((5, 2), np.float32)
    expected[1] = g[0] + g[2] + g[3]  # token 1 used three times: three contributions
    expected[3] = g[1]
    np.testing.assert_array_equal(emb.weight.grad, expected)
    assert emb.weight.grad.dtype == np.float32


def test_gradcheck() -> None:
    idx = np.array([[0, 2, 2], [1, 0, 2]])
    weight = np.random.default_rng(0).standard_normal((3, 4))
    emb = nn.Embedding(3, 4, dtype=np.float64)

    def f(w):
        put(emb, "weight", w)
        return emb(idx).tanh()

    assert gradcheck(f, weight)


def test_bad_indices_are_explained() -> None:
    emb = nn.Embedding(4, 2)
    with pytest.raises(IndexError, match=r"0\.\.3"):
        emb(np.array([0, 4]))
    with pytest.raises(TypeError, match="integers"):
        emb(np.array([0.0, 1.0]))


def test_matches_torch_and_loads_its_state_dict() -> None:
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs = torch.nn.Embedding(6, 4)
    ours = nn.Embedding(6, 4)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    idx = np.array([[5, 1, 1], [0, 5, 5]])
    out, ref = ours(idx), theirs(torch.from_numpy(idx))
    np.testing.assert_array_equal(out.data, ref.detach().numpy())
    w = np.random.default_rng(1).standard_normal(out.shape).astype(np.float32)
    (out * w).sum().backward()
    (ref * torch.from_numpy(w)).sum().backward()
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=1e-6)


def test_load_names() -> None:
    names = nn.data.load_names()
    assert len(names) == 5163 == len(set(names))
    assert names == sorted(names)
    assert all(name.isalpha() and name.isascii() and name.islower() for name in names)
    assert {"mary", "james", "emma", "zoe"} <= set(names)
    assert 2 <= min(map(len, names)) and max(map(len, names)) <= 11
    names.append("x")
    assert len(nn.data.load_names()) == 5163  # a fresh list each call


def test_names_and_licence_ship_in_the_package() -> None:
    from importlib import resources

    files = resources.files("nn.data")
    licence = files.joinpath("NAMES_LICENSE.txt").read_text(encoding="utf-8")
    assert "public domain" in licence and "1990" in licence
    assert files.joinpath("names.txt").is_file()


def test_embedding_feeds_a_value_index() -> None:
    emb = nn.Embedding(3, 2)
    out = emb(Value(np.array([2, 0]), requires_grad=False))
    np.testing.assert_array_equal(out.data, emb.weight.data[[2, 0]])
