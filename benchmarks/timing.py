"""Timing helpers shared by every benchmark: warm up, repeat, keep the median and the best.

Every figure in the table is the **median** of several repeats (the best is kept too), timed
with :func:`now` — ``time.perf_counter`` (wall time), or ``time.process_time`` (this process's
CPU time) after :func:`use_cpu_time`, which is steadier on a machine shared with other busy
processes — after at least one warm-up run. During each timed repeat the cyclic
garbage collector is off (as ``timeit`` does), and ``gc.collect()`` runs between repeats,
outside the clock: micrograd's graphs hold reference cycles and are only freed by the
collector, so leaving it on would charge one engine for the other's garbage at random moments.
(scalar-moons also times a short training loop with the collector on, as users run it.)
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

_clock = time.perf_counter


def use_cpu_time(on: bool = True) -> None:
    """Time with this process's CPU time instead of wall time (``--cpu-time``).

    CPU time leaves out the moments another process had the core, so figures stay steady on a
    busy machine; it also counts every thread of the process, so it suits single-threaded
    runs (the benchmarks' default of one thread).
    """
    global _clock
    _clock = time.process_time if on else time.perf_counter


def clock_name() -> str:
    """Which clock :func:`now` reads, for the table's header."""
    if _clock is time.process_time:
        return "CPU time (time.process_time)"
    return "wall time (time.perf_counter)"


def now() -> float:
    """The current reading of the benchmarks' clock, in seconds."""
    return _clock()


@dataclass(frozen=True)
class Timing:
    """The durations, in seconds, of the timed repeats of one measurement."""

    runs: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def best(self) -> float:
        return min(self.runs)

    def __str__(self) -> str:
        median, best = self.median * 1e3, self.best * 1e3
        return f"median {median:.3f} ms, best {best:.3f} ms of {len(self.runs)}"


def repeat_phases(
    run: Callable[[], Mapping[str, float]],
    *,
    repeats: int,
    warmup: int = 1,
    disable_gc: bool = True,
) -> dict[str, Timing]:
    """Call ``run`` ``warmup`` times untimed, then ``repeats`` times, and gather its phases.

    ``run`` times its own phases (e.g. ``{"forward": 0.01, "backward": 0.02}``, in seconds,
    with :func:`now`) so that setup and teardown stay out of the figures. With ``disable_gc``
    the collector is off during each call; otherwise it runs as usual. Either way
    ``gc.collect()`` runs before each call, outside the clock.
    """
    return interleaved({"run": run}, repeats=repeats, warmup=warmup, disable_gc=disable_gc)["run"]


def interleaved(
    runs: Mapping[str, Callable[[], Mapping[str, float]]],
    *,
    repeats: int,
    warmup: int = 1,
    disable_gc: bool = True,
) -> dict[str, dict[str, Timing]]:
    """:func:`repeat_phases` for several engines at once, alternating between them repeat by
    repeat, so that a change in the machine's load (another process, a frequency step) falls
    on every engine alike instead of skewing their ratio.

    ``gc.collect()`` runs before every call, outside the clock, so no engine's call meets
    another's garbage. With ``disable_gc``, whatever is alive before the first timed call
    (modules, models, data) is also moved out of the collector's sight with ``gc.freeze()``
    for the duration, so that collection only has the previous call's garbage to look at (and
    is quick), and the collector is off during the call. Without it, the collector runs during
    the call as it does in a user's program.
    """
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}")
    for run in runs.values():
        for _ in range(warmup):
            run()
    results: dict[str, dict[str, list[float]]] = {name: {} for name in runs}
    was_enabled = gc.isenabled()
    if disable_gc:
        gc.collect()
        gc.freeze()
    try:
        for _ in range(repeats):
            for name, run in runs.items():
                gc.collect()  # the previous call's garbage, outside the clock
                if disable_gc:
                    gc.disable()
                try:
                    durations = run()
                finally:
                    if was_enabled:
                        gc.enable()
                for phase, seconds in durations.items():
                    results[name].setdefault(phase, []).append(seconds)
    finally:
        if disable_gc:
            gc.unfreeze()
        gc.collect()
    return {
        name: {phase: Timing(tuple(values)) for phase, values in phases.items()}
        for name, phases in results.items()
    }


def measure(
    fn: Callable[[], object], *, repeats: int, warmup: int = 1, disable_gc: bool = True
) -> Timing:
    """Time whole calls of ``fn()``: the median and best of ``repeats`` after ``warmup``.

    Whatever ``fn`` returns is kept alive until the clock has stopped, so a returned graph is
    freed outside the timed region (for every engine alike).
    """

    def run() -> dict[str, float]:
        start = now()
        result = fn()
        elapsed = now() - start
        del result
        return {"total": elapsed}

    return repeat_phases(run, repeats=repeats, warmup=warmup, disable_gc=disable_gc)["total"]
