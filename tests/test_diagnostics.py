"""nn.Diagnostics: per-layer activation statistics, gradient norms and update:data ratios
recorded by nn.fit into history.diagnostics, and history.plot_diagnostics()."""

import math

import numpy as np
import pytest

import autograd
import nn
import optim


def data(n=64, seed=0):
    return nn.data.make_moons(n=n, noise=0.1, seed=seed)


def tanh_net(scale):
    autograd.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(),
                          nn.Linear(32, 2))  # fmt: skip
    for layer in (model[0], model[2]):
        layer.weight.data *= scale
    return model


def train(model, diag, epochs=3, lr=0.1, extra=()):
    X, y = data()
    opt = optim.SGD(model.parameters(), lr=lr)
    loader = nn.data.DataLoader(X, y, batch_size=16, shuffle=False)
    return nn.fit(model, nn.F.cross_entropy, opt, loader, epochs=epochs,
                  callbacks=[*extra, diag], progress=False)  # fmt: skip


def test_records_the_documented_structure_every_nth_epoch():
    model = tanh_net(1.0)
    history = train(model, nn.Diagnostics(every=2), epochs=5)
    d = history.diagnostics
    assert d["epochs"] == [1, 2, 4]  # epoch 1 always, then every 2nd
    assert list(d["activations"]) == ["1", "3"]  # the two Tanh modules
    for entry in d["activations"].values():
        assert entry["kind"] == "tanh"
        assert {"mean", "std", "saturated", "histogram"} <= set(entry)
        assert all(len(entry[k]) == 3 for k in ("mean", "std", "saturated", "histogram"))
    assert list(d["gradient_norm"]) == list(d["update_ratio"]) == ["0", "2", "4"]
    assert all(len(v) == 3 for v in d["gradient_norm"].values())
    # nothing is left wrapped: every module calls its class's forward again
    assert all("forward" not in vars(m) for m in model.modules())


def test_saturation_grows_with_the_initial_weight_scale():
    small = train(tanh_net(0.3), nn.Diagnostics(), epochs=1).diagnostics
    large = train(tanh_net(20.0), nn.Diagnostics(), epochs=1).diagnostics
    assert small["activations"]["3"]["saturated"][0] < 0.05
    assert large["activations"]["3"]["saturated"][0] > 0.5
    assert large["activations"]["3"]["std"][0] > small["activations"]["3"]["std"][0]


def test_dead_relu_units_are_counted():
    autograd.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 10), nn.ReLU(), nn.Linear(10, 2))
    model[0].bias.data[:4] = -100.0  # four units that never fire
    d = train(model, nn.Diagnostics(), epochs=1).diagnostics
    entry = d["activations"]["1"]
    assert entry["kind"] == "relu" and "saturated" not in entry
    assert entry["dead"][0] == pytest.approx(0.4)


class Spy(nn.Callback):
    """Notes gradients and weights around the first step of the run."""

    def __init__(self):
        self.seen = None

    def on_before_step(self, model, optimizer):
        if self.seen is None:
            self.seen = (nn.gradient_norms(model, per_layer=True),
                         {n: p.data.copy() for n, p in model.named_parameters()},
                         {n: p.grad.copy() for n, p in model.named_parameters()})  # fmt: skip


def test_gradient_norms_and_update_ratios_are_those_of_the_recorded_step():
    model = tanh_net(1.0)
    spy = Spy()
    d = train(model, nn.Diagnostics(), epochs=1, lr=0.1, extra=[spy]).diagnostics
    norms, weights, grads = spy.seen
    for layer, norm in norms.items():
        assert d["gradient_norm"][layer][0] == pytest.approx(norm, rel=1e-9)
        # plain SGD: Δw = -lr·g, so ‖Δw‖/‖w‖ = lr‖g‖/‖w‖ over the layer's weight matrix
        w, g = weights[f"{layer}.weight"], grads[f"{layer}.weight"]
        expected = 0.1 * np.linalg.norm(g) / np.linalg.norm(w)
        assert d["update_ratio"][layer][0] == pytest.approx(expected, rel=1e-5)


def test_activation_stats_match_numpy():
    a = np.random.default_rng(0).uniform(-1, 1, size=(100, 5))
    stats = nn.diagnostics.activation_stats(a, "tanh", bins=10)
    assert stats["mean"] == pytest.approx(a.mean()) and stats["std"] == pytest.approx(a.std())
    assert stats["saturated"] == pytest.approx(np.mean(np.abs(a) > 0.97))
    counts, edges = stats["histogram"]
    assert counts.sum() == a.size and edges[0] == -1 and edges[-1] == 1
    sig = nn.diagnostics.activation_stats(np.array([[0.01, 0.5], [0.99, 0.4]]), "sigmoid")
    assert sig["saturated"] == 0.5


def test_plot_diagnostics_draws_the_classic_views():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    history = train(tanh_net(1.0), nn.Diagnostics(), epochs=3)
    fig = history.plot_diagnostics()
    hist_ax, frac_ax, grad_ax, ratio_ax = fig.axes
    assert len(hist_ax.get_lines()) == 2 and "saturated" in hist_ax.get_lines()[0].get_label()
    assert grad_ax.get_yscale() == "log" and len(grad_ax.get_lines()) == 3
    guide = [line for line in ratio_ax.get_lines() if line.get_label() == "1e-3 guide"]
    assert len(guide) == 1 and list(guide[0].get_ydata()) == [-3, -3]
    ratios = history.diagnostics["update_ratio"]["0"]
    np.testing.assert_allclose(ratio_ax.get_lines()[0].get_ydata(), np.log10(ratios))
    assert "epoch 1" in history.plot_diagnostics(epoch=1).axes[0].get_title()
    with pytest.raises(ValueError, match="epoch 7 was not recorded"):
        history.plot_diagnostics(epoch=7)
    with pytest.raises(ValueError, match="nn.Diagnostics"):
        nn.History(loss=[1.0]).plot_diagnostics()
    plt.close("all")


def test_arguments_are_checked():
    with pytest.raises(ValueError, match="invalid every=0"):
        nn.Diagnostics(every=0)
    with pytest.raises(TypeError, match="every must be an int"):
        nn.Diagnostics(every=1.5)
    assert not math.isnan(nn.Diagnostics().every)
