"""Optimizers against their update rules written out in numpy, step by step."""

import numpy as np
import pytest

from tinygrad_xent import Tensor
from tinygrad_xent.optim import SGD, Adam

STEPS = 4


def _param_and_grads(seed=0, shape=(3, 2), dtype=np.float64):
    """A parameter and a fixed gradient for each step (set by hand, as backward would)."""
    rng = np.random.default_rng(seed)
    p = Tensor(rng.standard_normal(shape).astype(dtype), requires_grad=True)
    grads = [rng.standard_normal(shape).astype(dtype) for _ in range(STEPS)]
    return p, grads


def _run(opt, p, grads):
    values = []
    for g in grads:
        opt.zero_grad()
        p.grad = g.copy()
        opt.step()
        values.append(p.data.copy())
    return values


@pytest.mark.parametrize(
    "momentum, dampening, nesterov, weight_decay",
    [
        (0.0, 0.0, False, 0.0),
        (0.0, 0.0, False, 0.1),
        (0.9, 0.0, False, 0.0),
        (0.9, 0.5, False, 0.01),
        (0.8, 0.0, True, 0.0),
        (0.8, 0.0, True, 0.05),
    ],
)
def test_sgd_matches_formula(momentum, dampening, nesterov, weight_decay):
    p, grads = _param_and_grads()
    lr = 0.3
    expected, buffer = p.data.copy(), None
    opt = SGD(
        [p],
        lr,
        momentum=momentum,
        dampening=dampening,
        nesterov=nesterov,
        weight_decay=weight_decay,
    )
    for got, g in zip(_run(opt, p, grads), grads):
        d = g + weight_decay * expected
        if momentum:
            buffer = d.copy() if buffer is None else momentum * buffer + (1 - dampening) * d
            d = d + momentum * buffer if nesterov else buffer
        expected = expected - lr * d
        np.testing.assert_allclose(got, expected, rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize(
    "betas, eps, weight_decay",
    [((0.9, 0.999), 1e-8, 0.0), ((0.5, 0.9), 1e-3, 0.1), ((0.0, 0.0), 0.0, 0.0)],
)
def test_adam_matches_formula_with_bias_correction(betas, eps, weight_decay):
    p, grads = _param_and_grads(seed=1)
    lr = 0.01
    beta1, beta2 = betas
    expected = p.data.copy()
    m, v = np.zeros_like(expected), np.zeros_like(expected)
    opt = Adam([p], lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
    for t, (got, g) in enumerate(zip(_run(opt, p, grads), grads), start=1):
        g = g + weight_decay * expected
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        expected = expected - lr * m_hat / (np.sqrt(v_hat) + eps)
        np.testing.assert_allclose(got, expected, rtol=1e-13, atol=1e-15)


def test_adam_first_step_is_lr_times_sign():
    # Bias correction makes m_hat = g and v_hat = g^2 at t = 1: the step is lr * sign(g).
    p, grads = _param_and_grads(seed=2)
    start = p.data.copy()
    _run(Adam([p], lr=0.05, eps=0.0), p, grads[:1])
    np.testing.assert_allclose(p.data, start - 0.05 * np.sign(grads[0]), rtol=1e-12)


@pytest.mark.parametrize("make", [lambda ps: SGD(ps, 0.1, momentum=0.9), lambda ps: Adam(ps)])
def test_parameter_without_grad_is_left_alone(make):
    p, grads = _param_and_grads()
    idle = Tensor(np.ones(3), requires_grad=True)
    opt = make([p, idle])
    _run(opt, p, grads)
    np.testing.assert_array_equal(idle.data, np.ones(3))


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: SGD(ps, 0.1, momentum=0.9, weight_decay=0.1),
        lambda ps: Adam(ps, weight_decay=0.1),
    ],
)
def test_float32_stays_float32_in_place(make):
    p, grads = _param_and_grads(dtype=np.float32)
    array = p.data
    _run(make([p]), p, grads)
    assert p.data is array and p.data.dtype == np.float32


def test_zero_grad():
    p, _ = _param_and_grads()
    p.grad = np.ones_like(p.data)
    SGD([p], 0.1).zero_grad()
    assert p.grad is None


def test_sgd_descends_a_quadratic():
    # f(p) = |p - 3|^2 / 2 has gradient p - 3; plain SGD with lr 0.5 halves the distance.
    p = Tensor(np.zeros(2), requires_grad=True)
    opt = SGD([p], lr=0.5)
    for _ in range(30):
        p.grad = p.data - 3.0
        opt.step()
    np.testing.assert_allclose(p.data, [3.0, 3.0], atol=1e-8)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda ps: SGD(ps, lr=0), r"SGD: lr must be a finite number > 0, got 0$"),
        (lambda ps: SGD(ps, lr=-1), "SGD: lr must be a finite number > 0"),
        (lambda ps: SGD(ps, lr=0.1, momentum=1.5), r"SGD: momentum must be in \[0, 1\), got 1.5"),
        (lambda ps: SGD(ps, lr=0.1, nesterov=True), "SGD: nesterov needs momentum > 0"),
        (
            lambda ps: SGD(ps, lr=0.1, weight_decay=-1),
            "SGD: weight_decay must be a finite number >= 0",
        ),
        (lambda ps: Adam(ps, lr=float("nan")), "Adam: lr must be a finite number > 0, got nan"),
        (lambda ps: Adam(ps, betas=(0.9, 1.0)), r"Adam: betas\[1\] must be in \[0, 1\), got 1.0"),
        (lambda ps: Adam(ps, eps=-1.0), "Adam: eps must be a finite number >= 0"),
    ],
)
def test_bad_arguments(make, message):
    p, _ = _param_and_grads()
    with pytest.raises(ValueError, match=message):
        make([p])


def test_params_must_be_leaves_that_require_grad():
    with pytest.raises(TypeError, match=r"SGD: params\[0\] must be a leaf Tensor"):
        SGD([Tensor(np.ones(2))], 0.1)
    with pytest.raises(ValueError, match="params is empty"):
        Adam([])
