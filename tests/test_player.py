"""step_through: the player's frames are backward()'s walk, its page is self-contained, and big
graphs stay usable. (tests/test_browser.py clicks through the page in a real browser.)"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from autograd import Value, backward_order, step_through
from autograd.names import format_number, graph_nodes
from autograd.player import Player
from tests.graphs import expression
from tests.test_steps import random_graph


def frames_data(page: str) -> dict:
    (payload,) = re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', page,
                            flags=re.S)  # fmt: skip
    return json.loads(payload)


@pytest.mark.parametrize("tensors", [False, True], ids=["scalars", "tensors"])
@pytest.mark.parametrize("seed", range(8))
def test_the_last_frame_has_exactly_the_gradients_backward_leaves(seed: int, tensors: bool):
    shown, reference = random_graph(seed, tensors), random_graph(seed, tensors)
    player = step_through(shown)
    reference.backward()
    final = player.frames[-1].grads
    for mine, theirs in zip(graph_nodes(shown), graph_nodes(reference), strict=True):
        if theirs.grad is None:
            assert mine not in final
        else:
            assert np.array_equal(final[mine], theirs.grad)
    assert len(player.frames) == len(backward_order(shown))
    assert all(node.grad is None for node in graph_nodes(shown))  # the player only looks


def test_frames_follow_the_walk_and_carry_the_chain_rule() -> None:
    L, v = expression()
    L.backward()
    before = {name: node.grad for name, node in v.items()}
    player = step_through(L)
    assert {name: node.grad for name, node in v.items()} == before  # .grad left as it was
    assert [f.node for f in player.frames] == backward_order(L)
    at_e = next(f for f in player.frames if f.node is v["e"])
    assert at_e.marked == (v["a"], v["b"])
    assert "dL/da += dL/de · de/da = -2.0 · -3.0 = 6.0    (de/da = b)" in at_e.lines
    assert at_e.grads[v["a"]] == 6.0 and v["a"] not in player.frames[0].grads
    assert player._edge_labels[(v["e"], 0)] == "local -3.0"  # de/da = b on the edge a → (*)
    data = frames_data(player.html())
    assert len(data["frames"]) == len(player.frames)
    assert data["frames"][-1]["grads"]["v0"] == "6.0"  # a is v0


def test_a_node_used_several_times_shows_its_gradient_as_a_growing_sum() -> None:
    a = Value(1.5, "a")
    b = a * a + a  # a is used three times
    c = b * b
    frames = step_through(c).frames
    text = ["\n".join(f.lines) for f in frames]
    assert any("dL/da so far = 7.5" in t and "1 of 3" in t for t in text)
    assert any("dL/da = 7.5 + 11.25 + 11.25 = 30.0" in t and "all have" in t for t in text)
    c.backward()
    assert frames[-1].grads[a] == a.grad == 30.0


def test_the_page_is_self_contained_with_unique_ids(tmp_path) -> None:
    L, _ = expression()
    player = step_through(L)
    first, second = player._repr_html_(), player._repr_html_()
    ids = lambda page: set(re.findall(r'\bid="([^"]+)"', page))  # noqa: E731
    assert not ids(first) & ids(second)  # two players in one notebook never clash
    for page in (first, player.save(tmp_path / "steps.html").read_text()):
        assert "<script src" not in page and "<link" not in page and "@import" not in page
        assert not re.search(r'(src|href)="(https?:)?//', page)
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", page)
        assert "fetch(" not in page and "XMLHttpRequest" not in page
        assert "<svg" in page and page.count('<button type="button" data-act=') == 5
    saved = (tmp_path / "steps.html").read_text()
    assert saved.startswith("<!DOCTYPE html>") and 'type="range"' in saved
    # Without JavaScript (a static viewer) the first frame is what shows.
    assert "grad 1.0" in first and "Step 1: at L = d * f" in first


def test_forward_direction_computes_node_by_node() -> None:
    L, v = expression()
    player = step_through(L, direction="forward")
    ops = [n for n in graph_nodes(L) if n._op is not None]
    assert len(player.frames) == 1 + len(ops)
    assert [f.node for f in player.frames[1:]] == ops
    assert player.frames[-1].lines == ("L = d * f = -8.0    (d = 4.0, f = -2.0)",)
    data = frames_data(player.html())
    assert data["frames"][0]["data"]["v2"] == "?"  # e = a * b is not computed yet
    assert data["frames"][1]["data"]["v2"] == "-6.0"


def test_quiz_hides_the_new_gradients_and_knows_the_answers() -> None:
    L, v = expression()
    player = step_through(L, quiz=True)
    data = frames_data(player.html())
    at_e = next(f for f in data["frames"] if f["title"].startswith("Step 5"))
    answers = {q["name"]: q["answer"] for q in at_e["questions"]}
    assert answers == {"dL/da": 6.0, "dL/db": -4.0}
    assert "dL/da = ?" in at_e["quizLines"]
    assert not any("6.0" in line for line in at_e["quizLines"])
    wrong = next(q for q in at_e["questions"] if q["name"] == "dL/da")
    assert "-2.0 · -3.0 = 6.0" in wrong["working"]
    page = player.html()
    assert "grad ?" in page  # the first frame's new gradients are hidden
    assert "local 2.0" in step_through(L).html() and "local 2.0" not in page  # yours to find
    with pytest.raises(ValueError, match="backward"):
        step_through(L, direction="forward", quiz=True)


def test_big_graphs_are_elided_capped_and_say_so() -> None:
    x = Value(0.3, "x")
    y = x
    for i in range(400):
        y = (y * 0.9 + 0.1).tanh() if i % 2 else y + x * 0.01
    player = step_through(y, max_nodes=40, max_frames=50)
    assert len(player.frames) == 50
    assert "elides the middle" in player.message and "max_frames=50" in player.message
    assert player.frames[-1].title.startswith("The end")
    y.backward()
    assert player.frames[-1].grads[x] == x.grad
    page = player.html()
    assert "nodes not shown" in page and "max_frames=50" in page


def test_arguments_are_checked() -> None:
    L, _ = expression()
    with pytest.raises(ValueError, match="direction"):
        step_through(L, direction="sideways")
    with pytest.raises(TypeError, match="Value"):
        step_through(3.0)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="step_through.*forward"):
        step_through(Value(1.0, requires_grad=False) * 2.0)
    with pytest.raises(ValueError, match="max_frames"):
        step_through(L, max_frames=1)
    player = step_through(L)
    assert isinstance(player, Player) and len(player) == 7
    assert repr(player) == "<glassgrad player: backward, 7 frames>"
    assert format_number(player.frames[0].grads[L]) == "1.0"


def test_without_a_dot_program_the_player_still_steps_and_says_what_to_install(
    monkeypatch, tmp_path
) -> None:
    from tests.test_draw import hide_every_dot

    hide_every_dot(monkeypatch, tmp_path)
    L, _ = expression()
    page = step_through(L)._repr_html_()
    assert "pip install graphviz-pure" in page and "<svg" not in page
    assert len(frames_data(page)["frames"]) == 7
