"""Saving and loading a module's state: ``.npz`` files, written atomically, read without pickle.

``nn.save(model, "model.npz")`` writes ``model.state_dict()`` — one ``.npy`` entry per
parameter or buffer, named as in the state dict — so ``np.load`` can read it too.

Safety:

- **Atomic save.** The archive is written to a temporary file in the same folder (named
  ``.<file>.glassgrad-tmp-…``), flushed to disk, then moved over the target with
  ``os.replace``, which is atomic. An error, or the process being killed, at any moment leaves
  the previous file whole. On an error the temporary file is removed at once; one left by a
  killed process is removed by the next save to the same path.
- **No pickle.** Arrays are written and read with ``allow_pickle=False``: an archive holding
  pickled objects is refused, so loading a file never runs code from it.
- **All or nothing.** ``nn.load`` reads every array and checks every name, shape and dtype
  against the module before changing anything; any problem raises one ``ValueError`` listing
  them all, and a truncated, damaged or foreign file raises a ``ValueError`` naming the file.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import zipfile
from collections.abc import Mapping
from typing import Any

import numpy as np

from .module import Module

_TEMP_MARK = ".glassgrad-tmp-"

PathLike = str | os.PathLike


def _temp_prefix(path: str) -> str:
    return f".{os.path.basename(path)}{_TEMP_MARK}"


def _remove_stale_temps(folder: str, prefix: str) -> None:
    """Delete temporary files that an earlier, killed save to the same path left behind."""
    with contextlib.suppress(OSError):
        for name in os.listdir(folder):
            if name.startswith(prefix):
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(folder, name))


def _write_npz(file: Any, state: Mapping[str, Any]) -> None:
    """Write ``state`` as an ``.npz`` archive (what ``np.savez`` writes), refusing pickles."""
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, array in state.items():
            with archive.open(f"{name}.npy", "w", force_zip64=True) as entry:
                np.lib.format.write_array(entry, np.asarray(array), allow_pickle=False)


def save(module: Module | Mapping[str, Any], path: PathLike) -> None:
    """Write ``module.state_dict()`` (or a mapping name → array) to ``path`` atomically.

    The file is replaced only once the new one is completely on disk; see the module docstring.
    The name is used as given (``np.savez`` would append ``.npz``; this does not).
    """
    state = module.state_dict() if isinstance(module, Module) else dict(module)
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    prefix = _temp_prefix(path)
    _remove_stale_temps(folder, prefix)
    try:  # keep the permissions of the file being replaced (mkstemp makes it owner-only)
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        mode = 0o644
    fd, temp = tempfile.mkstemp(prefix=prefix, suffix=".npz", dir=folder)
    try:
        try:
            file = os.fdopen(fd, "wb")
        except BaseException:
            os.close(fd)
            raise
        with file:
            _write_npz(file, state)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _sync_folder(folder)


def _sync_folder(folder: str) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def read_npz(path: PathLike) -> dict[str, np.ndarray]:
    """Every array in the ``.npz`` file at ``path``, read in full without pickle.

    Raises ``ValueError`` naming the file if it is not an ``.npz`` archive, is truncated or
    damaged, or holds pickled objects (refused: unpickling can run arbitrary code).
    """
    path = os.fspath(path)
    try:
        archive = np.load(path, allow_pickle=False)
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        raise
    except Exception as error:
        raise ValueError(
            f"{path!r} is not an .npz archive written by nn.save, or it is truncated "
            f"({type(error).__name__}: {error})"
        ) from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ValueError(
            f"{path!r} holds a single array (an .npy file), not an .npz archive of named "
            "arrays as written by nn.save"
        )
    arrays: dict[str, np.ndarray] = {}
    with archive:
        for name in archive.files:
            try:
                arrays[name] = archive[name]
            except ValueError as error:
                if "allow_pickle" in str(error):
                    raise ValueError(
                        f"{path!r}: entry {name!r} holds pickled Python objects; refusing to "
                        "load it (unpickling can run arbitrary code). nn.save never writes such "
                        "entries."
                    ) from None
                raise ValueError(
                    f"{path!r}: entry {name!r} is damaged or not a numpy array ({error})"
                ) from None
            except Exception as error:
                raise ValueError(
                    f"{path!r}: entry {name!r} cannot be read — the file is truncated or "
                    f"damaged ({type(error).__name__}: {error})"
                ) from None
    return arrays


def load(module: Module, path: PathLike, strict: bool = True) -> Module:
    """Load a file written by :func:`save` into ``module`` (in place) and return the module.

    All arrays are read and checked against the module — every name (with ``strict=True``),
    shape and dtype — before anything changes; see ``Module.load_state_dict``.
    """
    arrays = read_npz(path)
    try:
        return module.load_state_dict(arrays, strict=strict)
    except ValueError as error:
        raise ValueError(f"nn.load({os.fspath(path)!r}): {error}") from None
