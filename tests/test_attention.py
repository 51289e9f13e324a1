"""scaled_dot_product_attention (a composite of primitives) and nn.MultiheadAttention:
by-hand values, gradchecks, and (when torch is installed) outputs and every gradient against
PyTorch, with boolean, additive and causal masks."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
import nn
from autograd import Value, gradcheck, scaled_dot_product_attention

PRIMITIVES_USED = {"@", "transpose", "*", "softmax"}


def put(module, name, value):
    """Set a parameter for a gradcheck: its numeric pass hands in constants, which Module's
    assignment guard (rightly) refuses for a parameter, so this bypasses it."""
    object.__setattr__(module, name, value)


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def by_hand(q, k, v, allowed=None):
    scores = q @ k.swapaxes(-1, -2) / math.sqrt(q.shape[-1])
    if allowed is not None:
        scores = np.where(allowed, scores, -np.inf)
    weights = np.exp(scores - scores.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    return weights @ v


def test_matches_numpy_by_hand_and_is_exported() -> None:
    r = rng()
    q, k, v = (
        r.standard_normal((2, 3, 4)),
        r.standard_normal((2, 5, 4)),
        r.standard_normal((2, 5, 6)),
    )
    out = scaled_dot_product_attention(q, k, v)
    assert out.shape == (2, 3, 6)
    np.testing.assert_allclose(out.data, by_hand(q, k, v), rtol=1e-12)
    assert nn.F.scaled_dot_product_attention is autograd.scaled_dot_product_attention


def test_is_a_composite_of_primitives() -> None:
    q = Value(rng().standard_normal((3, 4)))
    out = scaled_dot_product_attention(q, q, q, is_causal=True)
    ops, stack, seen = set(), [out], set()
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            ops.add(node.op)
            stack.extend(node.parents)
    assert PRIMITIVES_USED <= ops and "where" in ops


def test_causal_and_boolean_masks() -> None:
    r = rng(1)
    q, k, v = (r.standard_normal((4, 3)) for _ in range(3))
    causal = scaled_dot_product_attention(q, k, v, is_causal=True)
    np.testing.assert_allclose(causal.data, by_hand(q, k, v, np.tril(np.ones((4, 4), bool))))
    np.testing.assert_allclose(causal.data[0], v[0])  # the first token sees only itself
    allowed = r.random((4, 4)) > 0.3
    allowed[:, 0] = True
    boolean = scaled_dot_product_attention(q, k, v, attn_mask=allowed)
    np.testing.assert_allclose(boolean.data, by_hand(q, k, v, allowed), rtol=1e-12)
    additive = np.where(allowed, 0.0, -np.inf)
    added = scaled_dot_product_attention(q, k, v, attn_mask=additive)
    np.testing.assert_allclose(added.data, boolean.data, rtol=1e-12)
    with pytest.raises(ValueError, match="not both"):
        scaled_dot_product_attention(q, k, v, attn_mask=allowed, is_causal=True)
    with pytest.raises(ValueError, match="same feature size"):
        scaled_dot_product_attention(q, k[:, :2], v)


def test_float32_stays_float32() -> None:
    q = Value(rng().standard_normal((2, 3, 4)).astype(np.float32))
    out = scaled_dot_product_attention(q, q, q, attn_mask=np.zeros((3, 3)))
    assert out.dtype == np.float32
    out.sum().backward()
    assert q.grad.dtype == np.float32


def test_gradcheck_with_masks() -> None:
    r = rng(2)
    q, k, v = (
        r.standard_normal((2, 3, 4)),
        r.standard_normal((2, 5, 4)),
        r.standard_normal((2, 5, 2)),
    )
    allowed = r.random((3, 5)) > 0.4
    allowed[:, 0] = True
    float_mask = r.standard_normal((3, 5))
    assert gradcheck(scaled_dot_product_attention, q, k, v)
    assert gradcheck(lambda q, k, v: scaled_dot_product_attention(q, k, v, attn_mask=allowed),
                     q, k, v)  # fmt: skip
    assert gradcheck(scaled_dot_product_attention, q, k, v, float_mask)  # the mask too
    assert gradcheck(lambda q, v: scaled_dot_product_attention(q, q, v, is_causal=True),
                     q, r.standard_normal((2, 3, 2)))  # fmt: skip


def test_multihead_parameters_and_shapes() -> None:
    autograd.manual_seed(0)
    mha = nn.MultiheadAttention(8, 2)
    assert [(n, p.shape) for n, p in mha.named_parameters()] == [
        ("in_proj_weight", (24, 8)), ("in_proj_bias", (24,)), ("out_proj.weight", (8, 8)),
        ("out_proj.bias", (8,)),
    ]  # fmt: skip
    x = rng().standard_normal((5, 3, 8)).astype(np.float32)
    out, weights = mha(x, x, x)
    assert out.shape == (5, 3, 8) and weights.shape == (3, 5, 5) and out.dtype == np.float32
    np.testing.assert_allclose(weights.data.sum(-1), 1, rtol=1e-5)
    out, weights = mha(x[:, 0], x[:, 0], x[:, 0], need_weights=False)
    assert out.shape == (5, 8) and weights is None
    with pytest.raises(ValueError, match="divisible"):
        nn.MultiheadAttention(6, 4)


def test_multihead_gradcheck() -> None:
    r = rng(3)
    mha = nn.MultiheadAttention(4, 2, batch_first=True, dtype=np.float64)
    names = [n for n, _ in mha.named_parameters()]
    mask = np.triu(np.ones((3, 3), bool), 1)  # the layer's convention: True = blocked

    def f(x, kv, *params):
        for name, p in zip(names, params, strict=True):
            if name.startswith("out_proj."):
                put(mha.out_proj, name.split(".")[1], p)
            else:
                put(mha, name, p)
        out, w = mha(x, x, x, attn_mask=mask)
        cross, _ = mha(x, kv, kv)
        return out.sum() * 0.3 + (out * out).sum() + (w * w).sum() + (cross * cross).sum()

    params = [p.data * 3 for p in mha.parameters()]
    assert gradcheck(f, r.standard_normal((2, 3, 4)), r.standard_normal((2, 5, 4)), *params)


# ------------------------------------------------------------------------------------- PyTorch
@pytest.mark.parametrize("mask", [None, "bool", "float", "causal"])
@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 5, 4)])
def test_sdpa_matches_torch(mask: str | None, shape: tuple[int, ...]) -> None:
    torch = pytest.importorskip("torch")
    r = rng(4)
    q = r.standard_normal(shape)
    k = r.standard_normal(shape[:-2] + (shape[-2] + 1, shape[-1]))
    v = r.standard_normal(shape[:-2] + (shape[-2] + 1, 3))
    L, S = shape[-2], shape[-2] + 1
    kwargs: dict = {}
    if mask == "bool":
        allowed = r.random((L, S)) > 0.4
        allowed[:, 0] = True
        kwargs = {"attn_mask": allowed}
    elif mask == "float":
        kwargs = {"attn_mask": r.standard_normal((L, S))}
    elif mask == "causal":
        kwargs = {"is_causal": True}
    ours_in = [Value(a) for a in (q, k, v)]
    theirs_in = [torch.tensor(a, requires_grad=True) for a in (q, k, v)]
    out = scaled_dot_product_attention(*ours_in, **kwargs)
    t_kwargs = {n: torch.from_numpy(m) if isinstance(m, np.ndarray) else m
                for n, m in kwargs.items()}  # fmt: skip
    ref = torch.nn.functional.scaled_dot_product_attention(*theirs_in, **t_kwargs)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-10, atol=1e-12)
    w = r.standard_normal(out.shape)
    (out * w).sum().backward()
    (ref * torch.from_numpy(w)).sum().backward()
    for a, b in zip(ours_in, theirs_in, strict=True):
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("mask", [None, "bool", "float", "causal", "per-head"])
@pytest.mark.parametrize("self_attention", [True, False])
def test_multihead_matches_torch(batch_first: bool, mask: str | None, self_attention: bool) -> None:
    torch = pytest.importorskip("torch")
    autograd.manual_seed(5)
    ours = nn.MultiheadAttention(6, 3, batch_first=batch_first, dtype=np.float64)
    theirs = torch.nn.MultiheadAttention(6, 3, batch_first=batch_first, dtype=torch.float64)
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    r = rng(6)
    n, L, S = 2, 4, 4 if self_attention else 5
    layout = (lambda t: (n, t, 6)) if batch_first else (lambda t: (t, n, 6))
    q = r.standard_normal(layout(L))
    kv = q if self_attention else r.standard_normal(layout(S))
    attn_mask, t_mask, is_causal = None, None, False
    if mask == "bool":
        attn_mask = r.random((L, S)) < 0.3  # True = blocked, the layer's convention
        attn_mask[:, 0] = False
    elif mask == "float":
        attn_mask = r.standard_normal((L, S))
    elif mask == "per-head":
        attn_mask = r.standard_normal((n * 3, L, S))
    elif mask == "causal":
        attn_mask, is_causal = np.triu(np.ones((L, S), bool), 1), True
    if attn_mask is not None:
        t_mask = torch.from_numpy(attn_mask)
    q_ours = Value(q)
    kv_ours = q_ours if self_attention else Value(kv)
    q_theirs = torch.tensor(q, requires_grad=True)
    kv_theirs = q_theirs if self_attention else torch.tensor(kv, requires_grad=True)
    out, w = ours(q_ours, kv_ours, kv_ours, attn_mask=attn_mask, is_causal=is_causal)
    ref, w_ref = theirs(q_theirs, kv_theirs, kv_theirs, attn_mask=t_mask, is_causal=is_causal)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(w.data, w_ref.detach().numpy(), rtol=1e-9, atol=1e-12)
    g_out, g_w = r.standard_normal(out.shape), r.standard_normal(w.shape)
    ((out * g_out).sum() + (w * g_w).sum()).backward()
    ((ref * torch.from_numpy(g_out)).sum() + (w_ref * torch.from_numpy(g_w)).sum()).backward()
    np.testing.assert_allclose(q_ours.grad, q_theirs.grad.numpy(), rtol=1e-8, atol=1e-12)
    if not self_attention:
        np.testing.assert_allclose(kv_ours.grad, kv_theirs.grad.numpy(), rtol=1e-8, atol=1e-12)
    grads = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(
            p.grad, grads[name].grad.numpy(), rtol=1e-8, atol=1e-12, err_msg=name
        )


def test_multihead_causal_flag_alone_builds_the_mask() -> None:
    autograd.manual_seed(0)
    mha = nn.MultiheadAttention(4, 2, batch_first=True)
    x = rng().standard_normal((1, 3, 4)).astype(np.float32)
    _, w = mha(x, x, x, is_causal=True)
    assert np.all(w.data[0][np.triu_indices(3, 1)] == 0)
    _, w2 = mha(x, x, x, attn_mask=np.triu(np.ones((3, 3), bool), 1))
    np.testing.assert_array_equal(w.data, w2.data)
