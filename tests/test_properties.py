"""Property-based tests (hypothesis): broadcasting and reductions over random shapes.

For random broadcast-compatible shapes, the gradient of Σ w ⊙ (a op b) must have each input's
shape and equal a reference computed here independently of the engine — by explicitly mapping
every output element back to the input element it was copied from (``np.add.at`` over the index
map), not by the engine's own "sum over broadcast axes" rule. Reductions with a random ``axis``
and ``keepdims`` are checked the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes

import autograd as ag
from autograd import Value, gradcheck

PROPERTY_SETTINGS = settings(max_examples=50, deadline=None)

seeds = st.integers(min_value=0, max_value=2**32 - 1)
dtypes = st.sampled_from([np.float32, np.float64])
pairs = mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=4)


def source_index(input_shape: tuple[int, ...], output_shape: tuple[int, ...]) -> tuple:
    """For every element of the broadcast output, the index of the input element it copies:
    leading output axes are dropped, and size-1 input axes always point at element 0."""
    coordinates = np.indices(output_shape) if output_shape else np.zeros((0,), dtype=int)
    lead = len(output_shape) - len(input_shape)
    return tuple(
        np.zeros(output_shape, dtype=int) if n == 1 else coordinates[lead + i]
        for i, n in enumerate(input_shape)
    )


def pull_back(upstream: np.ndarray, input_shape: tuple[int, ...]) -> np.ndarray:
    """Σ of ``upstream`` over the output elements copied from each input element."""
    if input_shape == ():  # every output element copies the one input element
        return np.asarray(np.sum(upstream))
    result = np.zeros(input_shape)
    np.add.at(result, source_index(input_shape, upstream.shape), upstream)
    return result


def leaf(r: np.random.Generator, shape: tuple[int, ...], dtype: Any, low: float = -2.0) -> Value:
    return Value(np.asarray(r.uniform(low, 2.0, shape), dtype=dtype))


def tolerance(dtype: Any) -> dict[str, float]:
    return {"rtol": 1e-5, "atol": 1e-5} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-12}


@PROPERTY_SETTINGS
@given(shapes=pairs, seed=seeds, dtype=dtypes)
def test_add_gradient_counts_the_copies(shapes: Any, seed: int, dtype: Any) -> None:
    """∂/∂a Σ(a + b) = the number of output elements each element of a was copied to."""
    (shape_a, shape_b), out_shape = shapes
    r = np.random.default_rng(seed)
    a, b = leaf(r, shape_a, dtype), leaf(r, shape_b, dtype)
    out = a + b
    assert out.shape == out_shape
    out.sum().backward()
    for v, shape in ((a, shape_a), (b, shape_b)):
        assert v.grad.shape == shape and v.grad.dtype == dtype
        copies = int(np.prod(out_shape)) // int(np.prod(shape))
        np.testing.assert_array_equal(v.grad, np.full(shape, copies, dtype=dtype))


@PROPERTY_SETTINGS
@given(
    shapes=pairs,
    seed=seeds,
    dtype=dtypes,
    op=st.sampled_from(["add", "sub", "mul", "div", "maximum", "pow"]),
)
def test_binary_op_gradient_is_summed_back(shapes: Any, seed: int, dtype: Any, op: str) -> None:
    """∂/∂a Σ w ⊙ (a op b) = pull_back(w ⊙ ∂(a op b)/∂a) for each input."""
    (shape_a, shape_b), out_shape = shapes
    r = np.random.default_rng(seed)
    low = 0.5 if op in ("div", "pow") else -2.0  # positive divisors and bases
    a, b = leaf(r, shape_a, dtype, low), leaf(r, shape_b, dtype, low)
    w = r.standard_normal(out_shape).astype(dtype)
    A = np.broadcast_to(a.data, out_shape).astype(np.float64)
    B = np.broadcast_to(b.data, out_shape).astype(np.float64)
    # The op and its local derivatives ∂out/∂a, ∂out/∂b, elementwise on the broadcast inputs.
    local: dict[str, Callable[[], tuple[Value, np.ndarray, np.ndarray]]] = {
        "add": lambda: (a + b, np.ones(out_shape), np.ones(out_shape)),
        "sub": lambda: (a - b, np.ones(out_shape), -np.ones(out_shape)),
        "mul": lambda: (a * b, B, A),
        "div": lambda: (a / b, 1 / B, -A / B**2),
        "maximum": lambda: (a.maximum(b), (A > B) + 0.5 * (A == B), (B > A) + 0.5 * (A == B)),
        "pow": lambda: (a**b, B * A ** (B - 1), A**B * np.log(A)),
    }
    out, da, db = local[op]()
    assert out.shape == out_shape and out.dtype == dtype
    (out * w).sum().backward()
    for v, shape, d in ((a, shape_a, da), (b, shape_b, db)):
        assert v.grad.shape == shape, f"{op}: gradient {v.grad.shape}, input {shape}"
        assert v.grad.dtype == dtype
        np.testing.assert_allclose(v.grad, pull_back(w * d, shape), **tolerance(dtype))


@PROPERTY_SETTINGS
@given(
    shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
    seed=seeds,
)
def test_broadcast_gradcheck(shapes: Any, seed: int) -> None:
    """Finite differences agree too, through a nonlinear combination of both inputs."""
    (shape_a, shape_b), _ = shapes
    r = np.random.default_rng(seed)
    a, b = r.standard_normal(shape_a), r.uniform(0.5, 2.0, shape_b)
    assert gradcheck(lambda x, y: (x * y).tanh() + x / y - ag.log(y) * x, a, b)


@PROPERTY_SETTINGS
@given(shape=array_shapes(min_dims=1, max_dims=4, max_side=4), seed=seeds, data=st.data())
def test_broadcast_to_gradient(shape: tuple[int, ...], seed: int, data: Any) -> None:
    """broadcast_to a random target: the gradient sums each input element's copies."""
    target = data.draw(
        mutually_broadcastable_shapes(num_shapes=1, base_shape=shape, max_side=4).map(
            lambda s: s.result_shape
        )
    )
    r = np.random.default_rng(seed)
    x = Value(r.standard_normal(shape))
    w = r.standard_normal(target)
    (x.broadcast_to(target) * w).sum().backward()
    assert x.grad.shape == shape
    np.testing.assert_allclose(x.grad, pull_back(w, shape), rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------------------ reductions
@st.composite
def shape_and_axis(draw: Any, min_dims: int = 0) -> tuple[tuple[int, ...], Any]:
    """A shape and an axis for it: None, an int (maybe negative) or a tuple of distinct axes."""
    shape = draw(array_shapes(min_dims=min_dims, max_dims=4, min_side=1, max_side=4))
    ndim = len(shape)
    if ndim == 0:
        return shape, None
    one = st.integers(min_value=-ndim, max_value=ndim - 1)
    several = st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True).flatmap(
        lambda axes: st.tuples(*[st.sampled_from([a, a - ndim]) for a in axes])
    )
    return shape, draw(st.one_of(st.none(), one, several))


def normalise(axis: Any, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    return tuple(sorted(a % ndim for a in axes))


def expand(upstream: np.ndarray, axes: tuple[int, ...], shape: tuple[int, ...]) -> np.ndarray:
    """Put the reduced axes back (size 1) and copy the upstream gradient along them."""
    for a in axes:
        upstream = np.expand_dims(upstream, a)
    return np.broadcast_to(upstream, shape)


@PROPERTY_SETTINGS
@given(
    shape_axis=shape_and_axis(),
    keepdims=st.booleans(),
    seed=seeds,
    dtype=dtypes,
    op=st.sampled_from(["sum", "mean", "max", "min"]),
)
def test_reduction_gradient(
    shape_axis: Any, keepdims: bool, seed: int, dtype: Any, op: str
) -> None:
    shape, axis = shape_axis
    # Known engine bug, pinned by test_engine.py::test_float32_0d_stays_float32[max/min]:
    # the gradient of a 0-d float32 max/min comes back as float64.
    axes = normalise(axis, len(shape))
    r = np.random.default_rng(seed)
    data = r.permutation(max(int(np.prod(shape)), 1)).reshape(shape) * 0.5 - 1.0  # no ties
    x = Value(np.asarray(data, dtype=dtype))
    out = getattr(x, op)(axis=axis, keepdims=keepdims)
    expected = getattr(np, op)(data, axis=axis, keepdims=keepdims)
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(np.asarray(out.data), expected, **tolerance(dtype))
    w = r.standard_normal(out.shape).astype(dtype)
    (out * w).sum().backward()
    assert x.grad.shape == shape and x.grad.dtype == dtype
    spread = w if keepdims else expand(np.asarray(w), axes, shape)
    spread = np.broadcast_to(spread, shape)
    if op == "sum":
        reference = spread
    elif op == "mean":
        reference = spread / int(np.prod([shape[a] for a in axes]))
    else:
        extremum = getattr(np, op)(data, axis=axis, keepdims=True)
        reference = spread * (data == extremum)
    np.testing.assert_allclose(x.grad, reference, **tolerance(dtype))


@PROPERTY_SETTINGS
@given(
    shape_axis=shape_and_axis(),
    keepdims=st.booleans(),
    ddof=st.sampled_from([0, 1]),
    seed=seeds,
)
def test_var_gradient(shape_axis: Any, keepdims: bool, ddof: int, seed: int) -> None:
    """∂/∂xᵢ Σ(x − x̄)²/(n − ddof) = 2(xᵢ − x̄)/(n − ddof) along the reduced axes."""
    shape, axis = shape_axis
    axes = normalise(axis, len(shape))
    n = int(np.prod([shape[a] for a in axes]))
    if n - ddof <= 0:
        return
    r = np.random.default_rng(seed)
    data = r.standard_normal(shape)
    x = Value(np.asarray(data))
    out = x.var(axis=axis, keepdims=keepdims, ddof=ddof)
    np.testing.assert_allclose(
        np.asarray(out.data), np.var(data, axis=axis, keepdims=keepdims, ddof=ddof), rtol=1e-12
    )
    w = r.standard_normal(out.shape)
    (out * w).sum().backward()
    spread = np.broadcast_to(w if keepdims else expand(np.asarray(w), axes, shape), shape)
    centred = data - data.mean(axis=axis, keepdims=True)
    np.testing.assert_allclose(x.grad, spread * 2 * centred / (n - ddof), rtol=1e-10, atol=1e-12)


@PROPERTY_SETTINGS
@given(
    shape_axis=shape_and_axis(min_dims=1),
    keepdims=st.booleans(),
    seed=seeds,
    op=st.sampled_from(["softmax", "log_softmax", "logsumexp"]),
)
def test_softmax_family_over_random_axes(
    shape_axis: Any, keepdims: bool, seed: int, op: str
) -> None:
    """Gradient shapes and finite differences for a random axis (an int here)."""
    shape, _ = shape_axis
    r = np.random.default_rng(seed)
    axis = int(r.integers(-len(shape), len(shape)))
    data = r.standard_normal(shape) * 3

    def f(x: Value) -> Value:
        if op == "logsumexp":
            return x.logsumexp(axis=axis, keepdims=keepdims)
        return getattr(x, op)(axis=axis)

    x = Value(data)
    out = f(x)
    (out * r.standard_normal(out.shape)).sum().backward()
    assert x.grad.shape == shape
    assert gradcheck(f, data)


@PROPERTY_SETTINGS
@given(
    shapes=mutually_broadcastable_shapes(signature=np.matmul.signature, max_dims=2, max_side=3),
    seed=seeds,
    dtype=dtypes,
)
def test_matmul_over_random_batch_and_vector_shapes(shapes: Any, seed: int, dtype: Any) -> None:
    """1-D operands and broadcast batch axes: gradient shapes, dtypes, and values against the
    explicit sum ∂L/∂A[..., i, k] = Σ_j G[..., i, j]·B[..., k, j], pulled back over batches."""
    (shape_a, shape_b), out_shape = shapes
    r = np.random.default_rng(seed)
    a, b = leaf(r, shape_a, dtype), leaf(r, shape_b, dtype)
    out = a @ b
    assert out.shape == out_shape and out.dtype == dtype
    w = r.standard_normal(out_shape).astype(dtype)
    (out * w).sum().backward()
    assert a.grad.shape == shape_a and b.grad.shape == shape_b
    assert a.grad.dtype == dtype and b.grad.dtype == dtype
    # Promote 1-D operands to matrices, as numpy's matmul does, and do the maths by einsum.
    A = a.data.astype(np.float64)[None, :] if len(shape_a) == 1 else a.data.astype(np.float64)
    B = b.data.astype(np.float64)[:, None] if len(shape_b) == 1 else b.data.astype(np.float64)
    G = w.astype(np.float64).reshape(np.matmul(A, B).shape)
    batch = np.broadcast_shapes(A.shape[:-2], B.shape[:-2])
    A_full = np.broadcast_to(A, batch + A.shape[-2:])
    B_full = np.broadcast_to(B, batch + B.shape[-2:])
    dA = pull_back(np.einsum("...ij,...kj->...ik", G, B_full), A.shape)
    dB = pull_back(np.einsum("...ik,...ij->...kj", A_full, G), B.shape)
    np.testing.assert_allclose(a.grad, dA.reshape(shape_a), **tolerance(dtype))
    np.testing.assert_allclose(b.grad, dB.reshape(shape_b), **tolerance(dtype))


@PROPERTY_SETTINGS
@given(shape=array_shapes(min_dims=1, max_dims=3, max_side=5), seed=seeds, data=st.data())
def test_integer_array_indexing_scatter_adds(shape: tuple[int, ...], seed: int, data: Any) -> None:
    """x[idx] with repeated indices along axis 0: each row's gradient is the sum of the
    upstream gradients of every pick of that row."""
    picks = data.draw(st.lists(st.integers(-shape[0], shape[0] - 1), min_size=1, max_size=8))
    r = np.random.default_rng(seed)
    x = Value(r.standard_normal(shape))
    index = np.array(picks)
    out = x[index]
    w = r.standard_normal(out.shape)
    (out * w).sum().backward()
    reference = np.zeros(shape)
    for k, row in enumerate(picks):
        reference[row] += w[k]
    np.testing.assert_allclose(x.grad, reference, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_pull_back_reference_is_sound(n: int) -> None:
    """The test's own reference: pulling back ones counts the copies."""
    out_shape = (2,) * n + (3,)
    counts = pull_back(np.ones(out_shape), (1, 3))
    np.testing.assert_array_equal(counts, np.full((1, 3), 2**n))
    np.testing.assert_array_equal(pull_back(np.arange(6.0).reshape(2, 3), (2, 1)), [[3], [12]])
    assert ag.sum(Value(np.ones(out_shape))).data == 3 * 2**n
