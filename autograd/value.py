"""``Value``: one node class for scalars and tensors, and ``apply``, which records an op.

A ``Value`` holds ``data`` (a Python float for a scalar made from a number, else a numpy array),
``grad`` (same shape; None until backward reaches it) and, when an op made it, the op and the
input nodes (``_parents``, a tuple). Nodes keep no closures and no references to their
consumers, so a graph has no reference cycles and is freed as soon as its root is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd.grad_mode import GRAD_MODE
from autograd.scope import SCOPE

Axis = int | tuple[int, ...] | None

_FLOAT_KINDS = "f"


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
    """Check and convert what a user passes to ``Value(...)``."""
    if isinstance(data, Value):
        return data.data
    if isinstance(data, bool):
        data = float(data)
    if isinstance(data, (int, float)):
        return float(data)
    if isinstance(data, (list, tuple)) and any(isinstance(x, Value) for x in _flat(data)):
        raise TypeError(
            "Value: got a list containing Values. A Value cannot wrap other Values (the graph "
            "would be lost); build the tensor with autograd.stack([...]) instead."
        )
    array = np.asarray(data)
    if array.dtype.kind == "O":
        raise TypeError(
            "Value: got an object array (often a list that mixes Values and numbers). Pass "
            "numbers or a numeric numpy array; combine Values with autograd.stack instead."
        )
    if array.dtype.kind not in _FLOAT_KINDS and requires_grad:
        raise TypeError(
            f"Value: data of dtype {array.dtype} cannot carry a gradient — only floating-point "
            "numbers can. Convert it (e.g. np.asarray(x, dtype=np.float32)) or pass "
            "requires_grad=False to use it as a constant."
        )
    return array


class Value:
    """A node of the computation graph: a number or array, its gradient, and how it was made.

    ``Value(2.0, label="a")`` is a scalar leaf; ``Value(np.zeros((3, 4), np.float32))`` a tensor
    leaf. Results of ops on Values are Values that remember the op and their inputs.
    """

    __slots__ = ("data", "grad", "label", "requires_grad", "_op", "_parents", "_settings",
                 "_scope", "_walk", "_consumers", "__weakref__")  # fmt: skip

    # numpy must hand `ndarray * Value` to Value.__rmul__ instead of looping over the array.
    __array_ufunc__ = None

    def __init__(self, data: Any, label: str = "", requires_grad: bool = True) -> None:
        self.data = _as_data(data, requires_grad)
        self.grad: Any = None
        self.label = label
        self.requires_grad = bool(requires_grad)
        self._op = None
        self._parents: tuple[Value, ...] = ()
        self._settings: dict[str, Any] | None = None
        self._scope = None
        self._walk = None  # see backprop.backward_order

    # ----------------------------------------------------------------- properties
    @property
    def shape(self) -> tuple[int, ...]:
        return () if type(self.data) is float else self.data.shape

    @property
    def ndim(self) -> int:
        return 0 if type(self.data) is float else self.data.ndim

    @property
    def size(self) -> int:
        return 1 if type(self.data) is float else self.data.size

    @property
    def dtype(self) -> np.dtype:
        return np.dtype(np.float64) if type(self.data) is float else self.data.dtype

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
        if type(self.data) is float:
            raise TypeError("len() of a scalar Value")
        return len(self.data)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return np.asarray(self.data, dtype=dtype)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        if type(self.data) is float:
            grad = "None" if self.grad is None else f"{float(np.asarray(self.grad)):.4g}"
            return f"Value(data={self.data:.4g}, grad={grad}{label})"
        return f"Value(shape={self.data.shape}, dtype={self.data.dtype}{label})"

    def __bool__(self) -> bool:
        if self.size != 1:
            raise ValueError(
                f"the truth value of a Value of shape {self.shape} is ambiguous; "
                "use (v > 0).any() or .all() on the comparison"
            )
        return bool(self.data)

    # ----------------------------------------------------------------- conversion
    def item(self) -> float:
        """The single number in this Value, as a Python float."""
        if self.size != 1:
            raise ValueError(f"item() needs a Value with one element, this one has shape "
                             f"{self.shape}; use .numpy() for arrays")  # fmt: skip
        return float(np.asarray(self.data).reshape(()))

    def numpy(self) -> np.ndarray:
        """The data as a numpy array (0-d for a scalar)."""
        return np.asarray(self.data)

    def detach(self) -> Value:
        """A new leaf sharing this node's data, cut off from the graph (no gradient)."""
        return Value(self.data, label=self.label, requires_grad=False)

    # ----------------------------------------------------------------- backward
    def backward(self, grad: Any = None, create_graph: bool = False) -> None:
        """Backpropagate: add ∂self/∂node to ``node.grad`` for every node that leads here.

        ``grad`` is ∂L/∂self, the upstream gradient (default 1 for a scalar root; required for
        a non-scalar one). Gradients accumulate across calls, like PyTorch's. With
        ``create_graph=True`` the backward pass is recorded, so the gradients are Values that
        can be differentiated again; then, as in PyTorch, only leaves keep their ``.grad``
        (an intermediate holding a recorded gradient would form a reference cycle).
        """
        from autograd.backprop import accumulated, backpropagate

        for node, g in backpropagate(self, grad, create_graph).items():
            if create_graph and node._op is not None:
                continue  # a recorded gradient of an intermediate would point back at it: a cycle
            node.grad = accumulated(node.grad, g)

    # ----------------------------------------------------------------- arithmetic
    def __add__(self, other: Any) -> Value:
        return apply(_ops.Add, self, other)

    def __radd__(self, other: Any) -> Value:
        return apply(_ops.Add, other, self)

    def __sub__(self, other: Any) -> Value:
        return apply(_ops.Sub, self, other)

    def __rsub__(self, other: Any) -> Value:
        return apply(_ops.Sub, other, self)

    def __mul__(self, other: Any) -> Value:
        return apply(_ops.Mul, self, other)

    def __rmul__(self, other: Any) -> Value:
        return apply(_ops.Mul, other, self)

    def __truediv__(self, other: Any) -> Value:
        return apply(_ops.Div, self, other)

    def __rtruediv__(self, other: Any) -> Value:
        return apply(_ops.Div, other, self)

    def __pow__(self, other: Any) -> Value:
        return apply(_ops.Pow, self, other)

    def __rpow__(self, other: Any) -> Value:
        return apply(_ops.Pow, other, self)

    def __matmul__(self, other: Any) -> Value:
        return apply(_ops.MatMul, self, other)

    def __rmatmul__(self, other: Any) -> Value:
        return apply(_ops.MatMul, other, self)

    def __neg__(self) -> Value:
        return apply(_ops.Neg, self)

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        return apply(_ops.Abs, self)

    # Comparisons give plain boolean arrays (no graph); == and hash stay identity-based.
    def __lt__(self, other: Any) -> Any:
        return self.data < _raw(other)

    def __le__(self, other: Any) -> Any:
        return self.data <= _raw(other)

    def __gt__(self, other: Any) -> Any:
        return self.data > _raw(other)

    def __ge__(self, other: Any) -> Any:
        return self.data >= _raw(other)

    __hash__ = object.__hash__

    # ----------------------------------------------------------------- elementwise
    def exp(self) -> Value:
        """eˣ elementwise."""
        return apply(_ops.Exp, self)

    def log(self) -> Value:
        """Natural logarithm elementwise (ln 0 = −inf)."""
        return apply(_ops.Log, self)

    def sqrt(self) -> Value:
        """√x elementwise."""
        return apply(_ops.Sqrt, self)

    def abs(self) -> Value:
        """|x| elementwise; gradient sign(x), 0 at 0."""
        return apply(_ops.Abs, self)

    def sin(self) -> Value:
        """sin x elementwise (radians)."""
        return apply(_ops.Sin, self)

    def cos(self) -> Value:
        """cos x elementwise (radians)."""
        return apply(_ops.Cos, self)

    def tanh(self) -> Value:
        """Hyperbolic tangent elementwise."""
        return apply(_ops.Tanh, self)

    def sigmoid(self) -> Value:
        """σ(x) = 1/(1+e⁻ˣ), computed stably for any x."""
        return apply(_ops.Sigmoid, self)

    def relu(self) -> Value:
        """max(x, 0); gradient 0 at x = 0 (PyTorch's choice)."""
        return apply(_ops.ReLU, self)

    def leaky_relu(self, negative_slope: float = 0.01) -> Value:
        """x for x > 0 else negative_slope·x (PyTorch's default slope 0.01)."""
        return apply(_ops.LeakyReLU, self, slope=negative_slope)

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
        are numpy's; pass ``ddof=1`` for PyTorch's default unbiased estimate.
        """
        axis = _axis(axis)
        mean = self.mean(axis=axis, keepdims=True)
        count = self.size // mean.size
        centred = self - mean
        return (centred * centred).sum(axis=axis, keepdims=keepdims) / (count - ddof)

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
        """xᵢ − ln Σⱼ e^(xⱼ) along ``axis`` (default the last), stable for large logits."""
        return apply(_ops.LogSoftmax, self, axis=axis)

    def logsumexp(self, axis: int = -1, keepdims: bool = False) -> Value:
        """ln Σⱼ e^(xⱼ) along ``axis`` (default the last), stable for large values."""
        return apply(_ops.LogSumExp, self, axis=axis, keepdims=keepdims)


def _raw(x: Any) -> Any:
    return x.data if isinstance(x, Value) else x


def _axis(axis: Any) -> Any:
    return tuple(axis) if isinstance(axis, list) else axis


def _index(index: Any) -> Any:
    """Indices may hold Values or lists; make them plain numpy indices."""
    if isinstance(index, tuple):
        return tuple(_index(i) for i in index)
    if isinstance(index, Value):
        index = index.data
    if isinstance(index, list):
        index = np.asarray(index)
    if isinstance(index, np.ndarray) and index.dtype.kind not in "iub":
        raise IndexError(f"indices must be integers or booleans, got dtype {index.dtype}")
    return index


def _constant(x: Any, dtype: np.dtype | None) -> Value:
    """Wrap a number or array that enters an op as a constant node (no gradient).

    Constants take the dtype of the op's tensor inputs, so a float64 or integer constant
    never silently upcasts a float32 computation.
    """
    node = Value.__new__(Value)
    if type(x) is float:
        data = x
    elif isinstance(x, (int, np.integer, np.floating)) and not isinstance(x, bool):
        data = float(x) if dtype is None else np.asarray(x, dtype=dtype)
    else:
        data = np.asarray(x)
        if data.dtype.kind == "O":
            raise TypeError(
                "an op got an object array (for example a list of Values); "
                "use autograd.stack to build a tensor from Values"
            )
        if dtype is not None and data.dtype != dtype:
            data = data.astype(dtype)
        elif data.dtype.kind not in _FLOAT_KINDS:
            data = data.astype(np.float64)
    node.data = data
    node.grad = None
    node.label = ""
    node.requires_grad = False
    node._op = None
    node._parents = ()
    node._settings = None
    node._scope = None
    node._walk = None
    return node


def _tensor_dtype(x: Any) -> np.dtype | None:
    return x.data.dtype if isinstance(x, Value) and type(x.data) is np.ndarray else None


def apply(op: Any, *inputs: Any, **settings: Any) -> Value:
    """Run primitive ``op`` forward on ``inputs`` and, if any needs a gradient, record the node.

    Numbers and arrays among the inputs become constant nodes. In ``no_grad`` mode, or when no
    input requires a gradient, the result is a plain leaf that remembers nothing.
    """
    # Unrolled for one and two inputs: node creation is the engine's hot path.
    if len(inputs) == 1:
        (a,) = inputs
        if not isinstance(a, Value):
            a = _constant(a, None)
        parents: tuple[Value, ...] = (a,)
        needs_grad = a.requires_grad
        try:
            data = op.forward(a.data, **settings) if settings else op.forward(a.data)
        except ValueError as error:
            raise _explain_shape_error(op, parents, error) from None
    elif len(inputs) == 2:
        a, b = inputs
        if not isinstance(a, Value):
            a = _constant(a, _tensor_dtype(b))
        if not isinstance(b, Value):
            b = _constant(b, _tensor_dtype(a))
        parents = (a, b)
        needs_grad = a.requires_grad or b.requires_grad
        try:
            data = (
                op.forward(a.data, b.data, **settings) if settings else op.forward(a.data, b.data)
            )
        except ValueError as error:
            raise _explain_shape_error(op, parents, error) from None
    else:
        dtype = next((d for d in map(_tensor_dtype, inputs) if d is not None), None)
        parents = tuple(x if isinstance(x, Value) else _constant(x, dtype) for x in inputs)
        needs_grad = any([p.requires_grad for p in parents])
        try:
            data = op.forward(*[p.data for p in parents], **settings)
        except ValueError as error:
            raise _explain_shape_error(op, parents, error) from None
    if type(data) is tuple:  # an op that keeps intermediates for its backward (op.saves)
        data, saved = data
        settings = {**settings, **saved}
    if type(data) is not np.ndarray and type(data) is not float:
        if all(type(p.data) is float for p in parents):
            data = float(data)
        else:
            data = np.asarray(data)
    out = Value.__new__(Value)
    out.data = data
    out.grad = None
    out.label = ""
    out._scope = SCOPE.current
    out._walk = None
    if needs_grad and GRAD_MODE.enabled:
        out.requires_grad = True
        out._op = op
        out._parents = parents
        out._settings = settings or None
    else:
        out.requires_grad = False
        out._op = None
        out._parents = ()
        out._settings = None
    return out


def _explain_shape_error(op: Any, parents: tuple[Value, ...], error: ValueError) -> Exception:
    """Name the op and the shapes when numpy refuses to broadcast."""
    if "broadcast" not in str(error):
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
        if not isinstance(x, Value):
            x = Value(x, requires_grad=False)
        return method(x, *args, **kwargs)

    name = method.__name__.strip("_").replace("truediv", "div")
    function.__name__ = function.__qualname__ = name
    function.__doc__ = method.__doc__
    return function


def where(condition: Any, a: Any, b: Any) -> Value:
    """Elementwise ``a`` where ``condition`` holds, else ``b`` (condition: booleans, no grad)."""
    return apply(_ops.Where, a, b, condition=np.asarray(_raw(condition), dtype=bool))


def linear(x: Any, weight: Any, bias: Any = None) -> Value:
    """x Wᵀ + b, a dense layer (``weight`` of shape (nout, nin), ``bias`` (nout,)), as one op.

    The same as ``x @ weight.T + bias`` — with one graph node instead of three (fused for
    speed; see ``autograd.ops.fused``).
    """
    w_shape, b_shape = np.shape(_raw(weight)), np.shape(_raw(bias))
    if len(w_shape) != 2 or (bias is not None and b_shape != w_shape[:1]):
        raise ValueError(
            f"linear: weight must be (nout, nin) and bias (nout,), got {w_shape} and "
            f"{b_shape if bias is not None else None}"
        )
    if bias is None:
        weight = weight if isinstance(weight, Value) else Value(weight, requires_grad=False)
        return apply(_ops.MatMul, x, weight.T)
    return apply(_ops.Linear, x, weight, bias)


def concatenate(values: Sequence[Any], axis: int = 0) -> Value:
    """Join Values (or arrays) along an existing axis."""
    return apply(_ops.Concatenate, *values, axis=axis)


def stack(values: Sequence[Any], axis: int = 0) -> Value:
    """Join Values (or arrays or scalars) along a new axis — e.g. scalar Values into a vector."""
    return apply(_ops.Stack, *values, axis=axis)


from autograd import ops as _ops  # noqa: E402  (the ops import Value: imported last)
