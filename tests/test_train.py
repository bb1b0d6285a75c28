"""fit: the start at log C, the spiral and digits results, determinism, divergence."""

import math
import re
import time

import numpy as np
import pytest

from tinygrad_xent import data, nn, optim, train
from tinygrad_xent.cli import TRAIN_DEFAULTS


def _spiral_run(sizes, steps=2000, log_every=0, print_fn=print):
    """The command line's spiral defaults: full-batch SGD, lr 1.0, weight decay 1e-3."""
    settings = TRAIN_DEFAULTS["spiral"]
    x, y = data.spiral(100, 3, seed=0)
    model = nn.MLP(sizes, rng=0)
    opt = optim.SGD(model.parameters(), lr=settings["lr"], weight_decay=settings["weight_decay"])
    return train.fit(
        model, x, y, optimizer=opt, steps=steps, log_every=log_every, print_fn=print_fn
    )


def test_spiral_mlp_reaches_98_percent_in_seconds():
    start = time.perf_counter()
    history = _spiral_run([2, 100, 3])
    assert time.perf_counter() - start < 10  # about 1.5 s on two cores
    assert history.final_accuracy >= 0.98
    assert len(history.loss) == 2000 and history.loss[-1] < 0.2
    assert abs(history.initial_loss - math.log(3)) < 0.02 * math.log(3)
    assert history.chance == math.log(3) and history.n_classes == 3


def test_spiral_linear_model_stalls_near_half():
    history = _spiral_run([2, 3], steps=500)
    assert 0.4 < history.final_accuracy < 0.6


def test_first_line_says_chance():
    lines = []
    _spiral_run([2, 100, 3], steps=21, log_every=10, print_fn=lines.append)
    assert lines[0] == "step 0  loss 1.0983  (log 3 = 1.0986, chance)"
    assert re.fullmatch(r"step 10  loss \d\.\d{4}  accuracy +\d+\.\d%  \d+ steps/s", lines[1])
    assert lines[-1].startswith("step 20  loss")


def test_same_seed_same_numbers_bit_for_bit():
    a = _spiral_run([2, 20, 3], steps=100)
    b = _spiral_run([2, 20, 3], steps=100)
    assert a.loss == b.loss and a.accuracy == b.accuracy


def test_minibatch_order_follows_the_seed():
    x, y = data.blobs(30, 3, seed=0)

    def run(seed):
        model = nn.MLP([2, 8, 3], rng=0)
        return train.fit(
            model,
            x,
            y,
            optimizer=optim.SGD(model.parameters(), 0.1),
            steps=20,
            batch_size=16,
            seed=seed,
            log_every=0,
        ).loss

    assert run(0) == run(0) and run(0) != run(1)


def test_digits_mlp_test_accuracy():
    settings = TRAIN_DEFAULTS["digits"]
    split = data.load_digits(seed=0)
    model = nn.MLP([64, 64, 10], rng=0)
    opt = optim.SGD(
        model.parameters(),
        lr=settings["lr"],
        momentum=settings["momentum"],
        weight_decay=settings["weight_decay"],
    )
    history = train.fit(
        model,
        split.x_train,
        split.y_train,
        optimizer=opt,
        steps=settings["steps"],
        batch_size=settings["batch_size"],
        log_every=0,
    )
    assert abs(history.initial_loss - math.log(10)) < 0.02 * math.log(10)
    _, test_accuracy = train.evaluate(model, split.x_test, split.y_test)
    assert test_accuracy >= 0.95


def test_float32_training_stays_float32():
    x, y = data.blobs(20, 2, seed=0)
    model = nn.MLP([2, 8, 2], rng=0, dtype=np.float32)
    opt = optim.Adam(model.parameters(), lr=0.01)
    train.fit(model, x.astype(np.float32), y, optimizer=opt, steps=5, log_every=0)
    assert all(p.dtype == np.float32 for p in model.parameters())


def test_divergence_names_the_step():
    x, y = data.spiral(100, 3, seed=0)
    model = nn.MLP([2, 100, 3], rng=0)
    # Each step multiplies the weights by (1 - lr * weight_decay) = -999 until they overflow.
    opt = optim.SGD(model.parameters(), lr=1e6, weight_decay=1e-3)
    with pytest.raises(train.Diverged, match=r"at step \d+ .*smaller learning rate") as err:
        train.fit(model, x, y, optimizer=opt, steps=200, log_every=0)
    assert 0 < err.value.step < 200 and not math.isfinite(err.value.loss)


def test_accuracy():
    logits = np.array([[2.0, 1.0], [0.0, 3.0], [5.0, -1.0], [0.0, 1.0]])
    assert train.accuracy(logits, np.array([0, 1, 1, 0])) == 0.5
    assert math.isnan(train.accuracy(logits, np.ones((4, 2))))


def test_fit_argument_errors():
    model = nn.MLP([2, 3], rng=0)
    with pytest.raises(ValueError, match="fit: steps must be an integer >= 1, got 0"):
        train.fit(model, np.zeros((4, 2)), np.zeros(4, dtype=int), steps=0)
    with pytest.raises(ValueError, match=r"fit: x has shape \(4, 2\) and y \(3,\)"):
        train.fit(model, np.zeros((4, 2)), np.zeros(3, dtype=int))
