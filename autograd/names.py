"""What the graph's nodes are called and how their numbers are written — one place, shared by
the drawing (:mod:`autograd.draw`), the stepper (:mod:`autograd.steps`) and the player
(:mod:`autograd.player`), so a node has the same name in a picture, in ``explain()`` and in a
player frame.

Nodes are numbered ``v0, v1, …`` in one fixed traversal (:func:`graph_nodes`: inputs first, the
root last). A node is called by its label, else by its number; the root, when unlabelled, is
called ``L`` (the quantity being differentiated). Needs numpy only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.value import Value

INFIX = {"+", "-", "*", "/", "**", "@"}
ROOT_NAME = "L"

# The local derivative ∂node/∂parent of common scalar ops, in words, by op and argument position.
# "{0}"/"{1}" stand for the names of the op's inputs, "{out}" for the node's own name.
LOCAL_RULES: dict[str, tuple[str, ...]] = {
    "+": ("1", "1"),
    "-": ("1", "-1"),
    "*": ("{1}", "{0}"),
    "/": ("1/{1}", "-{0}/{1}²"),
    "**": ("{1}·{0}^({1}-1)", "{0}^{1}·ln {0}"),
    "neg": ("-1",),
    "exp": ("exp({0}) = {out}",),
    "log": ("1/{0}",),
    "sqrt": ("1/(2·sqrt({0}))",),
    "tanh": ("1 - tanh²({0})",),
    "sigmoid": ("σ({0})·(1 - σ({0}))",),
    "relu": ("1 if {0} > 0 else 0",),
    "sin": ("cos({0})",),
    "cos": ("-sin({0})",),
    "abs": ("sign({0})",),
}


def graph_nodes(root: Value) -> list[Value]:
    """Every node that leads to ``root`` (constants included), inputs first and ``root`` last.

    An iterative depth-first post-order over ``parents`` in argument order: deterministic, so it
    gives nodes stable numbers, and every node comes after all of its inputs.
    """
    order: list[Value] = []
    seen = {root}
    stack = [(root, iter(root._parents))]
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if parent not in seen:
                seen.add(parent)
                stack.append((parent, iter(parent._parents)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


def node_name(node: Value, index: int) -> str:
    """A node's own name: its label, else ``v<index>`` (``const`` for an unlabelled constant)."""
    if node.label:
        return node.label
    return f"v{index}" if node.requires_grad or node._op is not None else "const"


def graph_names(nodes: list[Value]) -> dict[Value, str]:
    """The name of every node of ``nodes`` (as :func:`graph_nodes` lists them, root last).

    Labels, else ``v<index>``; an unlabelled root is ``L`` (``out`` if a node is labelled L).
    """
    names = {node: node_name(node, i) for i, node in enumerate(nodes)}
    if nodes and not nodes[-1].label:
        taken = any(node.label == ROOT_NAME for node in nodes)
        names[nodes[-1]] = "out" if taken else ROOT_NAME
    return names


def format_number(x: Any) -> str:
    """A number in at most 4 significant digits, always with a decimal point (``-2.0``)."""
    x = float(np.asarray(x.data if isinstance(x, Value) else x).reshape(()))
    text = f"{x:.4g}"
    if text.lstrip("-").isdigit():
        text += ".0"
    return text


def summarize(x: Any) -> str:
    """Up to 4 numbers in full, else mean, min and max."""
    array = np.asarray(x.data if isinstance(x, Value) else x)
    if array.size == 0:
        return "empty"
    if array.size <= 4:
        return "[" + ", ".join(format_number(v) for v in array.ravel()) + "]"
    if array.dtype.kind == "b":
        array = array.astype(np.int64)
    return (
        f"mean {format_number(array.mean())}  min {format_number(array.min())}  "
        f"max {format_number(array.max())}"
    )


def show(x: Any) -> str:
    """A number as itself; an array as its shape and norm (‖·‖, the Euclidean norm)."""
    array = np.asarray(x.data if isinstance(x, Value) else x)
    if array.shape == ():
        return format_number(array)
    if array.size == 1:
        return format_number(array.reshape(()))
    return f"[shape {array.shape}, ‖·‖ = {format_number(np.linalg.norm(array.ravel()))}]"


def settings_text(node: Value, sep: str = ", ") -> str:
    """The op's short settings (``axis=1``); defaults (None, False), arrays and long values
    are left out."""
    parts = []
    for key, value in (node._settings or {}).items():
        if value is None or value is False or isinstance(value, np.ndarray):
            continue
        text = f"{key}={value!r}"
        if len(text) <= 24:
            parts.append(text)
    return sep.join(parts)


def argument_name(parent: Value, names: dict[Value, str]) -> str:
    """How an input appears in a formula: its name, or an unlabelled constant's number."""
    if parent.requires_grad or parent.label:
        return names[parent]
    return format_number(parent.data) if parent.shape == () else f"const{parent.shape}"


def formula(node: Value, names: dict[Value, str]) -> str:
    """The right-hand side of how ``node`` was computed, in names: ``a * b``, ``tanh(n)``."""
    args = [argument_name(p, names) for p in node._parents]
    if node.op in INFIX and len(args) == 2:
        return f"{args[0]} {node.op} {args[1]}"
    extra = settings_text(node)
    return f"{node.op}({', '.join(args + ([extra] if extra else []))})"


def local_rule(node: Value, position: int, names: dict[Value, str]) -> str | None:
    """∂node/∂(input ``position``) in words for a common scalar op (``1 - tanh²(n)``), or None."""
    rules = LOCAL_RULES.get(node.op)
    if rules is None or position >= len(rules) or node.size != 1:
        return None
    args = [argument_name(p, names) for p in node._parents]
    return rules[position].format(*args, out=names[node])
