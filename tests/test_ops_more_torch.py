"""The wider op set (issue 16) against PyTorch: forwards and gradients, float64.

Each op runs on the same inputs in glassgrad and PyTorch; the result is weighted by fixed
random numbers and summed, and the gradients of every input are compared. This checks the
gradient *conventions* (zero gradient of floor, where sort sends its gradient, hardtanh at
its bounds, …), not only the calculus that gradcheck covers. Skipped without torch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import autograd as ag
from autograd import Value

torch = pytest.importorskip("torch")
F = torch.nn.functional

_rng = np.random.default_rng(1616)


def normal(*shape: int, scale: float = 1.0) -> np.ndarray:
    return scale * _rng.standard_normal(shape)


def uniform(lo: float, hi: float, *shape: int) -> np.ndarray:
    return _rng.uniform(lo, hi, shape)


def distinct(*shape: int) -> np.ndarray:
    n = int(np.prod(shape))
    return (_rng.permutation(n) * 0.3 + _rng.uniform(-0.05, 0.05, n)).reshape(shape)


def with_edges(*shape: int) -> np.ndarray:
    """Normal numbers with exact kinks planted: 0, ±1, ±0.5 (to compare the conventions)."""
    x = normal(*shape)
    flat = x.reshape(-1)
    flat[: min(5, flat.size)] = [0.0, 1.0, -1.0, 0.5, -0.5][: min(5, flat.size)]
    return x


IDX = _rng.integers(0, 4, (2, 3, 5))
MASK = _rng.random((3, 4)) < 0.5
T = torch.as_tensor

CASES: list[tuple[str, Callable[..., Any], Callable[..., Any], tuple[np.ndarray, ...]]] = [
    # elementwise
    ("sign", ag.sign, torch.sign, (with_edges(3, 4),)),
    ("floor", ag.floor, torch.floor, (normal(3, 4, scale=3),)),
    ("ceil", ag.ceil, torch.ceil, (normal(3, 4, scale=3),)),
    ("round", ag.round, torch.round, (normal(3, 4, scale=3),)),
    ("round-decimals", lambda x: ag.round(x, 1), lambda x: torch.round(x, decimals=1),
     (normal(4),)),
    ("mod", ag.mod, torch.remainder, (normal(3, 4, scale=3), uniform(0.5, 2, 4))),
    ("mod-negative", ag.mod, torch.remainder, (normal(3, 4, scale=3), -uniform(0.5, 2, 4))),
    ("log1p", ag.log1p, torch.log1p, (uniform(-0.9, 3, 3, 4),)),
    ("expm1", ag.expm1, torch.expm1, (normal(3, 4),)),
    ("log2", ag.log2, torch.log2, (uniform(0.1, 3, 4),)),
    ("log10", ag.log10, torch.log10, (uniform(0.1, 3, 4),)),
    ("tan", ag.tan, torch.tan, (uniform(-1.3, 1.3, 3, 4),)),
    ("sinh", ag.sinh, torch.sinh, (normal(3, 4, scale=2),)),
    ("cosh", ag.cosh, torch.cosh, (normal(3, 4, scale=2),)),
    ("arcsin", ag.arcsin, torch.asin, (uniform(-0.95, 0.95, 3, 4),)),
    ("arccos", ag.arccos, torch.acos, (uniform(-0.95, 0.95, 3, 4),)),
    ("arctan", ag.arctan, torch.atan, (normal(3, 4, scale=3),)),
    ("arctan2", ag.arctan2, torch.atan2, (normal(3, 4), normal(3, 4))),
    ("erf", ag.erf, torch.erf, (normal(3, 4, scale=2),)),
    ("square", ag.square, torch.square, (normal(3, 4),)),
    ("reciprocal", ag.reciprocal, torch.reciprocal, (uniform(0.5, 2, 4),)),
    ("hypot", ag.hypot, torch.hypot, (normal(3, 4), normal(4))),
    # activations, with their kinks planted
    ("softplus", ag.softplus, F.softplus, (with_edges(3, 4) * 10,)),
    ("softplus-beta", lambda x: ag.softplus(x, 2.0, 5.0), lambda x: F.softplus(x, 2.0, 5.0),
     (with_edges(3, 4) * 4,)),
    ("logsigmoid", ag.logsigmoid, F.logsigmoid, (with_edges(3, 4) * 10,)),
    ("elu", ag.elu, F.elu, (with_edges(3, 4),)),
    ("elu-alpha", lambda x: ag.elu(x, 0.3), lambda x: F.elu(x, 0.3), (with_edges(3, 4),)),
    ("selu", ag.selu, F.selu, (with_edges(3, 4),)),
    ("silu", ag.silu, F.silu, (with_edges(3, 4) * 3,)),
    ("mish", ag.mish, F.mish, (with_edges(3, 4) * 3,)),
    ("hardtanh", ag.hardtanh, F.hardtanh, (with_edges(3, 4) * 2,)),
    ("hardtanh-bounds", lambda x: ag.hardtanh(x, -0.5, 1.0), lambda x: F.hardtanh(x, -0.5, 1.0),
     (with_edges(3, 4),)),
    ("softsign", ag.softsign, F.softsign, (with_edges(3, 4),)),
    # layout
    ("squeeze", lambda x: ag.squeeze(x, 1), lambda x: x.squeeze(1), (normal(3, 1, 4),)),
    ("unsqueeze", lambda x: ag.unsqueeze(x, -1), lambda x: x.unsqueeze(-1), (normal(3, 4),)),
    ("swapaxes", lambda x: ag.swapaxes(x, 0, 2), lambda x: x.transpose(0, 2), (normal(2, 3, 4),)),
    ("moveaxis", lambda x: ag.moveaxis(x, 0, 2), lambda x: torch.movedim(x, 0, 2),
     (normal(2, 3, 4),)),
    ("permute", lambda x: ag.permute(x, 1, 2, 0), lambda x: x.permute(1, 2, 0), (normal(2, 3, 4),)),
    ("repeat", lambda x: ag.repeat(x, 3, axis=1), lambda x: torch.repeat_interleave(x, 3, 1),
     (normal(2, 3),)),
    ("tile", lambda x: ag.tile(x, (2, 3)), lambda x: torch.tile(x, (2, 3)), (normal(2, 3),)),
    ("flip", lambda x: ag.flip(x, (0, 2)), lambda x: torch.flip(x, (0, 2)), (normal(2, 3, 4),)),
    ("roll", lambda x: ag.roll(x, (1, -1), (0, 2)), lambda x: torch.roll(x, (1, -1), (0, 2)),
     (normal(2, 3, 4),)),
    ("split", lambda x: ag.split(x, 2, axis=1)[1], lambda x: torch.split(x, 2, 1)[1],
     (normal(3, 4),)),
    ("pad-constant", lambda x: ag.pad(x, ((0, 0), (1, 2)), constant_values=0.5),
     lambda x: F.pad(x, (1, 2), value=0.5), (normal(3, 4),)),
    ("pad-reflect", lambda x: ag.pad(x, ((0, 0), (0, 0), (2, 1)), mode="reflect"),
     lambda x: F.pad(x, (2, 1), mode="reflect"), (normal(2, 3, 4),)),
    ("pad-edge", lambda x: ag.pad(x, ((0, 0), (0, 0), (1, 2), (2, 0)), mode="edge"),
     lambda x: F.pad(x, (2, 0, 1, 2), mode="replicate"), (normal(1, 2, 3, 4),)),
    ("tril", lambda x: ag.tril(x, -1), lambda x: torch.tril(x, -1), (normal(2, 3, 4),)),
    ("triu", lambda x: ag.triu(x, 1), lambda x: torch.triu(x, 1), (normal(4, 3),)),
    ("diagonal", lambda x: ag.diagonal(x, 1, -2, -1), lambda x: torch.diagonal(x, 1, -2, -1),
     (normal(2, 3, 4),)),
    ("trace", ag.trace, torch.trace, (normal(4, 4),)),
    # gather / scatter
    ("gather", lambda x: ag.gather(x, 2, IDX[:, :2]), lambda x: torch.gather(x, 2, T(IDX[:, :2])),
     (normal(2, 3, 4),)),
    ("take_along_axis", lambda x: ag.take_along_axis(x, IDX, -1),
     lambda x: torch.take_along_dim(x, T(IDX), -1), (normal(2, 3, 4),)),
    ("scatter_add", lambda x, s: ag.scatter_add(x, 2, IDX, s),
     lambda x, s: x.scatter_add(2, T(IDX), s), (normal(2, 3, 4), normal(2, 3, 5))),
    ("masked_fill", lambda x: ag.masked_fill(x, MASK, 2.0),
     lambda x: x.masked_fill(T(MASK), 2.0), (normal(3, 4),)),
    ("index_put", lambda x, v: ag.index_put(x, (np.array([0, 2]), np.array([1, 3])), v),
     lambda x, v: x.index_put((T(np.array([0, 2])), T(np.array([1, 3]))), v),
     (normal(3, 4), normal(2))),
    ("index_put-accumulate",
     lambda x, v: ag.index_put(x, (np.array([0, 0]), np.array([1, 1])), v, accumulate=True),
     lambda x, v: x.index_put((T(np.array([0, 0])), T(np.array([1, 1]))), v, accumulate=True),
     (normal(3, 4), normal(2))),
    # selection
    ("sort", lambda x: ag.sort(x, 0), lambda x: torch.sort(x, 0).values, (distinct(3, 4),)),
    ("sort-descending", lambda x: ag.sort(x, descending=True),
     lambda x: torch.sort(x, descending=True).values, (distinct(3, 4),)),
    ("topk", lambda x: ag.topk(x, 2)[0], lambda x: torch.topk(x, 2).values, (distinct(3, 4),)),
    ("topk-smallest", lambda x: ag.topk(x, 3, axis=0, largest=False)[0],
     lambda x: torch.topk(x, 3, 0, largest=False).values, (distinct(4, 3),)),
    ("max-ties", lambda x: ag.sort(x)[..., -1],
     lambda x: torch.sort(x, stable=True).values[..., -1],
     (np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]]),)),
    # reductions
    ("prod", lambda x: ag.prod(x, 1), lambda x: torch.prod(x, 1), (normal(3, 4),)),
    ("prod-one-zero", lambda x: ag.prod(x, 1), lambda x: torch.prod(x, 1),
     (np.array([[1.5, 0.0, 2.0], [0.5, -3.0, 0.0]]),)),
    ("prod-all", ag.prod, torch.prod, (np.array([[1.5, 0.0, 2.0], [0.5, -3.0, 1.0]]),)),
    ("std", lambda x: ag.std(x, 1, ddof=1), lambda x: torch.std(x, 1), (normal(3, 4),)),
    ("norm", ag.norm, torch.linalg.norm, (normal(3, 4),)),
    ("norm-zero", lambda x: ag.norm(x, axis=1), lambda x: torch.linalg.vector_norm(x, dim=1),
     (np.array([[0.0, 0.0], [3.0, 4.0]]),)),
    ("norm-ord1", lambda x: ag.norm(x, 1, -1), lambda x: torch.linalg.vector_norm(x, 1, -1),
     (normal(3, 4),)),
    ("norm-inf", lambda x: ag.norm(x, np.inf, 0),
     lambda x: torch.linalg.vector_norm(x, float("inf"), 0), (distinct(3, 4),)),
    ("norm-p3", lambda x: ag.norm(x, 3, -1), lambda x: torch.linalg.vector_norm(x, 3, -1),
     (normal(3, 4),)),
    ("norm-matrix-2", lambda x: ag.norm(x, 2, (-2, -1)),
     lambda x: torch.linalg.matrix_norm(x, 2), (normal(2, 3, 4),)),
    ("norm-matrix-nuc", lambda x: ag.norm(x, "nuc", (-2, -1)),
     lambda x: torch.linalg.matrix_norm(x, "nuc"), (normal(2, 3, 4),)),
    ("norm-matrix-1", lambda x: ag.norm(x, 1, (0, 1)), lambda x: torch.linalg.matrix_norm(x, 1),
     (distinct(3, 4),)),
    ("norm-matrix-inf", lambda x: ag.norm(x, np.inf, (0, 1)),
     lambda x: torch.linalg.matrix_norm(x, float("inf")), (distinct(3, 4),)),
    ("cumsum", lambda x: ag.cumsum(x, 1), lambda x: torch.cumsum(x, 1), (normal(3, 7),)),
    ("cumprod", lambda x: ag.cumprod(x, 1), lambda x: torch.cumprod(x, 1), (normal(3, 7),)),
    ("cumprod-zeros", lambda x: ag.cumprod(x, 0), lambda x: torch.cumprod(x, 0),
     (np.array([2.0, 0.0, 3.0, -1.0, 0.0, 2.0]),)),
    ("logcumsumexp", lambda x: ag.logcumsumexp(x, 0), lambda x: torch.logcumsumexp(x, 0),
     (normal(6, 3, scale=50),)),
    ("diff", lambda x: ag.diff(x, 2, 0), lambda x: torch.diff(x, 2, 0), (normal(5, 3),)),
    # linear algebra
    ("einsum", lambda a, b: ag.einsum("bij,bjk->bik", a, b),
     lambda a, b: torch.einsum("bij,bjk->bik", a, b), (normal(2, 3, 4), normal(2, 4, 5))),
    ("einsum-trace", lambda a: ag.einsum("ii", a), lambda a: torch.einsum("ii", a),
     (normal(3, 3),)),
    ("tensordot", lambda a, b: ag.tensordot(a, b, ([1, 2], [0, 1])),
     lambda a, b: torch.tensordot(a, b, ([1, 2], [0, 1])), (normal(2, 3, 4), normal(3, 4, 5))),
    ("outer", ag.outer, torch.outer, (normal(3), normal(4))),
    ("inner", ag.inner, torch.inner, (normal(2, 4), normal(3, 4))),
    ("dot", ag.dot, torch.dot, (normal(4), normal(4))),
    ("kron", ag.kron, torch.kron, (normal(2, 3), normal(3, 2))),
    # astype
    ("astype", lambda x: ag.astype(x, np.float32) * 2.0, lambda x: x.to(torch.float32) * 2.0,
     (normal(3, 4),)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("ours", "theirs", "inputs"), [pytest.param(*c[1:], id=c[0]) for c in CASES]
)
def test_matches_pytorch(ours: Callable, theirs: Callable, inputs: tuple[np.ndarray, ...]) -> None:
    values = [Value(x) for x in inputs]
    tensors = [torch.tensor(x, requires_grad=True) for x in inputs]
    out, expected = ours(*values), theirs(*tensors)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-6, atol=1e-10)
    weights = normal(*expected.shape)
    (ag.astype(out, np.float64) * weights).sum().backward()
    (expected.double() * torch.tensor(weights)).sum().backward()
    for v, t in zip(values, tensors, strict=True):
        np.testing.assert_allclose(v.grad, t.grad.numpy(), rtol=1e-6, atol=1e-10)
