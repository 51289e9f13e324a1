"""Every notebook in notebooks/ runs top to bottom in a fresh kernel, and is stored WITH the
outputs ``make notebooks`` produced (so a learner sees the pictures on GitHub too).

The kernel is this interpreter (``sys.executable -m ipykernel_launcher``, not whatever kernel
named "python3" a machine has installed), started in notebooks/ with the repository on
PYTHONPATH so that ``import autograd, nn, optim`` finds this checkout — the same ``run`` that
``make notebooks`` (notebooks/store_outputs.py) uses. Execution here always starts from
scratch: the stored outputs are checked, never trusted.
"""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from notebooks.store_outputs import WIDGET_VIEW, absolute_paths, run

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
LARGEST_IMAGE = 400_000  # bytes of one stored PNG
LARGEST_NOTEBOOK = 4_000_000  # bytes of one stored notebook


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS, "notebooks/ has no .ipynb files"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_stored_with_its_outputs(path: Path) -> None:
    """Stored as ``make notebooks`` leaves it: every code cell run once, in order, without
    errors, absolute paths of the machine, widget state or oversized images."""
    again = f'run: make notebooks NB="notebooks/{path.name}"'
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    counts = [cell.execution_count for cell in code]
    assert counts == list(range(1, len(code) + 1)), (
        f"{path.name} is not stored executed top to bottom (execution counts {counts}); {again}"
    )
    assert any(cell.outputs for cell in code), f"{path.name} has no outputs; {again}"
    for index, cell in enumerate(notebook.cells):
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"{path.name} cell {index} stored an error"
            assert WIDGET_VIEW not in out.get("data", {}), f"{path.name} cell {index}: widget"
            png = out.get("data", {}).get("image/png")
            if png:
                size = len(base64.b64decode(png))
                assert size < LARGEST_IMAGE, f"{path.name} cell {index}: a {size:,} byte PNG"
    assert "widgets" not in notebook.metadata, f"{path.name} stores widget state; {again}"
    assert not absolute_paths(notebook), f"{path.name}: {absolute_paths(notebook)}"
    assert path.stat().st_size < LARGEST_NOTEBOOK, f"{path.name} is {path.stat().st_size:,} B"


def test_stored_outputs_hold_no_stray_reprs() -> None:
    """A cell that only draws ends with ``;`` or plt.show(): no ``<matplotlib... at 0x...>``,
    ``Text(...)`` or ``np.float64(1.04)`` left over."""
    stray = re.compile(
        r"<matplotlib\.[\w.]+ (object )?at 0x|^Text\(|^np\.(float|int)\d+\(|^\(np\.float"
    )
    for path in NOTEBOOKS:
        notebook = nbformat.read(path, as_version=4)
        for index, cell in enumerate(notebook.cells):
            for out in cell.get("outputs", []):
                text = out.get("data", {}).get("text/plain", "")
                text = "".join(text) if isinstance(text, list) else text
                if out.output_type == "execute_result" and "image/png" not in out.get("data", {}):
                    assert not stray.search(text), f"{path.name} cell {index} shows {text!r}"
                printed = out.get("text", "") if out.output_type == "stream" else text
                printed = "".join(printed) if isinstance(printed, list) else printed
                assert not re.search(r"np\.(float|int)\d+\(", printed), (
                    f"{path.name} cell {index} prints numpy scalars' reprs: {printed[:120]!r} "
                    "(convert with float() or .tolist(), or format them)"
                )


def test_the_readme_notebook_command_works() -> None:
    """The README opens the notebooks with `make lab` (JupyterLab from the notebook extra)."""
    readme = (REPO / "README.md").read_text()
    makefile = (REPO / "Makefile").read_text()
    assert "make lab" in readme or "jupyter lab" in readme
    recipe = makefile.split("\nlab:", 1)[1].split("\n\n", 1)[0]
    assert '".[dev,notebook]"' in recipe and "-m jupyter lab notebooks/" in recipe
    version = subprocess.run(
        [sys.executable, "-m", "jupyter", "lab", "--version"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert version.returncode == 0, (
        f"`python -m jupyter lab` fails: {version.stderr[-500:]}; install the notebook extra: "
        'pip install -e ".[notebook]"'
    )
    assert int(version.stdout.strip().split(".")[0]) >= 4


def outputs(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [out for cell in notebook.cells if cell.cell_type == "code" for out in cell.outputs]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path: Path) -> None:
    notebook = run(path)
    assert not [out for out in outputs(notebook) if out.output_type == "error"]


def test_without_a_dot_program_drawings_show_dot_text_and_the_hint() -> None:
    path = REPO / "notebooks" / "01_backprop_step_by_step.ipynb"
    notebook = run(path, GLASSGRAD_DOT=str(REPO / "no-such-dot-program"))
    shown = [
        out for out in outputs(notebook) if out.output_type in ("display_data", "execute_result")
    ]
    drawings = [out for out in shown if "digraph glassgrad" in out.data.get("text/plain", "")]
    stored = outputs(nbformat.read(path, as_version=4))  # made with a dot program
    pictures = [out for out in stored if "image/svg+xml" in out.get("data", {})]
    assert len(pictures) >= 5 and len(drawings) == len(pictures)  # every drawing falls back
    for out in drawings:
        assert list(out.data) == ["text/plain"]
        assert "pip install graphviz-pure" in out.data["text/plain"]
