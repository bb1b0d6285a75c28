"""Toy generators, the shipped digits, contrastive views and mini-batches."""

import numpy as np
import pytest

from tinygrad_xent import data


@pytest.mark.parametrize(
    "make, n",
    [
        (lambda s: data.spiral(100, 3, 0.2, seed=s), 300),
        (lambda s: data.blobs(50, 4, seed=s), 200),
        (lambda s: data.xor(80, seed=s), 160),
    ],
)
def test_generators_shapes_and_seeds(make, n):
    x, y = make(0)
    assert x.shape == (n, 2) and x.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    assert np.all(np.bincount(y) == n // (y.max() + 1))  # balanced classes
    x2, y2 = make(0)
    assert np.array_equal(x, x2) and np.array_equal(y, y2)  # bit for bit
    assert not np.array_equal(x, make(1)[0])


def test_spiral_without_noise_is_the_formula():
    x, y = data.spiral(5, 2, noise=0.0)
    r = np.tile(np.linspace(0, 1, 5), 2)
    angle = np.tile(np.linspace(0, 4, 5), 2) + 4.0 * y
    np.testing.assert_allclose(x, np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1))
    np.testing.assert_allclose(np.hypot(*x.T), r)


def test_xor_labels_follow_the_signs():
    x, y = data.xor(200, noise=0.0, seed=3)
    np.testing.assert_array_equal(y, (np.sign(x[:, 0]) != np.sign(x[:, 1])).astype(int))


def test_blobs_centres():
    x, y = data.blobs(2000, 4, std=0.1, radius=2.0, seed=0)
    means = np.stack([x[y == c].mean(axis=0) for c in range(4)])
    np.testing.assert_allclose(means, [[2, 0], [0, 2], [-2, 0], [0, -2]], atol=0.02)


def test_generator_errors():
    with pytest.raises(ValueError, match="spiral: n_per_class must be an integer >= 1, got 0"):
        data.spiral(0)
    with pytest.raises(ValueError, match="blobs: n_classes must be an integer >= 2, got 1"):
        data.blobs(10, 1)
    with pytest.raises(TypeError, match="xor: seed must be an int >= 0 or a numpy Generator"):
        data.xor(10, seed="a")


def test_digits_is_the_uci_set():
    raw = data.load_digits(test_fraction=0.0, scale=False)
    assert raw.x_train.shape == (1797, 64) and raw.x_test.shape == (0, 64)
    assert raw.x_train.dtype == np.uint8 and raw.x_train.min() == 0 and raw.x_train.max() == 16
    # The class counts of the UCI test set, as documented with the data.
    np.testing.assert_array_equal(
        np.bincount(raw.y_train), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    )


def test_digits_split_is_seeded_and_disjoint():
    split = data.load_digits(test_fraction=0.2, seed=0)
    assert split.x_train.shape == (1438, 64) and split.x_test.shape == (359, 64)
    assert 0.0 <= split.x_train.min() and split.x_train.max() == 1.0
    again = data.load_digits(test_fraction=0.2, seed=0)
    assert all(np.array_equal(a, b) for a, b in zip(split, again))
    assert not np.array_equal(split.y_test, data.load_digits(seed=1).y_test)
    raw = data.load_digits(test_fraction=0.0, scale=False).x_train / 16.0
    rows = {r.tobytes() for r in raw}
    together = np.concatenate([split.x_train, split.x_test])
    assert all(r.tobytes() in rows for r in together)
    with pytest.raises(ValueError, match="test_fraction must be in"):
        data.load_digits(test_fraction=1.0)


def test_two_views_identity_without_augmentation():
    x = np.random.default_rng(0).standard_normal((6, 4))
    a, b = data.two_views(x, 0, noise=0.0, drop=0.0)
    np.testing.assert_array_equal(a, x)
    np.testing.assert_array_equal(b, x)


def test_two_views_are_seeded_and_differ():
    x = data.load_digits().x_train[:20]
    a, b = data.two_views(x, 7, image_shape=(8, 8))
    a2, b2 = data.two_views(x, 7, image_shape=(8, 8))
    assert np.array_equal(a, a2) and np.array_equal(b, b2)
    assert a.shape == b.shape == (20, 64) and not np.array_equal(a, b)


def test_two_views_shift_by_at_most_one_pixel():
    x = data.load_digits().x_train[:30]
    views = data.two_views(x, 1, noise=0.0, drop=0.0, image_shape=(8, 8))
    padded = np.pad(x.reshape(-1, 8, 8), ((0, 0), (1, 1), (1, 1)))
    for view in views:
        for i, row in enumerate(view):
            shifts = [
                padded[i, dy : dy + 8, dx : dx + 8].ravel() for dy in range(3) for dx in range(3)
            ]
            assert any(np.array_equal(row, s) for s in shifts)


def test_two_views_drop_rate():
    a, _ = data.two_views(np.ones((200, 50)), 0, noise=0.0, drop=0.3)
    assert abs((a == 0).mean() - 0.3) < 0.02


def test_two_views_errors():
    with pytest.raises(ValueError, match=r"two_views: x must have shape \(N, D\)"):
        data.two_views(np.ones(3), 0)
    with pytest.raises(ValueError, match="image_shape"):
        data.two_views(np.ones((2, 10)), 0, image_shape=(3, 3))


def test_batches_cover_each_pass():
    gen = data.batches(10, 3, np.random.default_rng(0))
    first_pass = np.concatenate([next(gen) for _ in range(3)])  # 3 batches of 3; 1 left out
    assert len(set(first_pass)) == 9
    assert all(len(next(gen)) == 3 for _ in range(5))
    np.testing.assert_array_equal(next(data.batches(4, 10, None)), np.arange(4))
