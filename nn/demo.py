"""A tour of ``nn`` in a few seconds: ``python -m nn.demo`` (what ``make demo`` runs).

1. Logic gates as perceptrons, and XOR as a network of them.
2. A perceptron learning a linearly separable problem with the perceptron rule.
3. An MLP learning the two-moons problem by backpropagation and gradient descent.
4. Saving the trained MLP and loading it into a fresh one.
"""

from __future__ import annotations

import os
import tempfile
import time

import numpy as np

import autograd
import nn


def logic_gates() -> None:
    print("1. Logic gates (hand-set perceptrons); XOR = AND(OR, NOT AND)")
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    print("   a b | AND OR XOR")
    table = zip(
        X, nn.logic.AND.predict(X), nn.logic.OR.predict(X), nn.logic.XOR.predict(X), strict=True
    )
    for (a, b), and_, or_, xor in table:
        print(f"   {a} {b} |  {and_}   {or_}   {xor}")


def perceptron_rule() -> None:
    print("\n2. The perceptron rule on separable data (label: x1 + 2·x2 > 0.5)")
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, size=(200, 2))
    y = (X[:, 0] + 2 * X[:, 1] > 0.5).astype(int)
    p = nn.Perceptron(2)
    mistakes = p.fit(X, y, lr=1.0, epochs=100)
    accuracy = (p.predict(X) == y).mean()
    print(f"   mistakes per epoch: {mistakes}")
    print(
        f"   learned w = {np.round(p.weight.data, 2)}, b = {float(p.bias.data):.2f}; "
        f"accuracy {accuracy:.0%}"
    )


def train_mlp() -> nn.MLP:
    print("\n3. An MLP on two moons, trained by backpropagation")
    X, y = nn.data.make_moons(n=400, noise=0.1, seed=0)
    model = nn.MLP(2, [16, 16, 2], activation="relu")
    print("   " + repr(model).replace("\n", "\n   "))
    params = model.parameters()
    try:
        from optim import SGD

        optimizer = SGD(params, lr=0.3, momentum=0.9)
    except ImportError:  # optim not available: plain gradient descent, written out
        optimizer = None
    for epoch in range(201):
        loss = nn.F.cross_entropy(model(X), y)
        model.zero_grad()
        loss.backward()
        if optimizer is not None:
            optimizer.step()
        else:
            for p in params:
                p.data -= 0.3 * p.grad
        if epoch % 50 == 0:
            print(f"   epoch {epoch:3d}  cost {loss.item():.4f}")
    X_test, y_test = nn.data.make_moons(n=400, noise=0.1, seed=1)  # fresh points
    with autograd.no_grad():
        train_accuracy = (model(X).numpy().argmax(axis=1) == y).mean()
        test_accuracy = (model(X_test).numpy().argmax(axis=1) == y_test).mean()
    print(
        f"   accuracy: {train_accuracy:.1%} on the training points, {test_accuracy:.1%} on "
        "400 new ones"
    )
    return model


def save_and_load(model: nn.MLP) -> None:
    print("\n4. Save and load (atomic .npz, no pickle)")
    X, _ = nn.data.make_moons(n=5, seed=1)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "moons.npz")
        nn.save(model, path)
        fresh = nn.MLP(2, [16, 16, 2])
        nn.load(fresh, path)
        same = np.array_equal(model(X).numpy(), fresh(X).numpy())
        print(
            f"   saved {os.path.getsize(path)} bytes; reloaded model gives the same outputs: {same}"
        )


def main() -> None:
    start = time.perf_counter()
    autograd.manual_seed(0)
    logic_gates()
    perceptron_rule()
    model = train_mlp()
    save_and_load(model)
    print(f"\ndone in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
