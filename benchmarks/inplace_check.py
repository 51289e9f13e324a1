"""inplace-check: what catching in-place changes costs an ordinary training step.

glassgrad refuses to backpropagate through a node whose inputs changed in place after it was
recorded (issue 13). The machinery has three parts: every node is stamped with the count of
in-place changes at its birth (one integer), optimizers and ``nn.init`` mark what they change
(``Value.mark_modified``), and an array that enters an op as a constant is copied (so a caller
who reuses the buffer cannot change what backward computes). backward compares one integer per
node and looks further only after a change.

This benchmark times the same steps with the machinery on, as shipped, and with its per-step
work switched off (constants not copied, ``mark_modified`` a no-op), interleaved in one run;
the ratio is the check's cost. The per-node stamp and compare stay in both (they are a slot
store and an integer comparison, and cannot be switched off without another engine).

Target (issue 13): at most 1.05× — the check costs at most 5 % of a tensor-mlp or digits step.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

import numpy as np

from benchmarks.report import Row
from benchmarks.timing import interleaved, now

NAME = "inplace-check"
SUMMARY = "cost of catching in-place changes: tensor-mlp and digits steps with the check on vs off"

MAX_RATIO = 1.05
SEED = 0


@contextmanager
def _unchecked() -> Any:
    """The per-step work of the in-place check switched off: constants are not copied and
    ``mark_modified`` does nothing (what the engine did before issue 13)."""
    import autograd.value as value

    original_constant, original_mark = value._constant, value.Value.mark_modified

    def shared_constant(x: Any, dtype: Any) -> Any:
        if type(x) is np.ndarray and x.dtype.kind == "f" and (dtype is None or dtype == x.dtype):
            return value._node(x, False)  # the caller's array itself
        return original_constant(x, dtype)

    value._constant = shared_constant
    value.Value.mark_modified = lambda self: None
    try:
        yield
    finally:
        value._constant, value.Value.mark_modified = original_constant, original_mark


def _step(nin: int, sizes: list[int], batch: int, adam: bool) -> Callable[[], None]:
    """One forward, backward and update of an MLP on a fixed batch, as a user writes it."""
    import autograd
    import nn
    import optim

    autograd.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    X = rng.standard_normal((batch, nin)).astype(np.float32)
    y = rng.integers(0, sizes[-1], batch)
    model = nn.MLP(nin, sizes)
    if adam:
        optimizer: Any = optim.Adam(model.parameters(), lr=1e-3)
    else:
        optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step() -> None:
        loss = nn.F.cross_entropy(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return step


def _timed(step: Callable[[], None], steps: int, checked: bool) -> Callable[[], dict[str, float]]:
    def run() -> dict[str, float]:
        if checked:
            begin = now()
            for _ in range(steps):
                step()
            return {"step": (now() - begin) / steps}
        with _unchecked():
            begin = now()
            for _ in range(steps):
                step()
            return {"step": (now() - begin) / steps}

    return run


CASES = (
    ("tensor-mlp step, 784→256→128→10, batch 128", 784, [256, 128, 10], 128, False, 10),
    ("tensor-mlp step, 64→32→10, batch 32", 64, [32, 10], 32, False, 100),
    ("digits step, 64→128→64→10, batch 32, Adam", 64, [128, 64, 10], 32, True, 100),
)


def run(quick: bool = False) -> list[Row]:
    repeats = 5 if quick else 31
    rows = []
    for label, nin, sizes, batch, adam, steps in CASES:
        steps = max(1, steps // 5) if quick else steps
        on = _step(nin, sizes, batch, adam)
        off = _step(nin, sizes, batch, adam)
        timings = interleaved(
            {"on": _timed(on, steps, True), "off": _timed(off, steps, False)},
            repeats=repeats,
            warmup=2,
        )
        rows.append(
            Row(
                NAME,
                label,
                "µs",
                timings["on"]["step"].median * 1e6,
                "the same step, check off",
                timings["off"]["step"].median * 1e6,
                max_ratio=MAX_RATIO,
                note=f"median of {repeats} × {steps} steps, interleaved, gc off while timed",
            )
        )
    return rows
