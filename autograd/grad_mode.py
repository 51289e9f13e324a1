"""Switching graph recording off and on: ``no_grad`` and ``enable_grad``.

Inside ``with no_grad():`` (or a function decorated with ``@no_grad()``), ops compute their
results but record no graph, as in PyTorch: use it for evaluation and for parameter updates.
"""

from __future__ import annotations

import contextlib


class _GradMode:
    """The one switch that :func:`autograd.value.apply` reads before recording a node."""

    __slots__ = ("enabled",)

    def __init__(self) -> None:
        self.enabled = True


GRAD_MODE = _GradMode()


class _SetGradMode(contextlib.ContextDecorator):
    def __init__(self, enabled: bool) -> None:
        self._enabled = enabled
        self._previous: list[bool] = []

    def __enter__(self) -> None:
        self._previous.append(GRAD_MODE.enabled)
        GRAD_MODE.enabled = self._enabled

    def __exit__(self, *exc: object) -> None:
        GRAD_MODE.enabled = self._previous.pop()


def no_grad() -> contextlib.ContextDecorator:
    """Context manager and decorator: ops inside record no graph (results need no gradient)."""
    return _SetGradMode(False)


def enable_grad() -> contextlib.ContextDecorator:
    """Context manager and decorator: turn recording back on, e.g. inside ``no_grad``."""
    return _SetGradMode(True)


def is_grad_enabled() -> bool:
    """True when ops record the graph (the default)."""
    return GRAD_MODE.enabled
