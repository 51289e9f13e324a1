"""Smoke tests for the benchmarks package: every benchmark is registered and well formed, the
command line lists them, and small runs of them work without the peer engines installed.

The runs are shrunk (tiny networks, short chains, one epoch) so the whole file takes a few
seconds; they check what the benchmarks compute (gradients, equal losses, equal weights), never
a speed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import benchmarks
from benchmarks import cnn, deep_chain, digits, peers, sequence, tensor_mlp
from benchmarks.report import Row, markdown_table, text_table

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def no_peers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as if neither torch nor micrograd were installed."""
    monkeypatch.setattr(peers, "torch", lambda: None)
    monkeypatch.setattr(peers, "micrograd", lambda: None)


def test_every_benchmark_is_registered_and_well_formed() -> None:
    assert {"scalar-moons", "op-overhead", "deep-chain", "tensor-mlp", "digits"} <= set(
        benchmarks.BENCHMARKS
    )
    for name in benchmarks.BENCHMARKS:
        module = benchmarks.load(name)
        assert module.NAME == name
        assert isinstance(module.SUMMARY, str) and module.SUMMARY.strip()
        assert callable(module.run)


def test_unknown_benchmark_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="tensor-mlp"):
        benchmarks.load("no-such-benchmark")


def test_command_line_lists_the_benchmarks() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--list"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    listed = [line.split()[0] for line in result.stdout.splitlines() if line.strip()]
    assert listed == list(benchmarks.BENCHMARKS)


def test_deep_chain_small(no_peers: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deep_chain, "DEPTHS", (300, 600))
    rows = deep_chain.run(quick=True)
    backward = {row.metric: row for row in rows if row.metric.startswith("backward")}
    assert set(backward) == {"backward 300 deep", "backward 600 deep"}
    assert all(row.status == "met" for row in backward.values())  # gradient n + 1 checked
    memory = next(row for row in rows if row.metric == "graph bytes per node")
    assert memory.glassgrad > 0 and memory.status == "no peer"


TINY = tensor_mlp.Case(16, (8, 10), 6, steps=2, max_torch=1.0, max_floor=1.1)


def test_numpy_floor_takes_glassgrads_step() -> None:
    """The hand-written numpy step (loss, backward, momentum) agrees with glassgrad's."""
    X, y = tensor_mlp.make_data(TINY)
    gg = tensor_mlp.Glassgrad(TINY, X, y)
    floor = tensor_mlp.NumpyByHand(TINY, X, y, gg.state())
    for _ in range(3):  # the first step sets the momentum buffers, later ones use them
        agreement = tensor_mlp.check_same_step({"glassgrad": gg, "numpy": floor})
        assert agreement["numpy"] == ""
    # and the check can fail: a floor that skips the update differs
    floor.lr = np.float32(0)
    assert (
        "after the update differs"
        in tensor_mlp.check_same_step({"glassgrad": gg, "numpy": floor})["numpy"]
    )


def test_tensor_mlp_small_case(no_peers: None) -> None:
    rows = tensor_mlp.run(quick=True, cases=[TINY])
    step = rows[0]
    assert step.metric.startswith("time per step") and step.glassgrad > 0
    assert step.peer_value is None and step.status == "no peer"
    floor = next(row for row in rows if row.metric.startswith("time per step vs the floor"))
    assert floor.peer_value > 0 and "NO:" not in floor.note


def test_tensor_mlp_torch_takes_the_same_step() -> None:
    torch = pytest.importorskip("torch")
    X, y = tensor_mlp.make_data(TINY)
    gg = tensor_mlp.Glassgrad(TINY, X, y)
    th = tensor_mlp.Torch(torch, TINY, X, y, gg.state())
    for _ in range(2):
        assert tensor_mlp.check_same_step({"glassgrad": gg, "torch": th})["torch"] == ""


def test_digits_one_epoch(no_peers: None) -> None:
    rows = digits.run(seeds=(0,), epochs=1)
    by_metric = {row.metric.strip(): row for row in rows}
    assert by_metric["training time, 1 epochs (loop by hand)"].glassgrad > 0
    fit = by_metric["same with nn.fit(progress=False)"]
    assert fit.note == "nn.fit ends with exactly the weights of the hand-written loop"
    accuracy = by_metric["test accuracy, seed 0"]
    assert 10 < accuracy.glassgrad <= 100  # better than chance after one epoch
    assert accuracy.met in (True, False)


def test_cnn_floor_and_torch_take_glassgrads_step(no_peers: None) -> None:
    """The CNN benchmark's hand-written numpy step (im2col, pooling, backward, momentum)
    agrees with glassgrad's, step after step; its rows are well formed."""
    X, y = cnn.make_data(batch=8)
    gg = cnn.Glassgrad(X, y)
    floor = cnn.NumpyByHand(X, y, gg.state())
    for _ in range(3):
        assert cnn.check_same_step({"glassgrad": gg, "numpy": floor})["numpy"] == ""
    rows = cnn.run(quick=True, batch=8)
    by_metric = {row.metric.strip(): row for row in rows}
    step = by_metric["time per step, batch 8"]
    assert step.glassgrad > 0 and step.status == "no peer"
    floor_row = by_metric["time per step vs the floor, batch 8"]
    assert floor_row.peer_value > 0 and "NO:" not in floor_row.note
    assert any(m.startswith("conv2d backward alone") for m in by_metric)


def test_cnn_torch_takes_the_same_step() -> None:
    torch = pytest.importorskip("torch")
    X, y = cnn.make_data(batch=8)
    gg = cnn.Glassgrad(X, y)
    th = cnn.Torch(torch, X, y, gg.state())
    for _ in range(2):
        assert cnn.check_same_step({"glassgrad": gg, "torch": th})["torch"] == ""


def test_tables_print_every_row() -> None:
    rows = [
        Row("b", "time", "ms", 2.0, "peer 1.0", 4.0, max_ratio=0.6),
        Row("b", "  sub", "ms", 3.0, "peer 1.0", None),
        Row("b", "accuracy", "%", 96.5, target="≥ 96 %", met=True, note="a note"),
    ]
    text, markdown = text_table(rows), markdown_table(rows)
    assert "0.50×" in text and "met" in text and "not installed" in text
    assert "| b | ↳ sub |" in markdown and "- b / accuracy: a note" in markdown


SEQUENCE_CASES = [
    sequence.Case("lstm", 4, 8, 5, 3, steps=2),
    sequence.Case("gpt", 8, 1, 5, 3, steps=2),
]


def test_sequence_small(no_peers: None) -> None:
    rows = sequence.run(quick=True, cases=SEQUENCE_CASES)
    steps = [row for row in rows if row.metric.startswith("time per step")]
    assert [row.metric.split(", ")[1].split()[0] for row in steps] == ["char-LSTM", "tiny"]
    assert all(row.glassgrad > 0 and row.status == "no peer" for row in steps)


def test_sequence_torch_takes_the_same_step() -> None:
    torch = pytest.importorskip("torch")
    for case in SEQUENCE_CASES:
        X, y = sequence.make_data(case)
        gg = sequence.Glassgrad(case, X, y)
        th = sequence.Torch(torch, case, X, y, gg.state())
        for _ in range(2):
            assert sequence.check_same_step({"glassgrad": gg, "torch": th})["torch"] == ""


def test_inplace_check_switches_the_check_off_and_back_on() -> None:
    from autograd import Value
    from benchmarks import inplace_check

    buffer = np.ones(3)
    with inplace_check._unchecked():
        shared = Value(np.ones(3)) * buffer
        assert np.shares_memory(shared.parents[1].data, buffer)  # the check's copy is off
    copied = Value(np.ones(3)) * buffer
    assert not np.shares_memory(copied.parents[1].data, buffer)  # and back on
    rows = inplace_check.run(quick=True)
    assert [row.metric for row in rows] == [case[0] for case in inplace_check.CASES]
    assert all(row.glassgrad > 0 and row.peer_value > 0 for row in rows)
