"""Data utilities: mini-batches, splits, preprocessing, toy problems and a real data set.

Everything here works on plain numpy arrays whose first axis indexes examples. Randomness comes
from the shared generator in :mod:`autograd.random` (``manual_seed`` makes it repeatable), or
from a private one where a function takes ``seed=<int>``.

- :class:`DataLoader` — shuffled mini-batches, one pass per epoch.
- :func:`train_val_test_split` — training / validation / test parts, stratified by class.
- :class:`Standardizer` and :func:`one_hot` — feature scaling and label encoding.
- :func:`make_xor`, :func:`make_moons`, :func:`make_circles`, :func:`make_spirals` — 2-D toys.
- :func:`load_digits` — the 1,797 8×8 UCI handwritten digits, shipped in the package.
- :func:`load_names` — 5,163 first names (1990 US Census), for character-level models.
"""

from .digits import load_digits
from .loader import DataLoader
from .names import load_names
from .preprocessing import Standardizer, one_hot
from .split import train_val_test_split
from .toy import make_circles, make_moons, make_spirals, make_xor

__all__ = [
    "DataLoader",
    "Standardizer",
    "load_digits",
    "load_names",
    "make_circles",
    "make_moons",
    "make_spirals",
    "make_xor",
    "one_hot",
    "train_val_test_split",
]
