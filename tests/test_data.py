"""Tests for nn.data: loader, split, preprocessing, toy sets and the digits."""

from __future__ import annotations

import numpy as np
import pytest

from autograd.random import manual_seed
from nn.data import (
    DataLoader,
    Standardizer,
    load_digits,
    make_circles,
    make_moons,
    make_spirals,
    make_xor,
    one_hot,
    train_val_test_split,
)


def numbered(n: int) -> tuple[np.ndarray, np.ndarray]:
    """``X[i] = (i, -i)`` and ``y[i] = i``, so every batch says which examples it holds."""
    ids = np.arange(n)
    return np.column_stack([ids, -ids]).astype(np.float32), ids


# --- DataLoader ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "batch_size", "drop_last", "sizes"),
    [
        (10, 3, False, [3, 3, 3, 1]),
        (10, 3, True, [3, 3, 3]),
        (9, 3, False, [3, 3, 3]),
        (9, 3, True, [3, 3, 3]),
        (10, 10, False, [10]),  # full batch
        (10, 25, False, [10]),
        (4, 1, False, [1, 1, 1, 1]),  # single-example SGD
    ],
)
def test_loader_batch_count_and_sizes(n, batch_size, drop_last, sizes):
    X, y = numbered(n)
    loader = DataLoader(X, y, batch_size=batch_size, drop_last=drop_last)
    batches = list(loader)
    assert len(loader) == len(sizes) == len(batches)
    assert [len(xb) for xb, _ in batches] == sizes
    assert [len(yb) for _, yb in batches] == sizes


def test_loader_sees_every_example_once_per_epoch_and_keeps_pairs():
    X, y = numbered(103)
    loader = DataLoader(X, y, batch_size=10)
    for _ in range(3):
        seen = []
        for xb, yb in loader:
            np.testing.assert_array_equal(xb[:, 0], yb)  # rows stay paired with labels
            seen.extend(yb.tolist())
        assert sorted(seen) == list(range(103))


def test_loader_without_labels_yields_arrays():
    X, _ = numbered(7)
    batches = list(DataLoader(X, batch_size=3, shuffle=False))
    assert all(isinstance(xb, np.ndarray) for xb in batches)
    np.testing.assert_array_equal(np.concatenate(batches), X)


def test_loader_without_shuffle_keeps_order():
    X, y = numbered(8)
    order = np.concatenate([yb for _, yb in DataLoader(X, y, batch_size=3, shuffle=False)])
    np.testing.assert_array_equal(order, y)


def test_loader_shuffle_is_reproducible_with_manual_seed():
    X, y = numbered(50)
    loader = DataLoader(X, y, batch_size=8)

    def epoch_order():
        return np.concatenate([yb for _, yb in loader])

    manual_seed(123)
    first = [epoch_order(), epoch_order()]
    manual_seed(123)
    again = [epoch_order(), epoch_order()]
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    assert not np.array_equal(first[0], first[1]), "the next epoch should be reshuffled"
    assert not np.array_equal(first[0], y), "shuffle=True should change the order"


def test_loader_batches_are_copies():
    X, y = numbered(6)
    for xb, _ in DataLoader(X, y, batch_size=3, shuffle=False):
        xb[:] = 99
    assert X.max() == 5


def test_loader_handles_images_and_one_hot_targets():
    X = np.zeros((10, 8, 8), dtype=np.float32)
    Y = one_hot(np.arange(10) % 3)
    xb, yb = next(iter(DataLoader(X, Y, batch_size=4)))
    assert xb.shape == (4, 8, 8) and yb.shape == (4, 3)


def test_loader_rejects_mismatched_lengths_naming_both():
    with pytest.raises(ValueError, match=r"X has 5 and y has 4"):
        DataLoader(np.zeros((5, 2)), np.zeros(4))


@pytest.mark.parametrize("batch_size", [0, -3])
def test_loader_rejects_non_positive_batch_size(batch_size):
    with pytest.raises(
        ValueError, match=rf"DataLoader: invalid batch_size={batch_size}; it must be >= 1"
    ):
        DataLoader(np.zeros((5, 2)), batch_size=batch_size)


@pytest.mark.parametrize("batch_size", [2.0, "4", True, None])
def test_loader_rejects_non_int_batch_size(batch_size):
    with pytest.raises(TypeError, match="DataLoader: batch_size must be an int"):
        DataLoader(np.zeros((5, 2)), batch_size=batch_size)


def test_loader_rejects_non_numeric_X():
    with pytest.raises(TypeError, match=r"X must hold numbers, got dtype <U1"):
        DataLoader(np.array([["a", "b"], ["c", "d"]]))
    with pytest.raises(TypeError, match="X must hold numbers, got dtype object"):
        DataLoader(np.array([object(), object()]))


def test_loader_rejects_empty_and_impossible_drop_last():
    with pytest.raises(ValueError, match="X is empty"):
        DataLoader(np.zeros((0, 2)))
    with pytest.raises(ValueError, match="drop_last=True would leave no batch"):
        DataLoader(np.zeros((5, 2)), batch_size=6, drop_last=True)


def test_loader_draws_from_the_shared_generator_at_iteration_time():
    X, y = numbered(30)
    loader = DataLoader(X, y, batch_size=30)
    manual_seed(7)  # after construction: must still take effect
    ((_, first),) = list(loader)
    manual_seed(7)
    ((_, second),) = list(loader)
    np.testing.assert_array_equal(first, second)


# --- train_val_test_split --------------------------------------------------------------------


def test_split_sizes_and_disjoint_cover():
    X, y = numbered(100)
    (Xtr, ytr), (Xva, yva), (Xte, yte) = train_val_test_split(X, y, val=0.1, test=0.2, seed=0)
    assert (len(ytr), len(yva), len(yte)) == (70, 10, 20)
    assert (len(Xtr), len(Xva), len(Xte)) == (70, 10, 20)
    ids = np.concatenate([ytr, yva, yte])
    assert sorted(ids.tolist()) == list(range(100))  # disjoint and nothing lost
    for Xp, yp in [(Xtr, ytr), (Xva, yva), (Xte, yte)]:
        np.testing.assert_array_equal(Xp[:, 0], yp)  # rows stay with their labels


def test_split_stratified_keeps_class_proportions():
    y = np.repeat([0, 1, 2], [600, 300, 100])
    X = np.arange(len(y), dtype=np.float64)[:, None]
    parts = train_val_test_split(X, y, val=0.1, test=0.2, seed=1)
    expected = {0: (420, 60, 120), 1: (210, 30, 60), 2: (70, 10, 20)}
    for label, counts in expected.items():
        got = tuple(int((yp == label).sum()) for _, yp in parts)
        assert all(abs(g - e) <= 1 for g, e in zip(got, counts, strict=True)), (label, got, counts)


def test_split_stratified_beats_chance_on_small_classes():
    # 10 of class 1 in 50: a stratified 20 % test part holds 2 of them, every time.
    y = np.array([0] * 40 + [1] * 10)
    X = np.zeros((50, 1))
    for seed in range(20):
        (_, _), (_, _), (_, yte) = train_val_test_split(X, y, val=0.0, test=0.2, seed=seed)
        assert (yte == 1).sum() == 2


def test_split_parts_are_shuffled():
    y = np.repeat([0, 1], 50)
    X = np.zeros((100, 1))
    (_, ytr), _, _ = train_val_test_split(X, y, seed=0)
    assert np.any(np.diff(ytr) < 0), "training labels should not come sorted by class"


def test_split_seed_reproducible_and_independent_of_shared_generator():
    X, y = numbered(60)
    manual_seed(1)
    a = train_val_test_split(X, y, seed=5)
    manual_seed(2)
    b = train_val_test_split(X, y, seed=5)
    for (_, ya), (_, yb) in zip(a, b, strict=True):
        np.testing.assert_array_equal(ya, yb)


def test_split_seed_none_uses_shared_generator():
    X, y = numbered(60)
    manual_seed(3)
    a = train_val_test_split(X, y)
    manual_seed(3)
    b = train_val_test_split(X, y)
    c = train_val_test_split(X, y)
    np.testing.assert_array_equal(a[0][1], b[0][1])
    assert not np.array_equal(b[0][1], c[0][1])


def test_split_float_targets_fall_back_to_random_split():
    X = np.zeros((40, 2))
    y = np.linspace(0, 1, 40)
    (_, ytr), (_, yva), (_, yte) = train_val_test_split(X, y, seed=0)
    assert (len(ytr), len(yva), len(yte)) == (28, 4, 8)


def test_split_without_validation():
    X, y = numbered(20)
    (_, ytr), (Xva, yva), (_, yte) = train_val_test_split(X, y, val=0, test=0.25, seed=0)
    assert (len(ytr), len(yva), len(yte)) == (15, 0, 5)
    assert Xva.shape == (0, 2)


@pytest.mark.parametrize(("val", "test", "name"), [(-0.1, 0.2, "val"), (0.1, 1.0, "test")])
def test_split_rejects_fractions_out_of_range(val, test, name):
    X, y = numbered(10)
    with pytest.raises(ValueError, match=rf"invalid {name}=.*it must be in \[0, 1\)"):
        train_val_test_split(X, y, val=val, test=test)


def test_split_rejects_no_training_left_and_mismatched_lengths():
    X, y = numbered(10)
    with pytest.raises(ValueError, match="leave no training examples"):
        train_val_test_split(X, y, val=0.5, test=0.5)
    with pytest.raises(ValueError, match="X has 10 and y has 9"):
        train_val_test_split(X, y[:9])
    with pytest.raises(TypeError, match="seed must be None or an int"):
        train_val_test_split(X, y, seed=1.5)


# --- Standardizer ----------------------------------------------------------------------------


def test_standardizer_fit_on_train_gives_zero_mean_unit_std():
    rng = np.random.default_rng(0)
    Xtr = rng.normal(5.0, 3.0, size=(200, 4)) * [1, 10, 0.1, 100]
    scaler = Standardizer().fit(Xtr)
    Z = scaler.transform(Xtr)
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1, atol=1e-12)
    np.testing.assert_allclose(scaler.mean_, Xtr.mean(axis=0))
    np.testing.assert_allclose(scaler.std_, Xtr.std(axis=0))


def test_standardizer_applies_train_statistics_to_other_data():
    Xtr = np.array([[0.0, 10.0], [2.0, 30.0]])  # mean (1, 20), std (1, 10)
    scaler = Standardizer().fit(Xtr)
    np.testing.assert_allclose(scaler.transform([[3.0, 0.0]]), [[2.0, -2.0]])


def test_standardizer_inverse_round_trip_and_fit_transform():
    X = np.random.default_rng(1).normal(size=(30, 3))
    scaler = Standardizer()
    Z = scaler.fit_transform(X)
    np.testing.assert_allclose(Z, scaler.transform(X))
    np.testing.assert_allclose(scaler.inverse_transform(Z), X, atol=1e-12)


def test_standardizer_constant_feature_gets_std_one():
    X = np.array([[1.0, 7.0], [3.0, 7.0], [5.0, 7.0]])
    scaler = Standardizer().fit(X)
    assert scaler.std_[1] == 1.0
    Z = scaler.transform(X)
    assert np.all(np.isfinite(Z))
    np.testing.assert_array_equal(Z[:, 1], 0.0)


def test_standardizer_dtypes():
    X32 = np.arange(12, dtype=np.float32).reshape(6, 2)
    scaler = Standardizer().fit(X32)
    assert scaler.transform(X32).dtype == np.float32
    assert scaler.inverse_transform(X32).dtype == np.float32
    assert scaler.transform(X32.astype(np.float64)).dtype == np.float64
    assert Standardizer().fit_transform(np.arange(6).reshape(3, 2)).dtype == np.float64


def test_standardizer_refuses_transform_before_fit():
    with pytest.raises(RuntimeError, match=r"transform was called before fit; call fit"):
        Standardizer().transform(np.zeros((2, 2)))
    with pytest.raises(RuntimeError, match="inverse_transform was called before fit"):
        Standardizer().inverse_transform(np.zeros((2, 2)))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_standardizer_refuses_nan_and_inf(bad):
    X = np.ones((3, 2))
    X[1, 1] = bad
    with pytest.raises(
        ValueError, match=r"1 NaN or infinite value\(s\), the first at index \(1, 1\)"
    ):
        Standardizer().fit(X)
    scaler = Standardizer().fit(np.ones((3, 2)))
    with pytest.raises(ValueError, match="NaN or infinite"):
        scaler.transform(X)


def test_standardizer_checks_feature_count_and_shape():
    scaler = Standardizer().fit(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"fitted on features of shape \(3,\).*shape \(2,\)"):
        scaler.transform(np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"X.reshape\(-1, 1\)"):
        Standardizer().fit(np.zeros(5))
    with pytest.raises(TypeError, match="must hold numbers"):
        Standardizer().fit(np.array([["a"], ["b"]]))


# --- one_hot ---------------------------------------------------------------------------------


def test_one_hot_values_and_dtype():
    out = one_hot([2, 0, 1, 2])
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    assert one_hot(np.array([1]), num_classes=4).tolist() == [[0, 1, 0, 0]]
    assert one_hot(np.array([0.0, 2.0])).tolist() == [[1, 0, 0], [0, 0, 1]]  # whole floats ok
    assert one_hot(np.zeros((2, 3), dtype=int), num_classes=2).shape == (2, 3, 2)


def test_one_hot_errors():
    with pytest.raises(ValueError, match=r"must hold integer class labels, but y\[\(1,\)\] is 1.5"):
        one_hot([0, 1.5])
    with pytest.raises(ValueError, match="labels must be 0 or more, but y contains -1"):
        one_hot([0, -1, 2])
    with pytest.raises(
        ValueError, match=r"contains the label 3, but num_classes=3 allows only 0..2"
    ):
        one_hot([0, 3], num_classes=3)
    with pytest.raises(TypeError, match="y must hold numbers"):
        one_hot(["cat", "dog"])
    with pytest.raises(ValueError, match="one_hot: invalid num_classes=.*it must be >= 1"):
        one_hot([], num_classes=0)
    with pytest.raises(ValueError, match="y is empty"):
        one_hot([])


# --- toy data sets ---------------------------------------------------------------------------

TOYS = [
    (make_xor, {}, 2),
    (make_moons, {}, 2),
    (make_circles, {}, 2),
    (make_spirals, {}, 3),
    (make_spirals, {"classes": 5}, 5),
]


@pytest.mark.parametrize(("maker", "extra", "classes"), TOYS)
def test_toy_shapes_dtypes_and_balanced_labels(maker, extra, classes):
    X, y = maker(n=101, seed=0, **extra)
    assert X.shape == (101, 2) and X.dtype == np.float32
    assert y.shape == (101,) and y.dtype == np.int64
    counts = np.bincount(y)
    assert len(counts) == classes and counts.max() - counts.min() <= 1
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize(("maker", "extra", "classes"), TOYS)
def test_toy_seed_reproducibility(maker, extra, classes):
    X1, y1 = maker(n=50, seed=3, **extra)
    X2, y2 = maker(n=50, seed=3, **extra)
    X3, _ = maker(n=50, seed=4, **extra)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)
    manual_seed(9)
    S1 = maker(n=50, **extra)[0]
    manual_seed(9)
    S2 = maker(n=50, **extra)[0]
    np.testing.assert_array_equal(S1, S2)


def test_toy_geometry_without_noise():
    X, y = make_xor(n=40, noise=0, seed=0)
    assert set(map(tuple, X.tolist())) == {(-1, -1), (-1, 1), (1, -1), (1, 1)}
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(int))
    X, y = make_circles(n=40, noise=0, seed=0, factor=0.3)
    np.testing.assert_allclose(np.hypot(X[:, 0], X[:, 1]), np.where(y == 0, 1.0, 0.3), rtol=1e-6)
    X, y = make_moons(n=40, noise=0, seed=0)
    upper = X[y == 0]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0, rtol=1e-6)
    assert np.all(upper[:, 1] >= 0)


def test_toy_errors():
    with pytest.raises(ValueError, match=r"invalid noise=-0.1; it must be >= 0"):
        make_moons(noise=-0.1)
    with pytest.raises(ValueError, match=r"invalid n=.*; it must be >= 1"):
        make_xor(n=0)
    with pytest.raises(ValueError, match="n=2 is too small for 3 classes"):
        make_spirals(n=2)
    with pytest.raises(ValueError, match="classes must be at least 2"):
        make_spirals(classes=1)
    with pytest.raises(ValueError, match=r"factor .* must be in \(0, 1\)"):
        make_circles(factor=1.5)


# --- digits ----------------------------------------------------------------------------------


def test_load_digits():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float32
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0 and X.max() == 16
    np.testing.assert_array_equal(X, np.round(X))
    np.testing.assert_array_equal(
        np.bincount(y, minlength=10), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    )
    # The first image is a 0: a ring of ink with an empty middle.
    assert y[0] == 0
    image = X[0].reshape(8, 8)
    assert image[3:5, 3:5].sum() == 0 and image[0].sum() > 0
    # Each call returns fresh arrays.
    X[:] = -1
    assert load_digits()[0].min() == 0
