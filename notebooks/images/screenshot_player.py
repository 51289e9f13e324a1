"""Make notebooks/images/player.png, the README's picture of the backprop player.

    .venv/bin/python notebooks/images/screenshot_player.py

Builds the player for micrograd's example expression with ``autograd.step_through``, saves the
page, opens it at step 5 (``#frame=4``) in headless Chromium and keeps the part with content.
Needs Chromium (``apt-get install chromium``) and Pillow.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageChops

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from autograd import Value, step_through  # noqa: E402

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--no-first-run", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
    "--force-device-scale-factor=1", "--window-size=960,520",
]  # fmt: skip


def expression() -> Value:
    a, b, c, f = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c"), Value(-2.0, "f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    return L


def main(out: Path = HERE / "player.png") -> Path:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise SystemExit("needs Chromium: apt-get install chromium")
    with tempfile.TemporaryDirectory() as folder:
        page = step_through(expression()).save(Path(folder) / "player.html")
        shot = Path(folder) / "shot.png"
        subprocess.run(
            [browser, *FLAGS, f"--user-data-dir={folder}/profile", f"--screenshot={shot}",
             page.as_uri() + "#frame=4"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        image = Image.open(shot).convert("RGB")
    background = Image.new("RGB", image.size, (255, 255, 255))
    left, top, right, bottom = ImageChops.difference(image, background).getbbox()
    image = image.crop((0, 0, image.width, min(image.height, bottom + 8)))
    out.parent.mkdir(parents=True, exist_ok=True)
    image.save(out, optimize=True)
    return out


if __name__ == "__main__":
    print(main())
