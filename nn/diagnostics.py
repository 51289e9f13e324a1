"""``Diagnostics``: is the network healthy while it trains? Activations, gradients, update sizes.

The checks that tell a learner *why* a deep network does not learn, recorded into the
:class:`History` by an :func:`nn.fit` callback, on the first batch of every ``every``-th epoch::

    diag = nn.Diagnostics(every=5)
    history = nn.fit(model, loss_fn, optimizer, loader, epochs=50, callbacks=[diag])
    history.plot_diagnostics()

Per activation layer (a ``Tanh``, ``Sigmoid``, ``ReLU`` or ``LeakyReLU`` module; a model
without any gets its leaf modules instead), from the layer's output on that batch:

- ``mean`` and ``std`` of the activations, and a histogram;
- ``saturated`` (tanh, sigmoid): the fraction of outputs in the flat tails, |tanh| > 0.97
  (for a sigmoid the same, |2σ − 1| > 0.97), where the local gradient 1 − tanh² < 0.06 all but
  stops backprop;
- ``dead`` (ReLU family): the fraction of units that are ≤ 0 for *every* example of the batch —
  they pass no gradient, so nothing will revive them.

Per layer with parameters (keyed as :func:`nn.gradient_norms` with ``per_layer=True``):

- ``gradient_norm``: √(Σ‖∂L/∂w‖²) over the layer's parameters, just before the step;
- ``update_ratio``: ‖Δw‖ / ‖w‖ over the layer's weights (its parameters with ≥ 2 dimensions,
  or all of them if it has none), measured across the step, whatever the optimizer. A healthy
  rate is near 1e-3 (log10 ≈ −3): far below, the layer hardly learns; far above, it thrashes.

Everything lands in ``history.diagnostics``, a dict::

    {"epochs": [1, 6, 11, ...],                       # the recorded epochs
     "activations": {"1": {"kind": "tanh", "mean": [...], "std": [...], "saturated": [...],
                           "histogram": [(counts, edges), ...]}, ...},
     "gradient_norm": {"0": [...], "2": [...]},
     "update_ratio": {"0": [...], "2": [...]}}

Activations are captured by wrapping each watched module's ``forward`` for the one recorded
batch (and unwrapping it right after), so the other batches run at full speed.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Value
from autograd.checks import check_int

from .activations import LeakyReLU, ReLU, Sigmoid, Tanh
from .callbacks import Callback
from .gradients import gradient_norms
from .module import Module

__all__ = ["Diagnostics", "plot_diagnostics"]

SATURATION = 0.97  # |tanh| beyond this counts as saturated (Karpathy's threshold)
_KINDS = ((Tanh, "tanh"), (Sigmoid, "sigmoid"), (ReLU, "relu"), (LeakyReLU, "relu"))


def _kind(module: Module) -> str | None:
    for cls, kind in _KINDS:
        if isinstance(module, cls):
            return kind
    return None


def activation_stats(out: np.ndarray, kind: str | None, bins: int = 50) -> dict[str, Any]:
    """Mean, std, histogram and (by ``kind``) saturated or dead fraction of one layer's
    outputs ``out`` (examples along the first axis)."""
    a = np.asarray(out, dtype=np.float64)
    stats: dict[str, Any] = {"mean": float(a.mean()), "std": float(a.std())}
    if kind == "tanh":
        stats["saturated"] = float(np.mean(np.abs(a) > SATURATION))
        low, high = -1.0, 1.0
    elif kind == "sigmoid":
        stats["saturated"] = float(np.mean(np.abs(2.0 * a - 1.0) > SATURATION))
        low, high = 0.0, 1.0
    else:
        if kind == "relu":
            units = a.reshape(len(a), -1) if a.ndim >= 2 else a.reshape(-1, 1)
            stats["dead"] = float(np.mean(np.all(units <= 0.0, axis=0)))
        finite = a[np.isfinite(a)]
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        if high <= low:
            low, high = low - 0.5, high + 0.5
    counts, edges = np.histogram(np.clip(a, low, high), bins=bins, range=(low, high))
    stats["histogram"] = (counts, edges)
    return stats


class Diagnostics(Callback):
    """An :func:`nn.fit` callback recording activation, gradient and update statistics per
    layer into ``history.diagnostics`` (see the module docstring), on the first batch of
    epoch 1 and of every ``every``-th epoch; ``history.plot_diagnostics()`` draws them.

    ``bins``: the number of bins of each activation histogram.
    """

    def __init__(self, every: int = 1, bins: int = 50) -> None:
        self.every = check_int("Diagnostics", "every", every, fix="record every n-th epoch")
        self.bins = check_int("Diagnostics", "bins", bins)
        self.records: dict[str, Any] = _empty()
        self._pending: int | None = None  # the epoch being recorded, until its first step
        self._captured: dict[str, np.ndarray] = {}
        self._wrapped: list[tuple[Module, Any]] = []
        self._before: dict[str, list[np.ndarray]] = {}

    # ------------------------------------------------------------------ the hooks
    def on_train_begin(self, model: Any, optimizer: Any, history: Any) -> None:
        self.records = _empty()
        history.diagnostics = self.records

    def on_epoch_begin(self, epoch: int, model: Any, optimizer: Any, history: Any) -> None:
        if epoch == 1 or epoch % self.every == 0:
            self._pending = epoch
            self._captured = {}
            self._wrap(model)

    def on_before_step(self, model: Any, optimizer: Any) -> None:
        if self._pending is None:
            return
        self._unwrap()  # only the recorded batch's forward is captured
        self._gradients = gradient_norms(model, per_layer=True)
        self._before = {
            layer: [np.array(p.data, dtype=np.float64) for p in params]
            for layer, params in _weights_by_layer(model).items()
        }

    def on_after_step(self, model: Any, optimizer: Any) -> None:
        if self._pending is None:
            return
        ratios = {}
        for layer, params in _weights_by_layer(model).items():
            before = self._before.get(layer)
            if before is None:
                continue
            change = sum(
                float(np.sum((np.asarray(p.data) - b) ** 2))
                for p, b in zip(params, before, strict=True)
            )
            size = sum(float(np.sum(b * b)) for b in before)
            ratios[layer] = math.sqrt(change / size) if size > 0 else math.nan
        self._store(self._pending, self._gradients, ratios)
        self._pending = None

    def on_train_end(self, model: Any, optimizer: Any, history: Any) -> None:
        self._unwrap()
        self._pending = None

    # ------------------------------------------------------------------ recording
    def _store(self, epoch: int, gradients: dict[str, float], ratios: dict[str, float]) -> None:
        records = self.records
        n = len(records["epochs"])
        records["epochs"].append(epoch)
        for name, (kind, out) in self._captured.items():
            entry = records["activations"].setdefault(name, {"kind": kind})
            for key, value in activation_stats(out, kind, self.bins).items():
                _append(entry, key, value, n)
        for key, values in (("gradient_norm", gradients), ("update_ratio", ratios)):
            for layer, value in values.items():
                _append(records[key], layer, value, n)
        for table in (records["gradient_norm"], records["update_ratio"]):
            for values in table.values():
                values.extend([math.nan] * (n + 1 - len(values)))
        self._captured = {}

    def _wrap(self, model: Module) -> None:
        self._unwrap()
        leaves = [(n, m) for n, m in model.named_modules() if not any(True for _ in m.children())]
        watched = [(n, m) for n, m in leaves if _kind(m) is not None] or leaves
        for name, module in watched:
            kind = _kind(module)
            original = vars(module).get("forward")  # None: the class's forward
            bound = module.forward

            def capture(*args: Any, _name: str = name, _kind: Any = kind, _bound: Any = bound,
                        **kwargs: Any) -> Any:  # fmt: skip
                out = _bound(*args, **kwargs)
                if _name not in self._captured:
                    data = out.data if isinstance(out, Value) else out
                    self._captured[_name] = (_kind, np.array(data, copy=True))
                return out

            module.forward = capture
            self._wrapped.append((module, original))

    def _unwrap(self) -> None:
        for module, original in self._wrapped:
            if original is None:
                vars(module).pop("forward", None)
            else:
                module.forward = original
        self._wrapped = []

    def __repr__(self) -> str:
        return f"Diagnostics(every={self.every}, recorded epochs={self.records['epochs']})"


def _empty() -> dict[str, Any]:
    return {"epochs": [], "activations": {}, "gradient_norm": {}, "update_ratio": {}}


def _append(table: dict[str, Any], key: str, value: Any, n: int) -> None:
    """Append ``value`` as the (n+1)-th entry of ``table[key]``, padding a key first seen late."""
    values = table.setdefault(key, [])
    values.extend([math.nan] * (n - len(values)))
    values.append(value)


def _weights_by_layer(model: Module) -> dict[str, list[Value]]:
    """Layer name (as in ``gradient_norms(per_layer=True)``) → its weights: the parameters with
    at least two dimensions, or all its parameters if it has none."""
    layers: dict[str, list[Value]] = {}
    for name, p in model.named_parameters():
        layers.setdefault(name.rpartition(".")[0] or type(model).__name__, []).append(p)
    return {
        layer: [p for p in params if np.ndim(p.data) >= 2] or params
        for layer, params in layers.items()
    }


# ---------------------------------------------------------------------------- the views
def plot_diagnostics(history: Any, epoch: int | None = None) -> Any:
    """Draw what :class:`Diagnostics` recorded in ``history``; return the matplotlib Figure.

    Four panels: the activation histogram of each watched layer at ``epoch`` (default: the
    last recorded), with its mean, std and saturated/dead fraction in the legend; the
    saturated or dead fraction per layer over the epochs; the gradient norm per layer over the
    epochs (log scale); and log10 of the update:data ratio per layer, against the 1e-3 guide.
    """
    from .plots import pyplot  # matplotlib, or an error saying how to install it

    plt = pyplot()

    records = getattr(history, "diagnostics", None)
    if not records or not records["epochs"]:
        raise ValueError(
            "plot_diagnostics: nothing recorded; train with nn.fit(..., "
            "callbacks=[nn.Diagnostics()]) first"
        )
    epochs = records["epochs"]
    if epoch is None:
        index = len(epochs) - 1
    elif epoch in epochs:
        index = epochs.index(epoch)
    else:
        raise ValueError(f"plot_diagnostics: epoch {epoch} was not recorded; recorded: {epochs}")
    fig, axes = plt.subplots(2, 2, figsize=(12, 7.5))
    hist_ax, frac_ax, grad_ax, ratio_ax = axes.ravel()

    for name, entry in records["activations"].items():
        if index >= len(entry.get("histogram", ())):
            continue
        hist = entry["histogram"][index]
        if not isinstance(hist, tuple):
            continue
        counts, edges = hist
        centres = (edges[:-1] + edges[1:]) / 2
        label = (
            f"layer {name} ({entry['kind'] or 'output'}): mean {entry['mean'][index]:+.2f}, "
            f"std {entry['std'][index]:.2f}"
        )
        for key in ("saturated", "dead"):
            if key in entry:
                label += f", {key} {entry[key][index]:.0%}"
        hist_ax.plot(centres, counts / max(counts.sum(), 1), label=label)
        for key in ("saturated", "dead"):
            if key in entry:
                frac_ax.plot(epochs, entry[key], marker=".", label=f"layer {name}: {key}")
    hist_ax.set_title(f"activation distribution per layer (epoch {epochs[index]})")
    hist_ax.set_xlabel("activation value")
    hist_ax.set_ylabel("fraction of values")
    hist_ax.legend(fontsize=7)
    frac_ax.set_title("saturated (tanh, sigmoid) or dead (ReLU) units")
    frac_ax.set_xlabel("epoch")
    frac_ax.set_ylim(-0.02, 1.02)
    if frac_ax.get_lines():
        frac_ax.legend(fontsize=7)

    for name, values in records["gradient_norm"].items():
        grad_ax.plot(epochs, values, marker=".", label=f"layer {name}")
    grad_ax.set_yscale("log")
    grad_ax.set_title("gradient norm per layer")
    grad_ax.set_xlabel("epoch")
    grad_ax.legend(fontsize=7)

    for name, values in records["update_ratio"].items():
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio_ax.plot(epochs, np.log10(np.asarray(values, dtype=float)), marker=".",
                          label=f"layer {name}")  # fmt: skip
    ratio_ax.axhline(-3, color="black", linestyle="--", linewidth=1, label="1e-3 guide")
    ratio_ax.set_title("update : data ratio, log10(‖Δw‖ / ‖w‖)")
    ratio_ax.set_xlabel("epoch")
    ratio_ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
