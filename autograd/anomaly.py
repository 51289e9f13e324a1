"""``detect_anomaly()``: stop at the first NaN or infinity, naming the op and the line of code.

Inside ``with detect_anomaly():`` every op checks its result, and backpropagation checks every
gradient it passes on. The first non-finite number raises ``FloatingPointError`` naming the
op, the node's label, its inputs' shapes and the file and line of user code that created the
node; the error's ``.node`` can be handed to ``draw_graph(root, highlight=error.node)``.
Outside it nothing is checked (one flag is read per op) and nothing is recorded.
"""

from __future__ import annotations

import contextlib
import os
import sys
import weakref
from collections.abc import Iterator
from typing import Any

import numpy as np


class _Anomaly:
    __slots__ = ("enabled",)

    def __init__(self) -> None:
        self.enabled = False


ANOMALY = _Anomaly()

# node → where user code created it; filled only inside detect_anomaly().
ORIGINS: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()


def _library_dirs() -> tuple[str, ...]:
    """The folders of glassgrad's own packages (frames inside them are not user code)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return tuple(os.path.join(root, name) + os.sep for name in ("autograd", "nn", "optim"))


_OWN = _library_dirs()


def user_line() -> str:
    """``file:line in function`` of the innermost caller outside autograd, nn and optim."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = os.path.abspath(frame.f_code.co_filename)
        if not filename.startswith(_OWN) and "contextlib" not in filename:
            return f"{frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}"
        frame = frame.f_back
    return "(unknown)"


@contextlib.contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise ``FloatingPointError`` at the first NaN or infinity made in the forward or the
    backward pass, naming the op, the node and the line of user code that created the node."""
    previous = ANOMALY.enabled
    ANOMALY.enabled = True
    try:
        with np.errstate(all="ignore"):  # our own check names the op; numpy's warning does not
            yield
    finally:
        ANOMALY.enabled = previous


def _finite(x: Any) -> bool:
    data = x.data if hasattr(x, "_parents") else x
    if type(data) is float:
        return data == data and data not in (float("inf"), float("-inf"))
    array = np.asarray(data)
    return array.dtype.kind not in "fc" or bool(np.isfinite(array).all())


def _describe(node: Any) -> str:
    label = f" labelled {node.label!r}" if node.label else ""
    shapes = ", ".join(str(p.shape) for p in node._parents) or "none"
    origin = ORIGINS.get(node, "(made outside detect_anomaly(): wrap the forward pass too)")
    return f"op {node.op!r}{label} (inputs of shapes {shapes}), created at {origin}"


def _error(message: str, node: Any) -> FloatingPointError:
    error = FloatingPointError(
        message + ". Look at that op's inputs; draw_graph(root, highlight=error.node) marks it."
    )
    error.node = node  # type: ignore[attr-defined]
    return error


def check_forward(node: Any, op: Any, parents: tuple[Any, ...]) -> None:
    """Called for every new node of an op inside detect_anomaly() (recorded or not)."""
    ORIGINS[node] = user_line()
    if not _finite(node):
        kind = "nan" if np.isnan(np.asarray(node.data, dtype=float)).any() else "inf"
        label = f" labelled {node.label!r}" if node.label else ""
        shapes = ", ".join(str(p.shape) for p in parents) or "none"
        raise _error(
            f"detect_anomaly: the forward pass produced {kind} in op {op.symbol!r}{label} "
            f"(inputs of shapes {shapes}), at {ORIGINS[node]}",
            node,
        )


def check_backward(node: Any, parent: Any, share: Any) -> None:
    """Called by the backward walk for every gradient it passes on inside detect_anomaly()."""
    if not _finite(share):
        index = next(i for i, p in enumerate(node._parents) if p is parent)
        raise _error(
            f"detect_anomaly: the backward pass produced a non-finite gradient for input {index} "
            f"of {_describe(node)}",
            node,
        )
