"""draw_graph: what the DOT text shows, stable names, highlighting, module boxes, eliding, and
rendering to real SVG and PNG with the dot program autograd.render finds."""

from __future__ import annotations

import base64
import os
import re
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import graphviz
import numpy as np
import pytest
from graphviz.backend import dot_command

from autograd import Value, backward_steps, draw_graph, no_grad
from autograd import render as render_module
from autograd.draw import CONSTANT, FOCUS, FOCUS_FILL, MARKED_FILL, format_number, graph_nodes
from autograd.render import (
    FIT_WIDTH_PT,
    DotNotFoundError,
    Drawing,
    find_dot,
    scaled_svg,
    svg_size,
)
from autograd.scope import module_scope
from tests.graphs import expression


def node_line(source: str, node_id: str) -> str:
    (line,) = [s for s in source.splitlines() if s.strip().startswith(f"{node_id} [")]
    return line


def value_ids(source: str) -> list[str]:
    return re.findall(r"^\s*(v\d+) \[", source, flags=re.M)


# --------------------------------------------------------------------------- the DOT text
def test_scalar_nodes_show_label_data_and_grad_and_ops_sit_between() -> None:
    L, v = expression()
    L.backward()
    source = draw_graph(L).source
    ids = {node: f"v{i}" for i, node in enumerate(graph_nodes(L))}
    for name, node in v.items():
        line = node_line(source, ids[node])
        assert f"<B>{name}</B>" in line
        assert f"data {format_number(node.data)}<" in line
        assert f"grad {format_number(node.grad)}<" in line
    assert node_line(source, f"{ids[v['e']]}_op").count('label="*"') == 1
    assert node_line(source, f"{ids[v['d']]}_op").count('label="+"') == 1
    # a -> (*) -> e: each value feeds the op node of its consumer, which feeds the result.
    assert f"{ids[v['a']]} -> {ids[v['e']]}_op" in source
    assert f"{ids[v['e']]}_op -> {ids[v['e']]}" in source
    assert source.count("->") == 9


def test_grad_shows_none_before_backward_and_switches_work() -> None:
    L, _ = expression()
    assert "grad None" in draw_graph(L).source
    L.backward()
    assert "grad None" not in draw_graph(L).source
    no_data = draw_graph(L, show_data=False).source
    assert "data " not in no_data and "grad 6.0" in no_data
    no_grad_text = draw_graph(L, show_grad=False).source
    assert ">grad " not in no_grad_text and "data 2.0" in no_grad_text


def test_same_graph_gives_same_dot_text_and_ids_follow_the_traversal() -> None:
    first, _ = expression()
    second, _ = expression()
    assert draw_graph(first).source == draw_graph(second).source
    assert draw_graph(first).source == draw_graph(first).source
    ids = value_ids(draw_graph(first).source)
    assert ids == [f"v{i}" for i in range(len(graph_nodes(first)))]


def test_graph_nodes_puts_inputs_before_results_and_counts_shared_nodes_once() -> None:
    a = Value(1.5, "a")
    b = a * a + a  # a used three times
    c = b * b
    nodes = graph_nodes(c)
    assert nodes[-1] is c and nodes.count(a) == 1
    position = {node: i for i, node in enumerate(nodes)}
    for node in nodes:
        for parent in node.parents:
            assert position[parent] < position[node]
    # a*a gives two edges from a into the same op node
    source = draw_graph(c).source
    mul = f"v{position[nodes[1]]}_op"
    assert source.count(f"v0 -> {mul}") == 2


def test_tensor_nodes_show_shape_dtype_and_a_summary_of_data_and_grad() -> None:
    rng = np.random.default_rng(1)
    W = Value(rng.standard_normal((5, 3)).astype(np.float32), label="W")
    x = rng.standard_normal((4, 5)).astype(np.float32)
    loss = (x @ W).tanh().mean()
    loss.label = "loss"
    loss.backward()
    line = node_line(draw_graph(loss).source, f"v{graph_nodes(loss).index(W)}")
    assert "(5, 3) float32" in line
    for array in (W.data, W.grad):
        summary = (
            f"mean {format_number(array.mean())}  min {format_number(array.min())}  "
            f"max {format_number(array.max())}"
        )
        assert summary in line
    assert "grad mean" in line
    small = Value(np.array([1.0, -2.5]), label="s")
    assert "data [1.0, -2.5]" in draw_graph(small).source


def test_constants_are_grey_and_have_no_grad() -> None:
    a = Value(3.0, "a")
    y = a * 2.0 + np.ones(2)
    source = draw_graph(y).source
    constants = [n for n in graph_nodes(y) if not n.requires_grad]
    assert len(constants) == 2
    for node in constants:
        line = node_line(source, f"v{graph_nodes(y).index(node)}")
        assert f'COLOR="{CONSTANT}"><TR>' in line  # a grey box
        assert "grad" not in line and "const" in line
    assert f'COLOR="{CONSTANT}"><TR>' not in node_line(source, "v0")


def test_op_settings_are_shown_and_long_settings_left_out() -> None:
    x = Value(np.ones((2, 3)))
    source = draw_graph(x.sum(axis=1)).source
    assert 'label="sum\\naxis=1"' in source
    assert "keepdims" not in source
    assert "index" not in draw_graph(x[np.array([0, 1, 1])]).source


def test_a_graph_made_in_no_grad_is_just_the_node() -> None:
    a = Value(2.0, "a")
    with no_grad():
        y = (a * 3.0).exp()
    source = draw_graph(y).source
    assert value_ids(source) == ["v0"] and "->" not in source


# --------------------------------------------------------------------------- highlighting
def test_highlight_a_value_and_several_values() -> None:
    L, v = expression()
    ids = {node: f"v{i}" for i, node in enumerate(graph_nodes(L))}
    source = draw_graph(L, highlight=v["d"]).source
    assert FOCUS_FILL in node_line(source, ids[v["d"]])
    assert FOCUS_FILL in node_line(source, f"{ids[v['d']]}_op")
    assert FOCUS_FILL not in node_line(source, ids[v["e"]])
    several = draw_graph(L, highlight=[v["a"], v["b"]]).source
    assert sum(FOCUS_FILL in line for line in several.splitlines()) == 2
    with pytest.raises(TypeError, match="highlight"):
        draw_graph(L, highlight="d")


def test_highlight_a_step_marks_its_node_and_parents_and_colours_the_gradient_edges() -> None:
    L, v = expression()
    ids = {node: f"v{i}" for i, node in enumerate(graph_nodes(L))}
    (step,) = [s for s in backward_steps(L) if s.node is v["d"]]
    source = draw_graph(L, highlight=step).source
    assert FOCUS_FILL in node_line(source, ids[v["d"]])
    for parent in ("e", "c"):
        assert MARKED_FILL in node_line(source, ids[v[parent]])
    for other in ("a", "b", "f", "L"):
        assert MARKED_FILL not in node_line(source, ids[v[other]])
    assert sum(f'color="{FOCUS}"' in s and "->" in s for s in source.splitlines()) == 3


# --------------------------------------------------------------------------- module boxes
class FakeLinear:
    """Stands in for an nn.Module: its call runs inside module_scope(self)."""

    def __init__(self, w: float, b: float) -> None:
        self.w, self.b = Value(w, "w"), Value(b, "b")

    def parameters(self) -> list[Value]:
        return [self.w, self.b]

    def __call__(self, x: Value) -> Value:
        with module_scope(self):
            return (x * self.w + self.b).tanh()


def cluster_of(source: str, node_id: str) -> str | None:
    current = None
    for line in source.splitlines():
        match = re.match(r"\s*subgraph (cluster_\d+)", line)
        if match:
            current = match.group(1)
        elif line.strip() == "}":
            current = None
        elif line.strip().startswith(f"{node_id} ["):
            return current
    raise AssertionError(f"{node_id} not in the DOT text")


def test_group_modules_draws_one_box_per_module_with_its_parameters() -> None:
    first, second = FakeLinear(0.5, 0.1), FakeLinear(-1.0, 0.2)
    x = Value(0.3, "x")
    y = second(first(x))
    nodes = graph_nodes(y)
    ids = {node: f"v{i}" for i, node in enumerate(nodes)}
    source = draw_graph(y).source
    assert source.count("subgraph cluster_") == 2
    assert "FakeLinear #1" in source and "FakeLinear #2" in source
    assert cluster_of(source, ids[x]) is None
    for module in (first, second):
        boxes = {cluster_of(source, ids[p]) for p in module.parameters()}
        made = {cluster_of(source, ids[n]) for n in nodes if n._scope is module}
        assert len(boxes | made) == 1 and None not in boxes
    assert cluster_of(source, ids[first.w]) == "cluster_0"  # numbered in data-flow order
    assert cluster_of(source, ids[second.w]) == "cluster_1"
    box = source[source.index("subgraph cluster_0") :]
    assert 'label="FakeLinear #1"' in box[: box.index("}")]
    assert "cluster" not in draw_graph(y, group_modules=False).source


# --------------------------------------------------------------------------- big graphs
def test_max_nodes_elides_the_middle_and_says_how_many() -> None:
    a = Value(0.5, "a")
    y = a
    for _ in range(100):
        y = y.tanh()
    total = len(graph_nodes(y))
    assert total == 101
    source = draw_graph(y, max_nodes=10).source
    assert value_ids(source) == [f"v{i}" for i in range(5)] + [f"v{i}" for i in range(96, 101)]
    assert f"{total - 10} nodes not shown" in source
    assert "v4 -> elided" in source and "elided -> v96_op" in source
    assert "elided" not in draw_graph(y, max_nodes=None).source
    with pytest.raises(ValueError, match="max_nodes"):
        draw_graph(y, max_nodes=1)


def test_a_very_deep_graph_is_drawn_without_recursion() -> None:
    y = Value(0.1, "x")
    for _ in range(sys.getrecursionlimit() * 20):
        y = y + 1.0
    source = draw_graph(y).source
    assert len(value_ids(source)) == 150 and "nodes not shown" in source


# --------------------------------------------------------------------------- rendering
def test_a_dot_program_is_available() -> None:
    """graphviz-pure is a runtime dependency: a missing program is an install bug, not a skip."""
    assert find_dot() is not None, "no dot program found: pip install graphviz-pure"


def test_renders_svg_and_png_and_render_leaves_only_the_image(tmp_path) -> None:
    L, _ = expression()
    L.backward()
    graph = draw_graph(L)
    svg = graph.pipe(format="svg", encoding="utf-8")
    assert re.search(r"<svg\b", svg) and svg.rstrip().endswith("</svg>")
    assert "grad 6.0" in svg and "data 10.0" in svg
    png = graph.pipe(format="png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    path = graph.render(tmp_path / "expression", format="png")
    assert open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["expression.png"]  # no stray source
    graph.render(outfile=tmp_path / "other.svg")
    assert (tmp_path / "other.svg").read_text().rstrip().endswith("</svg>")
    assert str(dot_command.DOT_BINARY) == "dot", "graphviz's own setting is never touched"


def test_notebook_display_sends_svg_that_fits_and_a_png_beside_it() -> None:
    L, _ = expression()
    bundle = draw_graph(L)._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml", "image/png", "text/plain"}
    png = base64.b64decode(bundle["image/png"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    natural_width, _ = svg_size(draw_graph(L).pipe(format="svg", encoding="utf-8"))
    png_width = int.from_bytes(png[16:20], "big")  # the IHDR chunk: screen pixels
    assert abs(png_width - natural_width * 96 / 72) <= 2
    small = draw_graph(Value(2.0, "a") * 3.0).svg()
    assert 'style="max-width: 100%; height: auto"' in small  # natural size, never wider
    assert bundle["image/svg+xml"] == draw_graph(L).svg()
    only_png = draw_graph(L)._repr_mimebundle_(include=["image/png"])
    assert list(only_png) == ["image/png"]


def wide_graph() -> Value:
    """The graph of a small network's loss: wider than an output cell at Graphviz's size."""
    rng = np.random.default_rng(0)
    xs = [Value(float(v), f"x{i}") for i, v in enumerate(rng.standard_normal(6))]
    total = xs[0]
    for x in xs[1:]:
        total = (total * x).tanh() + x
    return total


def test_size_fit_shrinks_a_wide_drawing_to_the_output_width_and_size_options() -> None:
    root = wide_graph()
    natural = draw_graph(root).pipe(format="svg", encoding="utf-8")
    width, height = svg_size(natural)
    assert width > FIT_WIDTH_PT
    fit = draw_graph(root).svg()
    assert '<svg width="100%"' in fit and f"max-width: {width:g}pt" in fit
    assert 'height="' not in fit.split("<svg", 1)[1].split(">", 1)[0]  # the viewBox decides
    assert "viewBox=" in fit
    assert draw_graph(root, size="natural").svg() == natural
    half = draw_graph(root, size=0.5).svg()
    assert f'width="{width * 0.5:g}pt" height="{height * 0.5:g}pt"' in half
    for bad in ("big", 0, -1.0, True):
        with pytest.raises(ValueError, match="size must be"):
            draw_graph(root, size=bad)
    assert scaled_svg(natural, "natural") == natural


def test_highlight_a_step_draws_the_gradients_of_that_moment() -> None:
    L, v = expression()
    steps = list(backward_steps(L))
    first = steps[0]
    source = draw_graph(L, highlight=first).source
    ids = {node: f"v{i}" for i, node in enumerate(graph_nodes(L))}
    assert "grad -2.0" in node_line(source, ids[v["d"]])  # dL/dd, passed at the first step
    assert "grad None" in node_line(source, ids[v["a"]])  # not reached yet
    assert "grad 6.0" in node_line(draw_graph(L, highlight=steps[-1]).source, ids[v["a"]])


def test_an_unlabelled_output_has_one_name_in_the_drawing_and_in_explain() -> None:
    x = Value(0.5, "x")
    y = (x * 2.0).tanh()  # no label
    step = next(backward_steps(y))
    source = draw_graph(y).source
    root_id = f"v{len(graph_nodes(y)) - 1}"
    assert step.name == "L" and "<B>L</B>" in node_line(source, root_id)
    assert "dL/dL" in step.explain()


def test_import_autograd_works_without_the_graphviz_package() -> None:
    code = textwrap.dedent(
        """
        import sys
        sys.modules["graphviz"] = None  # as if it were not installed
        import autograd
        from autograd import Value, backward_steps, draw_graph, step_through
        a = Value(2.0, "a")
        y = (a * a).tanh()
        y.backward()
        assert a.grad != 0
        assert "autograd.render" not in sys.modules  # drawing code loads when first used
        text = "\\n".join(s.explain() for s in backward_steps(y))
        assert "dL/da" in text
        try:
            draw_graph(y)
        except ImportError as error:
            assert "pip install graphviz" in str(error)
            print("ok")
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1])  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def hide_every_dot(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv(render_module.ENV_VAR, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(render_module, "_script_folders", lambda: [])


def test_without_a_dot_program_the_graph_exists_and_rendering_says_what_to_install(
    monkeypatch, tmp_path
) -> None:
    hide_every_dot(monkeypatch, tmp_path)
    assert find_dot() is None
    L, _ = expression()
    graph = draw_graph(L)
    assert graph.source.startswith("digraph glassgrad {")
    with pytest.raises(DotNotFoundError, match="pip install graphviz-pure"):
        graph.pipe(format="svg")
    with pytest.raises(graphviz.ExecutableNotFound, match="apt-get install graphviz"):
        graph.render(tmp_path / "graph", format="png")
    bundle = graph._repr_mimebundle_()
    assert isinstance(bundle, dict) and list(bundle) == ["text/plain"]
    assert "pip install graphviz-pure" in bundle["text/plain"]
    assert graph.source in bundle["text/plain"]


def fake_dot(folder, name: str, log) -> str:
    """A program called ``name`` that notes it ran, then runs graphviz-pure."""
    real = find_dot()
    path = folder / name
    path.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\nexec "{real}" "$@"\n')
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


posix_only = pytest.mark.skipif(os.name == "nt", reason="fake programs are shell scripts")


@posix_only
def test_a_real_dot_on_path_is_preferred_to_graphviz_pure(monkeypatch, tmp_path) -> None:
    log = tmp_path / "log.txt"
    program = fake_dot(tmp_path, "dot", log)
    hide_every_dot(monkeypatch, tmp_path)
    assert find_dot() == program
    L, _ = expression()
    assert draw_graph(L).pipe(format="svg")[:5] == b"<?xml"
    assert "-Tsvg" in log.read_text()


@posix_only
def test_the_environment_variable_overrides_everything(monkeypatch, tmp_path) -> None:
    log = tmp_path / "log.txt"
    (tmp_path / "bin").mkdir()
    program = fake_dot(tmp_path / "bin", "my-dot", log)
    monkeypatch.setenv(render_module.ENV_VAR, program)
    assert find_dot() == program
    L, _ = expression()
    assert draw_graph(L).pipe(format="png")[:4] == b"\x89PNG"
    assert "-Tpng" in log.read_text()
    monkeypatch.setenv(render_module.ENV_VAR, str(tmp_path / "missing"))
    with pytest.raises(DotNotFoundError, match=render_module.ENV_VAR):
        draw_graph(L).pipe(format="svg")


def test_drawing_is_a_graphviz_digraph() -> None:
    L, _ = expression()
    graph = draw_graph(L)
    assert isinstance(graph, Drawing) and isinstance(graph, graphviz.Digraph)
    assert graph.graph_attr["rankdir"] == "LR"
    assert "rankdir=TB" in draw_graph(L, rankdir="TB").source
