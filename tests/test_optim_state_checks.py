"""Optimizer.load_state_dict checks everything before it changes anything.

Every field of a real state_dict (of SGD with momentum and of Adam, two groups each) is replaced
in turn by values of the wrong type or out of range: None, a string, a number where a dict or
list belongs, a ragged list, nan, a negative second moment, a wrong shape. Each must raise a
TypeError or ValueError naming ``<Optimizer>.load_state_dict`` and the field, and leave the
optimizer exactly as it was, so that the next step stays finite.
"""

import copy

import numpy as np
import pytest

import tinygrad_xent as tx
from tinygrad_xent import optim

BAD_VALUES = [None, "text", 3, 2.5, [1, 2], {"a": 1}, ("x",), np.nan, -1]


def make(kind):
    rng = np.random.default_rng(0)
    params = [tx.Tensor(rng.normal(size=s), requires_grad=True) for s in ((2, 3), (3,), (4,))]
    groups = [{"params": params[:2]}, {"params": params[2:], "lr": 0.01}]
    opt = (
        optim.SGD(groups, lr=0.1, momentum=0.9)
        if kind == "SGD"
        else optim.Adam(groups, lr=0.1, weight_decay=0.01)
    )
    for _ in range(2):
        for p in params:
            p.grad = rng.normal(size=p.shape)
        opt.step()
    return opt, params


def paths(value, prefix=()):
    """Every path into a state_dict: dict keys and list positions, leaves included."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, prefix + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from paths(item, prefix + (i,))


def replaced(state, path, value):
    state = copy.deepcopy(state)
    if not path:
        return value
    holder = state
    for key in path[:-1]:
        holder = holder[key]
    holder[path[-1]] = value
    return state


@pytest.mark.parametrize("kind", ["SGD", "Adam"])
def test_every_field_replaced_by_a_bad_value(kind):
    opt, params = make(kind)
    good = opt.state_dict()
    for path in list(paths(good)):
        for value in BAD_VALUES:
            bad = replaced(good, path, value)
            before = copy.deepcopy(opt.state_dict())
            message = load_or_message(opt, bad)
            if message is not None:
                assert message.startswith(f"{kind}.load_state_dict: "), (path, value, message)
                assert_same_state(opt.state_dict(), before)
                continue
            # Accepted: then it was a valid value for that field, and the next step is finite.
            for p in params:
                p.grad = np.ones(p.shape)
            opt.step()
            assert all(np.isfinite(p.data).all() for p in params), (path, value)
            opt.load_state_dict(good)


def load_or_message(opt, state):
    """None if ``state`` loads, else the message of the TypeError or ValueError it raises."""
    try:
        opt.load_state_dict(state)
    except (TypeError, ValueError) as err:
        return str(err)
    return None


def assert_same_state(a, b):
    assert a["steps"] == b["steps"]
    assert a["param_groups"] == b["param_groups"]
    assert a["state"].keys() == b["state"].keys()
    for i in a["state"]:
        for key, value in a["state"][i].items():
            np.testing.assert_array_equal(value, b["state"][i][key])


@pytest.mark.parametrize(
    "change,message",
    [
        (lambda s: s.update(state=None), "'state' must be a dict"),
        (lambda s: s.update(param_groups=None), "'param_groups' must be a list"),
        (lambda s: s["param_groups"].__setitem__(0, "lr=0.1"), r"param_groups\[0\] must be a dict"),
        (lambda s: s["state"][0].__setitem__("exp_avg_sq", -np.ones((2, 3))), "exp_avg_sq"),
        (lambda s: s["state"][0].__setitem__("exp_avg", [[1, 2], [3]]), "cannot read"),
        (lambda s: s["state"][0].__setitem__("step", 0), "step"),
        (lambda s: s.update(state={True: s["state"][1]}), "state key True"),
        (lambda s: s["state"].__setitem__("0", s["state"][0]), "state key '0'"),
    ],
)
def test_the_issue_examples_name_the_field(change, message):
    opt, params = make("Adam")
    state = opt.state_dict()
    change(state)
    with pytest.raises((TypeError, ValueError), match=message):
        opt.load_state_dict(state)


@pytest.mark.parametrize("kind", ["SGD", "Adam"])
def test_a_valid_state_still_round_trips_bit_for_bit(kind):
    opt, params = make(kind)
    saved = copy.deepcopy(opt.state_dict())
    other, other_params = make(kind)
    for p, q in zip(params, other_params):
        q.data[...] = p.data
    other.load_state_dict(saved)
    for p, q in zip(params, other_params):
        p.grad = q.grad = np.full(p.shape, 0.5)
    opt.step()
    other.step()
    for p, q in zip(params, other_params):
        np.testing.assert_array_equal(p.data, q.data)
