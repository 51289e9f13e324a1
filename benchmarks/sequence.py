"""sequence: one training step of a character-level LSTM and of a tiny GPT, vs PyTorch eager.

Both models read batches of letter indices (a vocabulary of 27, fixed random data: the cost
does not depend on what the letters mean) and predict the next letter at every position with
the mean softmax cross-entropy; Adam (lr 1e-3) updates them.

- **char-LSTM**: ``nn.Embedding(27, 32)`` → ``nn.LSTM(32, 128, batch_first=True)`` →
  ``nn.Linear(128, 27)``; sequences of 16, batch 32.
- **tiny GPT** (notebook 12's model): letter and position embeddings of 32, two blocks of
  ``x + MultiheadAttention(LayerNorm(x))`` (4 heads, causal) and ``x + MLP(LayerNorm(x))``
  (32→128→32, tanh-approximated GELU), a final LayerNorm and ``Linear(32, 27)``; sequences of
  16, batch 32.

PyTorch runs the same architecture with glassgrad's initial ``state_dict`` copied in (the
parameter names are the same), through its own layers: ``torch.nn.LSTM`` (one fused ATen
kernel for the whole sequence; the target is against it) and ``torch.nn.MultiheadAttention``.
For reference the LSTM is also timed in PyTorch as ``torch.nn.LSTMCell`` called step by step,
the graph glassgrad builds. Before timing, both
engines take one step from the same weights: the losses must agree (float32, relative 1e-5)
and so must every parameter's gradient (within 1e-4 of its largest element), or the row says
so.

Target (issue 15): ≤ 1.5× PyTorch's time per step, for both models.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from benchmarks import peers
from benchmarks.report import Row
from benchmarks.tensor_mlp import PHASES, timed
from benchmarks.timing import Timing, interleaved, now

NAME = "sequence"
SUMMARY = (
    "one Adam step of a char-level LSTM (emb 32, hidden 128, seq 16, batch 32) and of a tiny "
    "GPT (dim 32, 4 heads, 2 blocks, seq 16, batch 32), vs PyTorch eager"
)

VOCAB = 27
LEARNING_RATE = 1e-3
SEED = 0
LOSS_RTOL = 1e-5
# The gradients are compared, not the weights after Adam's update: Adam moves every weight by
# about lr·g/(|g| + eps), so a gradient that is 0 in exact arithmetic (the attention's key bias
# adds the same number to every score of a row) but round-off noise in both engines still
# moves by a good part of lr, differently in each.
GRAD_RTOL = 1e-4  # of the largest gradient of the same parameter
MAX_RATIO = 1.5


@dataclass(frozen=True)
class Case:
    """One model and its sizes."""

    model: str  # "lstm" or "gpt"
    dim: int  # embedding size
    hidden: int  # LSTM hidden size, or the GPT's number of blocks
    seq: int
    batch: int
    steps: int  # steps per timed repeat

    @property
    def label(self) -> str:
        if self.model == "lstm":
            sizes = f"emb {self.dim}, hidden {self.hidden}"
            return f"char-LSTM {sizes}, seq {self.seq}, batch {self.batch}"
        return f"tiny GPT dim {self.dim}, {self.hidden} blocks, seq {self.seq}, batch {self.batch}"


CASES = (
    Case("lstm", 32, 128, 16, 32, steps=10),
    Case("gpt", 32, 2, 16, 32, steps=10),
)
HEADS = 4


def make_data(case: Case, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """A fixed batch of letter indices and the next-letter targets, ``(batch, seq)`` each."""
    letters = np.random.default_rng(seed).integers(0, VOCAB, (case.batch, case.seq + 1))
    return letters[:, :-1].copy(), letters[:, 1:].copy()


# ---------------------------------------------------------------------------------- glassgrad
def glassgrad_model(case: Case) -> Any:
    import autograd
    import nn

    autograd.manual_seed(SEED)
    if case.model == "lstm":

        class CharLSTM(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.embed = nn.Embedding(VOCAB, case.dim)
                self.lstm = nn.LSTM(case.dim, case.hidden, batch_first=True)
                self.head = nn.Linear(case.hidden, VOCAB)

            def forward(self, idx: Any) -> Any:
                out, _ = self.lstm(self.embed(idx))
                return self.head(out)

        return CharLSTM()

    class Block(nn.Module):
        def __init__(self, dim: int) -> None:
            super().__init__()
            self.ln1 = nn.LayerNorm(dim)
            self.attn = nn.MultiheadAttention(dim, HEADS, batch_first=True)
            self.ln2 = nn.LayerNorm(dim)
            self.mlp = nn.Sequential(
                nn.Linear(dim, 4 * dim), nn.GELU(approximate="tanh"), nn.Linear(4 * dim, dim)
            )

        def forward(self, x: Any) -> Any:
            h = self.ln1(x)
            x = x + self.attn(h, h, h, is_causal=True, need_weights=False)[0]
            return x + self.mlp(self.ln2(x))

    class TinyGPT(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.tokens = nn.Embedding(VOCAB, case.dim)
            self.positions = nn.Embedding(case.seq, case.dim)
            self.blocks = nn.Sequential(*[Block(case.dim) for _ in range(case.hidden)])
            self.ln = nn.LayerNorm(case.dim)
            self.head = nn.Linear(case.dim, VOCAB)

        def forward(self, idx: Any) -> Any:
            x = self.tokens(idx) + self.positions(np.arange(idx.shape[1]))
            return self.head(self.ln(self.blocks(x)))

    return TinyGPT()


class Glassgrad:
    """glassgrad's step, as notebooks 11 and 12 write it."""

    def __init__(self, case: Case, X: np.ndarray, y: np.ndarray) -> None:
        import nn
        import optim

        self.model = glassgrad_model(case)
        self.optimizer = optim.Adam(self.model.parameters(), lr=LEARNING_RATE)
        self.cross_entropy = nn.F.cross_entropy
        self.X, self.y = X, y.reshape(-1)

    def state(self) -> dict[str, np.ndarray]:
        return {name: value.copy() for name, value in self.model.state_dict().items()}

    def grads(self) -> dict[str, np.ndarray]:
        return {name: np.asarray(p.grad).copy() for name, p in self.model.named_parameters()}

    def step(self) -> tuple[float, dict[str, float]]:
        return timed_step(self)


def timed_step(engine: Any) -> tuple[float, dict[str, float]]:
    """Forward, backward and update of an engine with PyTorch's API: the loss and the seconds
    of each part."""
    model, optimizer, X, y = engine.model, engine.optimizer, engine.X, engine.y
    t0 = now()
    loss = engine.cross_entropy(model(X).reshape(-1, VOCAB), y)
    t1 = now()
    optimizer.zero_grad()
    loss.backward()
    t2 = now()
    optimizer.step()
    t3 = now()
    return loss.item(), {"forward": t1 - t0, "backward": t2 - t1, "update": t3 - t2}


# ---------------------------------------------------------------------------------- PyTorch
def torch_model(torch: Any, case: Case, cells: bool = False) -> Any:
    """PyTorch's model for ``case``; with ``cells`` the LSTM is ``torch.nn.LSTMCell`` called
    step by step (the graph glassgrad builds) instead of the fused ``torch.nn.LSTM``."""
    tnn = torch.nn
    if case.model == "lstm" and cells:

        class Cells(tnn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.cell = tnn.LSTMCell(case.dim, case.hidden)

            def forward(self, x: Any) -> Any:
                state, outputs = None, []
                for t in range(x.shape[1]):
                    state = self.cell(x[:, t], state)
                    outputs.append(state[0])
                return torch.stack(outputs, dim=1), state

        class CharLSTMCells(tnn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.embed = tnn.Embedding(VOCAB, case.dim)
                self.lstm = Cells()
                self.head = tnn.Linear(case.hidden, VOCAB)

            def forward(self, idx: Any) -> Any:
                out, _ = self.lstm(self.embed(idx))
                return self.head(out)

        return CharLSTMCells()
    if case.model == "lstm":

        class CharLSTM(tnn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.embed = tnn.Embedding(VOCAB, case.dim)
                self.lstm = tnn.LSTM(case.dim, case.hidden, batch_first=True)
                self.head = tnn.Linear(case.hidden, VOCAB)

            def forward(self, idx: Any) -> Any:
                out, _ = self.lstm(self.embed(idx))
                return self.head(out)

        return CharLSTM()

    mask = torch.triu(torch.ones(case.seq, case.seq, dtype=torch.bool), 1)  # True = blocked

    class Block(tnn.Module):
        def __init__(self, dim: int) -> None:
            super().__init__()
            self.ln1 = tnn.LayerNorm(dim)
            self.attn = tnn.MultiheadAttention(dim, HEADS, batch_first=True)
            self.ln2 = tnn.LayerNorm(dim)
            self.mlp = tnn.Sequential(
                tnn.Linear(dim, 4 * dim), tnn.GELU(approximate="tanh"), tnn.Linear(4 * dim, dim)
            )

        def forward(self, x: Any) -> Any:
            h = self.ln1(x)
            x = x + self.attn(h, h, h, attn_mask=mask, is_causal=True, need_weights=False)[0]
            return x + self.mlp(self.ln2(x))

    class TinyGPT(tnn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.tokens = tnn.Embedding(VOCAB, case.dim)
            self.positions = tnn.Embedding(case.seq, case.dim)
            self.blocks = tnn.Sequential(*[Block(case.dim) for _ in range(case.hidden)])
            self.ln = tnn.LayerNorm(case.dim)
            self.head = tnn.Linear(case.dim, VOCAB)
            self.register_buffer("where", torch.arange(case.seq), persistent=False)

        def forward(self, idx: Any) -> Any:
            x = self.tokens(idx) + self.positions(self.where[: idx.shape[1]])
            return self.head(self.ln(self.blocks(x)))

    return TinyGPT()


class Torch:
    """PyTorch eager's step, from the given weights (a glassgrad ``state_dict``)."""

    def __init__(
        self,
        torch: Any,
        case: Case,
        X: np.ndarray,
        y: np.ndarray,
        state: dict[str, np.ndarray],
        cells: bool = False,
    ) -> None:
        self.model = torch_model(torch, case, cells)
        # glassgrad's names -> this model's (they differ only for the LSTMCell variant)
        self.names = {k: _cell_name(k) if cells else k for k in state}
        self.model.load_state_dict(
            {self.names[k]: torch.from_numpy(v.copy()) for k, v in state.items()}
        )
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=LEARNING_RATE)
        self.cross_entropy = torch.nn.functional.cross_entropy
        self.X, self.y = torch.from_numpy(X), torch.from_numpy(y.reshape(-1))

    def state(self) -> dict[str, np.ndarray]:
        theirs = self.model.state_dict()
        return {k: theirs[name].detach().numpy().copy() for k, name in self.names.items()}

    def grads(self) -> dict[str, np.ndarray]:
        theirs = dict(self.model.named_parameters())
        return {k: theirs[name].grad.numpy().copy() for k, name in self.names.items()}

    def step(self) -> tuple[float, dict[str, float]]:
        return timed_step(self)


def _cell_name(name: str) -> str:
    """``lstm.weight_ih_l0`` -> ``lstm.cell.weight_ih`` (torch.nn.LSTMCell's names)."""
    if name.startswith("lstm."):
        return "lstm.cell." + name[len("lstm.") :].removesuffix("_l0")
    return name


# ---------------------------------------------------------------------------------- checks
def check_same_step(engines: dict[str, Any]) -> dict[str, str]:
    """One step of every engine from the same weights; per peer, '' if its loss and
    gradients agree with glassgrad's, else what differs."""
    losses, grads = {}, {}
    for name, engine in engines.items():
        losses[name], _ = engine.step()
        grads[name] = engine.grads()
    problems = {}
    for name in engines:
        if name == "glassgrad":
            continue
        differ = []
        if not np.isclose(losses[name], losses["glassgrad"], rtol=LOSS_RTOL, atol=0):
            differ.append(f"loss {losses[name]!r} vs glassgrad's {losses['glassgrad']!r}")
        for key, value in grads["glassgrad"].items():
            theirs = grads[name][key]
            worst = float(np.max(np.abs(theirs - value)))
            if not worst <= GRAD_RTOL * float(np.max(np.abs(theirs))) + 1e-7:
                differ.append(f"the gradient of {key} differs by {worst:.2e}")
        problems[name] = "; ".join(differ)
    problems["losses"] = ", ".join(f"{n} {v:.6f}" for n, v in losses.items())
    return problems


# ---------------------------------------------------------------------------------- the rows
def run_case(case: Case, quick: bool) -> list[Row]:
    """Time one model with both engines, interleaved; return its rows."""
    X, y = make_data(case)
    gg = Glassgrad(case, X, y)
    engines: dict[str, Any] = {"glassgrad": gg}
    torch = peers.torch()
    if torch is not None:
        engines["torch"] = Torch(torch, case, X, y, gg.state())
        if case.model == "lstm":
            engines["torch cells"] = Torch(torch, case, X, y, gg.state(), cells=True)
    agreement = check_same_step(engines)
    repeats = 3 if quick else 21
    steps = max(1, case.steps // 5) if quick else case.steps
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
    gg, th = timings["glassgrad"], timings.get("torch")
    torch_name = peers.label("torch")

    def ms(phases: dict[str, Timing] | None, phase: str) -> float | None:
        return None if phases is None else phases[phase].median * 1e3

    if "torch" in agreement:
        problem = agreement["torch"]
        same = "same loss and gradients as glassgrad on the first step" + (
            f" — NO: {problem}" if problem else ""
        )
    else:
        same = "torch not installed"
    threads = peers.threads()
    thread_note = f"{threads} thread(s) for BLAS and torch" if threads else "default threads"
    peer_layer = "torch.nn.LSTM (fused kernel)" if case.model == "lstm" else "torch.nn layers"
    rows = [
        Row(
            NAME,
            f"time per step, {case.label}",
            "ms",
            ms(gg, "step"),
            torch_name,
            ms(th, "step"),
            max_ratio=MAX_RATIO,
            note=f"median of {repeats} repeats of {steps} steps, engines interleaved, gc off "
            f"while timed; {thread_note}; peer: {peer_layer}; {same} "
            f"(first-step losses: {agreement['losses']})",
        ),
    ]
    rows += [
        Row(NAME, f"  {phase}", "ms", ms(gg, phase), torch_name, ms(th, phase)) for phase in PHASES
    ]
    if "torch cells" in timings:
        problem = agreement["torch cells"]
        rows.append(
            Row(
                NAME,
                "  vs PyTorch stepping torch.nn.LSTMCell",
                "ms",
                ms(gg, "step"),
                f"{torch_name}, LSTMCell loop",
                ms(timings["torch cells"], "step"),
                note="the same step-by-step graph glassgrad builds, for reference; "
                + ("same loss and gradients" if not problem else f"NO: {problem}"),
            )
        )
    return rows


def run(quick: bool = False, cases: Sequence[Case] = CASES) -> list[Row]:
    """Time every case (both models by default; smaller ``Case``s make a smoke test)."""
    rows: list[Row] = []
    for case in cases:
        rows += run_case(case, quick)
    return rows
