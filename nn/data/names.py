"""First names for character-level models, shipped with the package so no download is needed.

``names.txt`` holds 5,163 first names from the 1990 United States Census (the male and female
"frequently occurring first names" lists; public domain), merged, lower-cased and sorted. The
lists were taken from the PyPI package ``names`` 0.3.0 by Trey Hunner. See
``NAMES_LICENSE.txt`` next to this file.
"""

from __future__ import annotations

from importlib import resources

_FILE = "names.txt"
_COUNT = 5163


def load_names() -> list[str]:
    """The 5,163 first names, lower-case letters a–z only, in alphabetical order.

    A character-level model sees each name as a sequence of letters; its vocabulary is the 26
    letters plus whatever start/end marker the model adds. Each call returns a fresh list.
    """
    text = resources.files(__package__).joinpath(_FILE).read_text(encoding="ascii")
    names = text.split()
    if len(names) != _COUNT or not all(name.isalpha() and name.islower() for name in names):
        raise RuntimeError(
            f"{_FILE} should hold {_COUNT} lower-case names, one per line, but holds "
            f"{len(names)} entries; the installed package is damaged, reinstall glassgrad"
        )
    return names
