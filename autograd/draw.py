"""``draw_graph``: a computation graph as a picture (a ``graphviz.Digraph``).

Each ``Value`` is a box (its name, then data and gradient); each op that made a value is a small
circle with the op's symbol, between the op's inputs and its result::

    [a | data 2.0 | grad -3.0] ──▶ (*) ──▶ [e | data -6.0 | grad 1.0]
    [b | data -3.0 | grad 2.0] ──▶

Nodes are numbered ``v0, v1, …`` in one fixed traversal (inputs first, the root last), so the
same graph always gives the same DOT text; names come from :mod:`autograd.names`, the module
``backward_steps`` and the player use too, so a node is called the same everywhere. The walk is
iterative: graphs of any depth can be drawn. The ``graphviz`` package is imported when a
drawing is first made, not with ``autograd``.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from autograd.names import (  # noqa: F401  (re-exported: older code imports them from here)
    INFIX,
    format_number,
    graph_names,
    graph_nodes,
    node_name,
    settings_text,
    summarize,
)
from autograd.value import Value

if TYPE_CHECKING:
    from autograd.render import Drawing

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


def draw_graph(
    root: Value,
    *,
    rankdir: str = "LR",
    show_data: bool = True,
    show_grad: bool = True,
    highlight: Any = None,
    group_modules: bool = True,
    max_nodes: int | None = 150,
    size: str | float = "fit",
) -> Drawing:
    """Draw the graph that leads to ``root``: a ``graphviz.Digraph`` (shown inline in Jupyter).

    - ``rankdir``: "LR" (inputs on the left) or "TB" (inputs on top), as in Graphviz.
    - ``show_data`` / ``show_grad``: show values and gradients. A scalar shows its number; a
      tensor its shape, dtype and a summary (up to 4 numbers, else mean, min and max).
    - ``highlight``: a ``Value``, several, or a ``Step`` of ``backward_steps``: its node is
      highlighted, the parents it just passed gradient to are marked, and the gradients drawn
      are those of that moment (``step.grads``), not the final ``.grad``.
    - ``group_modules``: nodes made inside an ``nn.Module`` call are drawn in one box per
      module (a parameter joins the box of the innermost module that owns it).
    - ``max_nodes``: at most this many values are drawn (None: all). Beyond it the values
      nearest the inputs and those nearest the root are kept and one node says how many in
      the middle were left out.
    - ``size``: how big it shows in a notebook. "fit" (default) shrinks a wide drawing to the
      width of the output; "natural" keeps Graphviz's own size; a number scales that size
      (``size=0.5`` is half). Files written by ``.render`` are not affected.

    Colours: blue = leaves that get a gradient, grey = constants, green = ``root``.
    Render with ``.render("name", format="png")`` or ``.pipe(format="svg")``; the dot program
    is found as :mod:`autograd.render` describes. In Jupyter the drawing is sent as SVG and as
    PNG (for viewers that do not show SVG, or an untrusted notebook).
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_graph: root must be a Value, got {type(root).__name__}")
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(
            f"draw_graph: rankdir={rankdir!r} is not a Graphviz direction; use 'LR' (inputs on "
            "the left) or 'TB' (inputs on top), or 'RL'/'BT'"
        )
    focus, marked, grads = _highlighted(highlight)
    return build_drawing(
        root, rankdir=rankdir, show_data=show_data, show_grad=show_grad, focus=focus,
        marked=marked, grads=grads, group_modules=group_modules, max_nodes=max_nodes, size=size,
    )  # fmt: skip


def build_drawing(
    root: Value,
    *,
    rankdir: str = "LR",
    show_data: bool = True,
    show_grad: bool = True,
    focus: set[Value] | None = None,
    marked: set[Value] | None = None,
    grads: dict[Value, Any] | None = None,
    group_modules: bool = True,
    max_nodes: int | None = 150,
    size: str | float = "fit",
    id_prefix: str | None = None,
    texts: dict[Value, tuple[str, str]] | None = None,
    edge_labels: dict[tuple[Value, int], str] | None = None,
) -> Drawing:
    """The drawing behind :func:`draw_graph`, with the player's extra knobs.

    ``grads`` replaces ``.grad`` (a node missing from it shows ``None``); ``id_prefix`` gives
    every node and edge an SVG id (``<prefix>v3``, ``<prefix>v3_op``, ``<prefix>e3_0`` for
    the edge from input 0 into v3's op); ``texts`` sets a value's data and grad cell text;
    ``edge_labels`` labels the edge from input ``i`` into ``node``'s op, keyed ``(node, i)``.
    """
    from autograd.render import Drawing, check_size

    check_size(size)
    if max_nodes is not None and max_nodes < 2:
        raise ValueError(f"draw_graph: max_nodes must be at least 2 (or None), got {max_nodes}")
    focus, marked = focus or set(), marked or set()
    nodes = graph_nodes(root)
    ids = {node: f"v{i}" for i, node in enumerate(nodes)}
    names = graph_names(nodes)
    shown = nodes
    elided: set[Value] = set()
    if max_nodes is not None and len(nodes) > max_nodes:
        head = max_nodes // 2
        tail = max_nodes - head
        shown = nodes[:head] + nodes[len(nodes) - tail :]
        elided = set(nodes[head : len(nodes) - tail])

    def svg_id(name: str) -> dict[str, str]:
        return {"id": f"{id_prefix}{name}"} if id_prefix is not None else {}

    graph = Drawing(
        name="glassgrad",
        graph_attr={"rankdir": rankdir, "nodesep": "0.2", "ranksep": "0.3",
                    "fontname": "Helvetica", "fontsize": "11"},
        node_attr={"fontname": "Helvetica", "fontsize": "11"},
        edge_attr={"arrowsize": "0.6", "color": "#4b5563", "fontname": "Helvetica",
                   "fontsize": "9", "fontcolor": "#6b7280"},
    )  # fmt: skip
    graph.display_size = size

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
            if texts is not None and node in texts:
                data_text, grad_text = texts[node]
            else:
                data_text = _number_text(node.data, node.shape)
                grad = node.grad if grads is None else grads.get(node)
                grad_text = "None" if grad is None else _number_text(grad, node.shape)
            label = _value_label(
                node, names[node], node is root, fill, node in focus,
                data_text if show_data else None, grad_text if show_grad else None,
            )  # fmt: skip
            target.node(ids[node], label=f"<{label}>", shape="plain", **svg_id(ids[node]))
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
                    **svg_id(f"{ids[node]}_op"),
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
        for position, parent in enumerate(node._parents):
            extra = svg_id(f"e{ids[node][1:]}_{position}")
            text = (edge_labels or {}).get((node, position))
            if text:
                extra["label"] = text
            if parent in elided:
                if op_id not in seen_elided_edges:
                    seen_elided_edges.add(op_id)
                    graph.edge("elided", op_id, style="dashed")
            elif hot and parent in marked:
                graph.edge(ids[parent], op_id, color=FOCUS, penwidth="2.5", dir="back", **extra)
            else:
                graph.edge(ids[parent], op_id, **extra)
        extra = svg_id(f"e{ids[node][1:]}_out")
        if hot:
            graph.edge(op_id, ids[node], color=FOCUS, penwidth="2.5", dir="back", **extra)
        else:
            graph.edge(op_id, ids[node], **extra)
    return graph


def _number_text(x: Any, shape: tuple[int, ...]) -> str:
    return format_number(x) if shape == () else summarize(x)


def _highlighted(highlight: Any) -> tuple[set[Value], set[Value], dict[Value, Any] | None]:
    """(nodes to highlight, nodes to mark, gradients to show) from a Value, Values or a Step.

    A step (anything with ``node`` and ``parents``, as :class:`autograd.steps.Step`) brings the
    gradients of its moment in ``step.grads`` when it has them.
    """
    if highlight is None:
        return set(), set(), None
    if isinstance(highlight, Value):
        return {highlight}, set(), None
    if hasattr(highlight, "node") and hasattr(highlight, "parents"):
        grads = getattr(highlight, "grads", None)
        return {highlight.node}, {p.parent for p in highlight.parents}, grads
    if isinstance(highlight, Iterable) and not isinstance(highlight, str):
        values = list(highlight)
        if all(isinstance(v, Value) for v in values):
            return set(values), set(), None
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
    data: str | None,
    grad: str | None,
) -> str:
    """The HTML-like table drawn for one value (``data``/``grad``: cell texts, None: no cell)."""
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
    if data is not None:
        cells.append(f"<TD>{font}data {html.escape(data)}</FONT></TD>")
    if grad is not None and not constant:
        colour = CONSTANT if grad == "None" else GRAD_TEXT
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
