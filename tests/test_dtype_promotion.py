"""Python numbers are weak in every binary op, under numpy 1.x as under numpy 2 (NEP 50).

numpy 2 keeps ``float32 * 2.0`` float32 for arrays of any shape; numpy 1.x did so only for
arrays of one dimension or more and turned a 0-d float32 (a mean, a loss) into float64. The
ops cast a Python number to the other operand's float dtype first, so both numpys agree. A
numpy scalar is not a Python number: ``np.float64(2.0)`` promotes as numpy says.
"""

import numpy as np
import pytest

import tinygrad_xent as tx
from tinygrad_xent import Tensor

BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "maximum": tx.maximum,
    "where": lambda a, b: tx.where(np.array(True), a, b),
}


@pytest.mark.parametrize("op", sorted(BINARY))
@pytest.mark.parametrize("shape", [(), (3,), (2, 3)])
@pytest.mark.parametrize("number", [2, 2.5, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_a_python_number_takes_the_tensor_float_dtype_on_either_side(op, shape, number, dtype):
    x = Tensor(np.full(shape, 1.5, dtype=dtype), requires_grad=True)
    for y in (BINARY[op](x, number), BINARY[op](number, x)):
        assert y.dtype == dtype and y.shape == shape
        y.sum().backward()
        assert x.grad.dtype == dtype
        x.zero_grad()


@pytest.mark.parametrize("exponent", [2, 0.5, -1.0])
@pytest.mark.parametrize("shape", [(), (3,)])
def test_pow_with_a_python_exponent_keeps_float32(exponent, shape):
    x = Tensor(np.full(shape, 1.5, dtype=np.float32), requires_grad=True)
    y = x**exponent
    assert y.dtype == np.float32
    y.sum().backward()
    np.testing.assert_allclose(x.grad, exponent * 1.5 ** (exponent - 1), rtol=1e-6)
    assert x.grad.dtype == np.float32


def test_mean_and_losses_of_float32_stay_float32_at_zero_dimensions():
    import tinygrad_xent.functional as F

    logits = Tensor(np.array([[1.0, 2.0, 0.5]], dtype=np.float32), requires_grad=True)
    for loss in (
        logits.mean(),
        F.cross_entropy(logits, np.array([1])),
        F.binary_cross_entropy_with_logits(logits, np.ones((1, 3), np.float32)),
    ):
        assert loss.shape == () and loss.dtype == np.float32


@pytest.mark.parametrize("op", sorted(BINARY))
def test_a_numpy_float64_scalar_promotes_as_numpy_says(op):
    x = Tensor(np.float32(1.5))
    assert BINARY[op](x, np.float64(2.0)).dtype == np.float64


@pytest.mark.parametrize("op", ["add", "mul"])
def test_integer_tensors_with_a_python_float_become_float64(op):
    labels = Tensor(np.array([1, 2], dtype=np.int64))
    assert BINARY[op](labels, 0.5).dtype == np.float64
