"""Make notebooks/images/training_view.gif and .png, the README's pictures of nn.TrainingView.

    .venv/bin/python notebooks/images/make_training_view.py

Trains the network of notebook 03, section 7 (an MLP with six tanh units on the two moons,
full-batch Adam) with a TrainingView recording every 20 epochs, then saves the animation and
its last frame. Needs matplotlib (with Pillow) and a dot program (graphviz-pure will do).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import autograd  # noqa: E402
import nn  # noqa: E402
import optim  # noqa: E402


def main() -> None:
    autograd.manual_seed(0)
    X, y = nn.data.make_moons(n=300, noise=0.1)
    autograd.manual_seed(0)
    model = nn.MLP(2, [6, 2], activation="tanh")
    view = nn.TrainingView(model, X, y, every=20, show=False)
    nn.fit(
        model,
        nn.F.cross_entropy,
        optim.Adam(model.parameters(), lr=0.05),
        nn.data.DataLoader(X, y, batch_size=len(X)),
        epochs=200,
        metrics={"accuracy": nn.accuracy},
        callbacks=[view],
        progress=False,
    )
    for path in (
        view.save(HERE / "training_view.gif", fps=3),
        view.save(HERE / "training_view.png"),
    ):
        print(f"wrote {path.relative_to(HERE.parents[1])} ({path.stat().st_size / 1e3:.0f} kB)")


if __name__ == "__main__":
    main()
