"""Every notebook in notebooks/ runs top to bottom in a fresh kernel, and is stored without
outputs.

The kernel is this interpreter (``sys.executable -m ipykernel_launcher``, not whatever kernel
named "python3" a machine has installed), started in notebooks/ with the repository on
PYTHONPATH so that ``import autograd, nn, optim`` finds this checkout.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
CELL_TIMEOUT = 120  # seconds per cell


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS, "notebooks/ has no .ipynb files"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            assert not cell.outputs, f"{path.name} cell {index} has outputs: clear them"
            assert cell.execution_count is None, f"{path.name} cell {index} has a count"


def run(path: Path, **environment: str) -> nbformat.NotebookNode:
    """Execute the notebook at ``path`` in a fresh kernel; return it with its outputs."""
    notebook = nbformat.read(path, as_version=4)
    # Only the built-in kernel spec, which runs sys.executable.
    manager = KernelManager(
        kernel_name="python3", kernel_spec_manager=KernelSpecManager(kernel_dirs=[])
    )
    pythonpath = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    client = NotebookClient(
        notebook,
        km=manager,
        timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(path.parent)}},
    )
    env = {
        **os.environ,
        "PYTHONPATH": pythonpath,
        "MPLBACKEND": "Agg",
        # one BLAS thread: two test workers share two cores, and threads would fight over them
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        **environment,
    }
    client.execute(env=env)  # raises CellExecutionError at the first failing cell
    return notebook


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
    assert len(drawings) >= 10
    for out in drawings:
        assert list(out.data) == ["text/plain"]
        assert "pip install graphviz-pure" in out.data["text/plain"]
