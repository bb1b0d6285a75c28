"""Every numeric setting of every public function is checked for type, finiteness and range,
and the error names the function, the argument, the value given and what is allowed."""

import math

import numpy as np
import pytest

import tinygrad_xent as tx
import tinygrad_xent.functional as F
from tinygrad_xent import data, nn, train
from tinygrad_xent.checks import check_number
from tinygrad_xent.optim import SGD, Adam

X4 = np.random.default_rng(0).standard_normal((4, 3))
Y4 = np.array([0, 1, 2, 1])


def _param():
    return [tx.Tensor(np.ones(2), requires_grad=True)]


def _fit(**kw):
    return train.fit(nn.MLP([3, 3], rng=0), X4, Y4, **{"steps": 1, "log_every": 0, **kw})


def _two_views(**kw):
    return data.two_views(np.ones((2, 4)), 0, **kw)


# (function name, call taking the keyword, keyword, baseline value, values out of range)
SETTINGS = [
    ("SGD", lambda **kw: SGD(_param(), **{"lr": 0.1, **kw}), "lr", 0.1, [0, -1.0]),
    ("SGD", lambda **kw: SGD(_param(), lr=0.1, **kw), "momentum", 0.5, [1.0, -0.1, 2]),
    ("SGD", lambda **kw: SGD(_param(), lr=0.1, **kw), "dampening", 0.5, [1.5, -0.1]),
    ("SGD", lambda **kw: SGD(_param(), lr=0.1, **kw), "weight_decay", 1e-3, [-1e-3]),
    ("Adam", lambda **kw: Adam(_param(), **kw), "lr", 1e-3, [0.0, -1e-3]),
    ("Adam", lambda **kw: Adam(_param(), **kw), "eps", 1e-8, [-1e-8]),
    ("Adam", lambda **kw: Adam(_param(), **kw), "weight_decay", 0.0, [-0.5]),
    ("Adam", lambda b: Adam(_param(), betas=(b, 0.999)), "betas[0]", 0.9, [1.0, -0.1]),
    ("Adam", lambda b: Adam(_param(), betas=(0.9, b)), "betas[1]", 0.999, [1.0, 7]),
    ("fit", _fit, "steps", 1, [0, -3]),
    ("fit", _fit, "batch_size", 2, [-5, -1]),
    ("fit", _fit, "log_every", 0, [-1]),
    ("fit", _fit, "seed", 0, [-1]),
    ("spiral", data.spiral, "n_per_class", 5, [0, -2]),
    ("spiral", data.spiral, "n_classes", 3, [1, 0]),
    ("spiral", data.spiral, "noise", 0.2, [-0.1]),
    ("spiral", data.spiral, "seed", 0, [-1]),
    ("blobs", data.blobs, "std", 0.5, [-0.5]),
    ("blobs", data.blobs, "radius", 2.0, [-2.0]),
    ("xor", data.xor, "noise", 0.05, [-1.0]),
    ("xor", data.xor, "n_per_class", 3, [0]),
    ("load_digits", data.load_digits, "test_fraction", 0.2, [1.0, -0.1, 2]),
    ("two_views", _two_views, "noise", 0.1, [-0.1]),
    ("two_views", _two_views, "drop", 0.2, [1.0, -0.2]),
    (
        "batches",
        lambda **kw: data.batches(**{"n": 10, "batch_size": 3, "rng": 0, **kw}),
        "n",
        10,
        [0, -1],
    ),
    (
        "batches",
        lambda **kw: data.batches(**{"n": 10, "batch_size": 3, "rng": 0, **kw}),
        "batch_size",
        3,
        [0, -5],
    ),
    (
        "Linear",
        lambda **kw: nn.Linear(**{"in_features": 2, "out_features": 3, **kw}),
        "in_features",
        2,
        [0, -1],
    ),
    (
        "Linear",
        lambda **kw: nn.Linear(**{"in_features": 2, "out_features": 3, **kw}),
        "out_features",
        3,
        [0],
    ),
    ("Linear", lambda **kw: nn.Linear(2, 3, **kw), "rng", 0, [-1]),
    ("MLP", lambda **kw: nn.MLP([2, 3], **kw), "out_scale", 0.01, [0.0, -1.0]),
    ("MLP", lambda s: nn.MLP([2, s, 3]), "sizes[1]", 4, [0, -4]),
    (
        "cross_entropy",
        lambda **kw: F.cross_entropy(X4, Y4, **kw),
        "label_smoothing",
        0.1,
        [1.5, -0.1],
    ),
    ("cross_entropy", lambda **kw: F.cross_entropy(X4, Y4, **kw), "ignore_index", -100, []),
    ("nll_loss", lambda **kw: F.nll_loss(X4, Y4, **kw), "ignore_index", -100, []),
    ("nt_xent", lambda **kw: F.nt_xent(X4, X4, **kw), "temperature", 0.5, [0, -0.1]),
    ("supcon", lambda **kw: F.supcon(X4, [0, 0, 1, 1], **kw), "temperature", 0.07, [0, -1]),
    ("multi_margin_loss", lambda **kw: F.multi_margin_loss(X4, Y4, **kw), "margin", 1.0, []),
    ("entropy", lambda **kw: F.entropy([0.5, 0.5], **kw), "base", 2.0, [0, -2.0]),
    (
        "gradcheck",
        lambda **kw: tx.gradcheck(F.logsumexp, _param()[0], **kw),
        "eps",
        1e-6,
        [0.0, -1e-6],
    ),
    ("gradcheck", lambda **kw: tx.gradcheck(F.logsumexp, _param()[0], **kw), "atol", 1e-5, [-1.0]),
    ("gradcheck", lambda **kw: tx.gradcheck(F.logsumexp, _param()[0], **kw), "rtol", 1e-3, [-1.0]),
]
INTEGER = {
    "steps",
    "batch_size",
    "log_every",
    "seed",
    "n_per_class",
    "n_classes",
    "n",
    "in_features",
    "out_features",
    "rng",
    "sizes[1]",
    "ignore_index",
}
NONE_ALLOWED = {("fit", "batch_size"), ("Linear", "rng"), ("entropy", "base")}
NOT_NUMBERS = ["0.1", None, True, [1.0], 1 + 2j]
NOT_FINITE = [math.nan, math.inf, -math.inf]


def _cases():
    for name, call, arg, _good, out_of_range in SETTINGS:
        bad = NOT_NUMBERS + NOT_FINITE + out_of_range + ([2.5, 3.0] if arg in INTEGER else [])
        for value in bad:
            if value is None and (name, arg) in NONE_ALLOWED:
                continue
            yield pytest.param(name, call, arg, value, id=f"{name}-{arg}-{value!r}")


def _call(call, arg, value):
    return call(value) if "[" in arg else call(**{arg: value})


@pytest.mark.parametrize(
    "name, call, arg, good, out_of_range", SETTINGS, ids=[f"{s[0]}-{s[2]}" for s in SETTINGS]
)
def test_the_baseline_value_is_accepted(name, call, arg, good, out_of_range):
    result = _call(call, arg, good)
    if arg in ("n", "batch_size") and name == "batches":
        assert len(next(result)) == 3


@pytest.mark.parametrize("name, call, arg, value", list(_cases()))
def test_a_bad_setting_names_function_argument_value_and_domain(name, call, arg, value):
    with pytest.raises((TypeError, ValueError)) as err:
        _call(call, arg, value)
    message = str(err.value)
    shown = str(value) if isinstance(value, float) else repr(value)
    assert message.startswith(f"{name}: {arg} must be "), message
    assert f"got {shown}" in message, message


@pytest.mark.parametrize(
    "call, match",
    [
        (
            lambda: SGD(_param(), lr=0.1, momentum=0.5, nesterov="yes"),
            "SGD: nesterov must be True or False, got 'yes'",
        ),
        (
            lambda: Adam(_param(), betas=0.9),
            r"Adam: betas must be two numbers in \[0, 1\), got 0.9",
        ),
        (lambda: Adam(_param(), betas=(0.9, 0.99, 0.999)), "Adam: betas must be two numbers"),
        (lambda: nn.Linear(2, 3, bias=1), "Linear: bias must be True or False, got 1"),
        (lambda: nn.Linear(2, 3, dtype=np.int64), "Linear: dtype must be np.float32 or"),
        (lambda: nn.MLP(5), "MLP: sizes must be a list of integers, got 5"),
        (lambda: nn.MLP([2, 3], activation=None), "MLP: activation must be one of"),
        (lambda: data.load_digits(scale="yes"), "load_digits: scale must be True or False"),
        (
            lambda: data.two_views(np.ones((2, 4)), 0, image_shape=(2, 2.0)),
            r"two_views: image_shape\[1\] must be an integer >= 1, got 2.0",
        ),
        (lambda: data.two_views(np.ones((2, 4)), 0, image_shape=4), "two_views: image_shape must"),
        (lambda: data.xor(3, seed=-1), r"xor: seed must be an integer >= 0, got -1"),
        (
            lambda: train.fit(nn.MLP([3, 3]), X4, Y4, optimizer="sgd"),
            "fit: optimizer must be an Optimizer",
        ),
        (lambda: SGD(_param(), lr=0.1, foo=1), "unexpected keyword"),
        (
            lambda: SGD([{"params": _param(), "lr": math.nan}], lr=0.1),
            r"SGD: param_groups\[0\]: lr must be a finite number > 0, got nan",
        ),
        (
            lambda: SGD([{"params": _param(), "mom": 0.9}], lr=0.1),
            r"SGD: param_groups\[0\] has unknown settings \['mom'\]",
        ),
        (lambda: SGD(_param()[0], lr=0.1), "SGD: params must be a list of Tensors"),
        (
            lambda: F.binary_cross_entropy_with_logits(
                X4, np.ones((4, 3)), pos_weight=[1, np.nan, 1]
            ),
            "binary_cross_entropy_with_logits: pos_weight must hold finite numbers >= 0, got nan",
        ),
        (
            lambda: F.binary_cross_entropy_with_logits(X4, np.ones((4, 3)), pos_weight=[1, -2, 1]),
            "pos_weight must hold finite numbers >= 0, got -2",
        ),
        (
            lambda: F.binary_cross_entropy(np.full((4, 3), 0.5), np.ones((4, 3)), weight=np.inf),
            "binary_cross_entropy: weight must hold finite numbers >= 0, got inf",
        ),
        (
            lambda: F.cross_entropy(X4, Y4, weight=[1.0, np.nan, 1.0]),
            "cross_entropy: weight must hold finite numbers >= 0, got nan",
        ),
        (lambda: F.nll_loss(X4, Y4, weight=[1.0, -1.0, 1.0]), "nll_loss: weight must hold"),
        (lambda: F.entropy([0.5, 0.5], base=1), "entropy: base must be a positive number other"),
    ],
)
def test_other_settings(call, match):
    with pytest.raises((TypeError, ValueError), match=match):
        call()


# ---- fit: nothing hangs, nan in the data is named before step 0 ----------------------------
def test_negative_batch_size_fails_at_once_instead_of_hanging():
    with pytest.raises(ValueError, match="fit: batch_size must be an integer >= 0, got -5"):
        _fit(batch_size=-5)
    with pytest.raises(TypeError, match="fit: batch_size must be an integer >= 0, got 2.5"):
        _fit(batch_size=2.5)


@pytest.mark.parametrize("arg, bad", [("x", np.nan), ("x", np.inf), ("y", np.nan)])
def test_nan_in_the_data_is_named_before_step_0(arg, bad):
    x, y = X4.copy(), np.array([0.0, 1.0, 1.0, 0.0])
    if arg == "x":
        x[2, 1] = bad
    else:
        y[2] = bad
    printed = []
    model = nn.MLP([3, 1], rng=0)

    def loss(logits, target):
        return F.binary_cross_entropy_with_logits(logits.reshape(4), target)

    with pytest.raises(
        ValueError,
        match=rf"fit: {arg} holds 1 nan or infinite values, the "
        rf"first {bad} at index \(2",
    ):
        train.fit(model, x, y, loss=loss, steps=3, print_fn=printed.append)
    assert printed == []


def test_a_nan_loss_at_step_0_does_not_blame_the_learning_rate():
    model = nn.MLP([3, 3], rng=0)
    model.layers[0].weight.data[0, 0] = np.nan
    with pytest.raises(train.Diverged) as err:
        train.fit(model, X4, Y4, steps=3, log_every=0)
    assert err.value.step == 0
    assert "before any update" in str(err.value)
    assert "learning rate" in str(err.value) and "smaller" not in str(err.value)


def test_batch_size_beyond_the_data_is_full_batch():
    history = _fit(batch_size=100)
    full = _fit()
    assert history.loss == full.loss


# ---- the checker itself --------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs, value, message",
    [
        ({}, 1.5, None),
        ({"low": 0, "low_open": True}, 0, "must be a finite number > 0, got 0"),
        ({"low": 1, "integer": True}, 0, "must be an integer >= 1, got 0"),
        ({"low": 0, "high": 1, "high_open": True}, 1, r"must be in \[0, 1\), got 1"),
        ({"low": 0, "high": 1, "low_open": True}, 0, r"must be in \(0, 1\], got 0"),
        ({"high": 2}, 3, "must be a finite number <= 2, got 3"),
        (
            {"low": 0, "high": 2**32 - 1, "integer": True},
            -1,
            r"must be an integer in \[0, 4294967295\], got -1",
        ),
        ({}, np.float32(0.5), None),
        ({"integer": True}, np.int64(3), None),
    ],
)
def test_check_number(kwargs, value, message):
    if message is None:
        assert check_number("f", "a", value, **kwargs) == value
        return
    with pytest.raises(ValueError, match="f: a " + message):
        check_number("f", "a", value, **kwargs)


def test_check_number_returns_python_numbers():
    """The types its overloads promise: a float unless integer=True, then an int."""
    assert type(check_number("f", "a", np.float32(0.5))) is float
    assert type(check_number("f", "a", 3)) is float
    assert type(check_number("f", "a", np.int64(3), integer=True)) is int


@pytest.mark.parametrize(
    "value, error",
    [(1, ValueError), (0, ValueError), (2.5, TypeError), ("300", TypeError), (np.nan, TypeError)],
)
def test_plot_resolution_is_checked_before_drawing(tmp_path, value, error):
    from tinygrad_xent import plot

    x, y = data.blobs(5, 2, seed=0)
    with pytest.raises(error, match="decision_regions: resolution must be an integer >= 2"):
        plot.decision_regions(nn.MLP([2, 2], rng=0), x, y, tmp_path / "r.png", resolution=value)
    assert not (tmp_path / "r.png").exists()
