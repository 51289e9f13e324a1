"""Switching graph recording off and on: ``no_grad`` and ``enable_grad``, per thread.

Inside ``with no_grad():`` (or a function decorated with ``@no_grad()``), ops compute their
results but record no graph, as in PyTorch: use it for evaluation and for parameter updates.
The switch belongs to the thread that flips it (PyTorch's rule too): a data-loading thread, a
Jupyter background task or a server thread entering ``no_grad`` leaves every other thread
recording.
"""

from __future__ import annotations

import contextlib
import threading


class _GradMode(threading.local):
    """The switch that :func:`autograd.value.apply` reads before recording a node; each thread
    sees its own ``enabled``, True until that thread changes it."""

    enabled = True


GRAD_MODE = _GradMode()


class _Switches:
    """How many ``no_grad``/``enable_grad`` blocks are open, in all threads together. While
    none is, every thread records, and ``recording()`` answers without the (slower)
    thread-local lookup: that is the hot path of every op."""

    __slots__ = ("open",)

    def __init__(self) -> None:
        self.open = 0


SWITCHES = _Switches()
_LOCK = threading.Lock()


def recording() -> bool:
    """True when ops record the graph in this thread."""
    return SWITCHES.open == 0 or GRAD_MODE.enabled


class _SetGradMode(contextlib.ContextDecorator):
    def __init__(self, enabled: bool) -> None:
        self._enabled = enabled
        self._previous = threading.local()

    def __enter__(self) -> None:
        stack = self._previous.__dict__.setdefault("stack", [])
        stack.append(GRAD_MODE.enabled)
        GRAD_MODE.enabled = self._enabled
        with _LOCK:
            SWITCHES.open += 1

    def __exit__(self, *exc: object) -> None:
        GRAD_MODE.enabled = self._previous.stack.pop()
        with _LOCK:
            SWITCHES.open -= 1


def no_grad() -> contextlib.ContextDecorator:
    """Context manager and decorator: ops inside record no graph (results need no gradient)."""
    return _SetGradMode(False)


def enable_grad() -> contextlib.ContextDecorator:
    """Context manager and decorator: turn recording back on, e.g. inside ``no_grad``."""
    return _SetGradMode(True)


def is_grad_enabled() -> bool:
    """True when ops record the graph in this thread (the default)."""
    return recording()
