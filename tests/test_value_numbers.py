"""A Value behaves like a number where a learner expects one: it prints its numbers, converts
with float/int/round/format, and numpy's functions point to the Value's own ops."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import Value


def test_a_0d_tensor_prints_its_number() -> None:
    loss = Value(np.array([[1.0, 2.0]], np.float32)).mean()
    assert "1.5" in repr(loss) and "float32" in repr(loss)
    assert "1.5" in str(loss)


def test_a_small_tensor_prints_its_numbers_and_a_big_one_its_shape() -> None:
    small = Value(np.array([0.25, -1.5], np.float32))
    assert "0.25" in repr(small) and "-1.5" in repr(small)
    big = Value(np.zeros((30, 30), np.float32))
    assert "(30, 30)" in repr(big) and "0." not in repr(big)


def test_a_value_made_from_a_numpy_scalar_prints_its_number_and_is_a_python_float() -> None:
    v = Value(np.float32(0.5))
    assert type(v.data) is float and "0.5" in repr(v)


def test_one_element_values_convert_like_numbers() -> None:
    loss = Value(np.array(2.30258, np.float32))
    assert float(loss) == pytest.approx(2.30258)
    assert int(Value(3.7)) == 3
    assert f"{loss:.3f}" == "2.303"
    assert round(loss, 2) == pytest.approx(2.3)
    assert f"{Value(np.ones(3))}".startswith("Value(")


def test_conversions_of_many_elements_say_what_to_do() -> None:
    v = Value(np.ones(3))
    with pytest.raises(ValueError, match="one element"):
        float(v)
    with pytest.raises(TypeError, match=r"format.*one element"):
        f"{v:.2f}"


def test_numpy_functions_point_to_the_values_own_op() -> None:
    with pytest.raises(TypeError, match=r"value\.exp\(\) or autograd\.exp\(value\)"):
        np.exp(Value(1.0))


def test_numpy_operators_with_a_value_record_the_op() -> None:
    w = Value(np.ones(3))
    out = np.full(3, 2.0) * w + np.ones(3)
    assert isinstance(out, Value)
    out.sum().backward()
    np.testing.assert_allclose(w.grad, 2.0)
    assert (np.zeros(3) < w).all()


def test_micrograds_demo_over_float32_rows_runs_on_python_floats() -> None:
    row = np.array([0.5, -0.25], np.float32)
    inputs = list(map(Value, row))
    assert all(type(v.data) is float for v in inputs)
    out = (inputs[0] * inputs[1]).tanh()
    out.backward()
    assert inputs[0].grad == pytest.approx(-0.25 * (1 - np.tanh(-0.125) ** 2))


def test_function_forms_accept_plain_numbers() -> None:
    assert ag.exp(0.0).data == 1.0
