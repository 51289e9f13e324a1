"""Run the benchmarks side by side and print one table: ``python -m benchmarks [names...]``.

Options: ``--quick`` (fewer repeats and smaller sizes: well under a minute in all),
``--markdown`` (the table for benchmarks/README.md), ``--threads N`` (BLAS and torch threads,
default 1 so every engine gets the same), ``--list``.
"""

from __future__ import annotations

import argparse
import sys
import time

from benchmarks import BENCHMARKS, load
from benchmarks.peers import label, set_threads


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="glassgrad's benchmarks, each side by side with a peer engine.",
    )
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help=f"benchmarks to run (default: all): {', '.join(BENCHMARKS)}",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="fewer repeats and smaller sizes (a rough figure in seconds)",
    )
    parser.add_argument(
        "--markdown",
        action="store_true",
        help="print the table in Markdown (for benchmarks/README.md)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="threads for numpy's BLAS and for torch (default 1, the same for all)",
    )
    parser.add_argument(
        "--cpu-time",
        action="store_true",
        help="time with process CPU time instead of wall time (steadier on a busy machine)",
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)

    unknown = [name for name in args.names if name not in BENCHMARKS]
    if unknown:
        parser.error(
            f"unknown benchmark(s) {', '.join(unknown)}; choose from: {', '.join(BENCHMARKS)}"
        )
    if args.threads < 1:
        parser.error(f"--threads must be at least 1, got {args.threads}")
    # Before numpy or torch loads: their thread pools read the environment once.
    set_threads(args.threads)

    from benchmarks.report import machine, markdown_table, text_table
    from benchmarks.timing import clock_name, use_cpu_time

    use_cpu_time(args.cpu_time)

    if args.list:
        for name in BENCHMARKS:
            print(f"{name:14} {load(name).SUMMARY}")
        return 0

    rows = []
    started = time.perf_counter()
    for name in args.names or list(BENCHMARKS):
        print(f"running {name}{' (quick)' if args.quick else ''} ...", file=sys.stderr, flush=True)
        begun = time.perf_counter()
        rows.extend(load(name).run(quick=args.quick))
        print(f"  {name}: {time.perf_counter() - begun:.1f} s", file=sys.stderr, flush=True)
    elapsed = time.perf_counter() - started

    print(f"Machine: {machine()}")
    print(f"Peers: {label('micrograd')}, {label('torch')}")
    print(
        f"Mode: {'quick' if args.quick else 'full'}; clock: {clock_name()}; ran in {elapsed:.1f} s"
    )
    print()
    print(markdown_table(rows) if args.markdown else text_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
