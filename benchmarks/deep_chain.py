"""deep-chain: a chain of scalar ops a million deep, its backward, and its memory per node.

``y = x``, then ``n`` times ``y = y + x`` (x one scalar leaf; each op makes exactly one new node
in both engines, with no constant nodes), then ``y.backward()`` (∂y/∂x = n + 1, checked). A
recursive topological sort fails on such a graph; glassgrad's is iterative.

Memory is measured with ``tracemalloc`` in a separate, untimed run (tracing slows allocation):
*graph bytes per node* is the traced memory the finished graph holds, divided by ``n``; *peak
bytes per node* is the peak through ``backward()`` (the graph plus the backward pass's working
set), divided by ``n``. micrograd builds such chains fine, so its memory is measured at
100,000 nodes, but its recursive sort raises RecursionError past about 1,000 nodes deep (the
recursion limit is left at Python's default: raising it is what users would have to do, and
deep enough recursion then crashes the interpreter instead of raising).

Targets (issue 2): 1,000,000 deep succeeds; graph bytes per node at most half of micrograd's.
"""

from __future__ import annotations

import gc
import sys
import tracemalloc
from collections.abc import Callable
from typing import Any

from autograd import Value
from benchmarks import peers
from benchmarks.report import Row
from benchmarks.timing import interleaved, now

NAME = "deep-chain"
SUMMARY = "y = y + x, 100,000 and 1,000,000 ops deep, then backward: time and bytes per node"

DEPTHS = (100_000, 1_000_000)
MICROGRAD_DEPTH = 100_000
MAX_MEMORY_RATIO = 0.5


def build(value: Callable[[float], Any], n: int) -> tuple[Any, Any]:
    """The leaf x and the root y of a chain of ``n`` additions."""
    x = value(0.5)
    y = x
    for _ in range(n):
        y = y + x
    return x, y


def _timed_glassgrad(n: int) -> Callable[[], dict[str, float]]:
    """One run: build, backward and free a chain (the caller turns the collector off);
    checks the gradient."""

    def run() -> dict[str, float]:
        t0 = now()
        x, y = build(Value, n)
        t1 = now()
        y.backward()
        t2 = now()
        if x.grad != n + 1:
            raise RuntimeError(f"deep-chain: glassgrad gave ∂y/∂x = {x.grad}, expected {n + 1}")
        del y
        t3 = now()
        return {"build": t1 - t0, "backward": t2 - t1, "free": t3 - t2}

    return run


def _memory(value: Callable[[float], Any], n: int, backward: bool) -> dict[str, float]:
    """Traced bytes per node held by the built graph, and (if ``backward``) the peak through
    backward per node; micrograd's backward error is returned as text."""
    gc.collect()
    gc.disable()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        x, y = build(value, n)
        graph = tracemalloc.get_traced_memory()[0] - base
        result: dict[str, Any] = {"graph": graph / n}
        if backward:
            tracemalloc.reset_peak()
            try:
                y.backward()
            except RecursionError:
                result["error"] = "RecursionError"
            result["peak"] = (tracemalloc.get_traced_memory()[1] - base) / n
        del x, y
    finally:
        tracemalloc.stop()
        gc.enable()
        gc.collect()
    return result


def _micrograd_backward(engine: Any, n: int) -> str | float:
    """Milliseconds for micrograd's backward at depth ``n``, or the error it raises."""
    x, y = build(engine.Value, n)
    try:
        start = now()
        y.backward()
        return (now() - start) * 1e3
    except RecursionError:
        return f"RecursionError (limit {sys.getrecursionlimit()})"
    finally:
        del x, y
        gc.collect()


def _micrograd_build(engine: Any, n: int) -> Callable[[], dict[str, float]]:
    """One run: build micrograd's chain (freed after the clock stops, by the collector)."""

    def run() -> dict[str, float]:
        start = now()
        chain = build(engine.Value, n)
        elapsed = now() - start
        del chain
        return {"build": elapsed}

    return run


def run(quick: bool = False) -> list[Row]:
    rows: list[Row] = []
    loaded = peers.micrograd()
    peer = peers.label("micrograd")
    mg_depth = 20_000 if quick else MICROGRAD_DEPTH

    # glassgrad at every depth; micrograd's build timed in turns with glassgrad's shallowest
    # chain (its backward cannot follow, so it is only tried once, below).
    timings: dict[int, dict[str, float] | str] = {}
    mg_build: float | str | None = None
    for n in DEPTHS:
        repeats = 1 if quick else (5 if n <= 100_000 else 3)
        runs = {"glassgrad": _timed_glassgrad(n)}
        if loaded is not None and n == DEPTHS[0]:
            runs["micrograd"] = _micrograd_build(loaded[0], n)
        try:
            phases = interleaved(runs, repeats=repeats, warmup=int(n <= 100_000))
        except (RecursionError, MemoryError, RuntimeError) as error:  # report, don't crash
            timings[n] = f"failed: {type(error).__name__}"
            continue
        timings[n] = {phase: timing.median for phase, timing in phases["glassgrad"].items()}
        if "micrograd" in phases:
            mg_build = phases["micrograd"]["build"].median * 1e3

    for n in DEPTHS:
        t = timings[n]
        if loaded is None:
            mg_n_build, mg_backward = None, None
        elif n == DEPTHS[0]:
            mg_n_build, mg_backward = mg_build, _micrograd_backward(loaded[0], n)
        else:
            mg_n_build = mg_backward = "not run"
        depth = f"{n:,}"
        if isinstance(t, str):
            rows.append(
                Row(
                    NAME,
                    f"backward {depth} deep",
                    "",
                    t,
                    peer,
                    mg_backward,
                    target="succeeds",
                    met=False,
                )
            )
            continue
        rows.append(Row(NAME, f"build {depth} ops", "ms", t["build"] * 1e3, peer, mg_n_build))
        rows.append(
            Row(
                NAME,
                f"backward {depth} deep",
                "ms",
                t["backward"] * 1e3,
                peer,
                mg_backward,
                target="succeeds",
                met=True,
                note=""
                if n == DEPTHS[0]
                else "micrograd not run this deep: its backward already fails at about 1,000",
            )
        )
        rows.append(
            Row(
                NAME,
                f"  per node, build + backward ({depth})",
                "µs",
                (t["build"] + t["backward"]) * 1e6 / n,
            )
        )
        rows.append(Row(NAME, f"  free the graph ({depth}, refcount)", "ms", t["free"] * 1e3))

    # Memory at the deepest chain that worked (the shallowest one in a quick run).
    worked = [n for n in DEPTHS if not isinstance(timings[n], str)]
    if not worked:
        return rows
    gg_depth = worked[0] if quick else worked[-1]
    gg_memory = _memory(Value, gg_depth, backward=True)
    mg_memory = None if loaded is None else _memory(loaded[0].Value, mg_depth, backward=False)
    rows.append(
        Row(
            NAME,
            "graph bytes per node",
            "B",
            gg_memory["graph"],
            peer,
            None if mg_memory is None else mg_memory["graph"],
            max_ratio=MAX_MEMORY_RATIO,
            note=f"tracemalloc; glassgrad at {gg_depth:,} nodes, micrograd at "
            f"{mg_depth:,} (it builds deeper chains but cannot backpropagate them)",
        )
    )
    rows.append(
        Row(
            NAME,
            "  peak bytes per node through backward",
            "B",
            gg_memory["peak"],
            note="graph + the backward pass's order, counts and gradient dicts",
        )
    )
    return rows
