"""The player and the drawings in a real browser: headless Chromium, driven over the DevTools
protocol through a pipe (``--remote-debugging-pipe``: no driver program, no port, no extra
Python package). Clicks are real mouse events at the buttons' positions.

Needs Debian's ``chromium`` (``apt-get install chromium``; the CI script installs it). Skipped,
saying so, only where no Chromium can be found.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from autograd import Value, draw_graph, step_through
from autograd.names import format_number, graph_nodes
from tests.graphs import expression

CHROMIUM = next(
    (found for name in ("chromium", "chromium-browser", "google-chrome", "chrome")
     if (found := shutil.which(name))),
    None,
)  # fmt: skip

pytestmark = [
    pytest.mark.skipif(os.name == "nt", reason="the DevTools pipe uses file descriptors 3 and 4"),
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="no Chromium found: install it (apt-get install chromium) to run browser tests",
    ),
]

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--no-first-run", "--disable-component-update", "--disable-sync", "--disable-extensions",
    "--disable-default-apps", "--mute-audio", "--window-size=1200,900",
    "--remote-debugging-pipe",
]  # fmt: skip


class Browser:
    """A headless Chromium and one page, spoken to with DevTools protocol messages."""

    def __init__(self, profile: Path) -> None:
        commands_read, self._commands = os.pipe()
        self._replies, replies_write = os.pipe()

        def on_fds_3_and_4() -> None:  # the pipe protocol's fixed descriptors
            os.dup2(commands_read, 3)
            os.dup2(replies_write, 4)

        self.process = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            preexec_fn=on_fds_3_and_4,
            close_fds=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(commands_read)
        os.close(replies_write)
        self._messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.events: list[dict[str, Any]] = []
        self._next_id = 0
        threading.Thread(target=self._read, daemon=True).start()
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Network"):
            self.send(f"{domain}.enable", session=True)

    def _read(self) -> None:
        buffer = b""
        while True:
            chunk = os.read(self._replies, 1 << 16)
            if not chunk:
                return
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            for message in messages:
                self._messages.put(json.loads(message))

    def send(self, method: str, session: bool = False, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + 60
        while True:
            reply = self._messages.get(timeout=max(0.1, deadline - time.monotonic()))
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, event: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == event for e in self.events):
            self.events.append(self._messages.get(timeout=max(0.1, deadline - time.monotonic())))

    def open(self, path: Path) -> None:
        self.events.clear()
        self.send("Page.navigate", session=True, url=path.resolve().as_uri())
        self.wait_for("Page.loadEventFired")

    def js(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", session=True, expression=expression,
                           returnByValue=True, awaitPromise=True)  # fmt: skip
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def click(self, selector: str) -> None:
        """A real mouse click in the middle of the element."""
        box = self.js(
            f"(() => {{ const r = document.querySelector({json.dumps(selector)})"
            ".getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()"
        )
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", session=True, type=kind, x=box[0], y=box[1],
                      button="left", clickCount=1)  # fmt: skip

    def key(self, name: str, code: int) -> None:
        """A real key press (e.g. "ArrowRight", 39) on the focused element."""
        for kind in ("rawKeyDown", "keyUp"):
            self.send("Input.dispatchKeyEvent", session=True, type=kind, key=name, code=name,
                      windowsVirtualKeyCode=code)  # fmt: skip

    def requests(self) -> list[str]:
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e.get("method") == "Network.requestWillBeSent"
        ]

    def close(self) -> None:
        with_timeout = subprocess.TimeoutExpired
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except with_timeout:
            self.process.kill()
        os.close(self._commands)


@pytest.fixture
def browser(tmp_path):
    chromium = Browser(tmp_path / "profile")
    yield chromium
    chromium.close()


STATE = """(() => {
  const player = document.querySelector(".gg-player");
  const focus = player.querySelector('g.node.gg-focus:not([id$="_op"])');
  const grads = {};
  player.querySelectorAll("g.node").forEach(g => {
    const t = g.querySelector("text.gg-grad");
    if (t) grads[g.id.split("-").pop()] = t.textContent.replace(/^grad /, "");
  });
  return {frame: player.getAttribute("data-frame"), focus: focus ? focus.id : null,
          lines: player.querySelector(".gg-lines").textContent, grads: grads,
          quiz: player.querySelector(".gg-quiz").textContent};
})()"""


def mlp_loss() -> Value:
    """A tiny two-layer network's squared error, every weight a scalar (as in notebook 01)."""
    rng = np.random.default_rng(0)
    x = [Value(1.0, "x0", requires_grad=False), Value(-2.0, "x1", requires_grad=False)]
    hidden = []
    for j in range(2):
        w = [Value(float(rng.uniform(-1, 1)), f"w1_{j}{i}") for i in range(2)]
        hidden.append((x[0] * w[0] + x[1] * w[1] + Value(0.1, f"b1_{j}")).tanh())
    v = [Value(float(rng.uniform(-1, 1)), f"w2_{i}") for i in range(2)]
    out = hidden[0] * v[0] + hidden[1] * v[1]
    loss = (out - 0.5) ** 2
    loss.label = "loss"
    return loss


def test_next_moves_the_highlight_and_the_chain_rule_and_last_has_backwards_gradients(
    browser, tmp_path
) -> None:
    loss = mlp_loss()
    page = step_through(loss).save(tmp_path / "steps.html")
    browser.open(page)
    start = browser.js(STATE)
    assert start["frame"] == "0" and start["focus"].endswith("-v" + str(len(graph_nodes(loss)) - 1))
    assert start["lines"].startswith("loss = ")
    browser.click('[data-act="next"]')
    after = browser.js(STATE)
    assert after["frame"] == "1"
    assert after["focus"] != start["focus"] and after["lines"] != start["lines"]
    assert "+=" in after["lines"] or "leaf" in after["lines"]
    browser.click('[data-act="prev"]')
    assert browser.js(STATE)["frame"] == "0"
    browser.js('document.querySelector(".gg-player").focus()')
    browser.key("ArrowRight", 39)
    assert browser.js(STATE)["frame"] == "1"
    browser.key("ArrowLeft", 37)
    assert browser.js(STATE)["frame"] == "0"
    browser.click('[data-act="last"]')
    end = browser.js(STATE)
    assert int(end["frame"]) == len(step_through(loss).frames) - 1
    loss.backward()
    for i, node in enumerate(graph_nodes(loss)):
        if node.requires_grad:
            assert end["grads"][f"v{i}"] == format_number(node.grad), node.label


def test_the_player_page_makes_no_network_request(browser, tmp_path) -> None:
    L, _ = expression()
    page = step_through(L, quiz=True).save(tmp_path / "quiz.html")
    browser.open(page)
    browser.click('[data-act="play"]')
    time.sleep(1.5)
    browser.click('[data-act="last"]')
    browser.js("new Promise(r => setTimeout(r, 300))")
    requests = browser.requests()
    assert requests == [page.resolve().as_uri()], requests  # the page itself, nothing else


def test_the_quiz_marks_answers_and_shows_the_working_after_a_wrong_one(browser, tmp_path):
    L, _ = expression()
    page = step_through(L, quiz=True).save(tmp_path / "quiz.html")
    browser.open(page)
    for _ in range(4):  # to e = a * b, whose step gives a and b their gradients
        browser.click('[data-act="next"]')
    state = browser.js(STATE)
    assert state["grads"]["v0"] == "?" and "dL/da = ?" in state["lines"]
    assert "6.0" not in state["lines"]
    browser.js('document.querySelectorAll(".gg-answer")[0].value = "5"')
    browser.click(".gg-check")
    state = browser.js(STATE)
    assert "not quite: it is 6.0" in state["quiz"] and "-2.0 · -3.0 = 6.0" in state["quiz"]
    assert state["grads"]["v0"] == "6.0"  # revealed after the wrong answer
    browser.js('document.querySelectorAll(".gg-answer")[1].value = "-4"')
    browser.click(".gg-player .gg-quiz div:nth-child(2) .gg-check")
    state = browser.js(STATE)
    assert "right: -4.0" in state["quiz"] and "Score: 1 right of 2 answered" in state["quiz"]


def test_a_wide_drawing_fits_the_output_width(browser, tmp_path) -> None:
    x = [Value(float(i) / 7, f"x{i}") for i in range(7)]
    total = x[0]
    for v in x[1:]:
        total = (total * v).tanh() + v
    graph = draw_graph(total)
    svg = graph.svg()
    svg = svg[svg.index("<svg") :]
    page = tmp_path / "fit.html"
    page.write_text(
        '<!DOCTYPE html><html><body style="margin:0">'
        f'<div id="inline" style="width: 600px">{svg}</div>'
        '<div id="image" style="width: 600px"><img id="img"></div>'
        "</body></html>"
    )
    browser.open(page)
    browser.js(
        "new Promise(r => { const i = document.getElementById('img'); i.onload = r; "
        f"i.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent({json.dumps(svg)}); }})"
    )
    sizes = browser.js(
        "[document.querySelector('#inline svg').getBoundingClientRect().width,"
        " document.querySelector('#inline svg').getBoundingClientRect().height,"
        " document.getElementById('img').getBoundingClientRect().width,"
        " document.getElementById('image').scrollWidth]"
    )
    inline_width, inline_height, image_width, scroll_width = sizes
    assert 0 < inline_width <= 600 and inline_height > 20
    assert 0 < image_width <= 600 and scroll_width <= 600


def test_two_players_on_one_page_work_apart_even_with_the_same_ids(browser, tmp_path) -> None:
    L, _ = expression()
    player = step_through(L)
    first = player.html()
    fresh, _ = expression()
    page = tmp_path / "two.html"
    # The same fragment twice (as two open notebooks showing one stored output), then another.
    page.write_text(
        f"<!DOCTYPE html><html><body>{first}{first}{step_through(fresh).html()}</body></html>"
    )
    browser.open(page)
    frames = "[...document.querySelectorAll('.gg-player')].map(p => p.dataset.frame)"
    assert browser.js(frames) == ["0", "0", "0"]
    browser.click('.gg-player:nth-of-type(2) [data-act="next"]')
    assert browser.js(frames) == ["0", "1", "0"]
    browser.click('.gg-player:nth-of-type(3) [data-act="last"]')
    assert browser.js(frames) == ["0", "1", "6"]
