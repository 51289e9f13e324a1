"""One seeded random generator shared by the three packages.

Everything random in glassgrad — weight initialisation, dropout masks, noise layers, data
shuffling — draws from :func:`generator`, so one call to :func:`manual_seed` makes a whole run
repeatable (like ``torch.manual_seed``).
"""

from __future__ import annotations

import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the shared generator in place and return it.

    The generator object stays the same, so code that keeps a reference to it sees the new seed.
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"manual_seed expects an int, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"manual_seed: the seed must be 0 or more, got {seed}")
    _generator.bit_generator.state = np.random.PCG64(int(seed)).state
    return _generator


def generator() -> np.random.Generator:
    """The shared ``numpy.random.Generator`` that every random choice in glassgrad uses."""
    return _generator
