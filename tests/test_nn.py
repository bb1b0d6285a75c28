"""Layers: shapes, the initial range, the forward math, state dicts, the start at chance."""

import math

import numpy as np
import pytest

import tinygrad_xent as tx
import tinygrad_xent.functional as F
from tinygrad_xent import Tensor, nn


def test_linear_shapes_and_init_range():
    layer = nn.Linear(50, 7, rng=0)
    assert layer.weight.shape == (50, 7) and layer.bias.shape == (7,)
    assert layer.weight.requires_grad and layer.bias.requires_grad
    bound = 1 / math.sqrt(50)
    for p in (layer.weight.data, layer.bias.data):
        assert np.abs(p).max() <= bound
    # Uniform on [-b, b]: 350 draws reach close to both ends, with variance b^2 / 3.
    w = layer.weight.data
    assert w.max() > 0.95 * bound and w.min() < -0.95 * bound
    assert abs(w.var() - bound**2 / 3) < 0.15 * bound**2 / 3


def test_linear_forward_is_x_w_plus_b():
    layer = nn.Linear(4, 3, rng=1)
    x = np.random.default_rng(2).standard_normal((5, 4))
    y = layer(Tensor(x))
    assert y.shape == (5, 3)
    np.testing.assert_allclose(y.data, x @ layer.weight.data + layer.bias.data, rtol=0, atol=0)
    no_bias = nn.Linear(4, 3, bias=False, rng=1)
    assert no_bias.bias is None and len(no_bias.parameters()) == 1


def test_linear_rejects_wrong_features():
    with pytest.raises(ValueError, match=r"Linear: input has shape \(5, 3\).*\(\.\.\., 4\)"):
        nn.Linear(4, 2, rng=0)(Tensor(np.zeros((5, 3))))
    with pytest.raises(ValueError, match="in_features"):
        nn.Linear(0, 2)


def test_same_rng_same_parameters():
    a, b = nn.MLP([3, 8, 2], rng=5), nn.MLP([3, 8, 2], rng=5)
    for (na, pa), (nb, pb) in zip(a.named_parameters(), b.named_parameters()):
        assert na == nb and np.array_equal(pa.data, pb.data)


def test_mlp_structure_and_names():
    model = nn.MLP([2, 100, 3], rng=0)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Linear", "ReLU", "Linear"]
    names = [name for name, _ in model.named_parameters()]
    assert names == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert sum(p.size for p in model.parameters()) == 2 * 100 + 100 + 100 * 3 + 3
    assert type(nn.MLP([2, 5, 3], activation="tanh").layers[1]).__name__ == "Tanh"
    with pytest.raises(ValueError, match="activation"):
        nn.MLP([2, 3], activation="gelu")


def test_mlp_last_layer_scaled():
    plain = nn.MLP([4, 6, 3], rng=0, out_scale=1.0)
    small = nn.MLP([4, 6, 3], rng=0)
    np.testing.assert_array_equal(small.layers[0].weight.data, plain.layers[0].weight.data)
    np.testing.assert_allclose(small.layers[2].weight.data, 0.01 * plain.layers[2].weight.data)


@pytest.mark.parametrize("sizes", [[2, 100, 3], [64, 64, 10], [2, 3], [10, 32, 32, 5]])
def test_default_mlp_starts_within_2_percent_of_log_c(sizes):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(200, sizes[0]))
    y = rng.integers(0, sizes[-1], size=200)
    loss = F.cross_entropy(nn.MLP(sizes, rng=1)(Tensor(x)), y).item()
    assert abs(loss - math.log(sizes[-1])) < 0.02 * math.log(sizes[-1])


def test_mlp_gradients_match_finite_differences():
    rng = np.random.default_rng(3)
    model = nn.MLP([3, 5, 4], activation="tanh", rng=4, out_scale=1.0)
    x = Tensor(rng.standard_normal((6, 3)))
    upstream = rng.standard_normal((6, 4))
    w0, b0, w1, b1 = model.parameters()

    def f(w0, b0, w1, b1):
        h = F.tanh(x @ w0 + b0)
        return ((h @ w1 + b1) * upstream).sum()

    tx.gradcheck(f, w0, b0, w1, b1)
    # ...and the module computes exactly that function.
    np.testing.assert_allclose((model(x) * upstream).sum().item(), f(w0, b0, w1, b1).item())


def test_float32_stays_float32():
    model = nn.MLP([3, 4, 2], rng=0, dtype=np.float32)
    x = Tensor(np.ones((2, 3), dtype=np.float32))
    out = model(x)
    assert out.dtype == np.float32
    F.cross_entropy(out, np.array([0, 1])).backward()
    assert all(p.grad.dtype == np.float32 for p in model.parameters())


def test_zero_grad_clears_every_parameter():
    model = nn.MLP([3, 4, 2], rng=0)
    F.cross_entropy(model(Tensor(np.ones((2, 3)))), np.array([0, 1])).backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_shared_parameter_listed_once():
    first = nn.Linear(3, 3, rng=0)
    second = nn.Linear(3, 3, rng=1)
    second.weight = first.weight
    model = nn.Sequential(first, second)
    assert len(model.parameters()) == 3


def test_state_dict_round_trip_copies():
    a, b = nn.MLP([2, 5, 3], rng=0), nn.MLP([2, 5, 3], rng=1)
    state = a.state_dict()
    state["0.weight"][0, 0] = 123.0  # a copy: the model is untouched
    assert a.layers[0].weight.data[0, 0] != 123.0
    b.load_state_dict(a.state_dict())
    for pa, pb in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(pa.data, pb.data)


def test_load_state_dict_names_key_and_both_shapes():
    model = nn.MLP([2, 5, 3], rng=0)
    state = model.state_dict()
    state["2.weight"] = np.zeros((4, 3))
    with pytest.raises(
        ValueError,
        match=r"'2.weight' has shape \(4, 3\) in the state "
        r"but \(5, 3\) in the model",
    ):
        model.load_state_dict(state)
    state = model.state_dict()
    del state["0.bias"]
    state["extra"] = np.zeros(2)
    with pytest.raises(ValueError, match="the state does not fit this MLP") as err:
        model.load_state_dict(state)
    assert "'0.bias' is missing from the state (shape (5,)" in str(err.value)
    assert "'extra' (shape (2,) in the state) is not a parameter" in str(err.value)


def test_sequential_rejects_non_modules():
    with pytest.raises(TypeError, match="Sequential: layer 1 must be a Module"):
        nn.Sequential(nn.ReLU(), lambda x: x)
