"""nn.fit's one callback interface: hook order and signatures, the adapters for schedulers,
functions and after_step, and fit's progress display and loss checks."""

import io
import sys
import types

import numpy as np
import pytest

import autograd
import nn
import nn.progress
import optim


def setup(seed=0, n=64, batch_size=16):
    autograd.manual_seed(seed)
    X, y = nn.data.make_moons(n=n, noise=0.1, seed=seed)
    model = nn.MLP(2, [8, 2])
    opt = optim.SGD(model.parameters(), lr=0.1)
    return model, opt, nn.data.DataLoader(X, y, batch_size=batch_size), (X[:16], y[:16])


class Recorder(nn.Callback):
    """Records every hook call with the arguments fit passes."""

    def __init__(self, stop_at=None):
        self.calls = []
        self.stop_at = stop_at

    def on_train_begin(self, model, optimizer, history):
        self.calls.append(("train_begin", sorted(history), model, optimizer))

    def on_epoch_begin(self, epoch, model, optimizer, history):
        self.calls.append(("epoch_begin", epoch))

    def on_before_step(self, model, optimizer):
        grads = [p.grad is not None for p in model.parameters()]
        self.calls.append(("before_step", all(grads)))

    def on_after_step(self, model, optimizer):
        self.calls.append(("after_step",))

    def on_epoch_end(self, epoch, logs, model, optimizer, history):
        self.calls.append(("epoch_end", epoch, dict(logs), len(history["loss"])))
        return epoch == self.stop_at

    def on_train_end(self, model, optimizer, history):
        self.calls.append(("train_end", history.stopped_epoch))


def test_fit_calls_every_hook_in_order_with_the_documented_arguments():
    model, opt, loader, val = setup()
    recorder = Recorder()
    history = nn.fit(model, nn.F.cross_entropy, opt, loader, val=val, epochs=2,
                     callbacks=[recorder], progress=False)  # fmt: skip
    kinds = [call[0] for call in recorder.calls]
    batches = ["before_step", "after_step"] * 4  # 64 examples in batches of 16
    epoch = ["epoch_begin", *batches, "epoch_end"]
    assert kinds == ["train_begin", *epoch, *epoch, "train_end"]
    begin = recorder.calls[0]
    assert begin[1] == ["loss", "lr", "val_loss"] and begin[2] is model and begin[3] is opt
    assert all(call[1] for call in recorder.calls if call[0] == "before_step")  # fresh grads
    ends = [call for call in recorder.calls if call[0] == "epoch_end"]
    assert [e[1] for e in ends] == [1, 2] == history.epochs  # epochs count from 1
    for epoch_number, logs, recorded in (e[1:] for e in ends):
        assert recorded == epoch_number
        assert logs == {k: v[epoch_number - 1] for k, v in history.items()}
    assert recorder.calls[-1] == ("train_end", None)


def test_a_callback_stops_training_and_the_others_still_see_that_epoch():
    model, opt, loader, _ = setup()
    stopper, watcher = Recorder(stop_at=3), Recorder()
    history = nn.fit(model, nn.F.cross_entropy, opt, loader, epochs=10,
                     callbacks=[stopper, watcher], progress=False)  # fmt: skip
    assert history.stopped_epoch == 3 and history.epochs == [1, 2, 3]
    assert [c[1] for c in watcher.calls if c[0] == "epoch_end"] == [1, 2, 3]
    assert watcher.calls[-1] == ("train_end", 3)


def test_early_stopping_is_a_callback_and_schedulers_and_functions_are_wrapped():
    model, opt, loader, _ = setup()
    stopper = nn.EarlyStopping(patience=2)
    scheduler = optim.StepLR(opt, step_size=1)
    plateau = optim.ReduceLROnPlateau(optim.SGD([autograd.Value(np.zeros(1))], lr=1.0))
    assert isinstance(stopper, nn.Callback)
    assert nn.callbacks.as_callback(stopper) is stopper
    wrapped = nn.callbacks.as_callback(scheduler)
    assert isinstance(wrapped, nn.callbacks.SchedulerCallback) and wrapped.scheduler is scheduler
    assert isinstance(nn.callbacks.as_callback(print), nn.callbacks.FunctionCallback)
    with pytest.raises(TypeError, match="nn.Callback"):
        nn.callbacks.as_callback(42)
    history = nn.fit(model, nn.F.cross_entropy, opt, loader, epochs=3,
                     callbacks=[scheduler, plateau], progress=False)  # fmt: skip
    assert history["lr"] == pytest.approx([0.1, 0.01, 0.001])
    assert plateau.best == min(history["loss"])  # given the training loss: no val data
    assert scheduler.last_epoch == 3


def test_a_scheduler_monitoring_an_unrecorded_key_fails_before_training():
    model, opt, loader, _ = setup()
    plateau = optim.ReduceLROnPlateau(opt)
    callback = nn.callbacks.SchedulerCallback(plateau, monitor="val_accuracy")
    with pytest.raises(ValueError, match="'val_accuracy', which fit does not record"):
        nn.fit(model, nn.F.cross_entropy, opt, loader, callbacks=[callback], progress=False)
    assert plateau.last_epoch == 0


def test_step_hooks_are_skipped_for_callbacks_that_do_not_override_them():
    assert not nn.callbacks.overrides(nn.EarlyStopping(2), "on_before_step")
    assert nn.callbacks.overrides(nn.Diagnostics(), "on_before_step")
    assert nn.callbacks.overrides(nn.callbacks.AfterStepCallback(print), "on_after_step")


# ------------------------------------------------------------------ loss_fn checks
def test_a_loss_fn_returning_a_float_is_a_clear_type_error():
    """It used to fail deep inside with AttributeError (issue 13)."""
    model, opt, loader, _ = setup()
    before = [p.data.copy() for p in model.parameters()]
    with pytest.raises(TypeError, match=r"loss_fn returned a float .*not a Value.*\.item\(\)"):
        nn.fit(model, lambda out, y: nn.F.cross_entropy(out, y).item(), opt, loader,
               progress=False)  # fmt: skip
    with pytest.raises(ValueError, match=r"loss_fn returned a Value of shape \(16,\)"):
        nn.fit(model, lambda out, y: nn.F.cross_entropy(out, y, reduction="none"), opt,
               loader, progress=False)  # fmt: skip
    for p, b in zip(model.parameters(), before, strict=True):
        np.testing.assert_array_equal(p.data, b)  # nothing trained


# ------------------------------------------------------------------ progress
def stopping_run(progress, epochs=30):
    """A run that early stopping ends: training loss as the monitor, patience 1, lr too big
    to keep improving."""
    model, opt, loader, _ = setup()
    opt.lr = 5.0
    stopper = nn.EarlyStopping(patience=1)
    history = nn.fit(model, nn.F.cross_entropy, opt, loader, epochs=epochs,
                     callbacks=[stopper], progress=progress)  # fmt: skip
    assert history.stopped_epoch is not None and history.stopped_epoch < epochs
    return history


def test_history_summary_says_how_training_ended():
    history = nn.History(loss=[1.0] * 61)
    assert history.summary() == "61 epochs"
    history.stopped_epoch, history.restored_epoch = 61, 51
    assert history.summary() == "stopped at epoch 61, restored epoch 51"


def test_terminal_bar_ends_full_and_says_where_training_stopped(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    history = stopping_run(True)
    last = terminal.getvalue().split("\r")[-1]
    n = history.stopped_epoch
    assert f"stopped at epoch {n}, restored epoch {history.restored_epoch}" in last
    assert f"{n}/{n}" in last and "100%" in last  # not frozen part-way


def test_lines_mode_prints_one_line_per_epoch_and_a_script_gets_nothing(capfd):
    history = stopping_run("lines")
    out, err = capfd.readouterr()
    lines = out.strip().splitlines()
    assert len(lines) == history.stopped_epoch + 1 and err == ""
    assert lines[0].startswith("epoch 1/30: loss=")
    assert lines[-1] == f"fit: {history.summary()}"
    stopping_run(True)  # stdout and stderr are not terminals here: nothing at all
    assert capfd.readouterr() == ("", "")
    with pytest.raises(ValueError, match="progress must be True, False or 'lines'"):
        stopping_run("bar")


def test_jupyter_without_ipywidgets_shows_one_updating_line(monkeypatch, capfd):
    """No wall of text in the saved notebook: one display, updated in place."""
    shown = []

    class Handle:
        def update(self, obj, raw=False):
            shown.append(("update", obj["text/plain"]))

    def display(obj, raw=False, display_id=None):
        shown.append(("display", obj["text/plain"]))
        return Handle()

    monkeypatch.setattr(nn.progress, "in_jupyter", lambda: True)
    monkeypatch.setattr(nn.progress, "_has_ipywidgets", lambda: False)
    monkeypatch.setitem(sys.modules, "IPython.display", types.SimpleNamespace(display=display))
    history = stopping_run(True)
    assert capfd.readouterr() == ("", "")
    assert [kind for kind, _ in shown].count("display") == 1
    n = history.stopped_epoch
    restored = history.restored_epoch
    assert shown[-1][1].startswith(
        f"fit: |{'█' * 20}| stopped at epoch {n} of 30, restored epoch {restored}  loss="
    )


def test_jupyter_with_ipywidgets_shows_a_bar_then_leaves_one_line_saying_how_it_ended(
    monkeypatch,
):
    """A live widget bar while training; afterwards the display holds one text line (a saved
    notebook keeps no widgets, and used to show tqdm's bar frozen at 0 %)."""
    shown, widgets = [], []

    class Widget:
        def __init__(self, *children, **traits):
            self.children, self.closed = children, False
            self.__dict__.update(traits)
            widgets.append(self)

        def close(self):
            self.closed = True

    class Handle:
        def update(self, obj, raw=False):
            shown.append(("update", obj))

    def display(obj, raw=False, display_id=None):
        shown.append(("display", obj))
        return Handle()

    fake = types.SimpleNamespace(IntProgress=Widget, Label=Widget, HBox=Widget)
    monkeypatch.setattr(nn.progress, "in_jupyter", lambda: True)
    monkeypatch.setattr(nn.progress, "_has_ipywidgets", lambda: True)
    monkeypatch.setitem(sys.modules, "ipywidgets", fake)
    monkeypatch.setitem(sys.modules, "IPython.display", types.SimpleNamespace(display=display))
    history = stopping_run(True)
    bar, label, box = widgets
    n = history.stopped_epoch
    assert shown[0] == ("display", box) and len(shown) == 2
    assert bar.value == n and box.closed
    final = shown[1][1]
    assert list(final) == ["text/plain"]  # the widget is gone from the output
    assert final["text/plain"].startswith(
        f"fit: |{'█' * 20}| stopped at epoch {n} of 30, "
        f"restored epoch {history.restored_epoch}  loss="
    )


def test_final_line_of_a_run_that_used_every_epoch():
    history = nn.History(loss=[0.5, 0.25])
    assert nn.progress.final_line(history, 2) == f"fit: |{'█' * 20}| 2/2 epochs  loss=0.25"
    assert (
        nn.progress.final_line(history, 4) == f"fit: |{'█' * 10}{' ' * 10}| 2/4 epochs  loss=0.25"
    )
