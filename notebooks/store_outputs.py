"""Execute notebooks top to bottom and store them with their outputs (``make notebooks``).

    python notebooks/store_outputs.py notebooks/02_*.ipynb ...

Each notebook runs in a fresh kernel of this interpreter, started in notebooks/ with the
repository on PYTHONPATH (so ``import autograd, nn, optim`` finds this checkout) and one BLAS
thread; every notebook seeds its own random draws, so the stored outputs are repeatable. What
is stored is kept small and free of machine details: PNG images are re-encoded in at most 256
colours, widget state and per-cell timings are dropped, and an output that shows an absolute
path of this machine fails the run. tests/test_notebooks.py runs notebooks the same way (with
:func:`run`) and checks what is stored.
"""

from __future__ import annotations

import base64
import io
import os
import re
import sys
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent
CELL_TIMEOUT = 120  # seconds per cell
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# An absolute path of the machine the notebook ran on: it must not end up in a stored output.
ABSOLUTE_PATH = re.compile(
    r"(?<![\w.:/])(/(home|root|tmp|work|Users|private|var/folders)/[\w.-]+|[A-Z]:\\\\?Users)"
)


def run(path: Path, **environment: str) -> nbformat.NotebookNode:
    """Execute the notebook at ``path`` in a fresh kernel; return it with its outputs."""
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:  # from scratch: nothing stored earlier survives
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
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


def smaller_png(data: str) -> str:
    """A base64 PNG re-encoded in at most 256 colours (usually a third of the bytes)."""
    from PIL import Image

    image = Image.open(io.BytesIO(base64.b64decode(data)))
    if image.mode == "P":
        return data
    image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    quantized = image.quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    buffer = io.BytesIO()
    quantized.save(buffer, format="PNG", optimize=True)
    smaller = base64.b64encode(buffer.getvalue()).decode("ascii")
    return smaller if len(smaller) < len(data) else data


def tidy(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop what the stored notebook does not need; shrink its images."""
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        for output in cell.outputs:
            data = output.get("data", {})
            data.pop(WIDGET_VIEW, None)  # a live widget (progress bar): its text stays
            if isinstance(data.get("image/png"), str):
                data["image/png"] = smaller_png(data["image/png"])
    return notebook


def absolute_paths(notebook: nbformat.NotebookNode) -> list[str]:
    """Absolute paths of this machine that appear in the notebook's outputs."""
    found = []
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            texts = [output.get("text", ""), output.get("evalue", "")]
            texts += [v for k, v in output.get("data", {}).items() if k.startswith("text/")]
            for text in texts:
                text = "".join(text) if isinstance(text, list) else str(text)
                found += [f"cell {index}: {m.group(0)}" for m in ABSOLUTE_PATH.finditer(text)]
    return found


def store(path: Path) -> None:
    notebook = tidy(run(path))
    leaks = absolute_paths(notebook)
    if leaks:
        raise SystemExit(f"{path}: outputs show absolute paths, not stored: {leaks}")
    nbformat.write(notebook, path)
    print(f"stored {path} with its outputs ({path.stat().st_size / 1e3:.0f} kB)")


def main(paths: list[str]) -> None:
    if not paths:
        raise SystemExit("usage: python notebooks/store_outputs.py NOTEBOOK.ipynb ...")
    for name in paths:
        store(Path(name).resolve())


if __name__ == "__main__":
    main(sys.argv[1:])
