"""``draw_graph``: a computation graph as a picture (a ``graphviz.Digraph``).

Each ``Value`` is a box (its name, then data and gradient); each op that made a value is a small
circle with the op's symbol, between the op's inputs and its result::

    [a | data 2.0 | grad -3.0] ──▶ (*) ──▶ [e | data -6.0 | grad 1.0]
    [b | data -3.0 | grad 2.0] ──▶

Nodes are numbered ``v0, v1, …`` in one fixed traversal (inputs first, the root last), so the
same graph always gives the same DOT text, and the names match those ``backward_steps`` uses.
The walk is iterative: graphs of any depth can be drawn.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd.render import Drawing
from autograd.value import Value

# Colours (fill of the name cell, borders and text).
LEAF = "#dbeafe"  # a leaf that needs a gradient: an input or a parameter
ROOT = "#dcfce7"  # the node the drawing starts from
PLAIN = "#f3f4f6"  # an intermediate result
CONSTANT = "#9ca3af"  # numbers and arrays that entered an op: no gradient
GRAD_TEXT = "#b91c1c"
FOCUS = "#f59e0b"  # highlighted node (e.g. the node a backward step is at)
FOCUS_FILL = "#fde68a"
MARKED_FILL = "#fef3c7"  # its parents, which just received gradient
CLUSTER = "#6b7280"

INFIX = {"+", "-", "*", "/", "**", "@"}


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
    """What a node is called in drawings and explanations: its label, else ``v<index>``."""
    if node.label:
        return node.label
    return f"v{index}" if node.requires_grad or node._op is not None else "const"


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


def draw_graph(
    root: Value,
    *,
    rankdir: str = "LR",
    show_data: bool = True,
    show_grad: bool = True,
    highlight: Any = None,
    group_modules: bool = True,
    max_nodes: int | None = 150,
) -> Drawing:
    """Draw the graph that leads to ``root``: a ``graphviz.Digraph`` (shown inline in Jupyter).

    - ``rankdir``: "LR" (inputs on the left) or "TB" (inputs on top), as in Graphviz.
    - ``show_data`` / ``show_grad``: show values and gradients. A scalar shows its number; a
      tensor its shape, dtype and a summary (up to 4 numbers, else mean, min and max).
    - ``highlight``: a ``Value``, several, or a ``Step`` of ``backward_steps`` (its node is
      highlighted, the parents it just passed gradient to are marked).
    - ``group_modules``: nodes made inside an ``nn.Module`` call are drawn in one box per
      module (a parameter joins the box of the innermost module that owns it).
    - ``max_nodes``: at most this many values are drawn (None: all). Beyond it the values
      nearest the inputs and those nearest the root are kept and one node says how many in
      the middle were left out.

    Colours: blue = leaves that get a gradient, grey = constants, green = ``root``.
    Render with ``.render("name", format="png")`` or ``.pipe(format="svg")``; the dot program
    is found as :mod:`autograd.render` describes.
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_graph: root must be a Value, got {type(root).__name__}")
    if max_nodes is not None and max_nodes < 2:
        raise ValueError(f"draw_graph: max_nodes must be at least 2 (or None), got {max_nodes}")
    nodes = graph_nodes(root)
    ids = {node: f"v{i}" for i, node in enumerate(nodes)}
    names = {node: node_name(node, i) for i, node in enumerate(nodes)}
    shown = nodes
    elided: set[Value] = set()
    if max_nodes is not None and len(nodes) > max_nodes:
        head = max_nodes // 2
        tail = max_nodes - head
        shown = nodes[:head] + nodes[len(nodes) - tail :]
        elided = set(nodes[head : len(nodes) - tail])
    focus, marked = _highlighted(highlight)

    graph = Drawing(
        name="glassgrad",
        graph_attr={"rankdir": rankdir, "nodesep": "0.2", "ranksep": "0.3",
                    "fontname": "Helvetica", "fontsize": "11"},
        node_attr={"fontname": "Helvetica", "fontsize": "11"},
        edge_attr={"arrowsize": "0.6", "color": "#4b5563"},
    )  # fmt: skip

    clusters = _clusters(shown) if group_modules else {}
    groups: dict[Any, list[Value]] = {None: []}
    for node in shown:
        groups.setdefault(clusters.get(node), []).append(node)
    for key, members in groups.items():
        if key is None:
            target = graph
        else:
            title, number = key
            target = Drawing(
                name=f"cluster_{number}",
                graph_attr={"label": title, "style": "rounded,dashed", "color": CLUSTER,
                            "fontcolor": CLUSTER, "labeljust": "l"},
            )  # fmt: skip
        for node in members:
            fill = None
            if node in focus:
                fill = FOCUS_FILL
            elif node in marked:
                fill = MARKED_FILL
            label = _value_label(
                node, names[node], node is root, fill, node in focus, show_data, show_grad
            )
            target.node(ids[node], label=f"<{label}>", shape="plain")
            if node._op is not None:
                op = node.op
                extra = settings_text(node, "\\n")
                target.node(
                    f"{ids[node]}_op",
                    label=op + ("\\n" + extra if extra else ""),
                    shape="circle" if len(op) <= 2 and not extra else "ellipse",
                    width="0.3",
                    height="0.3",
                    margin="0.02",
                    fontsize="10" if len(op) > 2 else "12",
                    style="filled",
                    fillcolor=FOCUS_FILL if node in focus else "white",
                    color=FOCUS if node in focus else "#4b5563",
                )
        if key is not None:
            graph.subgraph(target)

    if elided:
        graph.node(
            "elided",
            label=f"... {len(elided)} nodes not shown ...\\n(max_nodes={max_nodes})",
            shape="note",
            style="filled",
            fillcolor="#f9fafb",
            fontcolor="#374151",
        )
    seen_elided_edges: set[str] = set()
    for node in nodes:
        if node._op is None:
            continue
        if node in elided:
            for parent in node._parents:
                if parent not in elided and ids[parent] not in seen_elided_edges:
                    seen_elided_edges.add(ids[parent])
                    graph.edge(ids[parent], "elided", style="dashed")
            continue
        op_id = f"{ids[node]}_op"
        hot = node in focus
        for parent in node._parents:
            if parent in elided:
                if op_id not in seen_elided_edges:
                    seen_elided_edges.add(op_id)
                    graph.edge("elided", op_id, style="dashed")
            elif hot and parent in marked:
                graph.edge(ids[parent], op_id, color=FOCUS, penwidth="2.5", dir="back")
            else:
                graph.edge(ids[parent], op_id)
        if hot:
            graph.edge(op_id, ids[node], color=FOCUS, penwidth="2.5", dir="back")
        else:
            graph.edge(op_id, ids[node])
    return graph


def _highlighted(highlight: Any) -> tuple[set[Value], set[Value]]:
    """(nodes to highlight, nodes to mark) from a Value, several Values or a Step."""
    from autograd.steps import Step

    if highlight is None:
        return set(), set()
    if isinstance(highlight, Step):
        return {highlight.node}, {p.parent for p in highlight.parents}
    if isinstance(highlight, Value):
        return {highlight}, set()
    if isinstance(highlight, Iterable):
        values = list(highlight)
        if all(isinstance(v, Value) for v in values):
            return set(values), set()
    raise TypeError(
        "draw_graph(highlight=...) takes a Value, a list of Values or a Step from "
        f"backward_steps, got {type(highlight).__name__}"
    )


def _clusters(nodes: list[Value]) -> dict[Value, tuple[str, int]]:
    """The module box of each node made inside an nn.Module call: (title, number)."""
    modules: dict[int, Any] = {}
    for node in nodes:
        if node._scope is not None:
            modules.setdefault(id(node._scope), node._scope)
    if not modules:
        return {}
    # Parameters are made outside any call: give each to the smallest module that owns it.
    owner: dict[int, Any] = {}
    sizes: dict[int, int] = {}
    for key, module in modules.items():
        parameters = getattr(module, "parameters", None)
        if callable(parameters):
            params = list(parameters())
            sizes[key] = len(params)
            for p in params:
                best = owner.get(id(p))
                if best is None or len(params) < sizes[id(best)]:
                    owner[id(p)] = module
    # Number the boxes in data-flow order: by where each module's output (its last node) is.
    last: dict[int, int] = {}
    for i, node in enumerate(nodes):
        if node._scope is not None:
            last[id(node._scope)] = i
    ordered = sorted(modules, key=last.__getitem__)
    counts: dict[str, int] = {}
    for key in ordered:
        kind = type(modules[key]).__name__
        counts[kind] = counts.get(kind, 0) + 1
    titles: dict[int, tuple[str, int]] = {}
    seen: dict[str, int] = {}
    for number, key in enumerate(ordered):
        kind = type(modules[key]).__name__
        seen[kind] = seen.get(kind, 0) + 1
        titles[key] = (kind if counts[kind] == 1 else f"{kind} #{seen[kind]}", number)
    result: dict[Value, tuple[str, int]] = {}
    for node in nodes:
        module = node._scope if node._scope is not None else owner.get(id(node))
        if module is not None:
            result[node] = titles[id(module)]
    return result


def _value_label(
    node: Value,
    name: str,
    is_root: bool,
    fill: str | None,
    focused: bool,
    show_data: bool,
    show_grad: bool,
) -> str:
    """The HTML-like table drawn for one value."""
    constant = not node.requires_grad
    if constant:
        name_fill, text = "white", CONSTANT
    elif is_root:
        name_fill, text = ROOT, "black"
    elif node._op is None:
        name_fill, text = LEAF, "black"
    else:
        name_fill, text = PLAIN, "black"
    border = FOCUS if focused else (CONSTANT if constant else "#4b5563")
    font = f'<FONT COLOR="{text}">'
    cells = [f'<TD BGCOLOR="{name_fill}">{font}<B>{html.escape(name)}</B></FONT></TD>']
    scalar = node.shape == ()
    if not scalar:
        cells.append(f"<TD>{font}{node.shape} {node.dtype}</FONT></TD>")
    if show_data:
        data = format_number(node.data) if scalar else summarize(node.data)
        cells.append(f"<TD>{font}data {html.escape(data)}</FONT></TD>")
    if show_grad and not constant:
        if node.grad is None:
            grad, colour = "None", CONSTANT
        else:
            grad = format_number(node.grad) if scalar else summarize(node.grad)
            colour = GRAD_TEXT
        cells.append(f'<TD><FONT COLOR="{colour}">grad {html.escape(grad)}</FONT></TD>')
    rows = "".join(cells) if scalar else "".join(f"<TR>{c}</TR>" for c in cells)
    if scalar:
        rows = f"<TR>{rows}</TR>"
    background = f' BGCOLOR="{fill}"' if fill else ""
    width = "3" if focused else "0"
    return (
        f'<TABLE BORDER="{width}" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" '
        f'COLOR="{border}"{background}>{rows}</TABLE>'
    )
