"""The engine's behaviour: the classic pitfalls of autograd engines, each with a test.

Gradient accumulation (``a + a``, a reused non-leaf), repeated backward, long sums and deep
chains (no recursion), freeing graphs by reference counting, kinks and ties, numerics at extreme
inputs, second derivatives against hand-derived values, dtypes, numpy interplay, ``no_grad``,
conversions, identity semantics, and the error messages. Gradients are compared with values
derived by hand in each test (or with micrograd and PyTorch where installed).
"""

from __future__ import annotations

import gc
import math
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import autograd as ag
from autograd import Value, enable_grad, is_grad_enabled, no_grad

rng = np.random.default_rng(7)


# ------------------------------------------------------------------------ accumulation
def test_a_plus_a_gives_two() -> None:
    a = Value(3.0)
    (a + a).backward()
    assert a.grad == 2.0


def test_a_plus_a_tensor() -> None:
    a = Value(np.array([1.0, -2.0, 3.0]))
    (a + a).sum().backward()
    np.testing.assert_array_equal(a.grad, [2.0, 2.0, 2.0])


def test_a_times_a_gives_two_a() -> None:
    a = Value(np.array([1.5, -2.0]))
    (a * a).sum().backward()
    np.testing.assert_array_equal(a.grad, [3.0, -4.0])


def test_reused_non_leaf() -> None:
    """b = a + a; c = b + b: ∂c/∂b = 2 and ∂c/∂a = 4 (an engine that assigns gives 2)."""
    a = Value(-1.5)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad == 4.0
    assert b.grad == 2.0
    assert c.grad == 1.0


def test_reused_non_leaf_through_different_paths() -> None:
    """d = b·b + b with b = 3a: ∂d/∂a = (2b + 1)·3."""
    a = Value(np.array([0.5, -1.0]))
    b = a * 3.0
    d = (b * b + b).sum()
    d.backward()
    np.testing.assert_allclose(a.grad, (2 * 3.0 * a.data + 1) * 3.0)


def test_diamond_graph() -> None:
    """x feeds two branches that meet again: y = tanh(x) · exp(x)."""
    x = Value(0.3)
    y = x.tanh() * x.exp()
    y.backward()
    expected = (1 - math.tanh(0.3) ** 2) * math.exp(0.3) + math.tanh(0.3) * math.exp(0.3)
    assert x.grad == pytest.approx(expected, rel=1e-12)


def test_repeated_backward_adds_the_same_gradients_again() -> None:
    """A second backward adds exactly the first pass's gradients again, to leaves and
    intermediates alike; it never re-propagates what the first pass left in ``.grad``."""
    a = Value(np.array([1.0, 2.0]))
    b = a * a
    c = (b * 3.0).sum()
    c.backward()
    first_a, first_b = a.grad.copy(), b.grad.copy()
    np.testing.assert_array_equal(first_a, 6.0 * a.data)
    np.testing.assert_array_equal(first_b, [3.0, 3.0])
    c.backward()
    np.testing.assert_array_equal(a.grad, 2 * first_a)
    np.testing.assert_array_equal(b.grad, 2 * first_b)
    c.backward()
    np.testing.assert_array_equal(a.grad, 3 * first_a)


def test_repeated_backward_on_scalars() -> None:
    a, b = Value(2.0), Value(-3.0)
    e = a * b
    d = e + a
    for passes in (1, 2, 3):
        d.backward()
        assert a.grad == passes * (b.data + 1.0)
        assert b.grad == passes * a.data
        assert e.grad == passes * 1.0


def test_grad_is_none_before_backward_and_for_constants() -> None:
    x = Value(np.ones(3))
    constant = np.full(3, 2.0)
    y = x * constant
    assert x.grad is None and y.grad is None
    y.sum().backward()
    assert y.parents[0] is x
    assert y.parents[1].requires_grad is False
    assert y.parents[1].grad is None
    np.testing.assert_array_equal(x.grad, constant)


def test_backward_through_part_of_the_graph_only() -> None:
    """Only nodes that lead to the root get a gradient."""
    x, unused = Value(2.0), Value(5.0)
    other = unused * x
    y = x * 3.0
    y.backward()
    assert x.grad == 3.0
    assert unused.grad is None and other.grad is None


# ------------------------------------------------------------------- long and deep graphs
def test_builtin_sum_of_5000_scalars() -> None:
    """sum() chains 5,000 additions; backward must not recurse and every term gets 1."""
    numbers = rng.standard_normal(5000)
    values = [Value(float(n)) for n in numbers]
    total = sum(values)
    total.backward()
    assert total.data == pytest.approx(float(np.sum(numbers)), rel=1e-9)
    assert all(v.grad == 1.0 for v in values)


def test_builtin_sum_of_5000_weighted_terms() -> None:
    weights = rng.standard_normal(5000)
    values = [Value(1.0) for _ in weights]
    total = sum(float(w) * v for w, v in zip(weights, values, strict=True))
    total.backward()
    np.testing.assert_allclose([v.grad for v in values], weights, rtol=0, atol=0)


def test_chain_one_million_ops_deep() -> None:
    """1,000,001 negations in a row (one node each, the cheapest op): backward and freeing
    the graph without recursion. y = (−1)ⁿx, so ∂y/∂x = −1 for odd n."""
    n = 1_000_001
    x = Value(1.5)
    y = x
    for _ in range(n):
        y = -y
    y.backward()
    assert y.data == -1.5
    assert x.grad == -1.0
    del y  # dropping the root frees a million nodes by reference counting, no recursion error


def test_chain_of_multiplications() -> None:
    """y = x·cⁿ over 100,000 multiplications by a constant: ∂y/∂x = cⁿ."""
    c, n = 1.000001, 100_000
    x = Value(1.0)
    y = x
    for _ in range(n):
        y = y * c
    y.backward()
    assert x.grad == pytest.approx(c**n, rel=1e-9)
    assert y.data == pytest.approx(c**n, rel=1e-9)


def test_deep_tensor_chain() -> None:
    x = Value(np.full(3, 0.5))
    y = x
    for _ in range(20_000):
        y = y + 0.001
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, np.ones(3))
    np.testing.assert_allclose(y.data, 0.5 + 20.0)


def test_backward_order_is_topological() -> None:
    """Every node comes before all of its parents in backward_order."""
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    e = d * c + b
    order = ag.backward_order(e)
    position = {node: i for i, node in enumerate(order)}
    assert order[0] is e
    assert {a, b, c, d} <= set(order) and len(order) == 6  # plus the node d·c
    assert len(set(order)) == len(order)
    for node in order:
        for parent in node.parents:
            if parent.requires_grad:
                assert position[node] < position[parent]


# ------------------------------------------------------------------------------ memory
def _graph_is_freed(build: Callable[[], tuple[Value, Value]]) -> bool:
    """Build a graph, keep only a weak reference to an intermediate, drop the root with the
    cyclic garbage collector switched off: reference counting alone must free it."""
    gc.collect()
    gc.disable()
    try:
        root, intermediate = build()
        ref = weakref.ref(intermediate)
        del intermediate
        assert ref() is not None, "the root's graph should keep the intermediate alive"
        del root
        return ref() is None
    finally:
        gc.enable()


def test_graph_freed_when_root_dropped_after_backward() -> None:
    def build() -> tuple[Value, Value]:
        x = Value(np.ones((3, 4)))
        hidden = (x * 2.0).tanh()
        root = (hidden @ np.ones(4)).sum()
        root.backward()
        return root, hidden

    assert _graph_is_freed(build)


def test_scalar_graph_freed_without_backward() -> None:
    def build() -> tuple[Value, Value]:
        a, b = Value(2.0), Value(-3.0)
        hidden = a * b + a.exp()
        return hidden.tanh(), hidden

    assert _graph_is_freed(build)


def test_graph_freed_after_create_graph_backward() -> None:
    """The recorded backward graph hangs off x.grad; clearing it frees everything."""
    gc.collect()
    gc.disable()
    try:
        x = Value(np.array([0.5, 1.5]))
        hidden = x.sigmoid()
        root = (hidden * hidden).sum()
        root.backward(create_graph=True)
        ref = weakref.ref(hidden)
        del hidden, root
        x.grad = None
        assert ref() is None
    finally:
        gc.enable()


# ------------------------------------------------------------------------ kinks and ties
def test_relu_at_zero_has_gradient_zero() -> None:
    x = Value(0.0)
    x.relu().backward()
    assert x.grad == 0.0
    t = Value(np.array([-1.0, 0.0, 2.0]))
    t.relu().sum().backward()
    np.testing.assert_array_equal(t.grad, [0.0, 0.0, 1.0])


def test_abs_at_zero_has_gradient_zero() -> None:
    t = Value(np.array([-2.0, 0.0, 3.0]))
    t.abs().sum().backward()
    np.testing.assert_array_equal(t.grad, [-1.0, 0.0, 1.0])


def test_leaky_relu_at_zero_takes_the_slope() -> None:
    t = Value(np.array([-2.0, 0.0, 3.0]))
    t.leaky_relu(0.1).sum().backward()
    np.testing.assert_allclose(t.grad, [0.1, 0.1, 1.0])


def test_ties_in_max_share_the_gradient() -> None:
    x = Value(np.array([1.0, 3.0, 3.0, 2.0]))
    x.max().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.5, 0.5, 0.0])


def test_three_way_tie_in_min() -> None:
    x = Value(np.array([0.0, 0.0, 4.0, 0.0]))
    x.min().backward()
    np.testing.assert_allclose(x.grad, [1 / 3, 1 / 3, 0.0, 1 / 3])


def test_ties_in_max_along_an_axis() -> None:
    x = Value(np.array([[1.0, 1.0, 0.0], [2.0, 5.0, -1.0]]))
    (x.max(axis=1) * np.array([2.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(x.grad, [[1.0, 1.0, 0.0], [0.0, 3.0, 0.0]])
    y = Value(np.array([[4.0, 4.0], [4.0, 1.0]]))
    y.max(axis=0, keepdims=True).sum().backward()
    np.testing.assert_array_equal(y.grad, [[0.5, 1.0], [0.5, 0.0]])


def test_maximum_and_minimum_ties_give_half() -> None:
    a, b = Value(2.0), Value(2.0)
    a.maximum(b).backward()
    assert (a.grad, b.grad) == (0.5, 0.5)
    c = Value(np.array([1.0, 2.0, 3.0]))
    d = Value(np.array([1.0, 0.0, 5.0]))
    c.minimum(d).sum().backward()
    np.testing.assert_array_equal(c.grad, [0.5, 0.0, 1.0])
    np.testing.assert_array_equal(d.grad, [0.5, 1.0, 0.0])


def test_maximum_with_a_constant_tie() -> None:
    x = Value(np.array([0.0, 1.0, -1.0]))
    x.maximum(0.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.5, 1.0, 0.0])


def test_clip_passes_the_gradient_at_its_bounds() -> None:
    x = Value(np.array([-2.0, -1.0, 0.0, 1.0, 2.0]))
    x.clip(-1.0, 1.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 1.0, 1.0, 1.0, 0.0])


# ------------------------------------------------------------------------------ numerics
def test_sigmoid_at_plus_minus_1000() -> None:
    x = Value(np.array([1000.0, -1000.0, 0.0]))
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # no overflow either
        y = x.sigmoid()
        y.sum().backward()
    np.testing.assert_array_equal(y.data, [1.0, 0.0, 0.5])
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 0.25])
    for big in (1000.0, -1000.0):
        s = Value(big)
        out = s.sigmoid()
        out.backward()
        assert out.data == (1.0 if big > 0 else 0.0)
        assert s.grad == 0.0


def test_log_softmax_at_plus_minus_1000() -> None:
    x = Value(np.array([[1000.0, 999.0, -1000.0]]))
    y = x.log_softmax(axis=1)
    weights = np.array([[1.0, 2.0, 3.0]])
    (y * weights).sum().backward()
    log_z = 1000.0 + math.log1p(math.exp(-1.0))  # e^-2000 vanishes next to 1 + e^-1
    np.testing.assert_allclose(y.data, [[1000.0 - log_z, 999.0 - log_z, -1000.0 - log_z]])
    p = np.exp(x.data - log_z)  # softmax: [1/(1+e⁻¹), e⁻¹/(1+e⁻¹), 0]
    np.testing.assert_allclose(x.grad, weights - p * weights.sum(), rtol=1e-12)
    assert np.all(np.isfinite(x.grad))


def test_softmax_at_plus_minus_1000() -> None:
    x = Value(np.array([1000.0, -1000.0, 1000.0]))
    y = x.softmax()
    (y * np.array([1.0, 0.0, 0.0])).sum().backward()
    np.testing.assert_allclose(y.data, [0.5, 0.0, 0.5], rtol=1e-12, atol=0)
    # ∂s₀/∂x = s₀(e₀ − s): [0.25, 0, -0.25]
    np.testing.assert_allclose(x.grad, [0.25, 0.0, -0.25], rtol=1e-12, atol=0)


def test_logsumexp_at_plus_minus_1000() -> None:
    x = Value(np.array([[1000.0, 1000.0], [-1000.0, -1000.0]]))
    y = x.logsumexp(axis=1)
    y.sum().backward()
    np.testing.assert_allclose(y.data, [1000.0 + math.log(2), -1000.0 + math.log(2)])
    np.testing.assert_allclose(x.grad, np.full((2, 2), 0.5), rtol=1e-12, atol=0)


def test_softmax_rows_sum_to_one_for_huge_logits() -> None:
    x = Value(rng.standard_normal((4, 5)) * 1e4)
    s = x.softmax(axis=1)
    assert np.all(np.isfinite(s.data))
    np.testing.assert_allclose(s.data.sum(axis=1), 1.0)


# ----------------------------------------------------------------- higher derivatives
def test_second_derivatives_of_scalar_functions() -> None:
    """d²/dx² by nested grad, against derivatives worked out by hand."""
    x = 0.7
    t, s = math.tanh(x), 1 / (1 + math.exp(-x))
    cases: list[tuple[Callable[[Any], Any], float]] = [
        (lambda v: v**3, 6 * x),
        (lambda v: v.tanh(), -2 * t * (1 - t * t)),
        (lambda v: v.sigmoid(), s * (1 - s) * (1 - 2 * s)),
        (lambda v: v * v.exp(), (x + 2) * math.exp(x)),
        (lambda v: v.log(), -1 / x**2),
        (lambda v: v.sqrt(), -0.25 * x**-1.5),
        (lambda v: 1.0 / v, 2 / x**3),
        (lambda v: 2.0**v, math.log(2) ** 2 * 2**x),
    ]
    for f, expected in cases:
        assert ag.grad(ag.grad(f))(x) == pytest.approx(expected, rel=1e-10)


def test_third_derivative() -> None:
    """d³/dx³ x⁴ = 24x."""
    assert ag.grad(ag.grad(ag.grad(lambda v: v**4)))(1.5) == pytest.approx(36.0)


def test_mixed_partial_derivative() -> None:
    """f = x²y³: ∂²f/∂x∂y = 6xy²."""
    x, y = 1.5, -0.5

    def dfdx(a: Any, b: Any) -> Any:
        return ag.grad(lambda u, v: u**2 * v**3, 0)(a, b)

    assert ag.grad(dfdx, 1)(x, y) == pytest.approx(6 * x * y**2)


def test_hessian_vector_product_of_cubic_sum() -> None:
    """f(x) = Σ xᵢ³: ∇f = 3x², H = diag(6x), so Hv = 6x⊙v (via backward(create_graph))."""
    x0 = rng.standard_normal(5)
    v = rng.standard_normal(5)
    x = Value(x0)
    (x**3).sum().backward(create_graph=True)
    gradient = x.grad
    assert isinstance(gradient, Value)
    np.testing.assert_allclose(gradient.data, 3 * x0**2)
    x.grad = None
    (gradient * v).sum().backward()
    np.testing.assert_allclose(x.grad, 6 * x0 * v)


def test_hessian_of_quadratic_form() -> None:
    """f(x) = x·(Ax): ∇f = (A + Aᵀ)x and H = A + Aᵀ, built column by column from
    Hessian-vector products."""
    n = 4
    A = rng.standard_normal((n, n))
    x0 = rng.standard_normal(n)

    def f(x: Value) -> Value:
        return x @ (A @ x)

    np.testing.assert_allclose(ag.grad(f)(x0), (A + A.T) @ x0)

    def hvp(x: Any, v: np.ndarray) -> Any:
        return ag.grad(lambda y: (ag.grad(f)(y) * v).sum())(x)

    hessian = np.stack([hvp(x0, e) for e in np.eye(n)], axis=1)
    np.testing.assert_allclose(hessian, A + A.T, atol=1e-12)


def test_hessian_of_logsumexp() -> None:
    """H of logsumexp(x) is diag(p) − ppᵀ with p = softmax(x)."""
    x0 = rng.standard_normal(4)
    p = np.exp(x0 - np.log(np.exp(x0).sum()))
    rows = [
        ag.grad(lambda y, e=e: (ag.grad(lambda z: z.logsumexp())(y) * e).sum())(x0)
        for e in np.eye(4)
    ]
    np.testing.assert_allclose(np.stack(rows), np.diag(p) - np.outer(p, p), atol=1e-12)


def test_graph_freed_after_nested_grad() -> None:
    """Functional grad stores nothing in .grad, so even a recorded backward pass leaves no
    cycle: dropping the results frees the graph."""
    gc.collect()
    gc.disable()
    try:
        x = Value(np.array([0.5, 1.5]))
        hidden = x.sigmoid()
        ref = weakref.ref(hidden)
        gradient = ag.grad(lambda v, h=hidden: (v.sigmoid() * h).sum())(x)
        assert isinstance(gradient, Value)
        del hidden
        assert ref() is not None
        del gradient
        assert ref() is None
    finally:
        gc.enable()


def test_gradient_of_gradient_norm() -> None:
    """f(w) = ‖∇ₓ g(w, x)‖² with g = Σ tanh(w·x): a gradient penalty, as in WGAN-GP. By hand,
    ∇ₓg = w(1 − t²) with t = tanh(wx), so f = Σ w²(1 − t²)²; checked by finite differences."""
    x0 = rng.standard_normal(3)

    def penalty(w: Any) -> Any:
        gx = ag.grad(lambda x: (w * x).tanh().sum())(Value(x0))
        return (gx * gx).sum()

    def by_hand(w: np.ndarray) -> float:
        t = np.tanh(w * x0)
        return float(np.sum(w**2 * (1 - t**2) ** 2))

    w0 = rng.standard_normal(3)
    assert float(penalty(Value(w0)).data) == pytest.approx(by_hand(w0))
    eps = 1e-6
    numeric = [(by_hand(w0 + eps * e) - by_hand(w0 - eps * e)) / (2 * eps) for e in np.eye(3)]
    np.testing.assert_allclose(ag.grad(penalty)(w0), numeric, rtol=1e-6, atol=1e-8)


# ------------------------------------------------------------------------------- dtypes
# Each entry builds an output from float32 Values x (3, 4), y (3, 4), v (4,) and s (3, 4) > 0.
FLOAT32_OPS: list[tuple[str, Callable[..., Value]]] = [
    ("add-float", lambda x, y, v, s: x + 1.5),
    ("add-f64-array", lambda x, y, v, s: x + np.ones(4)),
    ("radd-f64-array", lambda x, y, v, s: np.ones((3, 4)) + x),
    ("sub-int", lambda x, y, v, s: 2 - x),
    ("mul-broadcast", lambda x, y, v, s: x * v),
    ("mul-np-float64", lambda x, y, v, s: np.float64(0.5) * x),
    ("div", lambda x, y, v, s: x / s),
    ("rdiv", lambda x, y, v, s: 1.0 / s),
    ("pow-const", lambda x, y, v, s: s**1.5),
    ("pow-value", lambda x, y, v, s: s**y),
    ("rpow", lambda x, y, v, s: 2.0**x),
    ("matmul", lambda x, y, v, s: x @ v),
    ("matmul-f64-const", lambda x, y, v, s: x @ np.ones((4, 2))),
    ("rmatmul-f64-const", lambda x, y, v, s: np.ones((2, 3)) @ x),
    ("neg", lambda x, y, v, s: -x),
    ("abs", lambda x, y, v, s: abs(x)),
    ("exp", lambda x, y, v, s: x.exp()),
    ("log", lambda x, y, v, s: s.log()),
    ("sqrt", lambda x, y, v, s: s.sqrt()),
    ("tanh", lambda x, y, v, s: x.tanh()),
    ("sigmoid", lambda x, y, v, s: x.sigmoid()),
    ("relu", lambda x, y, v, s: x.relu()),
    ("leaky_relu", lambda x, y, v, s: x.leaky_relu(0.2)),
    ("maximum", lambda x, y, v, s: x.maximum(y)),
    ("minimum-const", lambda x, y, v, s: x.minimum(0.1)),
    ("clip", lambda x, y, v, s: x.clip(-0.5, 0.5)),
    ("where", lambda x, y, v, s: ag.where(x > 0, x, y)),
    ("where-const", lambda x, y, v, s: ag.where(x > 0, x, 0.0)),
    ("sum", lambda x, y, v, s: x.sum(axis=0)),
    ("mean", lambda x, y, v, s: x.mean()),
    ("max", lambda x, y, v, s: x.max(axis=1, keepdims=True)),
    ("min", lambda x, y, v, s: x.min()),
    ("var", lambda x, y, v, s: x.var(axis=0, ddof=1)),
    ("reshape", lambda x, y, v, s: x.reshape(2, 6)),
    ("transpose", lambda x, y, v, s: x.T),
    ("flatten", lambda x, y, v, s: x.flatten()),
    ("broadcast_to", lambda x, y, v, s: v.broadcast_to((2, 4))),
    ("getitem", lambda x, y, v, s: x[np.array([0, 0, 2]), 1:]),
    ("concatenate", lambda x, y, v, s: ag.concatenate([x, y, np.zeros((1, 4))])),
    ("stack", lambda x, y, v, s: ag.stack([x, y, np.zeros((3, 4))], axis=1)),
    ("softmax", lambda x, y, v, s: x.softmax(axis=0)),
    ("log_softmax", lambda x, y, v, s: x.log_softmax()),
    ("logsumexp", lambda x, y, v, s: x.logsumexp(axis=1)),
]


def _float32_inputs() -> list[Value]:
    r = np.random.default_rng(3)
    return [
        Value(r.standard_normal((3, 4)).astype(np.float32)),
        Value(r.standard_normal((3, 4)).astype(np.float32)),
        Value(r.standard_normal(4).astype(np.float32)),
        Value(r.uniform(0.5, 2.0, (3, 4)).astype(np.float32)),
    ]


@pytest.mark.parametrize("f", [pytest.param(f, id=n) for n, f in FLOAT32_OPS])
def test_float32_stays_float32(f: Callable[..., Value]) -> None:
    inputs = _float32_inputs()
    out = f(*inputs)
    assert out.dtype == np.float32
    (out * out).sum().backward()
    for v in inputs:
        if v.grad is not None:
            assert v.grad.dtype == np.float32


@pytest.mark.parametrize("f", [pytest.param(f, id=n) for n, f in FLOAT32_OPS])
def test_float32_second_order_stays_float32(f: Callable[..., Value]) -> None:
    inputs = _float32_inputs()
    (f(*inputs) ** 2).sum().backward(create_graph=True)
    reached = [v for v in inputs if v.grad is not None]
    assert reached
    for v in reached:
        assert v.grad.dtype == np.float32
    gradients = [v.grad for v in reached if v.grad.requires_grad]
    for v in inputs:
        v.grad = None
    if gradients:
        sum(g.sum() for g in gradients).backward()
        for v in inputs:
            assert v.grad is None or v.grad.dtype == np.float32


ZERO_D_OPS: list[tuple[str, Callable[[Value], Value], str]] = [
    ("max", lambda v: v.max(), ""),
    ("min", lambda v: v.min(), ""),
    ("leaky_relu", lambda v: v.leaky_relu(0.2), ""),
    ("relu", lambda v: v.relu(), ""),
    ("abs", lambda v: abs(v), ""),
    ("clip", lambda v: v.clip(-1.0, 1.0), ""),
    ("maximum", lambda v: v.maximum(0.0), ""),
    ("sigmoid", lambda v: v.sigmoid(), ""),
    ("tanh", lambda v: v.tanh(), ""),
    ("exp", lambda v: v.exp(), ""),
    ("sum", lambda v: v.sum(), ""),
    ("mean", lambda v: v.mean(), ""),
    ("logsumexp", lambda v: v.logsumexp(), ""),
    ("softmax", lambda v: v.softmax(), ""),
    ("pow", lambda v: v**3, ""),
    ("div", lambda v: 1.0 / v, ""),
    ("where", lambda v: ag.where(True, v, 0.0), ""),
    ("getitem", lambda v: v[()], ""),
    ("stack", lambda v: ag.stack([v, v * 2.0]), ""),
]


@pytest.mark.parametrize(
    "f",
    [
        pytest.param(
            f, id=n, marks=[pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        )
        for n, f, reason in ZERO_D_OPS
    ],
)
def test_float32_0d_stays_float32(f: Callable[[Value], Value]) -> None:
    x = Value(np.array(-0.5, dtype=np.float32))
    out = f(x)
    assert out.dtype == np.float32
    (out * out).sum().backward()
    assert np.shape(x.grad) == () and np.asarray(x.grad).dtype == np.float32


def test_float64_stays_float64() -> None:
    x = Value(rng.standard_normal((3, 4)))
    out = ((x * np.float32(2.0) + 1).tanh() @ np.ones(4, np.float32)).log_softmax()
    assert out.dtype == np.float64
    out.sum().backward()
    assert x.grad.dtype == np.float64


def test_python_float_scalars_stay_python_floats() -> None:
    a, b = Value(2.0), Value(-3.0)
    c = (a * b + a.exp()).tanh()
    assert type(c.data) is float
    c.backward()
    assert isinstance(a.grad, float) and isinstance(b.grad, float)


# --------------------------------------------------------------------- numpy interplay
@pytest.mark.parametrize(
    "f",
    [
        lambda a, v: a + v,
        lambda a, v: a - v,
        lambda a, v: a * v,
        lambda a, v: a / v,
        lambda a, v: a**v,
        lambda a, v: a[:3] @ v,
    ],
    ids=["+", "-", "*", "/", "**", "@"],
)
def test_ndarray_on_the_left_gives_a_value(f: Callable[[np.ndarray, Value], Any]) -> None:
    """numpy must hand ``ndarray op Value`` to the Value, never build an object array."""
    v = Value(np.array([1.0, 2.0, 3.0]))
    out = f(np.array([0.5, 1.5, 2.5]), v)
    assert isinstance(out, Value)
    assert out.dtype == np.float64
    out.sum().backward()
    assert v.grad.shape == (3,)


def test_numpy_scalar_times_value_gives_a_value() -> None:
    v = Value(np.ones(3, np.float32))
    for scalar in (np.float64(2.0), np.float32(2.0), np.int64(2)):
        out = scalar * v
        assert isinstance(out, Value) and out.dtype == np.float32


def test_comparisons_give_boolean_arrays() -> None:
    v = Value(np.array([-1.0, 0.0, 2.0]))
    for result, expected in [
        (v < 0.0, [True, False, False]),
        (v <= 0.0, [True, True, False]),
        (v > 0.0, [False, False, True]),
        (v >= 0.0, [False, True, True]),
        (np.zeros(3) < v, [False, False, True]),
        (v > Value(np.ones(3)), [False, False, True]),
    ]:
        assert isinstance(result, np.ndarray) and result.dtype == bool
        np.testing.assert_array_equal(result, expected)
    scalar = Value(1.0) < 2.0  # scalars give a (Python or numpy) bool
    assert isinstance(scalar, (bool, np.bool_)) and bool(scalar) is True


def test_numpy_ufunc_on_a_value_is_refused() -> None:
    """np.exp(value) would silently lose the graph; with __array_ufunc__ = None it raises."""
    with pytest.raises(TypeError):
        np.exp(Value(np.ones(2)))


# --------------------------------------------------------------------------- no_grad
def test_no_grad_context_records_nothing() -> None:
    x = Value(np.ones(3))
    with no_grad():
        assert not is_grad_enabled()
        y = (x * 2.0).tanh().sum()
    assert is_grad_enabled()
    assert y.requires_grad is False and y.parents == () and y.is_leaf
    np.testing.assert_allclose(y.data, 3 * np.tanh(2.0))
    with pytest.raises(RuntimeError, match="does not require"):
        y.backward()


def test_no_grad_decorator() -> None:
    @no_grad()
    def evaluate(v: Value) -> Value:
        assert not is_grad_enabled()
        return v * v

    x = Value(2.0)
    y = evaluate(x)
    assert is_grad_enabled()
    assert y.requires_grad is False and y.parents == ()
    assert y.data == 4.0


def test_no_grad_restores_the_mode_after_an_exception() -> None:
    with pytest.raises(ZeroDivisionError), no_grad():
        raise ZeroDivisionError
    assert is_grad_enabled()


def test_enable_grad_inside_no_grad_and_nesting() -> None:
    x = Value(1.0)
    with no_grad():
        with enable_grad():
            assert (x * 2.0).requires_grad
        with no_grad():
            pass
        assert not is_grad_enabled()
        assert not (x * 2.0).requires_grad
    assert is_grad_enabled()


def test_constants_only_give_no_graph() -> None:
    a = Value(np.ones(2), requires_grad=False)
    out = a * 3.0 + np.ones(2)
    assert out.requires_grad is False and out.parents == ()
    mixed = a * Value(2.0)
    assert mixed.requires_grad is True


# ------------------------------------------------------------------------------ detach
def test_detach_cuts_the_graph_and_shares_data() -> None:
    x = Value(np.array([1.0, 2.0]), label="x")
    d = x.detach()
    assert d.requires_grad is False and d.is_leaf and d.parents == ()
    assert np.shares_memory(d.data, x.data)
    (d * x).sum().backward()  # d is a constant: ∂/∂x (d·x) = d
    np.testing.assert_array_equal(x.grad, x.data)
    assert d.grad is None


def test_detach_of_an_intermediate() -> None:
    x = Value(3.0)
    y = x * x
    z = y.detach() * x + y
    z.backward()
    assert x.grad == pytest.approx(9.0 + 6.0)


# ------------------------------------------------------------------------ conversions
def test_scalar_value_properties_and_conversions() -> None:
    a = Value(2.5, label="a")
    assert a.shape == () and a.ndim == 0 and a.size == 1 and a.dtype == np.float64
    assert a.item() == 2.5 and type(a.item()) is float
    assert a.numpy().shape == () and a.numpy() == 2.5
    assert np.asarray(a).shape == () and float(np.asarray(a)) == 2.5
    assert a.is_leaf and a.op == "" and a.parents == ()
    assert "2.5" in repr(a) and "a" in repr(a)
    with pytest.raises(TypeError):
        len(a)


def test_tensor_value_properties_and_conversions() -> None:
    data = np.arange(12, dtype=np.float32).reshape(3, 4)
    t = Value(data)
    assert t.shape == (3, 4) and t.ndim == 2 and t.size == 12 and t.dtype == np.float32
    assert len(t) == 3
    assert isinstance(t.numpy(), np.ndarray)
    np.testing.assert_array_equal(t.numpy(), data)
    as_array = np.asarray(t)
    assert as_array.dtype == np.float32 and as_array.shape == (3, 4)
    assert np.asarray(t, dtype=np.float64).dtype == np.float64
    assert "(3, 4)" in repr(t) and "float32" in repr(t)
    with pytest.raises(ValueError, match="one element"):
        t.item()
    assert Value(np.array([[7.0]])).item() == 7.0


def test_op_and_parents_describe_the_node() -> None:
    a, b = Value(1.0), Value(2.0)
    c = a * b
    assert c.op == "*" and c.parents == (a, b) and not c.is_leaf
    d = 3.0 - a
    assert d.parents[1] is a and d.parents[0].data == 3.0
    assert d.parents[0].requires_grad is False


def test_values_hash_and_compare_by_identity() -> None:
    a, b = Value(1.0), Value(1.0)
    assert a == a and a != b
    assert len({a, b}) == 2
    table = {a: "a", b: "b"}
    assert table[a] == "a" and table[b] == "b"
    t = Value(np.ones(3))
    assert hash(t) == hash(t) and t in {t}
    assert (t == t) is True  # identity: a plain bool, not an elementwise array


# ------------------------------------------------------------------------------ errors
def test_matmul_shape_mismatch_names_op_and_shapes() -> None:
    with pytest.raises(ValueError) as info:
        Value(np.ones((2, 3))) @ Value(np.ones((4, 5)))
    message = str(info.value)
    assert "matmul" in message.lower() or "@" in message
    assert "(2, 3)" in message and "(4, 5)" in message


def test_matmul_vector_mismatch_names_shapes() -> None:
    with pytest.raises(ValueError) as info:
        Value(np.ones(3)) @ np.ones((4, 2))
    assert "(3,)" in str(info.value) and "(4, 2)" in str(info.value)


def test_matmul_batch_mismatch_says_batch() -> None:
    with pytest.raises(ValueError) as info:
        Value(np.ones((2, 2, 3))) @ Value(np.ones((3, 3, 5)))
    message = str(info.value)
    assert "(2, 2, 3)" in message and "(3, 3, 5)" in message
    assert "batch" in message.lower()


@pytest.mark.parametrize(
    "f",
    [
        lambda a, b: a + b,
        lambda a, b: a * b,
        lambda a, b: a - b,
        lambda a, b: a / b,
        lambda a, b: ag.maximum(a, b),
    ],
    ids=["add", "mul", "sub", "div", "maximum"],
)
def test_broadcast_mismatch_names_op_and_shapes(f: Callable[[Value, Value], Value]) -> None:
    with pytest.raises(ValueError) as info:
        f(Value(np.ones((2, 3))), Value(np.ones(4)))
    message = str(info.value)
    assert "(2, 3)" in message and "(4,)" in message
    assert "broadcast" in message


def test_backward_on_non_scalar_says_what_to_pass() -> None:
    y = Value(np.ones((2, 3))) * 2.0
    with pytest.raises(RuntimeError) as info:
        y.backward()
    message = str(info.value)
    assert "(2, 3)" in message and "backward(grad)" in message


def test_backward_with_an_explicit_gradient() -> None:
    x = Value(np.array([1.0, 2.0, 3.0]))
    y = x * x
    y.backward(np.array([1.0, 0.0, -1.0]))
    np.testing.assert_array_equal(x.grad, [2.0, 0.0, -6.0])


def test_backward_with_wrong_gradient_shape() -> None:
    y = Value(np.ones(3)) * 2.0
    with pytest.raises(ValueError) as info:
        y.backward(np.ones(4))
    assert "(4,)" in str(info.value) and "(3,)" in str(info.value)


def test_backward_with_wrong_gradient_shape_on_a_scalar_root() -> None:
    y = Value(2.0) * 2.0
    with pytest.raises(ValueError, match="backward") as info:
        y.backward(np.ones(4))
    assert "(4,)" in str(info.value)


def test_backward_on_a_value_that_needs_no_gradient() -> None:
    for root in (Value(1.0, requires_grad=False), Value(np.ones(2), requires_grad=False).sum()):
        with pytest.raises(RuntimeError, match="does not require"):
            root.backward()


@pytest.mark.parametrize(
    "data",
    [np.arange(3), np.array([True, False]), [1, 2], np.ones(2, dtype=complex)],
    ids=["int64", "bool", "int-list", "complex"],
)
def test_data_that_cannot_carry_a_gradient_is_refused(data: Any) -> None:
    with pytest.raises(TypeError) as info:
        Value(data)
    message = str(info.value)
    assert "gradient" in message and "requires_grad=False" in message


def test_integer_constant_is_accepted_without_gradient() -> None:
    labels = Value(np.arange(3), requires_grad=False)
    assert labels.dtype.kind == "i" and labels.requires_grad is False


def test_object_array_is_refused() -> None:
    with pytest.raises(TypeError, match="object"):
        Value(np.array([1.0, "a"], dtype=object))
    with pytest.raises(TypeError, match="stack"):
        Value(np.ones(2)) + np.array([Value(1.0), Value(2.0)], dtype=object)


@pytest.mark.parametrize(
    "items",
    [lambda: [Value(1.0), Value(2.0)], lambda: [Value(np.ones(2)), Value(np.ones(2))]],
    ids=["scalars", "tensors"],
)
def test_list_of_values_points_to_stack(items: Callable[[], list[Value]]) -> None:
    with pytest.raises(TypeError, match="stack"):
        Value(items())


# -------------------------------------------------------------- hand-derived examples
def test_micrograd_readme_style_expression_by_hand() -> None:
    """c = tanh(a·b + eᵃ) at a = 2, b = −3: ∂c/∂a = (1 − c²)(b + eᵃ), ∂c/∂b = (1 − c²)a."""
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = (a * b + a.exp()).tanh()
    c.backward()
    d = 2.0 * -3.0 + math.exp(2.0)
    assert c.data == pytest.approx(math.tanh(d), rel=1e-14)
    local = 1 - math.tanh(d) ** 2
    assert a.grad == pytest.approx(local * (-3.0 + math.exp(2.0)), rel=1e-12)
    assert b.grad == pytest.approx(local * 2.0, rel=1e-12)


def test_neuron_by_hand() -> None:
    """o = tanh(x₁w₁ + x₂w₂ + b): ∂o/∂wᵢ = (1 − o²)xᵢ, ∂o/∂xᵢ = (1 − o²)wᵢ, ∂o/∂b = 1 − o²."""
    x1, x2, w1, w2, b = (Value(v) for v in (2.0, 0.0, -3.0, 1.0, 6.8813735870195432))
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.backward()
    local = 1 - o.data**2
    assert w1.grad == pytest.approx(local * 2.0)
    assert w2.grad == pytest.approx(0.0)
    assert x1.grad == pytest.approx(local * -3.0)
    assert x2.grad == pytest.approx(local * 1.0)
    assert b.grad == pytest.approx(local)


def test_linear_layer_mse_by_hand() -> None:
    """L = mean((XW + b − Y)²): ∂L/∂W = 2Xᵀ(XW + b − Y)/n, ∂L/∂b = 2·Σᵢ(…)/n (n = #entries)."""
    X = rng.standard_normal((5, 3))
    Y = rng.standard_normal((5, 2))
    W0, b0 = rng.standard_normal((3, 2)), rng.standard_normal(2)
    W, b = Value(W0), Value(b0)
    loss = ((X @ W + b - Y) ** 2).mean()
    loss.backward()
    residual = X @ W0 + b0 - Y
    np.testing.assert_allclose(loss.data, np.mean(residual**2))
    np.testing.assert_allclose(W.grad, 2 * X.T @ residual / residual.size)
    np.testing.assert_allclose(b.grad, 2 * residual.sum(axis=0) / residual.size)


def test_cross_entropy_gradient_is_softmax_minus_one_hot() -> None:
    """L = −mean log softmax(z)[label]: ∂L/∂z = (softmax(z) − onehot)/n."""
    z0 = rng.standard_normal((4, 3))
    labels = np.array([0, 2, 1, 2])
    z = Value(z0)
    loss = -z.log_softmax(axis=1)[np.arange(4), labels].mean()
    loss.backward()
    p = np.exp(z0) / np.exp(z0).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(z.grad, (p - np.eye(3)[labels]) / 4)


def test_scatter_add_of_repeated_indices() -> None:
    x = Value(np.arange(5.0))
    x[np.array([0, 3, 0, 0, 4])].sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 0.0, 0.0, 1.0, 1.0])


def test_stack_scalars_into_a_vector() -> None:
    a, b = Value(1.0), Value(2.0)
    v = ag.stack([a, b, 3.0])
    (v * np.array([10.0, 20.0, 30.0])).sum().backward()
    assert (a.grad, b.grad) == (10.0, 20.0)


# -------------------------------------------------------------------- cross-checks
def test_against_micrograd() -> None:
    """The same scalar expression in micrograd and glassgrad gives the same gradients."""
    micrograd_engine = pytest.importorskip("micrograd.engine")

    def expression(x: Any, y: Any) -> Any:
        z = x * y + x**2 - y / (x + 4.0)
        h = (z * z).relu() + (y - x).relu() * 0.5
        return h + 1.0 / h + (-x) * 3.0

    ours = [Value(1.5), Value(-2.0)]
    theirs = [micrograd_engine.Value(1.5), micrograd_engine.Value(-2.0)]
    out, reference = expression(*ours), expression(*theirs)
    out.backward()
    reference.backward()
    assert out.data == pytest.approx(reference.data, rel=1e-12)
    for mine, peer in zip(ours, theirs, strict=True):
        assert mine.grad == pytest.approx(peer.grad, rel=1e-10)


TORCH_EXPRESSIONS: list[tuple[str, Callable[..., Any], list[tuple[int, ...]]]] = [
    (
        "mlp-cross-entropy",
        lambda x, w1, b1, w2: (
            -((x @ w1 + b1).tanh() @ w2).log_softmax(-1)[[0, 1, 2], [1, 0, 2]].mean()
        ),
        [(3, 4), (4, 5), (5,), (5, 3)],
    ),
    (
        "layer-norm",
        lambda x, g: (
            ((x - x.mean(axis=1, keepdims=True)) / (x.var(axis=1, keepdims=True) + 1e-5).sqrt() * g)
            .sigmoid()
            .sum()
        ),
        [(4, 6), (6,)],
    ),
    (
        "batched-attention",
        lambda q, k, v: ((q @ k.transpose(0, 2, 1) * 0.5).softmax(-1) @ v).abs().mean(),
        [(2, 3, 4), (2, 5, 4), (2, 5, 4)],
    ),
    (
        "maximum-clip-exp",
        lambda a, b: (a.maximum(b).clip(-0.5, 1.0) * a.exp() + b.minimum(a) ** 2).sum(),
        [(3, 4), (4,)],
    ),
    (
        "logsumexp-max-pow",
        lambda a: (a.logsumexp(-1) ** 2).sum() + a.max() + (a * a).sqrt().sum(),
        [(4, 5)],
    ),
]


@pytest.mark.parametrize(
    ("f", "shapes"), [pytest.param(f, s, id=n) for n, f, s in TORCH_EXPRESSIONS]
)
def test_against_torch(f: Callable[..., Any], shapes: list[tuple[int, ...]]) -> None:
    torch = pytest.importorskip("torch")
    r = np.random.default_rng(11)
    arrays = [r.standard_normal(s) for s in shapes]
    ours = [Value(a) for a in arrays]
    out = f(*ours)
    out.backward()
    theirs = [TorchValue(torch.tensor(a, requires_grad=True)) for a in arrays]
    reference = f(*theirs)
    reference.t.backward()
    np.testing.assert_allclose(out.data, reference.t.detach().numpy(), rtol=1e-10)
    for mine, peer in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(mine.grad, peer.t.grad.numpy(), rtol=1e-8, atol=1e-12)


class TorchValue:
    """A thin adapter that spells torch operations with glassgrad's method names, so one
    expression runs on both engines."""

    def __init__(self, t: Any) -> None:
        self.t = t

    @staticmethod
    def _raw(x: Any) -> Any:
        return x.t if isinstance(x, TorchValue) else x

    def _wrap(self, t: Any) -> TorchValue:
        return TorchValue(t)

    def __add__(self, o: Any) -> TorchValue:
        return self._wrap(self.t + self._raw(o))

    def __radd__(self, o: Any) -> TorchValue:
        return self._wrap(self._raw(o) + self.t)

    def __sub__(self, o: Any) -> TorchValue:
        return self._wrap(self.t - self._raw(o))

    def __mul__(self, o: Any) -> TorchValue:
        return self._wrap(self.t * self._raw(o))

    def __truediv__(self, o: Any) -> TorchValue:
        return self._wrap(self.t / self._raw(o))

    def __pow__(self, o: Any) -> TorchValue:
        return self._wrap(self.t ** self._raw(o))

    def __matmul__(self, o: Any) -> TorchValue:
        return self._wrap(self.t @ self._raw(o))

    def __neg__(self) -> TorchValue:
        return self._wrap(-self.t)

    def __getitem__(self, index: Any) -> TorchValue:
        return self._wrap(self.t[index])

    def tanh(self) -> TorchValue:
        return self._wrap(self.t.tanh())

    def sigmoid(self) -> TorchValue:
        return self._wrap(self.t.sigmoid())

    def exp(self) -> TorchValue:
        return self._wrap(self.t.exp())

    def sqrt(self) -> TorchValue:
        return self._wrap(self.t.sqrt())

    def abs(self) -> TorchValue:
        return self._wrap(self.t.abs())

    def log_softmax(self, axis: int) -> TorchValue:
        return self._wrap(self.t.log_softmax(axis))

    def softmax(self, axis: int) -> TorchValue:
        return self._wrap(self.t.softmax(axis))

    def logsumexp(self, axis: int) -> TorchValue:
        return self._wrap(self.t.logsumexp(axis))

    def transpose(self, *axes: int) -> TorchValue:
        return self._wrap(self.t.permute(*axes))

    def sum(self) -> TorchValue:
        return self._wrap(self.t.sum())

    def mean(self, axis: int | None = None, keepdims: bool = False) -> TorchValue:
        if axis is None:
            return self._wrap(self.t.mean())
        return self._wrap(self.t.mean(axis, keepdim=keepdims))

    def var(self, axis: int, keepdims: bool = False) -> TorchValue:
        return self._wrap(self.t.var(axis, keepdim=keepdims, unbiased=False))

    def max(self) -> TorchValue:
        return self._wrap(self.t.max())

    def maximum(self, o: Any) -> TorchValue:
        return self._wrap(self.t.maximum(self._raw(o)))

    def minimum(self, o: Any) -> TorchValue:
        return self._wrap(self.t.minimum(self._raw(o)))

    def clip(self, lo: float, hi: float) -> TorchValue:
        return self._wrap(self.t.clamp(lo, hi))
