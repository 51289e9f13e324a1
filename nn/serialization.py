"""Saving and loading a module's state: ``.npz`` or ``.safetensors``, atomic, never executed.

``nn.save(model, "model.npz")`` writes ``model.state_dict()`` — one ``.npy`` entry per
parameter or buffer, named as in the state dict — so ``np.load`` can read it too.
``nn.save(model, "model.safetensors")`` writes the same names in the ``safetensors`` format
(needs ``pip install glassgrad[safetensors]``), which PyTorch users read with
``safetensors.torch.load_file`` straight into ``torch_model.load_state_dict``. The format is
chosen by the extension: ``.safetensors`` for safetensors, anything else ``.npz``.

Safety, for both formats:

- **Atomic save.** The file is written to a temporary file in the same folder (named
  ``.<file>.glassgrad-tmp-…``), flushed to disk, then moved over the target with
  ``os.replace``, which is atomic. An error, or the process being killed, at any moment leaves
  the previous file whole. On an error the temporary file is removed at once; one left by a
  killed process is removed by the next save to the same path.
- **Nothing executed on load.** ``.npz`` arrays are read with ``allow_pickle=False``: an
  entry holding pickled objects is refused, so loading never runs code from the file. A
  ``.safetensors`` file is a JSON header and raw bytes; it cannot hold code at all.
- **All or nothing, headers first.** ``nn.load`` first reads only the headers — each entry's
  name, shape and dtype — and checks all of them against the module; any problem raises one
  ``ValueError`` listing them all, before a single byte of array data is read (so an entry that
  declares a 512 MiB shape in a small file costs nothing). Then the data is read, and only when
  every array has been read is the module changed. A truncated, damaged or foreign file raises
  a ``ValueError`` naming the file, and the module is unchanged.
"""

from __future__ import annotations

import contextlib
import math
import os
import stat
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from typing import Any, BinaryIO

import numpy as np

from ._optional import require
from .module import Module, _targets, state_problems

_TEMP_MARK = ".glassgrad-tmp-"

PathLike = str | os.PathLike

# A shape and a dtype, as declared in a file's header, before its data is read.
Spec = tuple[tuple[int, ...], np.dtype]


def file_format(path: PathLike) -> str:
    """``"safetensors"`` for a name ending in ``.safetensors`` (any case), else ``"npz"``."""
    return "safetensors" if os.fspath(path).lower().endswith(".safetensors") else "npz"


# ---------------------------------------------------------------------------- writing
def _temp_prefix(path: str) -> str:
    return f".{os.path.basename(path)}{_TEMP_MARK}"


def _remove_stale_temps(folder: str, prefix: str) -> None:
    """Delete temporary files that an earlier, killed save to the same path left behind."""
    with contextlib.suppress(OSError):
        for name in os.listdir(folder):
            if name.startswith(prefix):
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(folder, name))


def _write_npz(file: BinaryIO, state: Mapping[str, Any]) -> None:
    """Write ``state`` as an ``.npz`` archive (what ``np.savez`` writes), refusing pickles."""
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, array in state.items():
            with archive.open(f"{name}.npy", "w", force_zip64=True) as entry:
                np.lib.format.write_array(entry, np.asarray(array), allow_pickle=False)


def _write_safetensors(file: BinaryIO, state: Mapping[str, Any]) -> None:
    """Write ``state`` in the safetensors format (an 8-byte header length, a JSON header with
    each name's dtype, shape and byte range, then the raw little-endian data)."""
    st_numpy = require("safetensors.numpy", "nn.save to a .safetensors file")
    arrays = {}
    for name, value in state.items():
        array = np.asarray(value, order="C")  # (ascontiguousarray would make 0-d arrays 1-d)
        if array.dtype.name not in _SAFETENSORS_DTYPES.values():
            raise ValueError(
                f"nn.save: {name!r} has dtype {array.dtype}, which the safetensors format cannot "
                f"hold; use one of {', '.join(sorted(set(_SAFETENSORS_DTYPES.values())))}"
            )
        arrays[name] = array
    # "format": "pt" tells Hugging Face loaders the names follow PyTorch's state dicts.
    file.write(st_numpy.save(arrays, metadata={"format": "pt", "producer": "glassgrad"}))


def write_atomically(path: PathLike, write: Callable[[BinaryIO], None]) -> None:
    """Call ``write(file)`` on a temporary file beside ``path``, then move it over ``path``.

    The target is replaced only once the new file is completely on disk (flushed and
    ``fsync``-ed); on any error the temporary file is removed and the old file is untouched.
    Also used by :func:`nn.export_onnx`.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    prefix = _temp_prefix(path)
    _remove_stale_temps(folder, prefix)
    try:  # keep the permissions of the file being replaced (mkstemp makes it owner-only)
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        mode = 0o644
    fd, temp = tempfile.mkstemp(prefix=prefix, suffix=os.path.splitext(path)[1], dir=folder)
    try:
        try:
            file = os.fdopen(fd, "wb")
        except BaseException:
            os.close(fd)
            raise
        with file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _sync_folder(folder)


def save(module: Module | Mapping[str, Any], path: PathLike) -> None:
    """Write ``module.state_dict()`` (or a mapping name → array) to ``path`` atomically.

    ``.safetensors`` paths get the safetensors format, every other name ``.npz`` (used as
    given: ``np.savez`` would append ``.npz``; this does not). See the module docstring.
    """
    if isinstance(module, Module):
        state = module.state_dict()
    elif isinstance(module, Mapping):
        state = {name: np.asarray(getattr(a, "data", a)) for name, a in module.items()}
    else:
        raise TypeError(
            f"nn.save: expected an nn.Module or a mapping name → array, got "
            f"{type(module).__name__}; pass the model itself, e.g. nn.save(model, 'model.npz')"
        )
    for name, array in state.items():
        if np.asarray(array).dtype.kind not in "biuf":
            raise ValueError(
                f"nn.save: entry {name!r} has dtype {np.asarray(array).dtype}, which nn.load "
                "refuses (only numbers are saved); convert it or leave it out"
            )
    writer = _write_safetensors if file_format(path) == "safetensors" else _write_npz
    write_atomically(path, lambda file: writer(file, state))


def _sync_folder(folder: str) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# ---------------------------------------------------------------------------- .npz reading
def _open_npz(path: str) -> zipfile.ZipFile:
    """The zip archive at ``path``, or a ``ValueError`` saying what the file is instead."""
    try:
        return zipfile.ZipFile(path)
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        raise
    except Exception as error:
        with contextlib.suppress(OSError), open(path, "rb") as file:
            if file.read(6) == b"\x93NUMPY":
                raise ValueError(
                    f"{path!r} holds a single array (an .npy file), not an .npz archive of named "
                    "arrays as written by nn.save"
                ) from None
        raise ValueError(
            f"{path!r} is not an .npz archive written by nn.save, or it is truncated "
            f"({type(error).__name__}: {error})"
        ) from None


def _entry_name(path: str, info: zipfile.ZipInfo) -> str:
    if not info.filename.endswith(".npy"):
        raise ValueError(
            f"{path!r}: entry {info.filename!r} is not a numpy array (.npy); the file was not "
            "written by nn.save or np.savez"
        )
    return info.filename[: -len(".npy")]


def _npz_header(path: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Spec:
    """Read one entry's ``.npy`` header (magic, then shape/dtype) — never its data.

    Refuses object dtypes (they would need pickle), and an entry whose declared shape × dtype
    does not match the number of bytes the archive holds for it (a damaged or crafted file:
    numpy would allocate the declared size before finding out).
    """
    name = _entry_name(path, info)
    fmt = np.lib.format
    try:
        with archive.open(info) as entry:
            version = fmt.read_magic(entry)
            if version == (1, 0):
                shape, _, dtype = fmt.read_array_header_1_0(entry)
            elif version == (2, 0):
                shape, _, dtype = fmt.read_array_header_2_0(entry)
            else:
                raise ValueError(f"unsupported .npy format version {version}")
            header_bytes = entry.tell()
    except Exception as error:
        raise ValueError(
            f"{path!r}: entry {name!r} is damaged or not a numpy array "
            f"({type(error).__name__}: {error})"
        ) from None
    if dtype.hasobject:
        raise ValueError(
            f"{path!r}: entry {name!r} holds pickled Python objects; refusing to load it "
            "(unpickling can run arbitrary code). nn.save never writes such entries."
        )
    declared = math.prod(shape) * dtype.itemsize
    if header_bytes + declared != info.file_size:
        raise ValueError(
            f"{path!r}: entry {name!r} declares shape {shape} of {dtype} ({declared:,} bytes) "
            f"but the archive holds {info.file_size - header_bytes:,} bytes for it; the file is "
            "damaged or crafted, refusing to read it"
        )
    return tuple(shape), dtype


def _npz_entries(path: str, archive: zipfile.ZipFile) -> dict[str, tuple[zipfile.ZipInfo, Spec]]:
    return {
        _entry_name(path, info): (info, _npz_header(path, archive, info))
        for info in archive.infolist()
    }


def _npz_data(path: str, archive: zipfile.ZipFile, name: str, info: zipfile.ZipInfo) -> np.ndarray:
    try:
        with archive.open(info) as entry:
            return np.lib.format.read_array(entry, allow_pickle=False)
    except Exception as error:
        raise ValueError(
            f"{path!r}: entry {name!r} cannot be read — the file is truncated or damaged "
            f"({type(error).__name__}: {error})"
        ) from None


def read_npz(path: PathLike) -> dict[str, np.ndarray]:
    """Every array in the ``.npz`` file at ``path``, read in full without pickle.

    All headers are checked before any data is read. Raises ``ValueError`` naming the file if
    it is not an ``.npz`` archive, is truncated or damaged, holds pickled objects (refused:
    unpickling can run arbitrary code), or an entry declares more data than it holds.
    """
    path = os.fspath(path)
    with _open_npz(path) as archive:
        entries = _npz_entries(path, archive)
        return {name: _npz_data(path, archive, name, info) for name, (info, _) in entries.items()}


# ---------------------------------------------------------------------------- .safetensors
_SAFETENSORS_DTYPES = {  # safetensors' dtype codes that numpy can hold
    "F64": "float64", "F32": "float32", "F16": "float16",
    "I64": "int64", "I32": "int32", "I16": "int16", "I8": "int8",
    "U64": "uint64", "U32": "uint32", "U16": "uint16", "U8": "uint8", "BOOL": "bool",
}  # fmt: skip


def _read_safetensors(
    path: str, check: Callable[[dict[str, Spec]], list[str]]
) -> dict[str, np.ndarray]:
    """Headers first (``check(specs)`` returns the names to read), then only those arrays."""
    safetensors = require("safetensors", "nn.load of a .safetensors file")
    try:
        opened = safetensors.safe_open(path, framework="np")
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        raise
    except Exception as error:
        hint = " (it looks like an .npz archive: rename it)" if _starts_with(path, b"PK") else ""
        raise ValueError(
            f"{path!r} is not a .safetensors file, or it is truncated or damaged{hint} "
            f"({type(error).__name__}: {error})"
        ) from None
    with opened as file:
        specs: dict[str, Spec] = {}
        for name in file.keys():
            view = file.get_slice(name)
            code = view.get_dtype()
            if code not in _SAFETENSORS_DTYPES:
                raise ValueError(
                    f"{path!r}: entry {name!r} has dtype {code}, which numpy cannot hold; "
                    "convert it before saving (in PyTorch: {k: v.float() for k, v in "
                    "state_dict.items()})"
                )
            specs[name] = (tuple(view.get_shape()), np.dtype(_SAFETENSORS_DTYPES[code]))
        wanted = check(specs)
        try:
            return {name: np.array(file.get_tensor(name)) for name in wanted}
        except Exception as error:
            raise ValueError(
                f"{path!r}: cannot read the data ({type(error).__name__}: {error})"
            ) from None


def _starts_with(path: str, magic: bytes) -> bool:
    with contextlib.suppress(OSError), open(path, "rb") as file:
        return file.read(len(magic)) == magic
    return False


# ---------------------------------------------------------------------------- loading
def _problems(module: Module, specs: Mapping[str, Spec], strict: bool) -> list[str]:
    """Every way the declared names, shapes and dtypes do not fit ``module`` (the checks of
    ``Module.load_state_dict``, from the headers alone)."""
    return state_problems(module, specs, strict, "the file")


def load(module: Module, path: PathLike, strict: bool = True) -> Module:
    """Load a file written by :func:`save` (``.npz`` or ``.safetensors``) into ``module``, in
    place, and return the module.

    Every name (with ``strict=True``), shape and dtype is checked from the file's headers
    before any data is read, and the module changes only once every array has been read; see
    the module docstring and ``Module.load_state_dict``.
    """
    path = os.fspath(path)
    targets = _targets(module)

    def check(specs: Mapping[str, Spec]) -> list[str]:
        problems = _problems(module, specs, strict)
        if problems:
            raise ValueError(
                f"nn.load({path!r}): the file does not fit {type(module).__name__}; nothing was "
                "loaded. Problems:\n  " + "\n  ".join(problems)
            )
        return [name for name in specs if name in targets]  # unexpected names are not read

    if file_format(path) == "safetensors":
        arrays = _read_safetensors(path, check)
    else:
        with _open_npz(path) as archive:
            entries = _npz_entries(path, archive)
            wanted = check({name: spec for name, (_, spec) in entries.items()})
            arrays = {name: _npz_data(path, archive, name, entries[name][0]) for name in wanted}
    try:
        return module.load_state_dict(arrays, strict=strict)
    except ValueError as error:
        raise ValueError(f"nn.load({path!r}): {error}") from None
