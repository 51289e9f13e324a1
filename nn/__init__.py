"""glassgrad's neural-network library, built on ``autograd.Value``.

- :class:`Module` — the base class: parameters, buffers, train/eval, state dicts, a tree repr.
- Layers: :class:`Linear`, :class:`Sequential`, :class:`MLP`, :class:`Flatten`, and the
  activations :class:`ReLU` :class:`LeakyReLU` :class:`Tanh` :class:`Sigmoid`
  :class:`Softmax` :class:`LogSoftmax` :class:`Step` :class:`Identity`.
- Teaching: :mod:`nn.scalar` (neurons with one scalar Value per weight), :class:`Perceptron`
  and the gates in :mod:`nn.logic`.
- :mod:`nn.init` (initialisation), :mod:`nn.functional` alias ``nn.F`` (losses),
  :func:`save`/:func:`load` (safe ``.npz`` files), :mod:`nn.data` (batches and data sets).
"""

from . import data, functional, init, logic, scalar
from . import functional as F  # nn.F.cross_entropy, as torch.nn.functional is often F
from .activations import Identity, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Step, Tanh
from .containers import MLP, Sequential
from .linear import Linear
from .module import Module
from .perceptron import Perceptron
from .serialization import load, save
from .shape import Flatten

__all__ = [
    "Module", "Linear", "Sequential", "MLP", "Flatten", "ReLU", "LeakyReLU", "Tanh", "Sigmoid",
    "Softmax", "LogSoftmax", "Step", "Identity", "Perceptron", "save", "load", "F",
    "functional", "init", "logic", "scalar", "data",
]  # fmt: skip
