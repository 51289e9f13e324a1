"""Every primitive op gradchecked in float64 over combinations of shapes, axes and arguments.

In the style of HIPS autograd's combination checks: each op is swept over Python-float scalars,
0-d arrays, vectors, matrices and 3-d arrays, broadcast both ways, every ``axis`` (None, each
int, negative, tuples) with and without ``keepdims``, and the op's special arguments. A
meta-test fails when a primitive in ``autograd.ops.PRIMITIVES`` has no case, so a new op cannot
land without a gradcheck. Random inputs keep away from kinks and ties (relu/abs at 0, equal
elements in max/min, clip at its bounds), where finite differences are meaningless.

The second half checks second derivatives: the gradient of each op, itself computed with a
recorded backward pass, is gradchecked again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import autograd as ag
from autograd import Value, gradcheck
from autograd.grad_mode import enable_grad
from autograd.ops import PRIMITIVES, ScatterAdd

Shape = tuple[int, ...] | str
SCALAR = "float"  # stands for a Python float input (as opposed to a 0-d array)

_rng = np.random.default_rng(20240607)  # cases are built in a fixed order: deterministic inputs


def _finish(array: np.ndarray, shape: Shape) -> Any:
    return float(array) if shape == SCALAR else array


def _size(shape: Shape) -> tuple[int, ...]:
    return () if shape == SCALAR else shape


def normal(shape: Shape, scale: float = 1.0) -> Any:
    """Normal numbers with standard deviation ``scale``: for ops smooth everywhere."""
    return _finish(np.asarray(scale * _rng.standard_normal(_size(shape))), shape)


def positive(shape: Shape) -> Any:
    """Numbers in [0.5, 2]: for log, sqrt and the bases of powers."""
    return _finish(_rng.uniform(0.5, 2.0, _size(shape)), shape)


def away(shape: Shape) -> Any:
    """Numbers with 0.3 ≤ |x| ≤ 1.5: away from the kink of relu, abs and leaky_relu at 0."""
    size = _size(shape)
    magnitude = _rng.uniform(0.3, 1.5, size)
    return _finish(np.where(_rng.random(size) < 0.5, -magnitude, magnitude), shape)


def distinct(shape: Shape) -> Any:
    """Numbers at least 0.15 apart from each other: max and min have no ties."""
    size = _size(shape)
    n = int(np.prod(size))
    values = _rng.permutation(n) * 0.25 - 0.125 * n + _rng.uniform(-0.05, 0.05, n)
    return _finish(values.reshape(size), shape)


def on_grid(shape: Shape, offset: float) -> Any:
    """Multiples of 0.5 plus ``offset`` (with a little noise): two grids with offsets 0 and
    0.25 never come closer than 0.15, so maximum/minimum of them have no ties."""
    size = _size(shape)
    values = _rng.integers(-3, 4, size) * 0.5 + offset + _rng.uniform(-0.05, 0.05, size)
    return _finish(np.asarray(values, dtype=np.float64), shape)


def away_from_bounds(shape: Shape) -> Any:
    """Numbers at least 0.1 away from ±0.5, the bounds used for clip."""
    size = _size(shape)
    choices = np.array([-1.3, -0.9, -0.3, -0.05, 0.2, 0.35, 0.8, 1.2])
    values = _rng.choice(choices, size) + _rng.uniform(-0.04, 0.04, size)
    return _finish(np.asarray(values, dtype=np.float64), shape)


def shape_id(shape: Shape) -> str:
    if shape == SCALAR:
        return "float"
    return "0d" if shape == () else "x".join(map(str, shape))


@dataclass(frozen=True)
class Case:
    """``f`` applied to ``inputs`` must record primitive ``op``; its gradients are checked."""

    op: str
    label: str
    f: Callable[..., Value]
    inputs: tuple[Any, ...]
    xfail: str = ""

    @property
    def id(self) -> str:
        return f"{self.op}-{self.label}"


CASES: list[Case] = []


def case(op: str, label: str, f: Callable[..., Value], *inputs: Any, xfail: str = "") -> None:
    CASES.append(Case(op, label, f, inputs, xfail))


ALL_SHAPES: list[Shape] = [SCALAR, (), (4,), (3, 4), (2, 3, 4)]

# Pairs of broadcast-compatible shapes: equal, scalar with tensor both ways, and size-1 or
# missing axes on either side.
BROADCAST_PAIRS: list[tuple[Shape, Shape]] = [
    (SCALAR, SCALAR),
    ((), ()),
    ((4,), (4,)),
    ((3, 4), (3, 4)),
    ((2, 3, 4), (2, 3, 4)),
    (SCALAR, (3, 4)),
    ((3, 4), SCALAR),
    ((), (3, 4)),
    ((3, 4), ()),
    (SCALAR, ()),
    ((3, 1), (1, 4)),
    ((1, 4), (3, 1)),
    ((4,), (3, 4)),
    ((3, 4), (4,)),
    ((1,), (2, 3, 4)),
    ((2, 1, 4), (3, 1)),
    ((2, 3, 1), (2, 1, 4)),
]


def pair_id(a: Shape, b: Shape) -> str:
    return f"{shape_id(a)}_{shape_id(b)}"


# ----------------------------------------------------------------------------- elementwise
UNARY: list[tuple[str, str, Callable[..., Value], Callable[[Shape], Any]]] = [
    ("Exp", "method", lambda x: x.exp(), normal),
    ("Exp", "function", lambda x: ag.exp(x), normal),
    ("Log", "method", lambda x: x.log(), positive),
    ("Log", "function", lambda x: ag.log(x), positive),
    ("Sqrt", "method", lambda x: x.sqrt(), positive),
    ("Sqrt", "function", lambda x: ag.sqrt(x), positive),
    ("Abs", "method", lambda x: x.abs(), away),
    ("Abs", "builtin", lambda x: abs(x), away),
    ("Tanh", "method", lambda x: x.tanh(), normal),
    ("Tanh", "function", lambda x: ag.tanh(x), normal),
    ("Sin", "method", lambda x: x.sin(), normal),
    ("Sin", "function", lambda x: ag.sin(x), normal),
    ("Cos", "method", lambda x: x.cos(), normal),
    ("Cos", "function", lambda x: ag.cos(x), normal),
    ("Sigmoid", "method", lambda x: x.sigmoid(), lambda s: normal(s, 3.0)),
    ("Sigmoid", "function", lambda x: ag.sigmoid(x), normal),
    ("ReLU", "method", lambda x: x.relu(), away),
    ("ReLU", "function", lambda x: ag.relu(x), away),
    ("LeakyReLU", "default", lambda x: x.leaky_relu(), away),
    ("LeakyReLU", "slope0.2", lambda x: x.leaky_relu(0.2), away),
    ("LeakyReLU", "function", lambda x: ag.leaky_relu(x, negative_slope=0.3), away),
    ("Neg", "operator", lambda x: -x, normal),
    ("Neg", "function", lambda x: ag.neg(x), normal),
]
for _op, _label, _f, _make in UNARY:
    for _shape in ALL_SHAPES:
        case(_op, f"{_label}-{shape_id(_shape)}", _f, _make(_shape))

for _lo, _hi in [(-0.5, 0.5), (None, 0.5), (-0.5, None)]:  # (None, None) raises
    for _shape in ALL_SHAPES:
        case(
            "Clip",
            f"lo{_lo}-hi{_hi}-{shape_id(_shape)}",
            lambda x, lo=_lo, hi=_hi: x.clip(lo, hi),
            away_from_bounds(_shape),
        )
case("Clip", "function", lambda x: ag.clip(x, -0.5, 0.5), away_from_bounds((3, 4)))

# --------------------------------------------------------------------- binary, broadcasting
# Multi-input functions use operators or autograd.* functions, which accept Values, arrays
# and numbers alike.
BINARY: list[tuple[str, str, Callable[..., Value], Callable[[Shape], Any], Callable]] = [
    ("Add", "operator", lambda a, b: a + b, normal, normal),
    ("Add", "function", lambda a, b: ag.add(a, b), normal, normal),
    ("Sub", "operator", lambda a, b: a - b, normal, normal),
    ("Sub", "function", lambda a, b: ag.sub(a, b), normal, normal),
    ("Mul", "operator", lambda a, b: a * b, normal, normal),
    ("Mul", "function", lambda a, b: ag.mul(a, b), normal, normal),
    ("Div", "operator", lambda a, b: a / b, normal, away),
    ("Div", "function", lambda a, b: ag.div(a, b), normal, away),
    ("Pow", "operator", lambda a, b: a**b, positive, normal),
    ("Pow", "function", lambda a, b: ag.pow(a, b), positive, normal),
    (
        "Maximum",
        "function",
        lambda a, b: ag.maximum(a, b),
        lambda s: on_grid(s, 0.0),
        lambda s: on_grid(s, 0.25),
    ),
    (
        "Minimum",
        "function",
        lambda a, b: ag.minimum(a, b),
        lambda s: on_grid(s, 0.0),
        lambda s: on_grid(s, 0.25),
    ),
]
for _op, _label, _f, _make_a, _make_b in BINARY:
    for _sa, _sb in BROADCAST_PAIRS:
        case(_op, f"{_label}-{pair_id(_sa, _sb)}", _f, _make_a(_sa), _make_b(_sb))

# One operand a constant (a number or a numpy array), on either side of the operator.
_C34, _C4, _P34 = normal((3, 4)), normal((4,)), positive((3, 4))
for _op, _label, _f, _x in [
    ("Add", "value+array", lambda a: a + _C34, normal((4,))),
    ("Add", "array+value", lambda b: _C4 + b, normal((3, 4))),
    ("Add", "float+value", lambda b: 2.5 + b, normal((3, 4))),
    ("Sub", "value-array", lambda a: a - _C4, normal((3, 4))),
    ("Sub", "array-value", lambda b: _C34 - b, normal((3, 1))),
    ("Sub", "float-value", lambda b: 2.5 - b, normal(SCALAR)),
    ("Mul", "value*array", lambda a: a * _C34, normal((3, 1))),
    ("Mul", "array*value", lambda b: _C34 * b, normal((4,))),
    ("Mul", "float*value", lambda b: 2.5 * b, normal(())),
    ("Div", "value/array", lambda a: a / _P34, normal((4,))),
    ("Div", "array/value", lambda b: _C34 / b, away((3, 4))),
    ("Div", "float/value", lambda b: 1.0 / b, away((4,))),
    ("Maximum", "value-vs-array", lambda a: a.maximum(_C34 + 0.125), on_grid((4,), 0.0)),
    ("Minimum", "value-vs-float", lambda a: a.minimum(0.1), away_from_bounds((3, 4))),
]:
    case(_op, _label, _f, _x)

# Powers: constant exponents (positive, fractional, negative, an int) and Value exponents.
for _p in [2.0, 3, 0.5, -1.5, 1.0]:
    for _shape in ALL_SHAPES:
        case("Pow", f"x**{_p}-{shape_id(_shape)}", lambda a, p=_p: a**p, positive(_shape))
case("Pow", "square-of-negative-base", lambda a: a**2, -positive((3, 4)))
case("Pow", "x**array", lambda a: a ** (_C4 * 0.5), positive((3, 4)))
case("Pow", "float**x", lambda b: 2.0**b, normal((3, 4)))
case("Pow", "array**x", lambda b: _P34**b, normal((4,)))
case("Pow", "float**x-scalar", lambda b: 1.5**b, normal(SCALAR))

# ----------------------------------------------------------------------------------- where
for _cond, _sa, _sb in [
    (_rng.random((3, 4)) < 0.5, (3, 4), (3, 4)),
    (_rng.random((3, 4)) < 0.5, (3, 1), (4,)),
    (_rng.random((4,)) < 0.5, (3, 4), SCALAR),
    (_rng.random((3, 1)) < 0.5, (), (1, 4)),
    (np.array(True), (3, 4), (3, 4)),
    (np.array(False), (4,), (3, 4)),
    (True, SCALAR, SCALAR),
]:
    case(
        "Where",
        f"cond{shape_id(np.shape(_cond))}-{pair_id(_sa, _sb)}",
        lambda a, b, c=_cond: ag.where(c, a, b),
        normal(_sa),
        normal(_sb),
    )
case("Where", "one-constant", lambda a: ag.where(_C34 > 0, a, _C34), normal((3, 4)))
case("Where", "comparison-mask", lambda a: ag.where(a > 0.0, a, a * 0.1), away((3, 4)))

# ------------------------------------------------------------------------------ reductions
AXES: dict[Shape, list[Any]] = {
    SCALAR: [None],
    (): [None],
    (4,): [None, 0, -1, (0,)],
    (3, 4): [None, 0, 1, -1, -2, (0, 1), (1, 0), (-1,)],
    (2, 3, 4): [None, 0, 1, 2, -1, -3, (0, 2), (1, 2), (0, 1, 2), (-1, 0)],
}
for _op, _method, _make in [
    ("Sum", "sum", normal),
    ("Mean", "mean", normal),
    ("Max", "max", distinct),
    ("Min", "min", distinct),
]:
    for _shape, _axes in AXES.items():
        for _axis in _axes:
            for _keepdims in (False, True):
                case(
                    _op,
                    f"{shape_id(_shape)}-axis{_axis}-keepdims{_keepdims}",
                    lambda x, m=_method, a=_axis, k=_keepdims: getattr(x, m)(axis=a, keepdims=k),
                    _make(_shape),
                )
    case(_op, "function", lambda x, m=_method: getattr(ag, m)(x, axis=1), _make((3, 4)))
case("Add", "builtin-sum-of-scalars", lambda a, b, c: sum([a, b, c]), 0.5, -1.0, 2.0)
case("Sum", "list-axis", lambda x: x.sum(axis=[0, 2]), normal((2, 3, 4)))

# ---------------------------------------------------------------------- softmax family
SOFTMAX_AXES: dict[Shape, list[Any]] = {
    (): [-1, 0],
    (4,): [0, -1],
    (3, 4): [0, 1, -1, -2, None, (0, 1)],
    (2, 3, 4): [0, 1, 2, -1, -2, -3, None, (0, 2), (-1, 1)],
}
for _op, _method in [("Softmax", "softmax"), ("LogSoftmax", "log_softmax")]:
    for _shape, _axes in SOFTMAX_AXES.items():
        for _axis in _axes:
            case(
                _op,
                f"{shape_id(_shape)}-axis{_axis}",
                lambda x, m=_method, a=_axis: getattr(x, m)(axis=a),
                normal(_shape, 3.0),
            )
    case(_op, "default-axis", lambda x, m=_method: getattr(x, m)(), normal((2, 3, 4)))
    case(_op, "function", lambda x, m=_method: getattr(ag, m)(x, axis=0), normal((3, 4)))
    case(
        _op,
        "float",
        lambda x, m=_method: getattr(x, m)() * 3.0,
        normal(SCALAR),
    )
for _shape, _axes in {SCALAR: [-1], **SOFTMAX_AXES}.items():
    for _axis in _axes:
        for _keepdims in (False, True):
            case(
                "LogSumExp",
                f"{shape_id(_shape)}-axis{_axis}-keepdims{_keepdims}",
                lambda x, a=_axis, k=_keepdims: x.logsumexp(axis=a, keepdims=k),
                normal(_shape, 3.0),
            )
case("LogSumExp", "default-axis", lambda x: x.logsumexp(), normal((3, 4)))
case("LogSumExp", "function", lambda x: ag.logsumexp(x, axis=0), normal((3, 4)))
case("LogSumExp", "large-logits", lambda x: x.logsumexp(axis=1), 500.0 + normal((3, 4)))

# --------------------------------------------------------------------------------- matmul
MATMUL_PAIRS: list[tuple[Shape, Shape]] = [
    ((3,), (3,)),
    ((3,), (3, 4)),
    ((3, 4), (4,)),
    ((3, 4), (4, 2)),
    ((1, 4), (4, 1)),
    ((2, 3, 4), (4, 5)),
    ((3, 4), (2, 4, 5)),
    ((2, 3, 4), (2, 4, 5)),
    ((2, 3, 4), (4,)),
    ((4,), (2, 4, 3)),
    ((2, 1, 3, 4), (3, 4, 2)),
    ((1, 3, 4), (2, 4, 2)),
]
for _sa, _sb in MATMUL_PAIRS:
    case("MatMul", f"operator-{pair_id(_sa, _sb)}", lambda a, b: a @ b, normal(_sa), normal(_sb))
case("MatMul", "function", lambda a, b: ag.matmul(a, b), normal((3, 4)), normal((4, 2)))
case("MatMul", "array@value", lambda b: _C34 @ b, normal((4, 2)))
case("MatMul", "value@array", lambda a: a @ _C34, normal((2, 3)))

# ---------------------------------------------------------------------------------- shape
for _from, _to in [
    ((3, 4), (4, 3)),
    ((3, 4), (12,)),
    ((3, 4), (2, -1, 2)),
    ((2, 3, 4), (6, 4)),
    ((2, 3, 4), (-1,)),
    ((4,), (2, 2)),
    ((4,), (1, 4, 1)),
    ((), (1, 1)),
    (SCALAR, (1,)),
    ((1, 1), ()),
]:
    case("Reshape", f"{shape_id(_from)}-to-{_to}", lambda x, s=_to: x.reshape(s), normal(_from))
case("Reshape", "varargs", lambda x: x.reshape(2, 6), normal((3, 4)))
case("Reshape", "function", lambda x: ag.reshape(x, (4, 3)), normal((3, 4)))
case("Reshape", "flatten", lambda x: x.flatten(), normal((2, 3, 4)))
case("Reshape", "flatten-start1", lambda x: x.flatten(1), normal((2, 3, 4)))
case("Reshape", "flatten-function", lambda x: ag.flatten(x, 1), normal((2, 3, 4)))

for _shape, _axes in [
    ((3, 4), None),
    ((3, 4), (1, 0)),
    ((2, 3, 4), None),
    ((2, 3, 4), (1, 0, 2)),
    ((2, 3, 4), (2, 0, 1)),
    ((2, 3, 4), (1, 2, 0)),
    ((2, 3, 4), (0, -1, -2)),
    ((2, 3, 4), (-1, 0, 1)),
]:
    case(
        "Transpose",
        f"{shape_id(_shape)}-axes{_axes}",
        lambda x, a=_axes: x.transpose(a),
        normal(_shape),
    )
case("Transpose", "varargs", lambda x: x.transpose(2, 0, 1), normal((2, 3, 4)))
case("Transpose", "function", lambda x: ag.transpose(x), normal((3, 4)))
for _shape in [SCALAR, (), (4,), (3, 4), (2, 3, 4)]:
    case("Transpose", f"T-{shape_id(_shape)}", lambda x: x.T, normal(_shape))
case("Transpose", "swapaxes", lambda x: x.swapaxes(0, 2), normal((2, 3, 4)))
case("Transpose", "swapaxes-negative", lambda x: x.swapaxes(-1, -2), normal((2, 3, 4)))

for _from, _to in [
    ((3, 1), (2, 3, 4)),
    ((4,), (3, 4)),
    ((1, 4), (3, 4)),
    ((3, 1), (3, 4)),
    ((), (3,)),
    (SCALAR, (2, 3)),
    ((2, 3, 4), (2, 3, 4)),
]:
    case(
        "BroadcastTo",
        f"{shape_id(_from)}-to-{shape_id(_to)}",
        lambda x, s=_to: x.broadcast_to(s),
        normal(_from),
    )
case("BroadcastTo", "function", lambda x: ag.broadcast_to(x, (2, 4)), normal((4,)))

_X234 = (2, 3, 4)
for _label, _shape, _index in [
    ("int", (5,), 1),
    ("negative-int", (5,), -1),
    ("slice", (5,), slice(1, 4)),
    ("step-slice", (5,), slice(None, None, 2)),
    ("reversed", (5,), slice(None, None, -1)),
    ("row", (3, 4), 1),
    ("column", (3, 4), (slice(None), 1)),
    ("element", (3, 4), (2, 3)),
    ("ellipsis", _X234, (Ellipsis, 0)),
    ("newaxis", (3, 4), (None, slice(1, 3))),
    ("mixed-basic", _X234, (1, slice(None, None, 2), -1)),
    ("int-array-repeats", (5,), np.array([0, 2, 0, 0, 4])),
    ("list-repeats", (3, 4), [2, 0, 2]),
    ("negative-int-array", (5,), np.array([-1, 0, -1])),
    ("2d-int-array", (3, 4), np.array([[0, 1], [1, 1]])),
    ("two-int-arrays", (3, 4), (np.array([0, 1, 0]), np.array([2, 2, 2]))),
    ("array-and-slice", _X234, (np.array([1, 1, 0]), slice(1, 3))),
    ("slice-and-array", _X234, (slice(None), np.array([2, 0, 2]))),
    ("bool-mask", (3, 4), np.arange(12).reshape(3, 4) % 3 == 0),
    ("bool-mask-axis1", (3, 4), (slice(None), np.array([True, False, True, True]))),
    ("0d-empty-tuple", (), ()),
    ("0d-newaxis", (), None),
]:
    case("GetItem", _label, lambda x, i=_index: x[i], normal(_shape))
case(
    "GetItem",
    "float-empty-tuple",
    lambda x: x[()],
    normal(SCALAR),
)

# Fused ops: each is checked by gradcheck and against the composition it replaces.
for _label, _xshape in [("batch", (5, 3)), ("one-example", (3,)), ("3d", (2, 5, 3))]:
    case("Linear", _label, lambda x, w, b: ag.linear(x, w, b), normal(_xshape), normal((4, 3)),
         normal((4,)))  # fmt: skip
case("Linear", "constant-input", lambda w, b: ag.linear(_C34, w, b), normal((2, 4)), normal((2,)))
case("Linear", "one-output", lambda x, w, b: ag.linear(x, w, b), normal((6, 3)), normal((1, 3)),
     normal((1,)))  # fmt: skip

_LABELS5, _LABELS23 = np.array([0, 2, 1, 3, 2]), np.array([[0, 3, 1], [2, 2, 0]])
for _reduction in ("mean", "sum", "none"):
    case(
        "SoftmaxCrossEntropy",
        f"2d-{_reduction}",
        lambda z, r=_reduction: ag.apply(
            ag.ops.SoftmaxCrossEntropy, z, labels=_LABELS5, reduction=r
        ),
        normal((5, 4), 3.0),
    )
case(
    "SoftmaxCrossEntropy",
    "one-example",
    lambda z: ag.apply(ag.ops.SoftmaxCrossEntropy, z, labels=np.array(2), reduction="sum"),
    normal((4,), 3.0),
)
case(
    "SoftmaxCrossEntropy",
    "3d-mean",
    lambda z: ag.apply(ag.ops.SoftmaxCrossEntropy, z, labels=_LABELS23, reduction="mean"),
    normal((2, 3, 4), 3.0),
)


def test_fused_ops_equal_their_compositions() -> None:
    from autograd.ops.fused import cross_entropy_composite, linear_composite
    from autograd.ops.softmax import softmax_composite

    x, w, b, z = normal((5, 3)), normal((4, 3)), normal((4,)), normal((5, 4), 3.0)
    np.testing.assert_allclose(ag.linear(x, Value(w), Value(b)).data, x @ w.T + b, rtol=1e-12)
    fused = ag.apply(ag.ops.SoftmaxCrossEntropy, Value(z), labels=_LABELS5, reduction="none")
    composed = -Value(z).log_softmax()[np.arange(5), _LABELS5]
    np.testing.assert_allclose(fused.data, composed.data, rtol=1e-12)
    pairs = [
        (lambda x, w, b: ag.linear(x, w, b), linear_composite, (x, w, b)),
        (
            lambda z: ag.apply(ag.ops.SoftmaxCrossEntropy, z, labels=_LABELS5, reduction="none"),
            lambda z: cross_entropy_composite(z, _LABELS5),
            (z,),
        ),
        (lambda z: z.softmax(axis=0), lambda z: softmax_composite(z, axis=0), (z,)),
    ]
    for fused_op, composite, inputs in pairs:
        grads = []
        for f in (fused_op, composite):
            values = [Value(a) for a in inputs]
            out = f(*values)
            weights = np.random.default_rng(3).standard_normal(out.shape)
            (out * weights).sum().backward()
            grads.append((out.data, [v.grad for v in values]))
        np.testing.assert_allclose(grads[0][0], grads[1][0], rtol=1e-12)
        for g_fused, g_composite in zip(grads[0][1], grads[1][1], strict=True):
            np.testing.assert_allclose(g_fused, g_composite, rtol=1e-10, atol=1e-12)


for _label, _index, _gshape, _shape in [
    ("basic-slice", (slice(1, 3),), (2, 4), (3, 4)),
    ("basic-int", 1, (4,), (3, 4)),
    ("array-repeats", np.array([0, 2, 0, 0]), (4, 4), (3, 4)),
    ("two-arrays-repeats", (np.array([0, 1, 0]), np.array([3, 3, 3])), (3,), (2, 4)),
    ("bool-mask", np.array([True, False, True]), (2, 4), (3, 4)),
]:
    case(
        "ScatterAdd",
        _label,
        lambda g, i=_index, s=_shape: ag.apply(ScatterAdd, g, index=i, shape=s, dtype=np.float64),
        normal(_gshape),
    )

for _label, _shapes, _axis in [
    ("axis0", [(3, 4), (2, 4)], 0),
    ("axis1-three", [(3, 4), (3, 2), (3, 1)], 1),
    ("axis-1", [(3, 4), (3, 2)], -1),
    ("1d", [(3,), (2,), (1,)], 0),
    ("3d-axis2", [(2, 3, 4), (2, 3, 1)], 2),
    ("3d-axis-2", [(2, 3, 4), (2, 1, 4)], -2),
    ("3d-axis0", [(2, 3, 4), (1, 3, 4)], 0),
]:
    case(
        "Concatenate",
        _label,
        lambda *xs, a=_axis: ag.concatenate(xs, axis=a),
        *[normal(s) for s in _shapes],
    )
case(
    "Concatenate",
    "with-constant",
    lambda a, b: ag.concatenate([a, _C34, b], axis=0),
    normal((2, 4)),
    normal((1, 4)),
)

for _label, _shapes, _axis in [
    ("matrices-axis0", [(3, 4), (3, 4)], 0),
    ("matrices-axis1", [(3, 4), (3, 4), (3, 4)], 1),
    ("matrices-axis2", [(3, 4), (3, 4)], 2),
    ("matrices-axis-1", [(3, 4), (3, 4)], -1),
    ("vectors-axis-2", [(4,), (4,)], -2),
    ("0d", [(), ()], 0),
    ("floats", [SCALAR, SCALAR, SCALAR], 0),
]:
    case(
        "Stack",
        _label,
        lambda *xs, a=_axis: ag.stack(xs, axis=a),
        *[normal(s) for s in _shapes],
    )
case("Stack", "with-constants", lambda a, b: ag.stack([a, 3.0, b]), normal(SCALAR), 0.5)


# ------------------------------------------------------------- convolution and pooling
# (swept further, and against PyTorch, in tests/test_conv.py and tests/test_pooling.py)
case("Conv2d", "plain", lambda x, w, b: ag.conv2d(x, w, b), normal((2, 2, 5, 5)),
     normal((3, 2, 3, 3)), normal((3,)))  # fmt: skip
case("Conv2d", "stride-padding", lambda x, w: ag.conv2d(x, w, None, 2, 1), normal((1, 2, 6, 5)),
     normal((2, 2, 3, 3)))  # fmt: skip
case("Conv2d", "dilation-pairs", lambda x, w, b: ag.conv2d(x, w, b, (1, 2), (2, 1), (2, 1)),
     normal((1, 1, 6, 7)), normal((2, 1, 2, 3)), normal((2,)))  # fmt: skip
case("Conv2d", "1x1", lambda x, w: ag.conv2d(x, w), normal((2, 3, 3, 3)), normal((2, 3, 1, 1)))
case("Conv2d", "constant-input", lambda w: ag.conv2d(_C34.reshape(1, 1, 3, 4), w),
     normal((2, 1, 2, 2)))  # fmt: skip
case("ConvTranspose2d", "plain", lambda x, w, b: ag.conv_transpose2d(x, w, b),
     normal((2, 2, 3, 3)), normal((2, 3, 3, 3)), normal((3,)))  # fmt: skip
case("ConvTranspose2d", "stride-output-padding",
     lambda x, w: ag.conv_transpose2d(x, w, None, 2, 1, 1), normal((1, 2, 3, 3)),
     normal((2, 1, 3, 3)))  # fmt: skip
case("ConvTranspose2d", "dilation",
     lambda x, w, b: ag.conv_transpose2d(x, w, b, (2, 1), 0, 0, dilation=(1, 2)),
     normal((1, 1, 3, 2)), normal((1, 2, 2, 3)), normal((2,)))  # fmt: skip
case("ConvTranspose2d", "kernel4-stride2", lambda x, w: ag.conv_transpose2d(x, w, None, 2, 1),
     normal((1, 2, 2, 2)), normal((2, 1, 4, 4)))  # fmt: skip
case("ConvTranspose2d", "1x1", lambda x, w: ag.conv_transpose2d(x, w), normal((2, 3, 2, 2)),
     normal((3, 2, 1, 1)))  # fmt: skip
case("MaxPool2d", "2x2", lambda x: ag.max_pool2d(x, 2), distinct((2, 2, 4, 4)))
case("MaxPool2d", "overlap-padding", lambda x: ag.max_pool2d(x, 3, 1, 1), distinct((1, 2, 4, 5)))
case("MaxPool2d", "stride2-padding", lambda x: ag.max_pool2d(x, 3, 2, 1), distinct((1, 1, 5, 5)))
case("MaxPool2d", "pairs", lambda x: ag.max_pool2d(x, (2, 3), (1, 2)), distinct((1, 2, 4, 7)))
case("MaxPool2d", "whole-image", lambda x: ag.max_pool2d(x, 3), distinct((2, 1, 3, 3)))
case("AvgPool2d", "2x2", lambda x: ag.avg_pool2d(x, 2), normal((2, 2, 4, 4)))
case("AvgPool2d", "overlap-padding", lambda x: ag.avg_pool2d(x, 3, 1, 1), normal((1, 2, 4, 5)))
case("AvgPool2d", "stride2-padding", lambda x: ag.avg_pool2d(x, 3, 2, 1), normal((1, 1, 5, 5)))
case("AvgPool2d", "pairs", lambda x: ag.avg_pool2d(x, (2, 3), (1, 2)), normal((1, 2, 4, 7)))
case("AvgPool2d", "whole-image", lambda x: ag.avg_pool2d(x, 3), normal((2, 1, 3, 3)))


def _param(c: Case, also: str = "") -> Any:
    reason = c.xfail or also
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(c, id=c.id, marks=marks)


# ----------------------------------------------------------------------------- helpers
def recorded_ops(root: Value) -> set[str]:
    """Names of the primitives recorded in the graph that ends at ``root``."""
    seen, stack, names = {id(root)}, [root], set()
    while stack:
        node = stack.pop()
        if node._op is not None:
            names.add(node._op.__name__)
        for parent in node.parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    return names


def leaves(inputs: tuple[Any, ...]) -> list[Value]:
    return [Value(x) for x in inputs]


def weighted_sum(out: Value) -> Value:
    """Σ wᵢ outᵢ with fixed random weights: one scalar that depends on every output element."""
    weights = np.random.default_rng(1).standard_normal(out.shape)
    return (out * weights).sum()


# ---------------------------------------------------------------------------- the tests
@pytest.mark.parametrize("c", [_param(c) for c in CASES])
def test_gradcheck(c: Case) -> None:
    values = leaves(c.inputs)
    out = c.f(*values)
    recorded = COMPOSED_OF.get(c.op, c.op)
    assert recorded in recorded_ops(out), f"{c.id} does not record {recorded}"
    assert gradcheck(c.f, *c.inputs)


# Ops that were primitives and are now composites of smaller ones (issue 10): their cases stay,
# and check that the composite records the primitive named here.
COMPOSED_OF = {"LogSoftmax": "Log", "LogSumExp": "Log"}


@pytest.mark.parametrize("c", [_param(c) for c in CASES])
def test_gradient_has_input_shape_and_type(c: Case) -> None:
    """Each input's gradient has that input's shape and dtype (gradcheck's comparison would
    broadcast a (1, 4) gradient against a (4,) one); Python floats get Python floats."""
    values = leaves(c.inputs)
    weighted_sum(c.f(*values)).backward()
    for x, v in zip(c.inputs, values, strict=True):
        if isinstance(x, float):
            assert isinstance(v.grad, float), f"{c.id}: gradient of a float is {type(v.grad)}"
        else:
            # A 0-d input may get a numpy scalar (np.float64): same shape and dtype.
            kind = (np.ndarray, np.floating)
            assert isinstance(v.grad, kind), f"{c.id}: gradient is {type(v.grad)}"
            assert v.grad.shape == np.shape(x), f"{c.id}: {v.grad.shape} != {np.shape(x)}"
            assert v.grad.dtype == np.float64


def test_every_primitive_has_a_gradcheck_case() -> None:
    """A primitive added to autograd.ops without a case here fails this test."""
    engine = {name for name, cls in PRIMITIVES.items() if cls.__module__.startswith("autograd.")}
    from tests.test_ops_more import CASES as MORE_CASES  # the op families of issue 16

    covered = {c.op for c in CASES if c.op not in COMPOSED_OF}
    covered |= {c.op for c in MORE_CASES if c.op in PRIMITIVES}
    assert engine, "no primitives registered"
    assert covered <= set(PRIMITIVES), f"cases name unknown ops: {covered - set(PRIMITIVES)}"
    missing = engine - covered
    assert not missing, f"primitives without a gradcheck case: {sorted(missing)}"


def test_every_primitive_has_enough_cases() -> None:
    """Not just one token case: each op is swept over several shapes or arguments."""
    counts = {name: sum(c.op == name for c in CASES) for name in {c.op for c in CASES}}
    thin = {name: n for name, n in counts.items() if n < 5}
    assert not thin, f"ops with fewer than 5 cases: {thin}"


# ------------------------------------------------------------------------ composite ops
COMPOSITES: list[tuple[str, Callable[..., Value], tuple[Any, ...]]] = [
    ("var-all", lambda x: x.var(), (normal((3, 4)),)),
    ("var-axis0", lambda x: x.var(axis=0), (normal((3, 4)),)),
    ("var-axis-1-keepdims", lambda x: x.var(axis=-1, keepdims=True), (normal((2, 3, 4)),)),
    ("var-tuple-ddof1", lambda x: x.var(axis=(0, 2), ddof=1), (normal((2, 3, 4)),)),
    ("var-function", lambda x: ag.var(x, axis=1), (normal((3, 4)),)),
    ("var-float", lambda x: x.var(), (normal(SCALAR),)),
    ("layer", lambda x, w, b: (x @ w.T + b).tanh(), (normal((5, 3)), normal((4, 3)), normal(4))),
    (
        "cross-entropy",
        lambda z: -(z.log_softmax(axis=1)[np.arange(3), np.array([0, 2, 1])]).mean(),
        (normal((3, 4)),),
    ),
    (
        "normalise",
        lambda x: (x - x.mean(axis=0)) / (x.var(axis=0) + 1e-5).sqrt(),
        (normal((5, 3)),),
    ),
    ("hinge", lambda s: (1.0 - s * np.array([1.0, -1.0, 1.0])).relu().mean(), (away((3,)),)),
    ("reused-input", lambda x: x * x.exp() + x.sum() * x.sigmoid(), (normal((3, 4)),)),
]


@pytest.mark.parametrize(("f", "inputs"), [pytest.param(f, i, id=n) for n, f, i in COMPOSITES])
def test_composite_gradcheck(f: Callable[..., Value], inputs: tuple[Any, ...]) -> None:
    assert gradcheck(f, *inputs)


# ------------------------------------------------------------------------- second order
def gradient_of(h: Callable[..., Value], n_inputs: int) -> Callable[..., Value]:
    """x ↦ all of ∇h(x), flattened and joined into one vector Value.

    When gradcheck calls it with inputs that require a gradient (its analytic pass), the
    gradient comes from a recorded backward pass (nested ``autograd.grad``), so gradcheck
    differentiates the backward pass itself. In gradcheck's finite-difference pass the inputs
    are constants; the plain first derivative is returned then.
    """
    argnums = tuple(range(n_inputs))

    def first_derivative(*xs: Any) -> Value:
        if any(isinstance(x, Value) and x.requires_grad for x in xs):
            grads = ag.grad(h, argnums)(*xs)
            return ag.concatenate([ag.reshape(g, (-1,)) for g in grads])
        plain = [x.data if isinstance(x, Value) else x for x in xs]
        with enable_grad():
            grads = ag.grad(h, argnums)(*plain)
        return Value(np.concatenate([np.reshape(g, -1) for g in grads]), requires_grad=False)

    return first_derivative


def quadratic_readout(f: Callable[..., Value]) -> Callable[..., Value]:
    """h(x) = Σ (½ yᵢ² + cᵢ yᵢ) with y = f(x) and fixed random c: ∇h = Jᵀ(y + c), so the
    upstream gradient that reaches f's backward depends on x, as it does inside a network."""

    def h(*xs: Any) -> Value:
        y = f(*xs)
        c = np.random.default_rng(2).standard_normal(y.shape)
        return (y * y * 0.5 + y * c).sum()

    return h


SECOND_ORDER: list[tuple[str, Callable[..., Value], tuple[Any, ...]]] = [
    ("tanh", lambda x: x.tanh(), (normal((3, 4)),)),
    ("tanh-float", lambda x: x.tanh(), (normal(SCALAR),)),
    ("sigmoid", lambda x: x.sigmoid(), (normal((3, 4)),)),
    ("exp", lambda x: x.exp(), (normal((4,)),)),
    ("log", lambda x: x.log(), (positive((3, 4)),)),
    ("sqrt", lambda x: x.sqrt(), (positive((4,)),)),
    ("abs", lambda x: abs(x), (away((3, 4)),)),
    ("relu", lambda x: x.relu(), (away((3, 4)),)),
    ("leaky_relu", lambda x: x.leaky_relu(0.2), (away((3, 4)),)),
    ("clip", lambda x: x.clip(-0.5, 0.5), (away_from_bounds((3, 4)),)),
    ("neg", lambda x: -x, (normal((4,)),)),
    ("add-broadcast", lambda a, b: a + b, (normal((3, 1)), normal((4,)))),
    ("sub-broadcast", lambda a, b: a - b, (normal((4,)), normal((3, 4)))),
    ("mul", lambda a, b: a * b, (normal((3, 4)), normal((3, 4)))),
    ("mul-broadcast", lambda a, b: a * b, (normal((3, 4)), normal((4,)))),
    ("mul-floats", lambda a, b: a * b, (normal(SCALAR), normal(SCALAR))),
    ("div", lambda a, b: a / b, (normal((3, 4)), positive((3, 4)))),
    ("div-broadcast", lambda a, b: a / b, (normal((3, 1)), away((4,)))),
    ("pow-constant", lambda a: a**3.0, (positive((3, 4)),)),
    ("pow-fractional", lambda a: a**0.5, (positive((4,)),)),
    ("pow-value", lambda a, b: a**b, (positive((3, 4)), normal((3, 4)))),
    ("pow-value-broadcast", lambda a, b: a**b, (positive((3, 4)), normal((4,)))),
    ("pow-floats", lambda a, b: a**b, (positive(SCALAR), normal(SCALAR))),
    ("maximum", lambda a, b: ag.maximum(a, b), (on_grid((3, 4), 0.0), on_grid((4,), 0.25))),
    ("minimum", lambda a, b: ag.minimum(a, b), (on_grid((3, 4), 0.0), on_grid((3, 4), 0.25))),
    ("where", lambda a, b: ag.where(_C34 > 0, a, b), (normal((3, 4)), normal((4,)))),
    ("matmul-2d", lambda a, b: a @ b, (normal((3, 4)), normal((4, 2)))),
    ("matmul-vector-matrix", lambda a, b: a @ b, (normal((3,)), normal((3, 4)))),
    ("matmul-matrix-vector", lambda a, b: a @ b, (normal((3, 4)), normal((4,)))),
    ("matmul-vector-vector", lambda a, b: a @ b, (normal((4,)), normal((4,)))),
    ("matmul-batched", lambda a, b: a @ b, (normal((2, 3, 4)), normal((4, 2)))),
    ("softmax", lambda x: x.softmax(axis=-1), (normal((3, 4)),)),
    ("softmax-axis0", lambda x: x.softmax(axis=0), (normal((3, 4)),)),
    ("log_softmax", lambda x: x.log_softmax(axis=1), (normal((3, 4)),)),
    ("logsumexp", lambda x: x.logsumexp(axis=1), (normal((3, 4)),)),
    ("logsumexp-keepdims", lambda x: x.logsumexp(axis=0, keepdims=True), (normal((3, 4)),)),
    ("sum", lambda x: x.sum(), (normal((3, 4)),)),
    ("sum-axis", lambda x: x.sum(axis=(0, 2)), (normal((2, 3, 4)),)),
    ("mean-axis-keepdims", lambda x: x.mean(axis=1, keepdims=True), (normal((3, 4)),)),
    ("max-axis", lambda x: x.max(axis=1), (distinct((3, 4)),)),
    ("min", lambda x: x.min(), (distinct((3, 4)),)),
    ("var", lambda x: x.var(axis=0), (normal((3, 4)),)),
    ("reshape", lambda x: x.reshape(4, 3), (normal((3, 4)),)),
    ("transpose", lambda x: x.transpose(1, 2, 0), (normal((2, 3, 4)),)),
    ("T", lambda x: x.T, (normal((3, 4)),)),
    ("broadcast_to", lambda x: x.broadcast_to((2, 3, 4)), (normal((3, 1)),)),
    ("getitem-basic", lambda x: x[1:, ::2], (normal((3, 4)),)),
    ("getitem-int-array-repeats", lambda x: x[np.array([0, 2, 0])], (normal((3, 4)),)),
    ("getitem-bool-mask", lambda x: x[_C34 > 0], (normal((3, 4)),)),
    ("concatenate", lambda a, b: ag.concatenate([a, b], axis=1), (normal((3, 4)), normal((3, 2)))),
    ("stack", lambda a, b: ag.stack([a, b], axis=-1), (normal((3, 4)), normal((3, 4)))),
    ("stack-floats", lambda a, b: ag.stack([a, b]), (normal(SCALAR), normal(SCALAR))),
]


def _second_order_param(name: str, f: Callable[..., Value], inputs: tuple[Any, ...]) -> Any:
    return pytest.param(f, inputs, id=name)


@pytest.mark.parametrize(("f", "inputs"), [_second_order_param(*entry) for entry in SECOND_ORDER])
def test_second_order_gradcheck(f: Callable[..., Value], inputs: tuple[Any, ...]) -> None:
    """gradcheck of x ↦ ∇h(x): the recorded backward pass has the right derivatives."""
    first = gradient_of(quadratic_readout(f), len(inputs))
    values = leaves(inputs)
    recorded = first(*values)
    assert recorded.requires_grad, "the gradient was not recorded (create_graph)"
    assert gradcheck(first, *inputs)


def test_second_order_covers_scatter_add() -> None:
    """The recorded backward pass of indexing is a ScatterAdd node: its own gradient runs."""
    x = Value(normal((3, 4)))
    g = ag.grad(lambda v: (v[np.array([0, 2, 0])] ** 2).sum())(x)
    assert "ScatterAdd" in recorded_ops(g)
