"""Process-wide state where users expect per-thread: grad mode and anomaly mode.

``no_grad`` and ``detect_anomaly`` belong to the thread that enters them, as PyTorch's grad
mode does: two threads, one evaluating under ``no_grad`` and one training, each get exactly
what they would get alone, and interleaved blocks restore both.
"""

import threading

import numpy as np
import pytest

import tinygrad_xent as tx
from tinygrad_xent import Tensor, autograd


def _in_thread(fn):
    result = {}

    def run():
        result["value"] = fn()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return result["value"]


def test_no_grad_in_one_thread_leaves_another_recording():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with tx.no_grad():
        assert not tx.is_grad_enabled()
        assert _in_thread(tx.is_grad_enabled)
        assert _in_thread(lambda: (x * 2.0).requires_grad)
        assert not (x * 2.0).requires_grad
    assert autograd.modes_in_use == 0


def test_interleaved_no_grad_blocks_in_two_threads_restore_both():
    inside, leave = threading.Event(), threading.Event()
    seen = {}

    def other():
        with tx.no_grad():
            inside.set()
            leave.wait(5)
            seen["other"] = tx.is_grad_enabled()
        seen["other after"] = tx.is_grad_enabled()

    thread = threading.Thread(target=other)
    block = tx.no_grad()
    block.__enter__()  # this thread enters first ...
    thread.start()
    inside.wait(5)
    block.__exit__(None, None, None)  # ... and leaves while the other is still inside
    assert tx.is_grad_enabled()
    x = Tensor([3.0], requires_grad=True)
    (x * x).sum().backward()
    leave.set()
    thread.join()
    assert seen == {"other": False, "other after": True}
    np.testing.assert_array_equal(x.grad, [6.0])
    assert autograd.modes_in_use == 0


def test_two_threads_training_and_evaluating_get_what_they_get_alone():
    rng = np.random.default_rng(0)
    w0, data = rng.normal(size=(4, 3)), rng.normal(size=(64, 4))

    def train():
        w = Tensor(w0.copy(), requires_grad=True)
        for _ in range(200):
            loss = ((Tensor(data) @ w) ** 2).mean()
            loss.backward()
            with tx.no_grad():
                w.data -= 0.01 * w.grad
            w.zero_grad()
        return w.data

    def evaluate():
        flags = []
        for _ in range(200):
            with tx.no_grad():
                flags.append((Tensor(w0, requires_grad=True) * 2.0).requires_grad)
        return flags

    alone = train()
    results = {}
    threads = [
        threading.Thread(target=lambda: results.update(train=train())),
        threading.Thread(target=lambda: results.update(evaluate=evaluate())),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    np.testing.assert_array_equal(results["train"], alone)
    assert not any(results["evaluate"])


def test_detect_anomaly_in_one_thread_does_not_check_another():
    x = Tensor([0.0], requires_grad=True)
    with tx.detect_anomaly():

        def log_there():
            with np.errstate(divide="ignore"):
                return x.log().data

        assert np.isneginf(_in_thread(log_there)).all()  # not raised there
        with np.errstate(divide="ignore"), pytest.raises(tx.AnomalyError, match="forward of log"):
            x.log()
