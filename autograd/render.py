"""Rendering drawings to images: finding a ``dot`` program, and a Digraph that uses it.

The ``graphviz`` package writes DOT text itself but runs an external layout program, by
default the command ``dot`` looked up on PATH. A fresh ``pip install`` has no such program, so
glassgrad depends on the PyPI package ``graphviz-pure`` (a self-contained port of ``dot`` with
the same flags), which installs a program named ``graphviz-pure`` next to the Python
interpreter — a name ``graphviz`` never looks for.

:func:`find_dot` picks the program, in this order:

1. the environment variable ``GLASSGRAD_DOT`` (a program name or path), when set — an explicit
   choice wins, so a broken or old ``dot`` on PATH can be bypassed;
2. a real Graphviz ``dot`` on PATH;
3. ``graphviz-pure`` in this Python environment's scripts folder (found even when the
   environment is not activated), then on PATH.

:class:`Drawing` is a ``graphviz.Digraph`` whose rendering (``pipe``, ``render``, ``view`` and
the inline SVG in Jupyter) runs that program. ``graphviz`` builds every command as
``[graphviz.backend.dot_command.DOT_BINARY, "-K<engine>", "-T<format>", ...]``; a Drawing sets
``DOT_BINARY`` to the located program for the duration of its own call (under a lock) and then
restores it, so plain ``graphviz`` objects elsewhere in the process are left alone. Without any
program the drawing still exists (``.source`` is DOT text), rendering raises
:class:`DotNotFoundError` saying what to install, and Jupyter shows the DOT text and that hint
instead of a traceback.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import sysconfig
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import graphviz
from graphviz.backend import dot_command

ENV_VAR = "GLASSGRAD_DOT"

INSTALL_HINT = (
    "glassgrad needs a Graphviz `dot` program to render drawings. Install one of:\n"
    "  pip install graphviz-pure          (self-contained, from PyPI; a glassgrad dependency)\n"
    "  apt-get install graphviz           (or brew install graphviz, conda install graphviz)\n"
    f"or point the environment variable {ENV_VAR} at a dot-compatible program."
)


class DotNotFoundError(graphviz.ExecutableNotFound):
    """No ``dot`` program was found to render a drawing (the message says what to install)."""

    def __init__(self, detail: str = "") -> None:
        RuntimeError.__init__(self, f"{detail}{INSTALL_HINT}")


def _script_folders() -> list[Path]:
    """Where pip puts this environment's programs (``bin/`` or ``Scripts\\``)."""
    folders = [Path(sysconfig.get_path("scripts")), Path(sys.executable).parent]
    with contextlib.suppress(KeyError):
        folders.append(Path(sysconfig.get_path("scripts", f"{os.name}_user")))
    return list(dict.fromkeys(folders))


def find_dot() -> str | None:
    """The path of the dot program drawings are rendered with, or None if there is none.

    When ``GLASSGRAD_DOT`` is set but names no program, this is None too: an explicit choice
    is never silently replaced by another program.
    """
    override = os.environ.get(ENV_VAR)
    if override:
        return shutil.which(override)
    found = shutil.which("dot")
    if found is not None:
        return found
    for folder in _script_folders():
        found = shutil.which("graphviz-pure", path=str(folder))
        if found is not None:
            return found
    return shutil.which("graphviz-pure")


def dot_program() -> str:
    """Like :func:`find_dot`, but raise :class:`DotNotFoundError` when there is no program."""
    found = find_dot()
    if found is not None:
        return found
    override = os.environ.get(ENV_VAR)
    if override:
        raise DotNotFoundError(
            f"{ENV_VAR}={override!r} is not an executable program (nor a program name on "
            "PATH); fix or unset it.\n"
        )
    raise DotNotFoundError("no `dot` program found (looked for dot and graphviz-pure).\n")


_LOCK = threading.RLock()


@contextlib.contextmanager
def _using(program: str) -> Iterator[None]:
    """Make ``graphviz`` run ``program`` instead of ``dot`` inside the ``with`` block."""
    with _LOCK:
        previous = dot_command.DOT_BINARY
        dot_command.DOT_BINARY = Path(program)
        try:
            yield
        finally:
            dot_command.DOT_BINARY = previous


def _with_dot(backend_function: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> Any:
        with _using(dot_program()):
            return backend_function(*args, **kwargs)

    return run


class Drawing(graphviz.Digraph):
    """A ``graphviz.Digraph`` that renders with the program :func:`find_dot` picks.

    Use it as any Digraph: ``.source``, ``.render(path, format="png")``,
    ``.pipe(format="svg")``, and inline display in Jupyter.
    """

    # graphviz routes every subprocess call through these properties (meant as seams).
    @property
    def _pipe_lines(self) -> Callable[..., Any]:
        return _with_dot(super()._pipe_lines)

    @property
    def _pipe_lines_string(self) -> Callable[..., Any]:
        return _with_dot(super()._pipe_lines_string)

    @property
    def _render(self) -> Callable[..., Any]:
        return _with_dot(super()._render)

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None, **kwargs: Any
    ) -> dict[str, Any]:
        """Inline image in Jupyter; without a dot program, the DOT text and the install hint."""
        try:
            return super()._repr_mimebundle_(include, exclude, **kwargs)
        except DotNotFoundError as error:
            return {"text/plain": f"{error}\n\nThe graph in DOT format:\n{self.source}"}
