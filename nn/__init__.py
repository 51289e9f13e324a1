"""glassgrad's neural-network library, built on ``autograd.Value``.

- :class:`Module` — the base class: parameters, buffers, train/eval, state dicts, a tree repr.
- Layers: :class:`Linear`, :class:`Sequential`, :class:`MLP`, :class:`Flatten`, and the
  activations :class:`ReLU` :class:`LeakyReLU` :class:`Tanh` :class:`Sigmoid`
  :class:`Softmax` :class:`LogSoftmax` :class:`Step` :class:`Identity` :class:`Softplus`
  :class:`ELU` :class:`SELU` :class:`SiLU` :class:`Mish` :class:`Hardtanh` :class:`Softsign`
  :class:`LogSigmoid`.
- Teaching: :mod:`nn.scalar` (neurons with one scalar Value per weight), :class:`Perceptron`
  and the gates in :mod:`nn.logic`.
- :mod:`nn.init` (initialisation), :mod:`nn.functional` alias ``nn.F`` (losses),
  :func:`save`/:func:`load` (safe ``.npz`` files), :mod:`nn.data` (batches and data sets).
- Regularisation: :func:`l1_penalty` :func:`l2_penalty` :func:`weights_only` :func:`max_norm_`
  :func:`activity_l1` :func:`activity_l2`, and the layers :class:`Dropout` :class:`BatchNorm1d`
  :class:`LayerNorm` :class:`Residual` :class:`GaussianNoise`.
- Images: :class:`Conv2d` :class:`ConvTranspose2d` :class:`MaxPool2d` :class:`AvgPool2d`
  :class:`Unflatten` :class:`GELU`.
- Sequences: :class:`Embedding`, :class:`RNNCell` :class:`LSTMCell` :class:`GRUCell`,
  :class:`RNN` :class:`LSTM` :class:`GRU`, :class:`MultiheadAttention`.
- Training: :func:`fit` (returns a :class:`History`), :class:`Callback`,
  :class:`EarlyStopping`, :class:`Diagnostics`, :func:`accuracy`, :func:`random_restarts`,
  :func:`gradient_norms`, :func:`clip_grad_norm_` :func:`clip_grad_value_`.
- Pictures: :mod:`nn.plots` (decision boundaries, points by class, image grids; matplotlib),
  :class:`TrainingView` (watch training: loss, weights, boundary; live, .gif, .html).
- Taking a model further: :func:`to_torch` / :func:`from_torch` (PyTorch, same weights),
  :func:`export_onnx` (ONNX Runtime, Netron), ``.safetensors`` files in :func:`save`/:func:`load`.
"""

from . import data, functional, init, logic, plots, scalar
from . import functional as F  # nn.F.cross_entropy, as torch.nn.functional is often F
from .activations import (
    ELU,
    GELU,
    SELU,
    Hardtanh,
    Identity,
    LeakyReLU,
    LogSigmoid,
    LogSoftmax,
    Mish,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Softsign,
    Step,
    Tanh,
)
from .attention import MultiheadAttention
from .callbacks import Callback
from .containers import MLP, Sequential
from .conv import Conv2d, ConvTranspose2d
from .diagnostics import Diagnostics
from .draw_network import draw_network
from .dropout import Dropout
from .early_stopping import EarlyStopping
from .embedding import Embedding
from .fit import fit
from .gradients import clip_grad_norm_, clip_grad_value_, gradient_norms
from .history import History
from .linear import Linear
from .metrics import accuracy
from .module import Module
from .noise import GaussianNoise
from .normalization import BatchNorm1d, LayerNorm
from .onnx_export import export_onnx
from .perceptron import Perceptron
from .pooling import AvgPool2d, MaxPool2d
from .recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from .regularization import (
    activity_l1,
    activity_l2,
    l1_penalty,
    l2_penalty,
    max_norm_,
    weights_only,
)
from .residual import Residual
from .restarts import random_restarts
from .serialization import load, save
from .shape import Flatten, Unflatten
from .torch_bridge import UnsupportedLayerError, from_torch, to_torch
from .training_view import TrainingView

__all__ = [
    "Module", "Linear", "Sequential", "MLP", "Flatten", "ReLU", "LeakyReLU", "Tanh", "Sigmoid",
    "Softmax", "LogSoftmax", "Step", "Identity", "Perceptron", "save", "load", "F",
    "functional", "init", "logic", "scalar", "data", "draw_network", "plots",
    "Dropout", "BatchNorm1d", "LayerNorm", "Residual", "GaussianNoise", "l1_penalty",
    "l2_penalty", "weights_only", "max_norm_", "activity_l1", "activity_l2", "EarlyStopping",
    "fit", "History", "accuracy", "random_restarts", "gradient_norms", "clip_grad_norm_",
    "clip_grad_value_", "Callback", "Diagnostics",
    "to_torch", "from_torch", "export_onnx", "UnsupportedLayerError",
    "TrainingView",
    "Conv2d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d", "Unflatten", "GELU",
    "Embedding", "RNNCell", "LSTMCell", "GRUCell", "RNN", "LSTM", "GRU", "MultiheadAttention",
    "Softplus", "ELU", "SELU", "SiLU", "Mish", "Hardtanh", "Softsign", "LogSigmoid",
]  # fmt: skip
