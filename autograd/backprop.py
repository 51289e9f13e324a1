"""Backpropagation: one walk over the graph, on one screen, used by everything that backprops.

``backward_walk`` visits every node that leads to the root, each after all of its consumers (so
its gradient g = ∂L/∂node is complete when it is visited), and applies the chain rule there:

    ∂L/∂parent += ∂L/∂node · ∂node/∂parent        (the op's vjp computes the product)

``Value.backward``, ``backward_steps`` (and the player built on it), ``grad`` and ``gradcheck``
all consume this one generator, so there is exactly one place where the chain rule is applied.

Bookkeeping lives in node slots, stamped with the walk's own token: ``_consumers`` (how many
consumers have yet to pass their gradient) and ``_g`` (this pass's gradient so far). A pass
never reads what an earlier pass left in ``.grad``, so calling backward twice adds the same
gradients twice. The order is found iteratively (Kahn's algorithm), so a graph a million nodes
deep is fine.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

import numpy as np

from autograd.anomaly import ANOMALY, check_backward
from autograd.grad_mode import enable_grad
from autograd.ops.generic import sum_to_shape
from autograd.value import CLOCK, Value

Shares = list[tuple[Value, Any]]


def backward_walk(
    root: Value, seed: Any, create_graph: bool = False
) -> Iterator[tuple[Value, Any]]:
    """Yield ``(node, g)`` for every node leading to ``root``, each after all its consumers, with
    g = ∂root/∂node complete; before yielding, the chain rule has passed g on to the parents."""
    token = _count_consumers(root)
    root._g = seed
    ready = [root]
    while ready:
        node = ready.pop()
        if node._walk is not token:
            raise RuntimeError(
                "backward: another backward pass ran over this graph while this one was paused "
                "(e.g. between backward_steps); start this one again"
            )
        g, node._g = node._g, None
        op = node._op
        if op is not None:
            if node._born != CLOCK.now:
                _check_unchanged(node)
            parents = node._parents
            if (
                len(parents) == 2
                and node._settings is None
                and not (create_graph or ANOMALY.enabled)
            ):
                a, b = parents  # a ⊕ b, the commonest node: vjp_shares spelled out for speed
                x, y, out = a._data, b._data, node._data
                if a.requires_grad:
                    da = op.vjps[0](g, out, x, y)
                    if not type(da) is type(x) is float:  # two floats need no fitting
                        da = _fit(da, x, op, g)
                    a._g = da if a._g is None else a._g + da
                    a._consumers -= 1
                    if a._consumers == 0:
                        ready.append(a)
                if b.requires_grad:
                    db = op.vjps[1](g, out, x, y)
                    if not type(db) is type(y) is float:
                        db = _fit(db, y, op, g)
                    b._g = db if b._g is None else b._g + db
                    b._consumers -= 1
                    if b._consumers == 0:
                        ready.append(b)
            else:
                for parent, share in vjp_shares(node, g, create_graph):
                    parent._g = share if parent._g is None else parent._g + share  # ∂L/∂parent
                    parent._consumers -= 1
                    if parent._consumers == 0:  # all its consumers have passed their share
                        ready.append(parent)
        yield node, g


def vjp_shares(node: Value, g: Any, create_graph: bool = False) -> Shares:
    """The chain rule's products at one node: given g = ∂L/∂node, the pairs
    (parent, ∂L/∂node · ∂node/∂parent) for each parent that needs a gradient, each summed back
    to its parent's shape. ``op.vjps[i](g, out, *inputs, **settings)`` computes input i's."""
    op, parents = node._op, node._parents
    settings = node._settings or _NO_SETTINGS
    if len(parents) == 1 and op.vjps and not create_graph:  # f(x), called without *inputs
        x = parents[0]._data
        shares = [(parents[0], _fit(op.vjps[0](g, node._data, x, **settings), x, op, g))]
    else:
        out = node if create_graph else node._data
        inputs = parents if create_graph else [p._data for p in parents]
        shares = [
            (parent, _fit(vjp(g, out, *inputs, **settings), x, op, g))
            for parent, vjp, x in zip(
                parents, op.vjps or _variadic(op, len(parents)), inputs, strict=True
            )
            if parent.requires_grad
        ]
    if ANOMALY.enabled:
        for parent, share in shares:
            check_backward(node, parent, share)
    return shares


_NO_SETTINGS: dict[str, Any] = {}


def _variadic(op: Any, count: int) -> list[Any]:
    """The vjps of an op with any number of inputs (concatenate, stack): ``op.vjp(i, ...)``."""
    return [partial(op.vjp, i) for i in range(count)]


def _fit(share: Any, x: Any, op: Any, g: Any) -> Any:
    """Give ``share`` the shape and dtype of its input ``x`` (summing broadcast copies back),
    as an array the input may own: a share that is the upstream gradient itself (``+`` passes
    it on unchanged) becomes a view, which ``backward`` copies before storing it in a leaf,
    so two leaves never share a gradient."""
    if type(share) is type(x) is float:
        return share
    data = x._data if type(x) is Value else x
    if type(share) is np.ndarray and type(data) is np.ndarray:
        if share.shape != data.shape or share.dtype != data.dtype:  # (the common case: fits)
            share = sum_to_shape(share, data)
        return share.view() if share is g else share
    return sum_to_shape(share, data)  # Python floats, Values (create_graph), numpy scalars


def _check_unchanged(node: Value) -> None:
    """Refuse to backpropagate through a node whose inputs changed in place after it was made."""
    for parent in node._parents:
        if getattr(parent, "_version", 0) > node._born:
            name = repr(parent.label) if parent.label else f"a {parent.shape} {parent.dtype} Value"
            made = f"{parent.op!r} node" if parent._op is not None else "leaf"
            raise RuntimeError(
                f"backward: {name} (a {made}) was changed in place after the op {node.op!r} "
                "used it, so the gradient would use the new numbers. Call backward() before "
                "changing it (e.g. before optimizer.step() or load_state_dict), or build the "
                "graph again after the change; to change an array while keeping the old one, "
                "assign a copy."
            )


def _count_consumers(root: Value) -> object:
    """Stamp every node that needs a gradient and leads to ``root`` with a fresh token, its
    count of consumers on the way, and an empty gradient; return the token."""
    token = object()
    root._walk, root._consumers, root._g = token, 0, None
    stack = [root]
    while stack:
        for parent in stack.pop()._parents:
            if parent.requires_grad:
                if parent._walk is token:
                    parent._consumers += 1
                else:
                    parent._walk, parent._consumers, parent._g = token, 1, None
                    stack.append(parent)
    return token


def seed_gradient(root: Value, grad: Any) -> Any:
    """∂root/∂root: 1 for a scalar root, else the ``grad`` the caller must pass (copied: the
    caller keeps its array to itself)."""
    if not root.requires_grad:
        raise RuntimeError(
            "backward(): this Value does not require a gradient — it was made from constants "
            "only, or inside no_grad(). Create inputs with Value(...) (requires_grad=True) "
            "outside no_grad()."
        )
    if grad is None:
        if root.size != 1:
            raise RuntimeError(
                f"backward() on a Value of shape {root.shape} needs the upstream gradient: call "
                "root.backward(grad) with an array of that shape (e.g. np.ones_like(root.data)),"
                " or reduce the root to a scalar first (root.sum().backward())."
            )
        return 1.0 if type(root._data) is float else np.ones_like(root._data)
    grad = grad._data if isinstance(grad, Value) else grad
    if np.shape(grad) != root.shape:
        raise ValueError(f"backward(grad): grad has shape {np.shape(grad)} but the root has "
                         f"shape {root.shape}; they must match")  # fmt: skip
    if type(root._data) is float:
        return float(np.asarray(grad))
    return np.array(grad, dtype=root._data.dtype)


def backward_order(root: Value) -> list[Value]:
    """Every node that needs a gradient and leads to ``root``, in the order backward visits
    them (each after all its consumers)."""
    if not root.requires_grad:
        return []
    seed = 1.0 if type(root._data) is float else np.ones_like(root._data)
    return [node for node, _ in backward_walk(root, seed)]


def backpropagate(root: Value, grad: Any = None, create_graph: bool = False) -> dict[Value, Any]:
    """∂root/∂node for every node that leads to ``root``, as a dict (nothing is stored)."""
    seed = seed_gradient(root, grad)
    if create_graph:
        with enable_grad():
            return {n: g for n, g in backward_walk(root, Value(seed, requires_grad=False), True)}
    return {node: g for node, g in backward_walk(root, seed)}


def backward(root: Value, grad: Any = None, create_graph: bool = False) -> None:
    """``root.backward()``: run the walk and add each node's gradient to its ``.grad``."""
    seed = seed_gradient(root, grad)
    if create_graph:
        with enable_grad():
            for node, g in backward_walk(root, Value(seed, requires_grad=False), True):
                if node._op is None:  # a recorded gradient of an intermediate would be a cycle
                    store_gradient(node, g)
        return
    for node, g in backward_walk(root, seed):
        if type(g) is float and node.grad is None:  # a scalar's first gradient: nothing to own
            node.grad = g
        else:
            store_gradient(node, g)


def store_gradient(node: Value, g: Any) -> None:
    """Add a pass's gradient ``g`` to ``node.grad`` (None until a first pass reaches it).

    A leaf owns its gradient (see :func:`owned`), so changing one leaf's ``.grad`` in place
    never changes another's; an intermediate may keep a view of its consumer's gradient.
    """
    previous = node.grad
    if previous is not None:
        node.grad = previous + g
    elif node._op is None or (type(g) is np.ndarray and not g.flags.writeable):
        node.grad = owned(g)
    else:
        node.grad = g


def owned(g: Any) -> Any:
    """``g`` as an array nobody else holds: a view (of another node's gradient, of the caller's
    upstream gradient, or a read-only broadcast) is copied; a fresh array is kept as it is."""
    if type(g) is np.ndarray and g.base is not None:
        return g.copy()
    return g
