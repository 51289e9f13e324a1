"""Array functions that accept a Python float, a numpy array or a ``Value`` alike.

Each primitive's forward and vector-Jacobian product (vjp) is written once with these helpers.
During a plain ``backward()`` the vjps receive bare floats and arrays, so they run at numpy
speed; with ``backward(create_graph=True)`` they receive ``Value``s, the same code dispatches to
``Value`` methods, and the backward pass is itself recorded (gradients of gradients).
Operators (``+ - * / ** @``) and the methods ``.sum .reshape .transpose .swapaxes`` already
work on arrays and Values alike, so only what numpy spells as a function lives here.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd.value import Value
from autograd.value import where as value_where


def raw(x: Any) -> Any:
    """The plain data behind ``x``: for masks and other non-differentiable factors."""
    return x.data if isinstance(x, Value) else x


def float_dtype(x: Any) -> np.dtype | None:
    """The dtype of an array or tensor Value; None for Python floats."""
    data = raw(x)
    return data.dtype if isinstance(data, (np.ndarray, np.generic)) else None


def scale(g: Any, factor: Any) -> Any:
    """``g * factor`` where ``factor`` is a constant (mask, slope…) cast to ``g``'s dtype."""
    dtype = float_dtype(g)
    if (
        dtype is not None
        and isinstance(factor, np.ndarray)
        and factor.dtype.kind == "f"  # booleans multiply without upcasting: no copy needed
        and factor.dtype != dtype
    ):
        factor = factor.astype(dtype)
    return g * factor


def exp(x: Any) -> Any:
    if type(x) is float:
        return math.exp(x) if x < 709.0 else math.inf
    return x.exp() if isinstance(x, Value) else np.exp(x)


def log(x: Any) -> Any:
    if type(x) is float:
        return math.log(x) if x > 0.0 else (-math.inf if x == 0.0 else math.nan)
    return x.log() if isinstance(x, Value) else np.log(x)


def sqrt(x: Any) -> Any:
    if type(x) is float:
        return math.sqrt(x) if x >= 0.0 else math.nan
    return x.sqrt() if isinstance(x, Value) else np.sqrt(x)


def tanh(x: Any) -> Any:
    if type(x) is float:
        return math.tanh(x)
    return x.tanh() if isinstance(x, Value) else np.tanh(x)


def sin(x: Any) -> Any:
    if type(x) is float:
        return math.sin(x)
    return x.sin() if isinstance(x, Value) else np.sin(x)


def cos(x: Any) -> Any:
    if type(x) is float:
        return math.cos(x)
    return x.cos() if isinstance(x, Value) else np.cos(x)


def power(a: Any, b: Any) -> Any:
    """``a ** b``; for Python floats a negative base with a fractional power gives nan, not a
    complex number, and ``0 ** negative`` gives inf (numpy's answers)."""
    if type(a) is float and type(b) is float:
        try:
            result = a**b
        except ZeroDivisionError:
            return math.inf
        return math.nan if type(result) is complex else result
    return a**b


def where(condition: Any, a: Any, b: Any) -> Any:
    """Elementwise ``a if condition else b``; ``condition`` is a constant boolean array."""
    if isinstance(a, Value) or isinstance(b, Value):
        return value_where(condition, a, b)
    if type(a) is float and type(b) is float and np.ndim(condition) == 0:
        return a if condition else b
    return np.where(condition, a, b)


def sum_along(x: Any, axis: Any, keepdims: bool = True) -> Any:
    """``x.sum(axis, keepdims)``; a Python float is its own sum."""
    return x if type(x) is float else x.sum(axis=axis, keepdims=keepdims)


def softmax(x: Any, axis: int = -1) -> Any:
    """Softmax along ``axis`` of an array or a Value (for vjps of fused ops)."""
    if isinstance(x, Value):
        return x.softmax(axis)
    from autograd.ops.softmax import Softmax

    return Softmax.forward(x, axis=axis)


def broadcast_to(x: Any, shape: tuple[int, ...]) -> Any:
    if isinstance(x, Value):
        return x.broadcast_to(shape)
    return np.broadcast_to(x, shape)


def reduced_shape(shape: tuple[int, ...], axis: int | tuple[int, ...] | None) -> tuple[int, ...]:
    """``shape`` with the reduced axes kept as size 1 (the ``keepdims=True`` shape)."""
    if axis is None:
        return (1,) * len(shape)
    axes = axis if isinstance(axis, tuple) else (axis,)
    ndim = len(shape)
    axes = {a % ndim for a in axes}
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def expand_reduced(g: Any, shape: tuple[int, ...], axis: Any, keepdims: bool) -> Any:
    """Undo a reduction's shape change: reshape ``g`` so it broadcasts against ``shape``."""
    if keepdims or not shape:
        return g
    return g.reshape(reduced_shape(shape, axis)) if type(g) is not float else g


def sum_to_shape(g: Any, like: Any) -> Any:
    """Sum a gradient ``g`` back to the shape of ``like`` (the input it belongs to).

    Broadcasting copies an input along new leading axes and along its size-1 axes; the
    gradient of a copy is the sum of the copies' gradients. This one helper serves every op.
    It also turns gradients of Python-float inputs into Python floats and keeps each input's
    dtype (float32 stays float32).
    """
    if type(like) is float:
        if type(g) is float:
            return g
        if isinstance(g, Value):
            return g.sum() if g.shape else g
        return float(np.sum(g))
    if type(g) is float:
        return np.full(like.shape, g, dtype=like.dtype)
    shape = like.shape
    gshape = g.shape
    if gshape == shape and type(g) is np.ndarray and g.dtype == like.dtype:
        return g  # the common case: nothing was broadcast
    if gshape != shape:
        lead = len(gshape) - len(shape)
        axes = tuple(range(lead)) + tuple(
            i + lead for i, n in enumerate(shape) if n == 1 and gshape[i + lead] != 1
        )
        if axes:
            g = g.sum(axis=axes, keepdims=True)
        if g.shape != shape:
            g = g.reshape(shape)
    if isinstance(g, Value):
        if g.dtype != like.dtype:  # a recorded gradient keeps its input's dtype too
            from autograd.ops.dtype import astype

            g = astype(g, like.dtype)
    elif type(g) is not np.ndarray or g.dtype != like.dtype:
        g = np.asarray(g, dtype=like.dtype)  # numpy scalars back to arrays, dtype restored
    return g
