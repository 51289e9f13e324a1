"""Training: EarlyStopping, fit and its History, callbacks, metrics, random_restarts,
gradient_norms, and the digits model."""

import io
import math
import sys

import numpy as np
import pytest

import autograd
import nn
import optim
from autograd import Value


def rng(seed=0):
    return np.random.default_rng(seed)


def moons(n=200, seed=0):
    X, y = nn.data.make_moons(n=n, noise=0.1, seed=seed)
    return X, y


def moons_setup(seed=0, sizes=(16, 2), lr=0.05):
    autograd.manual_seed(seed)
    X, y = moons()
    model = nn.MLP(2, list(sizes))
    opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    loader = nn.data.DataLoader(X, y, batch_size=32)
    Xv, yv = moons(100, seed=1)
    return model, opt, loader, (Xv, yv)


# ------------------------------------------------------------------ EarlyStopping
def run_stopper(stopper, values, model):
    """Feed ``values`` as the validation losses of successive epochs; before each epoch the
    model's weights are set to the epoch index, so restored weights show their epoch."""
    for epoch, value in enumerate(values):
        model.weight.data[:] = epoch
        if stopper.step(value, model):
            return epoch
    return None


def test_early_stopping_stops_after_patience_and_restores_the_best_weights():
    model = nn.Linear(2, 1)
    stopper = nn.EarlyStopping(patience=3)
    stopped = run_stopper(stopper, [1.0, 0.8, 0.9, 0.85, 0.95, 0.1, 0.1], model)
    assert stopped == 4  # epochs 2, 3, 4 did not beat 0.8
    # epochs count from 1: the fifth call stopped; the second was the best
    assert stopper.stopped_epoch == 5 and stopper.best_epoch == 2 and stopper.best == 0.8
    assert stopper.counter == 3
    np.testing.assert_array_equal(model.weight.data, 1.0)  # epoch 1's weights are back


def test_early_stopping_min_delta_mode_max_and_nan():
    model = nn.Linear(2, 1)
    stopper = nn.EarlyStopping(patience=2, min_delta=0.05)
    # 0.97 and 0.93 improve on 1.0 by less than 0.05 + ... : only 0.9 counts
    assert run_stopper(stopper, [1.0, 0.97, 0.9, 0.86, 0.87], model) == 4
    assert stopper.best_epoch == 3
    np.testing.assert_array_equal(model.weight.data, 2.0)
    stopper = nn.EarlyStopping(patience=2, mode="max")
    assert run_stopper(stopper, [0.5, 0.7, 0.6, 0.8, 0.8, 0.79], model) == 5
    assert stopper.best == 0.8 and stopper.best_epoch == 4
    stopper = nn.EarlyStopping(patience=1)
    assert run_stopper(stopper, [1.0, math.nan], model) == 1  # NaN never improves
    np.testing.assert_array_equal(model.weight.data, 0.0)


def test_early_stopping_without_restore_and_with_a_checkpoint(tmp_path):
    model = nn.Linear(2, 1)
    stopper = nn.EarlyStopping(patience=1, restore_best=False, checkpoint=tmp_path / "best.npz")
    assert run_stopper(stopper, [3.0, 2.0, 2.5], model) == 2
    np.testing.assert_array_equal(model.weight.data, 2.0)  # not restored
    saved = nn.load(nn.Linear(2, 1), tmp_path / "best.npz")
    np.testing.assert_array_equal(saved.weight.data, 1.0)  # the best epoch's weights
    np.testing.assert_array_equal(stopper.best_state["weight"], 1.0)


def test_early_stopping_starts_afresh_for_another_model_and_checks_arguments():
    first, second = nn.Linear(2, 1), nn.Linear(2, 1)
    stopper = nn.EarlyStopping(patience=5)
    stopper.step(0.1, first)
    stopper.step(5.0, second)  # a different model: the best of `first` must not count
    assert stopper.best == 5.0 and stopper.best_epoch == 1
    with pytest.raises(ValueError, match="mode"):
        nn.EarlyStopping(3, mode="lowest")
    with pytest.raises(ValueError, match="patience"):
        nn.EarlyStopping(-1)
    with pytest.raises(TypeError, match="nn.Module"):
        stopper.step(1.0, [first])


# ------------------------------------------------------------------ fit and History
def test_fit_records_a_decreasing_loss_and_a_complete_history():
    model, opt, loader, val = moons_setup()
    history = nn.fit(model, nn.F.cross_entropy, opt, loader, val=val, epochs=15,
                     metrics={"accuracy": nn.accuracy}, progress=False)  # fmt: skip
    assert isinstance(history, dict)
    assert list(history) == ["loss", "accuracy", "val_loss", "val_accuracy", "lr"]
    assert all(len(values) == 15 for values in history.values())
    assert history.epochs == list(range(1, 16))
    loss = history["loss"]
    assert loss[-1] < 0.5 * loss[0]
    assert int(np.sum(np.diff(loss) < 0)) >= 11  # mostly decreasing
    assert history["val_accuracy"][-1] > 0.9
    assert history["lr"] == [0.05] * 15
    assert not model.training  # fit leaves the model ready for predictions
    with autograd.no_grad():  # the last entries describe the final model
        out = model(val[0])
        assert history["val_loss"][-1] == pytest.approx(nn.F.cross_entropy(out, val[1]).item())
        assert history["val_accuracy"][-1] == nn.accuracy(out, val[1])
    assert history.stopped_epoch is None and history.restored_epoch is None
    assert repr(history).startswith("History(epochs=15, loss=")


def test_fit_loss_is_the_epoch_mean_weighted_by_batch_size():
    X, y = moons(10)
    model = nn.Linear(2, 2)
    opt = optim.SGD(model.parameters(), lr=0.0)  # no learning: every batch sees the same model
    loader = nn.data.DataLoader(X, y, batch_size=4, shuffle=False)  # batches of 4, 4, 2
    history = nn.fit(model, nn.F.cross_entropy, opt, loader, val=loader, epochs=1,
                     progress=False)  # fmt: skip
    with autograd.no_grad():
        full = nn.F.cross_entropy(model(X), y).item()
    assert history["loss"][0] == pytest.approx(full, rel=1e-6)
    assert history["val_loss"][0] == pytest.approx(full, rel=1e-6)


def test_fit_trains_in_training_mode_and_validates_in_eval_mode_without_a_graph():
    seen = []

    class Spy(nn.Module):
        def forward(self, x):
            seen.append((self.training, autograd.is_grad_enabled(), len(x)))
            return x

    X, y = moons(40)
    model = nn.Sequential(nn.Linear(2, 2), Spy())
    opt = optim.SGD(model.parameters(), lr=0.1)
    loader = nn.data.DataLoader(X, y, batch_size=20)
    nn.fit(model, nn.F.cross_entropy, opt, loader, val=(X[:5], y[:5]), epochs=2, progress=False)
    assert seen == [(True, True, 20), (True, True, 20), (False, False, 5)] * 2


def test_fit_callbacks_schedulers_and_a_stopping_function():
    model, opt, loader, val = moons_setup()
    schedule = optim.StepLR(opt, step_size=2, gamma=0.5)
    plateau_opt = optim.SGD([Value(np.zeros(1))], lr=1.0)
    plateau = optim.ReduceLROnPlateau(plateau_opt, threshold=0.0, patience=100)
    calls = []

    def stop_after_five(epoch, history, model_):
        calls.append((epoch, len(history["loss"]), model_ is model))
        return epoch == 5  # epochs count from 1

    history = nn.fit(model, nn.F.cross_entropy, opt, loader, val=val, epochs=20,
                     callbacks=[schedule, plateau, stop_after_five], progress=False)  # fmt: skip
    assert len(history["loss"]) == 5 and history.stopped_epoch == 5
    assert calls == [(e, e, True) for e in range(1, 6)]
    assert history["lr"] == [0.05, 0.05, 0.025, 0.025, 0.0125]  # the lr each epoch trained at
    assert plateau.best == min(history["val_loss"])  # it was given the validation losses


def test_fit_with_early_stopping_restores_the_best_epoch():
    autograd.manual_seed(0)
    X, y = nn.data.make_spirals(n=300, noise=0.2, seed=0)
    Xv, yv = nn.data.make_spirals(n=300, noise=0.2, seed=1)
    model = nn.MLP(2, [64, 64, 3])  # big enough to overfit 300 noisy points
    opt = optim.Adam(model.parameters(), lr=0.01)
    stopper = nn.EarlyStopping(patience=5)
    loader = nn.data.DataLoader(X, y, batch_size=32)
    history = nn.fit(model, nn.F.cross_entropy, opt, loader, val=(Xv, yv), epochs=300,
                     callbacks=[stopper], progress=False)  # fmt: skip
    epochs = len(history["loss"])
    assert epochs < 300 and history.stopped_epoch == epochs == stopper.stopped_epoch
    best = int(np.argmin(history["val_loss"]))  # an index: epoch best + 1
    assert history.restored_epoch == stopper.best_epoch == best + 1 == epochs - 5
    with autograd.no_grad():
        val_loss = nn.F.cross_entropy(model(Xv), yv).item()
    assert val_loss == pytest.approx(history["val_loss"][best], rel=1e-6)
    assert val_loss < history["val_loss"][-1]


def test_fit_restores_the_best_weights_when_the_epochs_run_out():
    model, opt, loader, val = moons_setup()
    scores = iter([0.0, 0.1, 0.0, 0.9, 0.0, 0.3, 0.0, 0.2])  # (train, val) per epoch

    def score(outputs, y):
        return next(scores)

    weights = []

    def remember(epoch, history, model_):
        weights.append(model_.state_dict())

    stopper = nn.EarlyStopping(patience=100, monitor="val_score", mode="max")
    history = nn.fit(model, nn.F.cross_entropy, opt, loader, val=val, epochs=4,
                     callbacks=[remember, stopper], metrics={"score": score},
                     progress=False)  # fmt: skip
    assert history["val_score"] == [0.1, 0.9, 0.3, 0.2]
    assert history.stopped_epoch is None
    assert history.restored_epoch == stopper.best_epoch == 2  # the second epoch, val 0.9
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, weights[1][name])
    assert not np.array_equal(weights[1]["0.weight"], weights[3]["0.weight"])


def test_fit_without_validation_watches_the_training_loss():
    model, opt, loader, _ = moons_setup()
    stopper = nn.EarlyStopping(patience=3)
    history = nn.fit(model, nn.F.cross_entropy, opt, loader, epochs=4, callbacks=[stopper],
                     progress=False)  # fmt: skip
    assert "val_loss" not in history
    assert stopper.best == min(history["loss"])


def test_fit_progress_false_prints_nothing_and_a_terminal_gets_a_bar(capfd, monkeypatch):
    model, opt, loader, val = moons_setup()
    nn.fit(model, nn.F.cross_entropy, opt, loader, val=val, epochs=2, progress=False)
    nn.fit(model, nn.F.cross_entropy, opt, loader, val=val, epochs=2)  # stderr: not a tty
    out, err = capfd.readouterr()
    assert out == "" and err == ""

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    nn.fit(model, nn.F.cross_entropy, opt, loader, val=val, epochs=3)
    text = terminal.getvalue()
    assert "3/3" in text and "val_loss=" in text and "epoch" in text
    terminal.truncate(0)
    nn.fit(model, nn.F.cross_entropy, opt, loader, epochs=2, progress=False)
    assert terminal.getvalue().strip("\x00") == ""


def test_fit_errors_are_clear():
    model, opt, loader, _ = moons_setup()
    X, y = moons(20)
    with pytest.raises(TypeError, match="DataLoader"):
        nn.fit(model, nn.F.cross_entropy, opt, (X, y), progress=False)
    with pytest.raises(TypeError, match=r"pair \(xb, yb\)"):
        nn.fit(model, nn.F.cross_entropy, opt, nn.data.DataLoader(X), progress=False)
    once = ((X[i : i + 10], y[i : i + 10]) for i in (0, 10))
    with pytest.raises(RuntimeError, match="no batches"):
        nn.fit(model, nn.F.cross_entropy, opt, once, epochs=2, progress=False)
    with pytest.raises(TypeError, match="callback"):
        nn.fit(model, nn.F.cross_entropy, opt, loader, callbacks=["stop"], progress=False)
    with pytest.raises(ValueError, match="val_accuracy"):
        stopper = nn.EarlyStopping(2, monitor="val_accuracy")
        nn.fit(model, nn.F.cross_entropy, opt, loader, callbacks=[stopper], progress=False)
    with pytest.raises(ValueError, match="val_"):
        nn.fit(model, nn.F.cross_entropy, opt, loader, metrics={"val_acc": nn.accuracy})
    with pytest.raises(TypeError, match="a tuple, not a list"):
        nn.fit(model, nn.F.cross_entropy, opt, loader, val=[X, y], progress=False)
    with pytest.raises(TypeError, match="parameters"):
        nn.fit(model, nn.F.cross_entropy, model.parameters(), loader)


def test_history_plot_returns_axes():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    history = nn.History(loss=[1.0, 0.5, 0.4], val_loss=[1.1, 0.7, 0.8], accuracy=[0.5, 0.8, 0.9])
    history.restored_epoch = 2
    ax = history.plot()
    assert [line.get_label() for line in ax.get_lines()][:2] == ["training loss", "validation loss"]
    np.testing.assert_array_equal(ax.get_lines()[1].get_ydata(), [1.1, 0.7, 0.8])
    assert ax.get_xlabel() == "epoch"
    ax2 = history.plot("accuracy")
    assert [line.get_label() for line in ax2.get_lines()] == ["training accuracy", "best epoch"]
    assert ax2.get_lines()[1].get_xdata()[0] == 2  # the restored epoch, on the epoch axis
    with pytest.raises(KeyError, match="val_accuracy"):
        history.plot(["val_accuracy"])
    plt.close("all")


# ------------------------------------------------------------------ accuracy
def test_accuracy_for_classes_one_hot_and_binary_outputs():
    logits = np.array([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [0.0, 0.0, 5.0], [9.0, 0.0, 0.0]])
    labels = np.array([0, 1, 0, 0])
    assert nn.accuracy(logits, labels) == 0.75
    assert nn.accuracy(Value(logits), nn.data.one_hot(labels, 3)) == 0.75
    scores = np.array([[1.5], [-0.2], [0.3], [-2.0]])
    assert nn.accuracy(scores, np.array([1, 0, 0, 0])) == 0.75
    assert nn.accuracy(scores[:, 0], np.array([1, -1, -1, 1])) == 0.5
    assert nn.accuracy(np.array([0.9, 0.4, 0.6]), np.array([1, 0, 0]), threshold=0.5) == 2 / 3
    with pytest.raises(ValueError, match="labels of shape"):
        nn.accuracy(logits, labels[:3])


# ------------------------------------------------------------------ random_restarts
def test_random_restarts_keeps_the_lowest_score():
    made = []

    def make_model():
        made.append(nn.Linear(2, 1))
        return made[-1]

    scores = iter([3.0, math.nan, 1.0, 2.0, 1.0])
    best, all_scores = nn.random_restarts(make_model, lambda m: next(scores), 5)
    assert best is made[2] and len(made) == 5
    assert all_scores[:3] == [3.0, pytest.approx(math.nan, nan_ok=True), 1.0]
    with pytest.raises(TypeError, match="score"):
        nn.random_restarts(make_model, lambda m: "good", 1)
    with pytest.raises(ValueError, match="positive"):
        nn.random_restarts(make_model, lambda m: 1.0, 0)


def test_random_restarts_scores_a_history_by_its_final_weights():
    histories = [
        nn.History(loss=[0.1, 0.1], val_loss=[0.9, 0.5]),  # last epoch: 0.5
        nn.History(loss=[0.1, 0.1], val_loss=[0.3, 0.8]),  # restored epoch 0: 0.3
        nn.History(loss=[0.2, 0.05]),  # no validation: the training loss, 0.05
    ]
    histories[1].restored_epoch = 1  # the first epoch
    results = iter(histories)
    best, scores = nn.random_restarts(lambda: nn.Linear(1, 1), lambda m: next(results), 3)
    assert scores == [0.5, 0.3, 0.05]


def test_random_restarts_with_fit():
    autograd.manual_seed(0)
    X, y = nn.data.make_xor(n=200, noise=0.1, seed=0)
    loader = nn.data.DataLoader(X, y, batch_size=50)

    def train(model):
        opt = optim.Adam(model.parameters(), lr=0.05)
        return nn.fit(model, nn.F.cross_entropy, opt, loader, epochs=5, progress=False)

    best, scores = nn.random_restarts(lambda: nn.MLP(2, [4, 2]), train, 3)
    with autograd.no_grad():
        final = nn.F.cross_entropy(best(X), y).item()
    assert min(scores) < max(scores)
    # The History score is the last epoch's mean batch loss, taken while the weights moved:
    # close to, but not exactly, the final model's loss.
    assert final == pytest.approx(min(scores), rel=0.5)


# ------------------------------------------------------------------ gradient_norms
def test_gradient_norms_per_parameter_and_per_layer():
    autograd.manual_seed(0)
    model = nn.MLP(3, [4, 2])
    x = rng().standard_normal((5, 3)).astype(np.float32)
    assert nn.gradient_norms(model) == {}
    nn.F.cross_entropy(model(x), np.array([0, 1, 1, 0, 1])).backward()
    norms = nn.gradient_norms(model)
    assert list(norms) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    for name, p in model.named_parameters():
        assert norms[name] == pytest.approx(np.linalg.norm(p.grad), rel=1e-6)
    layers = nn.gradient_norms(model, per_layer=True)
    assert layers["0"] == pytest.approx(math.hypot(norms["0.weight"], norms["0.bias"]))
    assert list(layers) == ["0", "2"]


# ------------------------------------------------------------------ the digits model
def test_digits_mlp_reaches_95_percent_whatever_the_seed():
    """Issue 6's digits setup: stratified 80/20 split, standardised, MLP 64→128→64→10, Adam
    1e-3, batches of 32, 30 epochs. A fresh seed every run (for the split and the model)."""
    seed = int(np.random.default_rng().integers(2**31))
    autograd.manual_seed(seed)
    X, y = nn.data.load_digits()
    (Xtr, ytr), _, (Xte, yte) = nn.data.train_val_test_split(X, y, val=0.0, test=0.2,
                                                             seed=seed)  # fmt: skip
    scaler = nn.data.Standardizer().fit(Xtr)
    model = nn.MLP(64, [128, 64, 10])
    opt = optim.Adam(model.parameters(), lr=1e-3)
    loader = nn.data.DataLoader(scaler.transform(Xtr), ytr, batch_size=32)
    nn.fit(model, nn.F.cross_entropy, opt, loader, epochs=30, progress=False)
    with autograd.no_grad():
        accuracy = nn.accuracy(model(scaler.transform(Xte)), yte)
    assert accuracy >= 0.95, f"test accuracy {accuracy:.4f} with seed {seed}"


def test_fit_calls_after_step_after_every_optimizer_step():
    autograd.manual_seed(0)
    X, y = nn.data.make_moons(n=64, noise=0.1, seed=0)
    model = nn.MLP(2, [8, 2])
    optimizer = optim.SGD(model.parameters(), lr=0.5)
    weights = nn.weights_only(model)
    calls = []

    def constrain():
        nn.max_norm_(weights, 0.5)
        calls.append(max(float(np.linalg.norm(w.data, axis=-1).max()) for w in weights))

    nn.fit(model, nn.F.cross_entropy, optimizer, nn.data.DataLoader(X, y, batch_size=16),
           epochs=3, progress=False, after_step=constrain)  # fmt: skip
    assert len(calls) == 3 * 4  # 4 batches an epoch
    assert max(calls) <= 0.5 + 1e-6
    with pytest.raises(TypeError, match="after_step"):
        nn.fit(model, nn.F.cross_entropy, optimizer, nn.data.DataLoader(X, y), epochs=1,
               progress=False, after_step=3)  # fmt: skip
