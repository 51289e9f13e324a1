"""``step_through``: a player that steps through backpropagation (or the forward pass) frame by
frame, in any page that shows HTML — a live notebook, a saved one, exported HTML, VS Code or a
static file.

The frames come from :func:`autograd.backward_steps`, the walk ``backward()`` itself runs, so
the last frame's gradients are exactly ``backward()``'s. The page is self-contained: the graph
is laid out once (one inline SVG, so nodes never jump between frames), every frame is a small
record of what to highlight and which numbers to write, and a few lines of plain JavaScript
switch between them. Nothing is fetched and no kernel is needed; without JavaScript (a static
viewer) the first frame shows.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from autograd.names import (
    argument_name,
    format_number,
    formula,
    graph_names,
    graph_nodes,
    show,
    summarize,
)
from autograd.steps import backward_steps
from autograd.value import Value

DIRECTIONS = ("backward", "forward")
_PAGES = itertools.count()  # pages made in this process (part of each page's id)


@dataclass
class Frame:
    """One picture of the player: what is highlighted and what the numbers are at that moment.

    ``grads`` maps a node to this pass's gradient so far (backward); ``computed`` the nodes whose
    data is known (forward). ``lines`` is the text under the picture (the chain-rule lines),
    ``questions`` what a quiz asks at this frame: (node, the gradient so far, the working).
    """

    title: str
    node: Value | None = None
    marked: tuple[Value, ...] = ()
    edges: tuple[str, ...] = ()
    grads: dict[Value, Any] = field(default_factory=dict)
    computed: frozenset[Value] = frozenset()
    new: tuple[Value, ...] = ()
    lines: tuple[str, ...] = ()
    questions: tuple[tuple[Value, float, str], ...] = ()


class Player:
    """Frames over a graph, shown as a self-contained HTML page (``_repr_html_``, ``save``).

    ``frames`` is the list of :class:`Frame`; ``html()`` the page fragment; ``save(path)``
    writes a whole page.
    """

    def __init__(
        self,
        root: Value,
        frames: list[Frame],
        *,
        direction: str,
        quiz: bool,
        message: str,
        drawing: Any,
        edge_labels: dict[tuple[Value, int], str],
    ) -> None:
        self.root = root
        self.frames = frames
        self.direction = direction
        self.quiz = quiz
        self.message = message
        self._drawing = drawing
        self._edge_labels = edge_labels
        self._nodes = graph_nodes(root)
        self.shown = list(range(len(self._nodes)))  # indices of the nodes drawn (not elided)
        self._names = graph_names(self._nodes)
        self._loss = self._names[root]

    def __repr__(self) -> str:
        quiz = ", quiz" if self.quiz else ""
        return f"<glassgrad player: {self.direction}{quiz}, {len(self.frames)} frames>"

    def __len__(self) -> int:
        return len(self.frames)

    def _repr_html_(self) -> str:
        return self.html()

    def save(self, path: str | Path) -> Path:
        """Write the player as a whole HTML page (open it in any browser, no server needed)."""
        path = Path(path)
        title = "glassgrad: " + ("backpropagation" if self.direction == "backward" else
                                 "the forward pass") + ", step by step"  # fmt: skip
        page = (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)}</title>\n</head>\n<body>\n{self.html()}\n</body>\n"
            "</html>\n"
        )
        path.write_text(page, encoding="utf-8")
        return path

    # ------------------------------------------------------------------------------ the page
    def html(self) -> str:
        """The player as an HTML fragment: styles, the graph, the frames and the script."""
        from autograd.render import DotNotFoundError

        data = self._frames_json()
        # An id of its own for each page made in this process, the same in every fresh run (so a
        # notebook stored twice stores the same page); the script finds its own player through
        # document.currentScript, so equal ids in two open notebooks cannot mix them up either.
        made = next(_PAGES)
        digest = hashlib.sha1(f"{made}{self._drawing.source}{data}".encode()).hexdigest()
        pid = f"gg{digest[:10]}"

        try:
            svg = self._layout_svg(pid)
        except DotNotFoundError as error:  # the steps still read without the picture
            svg = f'<pre class="gg-nodot">{html.escape(str(error))}</pre>'
        first = data["frames"][0]
        lines = "\n".join(first["quizLines"] if self.quiz else first["lines"])
        message = (
            f'<div class="gg-message">{html.escape(self.message)}</div>' if self.message else ""
        )
        legend = (
            "Orange: the node at this step (its op is circled); light orange: the inputs it "
            "just passed gradient to. Edge labels: the local derivative ∂node/∂input. "
            "grad: ∂L/∂node of this pass so far."
            if self.direction == "backward"
            else "Orange: the node computed at this step. data ?: not computed yet."
        )
        if self.quiz:
            legend = legend.replace(
                "Edge labels: the local derivative ∂node/∂input.",
                "The local derivatives are yours to work out from each op.",
            )
            legend += " Quiz: type each new gradient, then Check (Enter works too)."
        payload = json.dumps(data, ensure_ascii=True).replace("</", "<\\/")
        buttons = "".join(
            f'<button type="button" data-act="{act}" title="{tip}">{text}</button>'
            for act, text, tip in (
                ("first", "« first", "first step"),
                ("prev", "‹ back", "previous step"),
                ("play", "play", "play / pause"),
                ("next", "next ›", "next step"),
                ("last", "last »", "last step"),
            )
        )
        count = len(self.frames)
        opening = (
            f'<div id="{pid}" class="gg-player" tabindex="0" data-frame="0" data-frames="{count}">'
        )
        return f"""{opening}
<style>{_CSS.replace("#PID", "#" + pid)}</style>
{message}<div class="gg-controls">{buttons}
<input type="range" class="gg-slider" min="0" max="{count - 1}" value="0" aria-label="step">
<span class="gg-count">1 / {count}</span></div>
<div class="gg-title">{html.escape(self.frames[0].title)}</div>
<div class="gg-svg">{svg}</div>
<pre class="gg-lines">{html.escape(lines)}</pre>
<div class="gg-quiz"></div>
<div class="gg-known"></div>
<div class="gg-legend">{html.escape(legend)}</div>
<script type="application/json" class="gg-data" id="{pid}-data">{payload}</script>
<script>{_SCRIPT.replace("PID", pid)}</script>
</div>"""

    def _layout_svg(self, pid: str) -> str:
        """The graph laid out once, with ids under ``pid``, showing the first frame."""
        from autograd.render import scaled_svg, svg_size

        svg = self._drawing.pipe(format="svg", encoding="utf-8")
        svg = svg[svg.index("<svg") :]  # drop the XML prolog: the SVG sits inside HTML
        svg = re.sub(r"<!--.*?-->\n?", "", svg, flags=re.S)
        svg = svg.replace('<g id="', f'<g id="{pid}-x-').replace(f"{pid}-x-glassgrad_", f"{pid}-")
        first = self._texts(self.frames[0], first=True)

        def mark(match: re.Match[str]) -> str:
            node_id = match.group(1)
            body = match.group(2)
            data, grad = first.get(node_id, (None, None))

            def cell(kind: str, text: str | None) -> Any:
                def replace(m: re.Match[str]) -> str:
                    value = m.group(2) if text is None else html.escape(text)
                    none = " gg-none" if value == "None" else ""
                    return f'{m.group(1)} class="gg-{kind}{none}">{kind} {value}</text>'

                return replace

            body = re.sub(r"(<text[^>]*)>data ([^<]*)</text>", cell("data", data), body, count=1)
            body = re.sub(r"(<text[^>]*)>grad ([^<]*)</text>", cell("grad", grad), body, count=1)
            return f'<g id="{pid}-{node_id}" class="node">{body}</g>'

        svg = re.sub(rf'<g id="{pid}-(v\d+)" class="node">(.*?)</g>', mark, svg, flags=re.S)
        # Fit the width, but never below half the natural size: a long graph scrolls instead.
        width, _ = svg_size(svg)
        svg = scaled_svg(svg, "fit")
        return svg.replace("height: auto", f"height: auto; min-width: {width / 2:g}pt", 1)

    def _texts(self, frame: Frame, first: bool = False) -> dict[str, tuple[str | None, str]]:
        """Node id → (data text, grad text) at ``frame``, as the page shows it."""
        result: dict[str, tuple[str | None, str]] = {}
        for i in self.shown:
            node = self._nodes[i]
            if not node.requires_grad and self.direction == "backward":
                continue
            data = None
            if self.direction == "forward":
                data = _text(node.data, node.shape) if node in frame.computed else "?"
            grad = frame.grads.get(node)
            text = "None" if grad is None else _text(grad, node.shape)
            if self.quiz and first and node in frame.new:
                text = "?"
            result[f"v{i}"] = (data, text)
        return result

    def _frames_json(self) -> dict[str, Any]:
        ids = {node: f"v{i}" for i, node in enumerate(self._nodes)}
        shown = {f"v{i}" for i in self.shown}
        frames = []
        for frame in self.frames:
            texts = self._texts(frame)
            record: dict[str, Any] = {
                "title": frame.title,
                "focus": ids[frame.node] if frame.node is not None else None,
                "marked": [ids[n] for n in frame.marked],
                "edges": list(frame.edges),
                "grads": {k: g for k, (_, g) in texts.items() if g != "None"},
                "new": [ids[n] for n in frame.new],
                "lines": list(frame.lines),
                "known": [[ids[n], self._names[n]] for n in frame.grads if ids[n] in shown],
            }
            if self.direction == "forward":
                record["data"] = {k: d for k, (d, _) in texts.items()}
            if self.quiz:
                record["questions"] = [
                    {"id": ids[n], "name": f"d{self._loss}/d{self._names[n]}",
                     "answer": answer, "text": format_number(answer), "working": working}
                    for n, answer, working in frame.questions
                ]  # fmt: skip
                asked = {q[0] for q in frame.questions}
                record["quizLines"] = [
                    line
                    for line in frame.lines
                    if not any(line.startswith(f"d{self._loss}/d{self._names[n]} ") for n in asked)
                ] + [f"d{self._loss}/d{self._names[n]} = ?" for n in asked]
            frames.append(record)
        return {"frames": frames, "quiz": self.quiz, "direction": self.direction,
                "loss": self._loss}  # fmt: skip


def _text(x: Any, shape: tuple[int, ...]) -> str:
    return format_number(x) if shape == () else summarize(x)


# ---------------------------------------------------------------------------------- building
def step_through(
    root: Value,
    *,
    direction: str = "backward",
    quiz: bool = False,
    grad: Any = None,
    rankdir: str = "LR",
    group_modules: bool = True,
    max_nodes: int | None = 60,
    max_frames: int = 200,
) -> Player:
    """A player over the graph of ``root``: first / previous / next / last / play and a slider.

    - ``direction="backward"``: one frame per node in the order ``root.backward()`` visits
      them (:func:`autograd.backward_steps`, the same walk): the node highlighted, each edge
      labelled with its local derivative, the gradients known so far, and the chain-rule
      lines. A node used by several others shows its gradient as the sum over them, growing
      as each consumer passes its share. The last frame's gradients are ``backward()``'s.
    - ``direction="forward"``: the inputs first, then one frame per op as it is computed.
    - ``quiz=True`` (backward): the new gradients of each step are hidden, and so are the edges'
      local derivatives; the learner types each gradient and the page marks it right or wrong,
      showing the working after a wrong answer.
    - Big graphs: at most ``max_nodes`` values are drawn (the middle is elided, as in
      ``draw_graph``) and at most ``max_frames`` frames kept (the last one always shows the
      final gradients); the page says what was left out.

    The player leaves ``.grad`` as it was (it shows this pass's gradients, ∂root/∂node, as
    ``backward()`` would add them). ``grad`` is ∂L/∂root for a root with several elements.
    In Jupyter the player shows itself; ``player.save("steps.html")`` writes the same page.
    """
    if not isinstance(root, Value):
        raise TypeError(f"step_through: root must be a Value, got {type(root).__name__}")
    if direction not in DIRECTIONS:
        raise ValueError(f'step_through: direction must be "backward" or "forward", got '
                         f"{direction!r}")  # fmt: skip
    if quiz and direction != "backward":
        raise ValueError("step_through: quiz=True asks for gradients: use direction='backward'")
    if direction == "backward" and not root.requires_grad:
        raise RuntimeError(
            "step_through(): this Value does not require a gradient (made from constants only, "
            "or inside no_grad()), so there is no backward pass to step through; create inputs "
            "with Value(...) outside no_grad(), or use direction='forward'"
        )
    if max_frames < 2:
        raise ValueError(f"step_through: max_frames must be at least 2, got {max_frames}")
    from autograd.draw import build_drawing

    nodes = graph_nodes(root)
    if direction == "backward":
        frames, edge_labels, total = _backward_frames(root, nodes, grad, max_frames, quiz)
    else:
        frames, total = _forward_frames(nodes, max_frames)
        edge_labels = {}
    message = []
    if max_nodes is not None and len(nodes) > max_nodes:
        message.append(
            f"This graph has {len(nodes)} values; the drawing shows {max_nodes} (those "
            "nearest the inputs and the output) and elides the middle."
        )
    if total > len(frames):
        message.append(
            f"{total} steps: showing the first {len(frames) - 1} and the end "
            f"(max_frames={max_frames})."
        )
    player = Player(root, frames, direction=direction, quiz=quiz, message=" ".join(message),
                    drawing=None, edge_labels=edge_labels)  # fmt: skip
    if max_nodes is not None and len(nodes) > max_nodes:  # as draw_graph elides the middle
        head, tail = max_nodes // 2, max_nodes - max_nodes // 2
        player.shown = list(range(head)) + list(range(len(nodes) - tail, len(nodes)))
    texts = _widest_texts(player)
    player._drawing = build_drawing(
        root, rankdir=rankdir, show_data=True, show_grad=direction == "backward",
        group_modules=group_modules, max_nodes=max_nodes, id_prefix="glassgrad_",
        texts=texts, edge_labels={} if quiz else edge_labels,
    )  # fmt: skip
    return player


def _widest_texts(player: Player) -> dict[Value, tuple[str, str]]:
    """Per node, the longest data and grad texts of all frames: the layout leaves room for
    them, so the graph never has to move."""
    widest: dict[Value, tuple[str, str]] = {}
    samples = [player.frames[0], player.frames[-1]] + player.frames[1:-1]
    for node in (player._nodes[i] for i in player.shown):
        data = [_text(node.data, node.shape), "?"]
        grads = ["None", "?"]
        for frame in samples:
            value = frame.grads.get(node)
            if value is not None:
                grads.append(_text(value, node.shape))
        widest[node] = (max(data, key=len), max(grads, key=len))
    return widest


def _backward_frames(
    root: Value, nodes: list[Value], grad: Any, max_frames: int, quiz: bool
) -> tuple[list[Frame], dict[tuple[Value, int], str], int]:
    """The frames of the backward walk (at most ``max_frames``), the edges' local derivatives,
    and how many steps the walk had."""
    names = graph_names(nodes)
    loss = names[root]
    where = {node: i for i, node in enumerate(nodes)}
    consumers: dict[Value, int] = {}
    for node in nodes:
        if node._op is not None and node.requires_grad:
            for parent in node._parents:
                if parent.requires_grad:
                    consumers[parent] = consumers.get(parent, 0) + 1
    before = {node: node.grad for node in nodes}
    received: dict[Value, list[tuple[str, Any]]] = {}
    so_far: dict[Value, Any] = {}
    edge_labels: dict[tuple[Value, int], str] = {}
    frames: list[Frame] = []
    last: Any = None
    count = 0

    def moment(step: Any) -> dict[Value, Any]:
        snapshot = getattr(step, "grads", None)  # the walk's own record, when it keeps one
        return dict(snapshot if snapshot is not None else so_far)

    try:
        for step in backward_steps(root, grad):
            count += 1
            if not so_far:
                so_far[step.node] = step.upstream
            positions = [i for i, p in enumerate(step.node._parents) if p.requires_grad]
            for position, (parent, local, contribution) in zip(positions, step.parents,
                                                              strict=False):  # fmt: skip
                previous = so_far.get(parent)
                so_far[parent] = contribution if previous is None else previous + contribution
                received.setdefault(parent, []).append((step.name, contribution))
                if local is not None and np.size(local) == 1:
                    edge_labels[(step.node, position)] = f"local {show(local)}"
            last = step
            if len(frames) < max_frames - 1:
                frame = _backward_frame(
                    step, moment(step), names, loss, consumers, received, quiz, where
                )
                frames.append(frame)
    finally:
        for node, value in before.items():  # the player only looks: .grad stays as it was
            node.grad = value
    if count > len(frames):
        grads = moment(last)
        frames.append(Frame(
            title=f"The end: {count - len(frames)} more steps ran; every gradient is complete",
            grads=grads,
            lines=tuple(f"d{loss}/d{names[n]} = {show(g)}" for n, g in grads.items()
                        if n._op is None),
        ))  # fmt: skip
    return frames, edge_labels, count


def _backward_frame(
    step: Any,
    grads: dict[Value, Any],
    names: dict[Value, str],
    loss: str,
    consumers: dict[Value, int],
    received: dict[Value, list[tuple[str, Any]]],
    quiz: bool,
    where: dict[Value, int],
) -> Frame:
    node = step.node
    number = step.index + 1
    if node._op is None:
        title = f"Step {number}: {step.name} is a leaf — its gradient is complete"
        return Frame(title=title, node=node, grads=grads, lines=(step.explain(),))
    lines = step.explain().splitlines()
    parents = tuple(dict.fromkeys(p.parent for p in step.parents))
    index = where[node]
    edges = tuple(f"e{index}_{i}" for i, p in enumerate(node._parents) if p.requires_grad) + (
        f"e{index}_out",
    )
    questions = []
    for parent in parents:
        shares = received[parent]
        total = consumers.get(parent, 1)
        working = "; ".join(
            line for line in lines[1:] if line.startswith(f"d{loss}/d{names[parent]} ")
        )
        if total > 1:
            target = f"d{loss}/d{names[parent]}"
            if len(shares) == 1:
                sum_line = (
                    f"{target} so far = {show(grads[parent])}    ({names[parent]} is used "
                    f"{total} times: 1 of {total} has passed its share back)"
                )
            else:
                terms = " + ".join(show(c) for _, c in shares)
                done = "all" if len(shares) == total else f"{len(shares)} of {total}"
                sum_line = (
                    f"{target} = {terms} = {show(grads[parent])}    (the sum over the "
                    f"{total} uses of {names[parent]}: {done} have passed their share back)"
                )
            lines.append(sum_line)
            working += "; " + sum_line
        if quiz and np.size(grads[parent]) == 1:
            questions.append((parent, float(np.asarray(grads[parent]).reshape(())), working))
    title = f"Step {number}: at {step.name} = {step.expression().split(' = ', 1)[1]}"
    return Frame(
        title=title, node=node, marked=parents, edges=edges, grads=grads, new=parents,
        lines=tuple(lines), questions=tuple(questions),
    )  # fmt: skip


def _forward_frames(nodes: list[Value], max_frames: int) -> tuple[list[Frame], int]:
    """The inputs, then one frame per op in the order they were computed (at most
    ``max_frames``, the last op always among them), and how many frames there were in all."""
    names = graph_names(nodes)
    position = {node: i for i, node in enumerate(nodes)}
    computed = {n for n in nodes if n._op is None}
    lines = [f"{names[n]} = {_text(n.data, n.shape)}" for n in nodes if n._op is None
             and n.requires_grad]  # fmt: skip
    frames = [Frame(title="The inputs: the numbers the computation starts from",
                    computed=frozenset(computed), lines=tuple(lines))]  # fmt: skip
    ops = [n for n in nodes if n._op is not None]
    for count, node in enumerate(ops, start=1):
        computed.add(node)
        if len(frames) >= max_frames - 1 and node is not ops[-1]:
            continue
        rule = formula(node, names)
        line = f"{names[node]} = {rule} = {_text(node.data, node.shape)}"
        if node.shape != ():
            line += f"    (shape {node.shape})"
        elif all(p.shape == () for p in node._parents):
            numbers = ", ".join(
                f"{argument_name(p, names)} = {format_number(p.data)}"
                for p in node._parents
                if p.requires_grad or p.label
            )
            line += f"    ({numbers})" if numbers else ""
        index = position[node]
        edges = tuple(f"e{index}_{i}" for i in range(len(node._parents))) + (f"e{index}_out",)
        frames.append(Frame(
            title=f"Step {count}: compute {names[node]} = {rule}", node=node,
            marked=tuple(dict.fromkeys(node._parents)), edges=edges,
            computed=frozenset(computed), lines=(line,),
        ))  # fmt: skip
    return frames, 1 + len(ops)


# ------------------------------------------------------------------------------- the page
_CSS = """
#PID { font-family: Helvetica, Arial, sans-serif; font-size: 13px; max-width: 100%; }
#PID .gg-controls { display: flex; gap: 4px; align-items: center; flex-wrap: wrap;
  margin: 4px 0; }
#PID button { font-size: 13px; padding: 2px 8px; cursor: pointer; }
#PID .gg-slider { flex: 1 1 160px; min-width: 100px; }
#PID .gg-title { font-weight: bold; margin: 4px 0; }
#PID .gg-message { background: #fef3c7; border: 1px solid #f59e0b; padding: 4px 8px;
  margin: 4px 0; }
#PID .gg-svg { overflow-x: auto; }
#PID .gg-lines { background: #f9fafb; border: 1px solid #e5e7eb; padding: 6px;
  white-space: pre-wrap; font-size: 12px; margin: 4px 0; }
#PID .gg-known { font-size: 12px; color: #374151; max-height: 6em; overflow-y: auto; }
#PID .gg-legend { font-size: 11px; color: #6b7280; margin-top: 4px; }
#PID .gg-quiz input { width: 7em; margin: 0 4px; }
#PID .gg-right { color: #15803d; font-weight: bold; }
#PID .gg-wrong { color: #b91c1c; }
#PID .gg-focus polygon, #PID .gg-focus ellipse { stroke: #f59e0b; stroke-width: 3px; }
#PID .gg-focus > polygon:first-of-type, #PID .gg-focus ellipse { fill: #fde68a; }
#PID .gg-marked polygon { stroke: #f59e0b; stroke-width: 1.5px; }
#PID .gg-marked > polygon:first-of-type { fill: #fef3c7; }
#PID .gg-hot path { stroke: #f59e0b; stroke-width: 2.5px; }
#PID .gg-hot polygon { fill: #f59e0b; stroke: #f59e0b; }
#PID text.gg-grad { fill: #b91c1c; }
#PID text.gg-grad.gg-none { fill: #9ca3af; }
#PID text.gg-new { font-weight: bold; }
"""

# A few lines of plain JavaScript: switch frames, play, and the quiz. Runs once per player.
_SCRIPT = """
(function () {
  var here = document.currentScript;
  var root = (here && here.closest && here.closest(".gg-player")) || document.getElementById("PID");
  if (!root || root.getAttribute("data-ready")) return;
  root.setAttribute("data-ready", "1");
  var data = JSON.parse(root.querySelector("script.gg-data").textContent);
  var frames = data.frames, now = 0, timer = null, answers = {};
  var q = function (sel) { return root.querySelector(sel); };
  var byId = function (id) { return root.querySelector('[id="PID-' + id + '"]'); };
  var texts = {};
  root.querySelectorAll("g.node").forEach(function (g) {
    texts[g.id.slice("PID".length + 1)] = {data: g.querySelector("text.gg-data"),
                                       grad: g.querySelector("text.gg-grad")};
  });
  function key(i, id) { return i + ":" + id; }
  function hidden(i, id) {
    var f = frames[i];
    return data.quiz && f.new.indexOf(id) >= 0 && !answers[key(i, id)];
  }
  function show(i) {
    now = Math.max(0, Math.min(frames.length - 1, i));
    var f = frames[now];
    root.setAttribute("data-frame", String(now));
    ["gg-focus", "gg-marked", "gg-hot"].forEach(function (c) {
      root.querySelectorAll("." + c).forEach(function (e) { e.classList.remove(c); });
    });
    if (f.focus) [f.focus, f.focus + "_op"].forEach(function (id) {
      var e = byId(id); if (e) e.classList.add("gg-focus"); });
    var box = q(".gg-svg"), at = f.focus && byId(f.focus);
    if (at && box.scrollWidth > box.clientWidth) {  // a wide graph scrolls to the node
      var r = at.getBoundingClientRect(), b = box.getBoundingClientRect();
      box.scrollLeft += r.left + r.width / 2 - b.left - box.clientWidth / 2;
    }
    f.marked.forEach(function (id) { var e = byId(id); if (e) e.classList.add("gg-marked"); });
    f.edges.forEach(function (id) { var e = byId(id); if (e) e.classList.add("gg-hot"); });
    var open = false;
    Object.keys(texts).forEach(function (id) {
      var t = texts[id];
      if (t.grad) {
        var hide = hidden(now, id);
        open = open || hide;
        t.grad.textContent = "grad " + (hide ? "?" : (f.grads[id] || "None"));
        t.grad.classList.toggle("gg-none", !hide && !f.grads[id]);
        t.grad.classList.toggle("gg-new", f.new.indexOf(id) >= 0);
      }
      if (t.data && f.data) t.data.textContent = "data " + f.data[id];
    });
    q(".gg-title").textContent = f.title;
    q(".gg-lines").textContent = (data.quiz && open ? f.quizLines : f.lines).join("\\n");
    var known = f.known.filter(function (k) { return f.grads[k[0]] && !hidden(now, k[0]); })
      .map(function (k) { return "d" + data.loss + "/d" + k[1] + " = " + f.grads[k[0]]; });
    q(".gg-known").textContent = known.length ? "Gradients so far: " + known.join(",  ") : "";
    q(".gg-slider").value = String(now);
    q(".gg-count").textContent = (now + 1) + " / " + frames.length;
    if (data.quiz) quiz(f);
  }
  function quiz(f) {
    var box = q(".gg-quiz");
    box.textContent = "";
    (f.questions || []).forEach(function (question) {
      var row = document.createElement("div");
      var label = document.createElement("label");
      label.textContent = question.name + " (so far) = ";
      var input = document.createElement("input");
      input.type = "text"; input.className = "gg-answer";
      var button = document.createElement("button");
      button.type = "button"; button.textContent = "Check"; button.className = "gg-check";
      var result = document.createElement("span");
      row.appendChild(label); row.appendChild(input); row.appendChild(button);
      row.appendChild(result); box.appendChild(row);
      var k = key(now, question.id);
      function mark(state) {
        if (state === "right") {
          result.className = "gg-right"; result.textContent = " ✓ right: " + question.text;
        } else {
          result.className = "gg-wrong";
          result.textContent = " ✗ not quite: it is " + question.text + ". " + question.working;
        }
      }
      if (answers[k]) { input.value = answers[k].typed; mark(answers[k].state); }
      function check() {
        var typed = input.value.trim(), x = parseFloat(typed), a = question.answer;
        var ok = isFinite(x) && Math.abs(x - a) <= 0.01 * Math.max(1, Math.abs(a));
        answers[k] = {typed: typed, state: ok ? "right" : "wrong"};
        show(now);
      }
      button.addEventListener("click", check);
      input.addEventListener("keydown", function (e) { if (e.key === "Enter") check(); });
    });
    var all = Object.keys(answers).map(function (k) { return answers[k].state; });
    var right = all.filter(function (s) { return s === "right"; }).length;
    if (all.length) {
      var score = document.createElement("div");
      score.className = "gg-score";
      score.textContent = "Score: " + right + " right of " + all.length + " answered";
      box.appendChild(score);
    }
  }
  function stop() {
    if (timer) { clearInterval(timer); timer = null; }
    q('[data-act="play"]').textContent = "play";
  }
  var acts = {
    first: function () { stop(); show(0); },
    prev: function () { stop(); show(now - 1); },
    next: function () { stop(); show(now + 1); },
    last: function () { stop(); show(frames.length - 1); },
    play: function () {
      if (timer) { stop(); return; }
      if (now >= frames.length - 1) show(0);
      q('[data-act="play"]').textContent = "pause";
      timer = setInterval(function () {
        if (now >= frames.length - 1) stop(); else show(now + 1);
      }, 1200);
    }
  };
  root.querySelectorAll("[data-act]").forEach(function (b) {
    b.addEventListener("click", acts[b.getAttribute("data-act")]);
  });
  root.addEventListener("keydown", function (e) {  // arrow keys step, when the player has focus
    if (e.target.tagName === "INPUT") return;  // typing an answer, or the slider itself
    if (e.key === "ArrowRight") { acts.next(); e.preventDefault(); }
    if (e.key === "ArrowLeft") { acts.prev(); e.preventDefault(); }
  });
  q(".gg-slider").addEventListener("input", function (e) {
    stop(); show(parseInt(e.target.value, 10));
  });
  var start = /[#&]frame=(\\d+)/.exec(window.location.hash);
  show(start ? parseInt(start[1], 10) : 0);
})();
"""

__all__ = ["Frame", "Player", "step_through"]
