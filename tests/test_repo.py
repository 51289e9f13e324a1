"""The packages the tests import are this repository's, not an installed namesake.

The PyPI package ``autograd`` (HIPS autograd) has the same import name; if it were installed
and imported instead, every other test would test the wrong code.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", ["autograd", "nn", "optim"])
def test_package_is_imported_from_this_repository(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__file__ is not None, f"{name} is a namespace package, not ours"
    path = Path(module.__file__).resolve()
    assert path.is_relative_to(ROOT), f"{name} imported from {path}, outside {ROOT}"
    assert path == ROOT / name / "__init__.py"


def test_autograd_is_glassgrad_not_hips_autograd() -> None:
    import autograd

    assert hasattr(autograd, "Value") and hasattr(autograd, "gradcheck")
    assert "glassgrad" in (autograd.__doc__ or "")
