"""op-overhead: the fixed cost of one recorded tensor op, forward plus backward.

``y = x`` (32×32 float32, requires grad), 200 times ``y = tanh(y·1.01 + 0.1)``, then
``y.sum().backward()``: 601 recorded ops on arrays so small that the arithmetic is cheap and
the engine's bookkeeping per op (node creation, the sort, the chain rule, accumulation) shows.
The same in PyTorch eager, and in plain numpy with a hand-written backward — the floor for a
numpy engine, which pays the numpy calls and nothing else.

Target (issue 10): at most 0.5× PyTorch eager's time per op.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import Value
from benchmarks import peers
from benchmarks.report import Row
from benchmarks.timing import Timing, interleaved, now

NAME = "op-overhead"
SUMMARY = "time per recorded op: 200 × tanh(y·1.01 + 0.1) on 32×32 float32, then sum().backward()"

SHAPE = (32, 32)
STEPS = 200
OPS = 3 * STEPS + 1  # mul, add, tanh per step, and the final sum
SEED = 0
MAX_RATIO = 0.5


def _glassgrad(x0: np.ndarray) -> Callable[[], dict[str, float]]:
    def run() -> dict[str, float]:
        t0 = now()
        x = Value(x0)
        y = x
        for _ in range(STEPS):
            y = (y * 1.01 + 0.1).tanh()
        total = y.sum()
        t1 = now()
        total.backward()
        t2 = now()
        if x.grad.shape != SHAPE or x.grad.dtype != np.float32:
            raise RuntimeError(
                f"op-overhead: glassgrad gave a gradient of shape "
                f"{x.grad.shape} and dtype {x.grad.dtype}"
            )
        return {"forward": t1 - t0, "backward": t2 - t1, "total": t2 - t0}

    return run


def _torch(torch: Any, x0: np.ndarray) -> Callable[[], dict[str, float]]:
    source = torch.from_numpy(x0)

    def run() -> dict[str, float]:
        t0 = now()
        x = source.clone().requires_grad_(True)
        y = x
        for _ in range(STEPS):
            y = torch.tanh(y * 1.01 + 0.1)
        total = y.sum()
        t1 = now()
        total.backward()
        t2 = now()
        return {"forward": t1 - t0, "backward": t2 - t1, "total": t2 - t0}

    return run


def _numpy(x0: np.ndarray) -> Callable[[], dict[str, float]]:
    """The same arithmetic by hand: forward keeps each tanh output; backward applies
    d tanh(u)/du = 1 − tanh² and d(y·1.01 + 0.1)/dy = 1.01, from ∂sum/∂y = 1."""
    scale = np.float32(1.01)
    shift = np.float32(0.1)

    def run() -> dict[str, float]:
        t0 = now()
        y = x0.copy()
        outputs = []
        for _ in range(STEPS):
            y = np.tanh(y * scale + shift)
            outputs.append(y)
        y.sum()
        t1 = now()
        g = np.ones_like(y)
        for out in reversed(outputs):
            g = g * (1 - out * out)  # through tanh
            g = g * scale  # through y·1.01 (the + 0.1 passes g unchanged)
        t2 = now()
        return {"forward": t1 - t0, "backward": t2 - t1, "total": t2 - t0}

    return run


def run(quick: bool = False) -> list[Row]:
    repeats = 7 if quick else 41
    x0 = np.random.default_rng(SEED).standard_normal(SHAPE).astype(np.float32)

    def per_op(timings: dict[str, Timing] | None, phase: str) -> float | None:
        return None if timings is None else timings[phase].median * 1e6 / OPS

    runs = {"glassgrad": _glassgrad(x0), "numpy": _numpy(x0)}
    torch = peers.torch()
    if torch is not None:
        runs["torch"] = _torch(torch, x0)
    timings = interleaved(runs, repeats=repeats, warmup=2)
    gg, floor, th = timings["glassgrad"], timings["numpy"], timings.get("torch")
    torch_name = peers.label("torch")
    threads = peers.threads()
    thread_note = (
        f"torch.set_num_threads({threads}), numpy BLAS {threads} thread(s)"
        if threads
        else "library default threads"
    )

    return [
        Row(
            NAME,
            "time per op (fwd + bwd)",
            "µs",
            per_op(gg, "total"),
            torch_name,
            per_op(th, "total"),
            max_ratio=MAX_RATIO,
            note=f"{OPS} recorded ops; median of {repeats} runs, engines interleaved, gc off "
            f"while timed; {thread_note}",
        ),
        Row(
            NAME, "  forward per op", "µs", per_op(gg, "forward"), torch_name, per_op(th, "forward")
        ),
        Row(
            NAME,
            "  backward per op",
            "µs",
            per_op(gg, "backward"),
            torch_name,
            per_op(th, "backward"),
        ),
        Row(
            NAME,
            "time per op vs the floor",
            "µs",
            per_op(gg, "total"),
            "numpy by hand (floor)",
            per_op(floor, "total"),
            note="plain numpy doing the same arithmetic, backward written by hand",
        ),
    ]
