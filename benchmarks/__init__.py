"""glassgrad's benchmarks, each measured side by side with a peer engine in the same run.

``python -m benchmarks [names...] [--quick]`` runs them and prints one table (see
``benchmarks/README.md``). Every benchmark is a module with:

- ``NAME``: its name on the command line (``scalar-moons``);
- ``SUMMARY``: one line on what it measures;
- ``run(quick: bool) -> list[benchmarks.report.Row]``: measure glassgrad and the peers and
  return the rows of the table (``quick`` trades precision for a run of a few seconds).

A benchmark reports figures and ratios; it never asserts a speed. To add one, write the module
and list it in :data:`BENCHMARKS`. This package imports nothing heavy, so that ``__main__`` can
set the thread count before numpy and torch load.
"""

from __future__ import annotations

import importlib
from types import ModuleType

# Command-line name -> module, in the order the table lists them.
BENCHMARKS: dict[str, str] = {
    "scalar-moons": "benchmarks.scalar_moons",
    "op-overhead": "benchmarks.op_overhead",
    "deep-chain": "benchmarks.deep_chain",
    "tensor-mlp": "benchmarks.tensor_mlp",
    "digits": "benchmarks.digits",
    "sequence": "benchmarks.sequence",
    "cnn": "benchmarks.cnn",
    "inplace-check": "benchmarks.inplace_check",
}


def load(name: str) -> ModuleType:
    """The module of benchmark ``name`` (a key of :data:`BENCHMARKS`)."""
    try:
        module_name = BENCHMARKS[name]
    except KeyError:
        known = ", ".join(BENCHMARKS)
        raise KeyError(f"no benchmark named {name!r}; choose from: {known}") from None
    return importlib.import_module(module_name)
