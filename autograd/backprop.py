"""Backpropagation: the order in which to visit nodes, and the chain rule applied in it.

``backward_order`` is iterative (no recursion, so a graph a million nodes deep is fine). It
counts, for every node, how many of its consumers lie between it and the root; a node is
visited once all its consumers have been, so its gradient is complete when it is passed on.

``backpropagate`` keeps each pass's gradients in its own dict, never reading what an earlier
pass left in ``.grad``: calling backward twice adds the same gradients twice, no more.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.grad_mode import enable_grad
from autograd.ops.generic import sum_to_shape
from autograd.value import Value


def backward_order(root: Value) -> list[Value]:
    """Every node that needs a gradient and leads to ``root``, each after all its consumers.

    Two walks: the first counts each node's consumers, the second releases a node once the
    last of them has been visited (Kahn's algorithm, from the root down). The counts live on
    the nodes, stamped with this call's own token, so an abandoned walk leaves nothing stale.
    """
    token = object()
    root._walk = token
    root._consumers = 0
    stack = [root]
    pop, push = stack.pop, stack.append
    while stack:
        for parent in pop()._parents:
            if parent.requires_grad:
                if parent._walk is token:
                    parent._consumers += 1
                else:
                    parent._walk = token
                    parent._consumers = 1
                    push(parent)
    order = []
    ready = [root]
    pop, push, emit = ready.pop, ready.append, order.append
    while ready:
        node = pop()
        emit(node)
        for parent in node._parents:
            if parent.requires_grad:
                parent._consumers -= 1
                if parent._consumers == 0:
                    push(parent)
    return order


def seed_gradient(root: Value, grad: Any) -> Any:
    """∂root/∂root: 1 for a scalar root, else the ``grad`` the caller must pass."""
    if grad is None:
        if root.size != 1:
            raise RuntimeError(
                f"backward() on a Value of shape {root.shape} needs the upstream gradient: call "
                "root.backward(grad) with an array of that shape (e.g. np.ones_like(root.data)),"
                " or reduce the root to a scalar first (root.sum().backward())."
            )
        return 1.0 if type(root.data) is float else np.ones_like(root.data)
    grad = grad.data if isinstance(grad, Value) else grad
    if np.shape(grad) != root.shape:
        raise ValueError(f"backward(grad): grad has shape {np.shape(grad)} but the root has "
                         f"shape {root.shape}; they must match")  # fmt: skip
    if type(root.data) is float:
        return float(np.asarray(grad))
    grad = np.asarray(grad, dtype=root.data.dtype)
    if grad.shape != root.shape:
        raise ValueError(f"backward(grad): grad has shape {grad.shape} but the root has shape "
                         f"{root.shape}; they must match")  # fmt: skip
    return grad


def input_gradients(node: Value, g: Any, create_graph: bool) -> list[tuple[Value, Any]]:
    """The chain rule at one node: given g = ∂L/∂node, the pairs (parent, ∂L/∂node · ∂node/∂parent)
    for each parent that needs a gradient. Every backward pass goes through here."""
    op = node._op
    parents = node._parents
    if create_graph:
        inputs, out = parents, node
    elif len(parents) == 2:
        inputs, out = (parents[0].data, parents[1].data), node.data
    elif len(parents) == 1:
        inputs, out = (parents[0].data,), node.data
    else:
        inputs, out = [p.data for p in parents], node.data
    settings = node._settings or _NO_SETTINGS
    vjps = op.vjps
    result = []
    i = 0
    for parent in parents:
        if parent.requires_grad:
            if vjps is None:
                contribution = op.vjp(i, g, out, *inputs, **settings)
            elif settings:
                contribution = vjps[i](g, out, *inputs, **settings)
            else:
                contribution = vjps[i](g, out, *inputs)
            data = parent.data
            kind = type(contribution)
            if kind is float and type(data) is float:
                pass  # scalars: nothing to broadcast back or convert
            elif (
                op.broadcasts
                or kind is not np.ndarray
                or type(data) is not np.ndarray
                or contribution.dtype != data.dtype
            ):  # shape, Python float or dtype to restore; ops with one input keep shapes
                contribution = sum_to_shape(contribution, data)
            result.append((parent, contribution))
        i += 1
    return result


_NO_SETTINGS: dict[str, Any] = {}


def accumulated(previous: Any, g: Any) -> Any:
    """What ``.grad`` becomes when a pass brings gradient ``g``: ``g`` added to what was there.

    A read-only broadcast view is copied, so every node owns an array it may modify.
    """
    if previous is None:
        # (a fresh array has no .base: the cheap test first, the flags only for views)
        if type(g) is np.ndarray and g.base is not None and not g.flags.writeable:
            return g.copy()
        return g
    return previous + g


def backpropagate(root: Value, grad: Any = None, create_graph: bool = False) -> dict[Value, Any]:
    """∂root/∂node for every node that leads to ``root``, as a dict (nothing is stored)."""
    if not root.requires_grad:
        raise RuntimeError(
            "backward(): this Value does not require a gradient — it was made from constants "
            "only, or inside no_grad(). Create inputs with Value(...) (requires_grad=True) "
            "outside no_grad()."
        )
    seed = seed_gradient(root, grad)
    if create_graph:
        with enable_grad():
            return _run(root, Value(seed, requires_grad=False), True)
    return _run(root, seed, False)


def _run(root: Value, seed: Any, create_graph: bool) -> dict[Value, Any]:
    grads: dict[Value, Any] = {root: seed}
    for node in backward_order(root):
        if node._op is None:
            continue
        for parent, contribution in input_gradients(node, grads[node], create_graph):
            previous = grads.get(parent)
            grads[parent] = contribution if previous is None else previous + contribution
    return grads
