"""tensor-mlp: one training step of a tensor MLP — forward, backward, SGD-momentum update.

An MLP 784→256→128→10 (ReLU hidden layers, linear output), a batch of 128 float32 examples,
the mean softmax cross-entropy against integer labels, and SGD with momentum 0.9 (lr 0.01);
also a small case, 64→32→10 with a batch of 32, where the fixed cost per op dominates. The
data are fixed random numbers (the step's cost does not depend on what they mean).

Three engines take the same step from the same weights:

- glassgrad: ``nn.MLP`` + ``nn.F.cross_entropy`` + ``optim.SGD``;
- PyTorch eager: ``torch.nn.Sequential`` of ``Linear``/``ReLU``, ``F.cross_entropy``,
  ``torch.optim.SGD``, with glassgrad's initial ``state_dict`` copied in;
- plain numpy by hand — the floor for a numpy engine: the same matmuls (``x Wᵀ``, ``gᵀ x``,
  ``g W``), a hand-derived backward (∂/∂z = (softmax(z) − onehot(y)) / N through the output,
  times the ReLU mask through each hidden layer), everything that can be is done in place, and
  the momentum update ``b ← μ b + g; W ← W − lr·b`` in place.

Before timing, every engine takes one step from the same weights: the losses must agree
(float32, relative 1e-5) and so must the updated weights (absolute 1e-5), or the row says so.

Targets (issue 6): big case ≤ 1.0× PyTorch's time per step and ≤ 1.1× the numpy floor's;
small case ≤ 0.7× PyTorch's and (issue 10) ≤ 1.6× the numpy floor's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from benchmarks import peers
from benchmarks.report import Row
from benchmarks.timing import Timing, interleaved, now

NAME = "tensor-mlp"
SUMMARY = (
    "one SGD-momentum step (forward, backward, update) of a float32 MLP: "
    "784→256→128→10 batch 128, and 64→32→10 batch 32; vs PyTorch and numpy by hand"
)

LEARNING_RATE = 0.01
MOMENTUM = 0.9
CLASSES = 10
SEED = 0
LOSS_RTOL = 1e-5  # float32: engines sum in different orders
WEIGHT_ATOL = 1e-5

PHASES = ("forward", "backward", "update")


@dataclass(frozen=True)
class Case:
    """One network size and its targets."""

    nin: int
    sizes: tuple[int, ...]
    batch: int
    steps: int  # steps per timed repeat (a repeat lasts some tens of milliseconds)
    max_torch: float | None
    max_floor: float | None

    @property
    def label(self) -> str:
        return "→".join(map(str, (self.nin, *self.sizes))) + f", batch {self.batch}"


CASES = (
    Case(784, (256, 128, 10), 128, steps=20, max_torch=1.0, max_floor=1.1),
    Case(64, (32, 10), 32, steps=200, max_torch=0.7, max_floor=1.6),
)

Step = Callable[[], dict[str, float]]


def make_data(case: Case, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """A fixed batch: standard normal float32 inputs and integer labels 0..9."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((case.batch, case.nin)).astype(np.float32)
    y = rng.integers(0, CLASSES, case.batch)
    return X, y


# ---------------------------------------------------------------------------------- engines
class Glassgrad:
    """glassgrad's step, written as a user writes it."""

    def __init__(self, case: Case, X: np.ndarray, y: np.ndarray) -> None:
        import autograd
        import nn
        import optim

        autograd.manual_seed(SEED)
        self.model = nn.MLP(case.nin, list(case.sizes))
        self.optimizer = optim.SGD(self.model.parameters(), lr=LEARNING_RATE, momentum=MOMENTUM)
        self.cross_entropy = nn.F.cross_entropy
        self.X, self.y = X, y

    def state(self) -> dict[str, np.ndarray]:
        return {name: value.copy() for name, value in self.model.state_dict().items()}

    def step(self) -> tuple[float, dict[str, float]]:
        return timed_step(self)


def timed_step(engine: Any) -> tuple[float, dict[str, float]]:
    """One forward, backward and update of an engine with PyTorch's API (glassgrad or torch):
    the loss and the seconds each part took."""
    model, optimizer, X, y = engine.model, engine.optimizer, engine.X, engine.y
    t0 = now()
    loss = engine.cross_entropy(model(X), y)
    t1 = now()
    optimizer.zero_grad()
    loss.backward()
    t2 = now()
    optimizer.step()
    t3 = now()
    return loss.item(), {"forward": t1 - t0, "backward": t2 - t1, "update": t3 - t2}


class TorchStep:
    """PyTorch eager's SGD-momentum step of ``model`` from the given weights (a glassgrad
    ``state_dict``): shared by every benchmark that times PyTorch's API side by side."""

    def __init__(
        self, torch: Any, model: Any, X: np.ndarray, y: np.ndarray, state: dict[str, np.ndarray]
    ) -> None:
        self.torch = torch
        self.model = model
        self.model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in state.items()})
        self.optimizer = torch.optim.SGD(
            self.model.parameters(), lr=LEARNING_RATE, momentum=MOMENTUM
        )
        self.cross_entropy = torch.nn.functional.cross_entropy
        self.X, self.y = torch.from_numpy(X), torch.from_numpy(y)

    def state(self) -> dict[str, np.ndarray]:
        return {k: v.detach().numpy().copy() for k, v in self.model.state_dict().items()}

    def step(self) -> tuple[float, dict[str, float]]:
        return timed_step(self)


class Torch(TorchStep):
    """PyTorch's MLP of ``case``: ``Sequential`` of ``Linear`` and ``ReLU``."""

    def __init__(
        self, torch: Any, case: Case, X: np.ndarray, y: np.ndarray, state: dict[str, np.ndarray]
    ) -> None:
        widths = (case.nin, *case.sizes)
        layers: list[Any] = []
        for i, (a, b) in enumerate(zip(widths[:-1], widths[1:], strict=True)):
            layers.append(torch.nn.Linear(a, b))
            if i < len(case.sizes) - 1:
                layers.append(torch.nn.ReLU())
        super().__init__(torch, torch.nn.Sequential(*layers), X, y, state)


class NumpyByHand:
    """The same step in plain numpy with a hand-derived backward: the floor.

    Forward, for layers l = 1..L with a₀ = X:  zₗ = aₗ₋₁ Wₗᵀ + bₗ,  aₗ = relu(zₗ) (l < L).
    Loss: mean over the batch of logsumexp(z_L) − z_L[y]. Backward, from
    g = (softmax(z_L) − onehot(y)) / N:  ∂Wₗ = gᵀ aₗ₋₁,  ∂bₗ = Σₙ g,  then g ← (g Wₗ) ⊙ [aₗ₋₁ > 0]
    for the layer below (never for the input). Momentum: b ← μ b + ∂W (b = ∂W at first),
    W ← W − lr·b, in place.
    """

    def __init__(
        self, case: Case, X: np.ndarray, y: np.ndarray, state: dict[str, np.ndarray]
    ) -> None:
        n_layers = len(case.sizes)
        # nn.MLP is a Sequential of Linear, ReLU, ...: the Linears are layers 0, 2, 4, ...
        self.weights = [state[f"{2 * i}.weight"].copy() for i in range(n_layers)]
        self.biases = [state[f"{2 * i}.bias"].copy() for i in range(n_layers)]
        self.buffers: list[np.ndarray | None] = [None] * (2 * n_layers)
        self.X, self.y = X, y
        self.rows = np.arange(len(y))
        self.lr = np.float32(LEARNING_RATE)
        self.momentum = np.float32(MOMENTUM)

    def state(self) -> dict[str, np.ndarray]:
        state = {}
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            state[f"{2 * i}.weight"], state[f"{2 * i}.bias"] = w.copy(), b.copy()
        return state

    def step(self) -> tuple[float, dict[str, float]]:
        weights, biases, rows, y = self.weights, self.biases, self.rows, self.y
        last = len(weights) - 1
        t0 = now()
        activations = [self.X]
        a = self.X
        for i, (w, b) in enumerate(zip(weights, biases, strict=True)):
            z = a @ w.T
            z += b
            if i < last:
                np.maximum(z, 0, out=z)
            activations.append(z)
            a = z
        top = a.max(axis=1, keepdims=True)
        exp = np.exp(a - top)
        total = exp.sum(axis=1, keepdims=True)
        loss = np.mean(np.log(total[:, 0]) + top[:, 0] - a[rows, y])
        t1 = now()
        g = exp
        g /= total  # softmax
        g[rows, y] -= 1
        g /= len(y)
        grads: list[np.ndarray] = [None] * (2 * len(weights))  # type: ignore[list-item]
        for i in range(last, -1, -1):
            below = activations[i]
            grads[2 * i] = g.T @ below
            grads[2 * i + 1] = g.sum(axis=0)
            if i:
                g = g @ weights[i]
                g *= below > 0
        t2 = now()
        lr, momentum, buffers = self.lr, self.momentum, self.buffers
        params = [p for pair in zip(weights, biases, strict=True) for p in pair]
        for j, (p, grad) in enumerate(zip(params, grads, strict=True)):
            buf = buffers[j]
            if buf is None:
                buf = buffers[j] = grad  # a fresh array, owned here
            else:
                buf *= momentum
                buf += grad
            p -= lr * buf
        t3 = now()
        return float(loss), {"forward": t1 - t0, "backward": t2 - t1, "update": t3 - t2}


# ---------------------------------------------------------------------------------- checks
def check_same_step(engines: dict[str, Any]) -> dict[str, str]:
    """One step of every engine from the same weights; per peer, '' if its loss and updated
    weights agree with glassgrad's, else what differs."""
    losses, states = {}, {}
    for name, engine in engines.items():
        losses[name], _ = engine.step()
        states[name] = engine.state()
    problems = {}
    for name in engines:
        if name == "glassgrad":
            continue
        differ = []
        if not np.isclose(losses[name], losses["glassgrad"], rtol=LOSS_RTOL, atol=0):
            differ.append(f"loss {losses[name]!r} vs glassgrad's {losses['glassgrad']!r}")
        for key, value in states["glassgrad"].items():
            worst = float(np.max(np.abs(states[name][key] - value)))
            if not worst <= WEIGHT_ATOL:
                differ.append(f"{key} after the update differs by {worst:.2e}")
        problems[name] = "; ".join(differ)
    problems["losses"] = ", ".join(f"{n} {v:.6f}" for n, v in losses.items())
    return problems


def timed(engine: Any, steps: int) -> Step:
    """``steps`` consecutive steps; the time per step of each phase and in all."""

    def run() -> dict[str, float]:
        totals = dict.fromkeys(PHASES, 0.0)
        for _ in range(steps):
            _, phases = engine.step()
            for phase in PHASES:
                totals[phase] += phases[phase]
        per_step = {phase: seconds / steps for phase, seconds in totals.items()}
        per_step["step"] = sum(per_step.values())
        return per_step

    return run


# ---------------------------------------------------------------------------------- the rows
def run_case(case: Case, quick: bool) -> list[Row]:
    """Time one network size with every engine, interleaved; return its rows."""
    X, y = make_data(case)
    gg = Glassgrad(case, X, y)
    start = gg.state()
    engines: dict[str, Any] = {"glassgrad": gg, "numpy": NumpyByHand(case, X, y, start)}
    torch = peers.torch()
    if torch is not None:
        engines["torch"] = Torch(torch, case, X, y, start)
    agreement = check_same_step(engines)

    repeats = 5 if quick else 31
    steps = max(1, case.steps // 4) if quick else case.steps
    timings = interleaved(
        {name: timed(engine, steps) for name, engine in engines.items()},
        repeats=repeats,
        warmup=1,
    )
    return rows_for(case, timings, agreement, repeats, steps)


def rows_for(
    case: Case,
    timings: dict[str, dict[str, Timing]],
    agreement: dict[str, str],
    repeats: int,
    steps: int,
) -> list[Row]:
    gg, floor, th = timings["glassgrad"], timings["numpy"], timings.get("torch")
    torch_name = peers.label("torch")
    floor_name = "numpy by hand (floor)"

    def us(phases: dict[str, Timing] | None, phase: str) -> float | None:
        return None if phases is None else phases[phase].median * 1e6

    def same(peer: str) -> str:
        if peer not in agreement:
            return ""
        problem = agreement[peer]
        return "same loss and updated weights as glassgrad on the first step" + (
            f" — NO: {problem}" if problem else ""
        )

    threads = peers.threads()
    thread_note = f"{threads} thread(s) for BLAS and torch" if threads else "default threads"
    label = case.label
    rows = [
        Row(
            NAME,
            f"time per step, {label}",
            "µs",
            us(gg, "step"),
            torch_name,
            us(th, "step"),
            max_ratio=case.max_torch,
            note=f"median of {repeats} repeats of {steps} steps, engines interleaved, gc off "
            f"while timed; {thread_note}; {same('torch') or 'torch not installed'} "
            f"(first-step losses: {agreement['losses']})",
        ),
    ]
    rows += [
        Row(NAME, f"  {phase}", "µs", us(gg, phase), torch_name, us(th, phase)) for phase in PHASES
    ]
    rows.append(
        Row(
            NAME,
            f"time per step vs the floor, {label}",
            "µs",
            us(gg, "step"),
            floor_name,
            us(floor, "step"),
            max_ratio=case.max_floor,
            note=f"plain numpy, backward by hand, updates in place; {same('numpy')}",
        )
    )
    rows += [
        Row(NAME, f"  {phase}", "µs", us(gg, phase), floor_name, us(floor, phase))
        for phase in PHASES
    ]
    return rows


def run(quick: bool = False, cases: Sequence[Case] = CASES) -> list[Row]:
    """Time every case (both network sizes by default; a smaller ``Case`` makes a smoke test)."""
    rows: list[Row] = []
    for case in cases:
        rows += run_case(case, quick)
    return rows
