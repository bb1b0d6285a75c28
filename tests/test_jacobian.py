"""tx.jacobian: reverse mode one row at a time, against closed forms and finite differences."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_xent as tx
import tinygrad_xent.functional as F


def numeric_jacobian(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences of f (numpy in, numpy out), one input element at a time."""
    out_shape = np.shape(f(x))
    jac = np.zeros(out_shape + x.shape)
    for j in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[j] += eps
        minus[j] -= eps
        jac[(Ellipsis,) + j] = (f(plus) - f(minus)) / (2 * eps)
    return jac


def test_softmax_jacobian_is_diag_p_minus_p_p_transposed_and_rows_sum_to_zero():
    z = np.array([1.2, 2.3, 0.8])
    p = np.exp(z) / np.exp(z).sum()
    jac = tx.jacobian(F.softmax, z)
    np.testing.assert_allclose(jac, np.diag(p) - np.outer(p, p), atol=1e-15)
    np.testing.assert_allclose(jac.sum(axis=1), 0.0, atol=1e-15)
    # p = [0.2139, 0.6427, 0.1434], so the diagonal is p_i (1 - p_i) = 0.1682, 0.2296, ...
    assert jac[0, 0] == pytest.approx(0.16816, abs=1e-5)
    assert jac[1, 1] == pytest.approx(0.22964, abs=1e-5)


@pytest.mark.parametrize("seed", range(3))
def test_a_random_function_of_a_matrix_matches_finite_differences(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, 3))
    w = rng.normal(size=(3, 4))

    def f_tape(t):
        return F.tanh(t @ w).exp() * t.sum(axis=1, keepdims=True)  # (2, 4)

    def f_numpy(a):
        return np.exp(np.tanh(a @ w)) * a.sum(axis=1, keepdims=True)

    jac = tx.jacobian(f_tape, x)
    assert jac.shape == (2, 4, 2, 3)
    np.testing.assert_allclose(jac, numeric_jacobian(f_numpy, x), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize(
    "f, x, expected",
    [
        (lambda t: (t * t).sum(), np.array([1.0, -2.0]), np.array([2.0, -4.0])),  # 0-d out
        (
            lambda t: t * np.array([1.0, 2.0, 3.0]),
            np.array(2.0),
            np.array([1.0, 2.0, 3.0]),
        ),  # 0-d in
        (lambda t: t * t, np.array(3.0), np.array(6.0)),  # 0-d in and out
        (lambda t: t, np.array([1.0, 2.0]), np.eye(2)),  # f returns the leaf itself
        (lambda t: tx.Tensor(np.ones(2)), np.array([1.0, 2.0, 3.0]), np.zeros((2, 3))),  # constant
        (lambda t: t[0] * 2.0, np.array([1.0, 2.0]), np.array([2.0, 0.0])),  # one input unused
    ],
)
def test_shapes_are_out_shape_plus_x_shape_at_every_edge(f, x, expected):
    jac = tx.jacobian(f, x)
    assert jac.shape == np.shape(expected)
    np.testing.assert_allclose(jac, expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept(dtype):
    jac = tx.jacobian(F.softmax, np.array([1.2, 2.3, 0.8], dtype=dtype))
    assert jac.dtype == dtype


def test_x_and_the_leaves_f_closes_over_keep_their_grad():
    x = tx.Tensor([1.0, 2.0], requires_grad=True)
    x.grad = np.array([5.0, 6.0])
    w = tx.Tensor([3.0, 4.0], requires_grad=True)
    b = tx.Tensor([0.5, 0.5], requires_grad=True)  # no grad yet: it must stay None
    w.grad = np.array([7.0, 8.0])
    jac = tx.jacobian(lambda t: t * w + b, x)
    np.testing.assert_allclose(jac, np.diag([3.0, 4.0]))
    np.testing.assert_array_equal(x.grad, [5.0, 6.0])
    np.testing.assert_array_equal(w.grad, [7.0, 8.0])
    assert b.grad is None
    np.testing.assert_array_equal(x.data, [1.0, 2.0])


def test_python_lists_become_float64():
    assert tx.jacobian(lambda t: t * 2.0, [1.0, 2.0]).dtype == np.float64


@pytest.mark.parametrize(
    "f, x, message",
    [
        (F.softmax, np.array([1, 2, 3]), "jacobian: x must be floating point, got dtype int64"),
        (lambda t: t.data * 2, np.array([1.0]), "jacobian: f must return a Tensor, got ndarray"),
    ],
)
def test_errors_name_the_function_and_the_value(f, x, message):
    with pytest.raises(TypeError, match=message):
        tx.jacobian(f, x)


@settings(max_examples=25)
@given(
    shape=st.lists(st.integers(1, 3), min_size=0, max_size=3).map(tuple), seed=st.integers(0, 2**16)
)
def test_an_elementwise_function_has_a_diagonal_jacobian_of_any_shape(shape, seed):
    x = np.random.default_rng(seed).uniform(-2, 2, size=shape)
    jac = tx.jacobian(lambda t: t * t.exp(), x)
    assert jac.shape == shape + shape
    diagonal = (1 + x) * np.exp(x)  # d(x e^x)/dx
    expected = np.diag(diagonal.reshape(-1)).reshape(shape + shape)
    np.testing.assert_allclose(jac, expected, rtol=1e-12, atol=1e-15)


@settings(max_examples=25)
@given(n=st.integers(1, 4), m=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_a_linear_map_has_its_matrix_as_jacobian(n, m, seed):
    rng = np.random.default_rng(seed)
    w = rng.normal(size=(n, m))
    jac = tx.jacobian(lambda t: t @ w, rng.normal(size=n))  # y_j = sum_i x_i w_ij
    np.testing.assert_allclose(jac, w.T, rtol=1e-12)
