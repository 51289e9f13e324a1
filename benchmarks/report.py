"""Rows of results and the table they print as, in plain text or Markdown.

A benchmark returns :class:`Row` objects: one figure for glassgrad, the same figure for a peer
measured in the same run, and the target, if any. A ratio is always glassgrad ÷ peer, so below
1 means glassgrad is faster (or smaller).
"""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from benchmarks.peers import NOT_INSTALLED, threads

Figure = float | int | str


@dataclass(frozen=True)
class Row:
    """One line of the table.

    ``peer_value`` is None when the peer is not installed. A ratio target is ``max_ratio``
    (met when glassgrad ÷ peer ≤ max_ratio); any other target is described in ``target`` and
    judged by the benchmark in ``met``. Rows with neither are for information.
    """

    benchmark: str
    metric: str
    unit: str
    glassgrad: Figure
    peer: str = ""
    peer_value: Figure | None = None
    max_ratio: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """glassgrad ÷ peer, when both are numbers."""
        a, b = self.glassgrad, self.peer_value
        if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b:
            return a / b
        return None

    @property
    def target_text(self) -> str:
        if self.max_ratio is not None:
            return f"≤ {self.max_ratio:g}×"
        return self.target

    @property
    def status(self) -> str:
        """'met', 'NOT met', 'no peer' (target needs a missing peer) or '' (no target)."""
        if self.max_ratio is not None:
            ratio = self.ratio
            if ratio is None:
                return "no peer"
            return "met" if ratio <= self.max_ratio else "NOT met"
        if self.met is None:
            return ""
        return "met" if self.met else "NOT met"


def format_figure(value: Figure | None, unit: str) -> str:
    """A number with its unit, at a precision that suits its size; text as it is."""
    if value is None:
        return NOT_INSTALLED
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        text = f"{value:,}"
    elif abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}".strip()


COLUMNS = ("benchmark", "metric", "glassgrad", "peer", "peer figure", "ratio", "target", "status")


def cells(row: Row) -> list[str]:
    """The row as the table's text cells."""
    ratio = row.ratio
    peer_value = "" if not row.peer else format_figure(row.peer_value, row.unit)
    return [
        row.benchmark,
        row.metric,
        format_figure(row.glassgrad, row.unit),
        row.peer,
        peer_value,
        "" if ratio is None else f"{ratio:.2f}×",
        row.target_text,
        row.status,
    ]


def text_table(rows: Sequence[Row]) -> str:
    """An aligned plain-text table, with the notes listed under it."""
    table = [list(COLUMNS)] + [cells(row) for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in table
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines + _notes(rows))


def markdown_table(rows: Sequence[Row]) -> str:
    """The same table in Markdown, for benchmarks/README.md."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in rows:
        text = cells(row)
        if row.metric.startswith(" "):  # Markdown drops leading spaces: mark a sub-row
            text[1] = "↳ " + row.metric.strip()
        if text[-1] == "NOT met":
            text[-1] = "**NOT met**"
        lines.append("| " + " | ".join(text) + " |")
    return "\n".join(lines + _notes(rows))


def _notes(rows: Sequence[Row]) -> list[str]:
    notes = [f"- {row.benchmark} / {row.metric.strip()}: {row.note}" for row in rows if row.note]
    return ["", "Notes:", *notes] if notes else []


def machine() -> str:
    """One line on where the figures were measured: CPU, cores, OS, Python, numpy, threads."""
    import numpy

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    count = threads()
    thread_text = f"{count} thread(s) for BLAS and torch" if count else "library default threads"
    return (
        f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {sys.version.split()[0]}, numpy {numpy.__version__}, {thread_text}"
    )
