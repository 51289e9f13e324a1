"""The op lists that people read stay true: README.md's "The ops" section and the op list of
shared/DESIGN.md §1 name only ops that the engine has — as ``autograd`` functions, ``Value``
methods or operators — so the documentation cannot drift from the op table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import autograd
from autograd import Value
from autograd.ops import PRIMITIVES

ROOT = Path(__file__).resolve().parents[1]
DESIGN = ROOT.parent / "shared" / "DESIGN.md"

OPERATORS = {
    "+": "__add__", "-": "__sub__", "*": "__mul__", "/": "__truediv__", "**": "__pow__",
    "@": "__matmul__", "%": "__mod__", ".T": "T", "x[i]": "__getitem__",
}  # fmt: skip
SETTINGS = {"axis", "keepdims"}  # arguments named in DESIGN's op list, not ops
# Ops that are functions only (as in numpy): several inputs on an equal footing, or a layer.
FUNCTION_ONLY = {
    "add", "sub", "mul", "div", "pow", "matmul", "neg", "where", "concatenate", "stack", "einsum",
    "tensordot", "linear", "logaddexp", "svdvals", "conv2d", "conv_transpose2d", "max_pool2d",
    "avg_pool2d", "scaled_dot_product_attention", "gelu",
}  # fmt: skip


def enumerated_ops() -> set[str]:
    """Everything the engine offers: autograd's exports, Value's public attributes and
    operators, and the symbols of the primitive table."""
    names = set(autograd.__all__) | {n for n in dir(Value) if not n.startswith("_")}
    names |= {symbol for symbol, dunder in OPERATORS.items() if hasattr(Value, dunder)}
    return names | {op.symbol for op in PRIMITIVES.values()}


def _tokens(text: str) -> list[str]:
    """The op names in the backtick spans of ``text`` (spans with ``=`` are examples)."""
    spans = re.findall(r"`([^`]+)`", text)
    return [token for span in spans if "=" not in span for token in span.split()]


def readme_ops() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The ops", 1)[1].split("\n## ", 1)[0]
    bullets = "\n".join(line for line in section.splitlines() if line.startswith(("- ", "  ")))
    return _tokens(bullets)


def design_ops() -> list[str]:
    text = DESIGN.read_text(encoding="utf-8")
    bullet = text.split("- Ops, as methods and as functions in `autograd`:", 1)[1]
    bullet = bullet.split("\n- ", 1)[0]
    return [t for t in _tokens(bullet) if t not in SETTINGS]


def test_readme_lists_ops() -> None:
    ops = readme_ops()
    assert len(ops) > 100 and len(set(ops)) == len(ops), "duplicates in README's op list"


def test_readme_op_list_is_a_subset_of_the_engine() -> None:
    unknown = sorted(set(readme_ops()) - enumerated_ops())
    assert not unknown, f"README.md lists ops the engine does not have: {unknown}"


def test_readme_ops_are_functions_and_methods() -> None:
    """Each named op is an ``autograd`` function, and (but for the function-only ones) a
    ``Value`` method too."""
    names = [n for n in readme_ops() if n not in OPERATORS]
    not_functions = [n for n in names if n not in autograd.__all__]
    assert not not_functions, f"not autograd functions: {not_functions}"
    not_methods = [n for n in names if n not in FUNCTION_ONLY and not hasattr(Value, n)]
    assert not not_methods, f"not Value methods: {not_methods}"


# The op names of shared/DESIGN.md §1, as of this writing: checked here in every checkout (the
# design file lives beside the repository, not in it), and against the file itself below.
DESIGN_OPS = [
    "*", "**", "+", "-", ".T", "/", "@", "abs", "clip", "concatenate", "exp", "flatten",
    "leaky_relu", "log", "log_softmax", "logsumexp", "max", "maximum", "mean", "min", "minimum",
    "neg", "relu", "reshape", "sigmoid", "softmax", "sqrt", "stack", "sum", "tanh", "transpose",
    "var", "where", "x[i]",
]  # fmt: skip


def test_the_contracts_op_list_is_a_subset_of_the_engine() -> None:
    unknown = sorted(set(DESIGN_OPS) - enumerated_ops())
    assert not unknown, f"DESIGN.md §1 names ops the engine does not have: {unknown}"


@pytest.mark.skipif(not DESIGN.exists(), reason="shared/DESIGN.md is outside this checkout")
def test_design_op_list_is_a_subset_of_the_engine() -> None:
    ops = design_ops()
    assert set(DESIGN_OPS) <= set(ops), "DESIGN_OPS above is out of date with DESIGN.md"
    assert {"neg", "logsumexp", "x[i]", ".T", "concatenate"} <= set(ops), "parsing failed"
    unknown = sorted(set(ops) - enumerated_ops())
    assert not unknown, f"DESIGN.md §1 names ops the engine does not have: {unknown}"
