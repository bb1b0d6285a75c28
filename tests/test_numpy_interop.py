"""numpy's functions on Tensors: the package's op on the graph, a read of the values, or an
error naming the package's call; never a plain array silently cut from a graph."""

import numpy as np
import pytest

import tinygrad_xent as tx
from tinygrad_xent import Tensor

A = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
UPSTREAM = np.array([[0.3, -1.1, 0.8], [1.7, -0.4, 0.6]])  # not uniform: catches a wrong rule


def leaf():
    return Tensor(A.copy(), requires_grad=True)


# (numpy call on the Tensor t, the same call on the array a): the result is a Tensor on the graph
ON_THE_GRAPH = {
    "np.exp": lambda t: np.exp(t),
    "np.log": lambda t: np.log(np.abs(t)),
    "np.sqrt": lambda t: np.sqrt(np.abs(t)),
    "np.tanh": lambda t: np.tanh(t),
    "np.square": lambda t: np.square(t),
    "np.negative": lambda t: np.negative(t),
    "np.add": lambda t: np.add(t, 1.0),
    "np.subtract": lambda t: np.subtract(2.0, t),
    "np.multiply": lambda t: np.multiply(t, t),
    "np.divide": lambda t: np.divide(t, 4.0),
    "np.power": lambda t: np.power(t, 2),
    "np.maximum": lambda t: np.maximum(t, 0.1),
    "np.minimum": lambda t: np.minimum(t, 0.1),
    "array * t": lambda t: np.full((2, 3), 3.0) * t,
    "array - t": lambda t: np.ones((2, 3)) - t,
    "array @ t": lambda t: (np.ones((4, 2)) @ t)[:2],
    "np.matmul": lambda t: np.matmul(np.eye(2), t),
    "np.dot": lambda t: np.dot(np.eye(2), t),
    "np.sum": lambda t: np.sum(t, axis=1, keepdims=True) * np.ones((2, 3)),
    "np.mean": lambda t: np.mean(t, 0) * np.ones((2, 3)),
    "np.max": lambda t: np.max(t, axis=0) * np.ones((2, 3)),
    "np.min": lambda t: np.min(t, axis=1, keepdims=True) * np.ones((2, 3)),
    "np.concatenate": lambda t: np.concatenate([t, t], axis=1)[:, 1:4],
    "np.stack": lambda t: np.stack([t, 2 * t])[1],
    "np.reshape": lambda t: np.reshape(np.reshape(t, (3, 2)), (2, 3)),
    "np.transpose": lambda t: np.transpose(t).T,
    "np.where": lambda t: np.where(A > 0, t, 2 * t),
    "np.clip": lambda t: np.clip(t, -0.8, 1.0),
}


@pytest.mark.parametrize("name", sorted(ON_THE_GRAPH))
def test_numpy_functions_become_the_ops(name):
    f = ON_THE_GRAPH[name]
    t = leaf()
    out = f(t)
    assert isinstance(out, Tensor) and out.requires_grad, name
    np.testing.assert_allclose(out.data, np.asarray(f(A), dtype=float))
    assert tx.gradcheck(lambda x: (f(x) * UPSTREAM).sum(), leaf())


def test_np_dot_of_vectors_and_numbers():
    v = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    assert np.dot(v, v).item() == 5.0
    assert np.dot(v, 3.0).tolist() == [3.0, 6.0]
    with pytest.raises(TypeError, match=r"np.dot: .*use tx.matmul\(a, b\)"):
        np.dot(Tensor(np.ones((2, 2, 2)), requires_grad=True), np.ones((2, 2)))


def test_concatenate_with_no_axis_flattens_as_numpy_does():
    t = leaf()
    np.testing.assert_array_equal(np.concatenate([t, t], axis=None).data, np.tile(A.ravel(), 2))


@pytest.mark.parametrize(
    "call, names",
    [
        (lambda t: np.sin(t), "tx.Function"),
        (lambda t: np.cumsum(t), "t.detach().numpy()"),
        (lambda t: np.log1p(t), "(1 + t).log()"),
        (lambda t: np.var(t), "t.var(axis=...)"),
        (lambda t: np.exp(t, out=np.empty((2, 3))), "t.exp()"),
        (lambda t: np.add.reduce(t), "t.sum()"),
        (lambda t: np.sum(t, dtype=np.float32), "t.sum(axis, keepdims)"),
        (lambda t: np.copy(t), "t.detach().numpy().copy()"),
    ],
)
def test_a_numpy_function_without_an_op_is_refused_naming_the_call(call, names):
    with pytest.raises(TypeError) as err:
        call(leaf())
    assert names in str(err.value)


def test_in_place_numpy_into_an_array_is_refused():
    total = np.zeros((2, 3))
    with pytest.raises(TypeError, match="a \\+ b"):
        total += leaf()


def test_without_a_graph_numpy_computes_on_the_values():
    constant = Tensor(A)
    np.testing.assert_array_equal(np.sin(constant), np.sin(A))
    np.testing.assert_array_equal(np.cumsum(constant), np.cumsum(A))
    np.testing.assert_array_equal(np.sin(leaf().detach()), np.sin(A))


def test_reads_give_plain_answers_even_on_a_graph():
    t = leaf()
    assert np.allclose(t, A) and np.array_equal(t, A)
    assert np.shape(t) == (2, 3) and np.ndim(t) == 2
    np.testing.assert_array_equal(np.argmax(t, axis=1), A.argmax(1))
    np.testing.assert_array_equal(np.isfinite(t), np.ones((2, 3), bool))
    np.testing.assert_array_equal(np.ones((2, 3)) < t, 1 < A)  # as t > 1: a boolean array
    np.testing.assert_array_equal(np.where(t > 0), np.where(A > 0))
    np.testing.assert_array_equal(np.asarray(t), A)
    np.testing.assert_array_equal(np.zeros_like(t), np.zeros_like(A))  # an optimizer's buffer
    assert np.asarray(t) is t.data


def test_a_numpy_scalar_on_the_left_stays_on_the_graph():
    t = leaf()
    out = np.float64(2.0) * t
    assert isinstance(out, Tensor) and out.requires_grad
    out = np.float32(2.0) + Tensor(A.astype(np.float32), requires_grad=True)
    assert isinstance(out, Tensor) and out.requires_grad
