"""nn.TrainingView: frames recorded in a plain loop and as an nn.fit callback, a GIF with
several distinct frames, a self-contained HTML player, live updates of one Jupyter output, and
draw_network's weight_scale (one arrow-width scale for every frame)."""

from __future__ import annotations

import io
import re
import sys
import types

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
Image = pytest.importorskip("PIL.Image")

import autograd  # noqa: E402
import nn  # noqa: E402
import optim  # noqa: E402
from nn import F  # noqa: E402


def train_by_hand(epochs: int = 30, every: int = 5, **options):
    autograd.manual_seed(0)
    X, y = nn.data.make_moons(n=80, noise=0.1, seed=0)
    model = nn.MLP(2, [4, 2], activation="tanh")
    optimizer = optim.Adam(model.parameters(), lr=0.1)
    options = {"show": False, "resolution": 30, **options}
    view = nn.TrainingView(model, X, y, every=every, **options)
    for epoch in range(1, epochs + 1):
        loss = F.cross_entropy(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        view.update(epoch, {"loss": loss.item(), "lr": 0.1})
    return view, model


def test_plain_loop_records_every_few_epochs_and_the_start() -> None:
    view, _ = train_by_hand(epochs=30, every=5)
    assert view.epochs == [0, 5, 10, 15, 20, 25, 30]
    assert [e for e, _ in view.curves["loss"]] == list(range(1, 31))
    assert "lr" not in view.curves  # not a curve worth a panel
    assert view.boundary and view.neuron_lines


def test_gif_has_several_distinct_frames(tmp_path) -> None:
    view, _ = train_by_hand(epochs=20, every=5)
    path = view.save(tmp_path / "training.gif")
    gif = Image.open(path)
    assert gif.n_frames == 5  # epochs 0, 5, 10, 15, 20
    frames = []
    for i in range(gif.n_frames):
        gif.seek(i)
        frames.append(np.asarray(gif.convert("RGB")))
    assert len({f.tobytes() for f in frames}) == len(frames)  # every frame differs
    assert frames[0].shape[0] > 150 and frames[0].shape[1] > 600


def test_old_frames_are_drawn_with_their_weights_and_the_model_is_put_back() -> None:
    view, model = train_by_hand(epochs=10, every=5)
    before = {k: v.copy() for k, v in model.state_dict().items()}
    first, last = view.frame(0), view.frame(-1)
    assert first != last
    after = model.state_dict()
    assert all(np.array_equal(before[k], after[k]) for k in before)
    # frame 0 is drawn with the weights of epoch 0: the model sees them while it is drawn
    seen = []
    forward = model.forward
    model.forward = lambda x: seen.append(model[0].weight.data.copy()) or forward(x)
    view._cache.clear()
    view.frame(0)
    assert np.array_equal(seen[0], view.snapshots[0].state["0.weight"])
    assert not np.array_equal(seen[0], model[0].weight.data)


def test_html_player_is_self_contained(tmp_path) -> None:
    view, _ = train_by_hand(epochs=10, every=5)
    page = view.save(tmp_path / "training.html").read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", page)  # nothing fetched
    assert "<link" not in page and "<script src" not in page
    frames = re.search(r"frames = (\[.*?\]), epochs", page)
    assert frames and len(eval(frames.group(1))) == 3  # noqa: S307 - a JSON list of strings
    assert "epochs = [0, 5, 10]" in page
    for name in ("first", "prev", "play", "next", "last"):
        assert f'data-do="{name}"' in page
    # without script the last frame shows
    assert re.search(r'<img alt="training view, epoch 10"', page)


def test_max_frames_keeps_the_first_and_the_last() -> None:
    view, _ = train_by_hand(epochs=40, every=1, max_frames=10)
    assert len(view.snapshots) <= 10
    assert view.epochs[0] == 0 and view.epochs[-1] == 40
    assert view.epochs == sorted(view.epochs)


def test_as_a_fit_callback() -> None:
    autograd.manual_seed(0)
    X, y = nn.data.make_moons(n=64, noise=0.1, seed=0)
    model = nn.MLP(2, [4, 2])
    view = nn.TrainingView(model, X, y, every=2, show=False, resolution=20)
    history = nn.fit(
        model, F.cross_entropy, optim.Adam(model.parameters(), lr=0.05),
        nn.data.DataLoader(X, y, batch_size=64), val=(X, y), epochs=6, progress=False,
        callbacks=[view],
    )  # fmt: skip
    view.finish()
    assert view.epochs == [0, 2, 4, 6]
    assert [v for _, v in view.curves["loss"]] == pytest.approx(history["loss"])
    assert [v for _, v in view.curves["val_loss"]] == pytest.approx(history["val_loss"])


def test_the_callback_hooks_directly() -> None:
    model = nn.Linear(2, 1)
    view = nn.TrainingView(model, every=1, show=False)
    assert isinstance(view, nn.callbacks.Callback)
    assert view.on_epoch_end(1, {"loss": 0.5}, model, None, None) is None  # never stops
    model.weight.data[:] = 3.0
    view.on_train_end(model, None, None)  # the weights changed after epoch 1: recorded again
    assert view.epochs == [0, 1] and view.snapshots[-1].state["weight"][0, 0] == 3.0
    assert not view.boundary  # no data: loss and network panels only
    assert view.frame()[:8] == b"\x89PNG\r\n\x1a\n"


def test_live_in_jupyter_updates_one_output_then_shows_the_player(monkeypatch) -> None:
    calls = []

    class Handle:
        def update(self, bundle, raw=False):
            calls.append(("update", sorted(bundle)))

    def display(bundle, raw=False, display_id=False):
        calls.append(("display", sorted(bundle)))
        return Handle()

    fake = types.ModuleType("IPython.display")
    fake.display = display
    monkeypatch.setitem(sys.modules, "IPython.display", fake)
    view, _ = train_by_hand(epochs=10, every=5, show=True)
    view.finish()
    assert [c[0] for c in calls] == ["display", "update", "update"]
    assert calls[0][1] == ["image/png", "text/plain"]
    assert calls[-1][1] == ["image/png", "text/html", "text/plain"]  # the player at the end


def test_save_refuses_unknown_file_types(tmp_path) -> None:
    view = nn.TrainingView(nn.Linear(2, 1), show=False)
    with pytest.raises(ValueError, match="'.gif'"):
        view.save(tmp_path / "training.mp4")
    png = view.save(tmp_path / "last.png").read_bytes()
    assert Image.open(io.BytesIO(png)).size[0] > 100


def test_bad_arguments_say_what_is_expected() -> None:
    with pytest.raises(ValueError, match="every"):
        nn.TrainingView(nn.Linear(2, 1), every=0)
    with pytest.raises(TypeError, match="nn.Module"):
        nn.TrainingView(lambda x: x)


def test_draw_network_weight_scale_fixes_the_widest_arrow() -> None:
    model = nn.Linear(2, 1)
    model.weight.data[:] = [[1.0, -0.5]]
    model.bias.data[:] = [0.25]

    def widths(**options):
        source = nn.draw_network(model, **options).source
        return [float(w) for w in re.findall(r'penwidth="?([0-9.]+)', source)]

    assert max(widths()) == pytest.approx(3.0)  # the largest |w| drawn is the widest
    assert max(widths(weight_scale=2.0)) == pytest.approx(0.3 + 2.7 * 0.5)
    assert max(widths(weight_scale=0.1)) == pytest.approx(3.0)  # capped
    with pytest.raises(ValueError, match="weight_scale"):
        nn.draw_network(model, weight_scale=0)


def test_the_player_works_in_a_browser_and_fetches_nothing(tmp_path) -> None:
    """Real clicks in headless Chromium (the DevTools driver of tests/test_browser.py)."""
    from tests.test_browser import CHROMIUM, Browser

    if CHROMIUM is None:
        pytest.skip("no Chromium found: apt-get install chromium")
    view, _ = train_by_hand(epochs=10, every=5)
    page = view.save(tmp_path / "training.html")
    browser = Browser(tmp_path / "profile")
    try:
        browser.open(page)
        state = "[document.querySelector('.glassgrad-training-view span').textContent, " \
            "document.querySelector('.glassgrad-training-view img').src.length]"  # fmt: skip
        label, size = browser.js(state)
        assert label == "epoch 10"
        browser.click('[data-do="first"]')
        assert browser.js(state)[0] == "epoch 0"
        browser.click('[data-do="next"]')
        label, other = browser.js(state)
        assert label == "epoch 5" and other != size  # another picture
        browser.click('[data-do="play"]')
        browser.js("new Promise(r => setTimeout(r, 1200))")
        assert browser.js(state)[0] == "epoch 10"  # played to the end
        fetched = [url for url in browser.requests() if not url.startswith("data:")]
        assert fetched == [page.resolve().as_uri()]  # the page, nothing else (frames are inline)
    finally:
        browser.close()
