"""Where a glassgrad training step spends its time: ``python -m benchmarks.profiling``.

Profiles glassgrad alone (no peers) with cProfile over many steps, after a warm-up, and prints
the time per step split by what the code does, then the functions that cost the most::

    python -m benchmarks.profiling                 # tensor-mlp (both sizes) and digits
    python -m benchmarks.profiling digits --top 20

Categories (by each function's own time, cProfile's ``tottime``):

- *array arithmetic*: the bodies of the primitives' ``forward``/``vjp`` and of the optimizers'
  update rules, which are numpy calls (``@`` and ``+`` on arrays are not separate calls, so
  their time lands on the function that uses them), and numpy's own Python functions;
- *node creation*: ``autograd/value.py`` (``apply``, constants, ``Value`` methods);
- *backward bookkeeping*: ``autograd/backprop.py`` (order, chain rule, accumulation);
- *optimizer bookkeeping*: ``optim/optimizer.py`` (looping over parameters, checks);
- *nn layers and losses*: ``nn/`` (``Module.__call__``, argument checks, ``F`` losses);
- *data loading*: ``nn/data`` (batches);
- *built-ins*: ``isinstance``, ``len``, list appends… called from all of the above.

cProfile adds a fixed cost to every Python call, so it inflates the Python bookkeeping
relative to the numpy work; the benchmark's phase rows (forward, backward, update against the
numpy floor) measure the same split without a profiler.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import sys
from collections.abc import Callable
from dataclasses import dataclass

from benchmarks.peers import set_threads

CATEGORIES = (
    "array arithmetic",
    "node creation",
    "backward bookkeeping",
    "optimizer bookkeeping",
    "nn layers and losses",
    "data loading",
    "built-ins",
    "other",
)


def category(filename: str, function: str) -> str:
    """The category of a function, from its file (see the module docstring)."""
    path = filename.replace("\\", "/")
    if "/autograd/ops/" in path or path.endswith(("optim/sgd.py", "optim/adam.py")):
        return "array arithmetic"  # primitives' forward/vjp and the update rules
    if "numpy" in path or "numpy" in function or "ufunc" in function:
        return "array arithmetic"
    if path.endswith("autograd/value.py") and function != "backward":
        return "node creation"
    if path.endswith(("autograd/backprop.py", "autograd/value.py")):
        return "backward bookkeeping"
    if path.endswith("optim/optimizer.py"):
        return "optimizer bookkeeping"
    if "/nn/data/" in path:
        return "data loading"
    if "/nn/" in path:
        return "nn layers and losses"
    if filename == "~":
        return "built-ins"
    return "other"


@dataclass(frozen=True)
class Workload:
    """Something to profile: ``setup()`` returns a function that runs ``steps`` steps."""

    name: str
    setup: Callable[[], Callable[[], None]]
    steps: int


def _tensor_mlp(index: int, repeats: int) -> Workload:
    from benchmarks import tensor_mlp

    case = tensor_mlp.CASES[index]

    def setup() -> Callable[[], None]:
        engine = tensor_mlp.Glassgrad(case, *tensor_mlp.make_data(case))

        def run() -> None:
            for _ in range(repeats):
                engine.step()

        return run

    return Workload(f"tensor-mlp {case.label}", setup, repeats)


def _digits(epochs: int) -> Workload:
    from benchmarks import digits

    data = digits.prepare(0)
    batches = -(-len(data[0]) // digits.BATCH_SIZE)

    def setup() -> Callable[[], None]:
        model, loader = digits.start(0, data)
        return lambda: digits.train_glassgrad(model, loader, epochs)  # type: ignore[return-value]

    return Workload(f"digits ({epochs} epochs of the loop by hand)", setup, epochs * batches)


def profile(workload: Workload, top: int) -> str:
    """The report for one workload: µs per step by category, then the costliest functions."""
    run = workload.setup()
    run()  # warm-up
    gc.collect()
    gc.disable()
    profiler = cProfile.Profile()
    try:
        profiler.enable()
        run()
        profiler.disable()
    finally:
        gc.enable()
    stats = pstats.Stats(profiler)
    per_category = dict.fromkeys(CATEGORIES, 0.0)
    functions = []
    for (filename, _, function), (_, calls, tottime, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        per_category[category(filename, function)] += tottime
        functions.append((tottime, calls, f"{_short(filename)}:{function}"))
    total = sum(per_category.values())
    per_step = 1e6 / workload.steps
    lines = [f"{workload.name}: {total * per_step:,.1f} µs per step under cProfile"]
    for name, seconds in sorted(per_category.items(), key=lambda item: -item[1]):
        if seconds:
            lines.append(
                f"  {name:22} {seconds * per_step:9.1f} µs  {100 * seconds / total:5.1f} %"
            )
    lines.append(f"  top {top} functions by own time (µs per step, calls per step):")
    for tottime, calls, where in sorted(functions, reverse=True)[:top]:
        lines.append(f"    {tottime * per_step:9.1f}  {calls / workload.steps:6.1f}  {where}")
    return "\n".join(lines)


def _short(filename: str) -> str:
    path = filename.replace("\\", "/")
    for root in ("/autograd/", "/nn/", "/optim/", "/numpy/"):
        if root in path:
            return root.strip("/") + "/" + path.split(root, 1)[1]
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.profiling", description="Profile glassgrad's training steps."
    )
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help="tensor-mlp and/or digits (default: both)"
    )
    parser.add_argument("--top", type=int, default=12, help="functions to list (default 12)")
    args = parser.parse_args(argv)
    args.names = args.names or ["tensor-mlp", "digits"]
    unknown = set(args.names) - {"tensor-mlp", "digits"}
    if unknown:
        parser.error(f"unknown workload(s) {', '.join(sorted(unknown))}; choose tensor-mlp, digits")
    set_threads(1)  # before numpy loads, as the benchmarks do
    workloads = []
    if "tensor-mlp" in args.names:
        workloads += [_tensor_mlp(0, 200), _tensor_mlp(1, 3000)]
    if "digits" in args.names:
        workloads.append(_digits(5))
    print("\n\n".join(profile(workload, args.top) for workload in workloads))
    return 0


if __name__ == "__main__":
    sys.exit(main())
