"""Recurrent layers: a hidden state carried from one time step to the next.

A recurrent cell reads one input ``x`` and the previous state, and returns the new state. The
same weights are used at every step, so a sequence of any length is processed by one cell
applied over and over. Each cell below is a few lines of engine ops; backpropagation through
time is ordinary backpropagation through the unrolled loop.

Plain RNN:   h' = tanh(W_ih x + b_ih + W_hh h + b_hh)

LSTM (gates in PyTorch's order i, f, g, o; σ the sigmoid):
    i, f, g, o = split(W_ih x + b_ih + W_hh h + b_hh, 4)
    c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g)           the cell state: a gated running sum
    h' = σ(o) ⊙ tanh(c')

GRU (gates r, z, n):
    r = σ(W_ir x + b_ir + W_hr h + b_hr),   z = σ(W_iz x + b_iz + W_hz h + b_hz)
    n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
    h' = (1 − z) ⊙ n + z ⊙ h

Names, shapes, gate orders and initialisation (every weight and bias U(−1/√H, 1/√H)) are
PyTorch's: ``weight_ih`` is ``(G·H, input_size)`` with the G gates stacked, and the sequence
layers name theirs ``weight_ih_l0``, ``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0``,
``weight_ih_l1``, ..., so a state dict carries over either way.

Not supported (yet): ``bidirectional``, ``dropout`` between layers, ``proj_size``, packed
sequences.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Value, linear, stack
from autograd.checks import check_dtype, check_size

from . import init as nn_init
from .module import Module

# ------------------------------------------------------------------------------------ the cells
# Each takes one time step: x (N, input_size) or (input_size,), the state, and the weights.


def rnn_cell(x, h, w_ih, w_hh, b_ih=None, b_hh=None, nonlinearity="tanh") -> Value:
    """h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu)."""
    pre = linear(x, w_ih, b_ih) + linear(h, w_hh, b_hh)
    return pre.tanh() if nonlinearity == "tanh" else pre.relu()


def lstm_cell(x, h, c, w_ih, w_hh, b_ih=None, b_hh=None) -> tuple[Value, Value]:
    """(h', c') of an LSTM; gates i, f, g, o stacked in that order in the weights."""
    gates = linear(x, w_ih, b_ih) + linear(h, w_hh, b_hh)
    n = gates.shape[-1] // 4
    i = gates[..., 0 * n : 1 * n].sigmoid()  # input gate: how much new to write
    f = gates[..., 1 * n : 2 * n].sigmoid()  # forget gate: how much old to keep
    g = gates[..., 2 * n : 3 * n].tanh()  # the candidate to write
    o = gates[..., 3 * n : 4 * n].sigmoid()  # output gate: how much of the cell to show
    c = f * c + i * g
    h = o * c.tanh()
    return h, c


def gru_cell(x, h, w_ih, w_hh, b_ih=None, b_hh=None) -> Value:
    """h' of a GRU; gates r, z, n stacked in that order, n as PyTorch computes it."""
    gi = linear(x, w_ih, b_ih)
    gh = linear(h, w_hh, b_hh)
    n = gi.shape[-1] // 3
    r = (gi[..., :n] + gh[..., :n]).sigmoid()  # reset gate: how much past the candidate sees
    z = (gi[..., n : 2 * n] + gh[..., n : 2 * n]).sigmoid()  # update gate: keep old vs take new
    candidate = (gi[..., 2 * n :] + r * gh[..., 2 * n :]).tanh()
    return (1 - z) * candidate + z * h


_GATES = {"RNN": 1, "LSTM": 4, "GRU": 3}
_NONLINEARITIES = ("tanh", "relu")


def _state_value(state: Any, dtype: np.dtype) -> Value:
    """A state given by the user as a Value (kept, gradients flow into it) or an array."""
    if isinstance(state, Value):
        return state
    return Value(np.asarray(state, dtype=dtype), requires_grad=False)


def _zeros(shape: tuple[int, ...], dtype: np.dtype) -> Value:
    return Value(np.zeros(shape, dtype), requires_grad=False)


def _stack(values: list[Value], axis: int = 0) -> Value:
    """``autograd.stack``; one Value is reshaped instead (works around an engine bug: the
    backward of a variadic op with a single input fails)."""
    if len(values) == 1:
        shape = values[0].shape
        return values[0].reshape(shape[:axis] + (1,) + shape[axis:])
    return stack(values, axis=axis)


class _CellBase(Module):
    """Parameters of one cell: ``weight_ih`` (G·H, I), ``weight_hh`` (G·H, H), two biases."""

    mode = "RNN"

    def __init__(self, input_size: int, hidden_size: int, bias: bool, dtype: Any) -> None:
        super().__init__()
        name = type(self).__name__
        self.input_size = check_size(name, "input_size", input_size)
        self.hidden_size = check_size(name, "hidden_size", hidden_size)
        dtype = check_dtype(name, dtype)
        rows = _GATES[self.mode] * self.hidden_size
        self.weight_ih = Value(np.zeros((rows, self.input_size), dtype), label="weight_ih")
        self.weight_hh = Value(np.zeros((rows, self.hidden_size), dtype), label="weight_hh")
        self.bias_ih = Value(np.zeros(rows, dtype), label="bias_ih") if bias else None
        self.bias_hh = Value(np.zeros(rows, dtype), label="bias_hh") if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias from U(−1/√H, 1/√H), PyTorch's default."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            nn_init.uniform(p, -bound, bound)

    def _check(self, x: Any) -> Value:
        x = x if isinstance(x, Value) else Value(np.asarray(x), requires_grad=False)
        if x.ndim not in (1, 2) or x.shape[-1] != self.input_size:
            raise ValueError(
                f"{type(self).__name__}({self.input_size}, {self.hidden_size}): the input must "
                f"have shape (batch, {self.input_size}) or ({self.input_size},), got {x.shape}"
            )
        return x

    def _initial(self, x: Value, state: Any) -> Value:
        if state is None:
            return _zeros(x.shape[:-1] + (self.hidden_size,), self.weight_ih.dtype)
        state = _state_value(state, self.weight_ih.dtype)
        if state.shape != x.shape[:-1] + (self.hidden_size,):
            raise ValueError(
                f"{type(self).__name__}: the state must have shape "
                f"{x.shape[:-1] + (self.hidden_size,)} for an input of shape {x.shape}, got "
                f"{state.shape}"
            )
        return state

    def _weights(self) -> tuple[Value, ...]:
        return (self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)

    def extra_repr(self) -> str:
        bias = "" if self.bias_ih is not None else ", bias=False"
        return f"{self.input_size}, {self.hidden_size}{bias}"


class RNNCell(_CellBase):
    """One step of a plain (Elman) RNN: h' = tanh(W_ih x + b_ih + W_hh h + b_hh).

    ``cell(x, h=None)`` with x ``(N, input_size)`` (or ``(input_size,)``) and h
    ``(N, hidden_size)`` (zeros when None) returns h'. ``nonlinearity="relu"`` uses ReLU.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        dtype: Any = np.float32,
    ) -> None:
        if nonlinearity not in _NONLINEARITIES:
            raise ValueError(
                f"RNNCell: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}"
            )
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, bias, dtype)

    def forward(self, x: Any, h: Any = None) -> Value:
        x = self._check(x)
        return rnn_cell(x, self._initial(x, h), *self._weights(), self.nonlinearity)


class LSTMCell(_CellBase):
    """One step of an LSTM: ``cell(x, (h, c)=None)`` returns ``(h', c')``.

    Gates i, f, g, o (PyTorch's order) are stacked in ``weight_ih`` ``(4H, input_size)`` and
    ``weight_hh`` ``(4H, H)``; see :func:`lstm_cell` for the five lines of maths.
    """

    mode = "LSTM"

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, dtype: Any = np.float32
    ) -> None:
        super().__init__(input_size, hidden_size, bias, dtype)

    def forward(self, x: Any, hx: Any = None) -> tuple[Value, Value]:
        x = self._check(x)
        h, c = (None, None) if hx is None else hx
        return lstm_cell(x, self._initial(x, h), self._initial(x, c), *self._weights())


class GRUCell(_CellBase):
    """One step of a GRU: ``cell(x, h=None)`` returns h'.

    Gates r, z, n (PyTorch's order) are stacked in ``weight_ih`` ``(3H, input_size)`` and
    ``weight_hh`` ``(3H, H)``; see :func:`gru_cell`.
    """

    mode = "GRU"

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, dtype: Any = np.float32
    ) -> None:
        super().__init__(input_size, hidden_size, bias, dtype)

    def forward(self, x: Any, h: Any = None) -> Value:
        x = self._check(x)
        return gru_cell(x, self._initial(x, h), *self._weights())


# ------------------------------------------------------------------------- the sequence layers
class _RNNBase(Module):
    """A stack of ``num_layers`` cells run over a whole sequence."""

    mode = "RNN"

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dtype: Any = np.float32,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        self.input_size = check_size(name, "input_size", input_size)
        self.hidden_size = check_size(name, "hidden_size", hidden_size)
        self.num_layers = check_size(name, "num_layers", num_layers)
        self.bias = bool(bias)
        self.batch_first = bool(batch_first)
        dtype = check_dtype(name, dtype)
        rows = _GATES[self.mode] * self.hidden_size
        for layer in range(self.num_layers):  # PyTorch's names, in PyTorch's order
            inputs = self.input_size if layer == 0 else self.hidden_size
            names = [f"weight_ih_l{layer}", f"weight_hh_l{layer}"]
            shapes = [(rows, inputs), (rows, self.hidden_size)]
            if self.bias:
                names += [f"bias_ih_l{layer}", f"bias_hh_l{layer}"]
                shapes += [(rows,), (rows,)]
            for pname, shape in zip(names, shapes, strict=True):
                setattr(self, pname, Value(np.zeros(shape, dtype), label=pname))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias from U(−1/√H, 1/√H), PyTorch's default."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            nn_init.uniform(p, -bound, bound)

    def _layer_weights(self, layer: int) -> tuple[Value | None, ...]:
        b_ih = getattr(self, f"bias_ih_l{layer}") if self.bias else None
        b_hh = getattr(self, f"bias_hh_l{layer}") if self.bias else None
        return (getattr(self, f"weight_ih_l{layer}"), getattr(self, f"weight_hh_l{layer}"), b_ih,
                b_hh)  # fmt: skip

    def _steps(self, x: Any) -> tuple[list[Value], int]:
        """The input cut into time steps (a list of Values), and the batch axis of the output
        (None for an unbatched sequence)."""
        x = x if isinstance(x, Value) else Value(np.asarray(x), requires_grad=False)
        name = type(self).__name__
        if x.ndim not in (2, 3) or x.shape[-1] != self.input_size:
            layout = "(batch, seq, features)" if self.batch_first else "(seq, batch, features)"
            raise ValueError(
                f"{name}({self.input_size}, {self.hidden_size}): the input must have shape "
                f"{layout} with features = {self.input_size}, or (seq, features) for one "
                f"sequence; got {x.shape}"
            )
        if x.ndim == 2:
            return [x[t] for t in range(x.shape[0])], None
        if self.batch_first:
            return [x[:, t] for t in range(x.shape[1])], 1
        return [x[t] for t in range(x.shape[0])], 1

    def _initial(self, state: Any, steps: list[Value], what: str) -> list[Value]:
        """One state per layer: from ``state`` (num_layers, N, H), or zeros."""
        batch = steps[0].shape[:-1]
        shape = (self.num_layers, *batch, self.hidden_size)
        dtype = self.weight_ih_l0.dtype
        if state is None:
            zeros = _zeros(shape[1:], dtype)
            return [zeros] * self.num_layers
        state = _state_value(state, dtype)
        if state.shape != shape:
            raise ValueError(
                f"{type(self).__name__}: the initial {what} must have shape (num_layers, "
                f"batch, hidden_size) = {shape}, got {state.shape}"
            )
        if not state.requires_grad:
            return [Value(state.data[layer], requires_grad=False) for layer in range(shape[0])]
        return [state[layer] for layer in range(shape[0])]

    def _output(self, hs: list[Value], batch_axis: int | None) -> Value:
        axis = 0 if batch_axis is None or not self.batch_first else 1
        return _stack(hs, axis=axis)

    def _unroll(self, x: Any, h0: Any, cell: Any) -> tuple[Value, Value]:
        """Run ``h = cell(x_t, h, *weights)`` along the sequence, layer after layer (each
        layer's outputs are the next one's inputs); return ``(output, h_n)``."""
        steps, batch_axis = self._steps(x)
        finals = []
        for layer, h in enumerate(self._initial(h0, steps, "state h0")):
            weights = self._layer_weights(layer)
            outputs = []
            for x_t in steps:
                h = cell(x_t, h, *weights)
                outputs.append(h)
            finals.append(h)
            steps = outputs
        return self._output(steps, batch_axis), _stack(finals)

    def extra_repr(self) -> str:
        extra = f", num_layers={self.num_layers}" if self.num_layers != 1 else ""
        extra += ", bias=False" if not self.bias else ""
        extra += ", batch_first=True" if self.batch_first else ""
        return f"{self.input_size}, {self.hidden_size}{extra}"


class RNN(_RNNBase):
    """A plain RNN over a sequence: ``rnn(x, h0=None)`` returns ``(output, h_n)``.

    x is ``(seq, batch, input_size)`` (``(batch, seq, input_size)`` with ``batch_first``, or
    ``(seq, input_size)`` for one sequence); h0 and h_n are ``(num_layers, batch, hidden)``;
    output holds the last layer's h at every step, ``(seq, batch, hidden)``. Each layer's
    outputs are the next layer's inputs.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dtype: Any = np.float32,
    ) -> None:
        if nonlinearity not in _NONLINEARITIES:
            raise ValueError(f"RNN: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dtype)

    def forward(self, x: Any, h0: Any = None) -> tuple[Value, Value]:
        return self._unroll(x, h0, lambda x_t, h, *w: rnn_cell(x_t, h, *w, self.nonlinearity))


class LSTM(_RNNBase):
    """An LSTM over a sequence: ``lstm(x, (h0, c0)=None)`` returns
    ``(output, (h_n, c_n))``; shapes as :class:`RNN`, c like h."""

    mode = "LSTM"

    def forward(self, x: Any, hx: Any = None) -> tuple[Value, tuple[Value, Value]]:
        steps, batch_axis = self._steps(x)
        h0, c0 = (None, None) if hx is None else hx
        hs = self._initial(h0, steps, "state h0")
        cs = self._initial(c0, steps, "cell state c0")
        final_h, final_c = [], []
        for layer in range(self.num_layers):
            weights = self._layer_weights(layer)
            h, c = hs[layer], cs[layer]
            outputs = []
            for x_t in steps:
                h, c = lstm_cell(x_t, h, c, *weights)
                outputs.append(h)
            final_h.append(h)
            final_c.append(c)
            steps = outputs
        return self._output(steps, batch_axis), (_stack(final_h), _stack(final_c))


class GRU(_RNNBase):
    """A GRU over a sequence: ``gru(x, h0=None)`` returns ``(output, h_n)``; shapes as
    :class:`RNN`."""

    mode = "GRU"

    def forward(self, x: Any, h0: Any = None) -> tuple[Value, Value]:
        return self._unroll(x, h0, gru_cell)
