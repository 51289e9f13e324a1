"""conv2d and conv_transpose2d: the fast path against the loop reference, finite-difference
gradchecks (first and second order), float32, errors, the layers, and PyTorch (outputs and
every gradient over a sweep of shapes, strides, paddings and dilations; skipped without torch).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd as ag
import nn
from autograd import Value, gradcheck
from autograd.ops.conv_reference import conv2d_reference, conv_transpose2d_reference
from autograd.ops.gelu import gelu


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


# (N, C, H, W), O, kernel, stride, padding, dilation
CONV_SWEEP = [
    ((2, 3, 7, 6), 4, 3, 1, 0, 1),
    ((1, 1, 5, 5), 2, 3, 1, 1, 1),
    ((2, 2, 8, 7), 3, 3, 2, 1, 1),
    ((1, 3, 9, 8), 2, (3, 2), (2, 1), (1, 2), (1, 2)),
    ((2, 2, 6, 6), 3, 1, 1, 0, 1),
    ((1, 2, 10, 9), 2, 3, 3, 2, 2),
    ((3, 1, 4, 4), 1, 4, 1, 0, 1),  # kernel as large as the image: one output pixel
    ((1, 2, 5, 7), 3, (2, 3), 2, (0, 1), (2, 1)),
]
CONV_IDS = [f"{s}-o{o}-k{k}-s{st}-p{p}-d{d}" for s, o, k, st, p, d in CONV_SWEEP]


def _kernel(k):
    return (k, k) if isinstance(k, int) else k


def conv_inputs(case, seed=0, transpose=False):
    shape, o, k, *_ = case
    r = rng(seed)
    x = r.standard_normal(shape)
    wshape = (shape[1], o, *_kernel(k)) if transpose else (o, shape[1], *_kernel(k))
    return x, r.standard_normal(wshape), r.standard_normal(o)


def _output_padding(case):
    """A legal output_padding for conv_transpose2d: 1 where the stride allows it."""
    stride = case[3]
    s = (stride, stride) if isinstance(stride, int) else stride
    return tuple(1 if si > 1 else 0 for si in s)


# ------------------------------------------------------------------ fast path = loops
@pytest.mark.parametrize("case", CONV_SWEEP, ids=CONV_IDS)
def test_conv2d_matches_loop_reference(case):
    x, w, b = conv_inputs(case)
    _, _, _, s, p, d = case
    fast = ag.conv2d(x, w, b, s, p, d).data
    np.testing.assert_allclose(fast, conv2d_reference(x, w, b, s, p, d), rtol=1e-12, atol=1e-12)
    nobias = ag.conv2d(x, w, None, s, p, d).data
    np.testing.assert_allclose(nobias, conv2d_reference(x, w, None, s, p, d), atol=1e-12)


@pytest.mark.parametrize("case", CONV_SWEEP, ids=CONV_IDS)
def test_conv_transpose2d_matches_loop_reference(case):
    x, w, b = conv_inputs(case, transpose=True)
    _, _, _, s, p, d = case
    e = _output_padding(case)
    fast = ag.conv_transpose2d(x, w, b, s, p, e, dilation=d).data
    slow = conv_transpose2d_reference(x, w, b, s, p, e, d)
    np.testing.assert_allclose(fast, slow, rtol=1e-12, atol=1e-12)


def test_one_output_pixel_by_hand():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    w = np.array([[[[1.0, 0.0], [0.0, -1.0]]]])  # top-left minus bottom-right
    y = ag.conv2d(x, w).data
    assert y.shape == (1, 1, 3, 3)
    assert y[0, 0, 1, 2] == x[0, 0, 1, 2] - x[0, 0, 2, 3] == -5.0
    np.testing.assert_array_equal(y, np.full((1, 1, 3, 3), -5.0))


def test_conv_transpose2d_is_the_input_gradient_of_conv2d():
    """⟨conv2d(x, w), g⟩ = ⟨x, conv_transpose2d(g, w)⟩: the two ops are adjoint."""
    r = rng(3)
    x, w = r.standard_normal((2, 3, 9, 9)), r.standard_normal((4, 3, 3, 3))
    y = ag.conv2d(x, w, None, 2, 1).data
    g = r.standard_normal(y.shape)
    back = ag.conv_transpose2d(g, w, None, 2, 1).data  # 9 = (5 − 1)·2 − 2 + 3
    assert back.shape == x.shape
    np.testing.assert_allclose(np.sum(y * g), np.sum(x * back), rtol=1e-12)
    X = Value(x)
    (ag.conv2d(X, w, None, 2, 1) * g).sum().backward()
    np.testing.assert_allclose(X.grad, back, rtol=1e-12)


# ------------------------------------------------------------------ gradchecks (no torch)
@pytest.mark.parametrize("case", CONV_SWEEP[:6], ids=CONV_IDS[:6])
def test_conv2d_gradcheck(case):
    x, w, b = conv_inputs(case, seed=1)
    _, _, _, s, p, d = case
    assert gradcheck(lambda x, w, b: ag.conv2d(x, w, b, s, p, d), x, w, b)


@pytest.mark.parametrize("case", CONV_SWEEP[:6], ids=CONV_IDS[:6])
def test_conv_transpose2d_gradcheck(case):
    x, w, b = conv_inputs(case, seed=2, transpose=True)
    _, _, _, s, p, d = case
    e = _output_padding(case)
    assert gradcheck(lambda x, w, b: ag.conv_transpose2d(x, w, b, s, p, e, dilation=d), x, w, b)


def _second_order(f, *inputs):
    """gradcheck the gradient of h = Σ(½y² + c·y), y = f(inputs), computed by a recorded
    backward pass — so the backward of conv is itself differentiated."""

    def h(*xs):
        y = f(*xs)
        c = np.random.default_rng(2).standard_normal(y.shape)
        return (y * y * 0.5 + y * c).sum()

    def first(*xs):
        grads = ag.grad(h, tuple(range(len(xs))))(*xs)
        return ag.concatenate([ag.reshape(g, (-1,)) for g in grads])

    return gradcheck(first, *inputs)


@pytest.mark.parametrize("case", [CONV_SWEEP[1], CONV_SWEEP[3]], ids=[CONV_IDS[1], CONV_IDS[3]])
def test_conv2d_second_order(case):
    x, w, b = conv_inputs(case, seed=4)
    _, _, _, s, p, d = case
    assert _second_order(lambda x, w, b: ag.conv2d(x, w, b, s, p, d), x, w, b)


@pytest.mark.parametrize("case", [CONV_SWEEP[2], CONV_SWEEP[3]], ids=[CONV_IDS[2], CONV_IDS[3]])
def test_conv_transpose2d_second_order(case):
    x, w, b = conv_inputs(case, seed=5, transpose=True)
    _, _, _, s, p, d = case
    e = _output_padding(case)
    f = lambda x, w, b: ag.conv_transpose2d(x, w, b, s, p, e, dilation=d)  # noqa: E731
    assert _second_order(f, x, w, b)


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_gradcheck_and_values(approximate):
    x = rng(6).standard_normal((3, 5)) * 2
    assert gradcheck(lambda x: gelu(x, approximate), x)
    assert _second_order(lambda x: gelu(x, approximate), x)
    y = ag.gelu(x, approximate).data
    if approximate == "none":
        phi = np.array([0.5 * (1 + math.erf(v / math.sqrt(2))) for v in x.ravel()])
        np.testing.assert_allclose(y, x * phi.reshape(x.shape), rtol=1e-14, atol=1e-15)
    else:
        inner = math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)
        np.testing.assert_allclose(y, 0.5 * x * (1 + np.tanh(inner)), rtol=1e-14, atol=1e-15)
    with pytest.raises(ValueError, match="approximate"):
        ag.gelu(x, "exact")


# ------------------------------------------------------------------ dtype and errors
def test_float32_stays_float32():
    r = rng(7)
    x = Value(r.standard_normal((2, 3, 8, 8)).astype(np.float32))
    w = Value(r.standard_normal((4, 3, 3, 3)).astype(np.float32))
    b = Value(np.zeros(4, np.float32))
    y = ag.conv2d(x, w, b, 2, 1)
    assert y.dtype == np.float32
    z = ag.conv_transpose2d(y, Value(r.standard_normal((4, 3, 3, 3)).astype(np.float32)), None, 2)
    assert z.dtype == np.float32
    (z.sum() + ag.gelu(y).sum() + ag.gelu(y, "tanh").sum()).backward()
    assert x.grad.dtype == w.grad.dtype == b.grad.dtype == np.float32


def test_errors_name_the_op_the_shapes_and_the_rule():
    x, w = np.zeros((1, 3, 4, 4)), np.zeros((2, 3, 5, 5))
    with pytest.raises(ValueError, match=r"conv2d: the kernel spans 5.*padded input is only 4"):
        ag.conv2d(x, w)
    assert ag.conv2d(x, w, padding=1).shape == (1, 2, 2, 2)  # fits once padded
    with pytest.raises(ValueError, match=r"conv2d: input \(1, 2, 4, 4\) has 2 channels"):
        ag.conv2d(np.zeros((1, 2, 4, 4)), np.zeros((2, 3, 3, 3)))
    with pytest.raises(ValueError, match=r"4-d.*x.reshape\(1, \*x.shape\)"):
        ag.conv2d(np.zeros((3, 4, 4)), np.zeros((2, 3, 3, 3)))
    with pytest.raises(ValueError, match=r"bias must have shape \(2,\)"):
        ag.conv2d(x, np.zeros((2, 3, 3, 3)), np.zeros(3))
    with pytest.raises(ValueError, match="stride must be an int ≥ 1"):
        ag.conv2d(x, np.zeros((2, 3, 3, 3)), stride=0)
    with pytest.raises(ValueError, match="output_padding 2 .* smaller than the stride"):
        ag.conv_transpose2d(np.zeros((1, 3, 4, 4)), np.zeros((3, 2, 3, 3)), None, 2, 0, 2)
    with pytest.raises(ValueError, match=r"conv_transpose2d: input .* has 2 channels"):
        ag.conv_transpose2d(np.zeros((1, 2, 4, 4)), np.zeros((3, 2, 3, 3)))


# ------------------------------------------------------------------ layers
def test_conv_layers_shapes_names_and_default_init():
    conv = nn.Conv2d(3, 16, 5)
    assert [name for name, _ in conv.named_parameters()] == ["weight", "bias"]
    assert conv.weight.shape == (16, 3, 5, 5) and conv.bias.shape == (16,)
    assert conv.weight.dtype == np.float32
    bound = 1 / math.sqrt(3 * 25)  # kaiming_uniform(a=√5) = U(±1/√fan_in)
    assert np.abs(conv.weight.data).max() <= bound and np.abs(conv.bias.data).max() <= bound
    assert np.abs(conv.weight.data).max() > 0.9 * bound
    up = nn.ConvTranspose2d(16, 4, 4, stride=2, padding=1, bias=False)
    assert up.weight.shape == (16, 4, 4, 4) and up.bias is None
    assert np.abs(up.weight.data).max() <= 1 / math.sqrt(4 * 16)  # fan_in from weight.shape[1]
    x = np.zeros((2, 3, 12, 10), np.float32)
    y = conv(x)
    assert y.shape == conv.output_shape(x.shape) == (2, 16, 8, 6)
    z = up(y)
    assert z.shape == up.output_shape(y.shape) == (2, 4, 16, 12)  # kernel 4, stride 2: doubled
    assert conv.num_parameters() == 16 * (3 * 25 + 1)
    assert "Conv2d(3, 16, kernel_size=(5, 5)" in repr(nn.Sequential(conv))


def test_unflatten_inverts_flatten():
    x = rng(8).standard_normal((4, 1, 8, 8))
    flat = nn.Flatten()(x)
    back = nn.Unflatten(1, (1, 8, 8))(flat)
    np.testing.assert_array_equal(back.data, x)
    assert nn.Unflatten(-1, (2, -1))(flat).shape == (4, 2, 32)
    with pytest.raises(ValueError, match="Unflatten: axis 1 .* multiply to 60"):
        nn.Unflatten(1, (6, 10))(flat)


def test_small_cnn_trains_a_step():
    ag.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 8, 3),
        nn.GELU(), nn.AvgPool2d(2), nn.Flatten(), nn.Linear(8, 3),
    )  # fmt: skip
    x = rng(9).standard_normal((5, 1, 8, 8)).astype(np.float32)
    y = np.array([0, 1, 2, 1, 0])
    loss = nn.F.cross_entropy(model(x), y)
    loss.backward()
    assert all(p.grad is not None and p.grad.shape == p.shape for p in model.parameters())


# ------------------------------------------------------------------ PyTorch
@pytest.mark.parametrize("case", CONV_SWEEP, ids=CONV_IDS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_conv2d_and_every_gradient_match_torch(case, dtype):
    torch = pytest.importorskip("torch")
    x, w, b = (a.astype(dtype) for a in conv_inputs(case, seed=10))
    _, _, _, s, p, d = case
    X, W, B = Value(x), Value(w), Value(b)
    y = ag.conv2d(X, W, B, s, p, d)
    g = rng(11).standard_normal(y.shape).astype(dtype)
    (y * g).sum().backward()
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    ty = torch.nn.functional.conv2d(tx, tw, tb, s, p, d)
    (ty * torch.tensor(g)).sum().backward()
    tol = dict(rtol=1e-5, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), **tol)
    for ours, theirs in ((X, tx), (W, tw), (B, tb)):
        assert ours.grad.dtype == dtype
        np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), **tol)


@pytest.mark.parametrize("case", CONV_SWEEP, ids=CONV_IDS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_conv_transpose2d_and_every_gradient_match_torch(case, dtype):
    torch = pytest.importorskip("torch")
    x, w, b = (a.astype(dtype) for a in conv_inputs(case, seed=12, transpose=True))
    _, _, _, s, p, d = case
    e = _output_padding(case)
    X, W, B = Value(x), Value(w), Value(b)
    y = ag.conv_transpose2d(X, W, B, s, p, e, dilation=d)
    g = rng(13).standard_normal(y.shape).astype(dtype)
    (y * g).sum().backward()
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    ty = torch.nn.functional.conv_transpose2d(tx, tw, tb, s, p, e, 1, d)
    (ty * torch.tensor(g)).sum().backward()
    tol = dict(rtol=1e-5, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), **tol)
    for ours, theirs in ((X, tx), (W, tw), (B, tb)):
        np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), **tol)


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_matches_torch(approximate):
    torch = pytest.importorskip("torch")
    x = (rng(14).standard_normal((4, 6)) * 3).astype(np.float32)
    X = Value(x)
    y = ag.gelu(X, approximate)
    y.sum().backward()
    tx = torch.tensor(x, requires_grad=True)
    ty = torch.nn.functional.gelu(tx, approximate=approximate)
    ty.sum().backward()
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(X.grad, tx.grad.numpy(), rtol=1e-5, atol=1e-6)
    assert repr(nn.GELU(approximate)) == repr(nn.GELU(approximate))  # constructs


def test_torch_state_dict_loads_unchanged_and_gives_the_same_outputs():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.ConvTranspose2d(4, 2, 4, stride=2, padding=1), torch.nn.GELU(),
        torch.nn.AvgPool2d(2), torch.nn.Flatten(), torch.nn.Linear(32, 3),
        torch.nn.Unflatten(1, (3, 1)),
    )  # fmt: skip
    ours = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.ConvTranspose2d(4, 2, 4, stride=2, padding=1), nn.GELU(),
        nn.AvgPool2d(2), nn.Flatten(), nn.Linear(32, 3), nn.Unflatten(1, (3, 1)),
    )  # fmt: skip
    state = {k: v.detach().numpy() for k, v in theirs.state_dict().items()}
    assert {k: v.shape for k, v in ours.state_dict().items()} == {
        k: v.shape for k, v in state.items()
    }
    ours.load_state_dict(state)
    x = rng(15).standard_normal((2, 1, 8, 8)).astype(np.float32)
    np.testing.assert_allclose(
        ours(x).data, theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-5, atol=1e-6
    )
    # and the default initialisations draw from the same range
    pairs = [
        (nn.Conv2d(6, 5, 3), torch.nn.Conv2d(6, 5, 3)),
        (nn.ConvTranspose2d(6, 5, 3), torch.nn.ConvTranspose2d(6, 5, 3)),
    ]
    for mine, reference in pairs:
        params = zip(mine.named_parameters(), reference.named_parameters(), strict=True)
        bound = 1 / math.sqrt(mine.weight.shape[1] * 9)  # 1/√fan_in, fan_in = shape[1]·kh·kw
        for (name, p), (_, q) in params:
            assert np.abs(q.detach().numpy()).max() <= bound  # PyTorch's range ...
            assert np.abs(p.data).max() <= bound, name  # ... is ours
        weights = np.abs(mine.weight.data).max(), float(reference.weight.detach().abs().max())
        assert min(weights) > 0.8 * bound  # 270 draws fill the range in both


# ------------------------------------------------------------------ drawings
def test_draw_network_draws_a_cnn_as_blocks_with_shapes():
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(256, 10),
    )  # fmt: skip
    source = nn.draw_network(model, input_shape=(1, 8, 8)).source
    assert "Conv2d 1→16, kernel 3×3" in source and "weight 16×1×3×3, bias 16" in source
    assert "160 parameters" in source and f"{model.num_parameters():,} parameters in all" in source
    for shape in ("1×8×8", "16×8×8", "16×4×4", "256"):
        assert shape in source
    assert source.count("shape=circle") == 0  # no neurons drawn
    plain = nn.draw_network(model).source  # without input_shape: the blocks, no shapes
    assert "MaxPool2d" in plain and "16×4×4" not in plain
    decoder = nn.Sequential(nn.Unflatten(1, (4, 2, 2)), nn.ConvTranspose2d(4, 1, 4, 2, 1))
    assert "1×4×4" in nn.draw_network(decoder, input_shape=(16,)).source


def test_draw_graph_of_a_cnn_has_one_node_per_op():
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(36, 10))  # fmt: skip
    loss = nn.F.cross_entropy(model(np.zeros((2, 1, 8, 8), np.float32)), np.array([0, 1]))
    source = ag.draw_graph(loss).source
    assert "conv2d" in source and "max_pool2d" in source
    assert len(source) < 20_000  # tensors are nodes, not thousands of scalars


def test_value_gelu_method_is_the_function():
    x = rng(16).standard_normal((2, 3))
    for approximate in ("none", "tanh"):
        np.testing.assert_array_equal(Value(x).gelu(approximate).data, gelu(x, approximate).data)
