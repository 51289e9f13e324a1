"""``TrainingView``: watch a network learn — loss curves, its weights, its decision boundary.

One picture per recorded epoch, three panels side by side:

1. the loss curves so far (and accuracy-like metrics, on a second axis);
2. for 2-D inputs ``X`` (with labels ``y``), the decision boundary over the data, with the line
   w_j·x + b_j = 0 of each first-layer neuron (drawn by :func:`nn.plots.decision_boundary`);
3. the network drawn with its current weights (:func:`nn.draw_network`: blue > 0, red < 0,
   width ~ |w| on one scale for every frame, so arrows that thicken really grew).

Use it as a callback of ``nn.fit`` or in your own loop::

    view = nn.TrainingView(model, X, y, every=5)
    history = nn.fit(model, loss_fn, optimizer, loader, epochs=200, callbacks=[view])
    # or:  for epoch in range(1, 201): ...; view.update(epoch, {"loss": loss.item()})
    view.save("training.gif")        # or "training.html": a self-contained player

In Jupyter (JupyterLab, Notebook, VS Code) the picture is one output updated in place while
training runs; when training ends (or on :meth:`finish`) it becomes a small player over all
the recorded frames, written into the notebook as self-contained HTML (with the last frame as
a PNG for viewers that show no HTML), so it still works in a saved notebook or exported page.
In a script nothing is shown; the frames wait for :meth:`save`.

Recording is cheap: each recorded epoch keeps a copy of the model's ``state_dict`` and the
curves; the pictures are drawn when they are shown or saved (with the model's weights swapped
in for the moment and put back after).
"""

from __future__ import annotations

import base64
import html
import io
import itertools
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from autograd.render import find_dot

from . import plots
from .callbacks import Callback
from .draw_network import draw_network

_IDS = itertools.count()


@dataclass
class _Snapshot:
    epoch: int
    state: dict[str, np.ndarray]
    largest: float  # max |w| over the parameters: one arrow-width scale for all frames
    serial: int = 0


def _in_jupyter() -> bool:
    """True inside a Jupyter kernel (JupyterLab, Notebook, VS Code)."""
    if "ipykernel" not in sys.modules or "IPython" not in sys.modules:
        return False
    ip = sys.modules["IPython"].get_ipython()
    return type(ip).__name__ == "ZMQInteractiveShell"


class TrainingView(Callback):
    """Watch ``model`` train: loss curves, weights and (for 2-D ``X``) the decision boundary.

    - ``X``, ``y``: data to draw the boundary over (``X`` of shape ``(n, 2)``, labels ``y``);
      other shapes (or None) leave that panel out.
    - ``every``: record a frame every this many epochs (the first and last are always kept).
    - ``show``: display live in Jupyter (None: when running in a Jupyter kernel).
    - ``max_frames``: at most this many frames are kept; beyond it every other one is dropped,
      so a long run still makes a short animation.
    - ``network``: draw the network panel (needs a model :func:`nn.draw_network` can draw and
      a ``dot`` program; otherwise the panel is left out).
    - ``dpi``, ``resolution``: size of the pictures and of the boundary's grid.

    A frame of the model as it is now is recorded at construction (epoch 0).
    """

    def __init__(
        self,
        model: Any,
        X: Any = None,
        y: Any = None,
        every: int = 1,
        *,
        show: bool | None = None,
        max_frames: int = 60,
        network: bool = True,
        dpi: int = 80,
        resolution: int = 80,
    ) -> None:
        if isinstance(every, bool) or not isinstance(every, (int, np.integer)) or every < 1:
            raise ValueError(f"TrainingView: every must be a positive int, got {every!r}")
        if isinstance(max_frames, bool) or not isinstance(max_frames, int) or max_frames < 2:
            raise ValueError(f"TrainingView: max_frames must be an int >= 2, got {max_frames!r}")
        if not callable(getattr(model, "state_dict", None)):
            raise TypeError(
                f"TrainingView: model must be an nn.Module (it records state_dict() copies), "
                f"got {type(model).__name__}"
            )
        self.model = model
        self.every = int(every)
        self.max_frames = max_frames
        self.dpi = dpi
        self.resolution = resolution
        self.show = _in_jupyter() if show is None else bool(show)
        self.X = None if X is None else np.asarray(getattr(X, "data", X))
        self.y = None if y is None else np.asarray(getattr(y, "data", y)).reshape(-1)
        self.boundary = self.X is not None and self.X.ndim == 2 and self.X.shape[1] == 2
        self.neuron_lines = self.boundary and plots.first_layer(model) is not None
        self.network = network and self._can_draw_network()
        self.curves: dict[str, list[tuple[int, float]]] = {}
        self.snapshots: list[_Snapshot] = []
        self._cache: dict[tuple[int, int], bytes] = {}  # (snapshot, version) -> PNG
        self._version = 0  # grows with every change that can alter a drawn frame
        self._handle: Any = None
        self._last_epoch = 0
        self._record(0)

    # ------------------------------------------------------------------ recording
    def update(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        """Note epoch ``epoch``'s numbers (``{"loss": ..., "val_loss": ...}``); every
        ``every`` epochs record a frame (and redraw it, when shown live)."""
        for key, value in (logs or {}).items():
            try:
                number = float(value)
            except (TypeError, ValueError):
                continue
            if key != "lr" and math.isfinite(number):
                self.curves.setdefault(key, []).append((int(epoch), number))
        self._last_epoch = int(epoch)
        self._version += 1
        if epoch % self.every == 0:
            self._record(int(epoch))
            if self.show:
                self._display_live()

    def on_epoch_end(
        self, epoch: int, logs: dict[str, float], model: Any, optimizer: Any, history: Any
    ) -> bool | None:
        """``nn.fit`` calls this after every epoch (``epoch`` counts from 1)."""
        self.update(epoch, logs)
        return None

    def on_train_end(self, model: Any, optimizer: Any, history: Any) -> None:
        """``nn.fit`` calls this at the end: record the last epoch, show the player."""
        self.finish()

    def finish(self) -> None:
        """Record the model as it is now if its epoch was not recorded, and, when shown live,
        turn the live picture into the player over every frame."""
        self._ensure_last()
        if self.show:
            self._display_live(final=True)

    def _ensure_last(self) -> None:
        if self.snapshots[-1].epoch != self._last_epoch:
            self._record(self._last_epoch)
        else:  # weights may have changed since (early stopping restores the best ones)
            state = self._state()
            if any(not np.array_equal(state[k], v) for k, v in self.snapshots[-1].state.items()):
                self.snapshots[-1] = _Snapshot(self._last_epoch, state, _largest(state), next(_IDS))
                self._version += 1

    def _state(self) -> dict[str, np.ndarray]:
        return {k: np.array(v, copy=True) for k, v in self.model.state_dict().items()}

    def _record(self, epoch: int) -> None:
        state = self._state()
        self.snapshots.append(_Snapshot(epoch, state, _largest(state), next(_IDS)))
        self._version += 1
        if len(self.snapshots) > self.max_frames:  # keep the first, the last, every other one
            self.snapshots = self.snapshots[:-1:2] + [self.snapshots[-1]]
        self._cache = {}  # the axes' limits change with the run: draw the frames again

    @property
    def epochs(self) -> list[int]:
        """The epochs of the recorded frames (0 = before training)."""
        return [s.epoch for s in self.snapshots]

    # ------------------------------------------------------------------ drawing
    def _can_draw_network(self) -> bool:
        if find_dot() is None:
            return False
        try:
            draw_network(self.model)
        except (TypeError, ValueError):
            return False
        return True

    def figure(self, index: int = -1, *, fixed: bool = True) -> Any:
        """The matplotlib Figure of frame ``index`` (default the last). ``fixed``: axes limits
        from the whole run, so frames of an animation line up."""
        snapshot = self.snapshots[index]
        live = snapshot is self.snapshots[-1] and self._matches_model(snapshot)
        if live:
            return self._draw(snapshot, fixed)
        current = self.model.state_dict()
        current = {k: np.array(v, copy=True) for k, v in current.items()}
        self.model.load_state_dict(snapshot.state)
        try:
            return self._draw(snapshot, fixed)
        finally:
            self.model.load_state_dict(current)

    def _matches_model(self, snapshot: _Snapshot) -> bool:
        state = self.model.state_dict()
        return all(np.array_equal(state[k], v) for k, v in snapshot.state.items())

    def _draw(self, snapshot: _Snapshot, fixed: bool) -> Any:
        plt = plots.pyplot()
        panels = 1 + self.boundary + self.network
        widths = [1.0] + [1.0] * self.boundary + [1.25] * self.network
        fig = plt.figure(figsize=(3.4 * sum(widths), 3.2), dpi=self.dpi)
        grid = fig.add_gridspec(1, panels, width_ratios=widths, wspace=0.45)
        axes = [fig.add_subplot(grid[0, i]) for i in range(panels)]
        self._draw_curves(axes[0], snapshot.epoch, fixed)
        position = 1
        if self.boundary:
            plots.decision_boundary(
                self.model, self.X, self.y, axes[position], neuron_lines=self.neuron_lines,
                resolution=self.resolution, size=12,
            )  # fmt: skip
            label = " and first-layer neurons (dashed)" if self.neuron_lines else ""
            axes[position].set_title(f"decision boundary{label}", fontsize=9)
            position += 1
        if self.network:
            self._draw_network(axes[position], snapshot)
        fig.suptitle(self._heading(snapshot.epoch), fontsize=11)
        fig.subplots_adjust(left=0.06, right=0.98, bottom=0.14, top=0.84)
        return fig

    def _heading(self, epoch: int) -> str:
        words = [f"epoch {epoch}"]
        for key in ("loss", "val_loss"):
            values = [v for e, v in self.curves.get(key, []) if e == epoch]
            if values:
                words.append(f"{key.replace('_', ' ')} {values[-1]:.4g}")
        return "   ".join(words)

    def _draw_curves(self, ax: Any, epoch: int, fixed: bool) -> None:
        losses = {k: v for k, v in self.curves.items() if "loss" in k}
        others = {k: v for k, v in self.curves.items() if "loss" not in k}
        for key, points in losses.items():
            shown = [(e, v) for e, v in points if e <= epoch]
            if shown:
                ax.plot(*zip(*shown, strict=True), label=key.replace("_", " "), linewidth=1.5)
        twin = ax.twinx() if others else None  # the same axes in every frame
        for key, points in others.items():
            shown = [(e, v) for e, v in points if e <= epoch]
            if shown:
                twin.plot(*zip(*shown, strict=True), linestyle=":", label=key.replace("_", " "))
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        ax.set_title("loss" + (" (dotted: metrics, right axis)" if twin else ""), fontsize=9)
        if fixed:
            last = max([s.epoch for s in self.snapshots] + [1])
            ax.set_xlim(0, last)
            values = [v for pts in losses.values() for _, v in pts]
            if values:
                ax.set_ylim(min(0.0, min(values)), 1.05 * max(values))
            if twin is not None:
                values = [v for pts in others.values() for _, v in pts]
                twin.set_ylim(min(0.0, min(values)), max(1.0, max(values)))
        handles = [h for a in (ax, twin) if a is not None for h in a.get_legend_handles_labels()[0]]
        if handles:
            ax.legend(handles=handles, fontsize=8, loc="center right")
        ax.grid(alpha=0.3)

    def _draw_network(self, ax: Any, snapshot: _Snapshot) -> None:
        plt = plots.pyplot()
        scale = max(s.largest for s in self.snapshots) or None
        drawing = draw_network(self.model, label_weights=False, weight_scale=scale)
        drawing.attr(label="")  # the colour key goes in the title instead
        image = plt.imread(io.BytesIO(drawing.pipe(format="png")), format="png")
        ax.imshow(image, interpolation="antialiased")
        ax.set_title("weights: blue > 0, red < 0, width ~ |w|", fontsize=9)
        ax.axis("off")

    def frame(self, index: int = -1) -> bytes:
        """Frame ``index`` (default the last) as PNG bytes (drawn once, then cached)."""
        key = (self.snapshots[index].serial, self._version)
        if key not in self._cache:
            fig = self.figure(index)
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", dpi=self.dpi)
            plots.pyplot().close(fig)
            self._cache[key] = _small_png(buffer.getvalue())
        return self._cache[key]

    # ------------------------------------------------------------------ showing
    def _display_live(self, final: bool = False) -> None:
        from IPython.display import display

        bundle = self._repr_mimebundle_() if final else {"image/png": _b64(self.frame(-1))}
        bundle["text/plain"] = repr(self)
        if self._handle is None:
            self._handle = display(bundle, raw=True, display_id=True)
        else:
            self._handle.update(bundle, raw=True)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """The player (self-contained HTML) and the last frame as PNG, for Jupyter."""
        self._ensure_last()
        return {"text/html": self.to_html(), "image/png": _b64(self.frame(-1)),
                "text/plain": repr(self)}  # fmt: skip

    def __repr__(self) -> str:
        return (
            f"TrainingView({type(self.model).__name__}, {len(self.snapshots)} frames, "
            f"epochs {self.epochs[0]}..{self.epochs[-1]})"
        )

    def to_html(self) -> str:
        """A self-contained player (an HTML fragment): every frame as an inline PNG, a slider,
        first / previous / play / next / last buttons. Nothing is fetched; without script the
        last frame shows."""
        self._ensure_last()
        frames = [_b64(self.frame(i)) for i in range(len(self.snapshots))]
        uid = f"gg-training-{next(_IDS)}"
        last = len(frames) - 1
        button = "margin-right:4px;padding:1px 8px;font-size:13px;cursor:pointer"
        buttons = "".join(
            f'<button type="button" data-do="{do}" title="{title}" style="{button}">'
            f"{label}</button>"
            for do, label, title in [("first", "|&#x25C0;", "first frame"),
                                     ("prev", "&#x25C0;", "previous frame"),
                                     ("play", "play", "play / pause"),
                                     ("next", "&#x25B6;", "next frame"),
                                     ("last", "&#x25B6;|", "last frame")]
        )  # fmt: skip
        script = _PLAYER_JS.replace("UID", uid).replace("FRAMES", json.dumps(frames))
        script = script.replace("EPOCHS", json.dumps(self.epochs))
        return (
            f'<div id="{uid}" class="glassgrad-training-view" style="font-family:sans-serif">'
            f'<img alt="training view, epoch {self.epochs[-1]}" style="max-width:100%" '
            f'src="data:image/png;base64,{frames[-1]}"/>'
            f'<div style="margin-top:4px">{buttons}'
            f'<input type="range" min="0" max="{last}" value="{last}" style="width:40%;'
            f'vertical-align:middle"/> <span>epoch {self.epochs[-1]}</span></div>'
            f"<script>{script}</script></div>"
        )

    def save(self, path: str | Path, *, fps: float = 4.0) -> Path:
        """Write the recorded frames: ``.gif`` (an animation, looping, the last frame held
        longer), ``.html`` (the self-contained player as a page) or ``.png`` (the last frame).
        Returns the path."""
        path = Path(path)
        suffix = path.suffix.lower()
        self._ensure_last()
        if suffix == ".gif":
            from PIL import Image

            images = [Image.open(io.BytesIO(self.frame(i)))
                      for i in range(len(self.snapshots))]  # fmt: skip
            durations = [int(1000 / fps)] * len(images)
            durations[-1] = 2000
            images[0].save(path, save_all=True, append_images=images[1:], duration=durations,
                           loop=0, disposal=1)  # fmt: skip
        elif suffix in (".html", ".htm"):
            page = (
                '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
                f"<title>{html.escape(repr(self))}</title></head>"
                f"<body>{self.to_html()}</body></html>\n"
            )
            path.write_text(page, encoding="utf-8")
        elif suffix == ".png":
            path.write_bytes(self.frame(-1))
        else:
            raise ValueError(
                f"TrainingView.save: unknown file type {path.suffix!r} in {str(path)!r}; use "
                "'.gif' (animation), '.html' (self-contained player) or '.png' (last frame)"
            )
        return path


def _largest(state: dict[str, np.ndarray]) -> float:
    return max((float(np.max(np.abs(v))) for v in state.values() if np.size(v)), default=0.0)


def _small_png(png: bytes) -> bytes:
    """The same picture in at most 256 colours: about a third of the bytes (Pillow comes with
    matplotlib; without it the PNG stays as it is)."""
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover
        return png
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=256)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _b64(png: bytes) -> str:
    return base64.b64encode(png).decode("ascii")


_PLAYER_JS = """(function () {
  var root = document.getElementById("UID"), frames = FRAMES, epochs = EPOCHS;
  var img = root.querySelector("img"), slider = root.querySelector("input");
  var label = root.querySelector("span"), i = frames.length - 1, timer = null;
  var playButton = root.querySelector('[data-do="play"]');
  function show(k) {
    i = Math.max(0, Math.min(frames.length - 1, k));
    img.src = "data:image/png;base64," + frames[i];
    img.alt = "training view, epoch " + epochs[i];
    slider.value = i; label.textContent = "epoch " + epochs[i];
  }
  function stop() {
    if (timer) { clearInterval(timer); timer = null; }
    playButton.textContent = "play";
  }
  function play() {
    if (timer) { stop(); return; }
    if (i === frames.length - 1) show(0);
    playButton.textContent = "pause";
    timer = setInterval(function () {
      if (i >= frames.length - 1) stop(); else show(i + 1);
    }, 250);
  }
  root.querySelectorAll("button").forEach(function (b) {
    b.addEventListener("click", function () {
      var d = b.getAttribute("data-do");
      if (d === "play") { play(); return; }
      stop();
      show(d === "first" ? 0 : d === "last" ? frames.length - 1 : d === "prev" ? i - 1 : i + 1);
    });
  });
  slider.addEventListener("input", function () { stop(); show(parseInt(slider.value, 10)); });
})();"""
