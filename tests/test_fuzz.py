"""A fuzzer in the suite: random programs over the contract's ops, checked against a reference.

Hypothesis draws a *program*: one to three leaves (random shapes, float32 or float64), then a
chain of steps, each applying one op template to nodes already made — so intermediates are
reused, sometimes twice by the same op (``x * x``, ``x @ x.T``, ``stack([x, x])``). The
templates cover broadcasting binary ops (operator, method and function forms, with Values,
numpy constants and Python numbers on either side), elementwise functions, reductions with
``axis``/``keepdims``, the softmax family, reshapes and transposes, basic and integer-array
indexing (repeated indices, boolean masks), ``matmul``/``linear``, ``where``,
``maximum``/``minimum`` and ``concatenate``/``stack``. The program is built with glassgrad,
then replayed step by step in PyTorch (float64) — or, without PyTorch, its gradients are
checked by central finite differences — and every run checks:

- values of every node, first-order gradients of every leaf (through ``backward()``,
  ``backward(grad)`` from a non-scalar root, a repeated ``backward()`` that must add the same
  again, and ``autograd.grad``), and Hessian-vector products (second order, through
  ``backward(create_graph=True)``); steps cut off by ``detach()`` or ``no_grad()`` included;
- dtypes: a float32 program keeps float32 in every value and every gradient, and in a float64
  program a float32 leaf still gets a float32 gradient;
- no aliasing: no two leaves' ``.grad`` share memory, and no ``.grad`` shares memory with an
  array the caller holds (leaf data, constants, intermediate values, the upstream gradient);
  every gradient array is writeable.

``make test`` runs a few dozen programs per test; ``make fuzz`` sets
``GLASSGRAD_FUZZ_EXAMPLES`` (programs per test) to run thousands. Every bug found becomes a
named regression test at the end of this file.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import autograd as ag
from autograd import Value

try:  # the independent reference; finite differences stand in when it is missing
    import torch
except ImportError:  # pragma: no cover - depends on the environment
    torch = None

EXAMPLES = int(os.environ.get("GLASSGRAD_FUZZ_EXAMPLES", "30"))
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
MAX_STEPS = 8
# Statistics of this run (printed at the end of the module with ``pytest -s``).
STATS = {"programs": 0, "steps": 0, "rejected": 0}


# --------------------------------------------------------------------------- programs
@dataclass
class Step:
    """One op applied to earlier nodes (``args`` are node numbers) with fixed ``params``."""

    op: str
    args: tuple[int, ...]
    params: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        shown = {k: (v.shape if isinstance(v, np.ndarray) and v.size > 6 else v)
                 for k, v in self.params.items()}  # fmt: skip
        return f"{self.op}{self.args}{shown or ''}"


@dataclass
class Program:
    """Leaves (as arrays) and steps; node i < len(leaves) is leaf i, then one node per step."""

    dtype: Any
    leaves: list[np.ndarray]
    steps: list[Step]
    outputs: list[tuple[int, np.ndarray]]  # loss = Σ (node * weight).sum() over these
    mixed: bool = False  # some leaves float32 in a float64 program (float32 accuracy then)

    def __repr__(self) -> str:
        shapes = [leaf.shape for leaf in self.leaves]
        return f"Program({np.dtype(self.dtype).name}, leaves={shapes}, steps={self.steps})"


def _const(x: Any, torch_dtype: Any) -> Any:
    """A numpy constant or number as the reference engine sees it."""
    if isinstance(x, np.ndarray):
        if x.dtype.kind in "biu":
            return torch.as_tensor(x)
        return torch.as_tensor(x, dtype=torch_dtype)
    return x


# Each template: glassgrad version ag(p, *xs), PyTorch version pt(p, *xs) (p: the step's params;
# constants in p are numpy arrays or numbers, and pt gets them converted by _const).
def _shaped_operands(name: str, p: dict, a: Any, b: Any, convert: Callable = lambda c: c) -> tuple:
    """The operands of a binary step: nodes, or the step's constant on one side. A node used
    as a divisor becomes |b| + ½ and one used as a base |a| + ½ (kept away from 0), and a node
    used as an exponent tanh(b) — the same in both engines."""
    const = p.get("const")
    if const == "first":
        a, b = convert(p["c"]), a
    elif const == "second":
        b = convert(p["c"])
    if name == "div" and const != "second":
        b = b.abs() + 0.5
    if name == "pow":
        a = a.abs() + 0.5 if const != "first" else a
        b = b.tanh() if const != "second" else b
    return a, b


def _ag_binary(name: str) -> Callable[..., Any]:
    def run(p: dict, a: Any, b: Any) -> Any:
        a, b = _shaped_operands(name, p, a, b)
        form = p["form"]
        if form == "function":
            return getattr(ag, name)(a, b)
        if form == "method" and isinstance(a, Value) and name in ("maximum", "minimum"):
            return getattr(a, name)(b)
        if name in ("maximum", "minimum"):
            return getattr(ag, name)(a, b)
        return OPERATORS[name](a, b)

    return run


# The operator forms, for glassgrad's Values and torch's tensors alike.
OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
}


def _pt_binary(name: str) -> Callable[..., Any]:
    def run(p: dict, a: Any, b: Any, dt: Any) -> Any:
        a, b = _shaped_operands(name, p, a, b, lambda c: _const(c, dt))
        if name in ("maximum", "minimum"):
            a, b = (torch.as_tensor(v, dtype=dt) if not torch.is_tensor(v) else v for v in (a, b))
            return getattr(torch, name)(a, b)
        return OPERATORS[name](a, b)

    return run


def _reduce_ag(p: dict, x: Value) -> Value:
    kind, axis, keepdims = p["kind"], p["axis"], p["keepdims"]
    if kind == "var":
        return x.var(axis=axis, keepdims=keepdims, ddof=p["ddof"])
    if kind == "logsumexp":
        return x.logsumexp(axis=axis, keepdims=keepdims)
    if p["form"] == "function":
        return getattr(ag, kind)(x, axis=axis, keepdims=keepdims)
    return getattr(x, kind)(axis=axis, keepdims=keepdims)


def _reduce_pt(p: dict, x: Any) -> Any:
    kind, axis, keepdims = p["kind"], p["axis"], p["keepdims"]
    dim = tuple(range(x.ndim)) if axis is None else axis
    if x.ndim == 0:
        return x * 1.0 if kind in ("sum", "mean", "max", "min") else None
    fn = {"sum": torch.sum, "mean": torch.mean, "max": torch.amax, "min": torch.amin}
    if kind in fn:
        return fn[kind](x, dim=dim, keepdim=keepdims)
    if kind == "var":
        return torch.var(x, dim=dim, correction=p["ddof"], keepdim=keepdims)
    return torch.logsumexp(x, dim=dim, keepdim=keepdims)


def _index_pt(index: Any) -> Any:
    if isinstance(index, tuple):
        return tuple(_index_pt(i) for i in index)
    if isinstance(index, np.ndarray):
        return torch.as_tensor(index)
    return index


def _cat_ag(p: dict, *xs: Any) -> Value:
    parts = list(xs) + ([p["c"]] if "c" in p else [])
    parts = [parts[i] for i in p["order"]]
    return getattr(ag, p["kind"])(parts, axis=p["axis"])


def _cat_pt(p: dict, *xs: Any) -> Any:
    *xs, dt = xs
    parts = list(xs) + ([_const(p["c"], dt)] if "c" in p else [])
    parts = [parts[i] for i in p["order"]]
    fn = torch.cat if p["kind"] == "concatenate" else torch.stack
    return fn(parts, dim=p["axis"])


def _matmul_ag(p: dict, x: Value, w: Any) -> Value:
    w = p["c"] if "c" in p else w
    if p["side"] == "left":
        return ag.matmul(x, w) if p["form"] == "function" else x @ w
    return w @ x


def _matmul_pt(p: dict, x: Any, w: Any, dt: Any) -> Any:
    w = _const(p["c"], dt) if "c" in p else w
    return torch.matmul(x, w) if p["side"] == "left" else torch.matmul(w, x)


def _where_ag(p: dict, a: Any, b: Any) -> Value:
    b = p["c"] if "c" in p else b
    condition = (a > 0) if p["cond"] == "data" else p["mask"]
    return ag.where(condition, a, b)


def _where_pt(p: dict, a: Any, b: Any, dt: Any) -> Any:
    b = _const(p["c"], dt) if "c" in p else b
    if not torch.is_tensor(b):
        b = torch.as_tensor(b, dtype=dt)
    condition = (a > 0) if p["cond"] == "data" else torch.as_tensor(p["mask"])
    return torch.where(condition, a, b)


def _linear_pt(p: dict, x: Any, w: Any, *rest: Any) -> Any:
    *bias, _ = rest
    return torch.nn.functional.linear(x, w, bias[0] if bias else None)


def _stop_ag(p: dict, x: Value) -> Value:
    """A constant copy of x: ``x.detach()``, or an op run inside ``no_grad()``."""
    if p["form"] == "detach":
        return x.detach()
    with ag.no_grad():
        return x * 1.0


def _ag_elementwise(name: str) -> Callable:
    def run(p: dict, x: Value) -> Value:
        fn = getattr(ag, name) if p["form"] == "function" else getattr(Value, name)
        if name == "log":
            return fn(x.abs() + 0.5)
        if name == "sqrt":
            return fn(x * x + 0.25)
        if name == "leaky_relu":
            return fn(x, p["slope"])
        if name == "clip":
            return fn(x, p["lo"], p["hi"])
        return fn(x)

    return run


def _pt_elementwise(name: str) -> Callable:
    def run(p: dict, x: Any, dt: Any) -> Any:
        if name == "log":
            return torch.log(x.abs() + 0.5)
        if name == "sqrt":
            return torch.sqrt(x * x + 0.25)
        if name == "leaky_relu":
            return torch.nn.functional.leaky_relu(x, p["slope"])
        if name == "clip":
            return torch.clamp(x, p["lo"], p["hi"])
        return getattr(torch, name)(x)

    return run


ELEMENTWISE = ["abs", "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu",
               "leaky_relu", "clip"]  # fmt: skip
BINARY = ["add", "sub", "mul", "div", "pow", "maximum", "minimum"]

# name -> (glassgrad runner, PyTorch runner); PyTorch runners take the dtype last.
OPS: dict[str, tuple[Callable, Callable]] = {
    **{n: (_ag_elementwise(n), _pt_elementwise(n)) for n in ELEMENTWISE},
    **{n: (_ag_binary(n), _pt_binary(n)) for n in BINARY},
    "neg": (lambda p, x: -x if p["form"] == "op" else ag.neg(x), lambda p, x, dt: -x),
    "square": (lambda p, x: x * x, lambda p, x, dt: x * x),  # one node used twice
    "double": (lambda p, x: x + x, lambda p, x, dt: x + x),
    "powc": (
        lambda p, x: (x.abs() + 0.5) ** p["e"] if p["e"] % 1 else x ** p["e"],
        lambda p, x, dt: (x.abs() + 0.5) ** p["e"] if p["e"] % 1 else x ** p["e"],
    ),
    "rpow": (lambda p, x: 2.0**x, lambda p, x, dt: 2.0**x),
    "stop": (_stop_ag, lambda p, x, dt: x.detach()),
    "reduce": (_reduce_ag, lambda p, x, dt: _reduce_pt(p, x)),
    "softmax": (
        lambda p, x: getattr(x, p["kind"])(axis=p["axis"]),
        lambda p, x, dt: getattr(torch, p["kind"])(x, dim=p["axis"]),
    ),
    "reshape": (lambda p, x: x.reshape(p["shape"]), lambda p, x, dt: x.reshape(p["shape"])),
    "transpose": (
        lambda p, x: x.T if p["perm"] is None else x.transpose(*p["perm"]),
        lambda p, x, dt: x.permute(
            tuple(p["perm"]) if p["perm"] is not None else tuple(range(x.ndim - 1, -1, -1))
        ),
    ),
    "swapaxes": (
        lambda p, x: x.swapaxes(*p["axes"]),
        lambda p, x, dt: torch.swapaxes(x, *p["axes"]),
    ),
    "flatten": (
        lambda p, x: x.flatten(p["start"]),
        lambda p, x, dt: torch.flatten(x, start_dim=p["start"]) if x.ndim else x.reshape(1),
    ),
    "broadcast_to": (
        lambda p, x: x.broadcast_to(p["shape"]),
        lambda p, x, dt: torch.broadcast_to(x, p["shape"]),
    ),
    "index": (lambda p, x: x[p["index"]], lambda p, x, dt: x[_index_pt(p["index"])]),
    "matmul": (_matmul_ag, _matmul_pt),
    "linear": (lambda p, x, *wb: ag.linear(x, *wb), _linear_pt),
    "where": (_where_ag, _where_pt),
    "join": (_cat_ag, _cat_pt),
    "leaf": (None, None),  # a new leaf made mid-program (weights for matmul and linear)
}


# --------------------------------------------------------------------------- drawing programs
sides = st.integers(1, 4)
shapes = st.lists(sides, min_size=0, max_size=3).map(tuple)


def _random_array(draw: Any, shape: tuple[int, ...], low: float = -2.0) -> np.ndarray:
    seed = draw(st.integers(0, 2**32 - 1))
    return np.random.default_rng(seed).uniform(low, 2.0, shape)


def _broadcastable_to(draw: Any, shape: tuple[int, ...]) -> tuple[int, ...]:
    """A shape that broadcasts with ``shape``: a suffix of it, with some axes set to 1 (and
    maybe one extra leading axis in front of the whole shape)."""
    keep = draw(st.integers(0, len(shape)))
    suffix = tuple(1 if draw(st.booleans()) else n for n in shape[len(shape) - keep :])
    whole = keep == len(shape)  # a new leading axis only in front of the whole shape
    lead = (draw(st.integers(1, 3)),) if whole and draw(st.integers(0, 4)) == 0 else ()
    return lead + suffix


def _axis(draw: Any, ndim: int) -> Any:
    """None, an int (maybe negative), or a tuple of distinct axes."""
    kind = draw(st.sampled_from(["none", "int", "tuple"])) if ndim else "none"
    if kind == "none":
        return None
    if kind == "int":
        return draw(st.integers(-ndim, ndim - 1))
    axes = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    return tuple(a - ndim if draw(st.booleans()) else a for a in axes)


def _reshape_target(draw: Any, shape: tuple[int, ...]) -> tuple[int, ...]:
    size = int(np.prod(shape))
    options = [(-1,), (size, 1), (1,) + shape, shape + (1,), tuple(n for n in shape if n != 1)]
    if len(shape) >= 2:
        options.append((shape[0] * shape[1],) + shape[2:])
        options.append(shape[:-2] + (-1,))
    return draw(st.sampled_from(options))


def _index(draw: Any, shape: tuple[int, ...]) -> Any:
    """A basic or advanced index valid for ``shape`` (ndim ≥ 1)."""
    n = shape[0]
    integers = st.integers(-n, n - 1)
    kinds = ["int", "slice", "ellipsis", "newaxis", "array", "array2d", "mask"]
    if len(shape) >= 2:
        kinds += ["pair", "column_array", "two_arrays"]
    kind = draw(st.sampled_from(kinds))
    if kind == "int":
        return draw(integers)
    if kind == "slice":
        start = draw(st.integers(0, n - 1))
        stop = draw(st.integers(start + 1, n))
        step = draw(st.integers(1, 2))
        return slice(start, stop, step) if draw(st.booleans()) else slice(-n + start, None, step)
    if kind == "ellipsis":
        return (Ellipsis, draw(st.integers(-shape[-1], shape[-1] - 1)))
    if kind == "newaxis":
        return (slice(None), None) if draw(st.booleans()) else None
    if kind == "array":  # repeated indices: the gradient must add, not overwrite
        return np.array(draw(st.lists(integers, min_size=1, max_size=5)), dtype=np.int64)
    if kind == "array2d":
        return np.array(draw(st.lists(integers, min_size=4, max_size=4)), dtype=np.int64).reshape(
            2, 2
        )
    if kind == "mask":
        bits = draw(st.lists(st.booleans(), min_size=n, max_size=n))
        bits[draw(st.integers(0, n - 1))] = True
        return np.array(bits)
    m = shape[1]
    if kind == "pair":
        return (slice(None), draw(st.integers(-m, m - 1)))
    if kind == "column_array":
        return (slice(None), np.array(draw(st.lists(st.integers(0, m - 1), min_size=1,
                                                     max_size=4)), dtype=np.int64))  # fmt: skip
    rows = draw(st.lists(integers, min_size=1, max_size=4))
    cols = draw(st.lists(st.integers(-m, m - 1), min_size=len(rows), max_size=len(rows)))
    return (np.array(rows), np.array(cols))


class Builder:
    """Draws a program while running it in glassgrad, so every step knows its inputs' shapes."""

    def __init__(self, draw: Any, dtype: Any, pending: set[str]) -> None:
        self.draw, self.dtype, self.pending = draw, dtype, pending
        self.leaves: list[np.ndarray] = []
        self.steps: list[Step] = []
        self.nodes: list[Value] = []
        self.leaf_ids: list[int] = []
        self.mixed = False

    def new_leaf(self, shape: tuple[int, ...], as_step: bool, number: bool = False) -> int:
        """A leaf of ``shape`` in the program's dtype — or, with ``number=True``, a scalar made
        from a Python number (micrograd style; float64 by the contract)."""
        dtype = self.dtype
        if as_step and not number and dtype == np.float64 and self.draw(st.integers(0, 5)) == 0:
            dtype = np.float32  # a float32 weight in a float64 program: its gradient is float32
            self.mixed = True
        data: Any = _random_array(self.draw, shape).astype(dtype)
        if number:
            data = float(data.sum())
        if as_step:
            self.steps.append(Step("leaf", (), {"data": data}))
        else:
            self.leaves.append(data)
        self.nodes.append(Value(data if number else data.copy()))
        self.leaf_ids.append(len(self.nodes) - 1)
        return len(self.nodes) - 1

    def pick(self) -> int:
        """An earlier node, the newest ones most often (long chains), any of them sometimes."""
        n = len(self.nodes)
        if self.draw(st.booleans()):
            return n - 1
        return self.draw(st.integers(0, n - 1))

    def shape(self, i: int) -> tuple[int, ...]:
        return self.nodes[i].shape

    def constant(self, shape: tuple[int, ...]) -> Any:
        """A caller's constant: a Python number or a float64 numpy array (float64 on purpose:
        it must not upcast a float32 program)."""
        if self.draw(st.integers(0, 3)) == 0:
            return self.draw(st.sampled_from([0.5, -1.5, 2.0, 3]))
        return _random_array(self.draw, _broadcastable_to(self.draw, shape))

    def step(self) -> None:
        draw, x = self.draw, self.pick()
        shape = self.shape(x)
        ndim = len(shape)
        choices = ["elementwise", "binary", "binary_const", "neg", "square", "double", "powc",
                   "rpow", "reduce", "reshape", "transpose", "broadcast_to", "where", "join",
                   "matmul", "linear", "stop"]  # fmt: skip
        if ndim:
            choices += ["softmax", "index", "index", "flatten"]
        if ndim >= 2:
            choices.append("swapaxes")
        kind = draw(st.sampled_from(choices))
        args: tuple[int, ...] = (x,)
        form = st.sampled_from(["op", "method", "function"])
        if kind == "elementwise":
            name = draw(st.sampled_from(ELEMENTWISE))
            p: dict[str, Any] = {"form": draw(st.sampled_from(["method", "function"]))}
            if name == "leaky_relu":
                p["slope"] = draw(st.sampled_from([0.01, 0.2]))
            if name == "clip":
                p["lo"], p["hi"] = draw(st.sampled_from([(-0.7, 0.9), (None, 0.9), (-0.7, None)]))
            self.add(name, args, p)
        elif kind == "binary":
            name = draw(st.sampled_from(BINARY))
            partners = [i for i in range(len(self.nodes)) if _broadcasts(shape, self.shape(i))]
            fresh = draw(st.integers(0, 5))
            if fresh == 0:  # a fresh leaf of a broadcastable shape
                partners = [self.new_leaf(_broadcastable_to(draw, shape), as_step=True)]
            elif fresh == 1 and self.dtype == np.float64:  # a Value made from a Python number
                partners = [self.new_leaf((), as_step=True, number=True)]
            y = draw(st.sampled_from(partners))
            first = draw(st.booleans())
            self.add(name, (x, y) if first else (y, x), {"form": draw(form)})
        elif kind == "binary_const":
            name = draw(st.sampled_from(BINARY))
            c = self.constant(shape)
            if name == "pow" and draw(st.booleans()):
                where_const = "second"
            else:
                where_const = draw(st.sampled_from(["first", "second"]))
            f = draw(form)
            if where_const == "first" and f != "function":
                f = "op"  # c + x, c * x, ... through the reflected operators
            if where_const == "first" and self.dtype == np.float32:
                if "function form, constant first" in self.pending:
                    f = "op"  # c + x through the operator (the function form upcasts today)
                    if name in ("maximum", "minimum"):  # which only has the function form
                        where_const = "second"
            if name == "pow" and where_const == "first":
                c = np.abs(c) + 0.5 if isinstance(c, np.ndarray) else abs(c) + 0.5
            if name == "div" and where_const == "second":
                c = np.where(np.abs(c) < 0.5, 0.5, c) if isinstance(c, np.ndarray) else c
            if name == "pow" and where_const == "second":
                c = draw(st.sampled_from([2, 3, 0.5, -1.0]))
            self.add(name, (x, x), {"form": f, "const": where_const, "c": c})
        elif kind in ("neg", "square", "double", "rpow"):
            self.add(kind, args, {"form": draw(st.sampled_from(["op", "function"]))})
        elif kind == "stop":
            self.add(kind, args, {"form": draw(st.sampled_from(["detach", "no_grad"]))})
        elif kind == "powc":
            self.add(kind, args, {"e": draw(st.sampled_from([2, 3, 1.5, -0.5]))})
        elif kind == "reduce":
            names = ["sum", "mean", "max", "min", "var"] + (["logsumexp"] if ndim else [])
            name = draw(st.sampled_from(names))
            axis = draw(st.integers(-ndim, ndim - 1)) if name == "logsumexp" else _axis(draw, ndim)
            if name == "var" and ndim == 0:
                name = "sum"
            p = {"kind": name, "axis": axis, "keepdims": draw(st.booleans()),
                 "form": draw(st.sampled_from(["method", "function"]))}  # fmt: skip
            if name == "var":
                axes = range(ndim) if axis is None else np.atleast_1d(axis)
                count = int(np.prod([shape[a] for a in axes]))
                p["ddof"] = draw(st.sampled_from([0, 1])) if count > 1 else 0
            self.add("reduce", args, p)
        elif kind == "softmax":
            p = {"kind": draw(st.sampled_from(["softmax", "log_softmax"])),
                 "axis": draw(st.integers(-ndim, ndim - 1))}  # fmt: skip
            self.add("softmax", args, p)
        elif kind == "reshape":
            self.add("reshape", args, {"shape": _reshape_target(draw, shape)})
        elif kind == "transpose":
            perm = None if draw(st.booleans()) else tuple(draw(st.permutations(range(ndim))))
            if ndim > 2 and perm is None:
                perm = tuple(range(ndim - 1, -1, -1))
            self.add("transpose", args, {"perm": perm})
        elif kind == "swapaxes":
            a = draw(st.integers(-ndim, ndim - 1))
            self.add("swapaxes", args, {"axes": (a, draw(st.integers(0, ndim - 1)))})
        elif kind == "flatten":
            self.add("flatten", args, {"start": draw(st.integers(0, ndim - 1))})
        elif kind == "broadcast_to":
            target = tuple(3 if n == 1 and draw(st.booleans()) else n for n in shape)
            if draw(st.booleans()) or target == shape:
                target = (2,) + target
            self.add("broadcast_to", args, {"shape": target})
        elif kind == "index":
            self.add("index", args, {"index": _index(draw, shape)})
        elif kind == "where":
            partners = [i for i in range(len(self.nodes)) if _broadcasts(shape, self.shape(i))]
            y = draw(st.sampled_from(partners))
            p: dict[str, Any] = {"cond": draw(st.sampled_from(["data", "mask"]))}
            other = self.shape(y)
            if draw(st.booleans()):
                p["c"] = self.constant(shape) if draw(st.booleans()) else 0.0
                other = np.shape(p["c"])
            elif "where, scalar Value branch" not in self.pending and draw(st.booleans()):
                if self.dtype == np.float64:  # where(mask, x, Value(0.3))
                    y = self.new_leaf((), as_step=True, number=True)
                    other = ()
            if p["cond"] == "mask":  # a mask that broadcasts with both branches
                mask_shape = _broadcastable_to(draw, np.broadcast_shapes(shape, other))
                p["mask"] = np.random.default_rng(draw(st.integers(0, 99))).random(mask_shape) > 0.5
            self.add("where", (x, y), p)
        elif kind == "join":
            self.join(x, shape)
        elif kind == "matmul":
            self.matmul(x, shape)
        elif kind == "linear":
            nin = shape[-1] if ndim else 1
            if ndim == 0:
                x = self.add("reshape", args, {"shape": (1,)})
            nout = draw(sides)
            w = self.new_leaf((nout, nin), as_step=True)
            wb = (w, self.new_leaf((nout,), as_step=True)) if draw(st.booleans()) else (w,)
            self.add("linear", (x, *wb), {})

    def join(self, x: int, shape: tuple[int, ...]) -> None:
        draw, ndim = self.draw, len(shape)
        stack = ndim == 0 or draw(st.booleans())
        same = [i for i in range(len(self.nodes)) if self.shape(i) == shape]
        parts = [x] + draw(st.lists(st.sampled_from(same), min_size=0, max_size=2))
        p: dict[str, Any] = {"kind": "stack" if stack else "concatenate"}
        if draw(st.booleans()) or ("join of one Value" in self.pending and len(parts) == 1):
            p["c"] = _random_array(draw, shape)  # a caller's array among the Values
        count = len(parts) + ("c" in p)
        p["order"] = tuple(draw(st.permutations(range(count))))
        p["axis"] = draw(st.integers(-(ndim + 1), ndim) if stack else st.integers(-ndim, ndim - 1))
        self.add("join", tuple(parts), p)

    def matmul(self, x: int, shape: tuple[int, ...]) -> None:
        draw = self.draw
        if not shape:
            x = self.add("reshape", (x,), {"shape": (1,)})
            shape = (1,)
        side = draw(st.sampled_from(["left", "right"]))  # x @ w or w @ x
        inner = shape[-1] if side == "left" else (shape[-2] if len(shape) >= 2 else shape[0])
        m = draw(sides)
        w_shape = draw(st.sampled_from([(inner, m), (inner,)] if side == "left"
                                       else [(m, inner), (inner,)]))  # fmt: skip
        if len(shape) >= 2 and draw(st.integers(0, 3)) == 0:  # batched weights
            w_shape = shape[:-2][-1:] + w_shape if len(w_shape) == 2 else w_shape
        if len(shape) == 2 and side == "left" and draw(st.integers(0, 3)) == 0:
            t = self.add("transpose", (x,), {"perm": None})  # x @ x.T: one node used twice
            self.add(
                "matmul",
                (x, t),
                {"side": "left", "form": draw(st.sampled_from(["op", "function"]))},
            )
            return
        p: dict[str, Any] = {"side": side, "form": draw(st.sampled_from(["op", "function"]))}
        if draw(st.integers(0, 2)) == 0:
            p["c"] = _random_array(draw, w_shape)  # a numpy matrix on either side
            if side == "right":
                p["form"] = "op"
            self.add("matmul", (x, x), p)
        else:
            self.add("matmul", (x, self.new_leaf(w_shape, as_step=True)), p)

    def add(self, op: str, args: tuple[int, ...], params: dict[str, Any]) -> int:
        node = OPS[op][0](params, *(self.nodes[i] for i in args))
        self.steps.append(Step(op, args, params))
        self.nodes.append(node)
        return len(self.nodes) - 1


def _broadcasts(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    try:
        np.broadcast_shapes(a, b)
    except ValueError:
        return False
    return True


# Features with a known bug whose fix is pending: the generator leaves them out (the checks skip
# them) while they are listed here, and a named xfail regression test at the end of the file
# holds each. Names understood (each found by this fuzzer and fixed for issue 13):
# "function form, constant first", "where, scalar Value branch", "gradients alias",
# "join of one Value", "create_graph gradient dtype", "grad() results alias".
PENDING: set[str] = set()


@st.composite
def programs(draw: Any, dtypes: tuple[Any, ...] = (np.float64,)) -> tuple[Program, Builder]:
    dtype = draw(st.sampled_from(dtypes))
    builder = Builder(draw, dtype, PENDING)
    for _ in range(draw(st.integers(1, 3))):
        builder.new_leaf(draw(shapes), as_step=False)
    for _ in range(draw(st.integers(1, MAX_STEPS))):
        builder.step()
    last = len(builder.nodes) - 1
    extra = draw(st.lists(st.integers(0, last), max_size=2))
    outputs = [(i, _random_array(draw, builder.shape(i))) for i in [last, *extra]]
    STATS["steps"] += len(builder.steps)
    return Program(dtype, builder.leaves, builder.steps, outputs, builder.mixed), builder


# --------------------------------------------------------------------------- the reference
def run_torch(program: Program, dt: Any) -> tuple[list[Any], list[Any]]:
    """Replay the program in PyTorch; returns (all nodes, leaves)."""
    nodes: list[Any] = []
    leaves: list[Any] = []
    for data in program.leaves:
        nodes.append(torch.tensor(data, dtype=dt, requires_grad=True))
        leaves.append(nodes[-1])
    for step in program.steps:
        if step.op == "leaf":
            nodes.append(torch.tensor(step.params["data"], dtype=dt, requires_grad=True))
            leaves.append(nodes[-1])
        else:
            nodes.append(OPS[step.op][1](step.params, *(nodes[i] for i in step.args), dt))
    return nodes, leaves


def glass_loss(program: Program, nodes: list[Value]) -> Value:
    return _loss(program, nodes, lambda w: w)


def _loss(program: Program, nodes: list[Any], convert: Callable) -> Any:
    total = None
    for i, weight in program.outputs:
        term = (nodes[i] * convert(weight.astype(program.dtype))).sum()
        total = term if total is None else total + term
    return total


def _array(x: Any) -> np.ndarray:
    if isinstance(x, Value):
        x = x.data
    if torch is not None and isinstance(x, torch.Tensor):
        x = x.detach()
        if x._is_zerotensor():  # PyTorch's storage-less zeros (e.g. abs'' = 0); .numpy() on
            # them can read freed memory, so build the zeros here
            return np.zeros(tuple(x.shape), np.float64 if x.dtype == torch.float64 else np.float32)
        return x.resolve_neg().resolve_conj().clone().numpy().copy()
    return np.asarray(x)


def _tolerance(dtype: Any, reference: np.ndarray) -> dict[str, float]:
    scale = 1.0 + float(np.max(np.abs(reference), initial=0.0))
    if dtype == np.float32:
        return {"rtol": 2e-3, "atol": 2e-4 * scale}
    if torch is None:  # against finite differences: their own truncation and rounding error
        return {"rtol": 1e-5, "atol": 1e-6 * scale}
    return {"rtol": 1e-7, "atol": 1e-10 * scale}


def assert_close(actual: Any, expected: Any, dtype: Any, what: str, program: Program) -> None:
    dtype = np.float32 if program.mixed else dtype
    expected = _array(expected).astype(np.float64)
    actual = _array(actual)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    np.testing.assert_allclose(
        actual.astype(np.float64), expected, **_tolerance(dtype, expected),
        err_msg=f"{what} differs from the reference\n{program}",
    )  # fmt: skip


def _tame(arrays: list[np.ndarray], limit: float) -> bool:
    return all(np.all(np.isfinite(a)) and np.max(np.abs(a), initial=0.0) < limit for a in arrays)


# --------------------------------------------------------------------------- the checks
def check_dtypes(
    program: Program,
    nodes: list[Value],
    grads: list[Any],
    leaves: list[Value],
    recorded: bool = False,
) -> None:
    """float32 in, float32 everywhere: every node and every gradient (a scalar made from a
    Python number is float64 by the contract, and so is its gradient)."""
    pending = recorded and program.mixed and "create_graph gradient dtype" in PENDING
    for i, (g, leaf) in enumerate(zip(grads, leaves, strict=True)):
        if pending:
            break
        if g is not None and type(leaf.data) is not float:  # each gradient has its leaf's dtype
            assert _array(g).dtype == leaf.dtype, f"leaf {i}: {leaf.dtype}, .grad {_array(g).dtype}"
    if program.dtype != np.float32:
        return
    for i, node in enumerate(nodes):
        if type(node.data) is not float:  # a Python number stays a Python number (float64)
            assert node.dtype == np.float32, f"node {i} is {node.dtype}\n{program}"
    for i, (g, leaf) in enumerate(zip(grads, leaves, strict=True)):
        if g is not None and type(leaf.data) is not float:
            assert _array(g).dtype == np.float32, f"gradient of leaf {i} is {_array(g).dtype}"


def check_no_alias(leaves: list[Value], held: list[Any], program: Program) -> None:
    """No two leaves' gradients share memory; no gradient shares memory with an array the
    caller holds; every gradient array can be changed in place."""
    if "gradients alias" in PENDING:
        return
    grads = [(i, leaf.grad) for i, leaf in enumerate(leaves) if leaf.grad is not None]
    arrays = [(i, g.data if isinstance(g, Value) else g) for i, g in grads]
    for k, (i, gi) in enumerate(arrays):
        if isinstance(gi, np.ndarray):
            assert gi.flags.writeable, f"leaf {i}'s .grad is read-only\n{program}"
        for j, gj in arrays[k + 1 :]:
            assert not np.shares_memory(gi, gj), f"leaves {i} and {j} share .grad\n{program}"
        for h, array in enumerate(held):
            assert not np.shares_memory(gi, array), (
                f"leaf {i}'s .grad shares memory with a caller's array (#{h}, shape "
                f"{np.shape(array)})\n{program}"
            )


def held_arrays(program: Program, nodes: list[Value], extra: tuple = ()) -> list[Any]:
    """Every array the caller of the program holds: node data, constants, loss weights."""
    held = [n.data for n in nodes if isinstance(n.data, np.ndarray)]
    for step in program.steps:
        held += [v for v in step.params.values() if isinstance(v, np.ndarray)]
    return held + [w for _, w in program.outputs] + list(extra)


def reference_gradients(program: Program, seed_grad: Any = None) -> tuple[list, list] | None:
    """(values of every node, gradients of every leaf) from PyTorch in float64."""
    nodes, leaves = run_torch(program, torch.float64)
    if seed_grad is None:
        root, grad_out = _loss(program, nodes, torch.as_tensor), None
    else:
        root, grad_out = nodes[-1], torch.as_tensor(seed_grad, dtype=torch.float64)
    if root.requires_grad:
        grads = torch.autograd.grad(root, leaves, grad_out, allow_unused=True)
    else:  # everything was cut off by detach / no_grad
        grads = [None] * len(leaves)
    grads = [torch.zeros_like(x) if g is None else g for x, g in zip(leaves, grads, strict=True)]
    return nodes, grads


def glass_backward(root: Value, seed_grad: Any = None, create_graph: bool = False) -> None:
    """root.backward(...); a root cut off from every leaf must refuse, as PyTorch's does."""
    if root.requires_grad:
        root.backward(seed_grad, create_graph=create_graph)
    else:
        with pytest.raises(RuntimeError, match="does not require a gradient"):
            root.backward(seed_grad, create_graph=create_graph)


def numeric_gradients(program: Program, builder_nodes: list[Value]) -> list[np.ndarray]:
    """Central differences of the loss, leaf by leaf, element by element (no PyTorch)."""
    base = [np.array(leaf, dtype=np.float64) for leaf in _all_leaf_data(program)]
    grads = []
    for k, data in enumerate(base):
        g = np.zeros(data.shape)
        for idx in np.ndindex(*data.shape):
            values = []
            for sign in (1.0, -1.0):
                trial = [b.copy() for b in base]
                trial[k][idx] += sign * 1e-6
                values.append(float(_glass_forward(program, trial)))
            g[idx] = (values[0] - values[1]) / 2e-6
        grads.append(g)
    return grads


def _all_leaf_data(program: Program, numbers: bool = False) -> list[Any]:
    """Every leaf's data in order of creation (Python numbers as 0-d arrays unless
    ``numbers``)."""
    steps = [s.params["data"] for s in program.steps if s.op == "leaf"]
    steps = steps if numbers else [np.array(x) for x in steps]
    return list(program.leaves) + steps


def _glass_forward(program: Program, leaf_data: list[np.ndarray], record: bool = False) -> Any:
    """Rerun the program in glassgrad on ``leaf_data`` (leaves in order of creation; arrays,
    numbers or Values)."""
    data = iter(leaf_data)
    as_value = lambda x: x if isinstance(x, Value) else Value(x)  # noqa: E731
    nodes = [as_value(next(data)) for _ in program.leaves]
    leaves = list(nodes)
    for step in program.steps:
        if step.op == "leaf":
            nodes.append(as_value(next(data)))
            leaves.append(nodes[-1])
        else:
            nodes.append(OPS[step.op][0](step.params, *(nodes[i] for i in step.args)))
    loss = glass_loss(program, nodes)
    return (loss, nodes, leaves) if record else loss.data


def _leaves(builder: Builder) -> list[Value]:
    return [builder.nodes[i] for i in builder.leaf_ids]


# --------------------------------------------------------------------------- the tests
@FUZZ_SETTINGS
@given(drawn=programs(), data=st.data())
def test_first_order_against_reference(drawn: tuple[Program, Builder], data: Any) -> None:
    """Values and gradients of random float64 programs equal PyTorch's (or finite
    differences); gradients don't alias; a second backward adds the same gradients again."""
    program, builder = drawn
    STATS["programs"] += 1
    leaves = _leaves(builder)
    last = builder.nodes[-1]
    seed_grad = None
    if last.size > 1 and data.draw(st.booleans()):  # backward(grad) from a non-scalar root
        seed_grad = np.random.default_rng(0).standard_normal(last.shape)
    if torch is not None:
        ref_nodes, ref_grads = reference_gradients(program, seed_grad)
        if not _tame([_array(n) for n in ref_nodes] + [_array(g) for g in ref_grads], 1e6):
            STATS["rejected"] += 1
            assume(False)
        for i, (node, ref) in enumerate(zip(builder.nodes, ref_nodes, strict=True)):
            assert_close(node, ref, program.dtype, f"value of node {i}", program)
    else:
        seed_grad = None
        ref_grads = numeric_gradients(program, builder.nodes)
        assume(_tame(ref_grads, 1e6))
    root = glass_loss(program, builder.nodes) if seed_grad is None else last
    glass_backward(root, seed_grad)
    grads = [leaf.grad for leaf in leaves]
    for i, (g, ref) in enumerate(zip(grads, ref_grads, strict=True)):
        assert_close(0.0 * leaves[i].data if g is None else g, ref, program.dtype,
                     f"gradient of leaf {i}", program)  # fmt: skip
    check_no_alias(leaves, held_arrays(program, builder.nodes, (seed_grad,)), program)
    if seed_grad is None and data.draw(st.integers(0, 3)) == 0:  # the functional form
        args = [np.array(x, copy=True) if isinstance(x, np.ndarray) else x
                for x in _all_leaf_data(program, numbers=True)]  # fmt: skip
        argnums = tuple(range(len(args)))
        fgrads = ag.grad(lambda *xs: _glass_forward(program, xs, record=True)[0], argnums)(*args)
        for i, (g, ref) in enumerate(zip(fgrads, ref_grads, strict=True)):
            assert_close(g, ref, program.dtype, f"autograd.grad, argument {i}", program)
            if "grad() results alias" in PENDING:
                continue
            for j, other in enumerate([*fgrads[i + 1 :], *args]):
                assert not np.shares_memory(g, other), f"grad(f) result {i} aliases #{j}"
    if data.draw(st.integers(0, 3)) == 0:  # gradients accumulate; each pass adds its own
        first = [None if g is None else np.array(g, copy=True) for g in grads]
        glass_backward(root, seed_grad)
        for i, (g, g1) in enumerate(zip((leaf.grad for leaf in leaves), first, strict=True)):
            if g1 is not None:
                assert_close(g, 2 * g1, program.dtype, f"second backward, leaf {i}", program)


@FUZZ_SETTINGS
@given(drawn=programs(dtypes=(np.float32,)))
def test_float32_programs_stay_float32(drawn: tuple[Program, Builder]) -> None:
    """A float32 program keeps float32 in every value and gradient (float64 constants and
    Python numbers included), agrees with PyTorch in float32 to float32 accuracy, and its
    gradients don't alias."""
    program, builder = drawn
    STATS["programs"] += 1
    leaves = _leaves(builder)
    loss = glass_loss(program, builder.nodes)
    glass_backward(loss)
    grads = [leaf.grad for leaf in leaves]
    check_dtypes(program, builder.nodes + [loss], grads, leaves)
    check_no_alias(leaves, held_arrays(program, builder.nodes), program)
    if torch is None:
        return
    nodes, ref_leaves = run_torch(program, torch.float32)
    ref_loss = _loss(program, nodes, lambda w: torch.as_tensor(w))
    if ref_loss.requires_grad:
        ref_grads = torch.autograd.grad(ref_loss, ref_leaves, allow_unused=True)
    else:
        ref_grads = [None] * len(ref_leaves)
    ref_values = [_array(n) for n in nodes] + [_array(g) for g in ref_grads if g is not None]
    if not _tame(ref_values, 1e4):
        STATS["rejected"] += 1
        assume(False)
    for i, (node, ref) in enumerate(zip(builder.nodes, nodes, strict=True)):
        assert_close(node, ref, np.float32, f"value of node {i}", program)
    for i, (g, ref) in enumerate(zip(grads, ref_grads, strict=True)):
        if ref is not None:
            assert_close(g, ref, np.float32, f"gradient of leaf {i}", program)


@FUZZ_SETTINGS
@given(drawn=programs(dtypes=(np.float64, np.float32)), seed=st.integers(0, 2**32 - 1))
def test_second_order_against_reference(drawn: tuple[Program, Builder], seed: int) -> None:
    """Hessian-vector products through backward(create_graph=True) equal PyTorch's double
    backward (or central differences of the gradient); dtypes hold to second order."""
    program, builder = drawn
    STATS["programs"] += 1
    leaves = _leaves(builder)
    rng = np.random.default_rng(seed)
    directions = [rng.standard_normal(leaf.shape).astype(program.dtype) for leaf in leaves]

    loss = glass_loss(program, builder.nodes)
    glass_backward(loss, create_graph=True)
    grads = [leaf.grad for leaf in leaves]
    check_dtypes(program, builder.nodes, grads, leaves, recorded=True)
    for leaf in leaves:
        leaf.grad = None
    hvp_root = None
    for g, v in zip(grads, directions, strict=True):
        if isinstance(g, Value) and g.requires_grad:
            term = (g * v).sum()
            hvp_root = term if hvp_root is None else hvp_root + term
    if hvp_root is not None:
        hvp_root.backward()
    hvps = [0.0 * leaf.data if leaf.grad is None else leaf.grad for leaf in leaves]
    check_dtypes(program, [], hvps, leaves)
    check_no_alias(leaves, held_arrays(program, builder.nodes, tuple(directions)), program)

    if torch is not None:
        dt = torch.float64
        nodes, ref_leaves = run_torch(_rounded(program), dt)
        ref_loss = _loss(program, nodes, lambda w: torch.as_tensor(w, dtype=dt))
        ref_grads = (
            torch.autograd.grad(ref_loss, ref_leaves, create_graph=True, allow_unused=True)
            if ref_loss.requires_grad
            else [None] * len(ref_leaves)
        )
        total = sum(
            (g * torch.as_tensor(v, dtype=dt)).sum()
            for g, v in zip(ref_grads, directions, strict=True)
            if g is not None and g.requires_grad
        )
        if torch.is_tensor(total):
            ref_hvps = torch.autograd.grad(total, ref_leaves, allow_unused=True)
        else:
            ref_hvps = [None] * len(ref_leaves)
        ref_hvps = [torch.zeros_like(x) if h is None else h
                    for x, h in zip(ref_leaves, ref_hvps, strict=True)]  # fmt: skip
        ref_grads = [torch.zeros_like(x) if g is None else g
                     for x, g in zip(ref_leaves, ref_grads, strict=True)]  # fmt: skip
    else:
        ref_grads, ref_hvps = _numeric_hvp(program, directions)
    every = [_array(n) for n in ref_grads] + [_array(h) for h in ref_hvps]
    if program.dtype == np.float32:  # the reference runs in float64: where float32 overflows
        every += [_array(n) for n in builder.nodes]  # (2.0 ** 170), the two cannot agree
    if not _tame(every, 1e4 if program.dtype == np.float32 else 1e6):
        STATS["rejected"] += 1
        assume(False)
    for i, (g, ref) in enumerate(zip(grads, ref_grads, strict=True)):
        assert_close(0.0 * leaves[i].data if g is None else g, ref, program.dtype,
                     f"gradient of leaf {i} (create_graph)", program)  # fmt: skip
    for i, (h, ref) in enumerate(zip(hvps, ref_hvps, strict=True)):
        assert_close(h, ref, program.dtype, f"Hessian-vector product, leaf {i}", program)


def _rounded(program: Program) -> Program:
    """The program with its float constants rounded to its dtype, as glassgrad uses them — so
    a float64 replay of a float32 program sees the same ties (max(c, x) with c == x)."""

    def fit(value: Any) -> Any:
        if isinstance(value, np.ndarray) and value.dtype.kind == "f":
            return value.astype(program.dtype)
        if isinstance(value, float):
            return float(program.dtype(value))
        return value

    steps = [Step(s.op, s.args, {k: fit(v) for k, v in s.params.items()}) for s in program.steps]
    return Program(program.dtype, program.leaves, steps, program.outputs, program.mixed)


def _numeric_hvp(program: Program, directions: list[np.ndarray]) -> tuple[list, list]:
    """(gradient, H·v) by central differences of glassgrad's first-order gradient along v."""
    base = [d.astype(np.float64) for d in _all_leaf_data(program)]
    f64 = Program(np.float64, program.leaves, program.steps, program.outputs)

    def gradient(data: list[np.ndarray]) -> list[np.ndarray]:
        loss, _, leaves = _glass_forward(f64, data, record=True)
        loss.backward()
        return [np.zeros(x.shape) if x.grad is None else np.asarray(x.grad) for x in leaves]

    eps = 1e-5
    plus = gradient([b + eps * d for b, d in zip(base, directions, strict=True)])
    minus = gradient([b - eps * d for b, d in zip(base, directions, strict=True)])
    return gradient(base), [(p - m) / (2 * eps) for p, m in zip(plus, minus, strict=True)]


@pytest.fixture(scope="module", autouse=True)
def _report_figures() -> Any:
    yield
    print(
        f"\nfuzz: {STATS['programs']} programs ({STATS['steps']} steps drawn, "
        f"{STATS['rejected']} rejected as overflowing), reference: "
        f"{'PyTorch ' + torch.__version__ if torch is not None else 'finite differences'}"
    )


# --------------------------------------------------------------------------- regressions
# Bugs the fuzzer found, each as a named test (all failed before the engine fixes of issue 13).
# A bug found while its fix is pending: mark its test
# @pytest.mark.xfail(strict=True, reason="... — owner: ...") and list the feature in PENDING.


def test_regression_sum_gradients_are_separate_arrays() -> None:
    """(a + b): each leaf owns its .grad; changing one in place leaves the other alone."""
    a, b = Value(np.ones(3)), Value(np.ones(3))
    ((a + b) * np.arange(3.0)).sum().backward()
    assert not np.shares_memory(a.grad, b.grad)
    a.grad *= 0.0
    np.testing.assert_array_equal(b.grad, np.arange(3.0))


@pytest.mark.parametrize("op", ["add", "reshape"])
def test_regression_gradient_does_not_alias_the_upstream_gradient(op: str) -> None:
    """backward(w) never stores the caller's w (or a view of it) as a leaf's .grad."""
    x = Value(np.ones(3))
    w = np.arange(3.0)
    out = x + 0.5 if op == "add" else x.reshape(3)
    out.backward(w)
    assert not np.shares_memory(x.grad, w)
    x.grad += 1.0  # e.g. a hand-written update or clipping
    np.testing.assert_array_equal(w, np.arange(3.0))


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "pow", "maximum", "minimum"])
def test_regression_function_form_with_constant_first_keeps_float32(op: str) -> None:
    """autograd.add(np.ones(3), x32) is float32, as np.ones(3) + x32 through the operator is."""
    x = Value(np.full(3, 0.5, np.float32))
    out = getattr(ag, op)(np.full(3, 2.0), x)
    out.sum().backward()
    assert out.dtype == np.float32 and x.grad.dtype == np.float32


def test_regression_matmul_and_linear_with_float64_constants_keep_float32() -> None:
    x = Value(np.ones((2, 3), np.float32))
    assert ag.matmul(np.ones((4, 2)), x).dtype == np.float32
    assert ag.linear(x, np.ones((4, 3))).dtype == np.float32


def test_regression_where_with_a_scalar_value_branch() -> None:
    """where(mask, Value(1.0), 0.0): the scalar broadcasts; its gradient counts the picks."""
    one = Value(1.0)
    out = ag.where(np.array([True, False, True]), one, 0.0)
    np.testing.assert_array_equal(out.data, [1.0, 0.0, 1.0])
    out.sum().backward()
    assert float(one.grad) == 2.0


def test_regression_functional_grad_results_are_separate_arrays() -> None:
    """grad(f, argnums=(0, 1)) of f(a, b) = Σ w(a + b): two arrays, neither aliasing the other
    or an argument."""
    a, b, w = np.ones(3), np.ones(3), np.arange(3.0)
    ga, gb = ag.grad(lambda a, b: ((a + b) * w).sum(), argnums=(0, 1))(a, b)
    np.testing.assert_array_equal(ga, w)
    for x, y in [(ga, gb), (ga, a), (ga, b), (gb, a), (gb, b), (ga, w), (gb, w)]:
        assert not np.shares_memory(x, y)


@pytest.mark.parametrize("join", ["stack", "concatenate"])
def test_regression_stack_or_concatenate_of_one_value(join: str) -> None:
    """stack([x]) and concatenate([x]) (one input to a variadic op) backpropagate."""
    x = Value(np.array([0.5, 2.0]))
    (getattr(ag, join)([x]) * 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])


def test_regression_recorded_gradient_of_a_float32_leaf_is_float32() -> None:
    """backward(create_graph=True) through a float64 graph: a float32 leaf's .grad is float32,
    as without create_graph (and as in PyTorch)."""
    w = Value(np.array([0.5, 1.0], np.float32))
    x = Value(np.array([2.0, 3.0]))
    ((w * x) ** 2).sum().backward(create_graph=True)
    assert w.grad.dtype == np.float32 and x.grad.dtype == np.float64


def test_regression_repeated_integer_index_adds_gradients() -> None:
    """x[[0, 0]]: an element picked twice gets both gradients (scatter-add, not assignment)."""
    x = Value(np.array([1.0, 2.0]))
    (x[np.array([0, 0, 1])] * np.array([1.0, 10.0, 100.0])).sum().backward()
    np.testing.assert_array_equal(x.grad, [11.0, 100.0])


def test_fuzzer_finds_a_planted_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fuzzer is not vacuous: with the product rule planted wrong (∂(a·b)/∂a taken as a
    instead of b) a short run finds a mismatch."""
    from autograd.ops import arithmetic

    def wrong_vjp_a(g: Any, z: Any, a: Any, b: Any) -> Any:
        return g * a

    monkeypatch.setattr(arithmetic.Mul, "vjp_a", staticmethod(wrong_vjp_a))
    if isinstance(getattr(arithmetic.Mul, "vjps", None), tuple):  # the op table's copy
        monkeypatch.setattr(arithmetic.Mul, "vjps", (wrong_vjp_a, arithmetic.Mul.vjps[1]))
    a, b = Value(2.0), Value(3.0)
    (a * b).backward()
    if a.grad != 2.0:
        pytest.skip("the engine does not dispatch through Mul.vjp_a; the plant had no effect")
    inner = test_first_order_against_reference.hypothesis.inner_test
    planted = settings(max_examples=300, deadline=None, database=None)(
        given(drawn=programs(), data=st.data())(inner)
    )
    with pytest.raises(AssertionError, match="gradient of leaf"):
        planted()
