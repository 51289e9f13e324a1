"""nn.Module: discovery of parameters, buffers, modes, calling, repr and state dicts."""

import numpy as np
import pytest

import autograd
import nn
from autograd import Value
from autograd.scope import SCOPE


class Leaf(nn.Module):
    def __init__(self, n=3):
        super().__init__()
        self.w = Value(np.arange(n, dtype=np.float64), label="w")
        self.const = Value(np.ones(n), requires_grad=False)  # not a parameter
        self.scale = 2.0  # a plain attribute

    def forward(self, x):
        return x * self.w * self.scale


class Tree(nn.Module):
    def __init__(self):
        super().__init__()
        self.first = Leaf()
        self.items = [Leaf(2), Value(1.0, label="s")]
        self.pair = (Leaf(1),)
        self.named = {"left": Leaf(4), "right": Value(np.zeros((2, 2)))}
        self._private = Leaf(5)  # underscore: not searched
        self.last = Value(np.zeros(2, np.float32))

    def forward(self, x):
        return self.first(x)


EXPECTED_NAMES = [
    "first.w", "items.0.w", "items.1", "pair.0.w", "named.left.w", "named.right", "last",
]  # fmt: skip


def test_named_parameters_walk_attributes_lists_tuples_dicts_in_order():
    tree = Tree()
    names = [name for name, _ in tree.named_parameters()]
    assert names == EXPECTED_NAMES
    assert tree.parameters()[0] is tree.first.w
    assert tree.parameters()[2] is tree.items[1]
    assert isinstance(tree.parameters(), list)
    assert tree.num_parameters() == 3 + 2 + 1 + 1 + 4 + 4 + 2


def test_parameters_skip_constants_and_private_attributes():
    tree = Tree()
    ids = {id(p) for p in tree.parameters()}
    assert id(tree.first.const) not in ids
    assert id(tree._private.w) not in ids


def test_shared_parameter_listed_once_under_its_first_name():
    a = Leaf()
    b = Leaf()
    b.w = a.w

    class Two(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = a, b

    names = [name for name, _ in Two().named_parameters()]
    assert names == ["a.w"]


def test_modules_children_and_cycles():
    tree = Tree()
    names = [name for name, _ in tree.named_modules()]
    assert names == ["", "first", "items.0", "pair.0", "named.left"]
    assert [name for name, _ in tree.named_children()] == names[1:]
    tree.first.parent = tree  # a reference back up must not loop forever
    assert [name for name, _ in tree.named_parameters()] == EXPECTED_NAMES


def test_subclass_without_super_init_still_works():
    class Bare(nn.Module):
        def __init__(self):
            self.w = Value(np.ones(2))

        def forward(self, x):
            return x * self.w

    bare = Bare()
    assert bare.training is True
    assert [n for n, _ in bare.named_parameters()] == ["w"]
    bare.eval()
    assert bare.training is False
    assert bare.state_dict()["w"].shape == (2,)


def test_buffers_in_state_dict_not_in_parameters():
    class Stats(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = Value(np.ones(3))
            self.register_buffer("running_mean", np.zeros(3))

    class Outer(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = Stats()

    outer = Outer()
    assert [n for n, _ in outer.named_parameters()] == ["inner.w"]
    assert [n for n, _ in outer.named_buffers()] == ["inner.running_mean"]
    sd = outer.state_dict()
    assert list(sd) == ["inner.w", "inner.running_mean"]
    buffer = outer.inner.running_mean
    sd["inner.running_mean"] = np.array([1.0, 2.0, 3.0])
    outer.load_state_dict(sd)
    assert outer.inner.running_mean is buffer  # written in place
    np.testing.assert_array_equal(buffer, [1.0, 2.0, 3.0])
    # rebinding the attribute is seen too
    outer.inner.running_mean = np.full(3, 7.0)
    np.testing.assert_array_equal(outer.state_dict()["inner.running_mean"], [7.0, 7.0, 7.0])
    with pytest.raises(ValueError, match="valid public attribute"):
        outer.inner.register_buffer("_hidden", np.zeros(1))


def test_zero_grad():
    tree = Tree()
    for p in tree.parameters():
        p.grad = np.ones_like(p.data) if isinstance(p.data, np.ndarray) else 1.0
    tree.zero_grad(set_to_none=False)
    assert all(np.all(np.asarray(p.grad) == 0) for p in tree.parameters())
    tree.zero_grad()
    assert all(p.grad is None for p in tree.parameters())


def test_train_eval_recursive():
    tree = Tree()
    assert tree.training and tree.named["left"].training
    assert tree.eval() is tree
    assert not any(m.training for m in tree.modules())
    tree.train()
    assert all(m.training for m in tree.modules())


def test_call_runs_forward_and_tags_nodes_with_the_module():
    leaf = Leaf()
    x = Value(np.ones(3))
    out = leaf(x)
    np.testing.assert_array_equal(out.data, np.arange(3) * 2.0)
    assert out._scope is leaf and out.parents[0]._scope is leaf
    assert SCOPE.current is None

    class Boom(nn.Module):
        def forward(self, x):
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        Boom()(1.0)
    assert SCOPE.current is None  # restored after an error


def test_nested_modules_tag_nodes_with_innermost_module():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    out = model(np.ones((1, 2), np.float32))
    assert out._scope is model[1]
    assert out.parents[0]._scope is model[0]


def test_forward_not_defined():
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(1)


def test_repr_is_a_tree():
    model = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.Tanh(), nn.LeakyReLU(0.2)))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(nin=2, nout=3, bias=True)\n"
        "  (1): Sequential(\n"
        "    (0): Tanh()\n"
        "    (1): LeakyReLU(negative_slope=0.2)\n"
        "  )\n"
        ")"
    )


def test_state_dict_copies_and_scalar_parameters():
    tree = Tree()
    sd = tree.state_dict()
    assert list(sd) == EXPECTED_NAMES
    assert sd["items.1"].shape == () and sd["items.1"].dtype == np.float64
    assert sd["last"].dtype == np.float32
    tree.first.w.data += 5  # training continues: the snapshot does not move
    np.testing.assert_array_equal(sd["first.w"], [0.0, 1.0, 2.0])


def test_load_state_dict_round_trip_in_place():
    autograd.manual_seed(0)
    a, b = nn.MLP(3, [4, 2]), nn.MLP(3, [4, 2])
    weight = b[0].weight.data
    b.load_state_dict(a.state_dict())
    assert b[0].weight.data is weight  # same array: optimizers keep their references
    for (_, p), (_, q) in zip(a.named_parameters(), b.named_parameters(), strict=True):
        np.testing.assert_array_equal(p.data, q.data)


def test_load_state_dict_rebinds_scalar_parameters():
    tree = Tree()
    sd = tree.state_dict()
    sd["items.1"] = np.array(3.5)
    tree.load_state_dict(sd)
    assert type(tree.items[1].data) is float and tree.items[1].data == 3.5


def test_optimizer_keeps_working_after_load():
    optim = pytest.importorskip("optim")
    autograd.manual_seed(1)
    model, other = nn.Linear(2, 1, dtype=np.float64), nn.Linear(2, 1, dtype=np.float64)
    opt = optim.SGD(model.parameters(), lr=0.1)
    model.load_state_dict(other.state_dict())
    loss = model(np.ones((1, 2))).sum()
    loss.backward()
    opt.step()  # the optimizer's arrays are the module's arrays
    np.testing.assert_allclose(model.weight.data, other.weight.data - 0.1)


def test_strict_load_lists_every_problem_and_changes_nothing():
    tree = Tree()
    before = {k: v.copy() for k, v in tree.state_dict().items()}
    sd = tree.state_dict()
    del sd["first.w"]  # missing
    sd["extra.weight"] = np.zeros(1)  # unexpected
    sd["named.right"] = np.zeros((3, 2))  # shape
    sd["last"] = np.zeros(2, np.float64)  # dtype (module has float32)
    sd["items.0.w"] = np.full(2, 9.0)  # fine, but must not be written
    with pytest.raises(ValueError) as info:
        tree.load_state_dict(sd)
    message = str(info.value)
    for part in (
        "missing: first.w",
        "unexpected: extra.weight",
        "named.right: shape (3, 2)",
        "last: dtype float64",
        "nothing was loaded",
    ):
        assert part in message
    for key, value in tree.state_dict().items():
        np.testing.assert_array_equal(value, before[key])


def test_non_strict_load_ignores_missing_and_unexpected_but_not_shapes():
    tree = Tree()
    tree.load_state_dict({"first.w": np.full(3, 4.0), "bogus": np.zeros(1)}, strict=False)
    np.testing.assert_array_equal(tree.first.w.data, [4.0, 4.0, 4.0])
    with pytest.raises(ValueError, match="shape"):
        tree.load_state_dict({"first.w": np.zeros(4)}, strict=False)


def test_load_state_dict_rejects_non_mapping():
    with pytest.raises(TypeError, match="mapping"):
        Leaf().load_state_dict([np.zeros(3)])
