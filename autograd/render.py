"""Rendering drawings to images: finding a ``dot`` program and running it.

The ``graphviz`` package writes the DOT text; the picture is made by a layout program, which
glassgrad runs itself (one ``subprocess`` call: DOT text in, image out). A fresh
``pip install`` has no Graphviz, so glassgrad depends on the PyPI package ``graphviz-pure`` (a
self-contained port of ``dot`` with the same flags), which installs a program named
``graphviz-pure`` next to the Python interpreter.

:func:`find_dot` picks the program, in this order:

1. the environment variable ``GLASSGRAD_DOT`` (a program name or path), when set — an explicit
   choice wins, so a broken or old ``dot`` on PATH can be bypassed;
2. a real Graphviz ``dot`` on PATH;
3. ``graphviz-pure`` in this Python environment's scripts folder (found even when the
   environment is not activated), then on PATH.

:class:`Drawing` is a ``graphviz.Digraph`` whose ``pipe``, ``render`` and notebook display run
that program. In a notebook a drawing is sent as SVG scaled to fit the output's width (see
:func:`scaled_svg`) and as PNG beside it, for viewers that do not show SVG. Without any
program the drawing still exists (``.source`` is DOT text), rendering raises
:class:`DotNotFoundError` saying what to install, and Jupyter shows the DOT text and that hint
instead of a traceback.

This module is imported when the first drawing is made, never by ``import autograd``.
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

try:
    import graphviz
except ImportError as error:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(
        "glassgrad's drawings need the graphviz package: pip install graphviz graphviz-pure "
        "(the engine itself works without it)"
    ) from error

ENV_VAR = "GLASSGRAD_DOT"

INSTALL_HINT = (
    "glassgrad needs a Graphviz `dot` program to render drawings. Install one of:\n"
    "  pip install graphviz-pure          (self-contained, from PyPI; a glassgrad dependency)\n"
    "  apt-get install graphviz           (or brew install graphviz, conda install graphviz)\n"
    f"or point the environment variable {ENV_VAR} at a dot-compatible program."
)

FIT_WIDTH_PT = 700.0  # wider than this, a "fit" drawing takes the output's full width


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


def run_dot(source: str, format: str, engine: str = "dot", *extra: str) -> bytes:  # noqa: A002
    """Lay out DOT ``source`` with the dot program and return the image in ``format``."""
    command = [dot_program(), f"-K{engine}", f"-T{format}", *extra]
    done = subprocess.run(command, input=source.encode("utf-8"), capture_output=True)
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise subprocess.CalledProcessError(
            done.returncode, command, done.stdout, f"{command[0]} failed: {message}"
        )
    return done.stdout


def check_size(size: Any) -> None:
    """``size`` is "fit", "natural" or a positive number (a scale factor)."""
    if size in ("fit", "natural"):
        return
    if isinstance(size, (int, float)) and not isinstance(size, bool) and size > 0:
        return
    raise ValueError(
        f'size must be "fit" (shrink to the output width), "natural" (Graphviz\'s size) or a '
        f"positive scale factor such as 0.5, got {size!r}"
    )


_SVG_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')


def svg_size(svg: str) -> tuple[float, float]:
    """The (width, height) in points that dot wrote on an SVG."""
    match = _SVG_SIZE.search(svg)
    if match is None:
        raise ValueError("not an SVG written by dot (no width/height in points)")
    return float(match.group(1)), float(match.group(2))


def scaled_svg(svg: str, size: str | float = "fit") -> str:
    """The SVG with its width and height set for a page.

    "fit": never wider than its container (``max-width: 100%``, the height follows the
    ``viewBox``); a drawing wider than ``FIT_WIDTH_PT`` takes the full width, so it also
    shrinks where the SVG is shown as an image (JupyterLab). "natural": unchanged. A number
    scales the natural size.
    """
    check_size(size)
    if size == "natural":
        return svg
    width, height = svg_size(svg)
    if size == "fit":
        if width > FIT_WIDTH_PT:
            attributes = f'<svg width="100%" style="max-width: {width:g}pt; height: auto"'
        else:
            attributes = (
                f'<svg width="{width:g}pt" height="{height:g}pt" '
                'style="max-width: 100%; height: auto"'
            )
    else:
        attributes = f'<svg width="{width * size:g}pt" height="{height * size:g}pt"'
    return _SVG_SIZE.sub(attributes, svg, count=1)


class Drawing(graphviz.Digraph):
    """A ``graphviz.Digraph`` that renders with the program :func:`find_dot` picks.

    Use it as any Digraph: ``.source``, ``.render(path, format="png")`` (writes only the image,
    ``path.png``), ``.pipe(format="svg")``, and inline display in Jupyter (SVG that fits the
    output, and PNG). ``display_size`` is the notebook size ("fit", "natural" or a scale).
    """

    display_size: str | float = "fit"

    def pipe(  # type: ignore[override]
        self,
        format: str | None = None,  # noqa: A002
        renderer: str | None = None,
        formatter: str | None = None,
        neato_no_op: Any = None,
        quiet: bool = False,
        *,
        engine: str | None = None,
        encoding: str | None = None,
    ) -> bytes | str:
        """The rendered image (bytes, or text when ``encoding`` is given, e.g. for SVG)."""
        fmt = format or self.format
        for part in (renderer, formatter):
            if part:
                fmt += f":{part}"
        data = run_dot(self.source, fmt, engine or self.engine)
        return data.decode(encoding) if encoding is not None else data

    def render(  # type: ignore[override]
        self,
        filename: str | os.PathLike[str] | None = None,
        directory: str | os.PathLike[str] | None = None,
        view: bool = False,
        cleanup: bool = True,
        format: str | None = None,  # noqa: A002
        renderer: str | None = None,
        formatter: str | None = None,
        neato_no_op: Any = None,
        quiet: bool = False,
        quiet_view: bool = False,
        *,
        outfile: str | os.PathLike[str] | None = None,
        engine: str | None = None,
        **ignored: Any,
    ) -> str:
        """Write the image to ``<filename>.<format>`` (or ``outfile``) and return its path.

        Unlike ``graphviz.Digraph.render``, no DOT source file is left beside the image (use
        ``.save()`` for that).
        """
        if outfile is not None:
            path = Path(outfile)
            fmt = format or path.suffix.lstrip(".") or self.format
        else:
            fmt = format or self.format
            name = Path(filename if filename is not None else (self.filename or "glassgrad"))
            path = Path(directory) / name if directory is not None else name
            path = path.with_name(f"{path.name}.{fmt}")
        image = self.pipe(format=fmt, renderer=renderer, formatter=formatter, engine=engine)
        if not isinstance(image, bytes):  # pragma: no cover - pipe without encoding is bytes
            image = image.encode()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(image)
        if view:
            graphviz.view(str(path), quiet=quiet_view)
        return str(path)

    def svg(self, size: str | float | None = None) -> str:
        """The drawing as SVG text sized for a page (``size`` as ``display_size``)."""
        svg = self.pipe(format="svg", encoding="utf-8")
        assert isinstance(svg, str)
        return scaled_svg(svg, self.display_size if size is None else size)

    def _repr_image_svg_xml(self) -> str:
        return self.svg()

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None, **kwargs: Any
    ) -> dict[str, Any]:
        """SVG (fits the output) and PNG (at screen resolution) for Jupyter; without a dot
        program, the DOT text and the install hint."""
        try:
            svg = self.svg()
            png = run_dot(self.source, "png", self.engine)
        except DotNotFoundError as error:
            return {"text/plain": f"{error}\n\nThe graph in DOT format:\n{self.source}"}
        bundle = {
            "image/svg+xml": svg,
            "image/png": base64.b64encode(png).decode("ascii"),
            "text/plain": f"<glassgrad drawing: {self.source.count('->')} edges>",
        }
        if include:
            bundle = {k: v for k, v in bundle.items() if k in include}
        if exclude:
            bundle = {k: v for k, v in bundle.items() if k not in exclude}
        return bundle
