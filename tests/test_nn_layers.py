"""Layers: Linear, activations, Flatten, Sequential, MLP and the scalar (neuron-level) modules."""

import math

import numpy as np
import pytest

import autograd
import nn
from autograd import Value, gradcheck


def rng(seed=0):
    return np.random.default_rng(seed)


def set_parameters(model, values, names):
    """Put ``values`` (in the order of ``names``) into ``model`` as its parameters: a way to
    gradcheck a module with respect to its own parameters. gradcheck passes the inputs it is
    not perturbing as plain data, so those become Values here."""
    modules = dict(model.named_modules())
    for name, value in zip(names, values, strict=True):
        if not isinstance(value, Value):
            value = Value(value)
        owner, _, attr = name.rpartition(".")
        target = modules[owner] if owner in modules else None
        if target is None:  # inside a list attribute: "w.0"
            owner, _, index = owner.rpartition(".")
            getattr(modules[owner], index)[int(attr)] = value
        else:
            setattr(target, attr, value)


# ------------------------------------------------------------------ Linear
def test_linear_shapes_dtype_and_formula():
    autograd.manual_seed(0)
    layer = nn.Linear(3, 4)
    assert layer.weight.shape == (4, 3) and layer.bias.shape == (4,)
    assert layer.weight.dtype == np.float32 and layer.bias.dtype == np.float32
    x = rng().standard_normal((5, 3)).astype(np.float32)
    out = layer(x)
    assert out.shape == (5, 4) and out.dtype == np.float32
    expected = x @ layer.weight.data.T + layer.bias.data
    np.testing.assert_allclose(out.data, expected, rtol=1e-6)
    single = layer(x[0])  # one example without a batch axis
    np.testing.assert_allclose(single.data, expected[0], rtol=1e-6)
    assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"]


def test_linear_without_bias_and_float64():
    layer = nn.Linear(2, 3, bias=False, dtype=np.float64)
    assert layer.bias is None and len(layer.parameters()) == 1
    assert layer.weight.dtype == np.float64
    x = np.ones((1, 2))
    np.testing.assert_allclose(layer(x).data, x @ layer.weight.data.T)
    assert "dtype=float64" in repr(layer) and "bias=False" in repr(layer)


@pytest.mark.parametrize("bias", [True, False])
def test_linear_gradcheck(bias):
    layer = nn.Linear(3, 2, bias=bias, dtype=np.float64)
    x = rng(1).standard_normal((4, 3))
    params = [p.data for p in layer.parameters()]
    names = [name for name, _ in layer.named_parameters()]

    def f(x, *params):
        set_parameters(layer, params, names)
        return layer(x).tanh()

    assert gradcheck(f, x, *params)


def test_linear_wrong_feature_count_is_a_clear_error():
    layer = nn.Linear(3, 4)
    with pytest.raises(
        ValueError, match=r"Linear\(3→4\) got input with 5 features \(shape \(2, 5\)"
    ):
        layer(np.ones((2, 5)))
    with pytest.raises(ValueError, match="no feature axis"):
        layer(Value(1.0))


def test_linear_default_init_is_pytorch_uniform():
    autograd.manual_seed(3)
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    for p in (layer.weight.data, layer.bias.data):
        assert np.abs(p).max() <= bound
        assert np.abs(p).max() > 0.95 * bound  # really spread over the interval
    np.testing.assert_allclose(layer.weight.data.std(), bound / math.sqrt(3), rtol=0.03)


@pytest.mark.parametrize(
    "init, std",
    [("he", math.sqrt(2 / 500)), ("xavier", math.sqrt(2 / 800)), ("lecun", math.sqrt(1 / 500))],
)
def test_linear_named_init(init, std):
    autograd.manual_seed(4)
    layer = nn.Linear(500, 300, init=init)
    np.testing.assert_allclose(layer.weight.data.std(), std, rtol=0.03)
    assert np.all(layer.bias.data == 0)


def test_linear_init_function_and_bad_arguments():
    layer = nn.Linear(2, 2, init=lambda w: nn.init.normal(w, 5.0, 0.0))
    assert np.all(layer.weight.data == 5.0) and np.all(layer.bias.data == 0)
    with pytest.raises(ValueError, match="unknown init"):
        nn.Linear(2, 2, init="hee")
    with pytest.raises(ValueError, match="nin must be a positive integer"):
        nn.Linear(0, 2)
    with pytest.raises(TypeError, match="floating-point"):
        nn.Linear(2, 2, dtype=np.int32)


# ------------------------------------------------------------------ activations
ACTIVATIONS = [
    (nn.ReLU(), lambda x: np.maximum(x, 0)),
    (nn.LeakyReLU(0.1), lambda x: np.where(x > 0, x, 0.1 * x)),
    (nn.Tanh(), np.tanh),
    (nn.Sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
    (nn.Softmax(), lambda x: np.exp(x) / np.exp(x).sum(-1, keepdims=True)),
    (nn.LogSoftmax(), lambda x: x - np.log(np.exp(x).sum(-1, keepdims=True))),
    (nn.Identity(), lambda x: x),
]


@pytest.mark.parametrize("module, reference", ACTIVATIONS, ids=lambda a: type(a).__name__)
def test_activation_values_and_gradcheck(module, reference):
    x = rng(2).standard_normal((3, 4))
    x[np.abs(x) < 0.05] = 0.5  # keep away from kinks for finite differences
    np.testing.assert_allclose(np.asarray(module(Value(x)).data), reference(x), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(module(x).data), reference(x), rtol=1e-12)
    assert gradcheck(lambda v: module(v), x)


@pytest.mark.parametrize("module", [m for m, _ in ACTIVATIONS[:-1]], ids=lambda m: repr(m))
def test_activations_keep_float32(module):
    out = module(Value(np.ones((2, 3), np.float32)))
    assert out.dtype == np.float32


def test_softmax_axis():
    x = rng(3).standard_normal((3, 4))
    out = nn.Softmax(axis=0)(x).data
    np.testing.assert_allclose(out.sum(axis=0), np.ones(4))
    assert repr(nn.Softmax(axis=0)) == "Softmax(axis=0)"


def test_step_is_heaviside_without_gradient():
    x = Value(np.array([-2.0, 0.0, 1e-9, 3.0], np.float32))
    out = nn.Step()(x)
    np.testing.assert_array_equal(out.data, [0, 0, 1, 1])
    assert out.dtype == np.float32 and not out.requires_grad
    assert nn.F.step(0.5).data == 1.0 and nn.F.step(0.0).data == 0.0


def test_flatten():
    x = rng(4).standard_normal((2, 3, 4))
    assert nn.Flatten()(x).shape == (2, 12)
    assert nn.Flatten(0)(Value(x)).shape == (24,)
    assert gradcheck(lambda v: nn.Flatten()(v), x)


# ------------------------------------------------------------------ Sequential
def test_sequential_container_protocol():
    a, b, c = nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)
    seq = nn.Sequential(a, b, c)
    assert len(seq) == 3 and seq[0] is a and seq[-1] is c and list(seq) == [a, b, c]
    head = seq[:2]
    assert isinstance(head, nn.Sequential) and list(head) == [a, b]
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    x = np.ones((4, 2), np.float32)
    np.testing.assert_allclose(seq(x).data, c(b(a(x))).data)
    assert nn.Sequential([a, b]).__len__() == 2
    seq.append(nn.Sigmoid())
    assert len(seq) == 4


def test_sequential_rejects_non_modules():
    with pytest.raises(TypeError, match="forget the parentheses"):
        nn.Sequential(nn.Linear(2, 2), nn.ReLU)
    with pytest.raises(TypeError, match="nn.Module instances"):
        nn.Sequential(np.tanh)


# ------------------------------------------------------------------ MLP
def test_mlp_structure_last_layer_linear():
    model = nn.MLP(2, [8, 8, 3], activation="tanh")
    kinds = [type(m).__name__ for m in model]
    assert kinds == ["Linear", "Tanh", "Linear", "Tanh", "Linear"]
    assert [n for n, _ in model.named_parameters()][::2] == ["0.weight", "2.weight", "4.weight"]
    assert model(np.zeros((5, 2), np.float32)).shape == (5, 3)
    with_output = nn.MLP(2, [4, 1], output_activation="sigmoid")
    assert [type(m).__name__ for m in with_output] == ["Linear", "ReLU", "Linear", "Sigmoid"]
    assert [type(m).__name__ for m in nn.MLP(2, 1)] == ["Linear"]
    assert isinstance(nn.MLP(2, [3, 1], activation=nn.Tanh)[1], nn.Tanh)
    assert isinstance(nn.MLP(2, [3, 1], activation=None)[1], nn.Linear)


def test_mlp_init_matches_activation():
    autograd.manual_seed(5)
    relu = nn.MLP(600, [600, 1], activation="relu")
    tanh = nn.MLP(600, [600, 1], activation="tanh")
    np.testing.assert_allclose(relu[0].weight.data.std(), math.sqrt(2 / 600), rtol=0.03)
    np.testing.assert_allclose(tanh[0].weight.data.std(), math.sqrt(2 / 1200), rtol=0.03)
    assert np.all(relu[0].bias.data == 0)
    lecun = nn.MLP(600, [600, 1], init="lecun")
    np.testing.assert_allclose(lecun[0].weight.data.std(), math.sqrt(1 / 600), rtol=0.03)


def test_mlp_bad_arguments():
    with pytest.raises(ValueError, match="unknown activation"):
        nn.MLP(2, [3, 1], activation="rleu")
    with pytest.raises(ValueError, match="at least one"):
        nn.MLP(2, [])
    with pytest.raises(ValueError, match="positive integer"):
        nn.MLP(2, [3, 0])


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu"])
def test_mlp_gradcheck_every_parameter(activation):
    autograd.manual_seed(6)
    model = nn.MLP(3, [4, 2], activation=activation, dtype=np.float64)
    x = rng(5).standard_normal((5, 3))
    y = np.array([0, 1, 1, 0, 1])
    names = [name for name, _ in model.named_parameters()]

    def f(x, *params):
        set_parameters(model, params, names)
        return nn.F.cross_entropy(model(x), y)

    assert gradcheck(f, x, *[p.data for p in model.parameters()])


def test_mlp_trains_on_xor():
    optim = pytest.importorskip("optim")
    autograd.manual_seed(7)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
    y = np.array([0, 1, 1, 0])
    model = nn.MLP(2, [8, 2])
    opt = optim.Adam(model.parameters(), lr=0.05)
    for _ in range(300):
        loss = nn.F.cross_entropy(model(X), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 0.05
    np.testing.assert_array_equal(model(X).numpy().argmax(1), y)


# ------------------------------------------------------------------ scalar modules
def test_neuron_is_a_hand_computable_formula():
    autograd.manual_seed(8)
    neuron = nn.scalar.Neuron(3, activation="tanh")
    assert all(type(w.data) is float for w in neuron.w) and type(neuron.b.data) is float
    assert all(-1 <= w.data <= 1 for w in neuron.w) and neuron.b.data == 0.0
    x = [0.5, -1.0, 2.0]
    out = neuron(x)
    z = sum(w.data * xi for w, xi in zip(neuron.w, x, strict=True)) + neuron.b.data
    assert out.data == pytest.approx(math.tanh(z))
    out.backward()
    for w, xi in zip(neuron.w, x, strict=True):  # ∂tanh(z)/∂wᵢ = (1 − tanh²z)·xᵢ
        assert w.grad == pytest.approx((1 - math.tanh(z) ** 2) * xi)
    assert neuron.b.grad == pytest.approx(1 - math.tanh(z) ** 2)
    assert nn.scalar.Neuron(2, nonlin=False).activation is None
    with pytest.raises(ValueError, match="2 inputs got 3"):
        nn.scalar.Neuron(2)([1.0, 2.0, 3.0])


def test_scalar_layer_and_mlp_shapes():
    layer = nn.scalar.Layer(2, 3)
    out = layer([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 3
    assert isinstance(nn.scalar.Layer(2, 1)([1.0, 2.0]), Value)
    model = nn.scalar.MLP(2, [4, 4, 1])
    assert len(model.parameters()) == 3 * 4 + 5 * 4 + 5 * 1  # micrograd's count: 41 - 4
    assert model.layers[-1].neurons[0].activation is None  # last layer linear
    assert model.layers[0].neurons[0].activation == "relu"
    assert all(type(p.data) is float for p in model.parameters())
    assert "Layer(nin=2, nout=4, activation=relu)" in repr(model)
    assert isinstance(model(np.array([0.5, -0.5])), Value)


def test_scalar_mlp_gradcheck():
    autograd.manual_seed(9)
    model = nn.scalar.MLP(2, [3, 1], activation="tanh")
    X = [[0.5, -1.0], [1.5, 0.3]]
    y = [1.0, -1.0]
    names = [name for name, _ in model.named_parameters()]

    def f(*params):
        set_parameters(model, params, names)
        return nn.F.mse_loss([model(x) for x in X], y)

    assert gradcheck(f, *[p.data for p in model.parameters()])


def test_scalar_mlp_matches_tensor_mlp_with_the_same_weights():
    autograd.manual_seed(10)
    scalar = nn.scalar.MLP(3, [4, 2], activation="tanh")
    tensor = nn.MLP(3, [4, 2], activation="tanh", dtype=np.float64)
    for i, layer in enumerate(scalar.layers):
        linear = tensor[2 * i]
        linear.weight.data[...] = [[w.data for w in n.w] for n in layer.neurons]
        linear.bias.data[...] = [n.b.data for n in layer.neurons]
    X = rng(6).standard_normal((5, 3))
    y = np.array([0, 1, 1, 0, 0])
    scalar_loss = nn.F.cross_entropy([scalar(x) for x in X], y)
    tensor_loss = nn.F.cross_entropy(tensor(X), y)
    assert scalar_loss.item() == pytest.approx(tensor_loss.item(), rel=1e-12)
    scalar_loss.backward()
    tensor_loss.backward()
    for i, layer in enumerate(scalar.layers):
        grads = [[w.grad for w in n.w] for n in layer.neurons]
        np.testing.assert_allclose(grads, tensor[2 * i].weight.grad, rtol=1e-10)


def test_scalar_mlp_trains_with_an_optimizer():
    optim = pytest.importorskip("optim")
    autograd.manual_seed(11)
    X = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    y = [1.0, -1.0, -1.0, 1.0]  # micrograd's README example
    model = nn.scalar.MLP(3, [4, 4, 1], activation="tanh")
    opt = optim.SGD(model.parameters(), lr=0.05)
    losses = []
    for _ in range(60):
        loss = nn.F.mse_loss([model(x) for x in X], y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.1 * losses[0]
    assert all(type(p.data) is float for p in model.parameters())
