"""Neuron-level networks for teaching: every weight is its own scalar ``Value``.

micrograd's shape: a ``Neuron`` computes act(Σᵢ wᵢ xᵢ + b) one multiplication at a time, a
``Layer`` is a list of neurons, an ``MLP`` a list of layers. Drawn with ``draw_graph`` every
multiply-add is visible, and every weight has its own ``.grad``. It is slow — one graph node per
multiplication — so use ``nn.Linear``/``nn.MLP`` for real data; the losses in ``nn.functional``
and the optimizers in ``optim`` work on both::

    model = nn.scalar.MLP(2, [4, 4, 1])
    preds = [model(x) for x in X]              # one scalar Value per example
    loss = nn.F.hinge_loss(preds, y)           # lists of Values are stacked for you
    loss.backward()
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from autograd import Value
from autograd.random import generator

from .module import Module

_ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu")


def _check_activation(activation: str | None) -> str | None:
    if activation in (None, "linear", "identity"):
        return None
    if activation not in _ACTIVATIONS:
        raise ValueError(
            f"unknown activation {activation!r}; use one of "
            f"{', '.join(_ACTIVATIONS)}, 'linear' or None"
        )
    return activation


def _as_inputs(x: Any) -> list[Any]:
    """One example's inputs as a list; plain numbers become labelled constants x1, x2, …"""
    if isinstance(x, Value) and x.ndim == 0:
        return [x]
    return [
        xi if isinstance(xi, Value) else Value(float(xi), label=f"x{i}", requires_grad=False)
        for i, xi in enumerate(x, start=1)
    ]


class Neuron(Module):
    """One neuron: out = act(w₁x₁ + … + wₙxₙ + b), with scalar-Value weights.

    Weights start uniform in [−1, 1] (micrograd's choice, drawn from the shared seeded
    generator), the bias at 0. ``activation`` is ``"relu"`` (default), ``"tanh"``,
    ``"sigmoid"``, ``"leaky_relu"`` or None/``"linear"``; micrograd's ``nonlin=False`` means
    ``activation=None``.
    """

    def __init__(self, nin: int, activation: str | None = "relu", nonlin: bool | None = None):
        super().__init__()
        if nonlin is not None:
            activation = activation if nonlin else None
        self.activation = _check_activation(activation)
        rng = generator()
        self.w = [Value(float(rng.uniform(-1.0, 1.0))) for _ in range(nin)]
        self.b = Value(0.0)
        self.name_weights("")

    def name_weights(self, prefix: str) -> None:
        """Label the weights ``w{prefix}{i}`` and the bias ``b{prefix}``, counting from 1 as
        ``draw_network`` does (an MLP uses prefix ``"{layer}.{neuron}."``)."""
        for i, w in enumerate(self.w, start=1):
            w.label = f"w{prefix}{i}"
        self.b.label = f"b{prefix.rstrip('.')}"

    def forward(self, x: Any) -> Value:
        x = _as_inputs(x)
        if len(x) != len(self.w):
            raise ValueError(
                f"Neuron with {len(self.w)} inputs got {len(x)} values; a scalar model takes one "
                "example at a time — for a batch X use [model(x) for x in X]"
            )
        total = self.w[0] * x[0]
        for wi, xi in zip(self.w[1:], x[1:], strict=True):
            total = total + wi * xi
        total = total + self.b
        return total if self.activation is None else getattr(total, self.activation)()

    def extra_repr(self) -> str:
        return f"nin={len(self.w)}, activation={self.activation}"


class Layer(Module):
    """``nout`` neurons that each see the same ``nin`` inputs.

    Returns a list of ``nout`` scalar Values, or a single Value when ``nout == 1`` (as
    micrograd does).
    """

    def __init__(self, nin: int, nout: int, activation: str | None = "relu", **kwargs: Any):
        super().__init__()
        self.neurons = [Neuron(nin, activation, **kwargs) for _ in range(nout)]
        self.name_weights("")

    def name_weights(self, prefix: str) -> None:
        """Label neuron j's weights ``w{prefix}{j}.{i}`` (from 1)."""
        for j, neuron in enumerate(self.neurons, start=1):
            neuron.name_weights(f"{prefix}{j}.")

    def forward(self, x: Any) -> Value | list[Value]:
        x = _as_inputs(x)  # wrap plain numbers once, so all neurons share the input nodes
        out = [neuron(x) for neuron in self.neurons]
        return out[0] if len(out) == 1 else out

    def __repr__(self) -> str:  # one line, not one per neuron
        first = self.neurons[0]
        return f"Layer(nin={len(first.w)}, nout={len(self.neurons)}, activation={first.activation})"


class MLP(Module):
    """Layers of neurons: ``MLP(3, [4, 4, 1])`` has two hidden layers of 4 and one output.

    Hidden layers use ``activation`` (default ReLU, micrograd's choice; ``"tanh"`` is the
    classic alternative); the last layer is linear. ``model(x)`` takes one example (a list or
    1-D array of numbers) and returns a Value, or a list of Values for several outputs.
    """

    def __init__(self, nin: int, nouts: Sequence[int], activation: str | None = "relu"):
        super().__init__()
        sizes = [nin, *nouts]
        self.layers = [
            Layer(sizes[i], sizes[i + 1], activation if i < len(nouts) - 1 else None)
            for i in range(len(nouts))
        ]
        for number, layer in enumerate(self.layers, start=1):
            layer.name_weights(f"{number}.")  # w{layer}.{neuron}.{input}, as in the textbooks

    def forward(self, x: Any) -> Value | list[Value]:
        for layer in self.layers:
            x = layer(x)
        return x
