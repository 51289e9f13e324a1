"""``Value``: one node class for scalars and tensors, and ``apply``, which records an op.

A ``Value`` holds ``data`` (a Python float for a scalar made from a number, else a numpy array),
``grad`` (same shape; None until backward reaches it) and, when an op made it, the op and the
input nodes (``_parents``, a tuple). Nodes keep no closures and no references to their
consumers, so a graph has no reference cycles and is freed as soon as its root is dropped.

Every node is built by one function, :func:`_node`. Changes in place are tracked as
PyTorch's version counters track them: assigning ``.data`` (also ``x.data *= 2``) or calling
:meth:`Value.mark_modified` stamps the Value with the time of the change, and backward refuses
a node whose inputs changed after it was recorded, instead of computing a wrong gradient.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd.anomaly import ANOMALY, check_forward
from autograd.checks import check_number
from autograd.grad_mode import GRAD_MODE, SWITCHES
from autograd.scope import SCOPE

Axis = int | tuple[int, ...] | None

_FLOAT_KINDS = "f"


class _Clock:
    """Counts in-place changes; a node remembers the count at its birth (``_born``)."""

    __slots__ = ("now",)

    def __init__(self) -> None:
        self.now = 0


CLOCK = _Clock()


def _flat(items: Any) -> Any:
    """The leaves of nested lists and tuples, iteratively."""
    stack = [items]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        else:
            yield item


def _as_data(data: Any, requires_grad: bool) -> Any:
    """Check and convert what a user passes to ``Value(...)``: numbers (Python's or numpy's)
    become Python floats, anything else an array of its own (a copy, as ``torch.tensor``
    makes, so changing the caller's array later cannot change the graph)."""
    if isinstance(data, Value):
        return data._data
    if isinstance(data, (bool, np.bool_)):
        data = float(data)
    if isinstance(data, (int, float, np.integer, np.floating)):
        return float(data)
    if isinstance(data, (list, tuple)) and any(isinstance(x, Value) for x in _flat(data)):
        raise TypeError(
            "Value: got a list containing Values. A Value cannot wrap other Values (the graph "
            "would be lost); build the tensor with autograd.stack([...]) instead."
        )
    array = _numeric_copy(data, "Value", "biufc")  # complex: refused below, with the reason
    if array.dtype.kind not in _FLOAT_KINDS and requires_grad:
        raise TypeError(
            f"Value: data of dtype {array.dtype} cannot carry a gradient — only floating-point "
            "numbers can. Convert it (e.g. np.asarray(x, dtype=np.float32)) or pass "
            "requires_grad=False to use it as a constant."
        )
    return array


def _numeric_copy(data: Any, who: str, kinds: str = "biuf") -> np.ndarray:
    """``data`` as an array of numbers of its own (a copy) whose dtype kind is in ``kinds``,
    or a ``TypeError`` saying what to pass instead: the check shared by ``Value(...)`` and
    constants entering an op."""
    array = np.array(data)
    if array.dtype.kind == "O":
        raise TypeError(
            f"{who} got an object array (often a list that mixes Values and numbers). Pass "
            "numbers or a numeric numpy array; combine Values with autograd.stack instead."
        )
    if array.dtype.kind not in kinds:
        raise TypeError(
            f"{who} got an array of dtype {array.dtype}, which holds no numbers; convert the "
            "data to numbers first (e.g. np.asarray(x, dtype=np.float32))"
        )
    return array


def _node(
    data: Any,
    requires_grad: bool,
    op: Any = None,
    parents: tuple[Value, ...] = (),
    settings: dict[str, Any] | None = None,
    label: str = "",
    cls: type | None = None,
) -> Value:
    """Build a node, filling every slot: the one place a Value is made (leaf, constant or an op's
    result). An op's result is recorded — it keeps ``op``, ``parents`` and ``settings`` — when
    it needs a gradient and this thread's grad mode is on; otherwise it is a plain leaf."""
    node = _new(cls or Value)
    node._data = data
    node.grad = None
    node.label = label
    if op is not None and requires_grad and (SWITCHES.open == 0 or GRAD_MODE.enabled):
        node._op, node._parents, node._settings = op, parents, settings
    else:
        node._op, node._parents, node._settings = None, (), None
        requires_grad = requires_grad and op is None
    node.requires_grad = requires_grad
    node._scope = SCOPE.current
    node._walk = None
    node._born = CLOCK.now
    if ANOMALY.enabled and op is not None:
        check_forward(node, op, parents)
    return node


_new = object.__new__


class Value:
    """A node of the computation graph: a number or array, its gradient, and how it was made.

    ``Value(2.0, label="a")`` is a scalar leaf; ``Value(np.zeros((3, 4), np.float32))`` a tensor
    leaf. Results of ops on Values are Values that remember the op and their inputs.
    """

    __slots__ = ("_data", "grad", "label", "requires_grad", "_op", "_parents", "_settings",
                 "_scope", "_walk", "_consumers", "_g", "_born", "_version",
                 "__weakref__")  # fmt: skip

    def __new__(cls, data: Any, label: str = "", requires_grad: bool = True) -> Value:
        return _node(_as_data(data, requires_grad), bool(requires_grad), label=label, cls=cls)

    def __getnewargs__(self) -> tuple[Any]:  # copy.deepcopy and pickle rebuild through __new__
        return (self._data,)

    # ----------------------------------------------------------------- data and versions
    @property
    def data(self) -> Any:
        """The number (a Python float) or numpy array this node holds."""
        return self._data

    @data.setter
    def data(self, new: Any) -> None:
        self._data = new
        self.mark_modified()

    def mark_modified(self) -> None:
        """Say that ``data`` changed in place (optimizers, ``nn.init`` and ``load_state_dict``
        call this). A graph recorded before the change then refuses to backpropagate through
        this Value, naming it, instead of using the new numbers."""
        CLOCK.now += 1
        self._version = CLOCK.now

    # ----------------------------------------------------------------- properties
    @property
    def shape(self) -> tuple[int, ...]:
        return () if type(self._data) is float else self._data.shape

    @property
    def ndim(self) -> int:
        return 0 if type(self._data) is float else self._data.ndim

    @property
    def size(self) -> int:
        return 1 if type(self._data) is float else self._data.size

    @property
    def dtype(self) -> np.dtype:
        return np.dtype(np.float64) if type(self._data) is float else self._data.dtype

    @property
    def op(self) -> str:
        """The symbol of the op that made this node ('' for a leaf)."""
        return self._op.symbol if self._op is not None else ""

    @property
    def parents(self) -> tuple[Value, ...]:
        """The input nodes of the op that made this node, in argument order."""
        return self._parents

    @property
    def is_leaf(self) -> bool:
        return self._op is None

    def __len__(self) -> int:
        if type(self._data) is float:
            raise TypeError("len() of a scalar Value")
        return len(self._data)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return np.asarray(self._data, dtype=dtype)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        data = self._data
        if type(data) is float:
            grad = "None" if self.grad is None else _number_text(self.grad)
            return f"Value(data={data:.4g}, grad={grad}{label})"
        if data.size <= _REPR_MAX_SIZE:
            grad = "" if self.grad is None else f", grad={_array_text(self.grad)}"
            shape = f", shape={data.shape}" if data.ndim > 1 else ""
            return f"Value(data={_array_text(data)}{shape}, dtype={data.dtype}{grad}{label})"
        return f"Value(shape={data.shape}, dtype={data.dtype}{label})"

    def __bool__(self) -> bool:
        if self.size != 1:
            raise ValueError(
                f"the truth value of a Value of shape {self.shape} is ambiguous; "
                "use (v > 0).any() or .all() on the comparison"
            )
        return bool(self._data)

    # ----------------------------------------------------------------- conversion
    def item(self) -> float:
        """The single number in this Value, as a Python float."""
        if self.size != 1:
            raise ValueError(f"item() needs a Value with one element, this one has shape "
                             f"{self.shape}; use .numpy() for arrays")  # fmt: skip
        return float(np.asarray(self._data).reshape(()))

    def __float__(self) -> float:
        return self.item()

    def __int__(self) -> int:
        return int(self.item())

    def __round__(self, ndigits: int | None = None) -> float:
        return round(self.item(), ndigits)

    def __format__(self, spec: str) -> str:
        if not spec:
            return str(self)
        if self.size != 1:
            raise TypeError(
                f"format spec {spec!r} needs a Value with one element, this one has shape "
                f"{self.shape}; format v.numpy() or v.item() instead"
            )
        return format(self.item(), spec)

    def numpy(self) -> np.ndarray:
        """The data as a numpy array (0-d for a scalar)."""
        return np.asarray(self._data)

    def detach(self) -> Value:
        """A new leaf sharing this node's data, cut off from the graph (no gradient)."""
        return _node(self._data, False, label=self.label)

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        """numpy meets a Value: ``array + value`` and friends become recorded ops, comparisons
        give plain boolean arrays, and any other ufunc (``np.exp(value)``) is refused with the
        name of the op that records a graph."""
        if method == "__call__" and not kwargs:
            if ufunc in _COMPARISONS:
                return ufunc(*[_raw(x) for x in inputs])
            op = _OPERATOR_UFUNCS.get(ufunc)
            if op is not None and len(inputs) == op[1]:
                return (
                    _binary(getattr(_ops, op[0]), *inputs)
                    if op[1] == 2
                    else (_unary(getattr(_ops, op[0]), inputs[0]))
                )
        name = ufunc.__name__
        if kwargs.get("out") is not None:
            raise TypeError(
                f"np.{name}(..., out=...): numpy cannot write a Value's result into an array "
                "in place. Write x = x + v (a new Value) instead."
            )
        raise TypeError(
            f"np.{name} cannot record a graph through a Value. Use the Value's own op: "
            f"value.{name}() or autograd.{name}(value) (or np.{name}(value.data) for a plain "
            "array without gradients)."
        )

    # ----------------------------------------------------------------- backward
    def backward(self, grad: Any = None, create_graph: bool = False) -> None:
        """Backpropagate: add ∂self/∂node to ``node.grad`` for every node that leads here.

        ``grad`` is ∂L/∂self, the upstream gradient (default 1 for a scalar root; required for
        a non-scalar one). Gradients accumulate across calls, like PyTorch's. With
        ``create_graph=True`` the backward pass is recorded, so the gradients are Values that
        can be differentiated again; then, as in PyTorch, only leaves keep their ``.grad``
        (an intermediate holding a recorded gradient would form a reference cycle).
        The walk itself is :func:`autograd.backprop.backward_walk`.
        """
        from autograd.backprop import backward

        backward(self, grad, create_graph)

    # ----------------------------------------------------------------- arithmetic
    def __add__(self, other: Any) -> Value:
        return _binary(_ops.Add, self, other)

    def __radd__(self, other: Any) -> Value:
        return _binary(_ops.Add, other, self)

    def __sub__(self, other: Any) -> Value:
        return _binary(_ops.Sub, self, other)

    def __rsub__(self, other: Any) -> Value:
        return _binary(_ops.Sub, other, self)

    def __mul__(self, other: Any) -> Value:
        return _binary(_ops.Mul, self, other)

    def __rmul__(self, other: Any) -> Value:
        return _binary(_ops.Mul, other, self)

    def __truediv__(self, other: Any) -> Value:
        return _binary(_ops.Div, self, other)

    def __rtruediv__(self, other: Any) -> Value:
        return _binary(_ops.Div, other, self)

    def __pow__(self, other: Any) -> Value:
        return _binary(_ops.Pow, self, other)

    def __rpow__(self, other: Any) -> Value:
        return _binary(_ops.Pow, other, self)

    def __matmul__(self, other: Any) -> Value:
        return _binary(_ops.MatMul, self, other)

    def __rmatmul__(self, other: Any) -> Value:
        return _binary(_ops.MatMul, other, self)

    def __neg__(self) -> Value:
        return _unary(_ops.Neg, self)

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        return _unary(_ops.Abs, self)

    # Comparisons give plain boolean arrays (no graph); == and hash stay identity-based.
    def __lt__(self, other: Any) -> Any:
        return self._data < _raw(other)

    def __le__(self, other: Any) -> Any:
        return self._data <= _raw(other)

    def __gt__(self, other: Any) -> Any:
        return self._data > _raw(other)

    def __ge__(self, other: Any) -> Any:
        return self._data >= _raw(other)

    __hash__ = object.__hash__

    # ----------------------------------------------------------------- elementwise
    def exp(self) -> Value:
        """eˣ elementwise."""
        return _unary(_ops.Exp, self)

    def log(self) -> Value:
        """Natural logarithm elementwise (ln 0 = −inf)."""
        return _unary(_ops.Log, self)

    def sqrt(self) -> Value:
        """√x elementwise."""
        return _unary(_ops.Sqrt, self)

    def abs(self) -> Value:
        """|x| elementwise; gradient sign(x), 0 at 0."""
        return _unary(_ops.Abs, self)

    def sin(self) -> Value:
        """sin x elementwise (radians)."""
        return _unary(_ops.Sin, self)

    def cos(self) -> Value:
        """cos x elementwise (radians)."""
        return _unary(_ops.Cos, self)

    def tanh(self) -> Value:
        """Hyperbolic tangent elementwise."""
        return _unary(_ops.Tanh, self)

    def sigmoid(self) -> Value:
        """σ(x) = 1/(1+e⁻ˣ), computed stably for any x."""
        return _unary(_ops.Sigmoid, self)

    def relu(self) -> Value:
        """max(x, 0); gradient 0 at x = 0 (PyTorch's choice)."""
        return _unary(_ops.ReLU, self)

    def leaky_relu(self, negative_slope: float = 0.01) -> Value:
        """x for x > 0 else negative_slope·x (PyTorch's default slope 0.01)."""
        slope = check_number("leaky_relu", "negative_slope", negative_slope, low=None)
        return apply(_ops.LeakyReLU, self, slope=slope)

    def gelu(self, approximate: str = "none") -> Value:
        """x·Φ(x) = ½x(1 + erf(x/√2)), or its "tanh" approximation (see autograd.ops.gelu)."""
        from autograd.ops.gelu import gelu

        return gelu(self, approximate)

    def maximum(self, other: Any) -> Value:
        """Elementwise max; on ties each input gets half the gradient."""
        return apply(_ops.Maximum, self, other)

    def minimum(self, other: Any) -> Value:
        """Elementwise min; on ties each input gets half the gradient."""
        return apply(_ops.Minimum, self, other)

    def clip(self, lo: float | None = None, hi: float | None = None) -> Value:
        """Limit to [lo, hi]; the gradient passes where lo ≤ x ≤ hi."""
        return apply(_ops.Clip, self, lo=lo, hi=hi)

    # ----------------------------------------------------------------- reductions
    def sum(self, axis: Axis = None, keepdims: bool = False) -> Value:
        """Sum over ``axis`` (all axes when None)."""
        return apply(_ops.Sum, self, axis=_axis(axis), keepdims=keepdims)

    def mean(self, axis: Axis = None, keepdims: bool = False) -> Value:
        """Mean over ``axis`` (all axes when None)."""
        return apply(_ops.Mean, self, axis=_axis(axis), keepdims=keepdims)

    def max(self, axis: Axis = None, keepdims: bool = False) -> Value:
        """Max over ``axis``; tied maxima share the gradient equally."""
        return apply(_ops.Max, self, axis=_axis(axis), keepdims=keepdims)

    def min(self, axis: Axis = None, keepdims: bool = False) -> Value:
        """Min over ``axis``; tied minima share the gradient equally."""
        return apply(_ops.Min, self, axis=_axis(axis), keepdims=keepdims)

    def var(self, axis: Axis = None, keepdims: bool = False, ddof: int = 0) -> Value:
        """Variance over ``axis``: Σ(x − mean)² / (n − ddof).

        numpy's convention (``ddof=0``, the biased/population variance), since the arguments
        are numpy's; pass ``ddof=1`` for PyTorch's default unbiased estimate. With ``ddof`` ≥ n
        no degree of freedom is left: inf (nan where all x are equal) and a warning, as numpy.
        """
        axis = _axis(axis)
        mean = self.mean(axis=axis, keepdims=True)
        count = self.size // mean.size
        centred = self - mean
        squares = (centred * centred).sum(axis=axis, keepdims=keepdims)
        if count - ddof > 0:
            return squares / (count - ddof)
        import warnings

        warnings.warn(
            f"var: ddof={ddof} with {count} elements leaves no degree of freedom; the result "
            "is inf (nan where the elements are equal), as in numpy",
            RuntimeWarning,
            stacklevel=2,
        )
        with np.errstate(invalid="ignore"):  # already warned
            return squares * np.inf  # x/0 = inf, 0/0 = nan: numpy's answers, for floats too

    # ----------------------------------------------------------------- shape
    def reshape(self, *shape: Any) -> Value:
        """The same numbers with a new shape (``x.reshape(2, 3)`` or ``x.reshape((2, 3))``)."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return apply(_ops.Reshape, self, shape=shape)

    def transpose(self, *axes: Any) -> Value:
        """Permute axes (reverse them when none are given), as numpy's ``transpose``."""
        if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (tuple, list))):
            axes = () if axes[0] is None else tuple(axes[0])
        if axes:
            axes = tuple(int(a) % max(self.ndim, 1) for a in axes)
        return apply(_ops.Transpose, self, axes=axes or None)

    @property
    def T(self) -> Value:
        """The transpose (axes reversed)."""
        return apply(_ops.Transpose, self, axes=None)

    def swapaxes(self, axis1: int, axis2: int) -> Value:
        """Exchange two axes."""
        axes = list(range(self.ndim))
        axes[axis1], axes[axis2] = axes[axis2], axes[axis1]  # list indexing accepts negatives
        return apply(_ops.Transpose, self, axes=tuple(axes))

    def flatten(self, start_axis: int = 0) -> Value:
        """Flatten the axes from ``start_axis`` on into one (all of them by default, like
        ``torch.flatten``; ``start_axis=1`` keeps a batch axis)."""
        shape = self.shape
        start_axis %= max(len(shape), 1)
        return self.reshape(shape[:start_axis] + (-1,))

    def broadcast_to(self, shape: tuple[int, ...]) -> Value:
        """Copy along new or size-1 axes to ``shape``; the gradient sums the copies."""
        return apply(_ops.BroadcastTo, self, shape=tuple(shape))

    def __getitem__(self, index: Any) -> Value:
        """Basic (ints, slices) and integer-array indexing; the gradient is a scatter-add."""
        return apply(_ops.GetItem, self, index=_index(index))

    # ----------------------------------------------------------------- softmax family
    def softmax(self, axis: int = -1) -> Value:
        """e^(xᵢ)/Σⱼ e^(xⱼ) along ``axis`` (default the last), stable for large logits."""
        return apply(_ops.Softmax, self, axis=axis)

    def log_softmax(self, axis: int = -1) -> Value:
        """xᵢ − ln Σⱼ e^(xⱼ) along ``axis`` (default the last), stable for large logits (a
        composite: ``x − x.logsumexp(axis, keepdims=True)``)."""
        return self - self.logsumexp(axis, keepdims=True)

    def logsumexp(self, axis: int = -1, keepdims: bool = False) -> Value:
        """ln Σⱼ e^(xⱼ) along ``axis`` (default the last), stable for large values (a composite
        with the max subtracted; see ``autograd.ops.softmax.logsumexp``)."""
        return _softmax.logsumexp(self, axis, keepdims)

    # ------------------------------------------------------- the wider op set (issue 16)
    # Each method is the function of the same name in its family, autograd/ops/<family>.py,
    # where the formula and the gradient rule are written down.
    def squeeze(self, axis: int | tuple[int, ...] | None = None) -> Value:
        """Drop size-1 axes: all of them, or those in ``axis`` (which must have size 1)."""
        return _ops.layout.squeeze(self, axis)

    def expand_dims(self, axis: int | tuple[int, ...]) -> Value:
        """Insert size-1 axes at ``axis`` (numpy's ``expand_dims``, PyTorch's ``unsqueeze``)."""
        return _ops.layout.expand_dims(self, axis)

    def unsqueeze(self, axis: int | tuple[int, ...]) -> Value:
        """Insert size-1 axes at ``axis`` (numpy's ``expand_dims``, PyTorch's ``unsqueeze``)."""
        return _ops.layout.unsqueeze(self, axis)

    def moveaxis(self, source: int | Any, destination: int | Any) -> Value:
        """Move axes to new positions, the others keeping their order (a transpose)."""
        return _ops.layout.moveaxis(self, source, destination)

    def permute(self, *axes: Any) -> Value:
        """Reorder the axes, ``x.permute(2, 0, 1)`` (PyTorch's name for ``transpose``)."""
        return _ops.layout.permute(self, *axes)

    def repeat(self, repeats: int | Any, axis: int | None = None) -> Value:
        """Repeat each element ``repeats`` times along ``axis`` (flattened when None)."""
        return _ops.layout.repeat(self, repeats, axis)

    def tile(self, reps: int | Any) -> Value:
        """Copy the whole array ``reps`` times along each axis (numpy's ``tile``)."""
        return _ops.layout.tile(self, reps)

    def flip(self, axis: int | tuple[int, ...] | None = None) -> Value:
        """Reverse the order along ``axis`` (all axes when None)."""
        return _ops.layout.flip(self, axis)

    def roll(self, shift: int | Any, axis: int | Any | None = None) -> Value:
        """Shift elements cyclically by ``shift`` along ``axis`` (flattened when None)."""
        return _ops.layout.roll(self, shift, axis)

    def split(self, indices_or_sections: int | Any, axis: int = 0) -> list[Value]:
        """Split into N equal pieces along ``axis``, or at the given indices."""
        return _ops.layout.split(self, indices_or_sections, axis)

    def array_split(self, indices_or_sections: int | Any, axis: int = 0) -> list[Value]:
        """Like ``split``, but N sections need not be equal (the first ones get one more)."""
        return _ops.layout.array_split(self, indices_or_sections, axis)

    def pad(self, pad_width: Any, mode: str = "constant", constant_values: float = 0.0) -> Value:
        """Pad by ``mode`` 'constant', 'reflect' or 'edge' (numpy's ``pad``)."""
        return _ops.layout.pad(self, pad_width, mode, constant_values)

    def tril(self, k: int = 0) -> Value:
        """The lower triangle (on and below diagonal ``k``) of the last two axes, zeros above."""
        return _ops.layout.tril(self, k)

    def triu(self, k: int = 0) -> Value:
        """The upper triangle (on and above diagonal ``k``) of the last two axes, zeros below."""
        return _ops.layout.triu(self, k)

    def diagonal(self, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Value:
        """The diagonal ``offset`` of the planes (axis1, axis2), on a new last axis."""
        return _ops.layout.diagonal(self, offset, axis1, axis2)

    def trace(self, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Value:
        """Σ of the diagonal ``offset`` (numpy's ``trace``)."""
        return _ops.layout.trace(self, offset, axis1, axis2)

    def take_along_axis(self, indices: Any, axis: int) -> Value:
        """Pick ``indices`` along ``axis`` (numpy's ``take_along_axis``)."""
        return _ops.gather.take_along_axis(self, indices, axis)

    def gather(self, axis: int, indices: Any) -> Value:
        """PyTorch's ``gather``: pick ``indices`` along ``axis``, shaped like ``indices``."""
        return _ops.gather.gather(self, axis, indices)

    def scatter_add(self, axis: int, indices: Any, src: Any) -> Value:
        """A copy with ``src`` added at ``indices`` along ``axis`` (PyTorch's)."""
        return _ops.gather.scatter_add(self, axis, indices, src)

    def masked_fill(self, mask: Any, value: Any) -> Value:
        """``value`` where ``mask`` is True, else x (the mask broadcasts against x)."""
        return _ops.gather.masked_fill(self, mask, value)

    def index_put(self, index: Any, values: Any, accumulate: bool = False) -> Value:
        """A new Value with ``x[index]`` set to (or, accumulating, added) ``values``."""
        return _ops.gather.index_put(self, index, values, accumulate)

    def argmax(self, axis: int | None = None, keepdims: bool = False) -> np.ndarray:
        """The position of the largest element (the first on ties) — a plain integer array."""
        return _ops.selection.argmax(self, axis, keepdims)

    def argmin(self, axis: int | None = None, keepdims: bool = False) -> np.ndarray:
        """The position of the smallest element (the first on ties) — a plain integer array."""
        return _ops.selection.argmin(self, axis, keepdims)

    def argsort(self, axis: int = -1, descending: bool = False) -> np.ndarray:
        """The positions that sort ``x`` along ``axis`` (stable) — a plain integer array."""
        return _ops.selection.argsort(self, axis, descending)

    def sort(self, axis: int = -1, descending: bool = False) -> Value:
        """``x`` sorted along ``axis`` (numpy's ``sort``; ``descending`` as PyTorch's)."""
        return _ops.selection.sort(self, axis, descending)

    def topk(
        self, k: int, axis: int = -1, largest: bool = True, sorted: bool = True
    ) -> tuple[Value, np.ndarray]:
        """The ``k`` largest (or smallest) elements along ``axis``, and their positions."""
        return _ops.selection.topk(self, k, axis, largest, sorted)

    def prod(self, axis: Axis = None, keepdims: bool = False) -> Value:
        """Π of the elements over ``axis`` (all when None)."""
        return _ops.reductions_more.prod(self, axis, keepdims)

    def std(self, axis: Axis = None, keepdims: bool = False, ddof: int = 0) -> Value:
        """Standard deviation √var over ``axis`` (numpy's ``ddof=0``; PyTorch's default is 1)."""
        return _ops.reductions_more.std(self, axis, keepdims, ddof)

    def norm(self, ord: Any = None, axis: Axis = None, keepdims: bool = False) -> Value:
        """Vector or matrix norm, as ``numpy.linalg.norm``."""
        return _ops.reductions_more.norm(self, ord, axis, keepdims)

    def any(self, axis: Axis = None, keepdims: bool = False) -> Any:
        """Whether any element is nonzero: a plain boolean (array), no gradient."""
        return _ops.reductions_more.any(self, axis, keepdims)

    def all(self, axis: Axis = None, keepdims: bool = False) -> Any:
        """Whether every element is nonzero: a plain boolean (array), no gradient."""
        return _ops.reductions_more.all(self, axis, keepdims)

    def cumsum(self, axis: int | None = None) -> Value:
        """Running sum yᵢ = x₀ + … + xᵢ along ``axis`` (flattened when None)."""
        return _ops.scans.cumsum(self, axis)

    def cumprod(self, axis: int | None = None) -> Value:
        """Running product yᵢ = x₀·…·xᵢ along ``axis``; exact gradients with zeros in x."""
        return _ops.scans.cumprod(self, axis)

    def logcumsumexp(self, axis: int | None = None) -> Value:
        """Running log-sum-exp yᵢ = ln Σ_{k≤i} e^(xₖ), stable for large |x|."""
        return _ops.scans.logcumsumexp(self, axis)

    def diff(self, n: int = 1, axis: int = -1) -> Value:
        """The n-th difference xᵢ₊₁ − xᵢ along ``axis`` (numpy's ``diff``)."""
        return _ops.scans.diff(self, n, axis)

    def dot(self, other: Any) -> Value:
        """numpy's ``dot``: the sum over the last axis of x and the second-to-last of other."""
        return _ops.linalg.dot(self, other)

    def outer(self, other: Any) -> Value:
        """The outer product aᵢbⱼ of the flattened a and b."""
        return _ops.linalg.outer(self, other)

    def inner(self, other: Any) -> Value:
        """Σ over the last axes of a and b (numpy's ``inner``; a product for scalars)."""
        return _ops.linalg.inner(self, other)

    def kron(self, other: Any) -> Value:
        """The Kronecker product: blocks aᵢ·b (numpy's ``kron``)."""
        return _ops.linalg.kron(self, other)

    def sign(self) -> Value:
        """sign(x) ∈ {−1, 0, 1}; zero gradient."""
        return _ops.elementary.sign(self)

    def floor(self) -> Value:
        """⌊x⌋; zero gradient (piecewise constant)."""
        return _ops.elementary.floor(self)

    def ceil(self) -> Value:
        """⌈x⌉; zero gradient (piecewise constant)."""
        return _ops.elementary.ceil(self)

    def round(self, decimals: int = 0) -> Value:
        """x rounded to ``decimals`` places (halves to even); zero gradient."""
        return _ops.elementary.round(self, decimals)

    def mod(self, other: Any) -> Value:
        """x mod other, with the sign of other (numpy's ``%``)."""
        return _ops.elementary.mod(self, other)

    def log1p(self) -> Value:
        """ln(1 + x), accurate for tiny x."""
        return _ops.elementary.log1p(self)

    def expm1(self) -> Value:
        """eˣ − 1, accurate for tiny x."""
        return _ops.elementary.expm1(self)

    def log2(self) -> Value:
        """log₂ x = ln x / ln 2."""
        return _ops.elementary.log2(self)

    def log10(self) -> Value:
        """log₁₀ x = ln x / ln 10."""
        return _ops.elementary.log10(self)

    def square(self) -> Value:
        """x² = x·x."""
        return _ops.elementary.square(self)

    def reciprocal(self) -> Value:
        """1/x."""
        return _ops.elementary.reciprocal(self)

    def tan(self) -> Value:
        """tan x = sin x / cos x."""
        return _ops.elementary.tan(self)

    def arcsin(self) -> Value:
        """arcsin x ∈ [−π/2, π/2]."""
        return _ops.elementary.arcsin(self)

    def arccos(self) -> Value:
        """arccos x ∈ [0, π]."""
        return _ops.elementary.arccos(self)

    def arctan(self) -> Value:
        """arctan x."""
        return _ops.elementary.arctan(self)

    def arctan2(self, other: Any) -> Value:
        """The angle of the point (other, x), in (−π, π]: numpy's ``arctan2(x, other)``."""
        return _ops.elementary.arctan2(self, other)

    def hypot(self, other: Any) -> Value:
        """√(x² + other²) elementwise."""
        return _ops.elementary.hypot(self, other)

    def sinh(self) -> Value:
        """sinh x = (eˣ − e⁻ˣ)/2, through expm1 so small x keep their digits."""
        return _ops.elementary.sinh(self)

    def cosh(self) -> Value:
        """cosh x = (eˣ + e⁻ˣ)/2."""
        return _ops.elementary.cosh(self)

    def erf(self) -> Value:
        """The error function (2/√π) ∫₀ˣ e^(−t²) dt."""
        return _ops.elementary.erf(self)

    def isnan(self) -> Any:
        """Where x is nan: a plain boolean array (no gradient)."""
        return _ops.elementary.isnan(self)

    def isfinite(self) -> Any:
        """Where x is neither inf nor nan: a plain boolean array (no gradient)."""
        return _ops.elementary.isfinite(self)

    def softplus(self, beta: float = 1.0, threshold: float = 20.0) -> Value:
        """ln(1 + e^(βx))/β, computed stably."""
        return _ops.activations.softplus(self, beta, threshold)

    def elu(self, alpha: float = 1.0) -> Value:
        """x for x > 0, else α(eˣ − 1)."""
        return _ops.activations.elu(self, alpha)

    def selu(self) -> Value:
        """λ·elu(x, α) with λ ≈ 1.0507 and α ≈ 1.6733: self-normalising."""
        return _ops.activations.selu(self)

    def silu(self) -> Value:
        """x·σ(x) (also called swish)."""
        return _ops.activations.silu(self)

    def mish(self) -> Value:
        """x·tanh(softplus(x))."""
        return _ops.activations.mish(self)

    def hardtanh(self, min_val: float = -1.0, max_val: float = 1.0) -> Value:
        """clip(x, min_val, max_val)."""
        return _ops.activations.hardtanh(self, min_val, max_val)

    def softsign(self) -> Value:
        """x/(1 + |x|) ∈ (−1, 1)."""
        return _ops.activations.softsign(self)

    def logsigmoid(self) -> Value:
        """ln σ(x) = min(x, 0) − ln(1 + e^−|x|), finite for any x."""
        return _ops.activations.logsigmoid(self)

    def astype(self, dtype: Any) -> Value:
        """x as ``dtype`` (float ↔ float keeps the gradient; int or bool gives a constant)."""
        return _ops.dtype.astype(self, dtype)

    def __mod__(self, other: Any) -> Value:
        return _ops.elementary.mod(self, other)

    def __rmod__(self, other: Any) -> Value:
        return _ops.elementary.mod(other, self)


def _raw(x: Any) -> Any:
    return x._data if isinstance(x, Value) else x


def _axis(axis: Any) -> Any:
    return tuple(axis) if isinstance(axis, list) else axis


def _index(index: Any) -> Any:
    """Indices may hold Values or lists; make them plain numpy indices."""
    if isinstance(index, tuple):
        return tuple(_index(i) for i in index)
    if isinstance(index, Value):
        index = index._data
    if isinstance(index, list):
        index = np.asarray(index)
    if isinstance(index, np.ndarray) and index.dtype.kind not in "iub":
        raise IndexError(f"indices must be integers or booleans, got dtype {index.dtype}")
    return index


# numpy ufuncs that stand for Value operators: ``array ⊕ value`` is recorded as the op.
_OPERATOR_UFUNCS = {
    np.add: ("Add", 2), np.subtract: ("Sub", 2), np.multiply: ("Mul", 2),
    np.true_divide: ("Div", 2), np.power: ("Pow", 2), np.matmul: ("MatMul", 2),
    np.negative: ("Neg", 1), np.absolute: ("Abs", 1),
}  # fmt: skip
_COMPARISONS = {np.less, np.less_equal, np.greater, np.greater_equal}

_REPR_MAX_SIZE = 20  # arrays up to this many elements show their numbers in repr


def _number_text(x: Any) -> str:
    return f"{float(np.asarray(x.data if isinstance(x, Value) else x)):.4g}"


def _array_text(x: Any) -> str:
    array = np.asarray(x.data if isinstance(x, Value) else x)
    if array.ndim == 0:
        return f"{float(array):.5g}"
    return np.array2string(array, precision=4, separator=", ", suppress_small=True)


def _constant(x: Any, dtype: np.dtype | None) -> Value:
    """Wrap a number or array that enters an op as a constant node (no gradient).

    Constants take the floating dtype of the op's tensor inputs, so a float64 or integer
    constant never silently upcasts a float32 computation (and a float constant is never
    truncated to an integer tensor's dtype). An array is copied, as ``torch.tensor`` copies:
    reusing the caller's buffer afterwards cannot change what backward computes.
    """
    if type(x) is float:
        data = x
    elif type(x) is np.ndarray and x.dtype.kind == "f":  # the common case: one copy of its own
        data = x.astype(dtype if dtype is not None else x.dtype)
    elif isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool):
        data = float(x)  # a Python float never upcasts a float32 array (numpy's weak scalars)
    else:
        data = _numeric_copy(x, "an op")
        if dtype is not None and data.dtype != dtype:
            data = data.astype(dtype)
        elif data.dtype.kind not in _FLOAT_KINDS:
            data = data.astype(np.float64)
    return _node(data, False)


def _tensor_dtype(x: Any) -> np.dtype | None:
    """The dtype constants should take next to ``x``: a float tensor's, else None."""
    if isinstance(x, Value) and type(x._data) is np.ndarray and x._data.dtype.kind == "f":
        return x._data.dtype
    return None


def as_value(x: Any, like: Any = None) -> Value:
    """``x`` itself if it is a Value, else a constant Value of it (dtype taken from ``like``,
    a Value, when that is a float tensor): the way composite ops accept arrays and numbers."""
    return x if isinstance(x, Value) else _constant(x, _tensor_dtype(like))


def _normalized(data: Any, parents: tuple[Value, ...]) -> Any:
    """An op's result as a Python float (when every input was one) or else a numpy array: numpy
    returns its own scalar types from some functions."""
    if all(type(p._data) is float for p in parents):
        return float(data)
    return np.asarray(data)


def _unary(op: Any, a: Any) -> Value:
    """``apply`` for a one-input op without settings (the common case, kept lean)."""
    if not isinstance(a, Value):
        a = _constant(a, None)
    try:
        data = op.forward(a._data)
    except ValueError as error:
        raise _explain_shape_error(op, (a,), error) from None
    if type(data) is not float and type(data) is not np.ndarray:
        data = _normalized(data, (a,))
    return _node(data, a.requires_grad, op, (a,))


def _binary(op: Any, a: Any, b: Any) -> Value:
    """``apply`` for a two-input op without settings (``+ - * / ** @``, kept lean)."""
    if not isinstance(a, Value):
        a = _constant(a, _tensor_dtype(b))
    if not isinstance(b, Value):
        b = _constant(b, _tensor_dtype(a))
    try:
        data = op.forward(a._data, b._data)
    except ValueError as error:
        raise _explain_shape_error(op, (a, b), error) from None
    if type(data) is not float and type(data) is not np.ndarray:
        data = _normalized(data, (a, b))
    return _node(data, a.requires_grad or b.requires_grad, op, (a, b))


def apply(op: Any, *inputs: Any, **settings: Any) -> Value:
    """Run primitive ``op`` forward on ``inputs`` and, if any needs a gradient, record the node.

    Numbers and arrays among the inputs become constant nodes (of the tensor inputs' float
    dtype). In ``no_grad`` mode, or when no input requires a gradient, the result is a plain
    leaf that remembers nothing.
    """
    parents = inputs
    for x in inputs:
        if not isinstance(x, Value):
            parents = _with_constants(op, inputs)
            break
    try:
        data = op.forward(*[p._data for p in parents], **settings)
    except ValueError as error:
        raise _explain_shape_error(op, parents, error) from None
    if type(data) is tuple:  # an op that keeps intermediates for its backward (op.saves)
        data, saved = data
        settings = {**settings, **saved}
    if type(data) is not float and type(data) is not np.ndarray:
        data = _normalized(data, parents)
    needs_grad = False
    for p in parents:
        if p.requires_grad:
            needs_grad = True
            break
    return _node(data, needs_grad, op, parents, settings or None)


def _with_constants(op: Any, inputs: tuple[Any, ...]) -> tuple[Value, ...]:
    """``inputs`` with numbers and arrays made constant nodes of the tensors' float dtype."""
    dtype = None
    for x in inputs:
        dtype = _tensor_dtype(x)
        if dtype is not None:
            break
    try:
        return tuple([x if isinstance(x, Value) else _constant(x, dtype) for x in inputs])
    except TypeError as error:
        raise TypeError(f"{op.symbol}: {error}") from None


def _explain_shape_error(op: Any, parents: tuple[Value, ...], error: ValueError) -> Exception:
    """Name the op and the shapes when numpy refuses to broadcast."""
    if "broadcast" not in str(error):
        if "same shape" in str(error) or "must match exactly" in str(error):  # stack, concat
            shapes = ", ".join(str(p.shape) for p in parents)
            return ValueError(f"{op.__name__}: the inputs' shapes {shapes} do not fit together "
                              f"({error}); reshape them to agree")  # fmt: skip
        return error
    shapes = " and ".join(str(p.shape) for p in parents)
    return ValueError(
        f"{op.__name__} ({op.symbol}): shapes {shapes} cannot be broadcast together — each "
        "axis, aligned from the right, must be equal or 1. Reshape an operand (e.g. "
        "x.reshape(-1, 1)) or check the layer sizes."
    )


def as_function(method: Any) -> Any:
    """Turn a ``Value`` method into a function that also takes numbers and arrays (as
    constants): ``autograd.exp(x)`` is ``Value.exp`` for any x."""

    def function(x: Any, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(x, Value):  # a constant, of the dtype of a tensor argument if any
            like = next((a for a in args if _tensor_dtype(a) is not None), None)
            x = as_value(x, like)
        return method(x, *args, **kwargs)

    name = method.__name__.strip("_").replace("truediv", "div")
    function.__name__ = function.__qualname__ = name
    function.__doc__ = method.__doc__
    return function


def where(condition: Any, a: Any, b: Any) -> Value:
    """Elementwise ``a`` where ``condition`` holds, else ``b`` (condition: booleans, no grad).

    As in PyTorch the condition must be boolean (a comparison such as ``x > 0``): a float
    condition would silently read 0.2 as True, so it is refused.
    """
    mask = np.asarray(_raw(condition))
    if mask.dtype != np.bool_:
        raise TypeError(
            f"where: the condition must be booleans, got dtype {mask.dtype}; compare first "
            "(e.g. where(x > 0, a, b)) or convert with mask.astype(bool)"
        )
    return apply(_ops.Where, a, b, condition=mask.copy())


def linear(x: Any, weight: Any, bias: Any = None) -> Value:
    """x Wᵀ + b, a dense layer (``weight`` of shape (nout, nin), ``bias`` (nout,)), as one op.

    The same as ``x @ weight.T + bias`` — with one graph node instead of three (fused for
    speed; see ``autograd.ops.fused``).
    """
    w_shape = weight.shape if isinstance(weight, Value) else np.shape(weight)
    b_shape = bias.shape if isinstance(bias, Value) else np.shape(bias)
    if len(w_shape) != 2 or (bias is not None and b_shape != w_shape[:1]):
        raise ValueError(
            f"linear: weight must be (nout, nin) and bias (nout,), got {w_shape} and "
            f"{b_shape if bias is not None else None}"
        )
    if bias is None:
        return _binary(_ops.MatMul, x, as_value(weight, x).T)
    return apply(_ops.Linear, x, weight, bias)


def concatenate(values: Sequence[Any], axis: int = 0) -> Value:
    """Join Values (or arrays) along an existing axis."""
    return apply(_ops.Concatenate, *values, axis=axis)


def stack(values: Sequence[Any], axis: int = 0) -> Value:
    """Join Values (or arrays or scalars) along a new axis — e.g. scalar Values into a vector."""
    return apply(_ops.Stack, *values, axis=axis)


from autograd import ops as _ops  # noqa: E402  (the ops import Value: imported last)
from autograd.ops import softmax as _softmax  # noqa: E402
