"""The other engines the benchmarks compare against, imported only if they are installed.

The peers (``micrograd==0.1.0`` and ``torch==2.13.0`` CPU, from the ``bench`` extra: ``make
bench``) are never dependencies of glassgrad. When one is missing its column reads
``not installed`` instead of the benchmark failing.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

NOT_INSTALLED = "not installed"

# The versions the figures in benchmarks/README.md were measured with.
EXPECTED_VERSIONS = {"micrograd": "0.1.0", "torch": "2.13.0"}

_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def set_threads(threads: int) -> None:
    """Use ``threads`` threads in numpy's BLAS and in torch, so every engine gets the same.

    Call it before numpy or torch is imported: the BLAS libraries read these variables once,
    when they load. torch is also told directly (``torch.set_num_threads``) when it is loaded
    through :func:`torch`.
    """
    if threads < 1:
        raise ValueError(f"threads must be at least 1, got {threads}")
    for variable in _THREAD_VARIABLES:
        os.environ[variable] = str(threads)


def threads() -> int | None:
    """The thread count set by :func:`set_threads` (None: the libraries' defaults)."""
    value = os.environ.get("OMP_NUM_THREADS")
    return int(value) if value and value.isdigit() else None


def _optional(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def micrograd() -> tuple[ModuleType, ModuleType] | None:
    """``(micrograd.engine, micrograd.nn)``, or None when micrograd is not installed."""
    engine = _optional("micrograd.engine")
    nn = _optional("micrograd.nn")
    return None if engine is None or nn is None else (engine, nn)


def torch() -> ModuleType | None:
    """The ``torch`` module set to the benchmarks' thread count, or None if not installed."""
    module = _optional("torch")
    if module is not None and threads() is not None:
        module.set_num_threads(threads())
    return module


def version(name: str) -> str:
    """The installed version of distribution ``name``, or ``not installed``."""
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return NOT_INSTALLED


def label(name: str) -> str:
    """``name version`` for a table column, flagging a version other than the expected one."""
    found = version(name)
    if found == NOT_INSTALLED:
        return f"{name} ({NOT_INSTALLED})"
    expected = EXPECTED_VERSIONS.get(name)
    if expected and not found.split("+")[0] == expected:
        return f"{name} {found} (expected {expected})"
    return f"{name} {found.split('+')[0]}"
