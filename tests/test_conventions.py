"""Conventions a newcomer relies on: assigning over a parameter fails loudly with the fix,
PyTorch's keyword names on layers work or name ours, and type hints ship (py.typed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import autograd
import nn
import optim

REPO = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------- assigning over a parameter
def test_assigning_an_array_over_a_parameter_raises_with_the_fix() -> None:
    perceptron = nn.Perceptron(2)
    with pytest.raises(TypeError) as error:
        perceptron.weight = np.array([1.0, 1.0])
    message = str(error.value)
    assert "cannot assign numpy.ndarray as parameter 'weight' of Perceptron" in message
    assert "module.weight.data[...] = array" in message
    assert "autograd.Value(array)" in message
    assert [name for name, _ in perceptron.named_parameters()] == ["weight", "bias"]


@pytest.mark.parametrize("value", [1.5, [1.0, 2.0], np.ones(1, np.float32)])
def test_numbers_lists_and_arrays_over_a_parameter_raise(value) -> None:
    layer = nn.Linear(2, 1)
    with pytest.raises(TypeError, match="cannot assign .* as parameter 'bias' of Linear"):
        layer.bias = value


def test_any_value_may_be_assigned_deliberately() -> None:
    # a constant Value is how gradcheck and functional code swap weights in
    layer = nn.Linear(2, 1, dtype=np.float64)
    layer.weight = autograd.Value(np.ones((1, 2)), requires_grad=False)
    assert [name for name, _ in layer.named_parameters()] == ["bias"]


def test_the_suggested_fixes_work_and_keep_training() -> None:
    perceptron = nn.Perceptron(2)
    perceptron.weight.data[...] = np.array([1.0, 1.0])  # in place: still the same parameter
    assert len(perceptron.parameters()) == 2
    layer = nn.Linear(2, 1)
    layer.weight = autograd.Value(np.ones((1, 2), np.float32))  # a new parameter
    assert layer.parameters()[0] is layer.weight
    layer.bias = None  # removing is allowed, as in PyTorch
    assert len(layer.parameters()) == 1
    optimizer = optim.SGD(layer.parameters(), lr=0.1)
    layer(np.ones((1, 2), np.float32)).sum().backward()
    optimizer.step()
    assert np.allclose(layer.weight.data, 0.9)


def test_scalar_neuron_weights_list_is_protected() -> None:
    neuron = nn.scalar.Neuron(2)
    with pytest.raises(TypeError, match="'w' holds 2 parameters"):
        neuron.w = [0.5, -2.0]
    neuron.w = [autograd.Value(0.5), autograd.Value(-2.0)]  # new parameters: fine
    assert len(neuron.parameters()) == 3


def test_plain_attributes_and_buffers_stay_assignable() -> None:
    bn = nn.BatchNorm1d(3)
    bn.running_mean = np.ones(3, np.float32)  # a buffer, not a parameter
    bn.momentum = 0.5
    assert bn.momentum == 0.5 and bn.running_mean.sum() == 3


# ---------------------------------------------------------------- PyTorch keyword names
def test_linear_takes_pytorch_keyword_names() -> None:
    layer = nn.Linear(in_features=64, out_features=10)
    assert (layer.nin, layer.nout) == (64, 10)
    assert layer.weight.shape == (10, 64)
    assert nn.Linear(3, out_features=2).weight.shape == (2, 3)
    with pytest.raises(TypeError, match="nin or in_features .*not both"):
        nn.Linear(2, 1, in_features=2)
    with pytest.raises(TypeError, match="missing nout .*out_features"):
        nn.Linear(2)


@pytest.mark.parametrize(
    "make, word, names",
    [
        (lambda: nn.Linear(2, 3, device="cpu"), "device", "nin, nout, bias, dtype, init"),
        (lambda: nn.ReLU(inplace=True), "inplace", "takes none"),
        (lambda: nn.BatchNorm1d(num_features=3, device="cpu"), "device", "num_features"),
    ],
)
def test_other_pytorch_keywords_fail_naming_ours(make, word, names) -> None:
    with pytest.raises(TypeError) as error:
        make()
    message = str(error.value)
    assert f"takes no keyword '{word}'" in message and names in message


def test_a_type_error_from_inside_a_constructor_is_not_rewritten() -> None:
    class Broken(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            dict(a=1).get(b=2)  # a TypeError of its own

    with pytest.raises(TypeError, match="get\\(\\) takes no keyword arguments"):
        Broken()


# ---------------------------------------------------------------- py.typed
@pytest.mark.parametrize("package", ["autograd", "nn", "optim"])
def test_packages_ship_py_typed(package: str) -> None:
    assert (REPO / package / "py.typed").is_file()
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    build = config["tool"]["hatch"]["build"]["targets"]
    assert package in build["wheel"]["packages"]  # whole folders: hatch takes py.typed along
    assert package in build["sdist"]["include"]
    assert "exclude" not in build["wheel"]
