"""Bad input, everywhere, gives a clear error and changes nothing.

One table of misuses of the public functions — wrong shapes, wrong dtypes, out-of-range labels,
empty inputs, NaN data, bad files of every kind, a save interrupted mid-write. Every row runs in
a fresh *world*: a small model, an Adam optimizer that has taken one step (so it has state), a
saved model file and the data it was trained on. Each row asserts

1. the error type, and that its message names what was wrong (a regular expression), and
2. that nothing changed: the model's parameters and buffers, its train/eval mode, the
   optimizer's state, options and learning rate, and every file in the folder (names and
   bytes) are exactly as before the call. (Gradients may change: a row that has to run a
   backward to reach its check leaves fresh ones, as PyTorch would.)

A row whose bug belongs to another part of the project is marked ``xfail(strict=True)`` with
its owner; removing the mark is part of the fix.
"""

from __future__ import annotations

import copy
import os
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import autograd as ag
import nn
import optim
from autograd import Value
from nn import data as D
from nn import functional as F


# --------------------------------------------------------------------------- the world
@dataclass
class World:
    model: nn.Module
    optimizer: Any
    folder: Path  # the model's folder: every file in it is watched
    inputs: Path  # a folder for the bad files the rows write themselves
    path: Path  # the model saved as .npz
    X: np.ndarray
    y: np.ndarray
    logits: Value  # scores for X (not the model's: a training-mode forward updates BatchNorm)

    def npz(self, name: str, arrays: dict[str, Any], **kwargs: Any) -> Path:
        """Write an .npz with np.savez (not nn.save) — for files nn.save would never write."""
        target = self.inputs / name
        with open(target, "wb") as f:
            np.savez(f, **arrays, **kwargs)
        return target

    def state(self) -> dict[str, np.ndarray]:
        return {k: np.asarray(v) for k, v in self.model.state_dict().items()}


def make_world(tmp_path: Path) -> World:
    folder, inputs = tmp_path / "models", tmp_path / "inputs"
    folder.mkdir()
    inputs.mkdir()
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.BatchNorm1d(4), nn.Linear(4, 3))
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    X = np.random.default_rng(0).standard_normal((8, 2)).astype(np.float32)
    y = np.arange(8) % 3
    loss = F.cross_entropy(model(X), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    path = folder / "model.npz"
    nn.save(model, path)
    logits = Value(np.random.default_rng(1).standard_normal((8, 3)))
    return World(model, optimizer, folder, inputs, path, X, y, logits)


def snapshot(world: World) -> dict[str, Any]:
    """Everything a misuse must leave alone, copied."""
    files = {
        p.relative_to(world.folder).as_posix(): p.read_bytes()
        for p in sorted(world.folder.rglob("*"))
        if p.is_file()
    }
    return {
        "model": {k: v.copy() for k, v in world.state().items()},
        "parameters": {k for k, _ in world.model.named_parameters()},
        "optimizer": copy.deepcopy(world.optimizer.state_dict()),
        "lr": world.optimizer.lr,
        "files": files,
    }


def assert_unchanged(before: dict[str, Any], after: dict[str, Any], buffers: bool = True) -> None:
    assert before["files"].keys() == after["files"].keys(), "files were added or removed"
    for name, content in before["files"].items():
        assert after["files"][name] == content, f"file {name} changed"
    assert before["lr"] == after["lr"], "the learning rate changed"
    assert before["model"].keys() == after["model"].keys()
    for name, value in before["model"].items():
        if not buffers and name not in before["parameters"]:
            continue
        np.testing.assert_array_equal(after["model"][name], value, f"model entry {name} changed")
    _assert_same_tree(before["optimizer"], after["optimizer"], "optimizer state")


def _assert_same_tree(a: Any, b: Any, where: str) -> None:
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), f"{where}: keys changed"
        for k in a:
            _assert_same_tree(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), f"{where}: length changed"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _assert_same_tree(x, y, f"{where}[{i}]")
    elif isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        np.testing.assert_array_equal(a, b, f"{where} changed")
    else:
        assert a == b, f"{where} changed: {a!r} -> {b!r}"


# --------------------------------------------------------------------------- the misuses
@dataclass
class Misuse:
    name: str
    call: Callable[[World], Any]
    error: type[BaseException] | tuple[type[BaseException], ...]
    message: str  # a regular expression the message must contain (case-insensitive)
    owner: str | None = None  # set while the fix belongs to someone else: the row is xfail
    forward: bool = False  # runs the model in training mode first: BatchNorm's running
    # statistics may move (they do in PyTorch too); parameters must not


def nan_X(w: World) -> np.ndarray:
    X = w.X.copy()
    X[3, 1] = np.nan
    return X


def inf_X(w: World) -> np.ndarray:
    X = w.X.copy()
    X[0, 0] = np.inf
    return X


def fit(w: World, loader: Any, loss_fn: Callable | None = None, **kwargs: Any) -> Any:
    return nn.fit(w.model, loss_fn or F.cross_entropy, w.optimizer, loader, progress=False,
                  **kwargs)  # fmt: skip


def load_file(w: World, name: str, content: bytes) -> Any:
    target = w.inputs / name
    target.write_bytes(content)
    return nn.load(w.model, target)


def truncated(w: World) -> bytes:
    content = w.path.read_bytes()
    return content[: len(content) // 2]


def corrupted(w: World) -> bytes:
    """A valid zip whose first array entry has its data overwritten with garbage."""
    content = bytearray(w.path.read_bytes())
    middle = len(content) // 3
    content[middle : middle + 40] = b"\xff" * 40
    return bytes(content)


def with_entry(w: World, name: str, value: Any, drop: str | None = None, **kw: Any) -> Any:
    """Load a file holding the model's state with one entry replaced, added or dropped."""
    arrays = dict(w.state())
    if drop:
        del arrays[drop]
    if name:
        arrays[name] = value
    return nn.load(w.model, w.npz("edited.npz", arrays, **kw))


def huge_declared_shape(w: World) -> Any:
    """A small file whose entry's header declares 512 MiB (the data is not there)."""
    target = w.inputs / "huge.npz"
    header = np.lib.format.header_data_from_array_1_0(np.zeros((4, 2), np.float32))
    header["shape"] = (1 << 27,)
    with zipfile.ZipFile(target, "w") as archive, archive.open("0.weight.npy", "w") as f:
        np.lib.format.write_array_header_1_0(f, header)
        f.write(b"\0" * 64)
    return nn.load(w.model, target)


def pickle_payload(w: World) -> Any:
    """An .npz whose entry is a pickled object array that would run code when unpickled."""
    arrays = dict(w.state())
    arrays["0.weight"] = np.array([_Boom()], dtype=object)
    return nn.load(w.model, w.npz("pickled.npz", arrays))


class _Boom:
    def __reduce__(self) -> Any:
        return (os.system, ("echo pwned > /dev/null",))


def interrupted_save(w: World) -> Any:
    """A save killed half-way through writing (KeyboardInterrupt from inside the writer)."""
    from nn import serialization

    real = serialization._write_npz

    def half_then_interrupt(file: Any, state: Any) -> None:
        real(file, state)
        file.truncate(file.tell() // 2)
        raise KeyboardInterrupt

    serialization._write_npz = half_then_interrupt
    weight = w.model[0].weight
    old = weight.data
    try:
        weight.data = old + 1.0  # a change the save would carry
        nn.save(w.model, w.path)
    finally:
        weight.data = old
        serialization._write_npz = real


def step_with_wrong_shape_grad(w: World) -> Any:
    loss = F.cross_entropy(w.logits, w.y)
    w.optimizer.zero_grad()
    loss.backward()
    w.model[3].weight.grad = np.ones((2, 2), np.float32)  # the last parameter's grad is wrong
    w.optimizer.step()


def negative_lambda_lr(w: World) -> Any:
    scheduler = optim.LambdaLR(w.optimizer, lambda epoch: 1.0 if epoch == 0 else -0.5)
    w.optimizer.lr = 0.01  # LambdaLR's start; equal to the snapshot's
    scheduler.step()


def load_state_dict_wrong_shape(w: World) -> Any:
    sd = w.model.state_dict()
    sd["3.weight"] = np.zeros((3, 5), np.float32)
    w.model.load_state_dict(sd)


def optimizer_state_wrong_shape(w: World) -> Any:
    sd = copy.deepcopy(w.optimizer.state_dict())
    first = next(iter(sd["state"].values()))
    key = next(k for k, v in first.items() if isinstance(v, np.ndarray) and v.ndim)
    first[key] = np.zeros((7, 7))
    w.optimizer.load_state_dict(sd)


def fit_float_loss(w: World) -> Any:
    return fit(w, D.DataLoader(w.X, w.y, batch_size=4),
               loss_fn=lambda out, y: float(F.cross_entropy(out, y).data))  # fmt: skip


MISUSES: list[Misuse] = [
    # ---- nn.data: NaN data, empty inputs, bad labels, bad arguments
    Misuse("DataLoader, NaN in X", lambda w: D.DataLoader(nan_X(w), w.y), ValueError,
           r"X contains 1 NaN.*index \(3, 1\)"),
    Misuse("DataLoader, inf in X", lambda w: D.DataLoader(inf_X(w), w.y), ValueError,
           r"X contains 1 NaN or infinite"),
    Misuse("DataLoader, NaN in y", lambda w: D.DataLoader(w.X, np.where(w.y == 1, np.nan, w.y)),
           ValueError, r"y contains \d+ NaN"),
    Misuse("DataLoader, empty X", lambda w: D.DataLoader(w.X[:0], w.y[:0]), ValueError,
           r"X is empty"),
    Misuse("DataLoader, X and y of different lengths", lambda w: D.DataLoader(w.X, w.y[:5]),
           ValueError, r"X has 8 and y has 5"),
    Misuse("DataLoader, batch_size 0", lambda w: D.DataLoader(w.X, w.y, batch_size=0),
           ValueError, r"DataLoader: invalid batch_size=0; it must be >= 1"),
    Misuse("DataLoader, batch_size 2.5", lambda w: D.DataLoader(w.X, w.y, batch_size=2.5),
           TypeError, r"DataLoader: batch_size must be an int"),
    Misuse("DataLoader, X of strings", lambda w: D.DataLoader(np.array([["a", "b"]]), [0]),
           TypeError, r"X must hold numbers, got dtype <U1"),
    Misuse("DataLoader, ragged X", lambda w: D.DataLoader([[1.0, 2.0], [3.0]], [0, 1]),
           ValueError, r"same length"),
    Misuse("split, NaN in X", lambda w: D.train_val_test_split(nan_X(w), w.y), ValueError,
           r"X contains 1 NaN"),
    Misuse("split, NaN in y", lambda w: D.train_val_test_split(w.X, np.full(8, np.nan)),
           ValueError, r"y contains 8 NaN"),
    Misuse("split, empty X", lambda w: D.train_val_test_split(w.X[:0], w.y[:0]), ValueError,
           r"X is empty"),
    Misuse("split, val 1.5", lambda w: D.train_val_test_split(w.X, w.y, val=1.5), ValueError,
           r"train_val_test_split: invalid val=1.5; it must be in \[0, 1\)"),
    Misuse("split, val + test ≥ 1", lambda w: D.train_val_test_split(w.X, w.y, 0.5, 0.5),
           ValueError, r"leave no training examples"),
    Misuse("split, X and y of different lengths",
           lambda w: D.train_val_test_split(w.X, w.y[:3]), ValueError, r"X has 8 and y has 3"),
    Misuse("split, seed 1.5", lambda w: D.train_val_test_split(w.X, w.y, seed=1.5), TypeError,
           r"seed must be None or an int"),
    Misuse("Standardizer.fit, NaN", lambda w: D.Standardizer().fit(nan_X(w)), ValueError,
           r"contains 1 NaN"),
    Misuse("Standardizer.fit, empty", lambda w: D.Standardizer().fit(w.X[:0]), ValueError,
           r"empty"),
    Misuse("Standardizer.fit, one axis", lambda w: D.Standardizer().fit(w.X[:, 0]), ValueError,
           r"shape \(examples, features\).*reshape\(-1, 1\)"),
    Misuse("Standardizer.transform before fit", lambda w: D.Standardizer().transform(w.X),
           RuntimeError, r"before fit"),
    Misuse("Standardizer.transform, other features",
           lambda w: D.Standardizer().fit(w.X).transform(np.ones((2, 3))), ValueError,
           r"features of shape \(2,\).*shape \(3,\)"),
    Misuse("Standardizer.transform, NaN", lambda w: D.Standardizer().fit(w.X).transform(nan_X(w)),
           ValueError, r"NaN"),
    Misuse("one_hot, negative label", lambda w: D.one_hot([0, -1, 2]), ValueError,
           r"0 or more.*-1"),
    Misuse("one_hot, label ≥ num_classes", lambda w: D.one_hot([0, 3], num_classes=3),
           ValueError, r"label 3.*num_classes=3"),
    Misuse("one_hot, fractional label", lambda w: D.one_hot([0.0, 1.5]), ValueError,
           r"integer class labels.*1.5"),
    Misuse("one_hot, NaN label", lambda w: D.one_hot([0.0, np.nan]), ValueError,
           r"integer class labels.*nan"),
    Misuse("one_hot, empty without num_classes", lambda w: D.one_hot([]), ValueError,
           r"empty.*num_classes"),
    Misuse("one_hot, num_classes 0", lambda w: D.one_hot([0], num_classes=0), ValueError,
           r"one_hot: invalid num_classes=0; it must be >= 1"),
    Misuse("make_moons, n 0", lambda w: D.make_moons(n=0), ValueError, r"make_moons: invalid n=0"),
    Misuse("make_moons, NaN noise", lambda w: D.make_moons(noise=float("nan")), ValueError,
           r"make_moons: invalid noise=nan; it must be >= 0"),
    Misuse("make_xor, negative noise", lambda w: D.make_xor(noise=-0.1), ValueError,
           r"make_xor: invalid noise=-0.1"),
    Misuse("make_circles, factor 2", lambda w: D.make_circles(factor=2.0), ValueError,
           r"factor.*\(0, 1\)"),
    Misuse("make_spirals, one class", lambda w: D.make_spirals(classes=1), ValueError,
           r"classes must be at least 2"),
    Misuse("DataLoader, shuffle 'no'", lambda w: D.DataLoader(w.X, w.y, shuffle="no"),
           TypeError, r"shuffle must be True or False, got 'no'"),
    Misuse("split, stratify 'yes'", lambda w: D.train_val_test_split(w.X, w.y, stratify="yes"),
           TypeError, r"stratify must be True or False"),
    # ---- losses: labels, shapes, reductions, empty batches
    Misuse("cross_entropy, label ≥ classes", lambda w: F.cross_entropy(w.logits, w.y + 1),
           (ValueError, IndexError), r"label.*3"),
    Misuse("cross_entropy, negative label",
           lambda w: F.cross_entropy(w.logits, w.y - 1), (ValueError, IndexError), r"-1"),
    Misuse("cross_entropy, fractional labels",
           lambda w: F.cross_entropy(w.logits, w.y + 0.5), (ValueError, TypeError),
           r"integer"),
    Misuse("cross_entropy, wrong batch size", lambda w: F.cross_entropy(w.logits, w.y[:5]),
           ValueError, r"8.*5|5.*8"),
    Misuse("cross_entropy, empty batch",
           lambda w: F.cross_entropy(Value(np.zeros((0, 3))), np.zeros(0, int)), ValueError,
           r"empty"),
    Misuse("nll_loss, label ≥ classes", lambda w: F.nll_loss(w.logits, w.y + 1),
           (ValueError, IndexError), r"label.*3"),
    Misuse("mse_loss, shape mismatch", lambda w: F.mse_loss(w.logits, np.zeros((8, 2))),
           ValueError, r"\(8, 3\).*\(8, 2\)|\(8, 2\).*\(8, 3\)"),
    Misuse("binary_cross_entropy, target 2", lambda w: F.binary_cross_entropy(
        Value(np.full(3, 0.5)), np.array([0.0, 1.0, 2.0])), ValueError,
           r"target must lie in \[0.0, 1.0\].*2"),
    Misuse("loss, reduction 'avg'", lambda w: F.mse_loss(w.logits, np.zeros((8, 3)),
                                                         reduction="avg"),
           ValueError, r"reduction.*avg"),
    # ---- modules and state dicts
    Misuse("model, wrong number of features", lambda w: w.model(np.ones((8, 5), np.float32)),
           ValueError, r"\(8, 5\)"),
    Misuse("model, string input", lambda w: w.model(np.array([["a", "b"]])),
           (TypeError, ValueError), r"linear.*(dtype|<U1|string)"),
    Misuse("Linear, 0 inputs", lambda w: nn.Linear(0, 3), ValueError, r"0"),
    Misuse("load_state_dict, wrong shape", load_state_dict_wrong_shape, ValueError,
           r"3\.weight.*\(3, 5\)"),
    Misuse("load_state_dict, missing key",
           lambda w: w.model.load_state_dict({"0.weight": w.state()["0.weight"]}), ValueError,
           r"missing.*0\.bias"),
    Misuse("load_state_dict, unexpected key",
           lambda w: w.model.load_state_dict({**w.state(), "9.weight": np.zeros(2)}),
           ValueError, r"unexpected.*9\.weight"),
    Misuse("load_state_dict, NaN-free but string array",
           lambda w: w.model.load_state_dict({**w.state(), "0.bias": np.array(["a"] * 4)}),
           (ValueError, TypeError), r"0\.bias"),
    # ---- nn.load: bad files of every kind
    Misuse("load, missing file", lambda w: nn.load(w.model, w.folder / "nope.npz"),
           FileNotFoundError, r"nope\.npz"),
    Misuse("load, a folder", lambda w: nn.load(w.model, w.folder), (ValueError, OSError),
           r"\S"),
    Misuse("load, empty file", lambda w: load_file(w, "empty.npz", b""), ValueError,
           r"empty\.npz"),
    Misuse("load, text file", lambda w: load_file(w, "notes.npz", b"weights: 1, 2, 3\n"),
           ValueError, r"notes\.npz"),
    Misuse("load, truncated file", lambda w: load_file(w, "cut.npz", truncated(w)), ValueError,
           r"cut\.npz"),
    Misuse("load, corrupted data", lambda w: load_file(w, "bad.npz", corrupted(w)), ValueError,
           r"bad\.npz"),
    Misuse("load, pickled object entry", pickle_payload, ValueError, r"0\.weight|pickle|object"),
    Misuse("load, entry of the wrong shape",
           lambda w: with_entry(w, "0.weight", np.zeros((4, 3), np.float32)), ValueError,
           r"0\.weight: shape \(4, 3\) in the file, \(4, 2\) in the module"),
    Misuse("load, entry of the wrong dtype",
           lambda w: with_entry(w, "0.weight", np.zeros((4, 2), np.int64)), ValueError,
           r"0\.weight: dtype int64"),
    Misuse("load, a missing entry", lambda w: with_entry(w, "", None, drop="3.bias"),
           ValueError, r"missing: 3\.bias"),
    Misuse("load, an unexpected entry", lambda w: with_entry(w, "extra", np.zeros(2)),
           ValueError, r"unexpected: extra"),
    Misuse("load, compressed file with a wrong entry",
           lambda w: nn.load(w.model, _compressed(w)), ValueError, r"0\.weight"),
    Misuse("load, 512 MiB declared in a small file", huge_declared_shape, ValueError,
           r"0\.weight.*\(134217728,\)"),
    Misuse("load, safetensors with a bad header",
           lambda w: load_file(w, "bad.safetensors", b"\x08\x00\x00\x00\x00\x00\x00\x00{oops}!!"),
           (ValueError, ImportError), r"bad\.safetensors|safetensors"),
    # ---- nn.save: interrupted, or to a place that does not exist
    Misuse("save, interrupted mid-write", interrupted_save, KeyboardInterrupt, r""),
    Misuse("save, into a missing folder",
           lambda w: nn.save(w.model, w.folder / "no" / "such" / "m.npz"), OSError, r"no"),
    Misuse("save, not a module", lambda w: nn.save(3, w.folder / "three.npz"), TypeError,
           r"Module|mapping"),
    Misuse("save, a mapping holding text",
           lambda w: nn.save({"a": np.array(["text"])}, w.folder / "text.npz"),
           (TypeError, ValueError), r"'a'.*<U4|a.*dtype",
           ),
    # ---- optimizers and schedulers
    Misuse("optimizer, negative lr", lambda w: optim.Adam(w.model.parameters(), lr=-1.0),
           ValueError, r"lr.*-1"),
    Misuse("optimizer, no parameters", lambda w: optim.SGD([], lr=0.1), ValueError,
           r"empty|no parameters"),
    Misuse("optimizer, betas out of range",
           lambda w: optim.Adam(w.model.parameters(), betas=(1.5, 0.9)), ValueError, r"beta"),
    Misuse("optimizer, set a negative lr", lambda w: setattr(w.optimizer, "lr", -0.5),
           ValueError, r"lr.*-0.5"),
    Misuse("optimizer.step, one grad of the wrong shape", step_with_wrong_shape_grad,
           ValueError, r"\(2, 2\).*\(3, 4\)|\(3, 4\).*\(2, 2\)"),
    Misuse("optimizer.load_state_dict, wrong buffer shape", optimizer_state_wrong_shape,
           ValueError, r"\(7, 7\)"),
    Misuse("optimizer.load_state_dict, not a state dict",
           lambda w: w.optimizer.load_state_dict({"lr": 3}), (ValueError, TypeError, KeyError),
           r"state|param_groups"),
    Misuse("LambdaLR, negative factor", negative_lambda_lr, ValueError, r"lr|learning rate"),
    Misuse("StepLR, step_size 0", lambda w: optim.StepLR(w.optimizer, step_size=0), ValueError,
           r"step_size"),
    Misuse("SGD, negative momentum", lambda w: optim.SGD(w.model.parameters(), 0.1, momentum=-1),
           ValueError, r"momentum=-1"),
    Misuse("SGD, nesterov without momentum",
           lambda w: optim.SGD(w.model.parameters(), 0.1, nesterov=True), ValueError,
           r"nesterov.*momentum"),
    Misuse("RMSprop, alpha 2", lambda w: optim.RMSprop(w.model.parameters(), 0.1, alpha=2.0),
           ValueError, r"alpha=2"),
    Misuse("Adagrad, NaN lr", lambda w: optim.Adagrad(w.model.parameters(), lr=float("nan")),
           ValueError, r"lr=nan"),
    Misuse("AdamW, negative weight decay",
           lambda w: optim.AdamW(w.model.parameters(), weight_decay=-1.0), ValueError,
           r"weight_decay=-1"),
    Misuse("ExponentialLR, negative gamma", lambda w: optim.ExponentialLR(w.optimizer, -1.0),
           ValueError, r"gamma=-1"),
    Misuse("CosineAnnealingLR, T_max 0", lambda w: optim.CosineAnnealingLR(w.optimizer, 0),
           ValueError, r"T_max=0"),
    Misuse("ReduceLROnPlateau, unknown mode",
           lambda w: optim.ReduceLROnPlateau(w.optimizer, mode="bigger"), ValueError,
           r"mode.*bigger"),
    Misuse("InverseTimeLR, negative decay", lambda w: optim.InverseTimeLR(w.optimizer, -1.0),
           ValueError, r"decay=-1"),
    # ---- layers
    Misuse("Dropout, p 1.5", lambda w: nn.Dropout(1.5), ValueError, r"1.5"),
    Misuse("BatchNorm1d, wrong features", lambda w: w.model[2](np.ones((3, 5))), ValueError,
           r"\(N, 4\).*\(3, 5\)"),
    Misuse("LayerNorm, wrong shape", lambda w: nn.LayerNorm(4)(np.ones((3, 5))), ValueError,
           r"\(4,\).*\(3, 5\)"),
    Misuse("GaussianNoise, negative std", lambda w: nn.GaussianNoise(-1.0), ValueError,
           r"std.*-1"),
    Misuse("Embedding, index out of range", lambda w: nn.Embedding(5, 3)(np.array([0, 7])),
           IndexError, r"0\.\.4.*7"),
    Misuse("Embedding, float indices", lambda w: nn.Embedding(5, 3)(np.array([0.5])),
           TypeError, r"integers.*float64"),
    Misuse("Conv2d, 3-d input", lambda w: nn.Conv2d(1, 2, 3)(np.ones((1, 5, 5))), ValueError,
           r"4-d.*\(1, 5, 5\)"),
    Misuse("Conv2d, wrong channels", lambda w: nn.Conv2d(1, 2, 3)(np.ones((1, 3, 5, 5))),
           ValueError, r"3 channels.*expects 1"),
    Misuse("MaxPool2d, kernel larger than the input",
           lambda w: nn.MaxPool2d(7)(np.ones((1, 1, 5, 5))), ValueError, r"kernel 7"),
    Misuse("RNN, wrong features", lambda w: nn.RNN(3, 4)(np.ones((2, 1, 5))), ValueError,
           r"features = 3.*\(2, 1, 5\)"),
    Misuse("MultiheadAttention, heads do not divide", lambda w: nn.MultiheadAttention(5, 2),
           ValueError, r"divisible"),
    Misuse("Unflatten, sizes do not multiply", lambda w: nn.Unflatten(1, (2, 3))(np.ones((2, 7))),
           ValueError, r"7.*\(2, 3\)"),
    Misuse("Linear, negative outputs", lambda w: nn.Linear(2, -3), ValueError, r"nout.*-3"),
    Misuse("MLP, unknown activation", lambda w: nn.MLP(2, [3, 1], activation="swish"),
           ValueError, r"swish"),
    Misuse("Perceptron.fit, labels 0..2",
           lambda w: nn.Perceptron(2).fit(np.ones((3, 2)), np.array([0, 1, 2]), lr=0.1, epochs=1),
           ValueError, r"0 or 1"),
    Misuse("accuracy, shapes", lambda w: nn.accuracy(np.ones((4, 3)), np.zeros(5)), ValueError,
           r"\(4, 3\).*\(5,\)"),
    Misuse("random_restarts, n 0",
           lambda w: nn.random_restarts(lambda: nn.Linear(2, 1), lambda m: 0.0, 0), ValueError,
           r"n=0"),
    Misuse("hinge_loss, labels 0..2", lambda w: F.hinge_loss(Value(np.ones(3)), np.arange(3)),
           ValueError, r"-1 or \+1"),
    Misuse("kl_div, shapes", lambda w: F.kl_div(Value(np.ones((2, 3))), np.ones((2, 4))),
           ValueError, r"\(2, 3\).*\(2, 4\)"),
    Misuse("init.normal, negative std", lambda w: nn.init.normal(w.model[0].weight, std=-1.0),
           ValueError, r"std.*-1"),
    # ---- training
    Misuse("fit, NaN in the training data",
           lambda w: fit(w, [(nan_X(w), w.y)]), (ValueError, FloatingPointError),
           r"NaN|nan|not finite", forward=True),
    Misuse("fit, NaN data through a DataLoader",
           lambda w: fit(w, D.DataLoader(nan_X(w), w.y)), ValueError, r"NaN"),
    Misuse("fit, loss_fn returns a float", fit_float_loss, TypeError,
           r"loss_fn returned a float", forward=True),
    Misuse("fit, arrays instead of a loader", lambda w: fit(w, (w.X, w.y)), TypeError,
           r"DataLoader"),
    Misuse("fit, negative epochs", lambda w: fit(w, D.DataLoader(w.X, w.y), epochs=-1),
           ValueError, r"epochs"),
    Misuse("fit, batches without labels", lambda w: fit(w, D.DataLoader(w.X)), TypeError,
           r"pair \(xb, yb\)"),
    Misuse("EarlyStopping, negative patience", lambda w: nn.EarlyStopping(patience=-1),
           ValueError, r"patience"),
    # ---- regularisation and initialisation
    Misuse("max_norm_, negative norm", lambda w: nn.max_norm_(w.model.parameters(), -1.0),
           ValueError, r"max_norm.*-1"),
    Misuse("clip_grad_norm_, negative norm",
           lambda w: nn.clip_grad_norm_(w.model.parameters(), -1.0), ValueError, r"max_norm.*-1"),
    Misuse("init.xavier_uniform, a vector", lambda w: nn.init.xavier_uniform(w.model[0].bias),
           ValueError, r"\(4,\)|2-D|two"),
    Misuse("l2_penalty, no parameters", lambda w: nn.l2_penalty([]), ValueError,
           r"empty|no parameters"),
    # ---- the engine's public functions
    Misuse("Value, strings", lambda w: Value(np.array(["a"])), TypeError, r"<U1"),
    Misuse("Value, integer data with a gradient", lambda w: Value(np.arange(3)), TypeError,
           r"int64.*gradient"),
    Misuse("backward of a non-scalar without grad", lambda w: w.logits.backward(),
           (ValueError, RuntimeError), r"\(8, 3\)"),
    Misuse("backward with a grad of the wrong shape",
           lambda w: w.logits.backward(np.ones((2, 2))), ValueError, r"\(2, 2\)"),
    Misuse("reshape to the wrong size", lambda w: Value(np.ones(6)).reshape(4, 2), ValueError,
           r"size 6.*\(4, ?2\)"),
    Misuse("matmul of mismatched shapes", lambda w: Value(np.ones((2, 3))) @ np.ones((4, 2)),
           ValueError, r"\(2, 3\).*\(4, 2\)"),
    Misuse("add of unbroadcastable shapes", lambda w: Value(np.ones(3)) + np.ones(4), ValueError,
           r"\(3,\).*\(4,\)"),
    Misuse("stack of mismatched shapes",
           lambda w: ag.stack([Value(np.ones(2)), Value(np.ones(3))]), ValueError,
           r"\(2,\).*\(3,\)"),
    Misuse("where with a float condition",
           lambda w: ag.where(np.array([0.2, 0.0]), Value(np.ones(2)), 0.0), TypeError,
           r"bool|float"),
    Misuse("softmax over a missing axis", lambda w: Value(np.ones((2, 2))).softmax(axis=3),
           ValueError, r"axis 3"),
    Misuse("transpose with a repeated axis", lambda w: Value(np.ones((2, 3))).transpose(0, 0),
           ValueError, r"repeated axis"),
    Misuse("concatenate of mismatched shapes",
           lambda w: ag.concatenate([Value(np.ones((2, 2))), np.ones((2, 3))]), ValueError,
           r"\(2, 2\).*\(2, 3\)"),
    Misuse("leaky_relu with a string slope", lambda w: Value(np.ones(3)).leaky_relu("a"),
           (TypeError, ValueError), r"leaky_relu.*slope"),
    Misuse("conv2d, stride 0",
           lambda w: ag.conv2d(Value(np.ones((1, 1, 4, 4))), np.ones((1, 1, 2, 2)), stride=0),
           ValueError, r"stride.*0"),
    Misuse("attention, feature sizes differ", lambda w: ag.scaled_dot_product_attention(
        Value(np.ones((2, 3, 4))), np.ones((2, 5, 6)), np.ones((2, 5, 4))), ValueError,
           r"\(2, 3, 4\).*\(2, 5, 6\)"),
    Misuse("manual_seed, a string", lambda w: ag.manual_seed("a"), TypeError, r"int.*str"),
    Misuse("manual_seed, negative", lambda w: ag.manual_seed(-1), ValueError,
           r"manual_seed.*-1"),
    Misuse("draw_graph, unknown rankdir", lambda w: ag.draw_graph(Value(2.0) * 2, rankdir="XY"),
           ValueError, r"rankdir.*XY"),
    Misuse("backward_steps, an array", lambda w: list(ag.backward_steps(np.ones(3))), TypeError,
           r"Value"),
    Misuse("gradcheck, eps 0", lambda w: ag.gradcheck(lambda x: (x * x).sum(), np.ones(2), eps=0),
           ValueError, r"eps"),
    Misuse("value_and_grad, argnums a string",
           lambda w: ag.value_and_grad(lambda x: x, argnums="a")(1.0), TypeError,
           r"argnums.*'a'"),
    Misuse("draw_network, not a module", lambda w: nn.draw_network(3), TypeError, r"int"),
    Misuse("to_torch, a layer without a PyTorch twin", lambda w: nn.to_torch(nn.Perceptron(2)),
           (nn.UnsupportedLayerError, ImportError), r"Perceptron|torch"),
    Misuse("gradient_norms, not a module", lambda w: nn.gradient_norms(3), TypeError,
           r"nn\.Module.*int"),
    Misuse("clip_grad_value_, negative", lambda w: nn.clip_grad_value_(w.model.parameters(), -1.0),
           ValueError, r"clip_value.*-1"),
    Misuse("load_state_dict, a list", lambda w: w.model.load_state_dict([1, 2]), TypeError,
           r"mapping.*list"),
    Misuse("logic gate, wrong inputs", lambda w: nn.logic.AND.predict(np.ones((2, 3))),
           ValueError, r"\(2, 3\)"),
    Misuse("index out of range", lambda w: Value(np.ones(3))[5], IndexError, r"5"),
    Misuse("sum over a missing axis", lambda w: Value(np.ones(3)).sum(axis=2), ValueError,
           r"axis 2|2"),
    Misuse("grad, argnums beyond the arguments",
           lambda w: ag.grad(lambda x: (x * x).sum(), argnums=3)(np.ones(2)),
           (ValueError, IndexError, TypeError), r"argnums.*3"),
    Misuse("grad of a non-scalar function", lambda w: ag.grad(lambda x: x * 2)(np.ones(2)),
           ValueError, r"scalar"),
    Misuse("gradcheck with integer inputs",
           lambda w: ag.gradcheck(lambda x: (x * x).sum(), np.arange(3)), (TypeError, ValueError),
           r"int|float"),
]  # fmt: skip


def _compressed(w: World) -> Path:
    arrays = dict(w.state())
    arrays["0.weight"] = np.zeros((1, 1), np.float32)
    target = w.inputs / "compressed.npz"
    np.savez_compressed(target, **arrays)
    return target


def _row(m: Misuse) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=f"owner: {m.owner}")] if m.owner else []
    return pytest.param(m, id=m.name, marks=marks)


@pytest.mark.parametrize("misuse", [_row(m) for m in MISUSES])
def test_misuse_raises_a_clear_error_and_changes_nothing(misuse: Misuse, tmp_path: Path) -> None:
    world = make_world(tmp_path)
    before = snapshot(world)
    with pytest.raises(misuse.error) as caught:
        misuse.call(world)
    if misuse.message:
        assert caught.match(f"(?is){misuse.message}"), (
            f"{misuse.name}: the message does not say what was wrong:\n{caught.value}"
        )
    assert_unchanged(before, snapshot(world), buffers=not misuse.forward)


def test_the_table_covers_every_public_data_utility() -> None:
    """Each function and class nn.data exports has at least one row."""
    covered = " ".join(m.name for m in MISUSES)
    aliases = {"train_val_test_split": "split"}
    for name in D.__all__:
        if name in ("load_digits", "load_names"):  # no arguments to misuse
            continue
        assert aliases.get(name, name) in covered, f"no misuse row for nn.data.{name}"


def test_a_save_interrupted_mid_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path,
) -> None:
    """After an interrupted save the old file loads whole; the next save removes the leftover."""
    world = make_world(tmp_path)
    old = world.path.read_bytes()
    with pytest.raises(KeyboardInterrupt):
        interrupted_save(world)
    assert world.path.read_bytes() == old
    nn.load(world.model, world.path)
    nn.save(world.model, world.path)
    assert sorted(p.name for p in world.folder.iterdir()) == ["model.npz"]


def test_the_pickle_payload_never_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    world = make_world(tmp_path)
    arrays = dict(world.state())
    arrays["0.weight"] = np.array([_Boom()], dtype=object)
    target = world.npz("pickled.npz", arrays)
    ran = threading.Event()
    monkeypatch.setattr(os, "system", lambda *a: ran.set())
    with pytest.raises(ValueError, match="0.weight"):
        nn.load(world.model, target)
    assert not ran.is_set()
