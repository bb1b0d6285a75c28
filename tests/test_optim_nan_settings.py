"""Settings that could make nan, and parameters an optimizer cannot write.

Adam's eps = 0 is allowed; every optimizer at every boundary of its settings, over gradients
that are exactly 0 (a dead ReLU unit) or so small their square underflows, must keep every
parameter finite. When a loss does go nan, Diverged names the cause fit can see: the start, an
update that made nan out of finite numbers, or an overshoot. A parameter whose array is
read-only is named, with the way out, when the optimizer is made and if it becomes read-only
later.
"""

import math

import numpy as np
import pytest

import tinygrad_xent as tx
from tinygrad_xent import data, nn, optim, train

BOUNDARY_SETTINGS = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.999, "dampening": 1.0}),
    ("SGD", {"lr": 0.1, "momentum": 0.5, "nesterov": True, "weight_decay": 1.0}),
    ("Adam", {"lr": 0.1, "eps": 0.0}),
    ("Adam", {"lr": 0.1, "eps": 0.0, "betas": (0.0, 0.0)}),
    ("Adam", {"lr": 0.1, "eps": 0.0, "betas": (0.999, 0.999), "weight_decay": 0.5}),
    ("Adam", {"lr": 1e-300, "eps": 0.0}),
]
GRADIENTS = {
    "exactly 0": lambda shape: np.zeros(shape),
    "square underflows": lambda shape: np.full(shape, 1e-200),
    "0 in some coordinates": lambda shape: np.where(
        np.arange(np.prod(shape)).reshape(shape) % 2, 1.0, 0.0
    ),
    "0 after a step of 1": None,
}


@pytest.mark.parametrize("gradient", GRADIENTS)
@pytest.mark.parametrize("kind,settings", BOUNDARY_SETTINGS, ids=str)
def test_every_boundary_setting_keeps_parameters_finite(kind, settings, gradient):
    p = tx.Tensor(np.linspace(-1, 1, 6).reshape(2, 3), requires_grad=True)
    opt = getattr(optim, kind)([p], **settings)
    for step in range(5):
        if GRADIENTS[gradient] is None:
            p.grad = np.ones((2, 3)) if step == 0 else np.zeros((2, 3))
        else:
            p.grad = GRADIENTS[gradient]((2, 3))
        opt.step()
        assert np.isfinite(p.data).all(), (kind, settings, gradient, step)


def test_adam_eps_0_leaves_a_zero_gradient_coordinate_where_it_is():
    p = tx.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    opt = optim.Adam([p], lr=0.1, eps=0.0)
    for _ in range(3):
        p.grad = np.array([0.0, 1.0, -2.0])
        opt.step()
    assert p.data[0] == 1.0
    # elsewhere the step is exactly lr * sign(g) each time (m_hat / sqrt(v_hat) = sign(g))
    np.testing.assert_allclose(p.data[1:], [2.0 - 0.3, 3.0 + 0.3], rtol=1e-15)


def test_fit_with_adam_eps_0_and_a_dead_relu_unit_trains():
    x, y = data.blobs(seed=0)
    model = nn.MLP([2, 6, 3], rng=0)
    first = model[0]
    first.weight.data[:, 0] = 0.0  # unit 0 never fires: its weights get exactly 0 gradient
    first.bias.data[0] = -10.0
    history = train.fit(
        model,
        x,
        y,
        optimizer=optim.Adam(model.parameters(), lr=0.01, eps=0.0),
        steps=50,
        log_every=0,
    )
    assert all(math.isfinite(v) for v in history.loss)
    assert all(np.isfinite(p.data).all() for p in model.parameters())


# ---- Diverged names the cause it can see ------------------------------------------------------
class MakesNan(optim.SGD):
    """An update rule with a 0/0 in it: the step after the second makes a parameter nan."""

    def step(self):
        super().step()
        if self.steps == 3:
            self.params[0].data[0, 0] = np.nan


def run(make_optimizer, steps=30):
    x, y = data.blobs(seed=0)
    model = nn.MLP([2, 8, 3], rng=0)
    return train.fit(
        model, x, y, optimizer=make_optimizer(model.parameters()), steps=steps, log_every=0
    )


def test_a_nan_from_the_optimizer_is_not_blamed_on_the_learning_rate():
    with pytest.raises(train.Diverged) as caught:
        run(lambda params: MakesNan(params, lr=0.1))
    assert caught.value.cause == "optimizer" and caught.value.step == 3
    assert "0/0" in str(caught.value) and "try a smaller learning rate" not in str(caught.value)


def test_an_overshoot_is_still_blamed_on_the_learning_rate():
    with pytest.raises(train.Diverged) as caught:
        run(lambda params: optim.SGD(params, lr=1e6))
    assert caught.value.cause == "overshoot" and "smaller learning rate" in str(caught.value)


def test_a_nan_at_step_0_blames_the_start():
    x, y = data.blobs(seed=0)
    model = nn.MLP([2, 8, 3], rng=0)
    model[0].bias.data[0] = np.nan
    with pytest.raises(train.Diverged) as caught:
        train.fit(model, x, y, steps=3, log_every=0)
    assert caught.value.cause == "start" and "not because of the learning rate" in str(caught.value)


# ---- read-only parameters ---------------------------------------------------------------------
def read_only(shape=(3,)):
    array = np.ones(shape)
    array.flags.writeable = False
    return tx.Tensor(array, requires_grad=True)


@pytest.mark.parametrize("kind", ["SGD", "Adam"])
@pytest.mark.parametrize("grouped", [False, True])
def test_a_read_only_parameter_is_named_when_the_optimizer_is_made(kind, grouped):
    ok = tx.Tensor(np.ones(2), requires_grad=True)
    params = [{"params": [ok]}, {"params": [read_only()]}] if grouped else [ok, read_only()]
    label = r"param_groups\[1\]\['params'\]\[0\]" if grouped else r"params\[1\]"
    with pytest.raises(
        ValueError, match=rf"{kind}: {label} .*read-only.*p\.data = p\.data\.copy\(\)"
    ):
        getattr(optim, kind)(params, lr=0.1)


@pytest.mark.parametrize("kind", ["SGD", "Adam"])
def test_a_parameter_made_read_only_later_is_named_at_the_step(kind):
    params = [tx.Tensor(np.ones(2), requires_grad=True) for _ in range(3)]
    opt = getattr(optim, kind)(params, lr=0.1)
    params[2].data.flags.writeable = False
    for p in params:
        p.grad = np.ones(2)
    with pytest.raises(ValueError, match=rf"{kind}: params\[2\] .*read-only.*copy"):
        opt.step()
    params[2].data = params[2].data.copy()  # the way out the message names
    opt.step()
