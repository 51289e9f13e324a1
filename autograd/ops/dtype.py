"""``astype``: change a Value's dtype.

Between floating dtypes the cast is a primitive (no other op changes the dtype; constants
follow their tensor inputs instead): y = x in the new precision, and ∂L/∂x = ∂L/∂y cast back
to x's dtype, so float32 parameters keep float32 gradients. A cast to an integer or boolean
dtype has no gradient (its derivative is 0 wherever it exists): the result is a constant.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.ops.generic import float_dtype, raw
from autograd.ops.primitive import Primitive
from autograd.value import Value, apply


class AsType(Primitive):
    """y = x stored as ``dtype`` (floating).   ∂L/∂x = ∂L/∂y in x's own dtype."""

    symbol = "astype"

    def forward(x, *, dtype):
        return np.asarray(x, dtype=dtype)

    def vjp_x(g, y, x, *, dtype):
        source = float_dtype(x)
        if source is None:  # a Python float: the gradient is a Python float too
            return float(raw(g)) if not isinstance(g, Value) else g.reshape(())
        if float_dtype(g) == source:
            return g
        return apply(AsType, g, dtype=source) if isinstance(g, Value) else g.astype(source)


def astype(x: Any, dtype: Any) -> Value:
    """x as ``dtype``: float ↔ float keeps the gradient; an integer or bool result is a
    constant (no gradient)."""
    x = x if isinstance(x, Value) else Value(x, requires_grad=False)
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        return Value(np.asarray(x.data).astype(dtype), requires_grad=False)
    if type(x.data) is not float and x.data.dtype == dtype:
        return x
    return apply(AsType, x, dtype=dtype)
