"""``Sequential`` (layers applied one after another) and ``MLP`` (the usual stack of them)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import partial
from typing import Any

import numpy as np

from autograd import Value
from autograd.checks import check_size

from . import init as nn_init
from .activations import LeakyReLU, ReLU, Sigmoid, Tanh
from .linear import Init, Linear
from .module import Module


class Sequential(Module):
    """Modules applied in order: ``Sequential(a, b, c)(x) == c(b(a(x)))``.

    Layers are named ``0``, ``1``, ... (``"0.weight"``), as in ``torch.nn.Sequential``, so
    state dicts carry over. Supports ``len``, iteration, ``seq[i]`` and slicing
    (``seq[:-1]`` is a new Sequential sharing the layers), and ``append``.
    """

    def __init__(self, *layers: Module) -> None:
        super().__init__()
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        self._layers: list[Module] = []
        for layer in layers:
            self.append(layer)

    def append(self, layer: Module) -> Sequential:
        """Add a layer at the end."""
        if not isinstance(layer, Module):
            raise TypeError(
                f"{type(self).__name__}: layers must be nn.Module instances, got "
                f"{type(layer).__name__}"
                + (
                    " — did you forget the parentheses, e.g. nn.ReLU()?"
                    if isinstance(layer, type)
                    else ""
                )
            )
        self._layers.append(layer)
        return self

    def _named_members(self) -> Iterator[tuple[str, Value | Module]]:
        for i, layer in enumerate(self._layers):
            yield str(i), layer
        yield from super()._named_members()

    def forward(self, x: Any) -> Any:
        for layer in self._layers:
            x = layer(x)
        return x

    def __len__(self) -> int:
        return len(self._layers)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._layers)

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return Sequential(*self._layers[index])
        return self._layers[index]


_ACTIVATIONS: dict[str, tuple[type[Module] | None, Any]] = {
    # name: (activation module, initialisation of every Linear before it)
    "relu": (ReLU, "he"),
    "leaky_relu": (LeakyReLU, partial(nn_init.he_uniform, a=0.01, nonlinearity="leaky_relu")),
    "tanh": (Tanh, "xavier"),
    "sigmoid": (Sigmoid, "xavier"),
    "identity": (None, "xavier"),
    "linear": (None, "xavier"),
}


def _activation(name: Any, role: str) -> tuple[Any, Any]:
    """(factory of the activation module or None, default init) for an ``activation=``."""
    if name is None:
        return None, "xavier"
    if isinstance(name, str):
        key = name.lower()
        if key not in _ACTIVATIONS:
            raise ValueError(
                f"MLP: unknown {role} {name!r}; use one of "
                f"{', '.join(_ACTIVATIONS)}, None, or an nn.Module"
            )
        return _ACTIVATIONS[key]
    if isinstance(name, type) and issubclass(name, Module):
        return name, "default"
    if isinstance(name, Module):
        return (lambda: name), "default"
    raise TypeError(
        f"MLP: {role} must be a name such as 'relu', an nn.Module class or instance, "
        f"or None; got {type(name).__name__}"
    )


class MLP(Sequential):
    """A multilayer perceptron: ``Linear → activation`` for each hidden size, then a Linear.

    ``MLP(2, [16, 16, 1])`` is Linear(2→16), ReLU, Linear(16→16), ReLU, Linear(16→1), a
    ``Sequential`` with torch's layer names (``"0.weight"``, ``"2.weight"``, ...).

    - ``activation``: ``"relu"`` (default), ``"leaky_relu"``, ``"tanh"``, ``"sigmoid"``,
      ``"identity"``, or an ``nn.Module`` class or instance.
    - The **last layer is linear** (no activation): its outputs are logits or regression values
      for ``F.cross_entropy``, ``F.binary_cross_entropy_with_logits``, ``F.mse_loss`` or
      ``F.hinge_loss``, which are stabler on logits. ``output_activation`` (same choices) adds
      one anyway.
    - Initialisation: each Linear gets the scheme that suits the activation after it: He
      uniform (gain √2) before ReLU and leaky ReLU, Xavier uniform (gain 1) before tanh,
      sigmoid, identity and the linear output, PyTorch's default U(±1/√nin) before a custom
      activation; biases start at 0. ``init`` (a name or function, see ``nn.Linear``)
      overrides it for every layer.
    """

    def __init__(
        self,
        nin: int,
        sizes: Sequence[int] | int,
        activation: Any = "relu",
        output_activation: Any = None,
        bias: bool = True,
        dtype: Any = np.float32,
        init: Init = None,
    ) -> None:
        check_size("MLP", "nin", nin)
        sizes = [sizes] if isinstance(sizes, (int, np.integer)) else list(sizes)
        if not sizes:
            raise ValueError("MLP: sizes must list at least one layer size (the output size)")
        for size in sizes:
            check_size("MLP", "each size", size)
        make_activation, default_init = _activation(activation, "activation")
        make_output, output_init = _activation(output_activation, "output_activation")
        scheme = default_init if init is None else init
        layers: list[Module] = []
        widths = [nin, *sizes]
        for i, (a, b) in enumerate(zip(widths[:-1], widths[1:], strict=True)):
            last = i == len(sizes) - 1
            # He's gain √2 makes up for the half a ReLU zeroes; no ReLU follows the last layer.
            layer_init = output_init if last and init is None else scheme
            layers.append(Linear(a, b, bias=bias, dtype=dtype, init=layer_init))
            if not last and make_activation is not None:
                layers.append(make_activation())
            if last and make_output is not None:
                layers.append(make_output())
        super().__init__(*layers)
        self.nin, self.sizes = nin, tuple(sizes)
