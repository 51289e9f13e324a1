"""``backward_steps``: backpropagation one node at a time, to watch the chain rule work.

``root.backward()`` visits the nodes in :func:`~autograd.backprop.backward_order` and, at each
node, asks :func:`~autograd.backprop.input_gradients` for every parent's share of the gradient:

    ∂L/∂parent += ∂L/∂node · ∂node/∂parent        (upstream gradient · local derivative)

``backward_steps`` walks the same order with the same function and stops after each node,
yielding a :class:`Step` that records the numbers. The gradients are written into ``.grad`` as
it goes, exactly as ``backward()`` would have written them, so running it to the end leaves the
same gradients ``root.backward()`` leaves.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

import numpy as np

from autograd.backprop import accumulated, backward_order, input_gradients, seed_gradient
from autograd.draw import INFIX, format_number, graph_nodes, node_name, settings_text
from autograd.value import Value


class ParentGradient(NamedTuple):
    """What one step passes to one parent.

    ``local`` is ∂node/∂parent for a node with one element (a number, or an array shaped like
    the parent), found by running the op's vector-Jacobian product with upstream gradient 1;
    None for a node with more elements (its Jacobian is never built). ``contribution`` is
    ∂L/∂node · ∂node/∂parent, what this step adds to ``parent.grad``.
    """

    parent: Value
    local: Any
    contribution: Any


class Step:
    """One node of backpropagation: the node, its op, ∂L/∂node and what each parent receives.

    ``parents`` holds a :class:`ParentGradient` for every parent that needs a gradient, in
    argument order (a parent used twice appears twice). A leaf's step has no parents: its
    gradient is complete. ``explain()`` writes the chain rule with the numbers.
    """

    __slots__ = ("index", "node", "upstream", "parents", "_names", "_loss")

    def __init__(
        self,
        index: int,
        node: Value,
        upstream: Any,
        parents: tuple[ParentGradient, ...],
        names: dict[Value, str],
        loss: str,
    ) -> None:
        self.index = index
        self.node = node
        self.upstream = upstream
        self.parents = parents
        self._names = names
        self._loss = loss

    @property
    def op(self) -> str:
        """The symbol of the op that made the node ('' for a leaf)."""
        return self.node.op

    @property
    def name(self) -> str:
        """The node's label, else its number in the graph (``v3``) as drawings show it; an
        unlabeled root is called ``L``."""
        return self._names[self.node]

    def expression(self) -> str:
        """How the node was computed, in names: ``e = a * b``, ``h = tanh(n)``."""
        node = self.node
        if node._op is None:
            return f"{self.name} (a leaf)"
        args = [self._argument(p) for p in node._parents]
        if node.op in INFIX and len(args) == 2:
            formula = f"{args[0]} {node.op} {args[1]}"
        else:
            extra = settings_text(node)
            formula = f"{node.op}({', '.join(args + ([extra] if extra else []))})"
        return f"{self.name} = {formula}"

    def explain(self) -> str:
        """The chain rule at this node, one line per parent, with the numbers.

        For numbers: ``dL/da += dL/de · de/da = -2.0 · -3.0 = 6.0``. When arrays are
        involved the shapes and norms (‖·‖, the Euclidean norm) are given instead.
        """
        loss, name = self._loss, self.name
        upstream = f"d{loss}/d{name}"
        if self.node._op is None:
            return f"{name} is a leaf: {upstream} = {_show(self.upstream)} is complete"
        lines = [f"{self.expression()}    {upstream} = {_show(self.upstream)}"]
        for parent, local, contribution in self.parents:
            target = self._names[parent]
            rule = f"d{loss}/d{target} += {upstream} · d{name}/d{target}"
            if local is None:
                lines.append(f"{rule}: upstream {_show(self.upstream)} → {_show(contribution)}")
            else:
                numbers = f"{_show(self.upstream)} · {_show(local)} = {_show(contribution)}"
                lines.append(f"{rule} = {numbers}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        upstream = _show(self.upstream)
        return f"Step({self.expression()}, d{self._loss}/d{self.name}={upstream})"

    def _argument(self, parent: Value) -> str:
        if parent.requires_grad or parent.label:
            return self._names[parent]
        return format_number(parent.data) if parent.shape == () else f"const{parent.shape}"


def _show(x: Any) -> str:
    """A number as itself; an array as its shape and norm."""
    array = np.asarray(x.data if isinstance(x, Value) else x)
    if array.shape == ():
        return format_number(array)
    return f"[shape {array.shape}, ‖·‖ = {format_number(np.linalg.norm(array.ravel()))}]"


def backward_steps(root: Value, grad: Any = None) -> Iterator[Step]:
    """Backpropagate from ``root`` one node at a time, yielding a :class:`Step` per node.

    Nodes come in the order ``root.backward()`` visits them (each after all its consumers, so
    its gradient is complete when its step comes). Before each step is yielded, its parents'
    ``.grad`` already include its contributions; after the last step every ``.grad`` is what
    ``root.backward(grad)`` would have left. ``grad`` is ∂L/∂root (default 1 for a scalar).
    """
    if not root.requires_grad:
        raise RuntimeError(
            "backward_steps(): this Value does not require a gradient — it was made from "
            "constants only, or inside no_grad(). Create inputs with Value(...) outside no_grad()."
        )
    seed = seed_gradient(root, grad)
    nodes = graph_nodes(root)
    names = {node: node_name(node, i) for i, node in enumerate(nodes)}
    loss = root.label or "L"
    names[root] = loss
    grads: dict[Value, Any] = {root: seed}  # this pass's gradients, as backpropagate keeps
    before: dict[Value, Any] = {}  # .grad before this pass

    def store(node: Value) -> None:
        if node not in before:
            before[node] = node.grad
        node.grad = accumulated(before[node], grads[node])

    store(root)
    for index, node in enumerate(backward_order(root)):
        upstream = grads[node]
        if node._op is None:
            yield Step(index, node, upstream, (), names, loss)
            continue
        contributions = input_gradients(node, upstream, False)
        if node.size == 1:
            one = 1.0 if type(node.data) is float else np.ones_like(node.data)
            local = [g for _, g in input_gradients(node, one, False)]
        else:
            local = [None] * len(contributions)
        parents = []
        for (parent, contribution), derivative in zip(contributions, local, strict=True):
            previous = grads.get(parent)
            grads[parent] = contribution if previous is None else previous + contribution
            store(parent)
            parents.append(ParentGradient(parent, derivative, contribution))
        yield Step(index, node, upstream, tuple(parents), names, loss)
