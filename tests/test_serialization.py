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
        "0.weight: shape (8, 4) in the state dict, (5, 4) in the module",
        "2.weight: shape (3, 8)",
    ):
        assert part in message
    for key, value in other.state_dict().items():  # nothing changed
        np.testing.assert_array_equal(value, before[key])


def test_load_checks_dtype(tmp_path):
    path = tmp_path / "m.npz"
    nn.save(nn.MLP(4, [3], dtype=np.float64), path)
    with pytest.raises(ValueError, match="dtype float64 in the state dict, float32"):
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
