"""More elementwise functions: rounding, logarithms and exponentials near 0, trigonometry and
its inverses, hyperbolic functions, erf, and the small composites people reach for.

Primitives here exist only where no composition of existing ops computes the function, or
where the composition loses accuracy:

- ``sign floor ceil round`` are piecewise constant: their derivative is 0 wherever it exists,
  so the gradient is 0 everywhere (PyTorch's convention; at a jump it is taken as 0 too).
- ``clamped_log`` (the log inside binary cross-entropy) is one for stability at u = 0.
- ``log1p`` and ``expm1`` are primitives for accuracy: ``log(1 + x)`` rounds 1 + x first and
  returns 0 for |x| < 1e-16 (all digits lost well before that), while log1p(x) ≈ x stays exact.
- ``arcsin arccos arctan arctan2 erf`` are new functions (no composite exists); ``arctan2``
  handles the four quadrants and x = 0 that ``arctan(y / x)`` gets wrong.

Everything else is a composite (a plain function of existing ops), so its gradient is the chain
rule through those ops: ``mod`` (a − b·⌊a/b⌋), ``log2 log10 tan sinh cosh square reciprocal
hypot``. ``isnan`` and ``isfinite`` return plain boolean arrays (no graph), like comparisons.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd.ops.generic import exp, raw, sqrt
from autograd.ops.primitive import Primitive
from autograd.value import Value, apply, as_value


def _zero_like(g: Any, x: Any) -> Any:
    """A zero gradient shaped like ``x`` (a Value when recording, so the graph stays whole)."""
    if type(raw(x)) is float:
        return 0.0 * g
    return g * 0.0


# --------------------------------------------------------------------- piecewise constant
class Sign(Primitive):
    """y = sign(x) ∈ {−1, 0, 1}.   dy/dx = 0 (piecewise constant; 0 at the jump, as PyTorch)."""

    def forward(x):
        return float(np.sign(x)) if type(x) is float else np.sign(x)

    def vjp_x(g, y, x):
        return _zero_like(g, x)


class Floor(Primitive):
    """y = ⌊x⌋, the largest integer ≤ x.   dy/dx = 0 (piecewise constant)."""

    def forward(x):
        return float(math.floor(x)) if type(x) is float else np.floor(x)

    def vjp_x(g, y, x):
        return _zero_like(g, x)


class Ceil(Primitive):
    """y = ⌈x⌉, the smallest integer ≥ x.   dy/dx = 0 (piecewise constant)."""

    def forward(x):
        return float(math.ceil(x)) if type(x) is float else np.ceil(x)

    def vjp_x(g, y, x):
        return _zero_like(g, x)


class Round(Primitive):
    """y = x rounded to ``decimals`` places, halves to even (numpy and PyTorch).   dy/dx = 0."""

    def forward(x, *, decimals=0):
        return float(np.round(x, decimals)) if type(x) is float else np.round(x, decimals)

    def vjp_x(g, y, x, *, decimals=0):
        return _zero_like(g, x)


# ------------------------------------------------------------------ accurate near zero
class Log1p(Primitive):
    """y = ln(1 + x), accurate for tiny x.   dy/dx = 1/(1 + x)."""

    def forward(x):
        if type(x) is float:
            return math.log1p(x) if x > -1.0 else (-math.inf if x == -1.0 else math.nan)
        return np.log1p(x)

    def vjp_x(g, y, x):
        return g / (1.0 + x)


class Expm1(Primitive):
    """y = eˣ − 1, accurate for tiny x.   dy/dx = eˣ = y + 1."""

    def forward(x):
        if type(x) is float:
            return math.expm1(x) if x < 709.0 else math.inf
        return np.expm1(x)

    def vjp_x(g, y, x):
        return g * (y + 1.0)


class ClampedLog(Primitive):
    """y = max(ln u, −100), the log of PyTorch's binary cross-entropy.   dy/du = 1/max(u, 10⁻¹²).

    A primitive for stability: the clamp keeps ln 0 = −inf out of a loss, and the gradient
    keeps a (large) signal where the log is clamped, as PyTorch's BCE does — the composite
    ``maximum(log(u), -100)`` would pass no gradient at all there.
    """

    symbol = "clamped_log"

    def forward(u):
        if type(u) is float:
            return math.log(u) if u > math.exp(-100.0) else -100.0
        with np.errstate(divide="ignore"):
            return np.maximum(np.log(u), -100.0)

    def vjp_u(g, y, u):
        if type(u) is float:
            return g / (u if u > 1e-12 else 1e-12)
        return g / (u.maximum(1e-12) if isinstance(u, Value) else np.maximum(u, 1e-12))


# ------------------------------------------------------------------- inverse trigonometry
class Arcsin(Primitive):
    """y = arcsin x ∈ [−π/2, π/2].   dy/dx = 1/√(1 − x²)."""

    def forward(x):
        return float(np.arcsin(x)) if type(x) is float else np.arcsin(x)

    def vjp_x(g, y, x):
        return g / sqrt(1.0 - x * x)


class Arccos(Primitive):
    """y = arccos x ∈ [0, π].   dy/dx = −1/√(1 − x²)."""

    def forward(x):
        return float(np.arccos(x)) if type(x) is float else np.arccos(x)

    def vjp_x(g, y, x):
        return -g / sqrt(1.0 - x * x)


class Arctan(Primitive):
    """y = arctan x.   dy/dx = 1/(1 + x²)."""

    def forward(x):
        return math.atan(x) if type(x) is float else np.arctan(x)

    def vjp_x(g, y, x):
        return g / (1.0 + x * x)


class Arctan2(Primitive):
    """z = arctan2(a, b), the angle of the point (b, a) in (−π, π] (a is the y coordinate).

    ∂z/∂a = b/(a² + b²),   ∂z/∂b = −a/(a² + b²)   (nan at the origin, as PyTorch).
    """

    def forward(a, b):
        if type(a) is float and type(b) is float:
            return math.atan2(a, b)
        return np.arctan2(a, b)

    def vjp_a(g, z, a, b):
        return g * b / (a * a + b * b)

    def vjp_b(g, z, a, b):
        return -g * a / (a * a + b * b)


def _erf(x: Any) -> Any:
    if type(x) is float:
        return math.erf(x)
    out = np.frompyfunc(math.erf, 1, 1)(x)  # numpy has no erf (and scipy is not a dependency)
    return np.asarray(out, dtype=x.dtype)


class Erf(Primitive):
    """y = erf x = (2/√π) ∫₀ˣ e^(−t²) dt.   dy/dx = (2/√π) e^(−x²)."""

    def forward(x):
        return _erf(x)

    def vjp_x(g, y, x):
        return g * (2.0 / math.sqrt(math.pi)) * exp(-(x * x))


# ----------------------------------------------------------------------------- functions


def sign(x: Any) -> Value:
    """sign(x) ∈ {−1, 0, 1}; zero gradient."""
    return apply(Sign, x)


def floor(x: Any) -> Value:
    """⌊x⌋; zero gradient (piecewise constant)."""
    return apply(Floor, x)


def ceil(x: Any) -> Value:
    """⌈x⌉; zero gradient (piecewise constant)."""
    return apply(Ceil, x)


def round(x: Any, decimals: int = 0) -> Value:  # noqa: A001
    """x rounded to ``decimals`` places (halves to even); zero gradient."""
    return apply(Round, x, decimals=int(decimals))


def mod(a: Any, b: Any) -> Value:
    """a mod b = a − b·⌊a/b⌋, with the sign of b (numpy's ``%``, PyTorch's ``remainder``).

    ∂/∂a = 1,  ∂/∂b = −⌊a/b⌋ (the floor has zero gradient), as PyTorch.
    """
    return a - b * floor(as_value(a) / b)


def log1p(x: Any) -> Value:
    """ln(1 + x), accurate for tiny x.   d/dx = 1/(1 + x)."""
    return apply(Log1p, x)


def expm1(x: Any) -> Value:
    """eˣ − 1, accurate for tiny x.   d/dx = eˣ."""
    return apply(Expm1, x)


def clamped_log(u: Any) -> Value:
    """max(ln u, −100) with gradient 1/max(u, 10⁻¹²): the log of binary cross-entropy."""
    return apply(ClampedLog, u)


def log2(x: Any) -> Value:
    """log₂ x = ln x / ln 2.   d/dx = 1/(x ln 2)."""
    return as_value(x).log() * (1.0 / math.log(2.0))


def log10(x: Any) -> Value:
    """log₁₀ x = ln x / ln 10.   d/dx = 1/(x ln 10)."""
    return as_value(x).log() * (1.0 / math.log(10.0))


def tan(x: Any) -> Value:
    """tan x = sin x / cos x.   d/dx = 1/cos²x = 1 + tan²x."""
    x = as_value(x)
    return x.sin() / x.cos()


def sinh(x: Any) -> Value:
    """sinh x = (eˣ − e⁻ˣ)/2, through expm1 so small x keep their digits.   d/dx = cosh x."""
    x = as_value(x)
    return (expm1(x) - expm1(-x)) * 0.5


def cosh(x: Any) -> Value:
    """cosh x = (eˣ + e⁻ˣ)/2.   d/dx = sinh x."""
    x = as_value(x)
    return (x.exp() + (-x).exp()) * 0.5


def arcsin(x: Any) -> Value:
    """arcsin x ∈ [−π/2, π/2].   d/dx = 1/√(1 − x²)."""
    return apply(Arcsin, x)


def arccos(x: Any) -> Value:
    """arccos x ∈ [0, π].   d/dx = −1/√(1 − x²)."""
    return apply(Arccos, x)


def arctan(x: Any) -> Value:
    """arctan x.   d/dx = 1/(1 + x²)."""
    return apply(Arctan, x)


def arctan2(y: Any, x: Any) -> Value:
    """The angle of the point (x, y), in (−π, π].   ∂/∂y = x/(x²+y²),  ∂/∂x = −y/(x²+y²)."""
    return apply(Arctan2, y, x)


def erf(x: Any) -> Value:
    """The error function (2/√π) ∫₀ˣ e^(−t²) dt.   d/dx = (2/√π) e^(−x²)."""
    return apply(Erf, x)


def square(x: Any) -> Value:
    """x² = x·x.   d/dx = 2x."""
    x = as_value(x)
    return x * x


def reciprocal(x: Any) -> Value:
    """1/x.   d/dx = −1/x²."""
    return 1.0 / as_value(x)


def hypot(a: Any, b: Any) -> Value:
    """√(a² + b²) elementwise.   ∂/∂a = a/hypot, ∂/∂b = b/hypot (nan at the origin, as
    PyTorch). Composed plainly, so a² may overflow for |a| > 1e154 where numpy's does not."""
    a, b = as_value(a), b
    return (a * a + b * b).sqrt()


def isnan(x: Any) -> Any:
    """Where x is nan: a plain boolean array (no gradient)."""
    return np.isnan(raw(x))


def isfinite(x: Any) -> Any:
    """Where x is neither inf nor nan: a plain boolean array (no gradient)."""
    return np.isfinite(raw(x))
