"""State that is loaded all or nothing: a model's parameters and an optimizer's memory. And an
optimizer's state that resumes a run bit for bit."""

import numpy as np
import pytest

import tinygrad_xent as tx
import tinygrad_xent.functional as F
from tinygrad_xent import data, nn
from tinygrad_xent.optim import SGD, Adam


def _snapshot(model):
    return [p.data.copy() for p in model.parameters()]


def _unchanged(model, before):
    return all(np.array_equal(p.data, b) for p, b in zip(model.parameters(), before))


# ---- Module.load_state_dict -----------------------------------------------------------------
def _spoil_last(state, value):
    last = list(state)[-1]
    state[last] = value(state[last])
    return state


@pytest.mark.parametrize(
    "spoil, message",
    [
        (
            lambda a: np.where(np.arange(a.size).reshape(a.shape) == 1, np.nan, a),
            "holds nan or inf",
        ),
        (lambda a: np.full(a.shape, np.inf), "holds nan or inf"),
        (lambda a: np.full(a.shape, 1e300), "holds nan or inf \\(as float32\\)"),
        (lambda a: a.astype(str), "has dtype <U"),
        (lambda a: a.astype(complex), "has dtype complex128"),
        (lambda a: a.astype(bool), "has dtype bool"),
        (lambda a: np.zeros(a.size + 1), "has shape"),
        (lambda a: [[1.0, 2.0], [3.0]], "is not an array"),
        (lambda a: None, r"has shape \(\) in the state"),
    ],
)
def test_a_bad_last_value_changes_nothing(spoil, message):
    model = nn.MLP([2, 4, 3], rng=0, dtype=np.float32)
    before = _snapshot(model)
    state = {k: v + 1.0 for k, v in nn.MLP([2, 4, 3], rng=1).state_dict().items()}
    with pytest.raises(ValueError, match=r"MLP.load_state_dict: .*'2.bias' " + message):
        model.load_state_dict(_spoil_last(state, spoil))
    assert _unchanged(model, before)


@pytest.mark.parametrize(
    "state", [None, [("0.weight", np.zeros((2, 4)))], "model.npz", np.zeros(3), 5]
)
def test_a_state_that_is_not_a_mapping_is_named(state):
    model = nn.MLP([2, 4, 3], rng=0)
    with pytest.raises(
        TypeError,
        match=r"MLP.load_state_dict: state must be a mapping of "
        r"parameter names to arrays .*got ",
    ):
        model.load_state_dict(state)


def test_every_problem_is_listed_and_nothing_assigned():
    model = nn.MLP([2, 4, 3], rng=0)
    before = _snapshot(model)
    state = model.state_dict()
    state["0.weight"] = np.full((2, 4), np.nan)
    del state["0.bias"]
    state["extra"] = np.ones(2)
    with pytest.raises(ValueError, match="load_state_dict: ") as err:
        model.load_state_dict(state)
    for part in (
        "'0.weight' holds nan",
        "'0.bias' is missing",
        "'extra' (shape (2,) in the state) is not a parameter",
    ):
        assert part in str(err.value)
    assert _unchanged(model, before)


def test_values_are_copied_and_cast():
    model = nn.MLP([2, 3], rng=0, dtype=np.float32)
    state = {"0.weight": np.arange(6).reshape(2, 3), "0.bias": tx.Tensor([1.0] * 3)}
    model.load_state_dict(state)
    assert model.layers[0].weight.dtype == np.float32
    np.testing.assert_array_equal(model.layers[0].weight.data, np.arange(6).reshape(2, 3))
    state["0.weight"][0, 0] = 99  # the model holds its own copy
    assert model.layers[0].weight.data[0, 0] == 0


# ---- optimizer state: N steps, save, load, M steps == N + M steps ---------------------------
X, Y = data.spiral(20, 3, seed=0)
N_STEPS, M_STEPS = 4, 5


def _steps(model, opt, n):
    for _ in range(n):
        opt.zero_grad()
        F.cross_entropy(model(X), Y).backward()
        opt.step()


def _groups(model, lr):
    """Two parameter groups with different settings, to resume per-group settings too."""
    params = model.parameters()
    return [{"params": params[:2]}, {"params": params[2:], "lr": lr / 3}]


OPTIMIZERS = {  # (make the optimizer, give it two parameter groups)
    "SGD momentum": (lambda ps: SGD(ps, lr=0.5, momentum=0.9, weight_decay=1e-3), False),
    "SGD nesterov": (lambda ps: SGD(ps, lr=0.5, momentum=0.8, nesterov=True), False),
    "SGD groups": (lambda ps: SGD(ps, lr=0.5, momentum=0.9, dampening=0.1), True),
    "Adam": (lambda ps: Adam(ps, lr=0.01, weight_decay=1e-4), False),
    "Adam groups": (lambda ps: Adam(ps, lr=0.01, betas=(0.8, 0.99)), True),
}


@pytest.mark.parametrize("make, grouped", OPTIMIZERS.values(), ids=OPTIMIZERS.keys())
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_resume_from_a_state_dict_is_bit_for_bit(make, grouped, dtype, tmp_path):
    def fresh():
        model = nn.MLP([2, 8, 3], rng=0, dtype=dtype)
        return model, make(_groups(model, 0.5) if grouped else model.parameters())

    unbroken, opt = fresh()
    _steps(unbroken, opt, N_STEPS + M_STEPS)

    first, opt = fresh()
    _steps(first, opt, N_STEPS)
    saved_opt = opt.state_dict()
    tx.save(first, tmp_path / "model.npz")
    _steps(first, opt, 2)  # what happens after the save must not leak into it

    resumed, opt = fresh()
    resumed.load_state_dict(tx.load(tmp_path / "model.npz"))
    opt.load_state_dict(saved_opt)
    assert opt.steps == N_STEPS
    _steps(resumed, opt, M_STEPS)
    for a, b in zip(unbroken.parameters(), resumed.parameters()):
        np.testing.assert_array_equal(a.data, b.data)


def test_a_fresh_optimizer_differs_so_the_test_above_can_fail():
    # Without the optimizer's state, the resumed run does not match: momentum matters here.
    model = nn.MLP([2, 8, 3], rng=0)
    opt = SGD(model.parameters(), lr=0.5, momentum=0.9)
    _steps(model, opt, N_STEPS + M_STEPS)
    other = nn.MLP([2, 8, 3], rng=0)
    opt = SGD(other.parameters(), lr=0.5, momentum=0.9)
    _steps(other, opt, N_STEPS)
    opt = SGD(other.parameters(), lr=0.5, momentum=0.9)
    _steps(other, opt, M_STEPS)
    assert not np.array_equal(model.parameters()[0].data, other.parameters()[0].data)


def test_state_dict_layout():
    p = tx.Tensor(np.ones(2), requires_grad=True)
    q = tx.Tensor(np.ones(3), requires_grad=True)
    opt = Adam([{"params": [p]}, {"params": [q], "lr": 0.1}], lr=0.01)
    p.grad = np.ones(2)
    opt.step()
    sd = opt.state_dict()
    assert sd["steps"] == 1 and list(sd["state"]) == [0]  # q has not stepped
    assert sd["state"][0]["step"] == 1
    np.testing.assert_allclose(sd["state"][0]["exp_avg"], 0.1 * np.ones(2))
    assert sd["param_groups"] == [
        {"lr": 0.01, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0, "params": [0]},
        {"lr": 0.1, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0, "params": [1]},
    ]


def test_per_group_settings_follow_the_update_rule():
    p = tx.Tensor(np.zeros(2), requires_grad=True)
    q = tx.Tensor(np.zeros(2), requires_grad=True)
    opt = SGD([{"params": [p]}, {"params": [q], "lr": 0.01, "weight_decay": 1.0}], lr=0.5)
    p.grad, q.grad = np.ones(2), np.ones(2)
    opt.step()
    np.testing.assert_array_equal(p.data, [-0.5, -0.5])
    np.testing.assert_array_equal(q.data, [-0.01, -0.01])  # decay of 0 adds nothing
    opt.param_groups[1]["lr"] = 0.1  # a schedule writes the group's setting
    q.grad = np.ones(2)
    p.grad = None
    opt.step()
    np.testing.assert_allclose(q.data, -0.01 - 0.1 * (1.0 - 0.01))
    np.testing.assert_array_equal(p.data, [-0.5, -0.5])


def _stepped_sgd():
    model = nn.MLP([2, 4, 3], rng=0)
    opt = SGD(model.parameters(), lr=0.5, momentum=0.9)
    _steps(model, opt, 2)
    return model, opt


@pytest.mark.parametrize(
    "spoil, error, message",
    [
        (
            lambda sd: sd["state"][3].update(momentum_buffer=np.full(3, np.nan)),
            ValueError,
            r"state\[3\]\['momentum_buffer'\] holds nan or inf",
        ),
        (
            lambda sd: sd["state"][3].update(momentum_buffer=np.zeros(4)),
            ValueError,
            r"state\[3\]\['momentum_buffer'\] must be a float array of its parameter's shape",
        ),
        (
            lambda sd: sd["state"][3].pop("momentum_buffer"),
            ValueError,
            r"state\[3\] must have the keys \['momentum_buffer'\]",
        ),
        (lambda sd: sd["state"].update({9: {}}), ValueError, "state key 9 is not a parameter"),
        (
            lambda sd: sd["param_groups"][0].update(lr=-1.0),
            ValueError,
            r"param_groups\[0\]: lr must be a finite number > 0, got -1.0",
        ),
        (
            lambda sd: sd["param_groups"][0].update(params=[0, 1]),
            ValueError,
            r"param_groups\[0\] holds parameters \[0, 1\] in the state but \[0, 1, 2, 3\] here",
        ),
        (lambda sd: sd["param_groups"].append({}), ValueError, "2 parameter groups"),
        (lambda sd: sd.update(steps=-1), ValueError, "steps must be an integer >= 0"),
        (lambda sd: sd.pop("steps"), TypeError, "expected the dict of state_dict"),
    ],
)
def test_optimizer_load_is_atomic(spoil, error, message):
    _, opt = _stepped_sgd()
    before = opt.state_dict()
    spoiled = opt.state_dict()
    spoil(spoiled)
    spoiled["param_groups"][0]["momentum"] = 0.5  # a change that must not land either
    with pytest.raises(error, match=message):
        opt.load_state_dict(spoiled)
    after = opt.state_dict()
    assert after["param_groups"] == before["param_groups"] and after["steps"] == before["steps"]
    for i, values in before["state"].items():
        np.testing.assert_array_equal(
            after["state"][i]["momentum_buffer"], values["momentum_buffer"]
        )


@pytest.mark.parametrize("state", [None, [], "state"])
def test_optimizer_load_of_a_non_mapping_is_named(state):
    _, opt = _stepped_sgd()
    with pytest.raises(TypeError, match="SGD.load_state_dict: expected the dict of state_dict"):
        opt.load_state_dict(state)
