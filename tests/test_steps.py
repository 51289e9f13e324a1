"""backward_steps: one Step per node in backward's order, the numbers of the chain rule, and
exactly the gradients backward() leaves (on random graphs of scalars and of tensors)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from autograd import Step, Value, backward_order, backward_steps, draw_graph
from autograd.draw import format_number, graph_nodes
from tests.graphs import expression


def test_explain_writes_the_chain_rule_with_numbers() -> None:
    L, v = expression()
    steps = {step.node: step for step in backward_steps(L)}
    lines = steps[v["e"]].explain().splitlines()
    assert lines[0] == "e = a * b    dL/de = -2.0"
    assert lines[1] == "dL/da += dL/de · de/da = -2.0 · -3.0 = 6.0    (de/da = b)"
    assert lines[2] == "dL/db += dL/de · de/db = -2.0 · 2.0 = -4.0    (de/db = a)"
    assert "leaf" in steps[v["a"]].explain() and "6.0" in steps[v["a"]].explain()


def test_at_the_output_the_local_derivative_is_written_as_the_op_not_as_the_gradient() -> None:
    L, v = expression()
    text = next(backward_steps(L)).explain()
    assert "dL/dd += dL/dL · d(d * f)/dd = 1.0 · -2.0 = -2.0    (d(d * f)/dd = f)" in text
    assert "dL/dL · dL/dd" not in text  # the old reading: a local derivative dressed as dL/dd
    v3 = Value(0.5)
    out = (v3 * 1.0).tanh()  # unlabelled output: called L, in explain() and in the drawing
    (step,) = [s for s in backward_steps(out) if s.node is out]
    (line,) = [t for t in step.explain().splitlines() if t.startswith("dL/dv2 +=")]
    local = 1 - math.tanh(0.5) ** 2
    assert line == (
        f"dL/dv2 += dL/dL · d tanh(v2)/dv2 = 1.0 · {format_number(local)} = "
        f"{format_number(local)}    (d tanh(v2)/dv2 = 1 - tanh²(v2))"
    )


def test_one_step_per_node_in_backward_order() -> None:
    L, v = expression()
    steps = list(backward_steps(L))
    assert [s.node for s in steps] == backward_order(L)
    assert [s.index for s in steps] == list(range(len(steps)))
    assert all(isinstance(s, Step) for s in steps)
    by_node = {s.node: s for s in steps}
    assert by_node[v["e"]].op == "*" and by_node[v["d"]].op == "+" and by_node[v["a"]].op == ""
    assert by_node[v["a"]].parents == ()
    assert [p.parent for p in by_node[v["e"]].parents] == [v["a"], v["b"]]
    assert by_node[L].upstream == 1.0
    assert by_node[v["e"]].upstream == v["f"].data  # dL/de = f


def test_each_step_keeps_its_moment_and_grad_is_written_at_the_end() -> None:
    L, v = expression()
    steps = backward_steps(L)
    assert all(node.grad is None for node in v.values())  # lazy: nothing before the first step
    first = next(steps)
    assert first.node is L and first.grads[L] == 1.0
    assert first.grads[v["d"]] == -2.0 and first.grads[v["f"]] == 4.0 and v["a"] not in first.grads
    assert L.grad is None and v["d"].grad is None  # .grad waits for the end of the pass
    rest = list(steps)
    for step in rest:
        for _parent, local, contribution in step.parents:
            assert contribution == pytest.approx(step.upstream * local)
    assert first.grads[v["d"]] == -2.0  # an early step still shows its own moment
    final = rest[-1].grads
    L2, v2 = expression()
    L2.backward()
    for name, node in v.items():
        assert node.grad == pytest.approx(v2[name].grad)
        assert final[node] == pytest.approx(v2[name].grad)


def test_running_the_steps_twice_adds_the_gradients_twice_like_backward() -> None:
    L, v = expression()
    list(backward_steps(L))
    list(backward_steps(L))
    L2, v2 = expression()
    L2.backward()
    L2.backward()
    assert all(v[n].grad == pytest.approx(v2[n].grad) for n in v)


UNARY: list[tuple[str, Callable[[float], float]]] = [
    ("tanh", lambda x: 1 - math.tanh(x) ** 2),
    ("exp", math.exp),
    ("sigmoid", lambda x: (1 / (1 + math.exp(-x))) * (1 - 1 / (1 + math.exp(-x)))),
    ("log", lambda x: 1 / x),
]


@pytest.mark.parametrize(("name", "derivative"), UNARY)
def test_local_derivative_of_scalar_ops(name: str, derivative: Callable[[float], float]) -> None:
    x = Value(0.7, "x")
    y = getattr(x, name)()
    z = y * 3.0
    (step,) = [s for s in backward_steps(z) if s.node is y]
    (parent,) = step.parents
    assert parent.local == pytest.approx(derivative(0.7), rel=1e-12)
    assert parent.contribution == pytest.approx(step.upstream * parent.local, rel=1e-12)
    assert step.upstream == 3.0


def test_local_derivative_is_contribution_over_upstream_and_arrays_for_tensor_parents() -> None:
    a, b = Value(1.3, "a"), Value(-0.4, "b")
    out = ((a * b).tanh() + a / b) ** 2.0
    for step in backward_steps(out):
        for _, local, contribution in step.parents:
            assert local == pytest.approx(contribution / step.upstream, rel=1e-12)
    w = Value(np.array([1.0, 2.0, 3.0]), "w")
    s = (w * w).sum()
    step = next(backward_steps(s))
    (parent,) = step.parents
    assert parent.local.shape == (3,) and np.array_equal(parent.local, np.ones(3))
    h = w * 2.0
    (wide,) = [st for st in backward_steps(h.sum()) if st.node is h]
    assert wide.parents[0].local is None  # a 3-element node: no Jacobian is built


def test_tensor_explain_gives_shapes_and_norms() -> None:
    rng = np.random.default_rng(0)
    W = Value(rng.standard_normal((3, 4)), "W")
    x = rng.standard_normal((5, 3))
    h = x @ W
    h.label = "h"
    loss = h.relu().sum()
    loss.label = "loss"
    (step,) = [s for s in backward_steps(loss) if s.node is h]
    text = step.explain()
    line = [t for t in text.splitlines() if t.startswith("dloss/dW")][0]
    assert line.startswith("dloss/dW += dloss/dh · dh/dW")
    assert "(5, 4)" in line and "(3, 4)" in line
    assert format_number(np.linalg.norm(W.grad)) in line
    assert format_number(np.linalg.norm(step.upstream)) in line
    assert "h = const(5, 3) @ W" in text


def test_repr_is_short_and_names_are_stable() -> None:
    L, v = expression()
    steps = list(backward_steps(L))
    assert repr(steps[0]) == "Step(L = d * f, dL/dL=1.0)"
    unnamed = Value(1.0) * Value(2.0)
    first = next(backward_steps(unnamed))
    assert repr(first) == "Step(L = v0 * v1, dL/dL=1.0)"
    assert all(len(repr(s)) < 80 for s in steps)


def test_non_scalar_root_needs_grad_and_constant_root_is_refused() -> None:
    w = Value(np.arange(3.0), "w")
    y = w * w
    with pytest.raises(RuntimeError, match="upstream gradient"):
        list(backward_steps(y))
    seed = np.array([1.0, -1.0, 0.5])
    list(backward_steps(y, seed))
    expected = Value(np.arange(3.0))
    (expected * expected).backward(seed)
    assert np.array_equal(w.grad, expected.grad)
    with pytest.raises(RuntimeError, match="does not require a gradient"):
        next(backward_steps(Value(1.0, requires_grad=False) * 2.0))


def test_a_step_can_be_highlighted_in_a_drawing() -> None:
    L, v = expression()
    for step in backward_steps(L):
        source = draw_graph(L, highlight=step).source
        assert source.count('BORDER="3"') == 1


# --------------------------------------------------------------------------- random graphs
def random_graph(seed: int, tensors: bool) -> Value:
    """A random expression over a few leaves: shared subexpressions, constants, broadcasting."""
    rng = np.random.default_rng(seed)

    def leaf(i: int) -> Value:
        if not tensors:
            return Value(float(rng.uniform(-1.5, 1.5)), f"x{i}")
        shape = [(3, 4), (4,), (1, 4), (3, 1)][rng.integers(4)]
        return Value(rng.uniform(-1.5, 1.5, size=shape), f"x{i}")

    pool = [leaf(i) for i in range(int(rng.integers(2, 5)))]
    for _ in range(int(rng.integers(4, 14))):
        kind = rng.integers(9)
        a = pool[rng.integers(len(pool))]
        b = pool[rng.integers(len(pool))]  # may be a again: a*a, a+a
        if kind == 0:
            out = a + b
        elif kind == 1:
            out = a * b
        elif kind == 2:
            out = a - b * 0.5
        elif kind == 3:
            out = a.tanh()
        elif kind == 4:
            out = (a * 0.3).exp()
        elif kind == 5:
            out = a.sigmoid() * b
        elif kind == 6:
            out = a / (b * b + 1.0)
        elif kind == 7:
            out = a.relu() + 2.0
        else:
            out = a.maximum(b) if tensors else a.abs()
        pool.append(out)
    root = pool[-1]
    for node in pool[-4:-1]:  # join a few branches so intermediates are reused
        root = root + node
    return root.sum() if tensors else root


@pytest.mark.parametrize("tensors", [False, True], ids=["scalars", "tensors"])
@pytest.mark.parametrize("seed", range(25))
def test_exhausting_the_steps_leaves_exactly_the_gradients_backward_leaves(
    seed: int, tensors: bool
) -> None:
    by_steps, by_backward = random_graph(seed, tensors), random_graph(seed, tensors)
    steps_nodes, backward_nodes = graph_nodes(by_steps), graph_nodes(by_backward)
    assert len(steps_nodes) == len(backward_nodes)
    for passes in (1, 2):  # the second pass adds to what the first left
        count = sum(1 for _ in backward_steps(by_steps))
        by_backward.backward()
        assert count == len(backward_order(by_steps))
        for mine, theirs in zip(steps_nodes, backward_nodes, strict=True):
            if theirs.grad is None:
                assert mine.grad is None
            else:
                assert type(mine.grad) is type(theirs.grad), passes
                assert np.array_equal(mine.grad, theirs.grad), (passes, mine, theirs)
                assert np.shape(mine.grad) == mine.shape
                if isinstance(theirs.grad, np.ndarray):  # a grad is an array one may write to
                    assert mine.grad.flags.writeable == theirs.grad.flags.writeable
