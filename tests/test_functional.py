"""Functional gradients (``grad``, ``value_and_grad``), ``gradcheck`` and ``manual_seed``."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import autograd as ag
from autograd import GradcheckError, Value, gradcheck, no_grad
from autograd.ops import PRIMITIVES, Primitive

rng = np.random.default_rng(5)


# ------------------------------------------------------------------------------ grad
def f_xy(x: Any, y: Any) -> Any:
    """f(x, y) = x·y² + sin-free smooth term: ∂f/∂x = y², ∂f/∂y = 2xy."""
    return x * y * y


def test_grad_argnums_int() -> None:
    assert ag.grad(f_xy)(3.0, 2.0) == pytest.approx(4.0)
    assert ag.grad(f_xy, argnums=1)(3.0, 2.0) == pytest.approx(12.0)


def test_grad_argnums_tuple() -> None:
    gx, gy = ag.grad(f_xy, argnums=(0, 1))(3.0, 2.0)
    assert (gx, gy) == (pytest.approx(4.0), pytest.approx(12.0))
    (only_y,) = ag.grad(f_xy, argnums=(1,))(3.0, 2.0)
    assert only_y == pytest.approx(12.0)
    gy, gx = ag.grad(f_xy, argnums=(1, 0))(3.0, 2.0)
    assert (gx, gy) == (pytest.approx(4.0), pytest.approx(12.0))


def test_value_and_grad() -> None:
    value, gradient = ag.value_and_grad(f_xy)(3.0, 2.0)
    assert value == pytest.approx(12.0) and gradient == pytest.approx(4.0)
    value, (gx, gy) = ag.value_and_grad(f_xy, argnums=(0, 1))(3.0, 2.0)
    assert value == pytest.approx(12.0)
    assert (gx, gy) == (pytest.approx(4.0), pytest.approx(12.0))


def test_grad_of_arrays_returns_arrays() -> None:
    x = rng.standard_normal((3, 4))
    w = rng.standard_normal(4)
    gradient = ag.grad(lambda a, b: ((a @ b).tanh()).sum(), argnums=(0, 1))(x, w)
    ga, gb = gradient
    assert isinstance(ga, np.ndarray) and ga.shape == (3, 4)
    assert isinstance(gb, np.ndarray) and gb.shape == (4,)
    local = 1 - np.tanh(x @ w) ** 2
    np.testing.assert_allclose(ga, np.outer(local, w))
    np.testing.assert_allclose(gb, x.T @ local)


def test_grad_passes_keyword_arguments_through() -> None:
    def f(x: Any, *, scale: float) -> Any:
        return (x * scale).sum()

    np.testing.assert_allclose(ag.grad(f)(np.ones(3), scale=2.5), np.full(3, 2.5))


def test_grad_of_an_unused_argument_is_zero() -> None:
    gx, gy = ag.grad(lambda x, y: (x * 2.0).sum(), argnums=(0, 1))(np.ones(2), np.ones((3, 2)))
    np.testing.assert_array_equal(gx, [2.0, 2.0])
    np.testing.assert_array_equal(gy, np.zeros((3, 2)))


def test_grad_leaves_dot_grad_untouched() -> None:
    """grad() returns gradients; it writes no .grad anywhere, not even on Values it closes
    over or on Value arguments."""
    w = Value(np.array([1.0, -2.0]))
    w.grad = np.array([10.0, 10.0])
    hidden: list[Value] = []

    def f(x: Any) -> Any:
        h = x * w
        hidden.append(h)
        return h.sum()

    gradient = ag.grad(f)(np.array([3.0, 4.0]))
    np.testing.assert_array_equal(gradient, w.data)
    np.testing.assert_array_equal(w.grad, [10.0, 10.0])
    assert hidden[0].grad is None
    x = Value(np.array([3.0, 4.0]))
    ag.grad(lambda v: (v * v).sum())(x)
    assert x.grad is None


def test_grad_requires_a_scalar_value() -> None:
    with pytest.raises(ValueError, match="scalar"):
        ag.grad(lambda x: x * 2.0)(np.ones(3))
    with pytest.raises(TypeError, match="Value"):
        ag.grad(lambda x: 3.0)(1.0)


def test_nested_grad_of_cube() -> None:
    """d/dx x³ = 3x², d²/dx² = 6x, d³/dx³ = 6, d⁴/dx⁴ = 0."""
    cube = lambda x: x**3  # noqa: E731
    first, second = ag.grad(cube), ag.grad(ag.grad(cube))
    third = ag.grad(ag.grad(ag.grad(cube)))
    for x in (-1.5, 0.5, 2.0):
        assert first(x) == pytest.approx(3 * x**2)
        assert second(x) == pytest.approx(6 * x)
        assert third(x) == pytest.approx(6.0)


def test_nested_grad_on_arrays() -> None:
    """∇ of x ↦ Σ ∂/∂xᵢ Σⱼ xⱼ³ = Σ 3xᵢ² is 6x (the diagonal of the Hessian)."""
    x = rng.standard_normal(4)
    inner = ag.grad(lambda y: (y**3).sum())
    np.testing.assert_allclose(ag.grad(lambda y: inner(y).sum())(x), 6 * x)


def test_nested_grad_of_exp_and_tanh() -> None:
    x = 0.3
    assert ag.grad(ag.grad(lambda v: v.exp()))(x) == pytest.approx(np.exp(x))
    t = np.tanh(x)
    expected = -2 * t * (1 - t**2)
    assert ag.grad(ag.grad(lambda v: v.tanh()))(x) == pytest.approx(expected)


def test_nested_value_and_grad_returns_values() -> None:
    """Inside an outer grad, the inner results are Values that carry the graph."""
    seen: list[Any] = []

    def outer(x: Any) -> Any:
        value, gradient = ag.value_and_grad(lambda v: v**2)(x)
        seen.append((value, gradient))
        return value + gradient  # x² + 2x: derivative 2x + 2

    assert ag.grad(outer)(1.5) == pytest.approx(5.0)
    value, gradient = seen[0]
    assert isinstance(value, Value) and isinstance(gradient, Value)


@pytest.mark.parametrize("where", ["constant-value-argument", "inside-no_grad"])
def test_grad_never_returns_silent_zeros(where: str) -> None:
    f = lambda v: (v * v).sum()  # noqa: E731
    x0 = np.array([1.0, 2.0])
    try:
        if where == "inside-no_grad":
            with no_grad():
                gradient = ag.grad(f)(x0)
        else:
            gradient = ag.grad(f)(Value(x0, requires_grad=False))
    except (TypeError, ValueError, RuntimeError) as error:
        assert "grad" in str(error)  # a clear refusal is fine too
        return
    np.testing.assert_allclose(np.asarray(getattr(gradient, "data", gradient)), 2 * x0)


# ------------------------------------------------------------------------- gradcheck
@pytest.fixture
def scoped_primitive() -> Iterator[Callable[[type[Primitive]], type[Primitive]]]:
    """Register test-only primitives and remove them from PRIMITIVES afterwards."""
    names: list[str] = []

    def register(cls: type[Primitive]) -> type[Primitive]:
        assert PRIMITIVES[cls.__name__] is cls  # Primitive subclasses register themselves
        names.append(cls.__name__)
        return cls

    yield register
    for name in names:
        PRIMITIVES.pop(name, None)


def numbers_in(message: str) -> list[float]:
    return [float(m) for m in re.findall(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?", message)]


def test_gradcheck_passes_a_correct_gradient() -> None:
    x = rng.standard_normal((3, 4))
    assert gradcheck(lambda v: (v * v).tanh().sum(), x) is True
    assert gradcheck(lambda a, b: a * b, 1.5, x) is True


def test_gradcheck_names_input_index_and_both_values(scoped_primitive: Any) -> None:
    """A primitive whose vjp is off by g at one element: gradcheck names input 1 (the wrong
    one), element (1, 2), the analytic value 2x + 1 and the numeric value 2x."""

    class TestWrongSquareAtOneElement(Primitive):
        """y = x²; the vjp adds a spurious g at element (1, 2)."""

        symbol = "wrong_square"

        def forward(x):
            return x * x

        def vjp_x(g, y, x):
            spurious = np.zeros(np.shape(x))
            spurious[1, 2] = 1.0
            return g * 2.0 * x + g * spurious

    scoped_primitive(TestWrongSquareAtOneElement)
    assert not TestWrongSquareAtOneElement.__module__.startswith("autograd.")
    a = rng.standard_normal((3, 4))
    b = rng.standard_normal((3, 4))

    def f(u: Value, v: Value) -> Value:
        return (u * 3.0).sum() + ag.apply(TestWrongSquareAtOneElement, v).sum()

    out = f(Value(a), Value(b))
    assert out.parents[1].parents[0].op == "wrong_square"
    with pytest.raises(GradcheckError) as info:
        gradcheck(f, a, b)
    message = str(info.value)
    assert "input 1" in message
    assert "(1, 2)" in message
    numbers = numbers_in(message)
    analytic, numeric = 2 * b[1, 2] + 1.0, 2 * b[1, 2]
    assert any(abs(n - analytic) < 1e-5 for n in numbers), message
    assert any(abs(n - numeric) < 1e-5 for n in numbers), message
    assert isinstance(info.value, AssertionError)  # pytest shows it as a failed check


def test_gradcheck_catches_a_wrong_scalar_gradient(scoped_primitive: Any) -> None:
    class TestWrongExp(Primitive):
        """y = eˣ with the vjp of e²ˣ (a typical slip)."""

        def forward(x):
            return float(np.exp(x))

        def vjp_x(g, y, x):
            return g * y * y

    scoped_primitive(TestWrongExp)
    with pytest.raises(GradcheckError, match="input 0") as info:
        gradcheck(lambda v: ag.apply(TestWrongExp, v), 1.0)
    numbers = numbers_in(str(info.value))
    assert any(abs(n - np.e**2) < 1e-5 for n in numbers)
    assert any(abs(n - np.e) < 1e-5 for n in numbers)


def test_gradcheck_respects_tolerances(scoped_primitive: Any) -> None:
    class TestSlightlyOffDouble(Primitive):
        """y = 2x with a vjp that is 1e-4 too large relative to the truth."""

        def forward(x):
            return 2.0 * x

        def vjp_x(g, y, x):
            return g * 2.0 * (1 + 1e-4)

    scoped_primitive(TestSlightlyOffDouble)
    x = rng.standard_normal(3)
    f = lambda v: ag.apply(TestSlightlyOffDouble, v)  # noqa: E731
    assert gradcheck(f, x)  # within the default rtol = 1e-3
    with pytest.raises(GradcheckError):
        gradcheck(f, x, atol=1e-9, rtol=1e-7)


def test_custom_primitive_registers_and_is_removed(scoped_primitive: Any) -> None:
    class TestCube(Primitive):
        """y = x³.   dy/dx = 3x²."""

        def forward(x):
            return x**3

        def vjp_x(g, y, x):
            return g * 3.0 * x * x

    scoped_primitive(TestCube)
    assert "TestCube" in PRIMITIVES
    assert TestCube.symbol == "testcube"
    x = rng.standard_normal(4)
    assert gradcheck(lambda v: ag.apply(TestCube, v), x)
    np.testing.assert_allclose(ag.grad(lambda v: ag.apply(TestCube, v).sum())(x), 3 * x**2)


def test_test_primitives_do_not_leak_into_the_registry() -> None:
    leaked = [n for n, cls in PRIMITIVES.items() if n.startswith("Test") and cls is not None]
    assert not leaked, f"test primitives left in PRIMITIVES: {leaked}"


def test_gradcheck_works_in_float64_for_float32_inputs() -> None:
    """Inputs are copied to float64, so a float32 array is checked at full precision."""
    seen: list[Any] = []

    def f(v: Value) -> Value:
        seen.append(v.dtype)
        return (v * v).sum()

    assert gradcheck(f, rng.standard_normal(3).astype(np.float32))
    assert set(seen) == {np.dtype(np.float64)}


def test_gradcheck_passes_integer_inputs_as_constants() -> None:
    index = np.array([2, 0, 2])
    x = rng.standard_normal(3)
    assert gradcheck(lambda v, i: v[i] * 2.0, x, index)


def test_gradcheck_errors() -> None:
    with pytest.raises(ValueError, match="no floating-point input"):
        gradcheck(lambda i: Value(1.0), np.array([1, 2]))
    with pytest.raises(TypeError, match="must return a Value"):
        gradcheck(lambda v: 3.0, 1.0)


def test_gradcheck_gives_f_values_in_both_passes() -> None:
    """f sees Values for every float input, in the analytic and the finite-difference pass
    alike, so it may call Value methods on any of them."""
    seen: set[type] = set()

    def f(a: Any, b: Any) -> Any:
        seen.update({type(a), type(b)})
        return a.maximum(b).sum()

    assert gradcheck(f, np.array([0.25, 2.0]), np.array([1.0, 1.0]))
    assert seen == {Value}


# ------------------------------------------------------------------------ manual_seed
def test_manual_seed_makes_the_generator_reproducible() -> None:
    ag.manual_seed(123)
    first = ag.generator().standard_normal(5)
    first_perm = ag.generator().permutation(10)
    ag.manual_seed(123)
    np.testing.assert_array_equal(ag.generator().standard_normal(5), first)
    np.testing.assert_array_equal(ag.generator().permutation(10), first_perm)
    ag.manual_seed(124)
    assert not np.array_equal(ag.generator().standard_normal(5), first)


def test_manual_seed_keeps_the_same_generator_object() -> None:
    """Code that kept a reference to the generator sees the new seed."""
    kept = ag.generator()
    returned = ag.manual_seed(7)
    assert returned is kept and ag.generator() is kept
    a = kept.random(3)
    ag.manual_seed(7)
    np.testing.assert_array_equal(kept.random(3), a)


@pytest.mark.parametrize("seed", [1.5, "3", True, None])
def test_manual_seed_rejects_non_integers(seed: Any) -> None:
    with pytest.raises(TypeError, match="int"):
        ag.manual_seed(seed)


def test_manual_seed_accepts_numpy_integers() -> None:
    ag.manual_seed(np.int64(9))
    a = ag.generator().random()
    ag.manual_seed(9)
    assert ag.generator().random() == a
