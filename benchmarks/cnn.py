"""cnn: one training step of a small convolutional network on 8×8 images, and the convolution
alone, forward and backward.

The network (float32, batch 64, images 1×8×8 like the shipped digits)::

    conv 1→8 3×3 → ReLU → max-pool 2 → conv 8→16 3×3 → ReLU → flatten → linear 16→10

with the mean softmax cross-entropy against integer labels and SGD with momentum 0.9 (lr 0.01).
The data are fixed random numbers (the step's cost does not depend on what they mean).

Three engines take the same step from the same weights:

- glassgrad: ``nn.Sequential`` of ``nn.Conv2d``/``nn.ReLU``/``nn.MaxPool2d``/... +
  ``nn.F.cross_entropy`` + ``optim.SGD``;
- PyTorch eager: the same layers from ``torch.nn``, glassgrad's initial ``state_dict`` copied in;
- plain numpy by hand — the floor: im2col with ``sliding_window_view`` and one matmul per
  convolution, the pooling as a reshape, a hand-derived backward (∂W = Gᵀ·cols, col2im for the
  second convolution's input gradient, the max mask through the pooling, the ReLU masks), and
  the momentum update in place.

Before timing, every engine takes one step from the same weights: the losses must agree
(float32, relative 1e-5) and so must the updated weights (absolute 1e-5), or the row says so.

The convolution alone: ``conv2d`` of a (64, 8, 8, 8) batch with a 16×8×3×3 kernel, padding 1,
forward, then backward for the input, the weight and the bias, against PyTorch.

Targets (issue 14): a training step ≤ 1.5× PyTorch's time and ≤ 1.5× the numpy floor's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from benchmarks import peers
from benchmarks.report import Row
from benchmarks.tensor_mlp import PHASES, TorchStep, check_same_step, timed, timed_step
from benchmarks.timing import interleaved, now

NAME = "cnn"
SUMMARY = (
    "one SGD-momentum step of a small float32 CNN on 8×8 images (conv 1→8, max-pool, "
    "conv 8→16, linear), batch 64, and conv2d alone forward/backward; vs PyTorch and numpy"
)

LEARNING_RATE = 0.01
MOMENTUM = 0.9
CLASSES = 10
SEED = 0
BATCH = 64
STEPS = 50  # steps per timed repeat
CONV_SHAPE = (64, 8, 8, 8)  # the standalone convolution's input
CONV_OUT = 16
MAX_TORCH = 1.5
MAX_FLOOR = 1.5


def make_data(batch: int = BATCH, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """A fixed batch: standard normal float32 images (N, 1, 8, 8) and integer labels 0..9."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((batch, 1, 8, 8)).astype(np.float32), rng.integers(0, 10, batch)


# ---------------------------------------------------------------------------------- engines
class Glassgrad:
    """glassgrad's step, written as a user writes it."""

    def __init__(self, X: np.ndarray, y: np.ndarray) -> None:
        import autograd
        import nn
        import optim

        autograd.manual_seed(SEED)
        self.model = nn.Sequential(
            nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3), nn.ReLU(), nn.Flatten(), nn.Linear(16, CLASSES),
        )  # fmt: skip
        self.optimizer = optim.SGD(self.model.parameters(), lr=LEARNING_RATE, momentum=MOMENTUM)
        self.cross_entropy = nn.F.cross_entropy
        self.X, self.y = X, y

    def state(self) -> dict[str, np.ndarray]:
        return {name: value.copy() for name, value in self.model.state_dict().items()}

    def step(self) -> tuple[float, dict[str, float]]:
        return timed_step(self)


class Torch(TorchStep):
    """PyTorch eager's CNN, from the given weights (a glassgrad ``state_dict``)."""

    def __init__(self, torch: Any, X: np.ndarray, y: np.ndarray, state: dict[str, np.ndarray]):
        tnn = torch.nn
        model = tnn.Sequential(
            tnn.Conv2d(1, 8, 3), tnn.ReLU(), tnn.MaxPool2d(2),
            tnn.Conv2d(8, 16, 3), tnn.ReLU(), tnn.Flatten(), tnn.Linear(16, CLASSES),
        )  # fmt: skip
        super().__init__(torch, model, X, y, state)


def _im2col(x: np.ndarray, k: int) -> np.ndarray:
    """Rows = the k×k windows (stride 1, no padding) of x (N, C, H, W): (N·OH·OW, k·k·C),
    channels innermost (the layout that copies fastest)."""
    n, c = x.shape[:2]
    xt = np.ascontiguousarray(x.transpose(0, 2, 3, 1))  # (N, H, W, C)
    view = np.lib.stride_tricks.sliding_window_view(xt, (k, k), axis=(1, 2))  # N OH OW C k k
    oh, ow = view.shape[1:3]
    return view.transpose(0, 1, 2, 4, 5, 3).reshape(n * oh * ow, k * k * c)


class NumpyByHand:
    """The same step in plain numpy with a hand-derived backward: the floor.

    Forward: z₁ = conv(X, W₁) + b₁ (im2col · W₁ᵀ), a₁ = relu(z₁) (N, 8, 6, 6), p = 2×2 max of a₁
    (N, 8, 3, 3), z₂ = conv(p, W₂) + b₂ (N, 16, 1, 1), a₂ = relu(z₂) flattened, z₃ = a₂ W₃ᵀ + b₃,
    loss = mean(logsumexp(z₃) − z₃[y]). Backward from g = (softmax(z₃) − onehot(y)) / N through
    the linear layer, the ReLU mask, the second convolution (∂W₂ = Gᵀ·cols₂, ∂cols₂ = G·W₂, then
    col2im), the pooling (to each window's maximum) and the first ReLU, to ∂W₁ = Gᵀ·cols₁.
    Momentum: b ← μ b + ∂W, W ← W − lr·b, in place.
    """

    KEYS = ("0.weight", "0.bias", "3.weight", "3.bias", "6.weight", "6.bias")

    def __init__(self, X: np.ndarray, y: np.ndarray, state: dict[str, np.ndarray]) -> None:
        self.params = [state[k].copy() for k in self.KEYS]
        self.buffers: list[np.ndarray | None] = [None] * len(self.params)
        self.X, self.y = X, y
        self.rows = np.arange(len(y))
        self.lr, self.momentum = np.float32(LEARNING_RATE), np.float32(MOMENTUM)

    def state(self) -> dict[str, np.ndarray]:
        return {k: p.copy() for k, p in zip(self.KEYS, self.params, strict=True)}

    def step(self) -> tuple[float, dict[str, float]]:
        w1, b1, w2, b2, w3, b3 = self.params
        X, y, rows = self.X, self.y, self.rows
        n = len(y)
        t0 = now()
        cols1 = _im2col(X, 3)  # recomputed each step, as every engine does
        z1 = cols1 @ w1.transpose(0, 2, 3, 1).reshape(8, -1).T  # (N·36, 8)
        z1 += b1
        np.maximum(z1, 0, out=z1)
        a1 = z1.reshape(n, 6, 6, 8).transpose(0, 3, 1, 2)  # (N, 8, 6, 6)
        corners = [a1[:, :, p::2, q::2] for p in (0, 1) for q in (0, 1)]  # 2×2 windows
        pooled = np.maximum(np.maximum(corners[0], corners[1]), np.maximum(corners[2], corners[3]))
        cols2 = _im2col(pooled, 3)  # (N, 72)
        w2mat = w2.transpose(0, 2, 3, 1).reshape(16, -1)  # (O, k·k·C), as the rows of cols2
        z2 = cols2 @ w2mat.T
        z2 += b2
        np.maximum(z2, 0, out=z2)  # (N, 16) = flatten of (N, 16, 1, 1)
        z3 = z2 @ w3.T
        z3 += b3
        top = z3.max(axis=1, keepdims=True)
        exp = np.exp(z3 - top)
        total = exp.sum(axis=1, keepdims=True)
        loss = np.mean(np.log(total[:, 0]) + top[:, 0] - z3[rows, y])
        t1 = now()
        g = exp
        g /= total
        g[rows, y] -= 1
        g /= n
        dw3, db3 = g.T @ z2, g.sum(axis=0)
        g = g @ w3
        g *= z2 > 0
        dw2 = (g.T @ cols2).reshape(16, 3, 3, 8).transpose(0, 3, 1, 2)
        db2 = g.sum(axis=0)
        dcols2 = (g @ w2mat).reshape(n, 1, 1, 3, 3, 8)
        dpooled = np.zeros((n, 8, 3, 3), np.float32)  # col2im: one window per image here
        for p in range(3):
            for q in range(3):
                piece = dcols2[:, :, :, p, q, :].transpose(0, 3, 1, 2)
                dpooled[:, :, p : p + 1, q : q + 1] += piece
        da1 = np.zeros((n, 8, 6, 6), np.float32)
        claimed = np.zeros(pooled.shape, bool)
        for k, (p, q) in enumerate(((0, 0), (0, 1), (1, 0), (1, 1))):  # to each window's max
            wins = (corners[k] == pooled) & ~claimed  # the first maximum on a tie
            claimed |= wins
            da1[:, :, p::2, q::2] = dpooled * wins
        da1 *= a1 > 0
        g1 = da1.transpose(0, 2, 3, 1).reshape(n * 36, 8)
        dw1 = (g1.T @ cols1).reshape(8, 3, 3, 1).transpose(0, 3, 1, 2)
        db1 = g1.sum(axis=0)
        t2 = now()
        for j, (p, grad) in enumerate(
            zip(self.params, (dw1, db1, dw2, db2, dw3, db3), strict=True)
        ):
            buf = self.buffers[j]
            if buf is None:
                buf = self.buffers[j] = grad
            else:
                buf *= self.momentum
                buf += grad
            p -= self.lr * buf
        t3 = now()
        return float(loss), {"forward": t1 - t0, "backward": t2 - t1, "update": t3 - t2}


# ---------------------------------------------------------------------- conv2d on its own
def conv_runs(torch: Any | None, steps: int) -> dict[str, Any]:
    """Forward and backward of conv2d alone (input, weight and bias gradients), per engine."""
    import autograd
    from autograd import Value

    rng = np.random.default_rng(SEED)
    x = rng.standard_normal(CONV_SHAPE).astype(np.float32)
    w = (rng.standard_normal((CONV_OUT, CONV_SHAPE[1], 3, 3)) * 0.1).astype(np.float32)
    b = np.zeros(CONV_OUT, np.float32)
    g = rng.standard_normal((CONV_SHAPE[0], CONV_OUT, *CONV_SHAPE[2:])).astype(np.float32)
    X, W, B = Value(x), Value(w), Value(b)

    def ours() -> dict[str, float]:
        fwd = bwd = 0.0
        for _ in range(steps):
            X.grad = W.grad = B.grad = None
            t0 = now()
            out = autograd.conv2d(X, W, B, 1, 1)
            t1 = now()
            out.backward(g)
            t2 = now()
            fwd, bwd = fwd + t1 - t0, bwd + t2 - t1
        return {"forward": fwd / steps, "backward": bwd / steps}

    runs: dict[str, Any] = {"glassgrad": ours}
    if torch is not None:
        tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
        tg = torch.from_numpy(g)

        def theirs() -> dict[str, float]:
            fwd = bwd = 0.0
            for _ in range(steps):
                tx.grad = tw.grad = tb.grad = None
                t0 = now()
                out = torch.nn.functional.conv2d(tx, tw, tb, 1, 1)
                t1 = now()
                out.backward(tg)
                t2 = now()
                fwd, bwd = fwd + t1 - t0, bwd + t2 - t1
            return {"forward": fwd / steps, "backward": bwd / steps}

        runs["torch"] = theirs
    return runs


# ---------------------------------------------------------------------------------- the rows
def run(quick: bool = False, batch: int = BATCH) -> list[Row]:
    """Time the CNN step with every engine, interleaved, and conv2d alone; return the rows."""
    X, y = make_data(batch)
    gg = Glassgrad(X, y)
    start = gg.state()
    engines: dict[str, Any] = {"glassgrad": gg, "numpy": NumpyByHand(X, y, start)}
    torch = peers.torch()
    if torch is not None:
        engines["torch"] = Torch(torch, X, y, start)
    agreement = check_same_step(engines)
    repeats = 5 if quick else 31
    steps = 10 if quick else STEPS
    timings = interleaved(
        {name: timed(engine, steps) for name, engine in engines.items()},
        repeats=repeats,
        warmup=1,
    )
    conv = interleaved(conv_runs(torch, steps), repeats=repeats, warmup=1)

    gg_t, floor, th = timings["glassgrad"], timings["numpy"], timings.get("torch")
    torch_name, floor_name = peers.label("torch"), "numpy by hand (floor)"

    def us(phases: Any, phase: str) -> float | None:
        return None if phases is None else phases[phase].median * 1e6

    def same(peer: str) -> str:
        if peer not in agreement:
            return "torch not installed"
        problem = agreement[peer]
        return "same loss and updated weights as glassgrad on the first step" + (
            f" — NO: {problem}" if problem else ""
        )

    threads = peers.threads()
    thread_note = f"{threads} thread(s) for BLAS and torch" if threads else "default threads"
    label = f"batch {batch}"
    rows = [
        Row(
            NAME, f"time per step, {label}", "µs", us(gg_t, "step"), torch_name, us(th, "step"),
            max_ratio=MAX_TORCH,
            note=f"median of {repeats} repeats of {steps} steps, engines interleaved, gc off "
            f"while timed; {thread_note}; {same('torch')} "
            f"(first-step losses: {agreement['losses']})",
        ),
    ]  # fmt: skip
    rows += [
        Row(NAME, f"  {phase}", "µs", us(gg_t, phase), torch_name, us(th, phase))
        for phase in PHASES
    ]
    rows.append(
        Row(
            NAME, f"time per step vs the floor, {label}", "µs", us(gg_t, "step"), floor_name,
            us(floor, "step"), max_ratio=MAX_FLOOR,
            note=f"plain numpy, im2col + matmul, backward by hand; {same('numpy')}",
        )
    )  # fmt: skip
    rows += [
        Row(NAME, f"  {phase}", "µs", us(gg_t, phase), floor_name, us(floor, phase))
        for phase in PHASES
    ]
    shape = "×".join(map(str, CONV_SHAPE))
    for phase in ("forward", "backward"):
        rows.append(
            Row(
                NAME, f"conv2d {phase} alone, {shape} ∗ {CONV_OUT}×8×3×3, padding 1", "µs",
                us(conv["glassgrad"], phase), torch_name, us(conv.get("torch"), phase),
                note="backward: input, weight and bias gradients" if phase == "backward" else "",
            )
        )  # fmt: skip
    return rows
