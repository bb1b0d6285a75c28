"""Data: seeded toy generators (spiral, blobs, xor), the 8x8 digits, and contrastive views.

Every generator takes ``seed`` (an int or a numpy Generator) and returns ``(x, y)``: ``x`` of
shape (N, 2) float64, ``y`` of shape (N,) int64 class labels 0..C-1, sorted by class. The same
seed gives the same arrays, bit for bit.

The digits are the UCI "Optical Recognition of Handwritten Digits" test set (1,797 images of
8x8 pixels with values 0..16, 10 classes; E. Alpaydin and C. Kaynak, CC BY 4.0), shipped in
``datasets/digits.npz``; docs/data.md tells where it comes from.
"""

from collections.abc import Iterator
from importlib import resources
from typing import NamedTuple

import numpy as np

from .checks import check_number


def _rng(name: str, arg: str, seed) -> np.random.Generator:
    """A numpy Generator from an int seed >= 0, or the Generator given."""
    if isinstance(seed, np.random.Generator):
        return seed
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(
            f"{name}: {arg} must be an int >= 0 or a numpy Generator, got "
            f"{seed!r} ({type(seed).__name__})"
        )
    return np.random.default_rng(check_number(name, arg, seed, 0, integer=True))


def _check_sizes(name: str, n_per_class: int, n_classes: int, min_classes: int = 2) -> None:
    check_number(name, "n_per_class", n_per_class, 1, integer=True)
    check_number(name, "n_classes", n_classes, min_classes, integer=True)


def _labels(n_per_class: int, n_classes: int) -> np.ndarray:
    return np.repeat(np.arange(n_classes, dtype=np.int64), n_per_class)  # (N,)


def spiral(
    n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2, seed=0
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class: the classic set no straight line separates.

    Arm k has points at radius r in [0, 1] and angle 4r + 4k plus N(0, noise^2) jitter, the
    construction of the CS231n course notes; x = (r sin angle, r cos angle).

    Parameters
    ----------
    n_per_class : int
        Points per arm.
    n_classes : int
        Number of arms, one class each.
    noise : float
        Standard deviation of the angle's jitter.
    seed : int or numpy.random.Generator
        Seeds the random draws: the same seed gives the same arrays, bit for bit.

    Returns
    -------
    x : (n_per_class * n_classes, 2) float64 array
        The points.
    y : (n_per_class * n_classes,) int64 array
        Their class labels, 0..n_classes-1, sorted.
    """
    _check_sizes("spiral", n_per_class, n_classes)
    noise = check_number("spiral", "noise", noise, 0)
    rng = _rng("spiral", "seed", seed)
    r = np.tile(np.linspace(0.0, 1.0, n_per_class), n_classes)  # (N,)
    k = _labels(n_per_class, n_classes)
    angle = np.tile(np.linspace(0.0, 4.0, n_per_class), n_classes) + 4.0 * k
    angle = angle + noise * rng.standard_normal(angle.shape)
    x = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)  # (N, 2)
    return x, k


def blobs(
    n_per_class: int = 100, n_classes: int = 3, std: float = 0.5, radius: float = 2.0, seed=0
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian blobs: class k is N(c_k, std^2 I) around centres spaced evenly on a circle.

    With the defaults the blobs barely touch, so even a linear model separates them.

    Parameters
    ----------
    n_per_class : int
        Points per blob.
    n_classes : int
        Number of blobs, one class each.
    std : float
        Standard deviation of each blob along either axis.
    radius : float
        Radius of the circle the centres lie on.
    seed : int or numpy.random.Generator
        Seeds the random draws: the same seed gives the same arrays, bit for bit.

    Returns
    -------
    x : (n_per_class * n_classes, 2) float64 array
        The points.
    y : (n_per_class * n_classes,) int64 array
        Their class labels, 0..n_classes-1, sorted.
    """
    _check_sizes("blobs", n_per_class, n_classes)
    std = check_number("blobs", "std", std, 0)
    radius = check_number("blobs", "radius", radius, 0)
    rng = _rng("blobs", "seed", seed)
    y = _labels(n_per_class, n_classes)
    theta = 2 * np.pi * np.arange(n_classes) / n_classes
    centres = radius * np.stack([np.cos(theta), np.sin(theta)], axis=1)  # (C, 2)
    x = centres[y] + std * rng.standard_normal((len(y), 2))  # (N, 2)
    return x, y


def xor(n_per_class: int = 100, noise: float = 0.05, seed=0) -> tuple[np.ndarray, np.ndarray]:
    """The XOR pattern: class 0 where both coordinates have the same sign, class 1 otherwise.

    Points are uniform in the four quadrants of [-1, 1]^2, then jittered by N(0, noise^2).
    No line separates the classes, so a linear model stays near 50%.

    Parameters
    ----------
    n_per_class : int
        Points per class.
    noise : float
        Standard deviation of the jitter.
    seed : int or numpy.random.Generator
        Seeds the random draws: the same seed gives the same arrays, bit for bit.

    Returns
    -------
    x : (2 * n_per_class, 2) float64 array
        The points.
    y : (2 * n_per_class,) int64 array
        Their class labels, 0 or 1, sorted.
    """
    _check_sizes("xor", n_per_class, 2)
    noise = check_number("xor", "noise", noise, 0)
    rng = _rng("xor", "seed", seed)
    y = _labels(n_per_class, 2)
    magnitude = rng.uniform(0.0, 1.0, size=(len(y), 2))
    sign0 = rng.choice([-1.0, 1.0], size=len(y))
    sign1 = np.where(y == 0, sign0, -sign0)  # same signs for class 0, opposite for class 1
    x = magnitude * np.stack([sign0, sign1], axis=1)  # (N, 2)
    return x + noise * rng.standard_normal(x.shape), y


class Split(NamedTuple):
    """A train/test split: ``x_train, y_train, x_test, y_test = load_digits()`` unpacks it."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def load_digits(test_fraction: float = 0.2, seed=0, scale: bool = True) -> Split:
    """The 8x8 handwritten digits, shuffled and split into train and test with a seed.

    Parameters
    ----------
    test_fraction : float
        Share of the 1,797 images held out for testing, in [0, 1).
    seed : int or numpy.random.Generator
        Seeds the shuffle.
    scale : bool
        Divide the pixels (0..16) by 16 so the inputs lie in [0, 1] (float64); False gives
        the raw uint8 values.

    Returns
    -------
    Split
        x_train (N_train, 64), y_train (N_train,) int64, x_test (N_test, 64), y_test
        (N_test,) int64. Each row of x is an image read row by row: ``x[i].reshape(8, 8)``.
    """
    test_fraction = check_number(
        "load_digits", "test_fraction", test_fraction, 0, 1, high_open=True
    )
    if not isinstance(scale, (bool, np.bool_)):
        raise TypeError(f"load_digits: scale must be True or False, got {scale!r}")
    rng = _rng("load_digits", "seed", seed)
    with resources.files(__package__).joinpath("datasets/digits.npz").open("rb") as f:
        with np.load(f, allow_pickle=False) as archive:
            images, labels = archive["images"], archive["labels"]  # (1797, 8, 8), (1797,)
    x = images.reshape(len(images), 64)  # (1797, 64)
    x = x / 16.0 if scale else x
    y = labels.astype(np.int64)
    order = rng.permutation(len(y))
    n_test = int(round(test_fraction * len(y)))
    test, train = order[:n_test], order[n_test:]
    return Split(x[train], y[train], x[test], y[test])


def two_views(
    x: np.ndarray,
    rng,
    noise: float = 0.1,
    drop: float = 0.2,
    image_shape: tuple[int, int] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Two randomly augmented views of each sample, the positive pairs of contrastive learning.

    Each view independently: (if ``image_shape`` is given) shift the image by -1, 0 or +1 pixel
    in each direction, filling with zeros; zero each feature with probability ``drop``; add
    N(0, noise^2) to every feature. Two views of one sample share what the augmentations leave
    alone, which is what a contrastive loss teaches an encoder to keep.

    Parameters
    ----------
    x : (N, D) array
        The samples.
    rng : int or numpy.random.Generator
        Seeds the augmentations.
    noise : float
        Standard deviation of the added Gaussian noise, >= 0.
    drop : float
        Probability of zeroing each feature, in [0, 1).
    image_shape : (H, W) tuple, optional
        With H * W == D, also shift the samples as images.

    Returns
    -------
    view1, view2 : (N, D) float64 arrays
        Row i of both made from x[i].
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"two_views: x must have shape (N, D), got {x.shape}")
    noise = check_number("two_views", "noise", noise, 0)
    drop = check_number("two_views", "drop", drop, 0, 1, high_open=True)
    if image_shape is not None:
        if not isinstance(image_shape, (tuple, list)) or len(image_shape) != 2:
            raise TypeError(f"two_views: image_shape must be (H, W), got {image_shape!r}")
        height, width = (
            check_number("two_views", f"image_shape[{i}]", size, 1, integer=True)
            for i, size in enumerate(image_shape)
        )
        image_shape = (height, width)
        if height * width != x.shape[1]:
            raise ValueError(
                f"two_views: image_shape {image_shape} does not hold {x.shape[1]} features"
            )
    rng = _rng("two_views", "rng", rng)
    return _view(x, rng, noise, drop, image_shape), _view(x, rng, noise, drop, image_shape)


def _view(
    x: np.ndarray, rng: np.random.Generator, noise: float, drop: float, image_shape
) -> np.ndarray:
    if image_shape is not None:
        images = x.reshape(len(x), *image_shape)  # (N, H, W)
        padded = np.pad(images, ((0, 0), (1, 1), (1, 1)))  # (N, H+2, W+2), zeros around
        dy, dx = rng.integers(0, 3, size=(2, len(x)))
        rows = dy[:, None] + np.arange(image_shape[0])  # (N, H)
        cols = dx[:, None] + np.arange(image_shape[1])  # (N, W)
        n = np.arange(len(x))[:, None, None]
        x = padded[n, rows[:, :, None], cols[:, None, :]].reshape(len(x), -1)  # (N, D)
    keep = rng.random(x.shape) >= drop
    return x * keep + noise * rng.standard_normal(x.shape)


def batches(n: int, batch_size: int, rng=None) -> Iterator[np.ndarray]:
    """Yield index arrays of mini-batches forever: each pass is a fresh shuffle of range(n).

    ``rng`` is a numpy Generator, an int seed >= 0, or None for fresh entropy.

    The last, smaller batch of a pass is dropped so every step sees ``batch_size`` samples;
    a ``batch_size`` >= n gives all of range(n), in order, every time.

    Raises
    ------
    TypeError
        At the call, not at the first batch, unless n and batch_size are integers.
    ValueError
        At the call, unless n and batch_size are >= 1.
    """
    n = check_number("batches", "n", n, 1, integer=True)
    batch_size = check_number("batches", "batch_size", batch_size, 1, integer=True)
    rng = np.random.default_rng() if rng is None else _rng("batches", "rng", rng)
    return _batches(n, batch_size, rng)


def _batches(n: int, batch_size: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    if batch_size >= n:
        while True:
            yield np.arange(n)
    while True:
        order = rng.permutation(n)
        for start in range(0, n - batch_size + 1, batch_size):
            yield order[start : start + batch_size]
