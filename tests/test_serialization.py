"""nn.save / nn.load: round trips, validation, atomic writes and refusal of pickled content."""

import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import autograd
import nn
from nn import serialization

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def model(seed=0, sizes=(8, 3)):
    autograd.manual_seed(seed)
    return nn.MLP(4, list(sizes))


def assert_same_state(a, b):
    sa, sb = a.state_dict(), b.state_dict()
    assert list(sa) == list(sb)
    for key in sa:
        np.testing.assert_array_equal(sa[key], sb[key])
        assert sa[key].dtype == sb[key].dtype


def leftovers(folder):
    return [name for name in os.listdir(folder) if ".glassgrad-tmp-" in name]


# ------------------------------------------------------------------ round trips
def test_round_trip(tmp_path):
    path = tmp_path / "model.npz"
    a, b = model(0), model(1)
    nn.save(a, path)
    with np.load(path, allow_pickle=False) as archive:  # a plain .npz numpy can read
        assert sorted(archive.files) == sorted(a.state_dict())
    weight = b[0].weight.data
    assert nn.load(b, path) is b
    assert_same_state(a, b)
    assert b[0].weight.data is weight  # loaded in place
    x = np.ones((2, 4), np.float32)
    np.testing.assert_array_equal(a(x).data, b(x).data)
    assert leftovers(tmp_path) == []


def test_round_trip_scalar_model_and_buffers(tmp_path):
    autograd.manual_seed(2)
    a, b = nn.scalar.MLP(2, [3, 1]), nn.scalar.MLP(2, [3, 1])
    nn.save(a, tmp_path / "s.npz")
    nn.load(b, tmp_path / "s.npz")
    assert all(type(p.data) is float for p in b.parameters())
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]

    class WithStats(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = autograd.Value(np.zeros(2))
            self.register_buffer("count", np.zeros((), np.int64))

    c, d = WithStats(), WithStats()
    c.count[...] = 7
    nn.save(c, tmp_path / "b.npz")
    nn.load(d, tmp_path / "b.npz")
    assert int(d.count) == 7


def test_save_overwrites_and_keeps_permissions(tmp_path):
    path = tmp_path / "m.npz"
    nn.save(model(0), path)
    os.chmod(path, 0o640)
    nn.save(model(1), path)
    fresh = model(5)
    nn.load(fresh, path)
    assert_same_state(fresh, model(1))
    if os.name == "posix":
        assert os.stat(path).st_mode & 0o777 == 0o640


# ------------------------------------------------------------------ validation
def test_load_into_a_different_architecture_lists_every_mismatch(tmp_path):
    path = tmp_path / "m.npz"
    nn.save(model(0, sizes=(8, 3)), path)
    other = model(1, sizes=(5, 3, 2))
    before = other.state_dict()
    with pytest.raises(ValueError) as info:
        nn.load(other, path)
    message = str(info.value)
    assert "m.npz" in message
    for part in (
        "missing: 4.weight, 4.bias",
        "0.weight: shape (8, 4) in the file, (5, 4) in the module",
        "2.weight: shape (3, 8)",
    ):
        assert part in message
    for key, value in other.state_dict().items():  # nothing changed
        np.testing.assert_array_equal(value, before[key])


def test_load_checks_dtype(tmp_path):
    path = tmp_path / "m.npz"
    nn.save(nn.MLP(4, [3], dtype=np.float64), path)
    with pytest.raises(ValueError, match="dtype float64 in the file, float32"):
        nn.load(nn.MLP(4, [3]), path)


def test_non_strict_load(tmp_path):
    path = tmp_path / "m.npz"
    nn.save(nn.Linear(4, 8), path)
    target = model(3)
    nn.load(target, path, strict=False)  # ignores the missing "0.*"/"2.*" names
    with pytest.raises(ValueError, match="unexpected: weight, bias"):
        nn.load(target, path)


# ------------------------------------------------------------------ bad files
def test_truncated_file_is_a_clear_error_and_loads_nothing(tmp_path):
    path = tmp_path / "m.npz"
    nn.save(model(0), path)
    data = path.read_bytes()
    target = model(1)
    before = target.state_dict()
    for cut in (len(data) // 2, len(data) - 30, 10):
        path.write_bytes(data[:cut])
        with pytest.raises(ValueError, match="m.npz"):
            nn.load(target, path)
        for key, value in target.state_dict().items():
            np.testing.assert_array_equal(value, before[key])


def test_corrupted_entry_is_a_clear_error(tmp_path):
    path = tmp_path / "m.npz"
    nn.save(model(0), path)
    data = bytearray(path.read_bytes())
    start = data.index(b"\x93NUMPY")  # the first array's header, inside the zip
    data[start : start + 6] = b"garbag"
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="m.npz"):
        nn.load(model(1), path)


@pytest.mark.parametrize(
    "content, match",
    [(b"", "not an .npz"), (b"hello, I am a text file\n", "not an .npz"), (None, "single array")],
)
def test_foreign_files(tmp_path, content, match):
    path = tmp_path / "foreign.npz"
    if content is None:
        np.save(tmp_path / "foreign.npy", np.zeros(3))
        os.replace(tmp_path / "foreign.npy", path)
    else:
        path.write_bytes(content)
    with pytest.raises(ValueError, match=match):
        nn.load(model(0), path)
    with pytest.raises(FileNotFoundError):
        nn.load(model(0), tmp_path / "missing.npz")


calls = []


def _record_call(*args):
    calls.append(args)
    return np.zeros(1)


class Payload:
    """Unpickling this runs _record_call: a stand-in for malicious code."""

    def __reduce__(self):
        return (_record_call, ("code ran",))


def test_pickled_content_is_refused_without_running_it(tmp_path):
    path = tmp_path / "evil.npz"
    good = model(0).state_dict()
    np.savez(path, **{**good, "0.weight": np.array([Payload()], dtype=object)})
    with np.load(path, allow_pickle=True) as archive:  # the payload is really in the file
        archive["0.weight"]
    assert calls == [("code ran",)]
    calls.clear()
    target = model(1)
    before = target.state_dict()
    with pytest.raises(ValueError, match="pickled"):
        nn.load(target, path)
    assert calls == []
    for key, value in target.state_dict().items():
        np.testing.assert_array_equal(value, before[key])


def test_save_refuses_object_arrays_and_leaves_nothing(tmp_path):
    with pytest.raises(ValueError):
        nn.save({"w": np.array([object()], dtype=object)}, tmp_path / "x.npz")
    assert os.listdir(tmp_path) == []


# ------------------------------------------------------------------ atomicity
def test_failure_mid_write_keeps_the_old_file_and_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "m.npz"
    nn.save(model(0), path)
    old = path.read_bytes()
    real_write = np.lib.format.write_array
    written = []

    def failing_write(file, array, **kwargs):
        if written:
            raise OSError("disk full (simulated)")
        written.append(1)
        real_write(file, array, **kwargs)

    monkeypatch.setattr(serialization.np.lib.format, "write_array", failing_write)
    with pytest.raises(OSError, match="disk full"):
        nn.save(model(1), path)
    assert written  # the failure really happened after part of the file was written
    assert path.read_bytes() == old
    assert leftovers(tmp_path) == []


def test_interrupt_during_replace_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "m.npz"
    nn.save(model(0), path)
    old = path.read_bytes()

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(serialization.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        nn.save(model(1), path)
    assert path.read_bytes() == old and leftovers(tmp_path) == []


def test_next_save_removes_stale_temp_files(tmp_path):
    path = tmp_path / "m.npz"
    stale = tmp_path / ".m.npz.glassgrad-tmp-abc123.npz"
    stale.write_bytes(b"PK\x03\x04 half-written")
    other = tmp_path / ".other.npz.glassgrad-tmp-xyz.npz"  # another file's save: not ours
    other.write_bytes(b"")
    nn.save(model(0), path)
    assert not stale.exists() and other.exists()
    assert leftovers(tmp_path) == [other.name]


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_killed_save_leaves_the_old_file_whole(tmp_path):
    path = tmp_path / "m.npz"
    nn.save(model(0), path)
    old = path.read_bytes()
    script = textwrap.dedent(
        f"""
        import os, signal
        import numpy as np
        import autograd, nn
        from nn import serialization

        real_write = np.lib.format.write_array
        count = []

        def write_then_die(file, array, **kwargs):
            real_write(file, array, **kwargs)
            count.append(1)
            if len(count) == 2:
                file.flush()
                os.kill(os.getpid(), signal.SIGKILL)  # killed mid-save

        serialization.np.lib.format.write_array = write_then_die
        autograd.manual_seed(1)
        nn.save(nn.MLP(4, [8, 3]), {str(path)!r})
        """
    )
    env = {**os.environ, "PYTHONPATH": ROOT}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True)
    assert result.returncode == -signal.SIGKILL, result.stderr.decode()
    assert path.read_bytes() == old  # the previous file is whole
    assert len(leftovers(tmp_path)) == 1  # the killed save's temporary file
    nn.save(model(2), path)  # the next save cleans it up
    assert leftovers(tmp_path) == []
    fresh = model(7)
    nn.load(fresh, path)
    assert_same_state(fresh, model(2))


# ------------------------------------------------------------------ headers before data
def _crafted_npz(path, name, declared_shape, payload_bytes, good=None):
    """An .npz whose entry ``name`` declares ``declared_shape`` (float32) but holds only
    ``payload_bytes`` bytes of data; the other entries are ``good``'s, whole."""
    import zipfile

    with zipfile.ZipFile(path, "w") as archive:
        for key, array in (good or {}).items():
            if key != name:
                with archive.open(f"{key}.npy", "w") as entry:
                    np.lib.format.write_array(entry, array)
        with archive.open(f"{name}.npy", "w") as entry:
            header = {"descr": "<f4", "fortran_order": False, "shape": declared_shape}
            np.lib.format.write_array_header_1_0(entry, header)
            entry.write(b"\0" * payload_bytes)


def _peak_bytes_during(call):
    import tracemalloc

    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        try:
            call()
        except ValueError as error:
            return tracemalloc.get_traced_memory()[1], error
        return tracemalloc.get_traced_memory()[1], None
    finally:
        tracemalloc.stop()


def test_entry_declaring_a_huge_shape_is_refused_before_its_data_is_read(tmp_path):
    path = tmp_path / "bomb.npz"
    target = model(1)
    before = target.state_dict()
    # 500 kB on disk; the header of "0.weight" claims 2**27 float32s = 512 MiB
    _crafted_npz(path, "0.weight", (2**27,), 500_000, good=before)
    assert os.path.getsize(path) < 600_000
    peak, error = _peak_bytes_during(lambda: nn.load(target, path))
    assert error is not None and "bomb.npz" in str(error) and "0.weight" in str(error)
    assert "536,870,912 bytes" in str(error)
    assert peak < 8 * 2**20, f"loading allocated {peak / 2**20:.0f} MiB"
    for key, value in target.state_dict().items():  # nothing changed
        np.testing.assert_array_equal(value, before[key])
    peak, error = _peak_bytes_during(lambda: serialization.read_npz(path))
    assert error is not None and peak < 8 * 2**20


def test_honest_but_wrong_sized_entry_is_refused_from_its_header(tmp_path):
    """A real 16 MB entry of the wrong shape: refused by the shape check, never read."""
    path = tmp_path / "big.npz"
    state = model(0).state_dict()
    nn.save({**state, "0.weight": np.zeros((2000, 2000), np.float32)}, path)
    peak, error = _peak_bytes_during(lambda: nn.load(model(1), path))
    assert "0.weight: shape (2000, 2000) in the file, (8, 4) in the module" in str(error)
    assert peak < 4 * 2**20


# ------------------------------------------------------------------ .safetensors
def test_safetensors_round_trip_chosen_by_extension(tmp_path):
    st = pytest.importorskip("safetensors.numpy")
    autograd.manual_seed(0)
    a = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 2))
    a(np.random.default_rng(0).standard_normal((8, 4)).astype(np.float32))  # move running stats
    path = tmp_path / "model.safetensors"
    nn.save(a, path)
    assert path.read_bytes()[8:9] == b"{"  # an 8-byte length, then the JSON header: not a zip
    stored = st.load_file(str(path))  # safetensors' own reader
    assert sorted(stored) == sorted(a.state_dict())
    for key, value in a.state_dict().items():
        np.testing.assert_array_equal(stored[key], value)
        assert stored[key].dtype == value.dtype and stored[key].shape == value.shape
    autograd.manual_seed(5)
    b = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 2))
    weight = b[0].weight.data
    assert nn.load(b, path) is b
    assert_same_state(a, b)
    assert b[0].weight.data is weight  # in place
    assert leftovers(tmp_path) == []
    nn.save(a, tmp_path / "UPPER.SAFETENSORS")
    assert (tmp_path / "UPPER.SAFETENSORS").read_bytes()[8:9] == b"{"


def test_safetensors_file_loads_into_torch(tmp_path):
    pytest.importorskip("safetensors")
    torch = pytest.importorskip("torch")
    from safetensors.torch import load_file

    a = model(0)
    nn.save(a, tmp_path / "m.safetensors")
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    theirs.load_state_dict(load_file(str(tmp_path / "m.safetensors")))
    x = np.random.default_rng(1).standard_normal((5, 4)).astype(np.float32)
    np.testing.assert_allclose(
        theirs(torch.from_numpy(x)).detach().numpy(), a(x).data, rtol=1e-5, atol=1e-6
    )
    # and a file written by safetensors.torch loads into glassgrad
    from safetensors.torch import save_file

    save_file(theirs.state_dict(), str(tmp_path / "t.safetensors"))
    b = nn.load(model(3), tmp_path / "t.safetensors")
    assert_same_state(a, b)


def test_safetensors_mismatch_lists_problems_and_changes_nothing(tmp_path):
    pytest.importorskip("safetensors")
    path = tmp_path / "m.safetensors"
    nn.save(nn.MLP(4, [8, 3], dtype=np.float64), path)
    other = model(1, sizes=(5, 3, 2))
    before = other.state_dict()
    with pytest.raises(ValueError) as info:
        nn.load(other, path)
    message = str(info.value)
    for part in (
        "m.safetensors",
        "missing: 4.weight, 4.bias",
        "0.weight: shape (8, 4) in the file, (5, 4) in the module",
        "0.weight: dtype float64 in the file, float32",
    ):
        assert part in message
    for key, value in other.state_dict().items():
        np.testing.assert_array_equal(value, before[key])


def test_safetensors_bad_files_are_clear_errors(tmp_path):
    pytest.importorskip("safetensors")
    path = tmp_path / "m.safetensors"
    nn.save(model(0), path)
    data = path.read_bytes()
    target = model(1)
    before = target.state_dict()
    for content in (b"", b"hello", data[: len(data) // 2], data[:-7], b"\xff" * 8 + data[8:]):
        path.write_bytes(content)
        with pytest.raises(ValueError, match="m.safetensors"):
            nn.load(target, path)
    nn.save(model(0), tmp_path / "m.npz")
    os.replace(tmp_path / "m.npz", path)  # an .npz under the wrong name
    with pytest.raises(ValueError, match="looks like an .npz"):
        nn.load(target, path)
    for key, value in target.state_dict().items():
        np.testing.assert_array_equal(value, before[key])
    with pytest.raises(FileNotFoundError):
        nn.load(target, tmp_path / "missing.safetensors")


def test_safetensors_failure_mid_write_keeps_the_old_file(tmp_path, monkeypatch):
    st = pytest.importorskip("safetensors.numpy")
    path = tmp_path / "m.safetensors"
    nn.save(model(0), path)
    old = path.read_bytes()

    def failing_save(*args, **kwargs):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(st, "save", failing_save)
    with pytest.raises(OSError, match="disk full"):
        nn.save(model(1), path)
    assert path.read_bytes() == old and leftovers(tmp_path) == []


def test_safetensors_without_the_package_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "safetensors", None)
    monkeypatch.setitem(sys.modules, "safetensors.numpy", None)
    with pytest.raises(ImportError, match=r"pip install glassgrad\[safetensors\]"):
        nn.save(model(0), tmp_path / "m.safetensors")
    assert leftovers(tmp_path) == [] and os.listdir(tmp_path) == []
    nn.save(model(0), tmp_path / "m.npz")  # .npz needs nothing more


def test_nn_imports_without_the_optional_packages():
    script = textwrap.dedent(
        """
        import sys
        for name in ("torch", "onnx", "onnxruntime", "safetensors"):
            sys.modules[name] = None  # as if not installed
        import nn
        assert callable(nn.to_torch) and callable(nn.export_onnx)
        """
    )
    env = {**os.environ, "PYTHONPATH": ROOT}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True)
    assert result.returncode == 0, result.stderr.decode()
    script = "import sys, nn; print(sorted({'torch', 'onnx', 'safetensors'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True)
    assert result.stdout.decode().strip() == "[]", "import nn must not import optional packages"


def test_safetensors_entry_declaring_a_huge_shape_is_refused_cheaply(tmp_path):
    pytest.importorskip("safetensors")
    import json

    path = tmp_path / "bomb.safetensors"
    target = model(1)
    before = target.state_dict()
    header = {"0.weight": {"dtype": "F32", "shape": [2**27], "data_offsets": [0, 2**29]}}
    text = json.dumps(header).encode()
    path.write_bytes(len(text).to_bytes(8, "little") + text + b"\0" * 500_000)
    peak, error = _peak_bytes_during(lambda: nn.load(target, path))
    assert error is not None and "bomb.safetensors" in str(error)
    assert peak < 8 * 2**20
    # an honest file of the wrong shape is refused from its header, before its data is read
    nn.save({**before, "0.weight": np.zeros((2000, 2000), np.float32)}, path)
    peak, error = _peak_bytes_during(lambda: nn.load(target, path))
    assert "0.weight: shape (2000, 2000) in the file, (8, 4) in the module" in str(error)
    assert peak < 4 * 2**20
    for key, value in target.state_dict().items():
        np.testing.assert_array_equal(value, before[key])
