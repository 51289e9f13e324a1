"""GELU, the Gaussian error linear unit (Hendrycks & Gimpel 2016), a composite of existing ops.

GELU weighs its input by the probability that a standard normal variable is below it::

    gelu(x) = x · Φ(x) = ½ · x · (1 + erf(x / √2))                       ("none", exact)
    gelu(x) ≈ ½ · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))           ("tanh", GPT-2's)

Both are PyTorch's forms (``approximate="none"`` and ``"tanh"``). The derivative of the exact
form is Φ(x) + x·φ(x) with φ the standard normal density; the engine finds it through ``erf``
(whose derivative is (2/√π)·e^(−x²)) and the products. Like ReLU it is ≈ x for large x and
≈ 0 for very negative x, but it is smooth, and slightly negative for x < 0 (minimum ≈ −0.17
at x ≈ −0.75).
"""

from __future__ import annotations

import math
from typing import Any

from autograd.ops.elementary import erf
from autograd.value import Value

_SQRT_HALF = 1.0 / math.sqrt(2.0)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def gelu(x: Any, approximate: str = "none") -> Value:
    """x·Φ(x) = ½x(1 + erf(x/√2)); with ``approximate="tanh"``,
    ½x(1 + tanh(√(2/π)(x + 0.044715x³)))."""
    if not isinstance(x, Value):
        x = Value(x, requires_grad=False)
    if approximate == "none":
        return x * 0.5 * (erf(x * _SQRT_HALF) + 1.0)
    if approximate == "tanh":
        inner = (x + x * x * x * 0.044715) * _SQRT_2_OVER_PI
        return x * 0.5 * (inner.tanh() + 1.0)
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
