"""Which ``nn.Module`` is running: nodes remember it so drawings can group them per module.

``nn.Module.__call__`` enters :func:`module_scope`; every node created inside records the
innermost module in ``Value._scope``. Nothing else depends on it. (It is one process-wide
slot, read by every op: in a program that runs modules in several threads at once a drawing
may group a node under another thread's module; nothing is computed differently.)
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


class _Scope:
    __slots__ = ("current",)

    def __init__(self) -> None:
        self.current: object | None = None


SCOPE = _Scope()


@contextlib.contextmanager
def module_scope(module: object) -> Iterator[None]:
    """Tag the nodes created inside the ``with`` block with ``module``."""
    previous = SCOPE.current
    SCOPE.current = module
    try:
        yield
    finally:
        SCOPE.current = previous
