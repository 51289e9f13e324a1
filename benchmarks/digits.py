"""digits: train an MLP on the 1,797 handwritten digits — total wall time and test accuracy.

``nn.data.load_digits()``, a stratified 80/20 split (``train_val_test_split(val=0, test=0.2)``),
features standardised with statistics of the training part only, an MLP 64→128→64→10 (ReLU,
logits out), softmax cross-entropy, Adam (lr 1e-3), mini-batches of 32 reshuffled every epoch,
30 epochs (45 batches each: 1,350 steps). The figure is the wall time of the whole training
loop; test accuracy is measured afterwards.

Engines, for every seed (each seed picks the split, the initial weights and the batch order):

- glassgrad, the loop written by hand over an ``nn.data.DataLoader`` (as the notebooks do);
- glassgrad, the same through ``nn.fit(progress=False)`` — it must end with the very same
  weights, and should cost no more;
- PyTorch eager doing the same: ``torch.nn.Sequential``, ``F.cross_entropy``,
  ``torch.optim.Adam``, with glassgrad's initial weights copied in (He uniform for the hidden
  layers, Xavier for the output: ``nn.MLP``'s init) and the very same batches, in the same
  order (the same ``DataLoader``'s arrays, viewed with ``torch.from_numpy``), so both engines
  do the same arithmetic and land on the same accuracy up to float32 rounding;
- PyTorch with its own default initialisation (same batches), for its accuracy only.

The collector stays on while timed (a whole training run, as users run it); engines take
turns seed by seed. Accuracy is reported as the mean and the lowest over the seeds (five in
a full run, one with ``--quick``), never a chosen seed.

Targets (issue 6): test accuracy ≥ 0.96; total wall time ≤ 0.7× PyTorch's.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from typing import Any

import numpy as np

from benchmarks import peers
from benchmarks.report import Row
from benchmarks.timing import Timing, interleaved, now

NAME = "digits"
SUMMARY = (
    "train an MLP 64→128→64→10 on the digits (Adam 1e-3, batch 32, 30 epochs): "
    "wall time and test accuracy, vs PyTorch"
)

SIZES = (128, 64, 10)
EPOCHS = 30
BATCH_SIZE = 32
LEARNING_RATE = 1e-3
TEST = 0.2
SEEDS = (0, 1, 2, 3, 4)
QUICK_SEEDS = (0,)
MAX_RATIO = 0.7
MIN_ACCURACY = 0.96
LOSS_RTOL = 1e-5

Data = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def prepare(seed: int) -> Data:
    """The standardised split for ``seed``: ``(X_train, y_train, X_test, y_test)``."""
    import nn

    X, y = nn.data.load_digits()
    (X_train, y_train), _, (X_test, y_test) = nn.data.train_val_test_split(
        X, y, val=0.0, test=TEST, stratify=True, seed=seed
    )
    scaler = nn.data.Standardizer().fit(X_train)  # the training part's statistics only
    return scaler.transform(X_train), y_train, scaler.transform(X_test), y_test


def start(seed: int, data: Data) -> tuple[Any, Any]:
    """glassgrad's initial model and the loader for ``seed``; every engine starts here, so all
    get the same initial weights and the same batches in the same order."""
    import autograd
    import nn

    autograd.manual_seed(seed)
    model = nn.MLP(64, list(SIZES))
    loader = nn.data.DataLoader(data[0], data[1], batch_size=BATCH_SIZE, shuffle=True)
    return model, loader


# ---------------------------------------------------------------------------------- engines
# Each trainer: (model, loader, epochs) -> seconds of training; the model is trained in place.


def train_glassgrad(model: Any, loader: Any, epochs: int) -> float:
    """The loop as the notebooks write it."""
    import nn
    import optim

    optimizer = optim.Adam(model.parameters(), lr=LEARNING_RATE)
    cross_entropy = nn.F.cross_entropy
    begin = now()
    model.train()
    for _ in range(epochs):
        for xb, yb in loader:
            loss = cross_entropy(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return now() - begin


def train_fit(model: Any, loader: Any, epochs: int) -> float:
    """The same through ``nn.fit``."""
    import nn
    import optim

    optimizer = optim.Adam(model.parameters(), lr=LEARNING_RATE)
    begin = now()
    nn.fit(model, nn.F.cross_entropy, optimizer, loader, epochs=epochs, progress=False)
    return now() - begin


def torch_model(torch: Any, weights: dict[str, np.ndarray] | None) -> Any:
    """``Sequential(Linear, ReLU, Linear, ReLU, Linear)``: with ``weights`` (a glassgrad state
    dict, whose names match) copied in, else with PyTorch's default initialisation."""
    widths = (64, *SIZES)
    layers: list[Any] = []
    for i, (a, b) in enumerate(zip(widths[:-1], widths[1:], strict=True)):
        layers.append(torch.nn.Linear(a, b))
        if i < len(SIZES) - 1:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    if weights is not None:
        model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in weights.items()})
    return model


def train_torch(torch: Any) -> Callable[[Any, Any, int], float]:
    def train(model: Any, loader: Any, epochs: int) -> float:
        optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
        cross_entropy = torch.nn.functional.cross_entropy
        from_numpy = torch.from_numpy
        begin = now()
        model.train()
        for _ in range(epochs):
            for xb, yb in loader:
                loss = cross_entropy(model(from_numpy(xb)), from_numpy(yb))
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        return now() - begin

    return train


# ---------------------------------------------------------------------------------- scoring
def glassgrad_eval(model: Any, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(mean cross-entropy, accuracy) of ``model`` on ``(X, y)``, without a graph."""
    import autograd
    import nn

    model.eval()
    with autograd.no_grad():
        logits = model(X)
        loss = float(nn.F.cross_entropy(logits, y).data)
    return loss, float(np.mean(logits.data.argmax(axis=1) == y))


def torch_eval(torch: Any, model: Any, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    model.eval()
    with torch.no_grad():
        logits = model(torch.from_numpy(X))
        loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(y)).item()
    return loss, float(np.mean(logits.numpy().argmax(axis=1) == y))


# ---------------------------------------------------------------------------------- the run
def run(
    quick: bool = False, seeds: tuple[int, ...] | None = None, epochs: int = EPOCHS
) -> list[Row]:
    seeds = (QUICK_SEEDS if quick else SEEDS) if seeds is None else tuple(seeds)
    torch = peers.torch()
    datasets = {seed: prepare(seed) for seed in seeds}
    steps = epochs * -(-len(datasets[seeds[0]][0]) // BATCH_SIZE)

    accuracy: dict[str, list[float]] = {}
    checks: dict[str, list[str]] = {"fit": [], "torch": []}
    fit_weights: dict[int, dict[str, np.ndarray]] = {}
    loop_weights: dict[int, dict[str, np.ndarray]] = {}

    def engine(name: str) -> Callable[[], dict[str, float]]:
        """One timed training per call, on the next seed."""
        remaining = list(seeds)

        def run_one() -> dict[str, float]:
            seed = remaining.pop(0)
            X_train, y_train, X_test, y_test = data = datasets[seed]
            model, loader = start(seed, data)
            if name in ("glassgrad", "fit"):
                seconds = (train_glassgrad if name == "glassgrad" else train_fit)(
                    model, loader, epochs
                )
                score = glassgrad_eval(model, X_test, y_test)[1]
                kept = loop_weights if name == "glassgrad" else fit_weights
                kept[seed] = model.state_dict()
            else:
                initial = model.state_dict() if name == "torch" else None
                if name == "torch default":
                    torch.manual_seed(seed)
                tmodel = torch_model(torch, initial)
                if initial is not None:  # same weights: same loss before training
                    ours = glassgrad_eval(model, X_train, y_train)[0]
                    theirs = torch_eval(torch, tmodel, X_train, y_train)[0]
                    if not np.isclose(ours, theirs, rtol=LOSS_RTOL, atol=0):
                        checks["torch"].append(
                            f"seed {seed}: initial loss {theirs!r} vs glassgrad's {ours!r}"
                        )
                seconds = train_torch(torch)(tmodel, loader, epochs)
                score = torch_eval(torch, tmodel, X_test, y_test)[1]
            accuracy.setdefault(name, []).append(score)
            return {"train": seconds}

        return run_one

    names = ["glassgrad", "fit"] + (["torch", "torch default"] if torch is not None else [])
    # Warm up every engine (imports, first allocations) with one untimed epoch.
    for name in names:
        model, loader = start(seeds[0], datasets[seeds[0]])
        if name in ("glassgrad", "fit"):
            (train_glassgrad if name == "glassgrad" else train_fit)(model, loader, 1)
        else:
            train_torch(torch)(torch_model(torch, model.state_dict()), loader, 1)
    timings = interleaved(
        {name: engine(name) for name in names}, repeats=len(seeds), warmup=0, disable_gc=False
    )
    for seed in seeds:
        for key, value in loop_weights[seed].items():
            if not np.array_equal(value, fit_weights[seed][key]):
                checks["fit"].append(f"seed {seed}: {key} differs")
    return rows_for(timings, accuracy, checks, seeds, epochs, steps)


def rows_for(
    timings: dict[str, dict[str, Timing]],
    accuracy: dict[str, list[float]],
    checks: dict[str, list[str]],
    seeds: tuple[int, ...],
    epochs: int,
    steps: int,
) -> list[Row]:
    torch_name = peers.label("torch")
    have_torch = "torch" in timings

    def ms(name: str) -> float | None:
        return timings[name]["train"].median * 1e3 if name in timings else None

    def us_per_step(name: str) -> float | None:
        return timings[name]["train"].median * 1e6 / steps if name in timings else None

    def mean(name: str) -> float | None:
        return 100 * statistics.fmean(accuracy[name]) if name in accuracy else None

    def lowest(name: str) -> float | None:
        return 100 * min(accuracy[name]) if name in accuracy else None

    n = len(seeds)
    over = f"{n} seeds ({', '.join(map(str, seeds))})" if n > 1 else f"seed {seeds[0]}"
    what = "mean" if n > 1 else "accuracy"
    torch_same = (
        "same split, same initial weights (glassgrad's, copied), same batches in the same "
        "order; " + ("initial losses equal" if not checks["torch"] else "; ".join(checks["torch"]))
        if have_torch
        else "torch not installed"
    )
    fit_same = (
        "nn.fit ends with exactly the weights of the hand-written loop"
        if not checks["fit"]
        else "nn.fit and the loop DIFFER: " + "; ".join(checks["fit"])
    )
    gg_mean = mean("glassgrad")

    def scores(name: str) -> str:
        return ", ".join(f"{100 * a:.1f}" for a in accuracy.get(name, []))

    return [
        Row(
            NAME,
            f"training time, {epochs} epochs (loop by hand)",
            "ms",
            ms("glassgrad"),
            torch_name,
            ms("torch"),
            max_ratio=MAX_RATIO,
            note=f"median over {over}, engines taking turns, gc on; {torch_same}",
        ),
        Row(
            NAME,
            f"  per step ({steps:,} steps)",
            "µs",
            us_per_step("glassgrad"),
            torch_name,
            us_per_step("torch"),
        ),
        Row(
            NAME,
            "  same with nn.fit(progress=False)",
            "ms",
            ms("fit"),
            "glassgrad, loop by hand",
            ms("glassgrad"),
            note=fit_same,
        ),
        Row(
            NAME,
            f"test accuracy, {what} of {over}" if n > 1 else f"test accuracy, {over}",
            "%",
            gg_mean,
            f"{torch_name}, same init",
            mean("torch"),
            target=f"≥ {100 * MIN_ACCURACY:g} %",
            met=gg_mean >= 100 * MIN_ACCURACY,
            note=f"per seed: glassgrad {scores('glassgrad')}"
            + (f"; PyTorch from the same weights {scores('torch')}" if have_torch else ""),
        ),
        *(
            [
                Row(
                    NAME,
                    "  lowest seed",
                    "%",
                    lowest("glassgrad"),
                    f"{torch_name}, same init",
                    lowest("torch"),
                )
            ]
            if n > 1
            else []
        ),
        Row(
            NAME,
            f"  vs PyTorch's own default init ({what})",
            "%",
            gg_mean,
            f"{torch_name}, default init",
            mean("torch default"),
            note=f"PyTorch's default init U(±1/√nin), same batches; per seed: "
            f"{scores('torch default')} (lowest {lowest('torch default'):.1f} %)"
            if have_torch
            else "",
        ),
    ]
