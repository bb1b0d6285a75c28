"""detect_anomaly stops at the first op whose output or gradient holds nan or inf."""

import warnings

import numpy as np
import pytest

import tinygrad_xent as tx
import tinygrad_xent.functional as F
from tinygrad_xent import Tensor


@pytest.fixture(autouse=True)
def _quiet_numpy():
    # numpy warns about the very divisions these tests make on purpose.
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def test_forward_log_of_zero_is_named_with_the_cure():
    logits = Tensor([[1.0, 1000.0]], requires_grad=True)  # softmax underflows to exactly 0
    with tx.detect_anomaly():
        with pytest.raises(tx.AnomalyError) as caught:
            F.softmax(logits).log()
    message = str(caught.value)
    assert message.startswith("detect_anomaly: forward of log")
    assert "1 inf in an array of shape (1, 2)" in message
    assert "inputs: shape (1, 2), finite values in [0, 1]" in message
    assert "log_softmax" in message and "clamping" in message


def test_forward_position_counts_ops_since_the_block_began():
    x = Tensor([1.0, -1.0], requires_grad=True)
    y = x * 2.0  # outside the block: not counted
    with tx.detect_anomaly():
        z = y + 1.0  # op 0
        with pytest.raises(tx.AnomalyError, match=r"forward of div \(op 1 since"):
            z / np.array([1.0, 0.0])  # op 1: 3 / 0 = inf
    # A mul whose inputs are fine but whose output overflows is caught as well.
    with tx.detect_anomaly():
        with pytest.raises(tx.AnomalyError, match="forward of exp"):
            (x * 1000.0).exp()


def test_backward_inf_is_named_with_its_tape_position():
    x = Tensor([0.0, 4.0], requires_grad=True)
    with tx.detect_anomaly():
        loss = (x * 3.0) ** 0.5  # sqrt: finite at 0, but its slope is infinite there
        loss = loss.sum()
        with pytest.raises(tx.AnomalyError) as caught:
            loss.backward()
    message = str(caught.value)
    assert message.startswith("detect_anomaly: backward of pow (node 1 on the tape)")
    assert "1 inf in an array of shape (2,) in the gradient of input 0" in message
    assert "gradient arriving: shape (2,), finite values in [1, 1]" in message
    assert "dx = g * p * x ** (p - 1)" in message
    assert x.grad is None  # stopped before anything reached the leaf


def test_backward_nan_from_a_zero_times_infinity():
    x = Tensor([0.0], requires_grad=True)
    with tx.detect_anomaly():
        y = tx.maximum(x, 0.0) ** 0.5  # the tie at 0 sends g/2, times an infinite slope
        loss = (y * 0.0).sum()
        with pytest.raises(tx.AnomalyError, match=r"backward of pow .* 1 nan"):
            loss.backward()


def test_off_by_default_and_off_again_after_the_block():
    x = Tensor([0.0], requires_grad=True)
    with tx.detect_anomaly():
        pass
    y = x.log()  # -inf, silently, as numpy would
    assert np.isneginf(y.data).all()
    (y * 0.0).sum().backward()
    assert np.isnan(x.grad).all()


def test_a_clean_run_is_unchanged():
    logits = Tensor([[1.2, 2.3, 0.8]], requires_grad=True)
    with tx.detect_anomaly():
        loss = F.cross_entropy(logits, np.array([1]))
        loss.backward()
    e = np.exp([1.2, 2.3, 0.8])
    np.testing.assert_allclose(logits.grad[0], e / e.sum() - [0, 1, 0])
