"""Never a silently wrong gradient: in-place changes are caught, gradients do not alias, grad
mode is per thread, anomalies are named, and the engine's own table refuses malformed ops.

Each test here failed (or returned a wrong number) before the change it guards.
"""

from __future__ import annotations

import random
import threading

import numpy as np
import pytest

import autograd as ag
import nn
import optim
from autograd import Value
from autograd.ops.primitive import OpDefinitionError, Primitive, not_differentiable

# ---------------------------------------------------------------- in-place changes are caught


def _weight_and_loss() -> tuple[Value, Value]:
    w = Value(np.array([1.0, 2.0, 3.0]), label="w")
    loss = (w * w).sum()
    return w, loss


def test_changing_data_in_place_after_the_forward_raises_naming_the_node() -> None:
    w, loss = _weight_and_loss()
    w.data *= 2
    with pytest.raises(RuntimeError, match=r"'w'.*changed in place.*'\*'.*backward\(\) before"):
        loss.backward()


def test_assigning_new_data_after_the_forward_raises_too() -> None:
    w, loss = _weight_and_loss()
    w.data = np.zeros(3)
    with pytest.raises(RuntimeError, match="changed in place"):
        loss.backward()


def test_changes_before_the_forward_are_fine() -> None:
    w = Value(np.array([1.0, 2.0]))
    w.data *= 3
    (w * w).sum().backward()
    np.testing.assert_allclose(w.grad, [6.0, 12.0])


def _model_and_loss() -> tuple[nn.Module, Value]:
    ag.manual_seed(0)
    model = nn.Linear(3, 2)
    x = np.ones((4, 3))
    return model, (model(x) ** 2).mean()


def test_an_optimizer_step_between_forward_and_backward_raises() -> None:
    model, loss = _model_and_loss()
    for p in model.parameters():
        p.grad = np.ones_like(p.data)
    optim.SGD(model.parameters(), lr=0.1).step()
    with pytest.raises(RuntimeError, match=r"changed in place.*optimizer\.step"):
        loss.backward()


def test_load_state_dict_between_forward_and_backward_raises() -> None:
    model, loss = _model_and_loss()
    model.load_state_dict({k: v + 1 for k, v in model.state_dict().items()})
    with pytest.raises(RuntimeError, match="changed in place"):
        loss.backward()


def test_init_in_place_between_forward_and_backward_raises() -> None:
    model, loss = _model_and_loss()
    nn.init.xavier_uniform(model.weight)
    with pytest.raises(RuntimeError, match="changed in place"):
        loss.backward()


def test_max_norm_between_forward_and_backward_raises() -> None:
    model, loss = _model_and_loss()
    model.weight.data[...] = 10.0  # (a write through a held array is not seen; max_norm_ is)
    nn.max_norm_([model.weight], 0.5)
    with pytest.raises(RuntimeError, match="changed in place"):
        loss.backward()


def test_a_constant_array_reused_as_a_buffer_does_not_change_the_gradient() -> None:
    buffer = np.array([[1.0, 2.0, 3.0]])
    w = Value(np.array([[1.0], [1.0], [1.0]]))
    loss = (buffer @ w).sum()
    buffer[...] = 0.0  # the caller reuses its buffer before backward
    loss.backward()
    np.testing.assert_allclose(w.grad, [[1.0], [2.0], [3.0]])


def test_value_copies_the_callers_array() -> None:
    array = np.array([1.0, 2.0])
    v = Value(array)
    array[0] = 100.0
    assert v.data[0] == 1.0


def test_the_ordinary_training_loop_never_trips_the_check() -> None:
    ag.manual_seed(0)
    model = nn.MLP(2, [8, 2])
    opt = optim.Adam(model.parameters(), lr=1e-2)
    X, y = nn.data.make_moons(64, noise=0.1, seed=0)
    for _ in range(5):
        opt.zero_grad()
        loss = nn.F.cross_entropy(model(X.astype(np.float32)), y)
        loss.backward()
        opt.step()
        nn.max_norm_(nn.weights_only(model), 3.0)


# ---------------------------------------------------------------- gradients never alias


def _leaf_grads(*values: Value) -> list[np.ndarray]:
    return [v.grad for v in values if isinstance(v.grad, np.ndarray)]


def test_add_gives_each_leaf_its_own_gradient_array() -> None:
    a, b = Value(np.ones(3)), Value(np.ones(3))
    (a + b).backward(np.ones(3))
    assert not np.shares_memory(a.grad, b.grad)
    a.grad *= 5  # clipping one gradient in place
    np.testing.assert_allclose(b.grad, np.ones(3))


def test_the_callers_upstream_gradient_is_not_kept() -> None:
    a = Value(np.ones(3))
    upstream = np.full(3, 2.0)
    a.backward(upstream)
    assert not np.shares_memory(a.grad, upstream)
    a.grad[...] = 0
    np.testing.assert_allclose(upstream, 2.0)


def test_leaf_gradients_share_no_memory_with_intermediates_or_each_other() -> None:
    rng = np.random.default_rng(0)
    x, w = Value(rng.normal(size=(4, 3))), Value(rng.normal(size=(3, 3)))
    h = (x @ w).reshape(12)
    y = h + h.T + x.reshape(12)
    z = y.transpose() + y
    z.backward(np.ones(12))
    arrays = _leaf_grads(x, w) + [n.grad for n in (h, y, z)]
    for i, first in enumerate(_leaf_grads(x, w)):
        for j, other in enumerate(arrays):
            if i != j:
                assert not np.shares_memory(first, other), (i, j)


def test_zero_grad_never_writes_into_an_array_the_caller_holds() -> None:
    model, loss = _model_and_loss()
    loss.backward()
    held = model.weight.grad
    before = held.copy()
    model.zero_grad()
    np.testing.assert_array_equal(held, before)


# ---------------------------------------------------------------- grad mode per thread


def test_no_grad_in_one_thread_leaves_other_threads_recording() -> None:
    entered, done = threading.Event(), threading.Event()
    results: dict[str, bool] = {}

    def quiet() -> None:
        with ag.no_grad():
            entered.set()
            done.wait(5)
            results["quiet"] = (Value(1.0) * 2).requires_grad

    thread = threading.Thread(target=quiet)
    thread.start()
    entered.wait(5)
    results["main"] = (Value(1.0) * 2).requires_grad
    done.set()
    thread.join()
    assert results == {"main": True, "quiet": False}


def test_interleaved_no_grad_in_two_threads_leaves_recording_on() -> None:
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        with ag.no_grad():
            a_in.set()
            b_in.wait(5)
        a_out.set()

    def second() -> None:
        a_in.wait(5)
        with ag.no_grad():
            b_in.set()
            a_out.wait(5)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert ag.is_grad_enabled()
    assert (Value(1.0) * 2).requires_grad


# ---------------------------------------------------------------- detect_anomaly


def test_detect_anomaly_names_the_op_the_label_and_the_line_of_the_forward() -> None:
    x = Value(np.array([1.0, -1.0]), label="x")
    with ag.detect_anomaly(), pytest.raises(FloatingPointError) as info:
        ag.log(x)
    message = str(info.value)
    assert "'log'" in message and "(2,)" in message and "test_trust.py" in message
    assert info.value.node.op == "log"


def test_detect_anomaly_catches_a_non_finite_gradient_in_the_backward() -> None:
    x = Value(np.array([0.0, 4.0]), label="x")
    with ag.detect_anomaly():
        y = x.sqrt()
        y.label = "root of x"
        loss = y.sum()
        with pytest.raises(FloatingPointError, match=r"backward pass.*'sqrt'.*'root of x'") as info:
            loss.backward()
    assert "test_trust.py" in str(info.value)
    ag.draw_graph(loss, highlight=info.value.node)  # the node can be marked in a drawing


def test_outside_detect_anomaly_nothing_is_checked() -> None:
    with np.errstate(all="ignore"):
        y = ag.log(Value(np.array([-1.0])))
    assert np.isnan(y.data).all()


# ---------------------------------------------------------------- the op table is strict


def test_a_misspelled_vjp_is_refused_when_the_op_is_defined() -> None:
    with pytest.raises(OpDefinitionError, match=r"vjp_y matches no input.*vjp_x"):

        class Twice(Primitive):  # noqa: F841
            def forward(x):
                return 2 * x

            def vjp_y(g, out, x):
                return 2 * g


def test_an_input_without_a_vjp_or_mark_is_refused() -> None:
    with pytest.raises(OpDefinitionError, match=r"'mask' has no gradient rule.*not_differentiable"):

        class Masked(Primitive):  # noqa: F841
            def forward(x, mask):
                return x * mask

            def vjp_x(g, out, x, mask):
                return g * mask


def test_a_not_differentiable_input_explains_itself_if_backward_needs_it() -> None:
    class Scaled(Primitive):
        def forward(x, factor):
            return x * factor

        def vjp_x(g, out, x, factor):
            return g * factor

        vjp_factor = not_differentiable

    x, factor = Value(np.ones(2)), Value(np.full(2, 3.0))
    ag.apply(Scaled, x, 3.0).sum().backward()
    np.testing.assert_allclose(x.grad, [3.0, 3.0])
    with pytest.raises(TypeError, match="Scaled has no gradient for its input 'factor'"):
        ag.apply(Scaled, x, factor).sum().backward()


def _random_graph(rng: random.Random) -> tuple[Value, list[Value]]:
    leaves = [Value(rng.uniform(-1, 1), label=f"x{i}") for i in range(3)]
    nodes = list(leaves)
    for _ in range(12):
        a, b = rng.choice(nodes), rng.choice(nodes)
        op = rng.choice(["+", "*", "-", "tanh", "exp"])
        if op == "+":
            nodes.append(a + b)
        elif op == "*":
            nodes.append(a * b)
        elif op == "-":
            nodes.append(a - b)
        elif op == "tanh":
            nodes.append(a.tanh())
        else:
            nodes.append((a * 0.3).exp())
    return sum(nodes[-4:], Value(0.0)), leaves


@pytest.mark.parametrize("seed", range(10))
def test_backward_steps_and_backward_leave_identical_gradients(seed: int) -> None:
    root, leaves = _random_graph(random.Random(seed))
    list(ag.backward_steps(root))
    stepped = [leaf.grad for leaf in leaves]
    root2, leaves2 = _random_graph(random.Random(seed))
    root2.backward()
    assert stepped == [leaf.grad for leaf in leaves2]  # the same loop: bit for bit


# ---------------------------------------------------------------- small fixes


def test_function_forms_with_a_constant_first_keep_float32() -> None:
    x32 = Value(np.ones(3, np.float32))
    m32 = Value(np.ones((3, 2), np.float32))
    for f in (ag.add, ag.sub, ag.mul, ag.div, ag.pow, ag.maximum, ag.minimum):
        assert f(np.full(3, 2.0), x32).dtype == np.float32, f.__name__
    assert ag.matmul(np.ones((2, 3)), m32).dtype == np.float32
    assert ag.linear(x32, np.ones((2, 3))).dtype == np.float32


def test_where_takes_an_array_condition_with_scalar_branches() -> None:
    a = Value(2.0)
    out = ag.where(np.array([True, False, True]), a, 0.0)
    out.sum().backward()
    np.testing.assert_allclose(out.data, [2.0, 0.0, 2.0])
    assert a.grad == 2.0


def test_where_refuses_a_float_condition() -> None:
    with pytest.raises(TypeError, match="condition must be booleans"):
        ag.where(np.array([0.2, 0.0]), Value(1.0), 0.0)


def test_stack_of_mismatched_shapes_names_them() -> None:
    with pytest.raises(ValueError, match=r"\(2,\), \(3,\)"):
        ag.stack([Value(np.ones(2)), Value(np.ones(3))])


def test_grad_with_an_argnum_beyond_the_arguments_says_so() -> None:
    with pytest.raises(IndexError, match="argnums=3.*1 positional"):
        ag.grad(lambda x: x * 2, argnums=3)(1.0)


def test_an_integer_tensor_times_a_float_constant_is_not_truncated() -> None:
    v = Value(np.arange(3), requires_grad=False) * np.float64(0.5)
    np.testing.assert_allclose(v.data, [0.0, 0.5, 1.0])
