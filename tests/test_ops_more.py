"""The wider op set (issue 16) gradchecked in float64 over shapes, axes and arguments.

Each case names the op it exercises: a primitive's class name (``Einsum``, ``Log1p``…), which
``test_ops_gradcheck``'s meta-test counts as covered, or a composite's function name. Every
case is gradchecked, its forward compared with numpy's where numpy has the op, and the
primitives also get second-derivative checks. Inputs keep away from kinks, ties and jumps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

import autograd as ag
from autograd import Value, gradcheck
from autograd.ops import PRIMITIVES
from autograd.ops.elementary import clamped_log
from autograd.ops.linalg import einsum_simple
from tests.test_ops_gradcheck import (
    ALL_SHAPES,
    SCALAR,
    away,
    distinct,
    gradient_of,
    leaves,
    normal,
    positive,
    quadratic_readout,
    recorded_ops,
    shape_id,
    weighted_sum,
)

_rng = np.random.default_rng(16)


def between(lo: float, hi: float) -> Callable[[Any], Any]:
    def make(shape: Any) -> Any:
        size = () if shape == SCALAR else shape
        values = _rng.uniform(lo, hi, size)
        return float(values) if shape == SCALAR else values

    return make


def off_grid(shape: Any) -> Any:
    """Numbers at least 0.1 away from every multiple of 0.5 (the jumps of floor, ceil, round)."""
    size = () if shape == SCALAR else shape
    values = _rng.integers(-6, 6, size) * 0.5 + _rng.uniform(0.1, 0.4, size)
    return float(values) if shape == SCALAR else values


@dataclass(frozen=True)
class Case:
    op: str
    label: str
    f: Callable[..., Any]
    inputs: tuple[Any, ...]
    reference: Callable[..., Any] | None = None  # numpy's version of f, to compare forwards
    check: dict[str, Any] = field(default_factory=dict)  # gradcheck options

    @property
    def id(self) -> str:
        return f"{self.op}-{self.label}"


CASES: list[Case] = []


def case(op, label, f, *inputs, reference=None, **check) -> None:
    CASES.append(Case(op, label, f, inputs, reference, check))


# ------------------------------------------------------------------------- elementwise
UNARY = [
    ("Sign", ag.sign, np.sign, away),
    ("Floor", ag.floor, np.floor, off_grid),
    ("Ceil", ag.ceil, np.ceil, off_grid),
    ("Round", ag.round, np.round, off_grid),
    ("Log1p", ag.log1p, np.log1p, between(-0.5, 2.0)),
    ("Expm1", ag.expm1, np.expm1, normal),
    ("Arcsin", ag.arcsin, np.arcsin, between(-0.9, 0.9)),
    ("Arccos", ag.arccos, np.arccos, between(-0.9, 0.9)),
    ("Arctan", ag.arctan, np.arctan, lambda s: normal(s, 2.0)),
    ("Erf", ag.erf, None, normal),
    ("ClampedLog", clamped_log, np.log, positive),
    ("log2", ag.log2, np.log2, positive),
    ("log10", ag.log10, np.log10, positive),
    ("tan", ag.tan, np.tan, between(-1.2, 1.2)),
    ("sinh", ag.sinh, np.sinh, normal),
    ("cosh", ag.cosh, np.cosh, normal),
    ("square", ag.square, np.square, normal),
    ("reciprocal", ag.reciprocal, np.reciprocal, away),
    ("softplus", ag.softplus, lambda x: np.logaddexp(0, x), lambda s: normal(s, 3.0)),
    ("logsigmoid", ag.logsigmoid, lambda x: -np.logaddexp(0, -x), lambda s: normal(s, 3.0)),
    ("elu", ag.elu, lambda x: np.where(x > 0, x, np.expm1(x)), away),
    ("selu", ag.selu, None, away),
    ("silu", ag.silu, lambda x: x / (1 + np.exp(-x)), normal),
    ("mish", ag.mish, lambda x: x * np.tanh(np.logaddexp(0, x)), normal),
    ("hardtanh", ag.hardtanh, lambda x: np.clip(x, -1, 1), between(-0.9, 0.9)),
    ("softsign", ag.softsign, lambda x: x / (1 + np.abs(x)), away),
]
for _op, _f, _ref, _make in UNARY:
    for _shape in ALL_SHAPES:
        case(_op, shape_id(_shape), _f, _make(_shape), reference=_ref)
case(
    "Round",
    "decimals1",
    lambda x: ag.round(x, 1),
    off_grid((3, 4)) / 10,
    reference=lambda x: np.round(x, 1),
)
case(
    "softplus",
    "beta2",
    lambda x: ag.softplus(x, beta=2.0),
    normal((3, 4)),
    reference=lambda x: np.logaddexp(0, 2 * x) / 2,
)
case(
    "softplus",
    "threshold",
    lambda x: ag.softplus(x, threshold=1.0),
    away((3, 4)) * 3,
    reference=lambda x: np.where(x > 1, x, np.logaddexp(0, x)),
)
case(
    "elu",
    "alpha0.5",
    lambda x: ag.elu(x, 0.5),
    away((3, 4)),
    reference=lambda x: np.where(x > 0, x, 0.5 * np.expm1(x)),
)
case(
    "hardtanh",
    "bounds",
    lambda x: ag.hardtanh(x, -0.5, 0.5),
    away((3, 4)) - 0.1,
    reference=lambda x: np.clip(x, -0.5, 0.5),
)
case("Erf", "wide", ag.erf, normal((30,), 2.0), reference=np.vectorize(__import__("math").erf))

BINARY = [
    ("Arctan2", ag.arctan2, np.arctan2, normal, away),
    ("mod", ag.mod, np.mod, lambda s: off_grid(s) * 3, lambda s: between(0.7, 1.3)(s)),
    ("hypot", ag.hypot, np.hypot, away, away),
]
for _op, _f, _ref, _ma, _mb in BINARY:
    for _sa, _sb in [
        (SCALAR, SCALAR),
        ((), ()),
        ((4,), (4,)),
        ((3, 4), (4,)),
        ((3, 1), (1, 4)),
        ((2, 3, 4), SCALAR),
    ]:
        case(_op, f"{shape_id(_sa)}_{shape_id(_sb)}", _f, _ma(_sa), _mb(_sb), reference=_ref)
case(
    "Arctan2",
    "all-quadrants",
    ag.arctan2,
    np.array([1.0, 1.0, -1.0, -1.0, 0.5]),
    np.array([1.0, -1.0, 1.0, -1.0, -2.0]),
    reference=np.arctan2,
)
case(
    "mod",
    "negative-divisor",
    ag.mod,
    off_grid((3, 4)) * 3,
    -between(0.7, 1.3)((4,)),
    reference=np.mod,
)

# ------------------------------------------------------------------------------ layout
_X = normal((2, 3, 4))
for _label, _f, _ref, _x in [
    ("squeeze-all", ag.squeeze, np.squeeze, normal((1, 3, 1, 4))),
    ("squeeze-axis", lambda x: ag.squeeze(x, 2), lambda x: np.squeeze(x, 2), normal((3, 4, 1))),
    ("expand_dims", lambda x: ag.expand_dims(x, 1), lambda x: np.expand_dims(x, 1), _X),
    (
        "expand_dims-tuple",
        lambda x: ag.unsqueeze(x, (0, -1)),
        lambda x: np.expand_dims(x, (0, -1)),
        normal((3, 4)),
    ),
    ("swapaxes", lambda x: ag.swapaxes(x, 0, 2), lambda x: np.swapaxes(x, 0, 2), _X),
    ("moveaxis", lambda x: ag.moveaxis(x, 0, -1), lambda x: np.moveaxis(x, 0, -1), _X),
    (
        "moveaxis-two",
        lambda x: ag.moveaxis(x, (0, 1), (2, 0)),
        lambda x: np.moveaxis(x, (0, 1), (2, 0)),
        _X,
    ),
    ("permute", lambda x: ag.permute(x, 2, 0, 1), lambda x: np.transpose(x, (2, 0, 1)), _X),
    ("repeat-flat", lambda x: ag.repeat(x, 2), lambda x: np.repeat(x, 2), normal((3, 4))),
    (
        "repeat-axis",
        lambda x: ag.repeat(x, [1, 0, 3], axis=1),
        lambda x: np.repeat(x, [1, 0, 3], axis=1),
        _X,
    ),
    ("tile", lambda x: ag.tile(x, (2, 1, 3)), lambda x: np.tile(x, (2, 1, 3)), normal((3, 4))),
    ("tile-int", lambda x: ag.tile(x, 2), lambda x: np.tile(x, 2), normal((4,))),
    ("flip-all", ag.flip, np.flip, _X),
    ("flip-axis", lambda x: ag.flip(x, (0, -1)), lambda x: np.flip(x, (0, -1)), _X),
    ("roll-flat", lambda x: ag.roll(x, 5), lambda x: np.roll(x, 5), _X),
    ("roll-axes", lambda x: ag.roll(x, (1, -2), (0, 2)), lambda x: np.roll(x, (1, -2), (0, 2)), _X),
    ("pad-constant", lambda x: ag.pad(x, 1), lambda x: np.pad(x, 1), normal((3, 4))),
    (
        "pad-value",
        lambda x: ag.pad(x, ((0, 0), (2, 1), (1, 0)), constant_values=1.5),
        lambda x: np.pad(x, ((0, 0), (2, 1), (1, 0)), constant_values=1.5),
        _X,
    ),
    (
        "pad-reflect",
        lambda x: ag.pad(x, ((2, 1), (3, 3)), mode="reflect"),
        lambda x: np.pad(x, ((2, 1), (3, 3)), mode="reflect"),
        normal((3, 4)),
    ),
    (
        "pad-edge",
        lambda x: ag.pad(x, (1, 2), mode="edge"),
        lambda x: np.pad(x, (1, 2), mode="edge"),
        _X,
    ),
    ("tril", ag.tril, np.tril, normal((3, 4))),
    ("tril-k-batch", lambda x: ag.tril(x, -1), lambda x: np.tril(x, -1), _X),
    ("triu", lambda x: ag.triu(x, 1), lambda x: np.triu(x, 1), normal((4, 3))),
    ("diagonal", ag.diagonal, np.diagonal, normal((4, 3))),
    (
        "diagonal-offset-axes",
        lambda x: ag.diagonal(x, 1, 2, 0),
        lambda x: np.diagonal(x, 1, 2, 0),
        _X,
    ),
    ("trace", ag.trace, np.trace, normal((4, 4))),
    ("trace-offset", lambda x: ag.trace(x, -1, 1, 2), lambda x: np.trace(x, -1, 1, 2), _X),
]:
    case(_label.split("-")[0], _label, _f, _x, reference=_ref)
for _label, _f, _ref in [
    (
        "split",
        lambda x: ag.concatenate([p * (i + 1) for i, p in enumerate(ag.split(x, 2, 2))], 2),
        lambda x: np.concatenate([p * (i + 1) for i, p in enumerate(np.split(x, 2, 2))], 2),
    ),
    (
        "split-indices",
        lambda x: ag.split(x, [1, 3], axis=-1)[1],
        lambda x: np.split(x, [1, 3], axis=-1)[1],
    ),
    (
        "array_split",
        lambda x: ag.array_split(x, 3, axis=2)[0] * 2.0,
        lambda x: np.array_split(x, 3, axis=2)[0] * 2.0,
    ),
]:
    case(_label.split("-")[0], _label, _f, _X, reference=_ref)

# -------------------------------------------------------------------- gather / scatter
_IDX = _rng.integers(0, 4, (2, 3, 5))
_MASK = _rng.random((3, 4)) < 0.5
case(
    "take_along_axis",
    "axis-1",
    lambda x: ag.take_along_axis(x, _IDX, -1),
    _X,
    reference=lambda x: np.take_along_axis(x, _IDX, -1),
)
case(
    "take_along_axis",
    "axis0",
    lambda x: ag.take_along_axis(x, _IDX[:, :1, :4] % 2, 0),
    _X,
    reference=lambda x: np.take_along_axis(x, _IDX[:, :1, :4] % 2, 0),
)
case(
    "gather",
    "torch-order",
    lambda x: ag.gather(x, 1, _IDX[:, :2, :4] % 3),
    _X,
    reference=lambda x: np.take_along_axis(x, _IDX[:, :2, :4] % 3, 1),
)


def _np_scatter_add(x, axis, idx, src):
    out = x.copy()
    grids = list(np.ogrid[tuple(slice(n) for n in idx.shape)])
    grids[axis] = idx
    np.add.at(out, tuple(grids), src)
    return out


case(
    "scatter_add",
    "repeats",
    lambda x, s: ag.scatter_add(x, 2, _IDX, s),
    _X,
    normal((2, 3, 5)),
    reference=lambda x, s: _np_scatter_add(x, 2, _IDX, s),
)
case(
    "masked_fill",
    "scalar",
    lambda x: ag.masked_fill(x, _MASK, -1.5),
    normal((3, 4)),
    reference=lambda x: np.where(_MASK, -1.5, x),
)
case(
    "masked_fill",
    "value-broadcast-mask",
    lambda x, v: ag.masked_fill(x, _MASK[0], v),
    normal((3, 4)),
    normal(SCALAR),
    reference=lambda x, v: np.where(_MASK[0], v, x),
)


def _np_index_put(x, index, v, accumulate=False):
    out = x.copy()
    if accumulate:
        np.add.at(out, index, v)
    else:
        out[index] = v
    return out


for _label, _index, _vshape in [
    ("slice", (slice(1, 3), 2), (2,)),
    ("int-array-repeats", np.array([0, 2, 0]), (3, 4)),
    ("broadcast-value", np.array([1, 2]), (4,)),
    ("bool-mask", _MASK, ()),
    ("two-arrays", (np.array([0, 1, 0]), np.array([3, 3, 3])), (3,)),
]:
    case(
        "index_put",
        _label,
        lambda x, v, i=_index: ag.index_put(x, i, v),
        normal((3, 4)),
        normal(_vshape),
        reference=lambda x, v, i=_index: _np_index_put(x, i, v),
    )
    case(
        "index_put",
        _label + "-accumulate",
        lambda x, v, i=_index: ag.index_put(x, i, v, accumulate=True),
        normal((3, 4)),
        normal(_vshape),
        reference=lambda x, v, i=_index: _np_index_put(x, i, v, True),
    )

# --------------------------------------------------------------------------- selection
for _axis in [-1, 0, 1]:
    case(
        "sort",
        f"axis{_axis}",
        lambda x, a=_axis: ag.sort(x, a),
        distinct((3, 4)),
        reference=lambda x, a=_axis: np.sort(x, a),
    )
case(
    "sort",
    "descending",
    lambda x: ag.sort(x, descending=True),
    distinct((2, 3, 4)),
    reference=lambda x: -np.sort(-x),
)
for _k, _largest in [(2, True), (1, False), (4, True)]:
    case(
        "topk",
        f"k{_k}-largest{_largest}",
        lambda x, k=_k, lg=_largest: ag.topk(x, k, largest=lg)[0],
        distinct((3, 4)),
        reference=lambda x, k=_k, lg=_largest: (-np.sort(-x) if lg else np.sort(x))[..., :k],
    )
case(
    "topk",
    "axis0",
    lambda x: ag.topk(x, 2, axis=0)[0],
    distinct((3, 4)),
    reference=lambda x: -np.sort(-x, axis=0)[:2],
)

# -------------------------------------------------------------------------- reductions
_Z = normal((2, 3, 4))
_Z[0, 1, 2] = 0.0  # prod with a zero
_Z2 = _Z.copy()
_Z2[1, 1, 3] = _Z2[1, 2, 3] = 0.0  # two zeros in one product
for _axis in [None, 0, 1, -1, (0, 2), (1, 2)]:
    for _keep in [False, True]:
        case(
            "prod",
            f"axis{_axis}-keep{_keep}",
            lambda x, a=_axis, k=_keep: ag.prod(x, a, k),
            _Z,
            reference=lambda x, a=_axis, k=_keep: np.prod(x, a, keepdims=k),
        )
case("prod", "two-zeros", lambda x: ag.prod(x, 1), _Z2, reference=lambda x: np.prod(x, 1))
case("prod", "float", ag.prod, normal(SCALAR), reference=np.prod)
for _axis, _ddof in [(None, 0), (0, 1), ((0, 2), 0), (-1, 1)]:
    case(
        "std",
        f"axis{_axis}-ddof{_ddof}",
        lambda x, a=_axis, d=_ddof: ag.std(x, a, ddof=d),
        normal((2, 3, 4)),
        reference=lambda x, a=_axis, d=_ddof: np.std(x, a, ddof=d),
    )
for _ord in [None, 2, 1, np.inf, -np.inf, 3, 0.5]:
    for _axis in [None, -1]:
        case(
            "norm",
            f"vector-ord{_ord}-axis{_axis}",
            lambda x, o=_ord, a=_axis: (
                ag.norm(x, o, a) if a is not None or o is None else ag.norm(x.reshape(-1), o)
            ),
            distinct((3, 4)) + 0.05,
            reference=lambda x, o=_ord, a=_axis: (
                np.linalg.norm(x, o, a)
                if a is not None or o is None
                else np.linalg.norm(x.reshape(-1), o)
            ),
        )
for _ord in [None, "fro", 1, -1, np.inf, -np.inf, 2, -2, "nuc"]:
    case(
        "norm",
        f"matrix-ord{_ord}",
        lambda x, o=_ord: ag.norm(x, o, (2, 0), keepdims=True),
        distinct((3, 2, 4)),
        reference=lambda x, o=_ord: np.linalg.norm(x, o, (2, 0), True),
    )
for _axis in [None, 0, 1, -1]:
    for _name in ["cumsum", "cumprod", "logcumsumexp"]:
        _ref = {
            "cumsum": np.cumsum,
            "cumprod": np.cumprod,
            "logcumsumexp": lambda x, a: np.logaddexp.accumulate(
                x.reshape(-1) if a is None else x, 0 if a is None else a
            ),
        }[_name]
        case(
            _name,
            f"axis{_axis}",
            lambda x, a=_axis, n=_name: getattr(ag, n)(x, a),
            normal((3, 5)) if _name != "cumprod" else _Z[0],
            reference=lambda x, a=_axis, r=_ref: r(x, a),
        )
case("cumprod", "zeros-3d", lambda x: ag.cumprod(x, 2), _Z2, reference=lambda x: np.cumprod(x, 2))
case("cumsum", "long", lambda x: ag.cumsum(x, 0), normal((37,)), reference=lambda x: np.cumsum(x))
case(
    "logcumsumexp",
    "large",
    lambda x: ag.logcumsumexp(x, 0),
    normal((9,), 300.0),
    reference=lambda x: np.logaddexp.accumulate(x),
    atol=1e-4,
)
for _n, _axis in [(1, -1), (2, 0), (1, 1), (3, -1)]:
    case(
        "diff",
        f"n{_n}-axis{_axis}",
        lambda x, n=_n, a=_axis: ag.diff(x, n, a),
        normal((4, 5)),
        reference=lambda x, n=_n, a=_axis: np.diff(x, n, a),
    )

# ------------------------------------------------------------------------ linear algebra
_A, _B = normal((2, 3, 4)), normal((2, 4, 5))
for _label, _subscripts, _shapes in [
    ("matmul", "ij,jk->ik", [(3, 4), (4, 5)]),
    ("batched", "bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("implicit", "ij,jk", [(3, 4), (4, 2)]),
    ("ellipsis", "...ij,...jk->...ik", [(2, 3, 4), (2, 4, 2)]),
    ("trace", "ii->", [(4, 4)]),
    ("diagonal", "ii->i", [(3, 3)]),
    ("sum-away", "bij->bj", [(2, 3, 4)]),
    ("transpose", "ijk->kij", [(2, 3, 4)]),
    ("outer", "i,j->ij", [(3,), (4,)]),
    ("three", "ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("bilinear", "bi,ij,bj->b", [(5, 3), (3, 4), (5, 4)]),
    ("scalar", "i,i->", [(4,), (4,)]),
]:
    case(
        "Einsum" if len(_shapes) > 1 else "einsum",  # one operand: a composite
        _label,
        lambda *xs, s=_subscripts: ag.einsum(s, *xs),
        *[normal(s) for s in _shapes],
        reference=lambda *xs, s=_subscripts: np.einsum(s, *xs),
    )
for _label, _f, _ref, _inputs in [
    (
        "tensordot-2",
        lambda a, b: ag.tensordot(a, b),
        np.tensordot,
        (normal((2, 3, 4)), normal((3, 4, 5))),
    ),
    (
        "tensordot-axes",
        lambda a, b: ag.tensordot(a, b, ([0, 2], [2, 0])),
        lambda a, b: np.tensordot(a, b, ([0, 2], [2, 0])),
        (normal((2, 3, 4)), normal((4, 5, 2))),
    ),
    (
        "tensordot-0",
        lambda a, b: ag.tensordot(a, b, 0),
        lambda a, b: np.tensordot(a, b, 0),
        (normal((2,)), normal((3,))),
    ),
    ("outer", ag.outer, np.outer, (normal((3,)), normal((2, 2)))),
    ("inner", ag.inner, np.inner, (normal((2, 3, 4)), normal((5, 4)))),
    ("inner-scalar", ag.inner, np.inner, (normal(()), normal((4,)))),
    ("dot", ag.dot, np.dot, (normal((2, 3, 4)), normal((5, 4, 2)))),
    ("dot-vector", ag.dot, np.dot, (normal((2, 3, 4)), normal((4,)))),
    ("dot-1d", ag.dot, np.dot, (normal((4,)), normal((4,)))),
    ("dot-matrix", ag.dot, np.dot, (normal((3, 4)), normal((4, 2)))),
    ("kron", ag.kron, np.kron, (normal((2, 3)), normal((3, 2)))),
    ("kron-mixed-ndim", ag.kron, np.kron, (normal((2,)), normal((2, 3, 2)))),
]:
    case(_label.split("-")[0], _label, _f, *_inputs, reference=_ref)
for _shape in [(3, 4), (4, 3), (2, 3, 3), (3, 2, 4), (2, 2)]:
    case(
        "Svdvals",
        shape_id(_shape),
        ag.svdvals,
        distinct(_shape) / 3,
        reference=lambda x: np.linalg.svd(x, compute_uv=False),
    )

# ------------------------------------------------------------------------------ astype
# float64 → float32 → float64 loses digits: finite differences need a larger step there.
_LOOSE = {"eps": 1e-2, "atol": 1e-4, "rtol": 1e-3}
for _shape in ALL_SHAPES:
    case(
        "AsType",
        f"roundtrip-{shape_id(_shape)}",
        lambda x: ag.astype(ag.astype(x, np.float32) * 3.0, np.float64),
        normal(_shape),
        reference=lambda x: np.asarray(x, np.float32).astype(np.float64) * 3,
        **_LOOSE,
    )
case(
    "AsType",
    "to-float16-and-back",
    lambda x: ag.astype(ag.astype(x, "float16"), "float64"),
    normal((4,)),
    eps=1e-1,
    atol=1e-2,
)


def _param(c: Case) -> Any:
    return pytest.param(c, id=c.id)


# ---------------------------------------------------------------------------- the tests
@pytest.mark.parametrize("c", [_param(c) for c in CASES])
def test_gradcheck(c: Case) -> None:
    if c.op in PRIMITIVES:
        assert c.op in recorded_ops(c.f(*leaves(c.inputs))), f"{c.id} does not record {c.op}"
    assert gradcheck(c.f, *c.inputs, **c.check)


@pytest.mark.parametrize("c", [_param(c) for c in CASES if c.reference is not None])
def test_forward_matches_numpy(c: Case) -> None:
    out = c.f(*leaves(c.inputs))
    expected = c.reference(*c.inputs)
    assert np.shape(out.data) == np.shape(expected), c.id
    np.testing.assert_allclose(out.data, expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("c", [_param(c) for c in CASES])
def test_gradient_has_input_shape_and_type(c: Case) -> None:
    values = leaves(c.inputs)
    weighted_sum(ag.astype(c.f(*values), np.float64)).backward()
    for x, v in zip(c.inputs, values, strict=True):
        if isinstance(x, float):
            assert isinstance(v.grad, float), f"{c.id}: gradient of a float is {type(v.grad)}"
        else:
            assert v.grad.shape == np.shape(x) and v.grad.dtype == np.float64, c.id


def test_every_new_primitive_has_enough_cases() -> None:
    ours = {c.op for c in CASES if c.op in PRIMITIVES}
    counts = {name: sum(c.op == name for c in CASES) for name in ours}
    assert not {n: k for n, k in counts.items() if k < 5}


SECOND_ORDER = [
    ("sign", ag.sign, away((3, 4))),
    ("floor", ag.floor, off_grid((3, 4))),
    ("log1p", ag.log1p, between(-0.5, 2)((3, 4))),
    ("expm1", ag.expm1, normal((4,))),
    ("arcsin", ag.arcsin, between(-0.8, 0.8)((4,))),
    ("arccos", ag.arccos, between(-0.8, 0.8)((4,))),
    ("arctan", ag.arctan, normal((3, 4))),
    ("erf", ag.erf, normal((3, 4))),
    ("softplus", ag.softplus, normal((3, 4), 3.0)),
    ("mish", ag.mish, normal((4,))),
    ("prod", lambda x: ag.prod(x, 1), _Z[0]),
    ("cumprod", lambda x: ag.cumprod(x, 1), _Z[0]),
    ("logcumsumexp", lambda x: ag.logcumsumexp(x, 0), normal((5,))),
    ("norm", lambda x: ag.norm(x, axis=-1), normal((3, 4))),
    ("sort", lambda x: ag.sort(x), distinct((3, 4))),
    ("pad-reflect", lambda x: ag.pad(x, 2, mode="reflect"), normal((3, 4))),
    ("astype", lambda x: ag.astype(x, np.float64) * x, normal((4,))),
]


@pytest.mark.parametrize(("f", "x"), [pytest.param(f, x, id=n) for n, f, x in SECOND_ORDER])
def test_second_order_gradcheck(f: Callable[..., Value], x: Any) -> None:
    first = gradient_of(quadratic_readout(f), 1)
    assert first(Value(x)).requires_grad
    assert gradcheck(first, x)


@pytest.mark.parametrize(
    ("subscripts", "shapes"),
    [
        ("ij,jk->ik", [(3, 4), (4, 2)]),
        ("bi,ij,bj->b", [(5, 3), (3, 4), (5, 4)]),
        ("ii->", [(3, 3)]),
    ],
)
def test_second_order_einsum(subscripts: str, shapes: list[tuple[int, ...]]) -> None:
    inputs = [normal(s) for s in shapes]
    first = gradient_of(quadratic_readout(lambda *xs: ag.einsum(subscripts, *xs)), len(inputs))
    assert gradcheck(first, *inputs)


def test_second_order_arctan2() -> None:
    first = gradient_of(quadratic_readout(ag.arctan2), 2)
    assert gradcheck(first, normal((3, 4)), away((3, 4)))


# ----------------------------------------------------------------- composites vs primitives
@pytest.mark.parametrize(
    ("subscripts", "shapes"),
    [
        ("ij,jk->ik", [(3, 4), (4, 5)]),
        ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
        ("ii->i", [(3, 3)]),
        ("bi,ij,bj->b", [(5, 3), (3, 4), (5, 4)]),
        ("...ij->...ji", [(2, 3, 4)]),
    ],
)
def test_einsum_primitive_equals_its_composition(subscripts, shapes) -> None:
    inputs = [Value(normal(s)) for s in shapes]
    fused, simple = ag.einsum(subscripts, *inputs), einsum_simple(subscripts, *inputs)
    np.testing.assert_allclose(fused.data, simple.data, rtol=1e-12, atol=1e-12)
    weights = normal(fused.shape)
    fused_grads = ag.grad(
        lambda *xs: (ag.einsum(subscripts, *xs) * weights).sum(), tuple(range(len(inputs)))
    )(*inputs)
    simple_grads = ag.grad(
        lambda *xs: (einsum_simple(subscripts, *xs) * weights).sum(), tuple(range(len(inputs)))
    )(*inputs)
    for a, b in zip(fused_grads, simple_grads, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_clamped_log_clamps_at_minus_100_and_keeps_a_gradient() -> None:
    u = Value(np.array([0.0, 1e-50, 0.5]))
    y = clamped_log(u)
    np.testing.assert_allclose(y.data, [-100.0, -100.0, np.log(0.5)])
    y.sum().backward()
    np.testing.assert_allclose(u.grad, [1e12, 1e12, 2.0])


def test_svdvals_refuses_second_derivatives_clearly() -> None:
    x = Value(distinct((3, 4)))
    with pytest.raises(NotImplementedError, match="svdvals.*second derivatives"):
        ag.norm(x, 2).backward(create_graph=True)


def test_log1p_and_expm1_keep_digits_where_the_compositions_lose_them() -> None:
    tiny = np.array([1e-12, -3e-17, 2e-20])
    np.testing.assert_allclose(ag.log1p(tiny).data, tiny, rtol=1e-12)
    np.testing.assert_allclose(ag.expm1(tiny).data, tiny, rtol=1e-12)
    assert np.all((Value(tiny) + 1.0).log().data[1:] == 0)  # the composition: all digits lost


# ------------------------------------------------------------------------ plain results
def test_plain_boolean_and_integer_results() -> None:
    x = Value(np.array([[1.0, np.nan, -np.inf], [0.0, 2.0, 5.0]]))
    assert ag.isnan(x).tolist() == [[False, True, False], [False, False, False]]
    assert ag.isfinite(x).tolist() == [[True, False, False], [True, True, True]]
    assert ag.any(x) and not ag.all(x) and ag.all(x, axis=0).tolist() == [False, True, True]
    y = Value(np.array([[3.0, 1.0, 3.0], [0.0, 5.0, 5.0]]))
    assert ag.argmax(y).item() == 4 and ag.argmax(y, axis=1).tolist() == [0, 1]
    assert ag.argmin(y, axis=0).tolist() == [1, 0, 0]
    assert ag.argsort(y, descending=True).tolist() == [[0, 2, 1], [1, 2, 0]]  # stable ties
    values, indices = ag.topk(y, 2)
    assert indices.tolist() == [[0, 2], [1, 2]] and values.data.tolist() == [[3, 3], [5, 5]]


def test_sort_and_topk_send_gradients_to_the_selected_elements() -> None:
    x = Value(np.array([0.3, -1.0, 2.0, 0.5]))
    values, _ = ag.topk(x, 2)
    (values * np.array([10.0, 1.0])).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 10.0, 1.0]


def test_index_put_is_a_new_value_and_last_write_wins() -> None:
    data = np.zeros(4)
    x = Value(data)
    y = ag.index_put(x, np.array([1, 1, 3]), Value(np.array([1.0, 2.0, 3.0])))
    assert y.data.tolist() == [0.0, 2.0, 0.0, 3.0] and x.data.tolist() == [0.0] * 4


def test_prod_gradient_with_zeros_is_the_product_of_the_others() -> None:
    x = Value(np.array([2.0, 0.0, 3.0, 4.0]))
    ag.prod(x).backward()
    assert x.grad.tolist() == [0.0, 24.0, 0.0, 0.0]
    x = Value(np.array([2.0, 0.0, 3.0, 0.0]))
    ag.prod(x).backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0, 0.0]


def test_norm_of_zeros_has_zero_gradient() -> None:
    x = Value(np.zeros((2, 3)))
    ag.norm(x).backward()
    assert np.all(x.grad == 0)


def test_float32_stays_float32() -> None:
    x = Value(normal((3, 4)).astype(np.float32))
    for f in [
        lambda v: ag.log1p(abs(v)),
        ag.softplus,
        ag.erf,
        lambda v: ag.cumsum(v, 1),
        lambda v: ag.prod(v, 0),
        lambda v: ag.norm(v),
        lambda v: ag.einsum("ij->j", v),
        ag.arctan,
        ag.selu,
        lambda v: ag.pad(v, 1, mode="reflect"),
        lambda v: ag.sort(v),
    ]:
        x.grad = None
        out = f(x)
        assert out.dtype == np.float32, f
        out.sum().backward()
        assert x.grad.dtype == np.float32, f


def test_astype_to_integer_is_a_constant() -> None:
    x = Value(np.array([1.7, -2.2]))
    y = ag.astype(x, np.int64)
    assert y.dtype == np.int64 and not y.requires_grad and y.data.tolist() == [1, -2]
    assert ag.astype(x, bool).data.tolist() == [True, True]
    z = ag.astype(x, np.float32)
    z.sum().backward()
    assert x.grad.dtype == np.float64 and x.grad.tolist() == [1.0, 1.0]


def test_errors_name_the_op_and_the_fix() -> None:
    x = Value(normal((3, 4)))
    with pytest.raises(ValueError, match="split.*array_split"):
        ag.split(x, 3, axis=1)
    with pytest.raises(ValueError, match="take_along_axis.*expand_dims"):
        ag.take_along_axis(x, np.array([0, 1]), 1)
    with pytest.raises(ValueError, match="pad: mode"):
        ag.pad(x, 1, mode="wrap")
    with pytest.raises(ValueError, match="topk"):
        ag.topk(x, 5)
    with pytest.raises(ValueError, match="tril: needs a matrix"):
        ag.tril(Value(normal((4,))))


# ------------------------------------------------------------- edge cases (issue 16.2)
def test_zeroth_power_has_zero_gradient_at_zero() -> None:
    """x**0 = 1 for every x, so its gradient is 0 — also at x = 0 (0·0⁻¹ would be nan)."""
    for x in [Value(0.0), Value(np.zeros(3)), Value(np.array([0.0, 2.0, -1.0]))]:
        (x**0).sum().backward()
        assert np.all(np.asarray(x.grad) == 0.0)
    a, b = Value(np.zeros(2)), Value(np.zeros(2))
    (a**b).sum().backward()
    assert a.grad.tolist() == [0.0, 0.0] and b.grad.tolist() == [0.0, 0.0]


def test_exponent_gradient_at_bases_at_or_below_zero_is_pytorchs() -> None:
    """∂aᵇ/∂b: 0 at a = 0 with b ≥ 0, nan for a < 0, −inf at a = 0 with b < 0 (PyTorch's)."""
    a = Value(np.array([0.0, 0.0, -2.0, -1.5, 0.0, 2.0]))
    b = Value(np.array([0.0, 2.0, 3.0, 0.5, -1.0, 0.5]))
    with np.errstate(divide="ignore", invalid="ignore"):
        (a**b).sum().backward()
    expected_b = [0.0, 0.0, np.nan, np.nan, -np.inf, 2**0.5 * np.log(2.0)]
    np.testing.assert_allclose(b.grad, expected_b)
    np.testing.assert_allclose(a.grad, [0.0, 0.0, 12.0, np.nan, -np.inf, 0.5 / 2**0.5])


def test_clip_without_bounds_raises_like_pytorch() -> None:
    with pytest.raises(ValueError, match="at least one of lo and hi"):
        Value(np.ones(3)).clip(None, None)
    with pytest.raises(ValueError, match="at least one of lo and hi"):
        ag.clip(np.ones(3))


def test_var_with_no_degree_of_freedom_is_inf_or_nan_as_numpy() -> None:
    data = np.array([[1.0, 2.0, 4.0], [3.0, 3.0, 3.0]])
    for ddof in [3, 4]:
        x = Value(data)
        with pytest.warns(RuntimeWarning, match="no degree of freedom"):
            out = x.var(axis=1, ddof=ddof)
        with np.errstate(divide="ignore", invalid="ignore"), pytest.warns(RuntimeWarning):
            expected = np.var(data, axis=1, ddof=ddof)
        np.testing.assert_array_equal(out.data, expected)  # [inf, nan]
        assert not np.any(out.data < 0)
    with pytest.warns(RuntimeWarning):
        scalar = Value(2.0).var(ddof=1)
    assert np.isnan(scalar.data)
    scalar.backward()  # no ZeroDivisionError: the gradient is nan, like the value


# ------------------------------------------------------------------------ Value methods
METHODS = [
    ("squeeze", (), {}), ("expand_dims", (0,), {}), ("unsqueeze", (-1,), {}),
    ("moveaxis", (0, 1), {}), ("permute", (1, 0), {}), ("repeat", (2,), {"axis": 1}),
    ("tile", ((2, 1),), {}), ("flip", (), {"axis": 0}), ("roll", (1,), {"axis": 1}),
    ("pad", (1,), {"mode": "edge"}), ("tril", (), {}), ("triu", (1,), {}),
    ("diagonal", (), {}), ("trace", (), {}), ("take_along_axis", (_IDX[0, :, :2] % 4, 1), {}),
    ("gather", (1, _IDX[0, :, :2] % 4), {}), ("masked_fill", (_MASK, 0.5), {}),
    ("index_put", ((0, 1), 2.0), {}), ("sort", (), {"descending": True}), ("prod", (1,), {}),
    ("std", (), {"ddof": 1}), ("norm", (), {}), ("cumsum", (0,), {}), ("cumprod", (1,), {}),
    ("logcumsumexp", (1,), {}), ("diff", (), {}), ("dot", (_X[0].T,), {}),
    ("outer", (_X[0, 0],), {}), ("inner", (_X[0],), {}), ("kron", (_X[0, :2, :2],), {}),
    ("sign", (), {}), ("floor", (), {}), ("ceil", (), {}), ("round", (1,), {}),
    ("mod", (0.7,), {}), ("log1p", (), {}), ("expm1", (), {}), ("log2", (), {}),
    ("log10", (), {}), ("square", (), {}), ("reciprocal", (), {}), ("tan", (), {}),
    ("arcsin", (), {}), ("arccos", (), {}), ("arctan", (), {}), ("arctan2", (0.5,), {}),
    ("hypot", (0.5,), {}), ("sinh", (), {}), ("cosh", (), {}), ("erf", (), {}),
    ("softplus", (), {}), ("elu", (), {}), ("selu", (), {}), ("silu", (), {}), ("mish", (), {}),
    ("hardtanh", (), {}), ("softsign", (), {}), ("logsigmoid", (), {}),
    ("astype", (np.float32,), {}),
]  # fmt: skip


@pytest.mark.parametrize(("name", "args", "kwargs"), METHODS, ids=[m[0] for m in METHODS])
def test_value_methods_are_the_functions(name: str, args: tuple, kwargs: dict) -> None:
    data = np.abs(_X[1]) / 2 + 0.1  # (3, 4) in (0.1, 1.3): inside every domain
    method = getattr(Value(data), name)(*args, **kwargs)
    function = getattr(ag, name)(Value(data), *args, **kwargs)
    np.testing.assert_array_equal(method.data, function.data)


def test_value_methods_that_return_plain_results() -> None:
    x = Value(np.array([[1.0, np.nan], [3.0, 0.0]]))
    assert x.isnan().tolist() == [[False, True], [False, False]]
    assert x.isfinite().sum() == 3 and x.any() and not x.all()
    assert x.argmax(axis=0).tolist() == [1, 0] and x.argmin().item() == 1  # nan, as numpy
    assert Value(np.array([2.0, 0.5, 1.0])).argmin().item() == 1
    assert x.argsort(axis=0).tolist() == [[0, 1], [1, 0]]
    values, indices = Value(np.array([3.0, 1.0, 2.0])).topk(2)
    assert values.data.tolist() == [3.0, 2.0] and indices.tolist() == [0, 2]
    assert [p.shape for p in Value(np.zeros((4, 3))).split(2)] == [(2, 3), (2, 3)]
    assert [p.shape for p in Value(np.zeros((5,))).array_split(2)] == [(3,), (2,)]
    assert (Value(np.array([5.0, -5.0])) % 3).data.tolist() == [2.0, 1.0]
    assert (7.0 % Value(np.array([3.0, -3.0]))).data.tolist() == [1.0, -2.0]
