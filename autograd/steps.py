"""``backward_steps``: backpropagation one node at a time, to watch the chain rule work.

``root.backward()`` consumes :func:`~autograd.backprop.backward_walk`, which visits each node
after all its consumers and applies the chain rule there:

    ∂L/∂parent += ∂L/∂node · ∂node/∂parent        (upstream gradient · local derivative)

``backward_steps`` consumes the very same walk and stops after each node, yielding a
:class:`Step` that records the numbers; at the end it stores the gradients with the same
function ``backward()`` uses, so running it to the end leaves the same gradients.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

import numpy as np

from autograd.backprop import backward_walk, seed_gradient, store_gradient, vjp_shares
from autograd.names import formula, graph_names, graph_nodes, local_rule, show
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

    __slots__ = ("index", "node", "upstream", "parents", "_journal", "_moment", "_names", "_loss")

    def __init__(
        self,
        index: int,
        node: Value,
        upstream: Any,
        parents: tuple[ParentGradient, ...],
        names: dict[Value, str],
        loss: str,
        journal: list[tuple[Value, Any]] | None = None,
    ) -> None:
        # The walk's record of every gradient as it changed, shared by all steps of one pass,
        # and how much of it had happened by the end of this step.
        self._journal = [] if journal is None else journal
        self._moment = len(self._journal)
        self.index = index
        self.node = node
        self.upstream = upstream
        self.parents = parents
        self._names = names
        self._loss = loss

    @property
    def grads(self) -> dict[Value, Any]:
        """This pass's gradients as they stood after this step: node → ∂L/∂node so far."""
        return dict(self._journal[: self._moment])

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
        if self.node._op is None:
            return f"{self.name} (a leaf)"
        return f"{self.name} = {formula(self.node, self._names)}"

    def local_symbol(self, parent: Value) -> str:
        """How the local derivative ∂node/∂parent is written: ``de/da``; at the output, whose
        name is the loss's, the op itself: ``d(d * f)/dd``, ``d tanh(v3)/dv3``."""
        target = self._names[parent]
        if self.name != self._loss:
            return f"d{self.name}/d{target}"
        written = formula(self.node, self._names)
        if " " in written:
            written = f"({written})"
        return f"d{written}/d{target}" if written.startswith("(") else f"d {written}/d{target}"

    def explain(self) -> str:
        """The chain rule at this node, one line per parent, with the numbers.

        For numbers: ``dL/da += dL/de · de/da = -2.0 · -3.0 = 6.0    (de/da = b)``: the
        upstream gradient times the local derivative, and in brackets the local derivative's
        rule where the op is a common one. When arrays are involved the shapes and norms (‖·‖,
        the Euclidean norm) are given instead.
        """
        loss, name = self._loss, self.name
        upstream = f"d{loss}/d{name}"
        if self.node._op is None:
            return f"{name} is a leaf: {upstream} = {show(self.upstream)} is complete"
        lines = [f"{self.expression()}    {upstream} = {show(self.upstream)}"]
        for position, (parent, local, contribution) in self._positions():
            local_text = self.local_symbol(parent)
            rule = f"d{loss}/d{self._names[parent]} += {upstream} · {local_text}"
            if local is None:
                lines.append(f"{rule}: upstream {show(self.upstream)} → {show(contribution)}")
                continue
            line = f"{rule} = {show(self.upstream)} · {show(local)} = {show(contribution)}"
            hint = local_rule(self.node, position, self._names)
            if hint is not None:
                line += f"    ({local_text} = {hint})"
            lines.append(line)
        return "\n".join(lines)

    def __repr__(self) -> str:
        upstream = show(self.upstream)
        return f"Step({self.expression()}, d{self._loss}/d{self.name}={upstream})"

    def _positions(self) -> list[tuple[int, ParentGradient]]:
        """Each ParentGradient with its argument position in the op (constants have none)."""
        positions = [i for i, p in enumerate(self.node._parents) if p.requires_grad]
        return list(zip(positions, self.parents, strict=False))


def backward_steps(root: Value, grad: Any = None) -> Iterator[Step]:
    """Backpropagate from ``root`` one node at a time, yielding a :class:`Step` per node.

    It consumes the same walk as ``root.backward()`` (:func:`~autograd.backprop.backward_walk`):
    nodes come in its order, each after all its consumers, so its gradient is complete when its
    step comes. Each step keeps ``grads``, this pass's gradients as they stood after it (so a
    drawing of an early step shows that moment). ``.grad`` is left alone until the last step,
    which adds this pass's gradients exactly as ``root.backward(grad)`` would have; running the
    loop a second time adds them again, as calling backward twice does. ``grad`` is ∂L/∂root
    (default 1 for a scalar).
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward_steps: root must be a Value (the loss), got "
                        f"{type(root).__name__}")  # fmt: skip
    seed = seed_gradient(root, grad)
    names = graph_names(graph_nodes(root))  # the drawing's names: one name in both
    loss = names[root]
    journal: list[tuple[Value, Any]] = [(root, seed)]  # each gradient as it changed, in order
    finished = []
    for index, (node, upstream) in enumerate(backward_walk(root, seed)):
        finished.append((node, upstream))
        # What the walk just passed to each parent, and the local derivatives (the same vjps,
        # with g = 1, for a node with one element): pure functions, recomputed for display.
        shares = vjp_shares(node, upstream) if node._op is not None else []
        local: list[Any] = [None] * len(shares)
        if shares and node.size == 1:
            one = 1.0 if type(node.data) is float else np.ones_like(node.data)
            local = [share for _, share in vjp_shares(node, one)]
        parents = []
        for (parent, share), derivative in zip(shares, local, strict=True):
            journal.append((parent, parent._g))  # what the walk has accumulated for it so far
            parents.append(ParentGradient(parent, derivative, share))
        yield Step(index, node, upstream, tuple(parents), names, loss, journal)
    for node, g in finished:  # the end of the pass: store as backward() stores
        store_gradient(node, g)
