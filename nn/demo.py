"""A tour of ``nn`` in a few seconds: ``python -m nn.demo`` (what ``make demo`` runs).

1. Logic gates as hand-set perceptrons, and XOR as a network of them.
2. Handwritten digits: an MLP 64→128→64→10 trained with ``nn.fit`` (Adam, mini-batches of 32,
   early stopping on a validation split), then scored on test digits it has never seen.
3. Saving the trained network and loading it into a fresh one.
"""

from __future__ import annotations

import os
import tempfile
import time

import numpy as np

import autograd
import nn
import optim


def logic_gates() -> None:
    print("1. Logic gates (hand-set perceptrons); XOR = AND(OR, NOT AND)")
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    print("   a b | AND OR XOR")
    table = zip(
        X, nn.logic.AND.predict(X), nn.logic.OR.predict(X), nn.logic.XOR.predict(X), strict=True
    )
    for (a, b), and_, or_, xor in table:
        print(f"   {a} {b} |  {and_}   {or_}   {xor}")


def train_digits() -> tuple[nn.MLP, np.ndarray]:
    print("\n2. Handwritten digits (UCI optical digits, 8×8 pixels, 1,797 images)")
    X, y = nn.data.load_digits()
    (X_train, y_train), (X_val, y_val), (X_test, y_test) = nn.data.train_val_test_split(
        X, y, val=0.1, test=0.2, stratify=True, seed=0
    )
    scaler = nn.data.Standardizer().fit(X_train)  # statistics of the training part only
    X_train, X_val, X_test = (scaler.transform(part) for part in (X_train, X_val, X_test))
    print(f"   {len(X_train)} training, {len(X_val)} validation, {len(X_test)} test images")

    model = nn.MLP(64, [128, 64, 10])
    print("   " + repr(model).replace("\n", "\n   "))
    print(f"   {model.num_parameters():,} parameters")
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    stopper = nn.EarlyStopping(patience=5)
    start = time.perf_counter()
    history = nn.fit(
        model,
        nn.F.cross_entropy,
        optimizer,
        nn.data.DataLoader(X_train, y_train, batch_size=32),
        val=(X_val, y_val),
        epochs=30,
        callbacks=[stopper],
        metrics={"accuracy": nn.accuracy},
    )
    seconds = time.perf_counter() - start
    best = history.restored_epoch
    print(
        f"   trained {len(history['loss'])} epochs in {seconds:.1f} s; "
        + (
            f"kept the weights of epoch {best} (validation loss "
            f"{history['val_loss'][best - 1]:.4f})"
            if best is not None
            else f"final validation loss {history['val_loss'][-1]:.4f}"
        )
    )
    with autograd.no_grad():
        accuracy = nn.accuracy(model(X_test), y_test)
    print(f"   test accuracy: {accuracy:.1%} on {len(X_test)} unseen digits")
    return model, X_test[:5]


def save_and_load(model: nn.MLP, X: np.ndarray) -> None:
    print("\n3. Save and load (atomic .npz, no pickle)")
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "digits.npz")
        nn.save(model, path)
        fresh = nn.load(nn.MLP(64, [128, 64, 10]), path)
        with autograd.no_grad():
            same = np.array_equal(model(X).numpy(), fresh(X).numpy())
        print(
            f"   saved {os.path.getsize(path):,} bytes; the reloaded model gives the same "
            f"outputs: {same}"
        )


def main() -> None:
    start = time.perf_counter()
    autograd.manual_seed(0)
    logic_gates()
    model, X = train_digits()
    save_and_load(model, X)
    print(f"\ndone in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
