"""scalar-moons: micrograd's demo step, in glassgrad's scalar Values and in micrograd.

An MLP 2→16→16→1 made of scalar Values (ReLU hidden layers, linear output) scores 100
two-moons points; the loss is the mean hinge loss relu(1 − y·score) plus 1e-4·Σp²; one step is
the forward pass, ``backward()`` and a plain SGD update ``p.data -= lr·p.grad``. As in
micrograd's demo, each step wraps the inputs in Values once (constants for glassgrad), so both
engines build exactly the same graph, node for node — checked at every run: same node count,
same loss from the same weights — and the time per step divides into a time per node.
glassgrad's backward skips the constant nodes and micrograd visits them all: that difference
belongs to the engines and is kept.

glassgrad's model is ``nn.scalar.MLP`` when it imports, else :class:`InlineMLP`, a stand-in of
the same shape written with ``autograd.Value``; with nn.scalar present, the stand-in is timed
too (a row of its own), separating the engine from what ``nn.Module`` adds.

Target (issue 10): at most 0.5× micrograd's time per step (the engine alone, collector off).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from autograd import Value
from benchmarks import peers
from benchmarks.report import Row
from benchmarks.timing import interleaved, now

NAME = "scalar-moons"
SUMMARY = "one forward + backward + SGD step of micrograd's 2→16→16→1 scalar MLP on 100 moons"

N_IN, LAYER_SIZES = 2, [16, 16, 1]
N_POINTS = 100
ALPHA = 1e-4  # weight of the L2 penalty
LEARNING_RATE = 0.05
SEED = 0
MAX_RATIO = 0.5


def make_moons(n: int = N_POINTS, noise: float = 0.1, seed: int = SEED) -> tuple[list, list]:
    """Two interleaved half circles with Gaussian noise; labels −1 and +1 (plain numpy).

    Returns Python lists (rows of two floats, and float labels), as both engines take them.
    """
    rng = np.random.default_rng(seed)
    n_outer = n // 2
    t_outer = np.linspace(0.0, np.pi, n_outer)
    t_inner = np.linspace(0.0, np.pi, n - n_outer)
    outer = np.stack([np.cos(t_outer), np.sin(t_outer)], axis=1)
    inner = np.stack([1.0 - np.cos(t_inner), 0.5 - np.sin(t_inner)], axis=1)
    X = np.concatenate([outer, inner]) + rng.normal(scale=noise, size=(n, 2))
    y = np.concatenate([-np.ones(n_outer), np.ones(n - n_outer)])
    order = rng.permutation(n)
    return X[order].tolist(), y[order].tolist()


# ------------------------------------------------------------------ glassgrad's scalar MLP
# A stand-in with micrograd's shape, written with autograd.Value, until nn.scalar lands;
# glassgrad_mlp() then switches to nn.scalar.MLP by itself.


class _Neuron:
    def __init__(self, nin: int, nonlin: bool) -> None:
        self.w = [Value(0.0) for _ in range(nin)]
        self.b = Value(0.0)
        self.nonlin = nonlin

    def __call__(self, x: Sequence[Value]) -> Value:
        act = sum((wi * xi for wi, xi in zip(self.w, x, strict=True)), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self) -> list[Value]:
        return self.w + [self.b]


class _Layer:
    def __init__(self, nin: int, nout: int, nonlin: bool) -> None:
        self.neurons = [_Neuron(nin, nonlin) for _ in range(nout)]

    def __call__(self, x: Sequence[Value]) -> Any:
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]


class InlineMLP:
    """micrograd's MLP in glassgrad Values: ReLU on every layer but the last."""

    def __init__(self, nin: int, nouts: list[int]) -> None:
        sizes = [nin] + nouts
        self.layers = [
            _Layer(sizes[i], sizes[i + 1], nonlin=i != len(nouts) - 1) for i in range(len(nouts))
        ]

    def __call__(self, x: Sequence[Value]) -> Any:
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = None


def glassgrad_mlp(nin: int, nouts: list[int]) -> tuple[Any, str]:
    """The model under test and its name: ``nn.scalar.MLP`` once it exists, else the stand-in."""
    try:
        from nn.scalar import MLP
    except ImportError:
        return InlineMLP(nin, nouts), "inline stand-in for nn.scalar.MLP"
    return MLP(nin, nouts), "nn.scalar.MLP"


# ------------------------------------------------------------------ the step, for any engine


def forward(model: Any, rows: list, labels: list, wrap: Callable[[float], Any]) -> Any:
    """micrograd's demo loss: mean hinge loss over the points plus ALPHA·Σp² (the graph)."""
    inputs = [[wrap(v) for v in row] for row in rows]
    scores = [model(x) for x in inputs]
    losses = [(1 + -yi * score).relu() for yi, score in zip(labels, scores, strict=True)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * sum(p * p for p in model.parameters())
    return data_loss + reg_loss


def backward(model: Any, loss: Any) -> None:
    model.zero_grad()
    loss.backward()


def sgd_update(model: Any) -> None:
    for p in model.parameters():
        p.data -= LEARNING_RATE * p.grad


def train_step(model: Any, rows: list, labels: list, wrap: Callable[[float], Any]) -> Any:
    """One step: forward, backward, SGD. Returns the loss node, so the caller decides when
    the graph is freed."""
    loss = forward(model, rows, labels, wrap)
    backward(model, loss)
    sgd_update(model)
    return loss


def _phases(model: Any, rows: list, labels: list, wrap: Callable[[float], Any]) -> Callable:
    """One timed step split into its phases, then the graph's release (``del`` and
    ``gc.collect()``: glassgrad's graph is freed by reference counting at ``del``, micrograd's
    holds reference cycles that only the collector frees)."""

    def run() -> dict[str, float]:
        t0 = now()
        loss = forward(model, rows, labels, wrap)
        t1 = now()
        backward(model, loss)
        t2 = now()
        sgd_update(model)
        t3 = now()
        del loss
        gc.collect()
        t4 = now()
        return {
            "forward": t1 - t0,
            "backward": t2 - t1,
            "update": t3 - t2,
            "step": t3 - t0,
            "free": t4 - t3,
        }

    return run


def _training_loop(model: Any, rows: list, labels: list, wrap: Callable, steps: int) -> Callable:
    """``steps`` consecutive steps as a training loop runs them: the collector on, each graph
    dropped when the next step starts. Reports the time per step, graph release included."""

    def run() -> dict[str, float]:
        start = now()
        for _ in range(steps):
            loss = train_step(model, rows, labels, wrap)
            del loss
        return {"loop": (now() - start) / steps}

    return run


def count_nodes(root: Any, children: Callable[[Any], Iterable[Any]]) -> int:
    """How many distinct nodes lead to ``root`` (itself included), walked iteratively."""
    seen = {id(root)}
    stack = [root]
    while stack:
        for child in children(stack.pop()):
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return len(seen)


def _set_weights(params: list, values: np.ndarray) -> None:
    if len(params) != len(values):
        raise RuntimeError(
            f"scalar-moons: the model has {len(params)} parameters, expected {len(values)}"
        )
    for p, v in zip(params, values, strict=True):
        p.data = float(v)


def _check_same_graph(loss: Any, nodes: int, ref_loss: float, ref_nodes: int) -> str:
    agree = abs(float(loss) - ref_loss) <= 1e-9 * max(1.0, abs(ref_loss))
    if agree and nodes == ref_nodes:
        return "same graph (equal node counts and loss)"
    return f"GRAPHS DIFFER: {nodes} nodes, loss {float(loss)!r} vs {ref_nodes} and {ref_loss!r}"


def run(quick: bool = False) -> list[Row]:
    repeats = 3 if quick else 21
    rows, labels = make_moons()
    n_params = sum((a + 1) * b for a, b in zip([N_IN] + LAYER_SIZES[:-1], LAYER_SIZES, strict=True))
    weights = np.random.default_rng(SEED).uniform(-1.0, 1.0, size=n_params)
    gg_wrap = lambda v: Value(v, requires_grad=False)

    # glassgrad's model, and the inline one too when that is nn.scalar.MLP: the difference
    # is what nn.Module adds on top of the engine.
    models: dict[str, tuple[Any, Callable[[float], Any]]] = {}
    gg_model, gg_name = glassgrad_mlp(N_IN, LAYER_SIZES)
    models["glassgrad"] = (gg_model, gg_wrap)
    if not isinstance(gg_model, InlineMLP):
        models["inline"] = (InlineMLP(N_IN, LAYER_SIZES), gg_wrap)
    loaded = peers.micrograd()
    if loaded is not None:
        engine, mg_nn = loaded
        models["micrograd"] = (mg_nn.MLP(N_IN, LAYER_SIZES), engine.Value)

    # One step from the same weights: every engine must build the same graph.
    nodes: dict[str, int] = {}
    same = ""
    for name, (model, wrap) in models.items():
        _set_weights(model.parameters(), weights)
        loss = train_step(model, rows, labels, wrap)
        children = (lambda v: v._prev) if name == "micrograd" else (lambda v: v.parents)
        nodes[name] = count_nodes(loss, children)
        if name == "glassgrad":
            reference = float(loss.data)
        else:
            check = _check_same_graph(loss.data, nodes[name], reference, nodes["glassgrad"])
            same = check if not same or "DIFFER" in check else same
        del loss

    timings = interleaved(
        {name: _phases(model, rows, labels, wrap) for name, (model, wrap) in models.items()},
        repeats=repeats,
    )
    loop_steps = 2 if quick else 5
    loops = interleaved(
        {
            name: _training_loop(model, rows, labels, wrap, loop_steps)
            for name, (model, wrap) in models.items()
            if name != "inline"
        },
        repeats=1 if quick else 3,
        warmup=0,  # the models are warm from the runs above
        disable_gc=False,
    )
    gg = timings["glassgrad"] | loops["glassgrad"]
    mg = timings["micrograd"] | loops["micrograd"] if "micrograd" in timings else None
    gg_nodes = nodes["glassgrad"]
    mg_nodes = nodes.get("micrograd")
    peer = peers.label("micrograd")

    def peer_ms(phase: str) -> float | None:
        return None if mg is None else mg[phase].median * 1e3

    def peer_us_per_node() -> float | None:
        return None if mg is None or not mg_nodes else mg["step"].median * 1e6 / mg_nodes

    result = [
        Row(
            NAME,
            "time per step",
            "ms",
            gg["step"].median * 1e3,
            peer,
            peer_ms("step"),
            max_ratio=MAX_RATIO,
            note=f"glassgrad model: {gg_name}; median of {repeats} "
            "steps, engines interleaved, gc off while timed",
        ),
    ]
    if "inline" in timings:
        result.append(
            Row(
                NAME,
                "  same, engine alone (no nn.Module)",
                "ms",
                timings["inline"]["step"].median * 1e3,
                peer,
                peer_ms("step"),
                note="the inline stand-in (plain Values and lists, no nn.Module), to compare "
                "with nn.scalar.MLP in the row above",
            )
        )
    result += [
        Row(NAME, "nodes per step", "", gg_nodes, peer, mg_nodes, note=same),
        Row(
            NAME,
            "time per node",
            "µs",
            gg["step"].median * 1e6 / gg_nodes,
            peer,
            peer_us_per_node(),
        ),
        Row(
            NAME,
            "  forward (build graph)",
            "ms",
            gg["forward"].median * 1e3,
            peer,
            peer_ms("forward"),
        ),
        Row(NAME, "  backward", "ms", gg["backward"].median * 1e3, peer, peer_ms("backward")),
        Row(NAME, "  SGD update", "ms", gg["update"].median * 1e3, peer, peer_ms("update")),
        Row(
            NAME,
            "free the graph (not in step)",
            "ms",
            gg["free"].median * 1e3,
            peer,
            peer_ms("free"),
            note="del + gc.collect(): glassgrad's graph is freed by reference "
            "counting at del, micrograd's cycles only by the collector",
        ),
        Row(
            NAME,
            "time per step in a training loop",
            "ms",
            gg["loop"].median * 1e3,
            peer,
            peer_ms("loop"),
            note=f"{loop_steps} consecutive steps with the collector on and "
            "each graph dropped, as a real loop runs: freeing the graphs is included",
        ),
    ]
    return result
