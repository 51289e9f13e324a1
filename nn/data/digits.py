"""The 8×8 handwritten digits, shipped with the package so no download is needed.

The data is the test set of the UCI "Optical Recognition of Handwritten Digits" data set by
E. Alpaydin and C. Kaynak (1998), https://doi.org/10.24432/C50P49, licensed under CC BY 4.0
(https://creativecommons.org/licenses/by/4.0/). 43 people filled in forms of digits; each
32×32 bitmap was cut into 4×4 blocks and the ``on`` pixels of each block counted, giving an
8×8 image of integers 0..16. This is the copy of those 1,797 images that scikit-learn ships
(``digits.csv.gz``: one image per line, 64 pixel values row by row, then the label), unchanged.
See ``DIGITS_LICENSE.txt`` next to this file.
"""

from __future__ import annotations

import gzip
from importlib import resources

import numpy as np

_FILE = "digits.csv.gz"
_EXAMPLES, _PIXELS = 1797, 64


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 handwritten digits as ``(X, y)``.

    ``X`` is float32 of shape ``(1797, 64)``: each row an 8×8 image read row by row
    (``X[i].reshape(8, 8)`` to draw it), with values 0 (white) to 16 (black). ``y`` is int64
    with the digit 0–9 (about 180 images of each). Divide ``X`` by 16 or use
    :class:`~nn.data.Standardizer` before training. Each call returns fresh arrays.
    """
    with resources.files(__package__).joinpath(_FILE).open("rb") as raw, gzip.open(raw) as text:
        table = np.loadtxt(text, delimiter=",", dtype=np.float32)
    if table.shape != (_EXAMPLES, _PIXELS + 1):
        raise RuntimeError(
            f"{_FILE} should hold {_EXAMPLES} rows of {_PIXELS + 1} numbers, but holds shape "
            f"{table.shape}; the installed package is damaged, reinstall glassgrad"
        )
    return np.ascontiguousarray(table[:, :_PIXELS]), table[:, _PIXELS].astype(np.int64)
