"""tx.explain: the numbers it prints are the ones backward computed, checked against numpy."""

import io
import re

import numpy as np
import pytest

import tinygrad_xent as tx
import tinygrad_xent.functional as F
from tinygrad_xent import Tensor
from tinygrad_xent.explain import worked_example


def _softmax(x):
    e = np.exp(x - x.max())
    return e / e.sum()


def test_worked_cross_entropy_shows_softmax_minus_one_hot():
    logits = np.array([1.2, 2.3, 0.8])
    expected = _softmax(logits) - np.eye(3)[1]
    np.testing.assert_allclose(expected, [0.2139, -0.3573, 0.1434], atol=5e-5)
    loss = F.cross_entropy(Tensor(logits, requires_grad=True), 1)
    loss.backward()
    text = tx.explain(loss, file=None)
    assert "[ 0.2139, -0.3573,  0.1434]" in text
    assert f"loss = {-np.log(_softmax(logits)[1]):.4f}" in text
    # The closing block is the leaf's total gradient.
    assert text.rstrip().endswith("[ 0.2139, -0.3573,  0.1434]")
    # One block per tape node, newest first.
    nodes = tx.tape(loss)
    starts = [line.split()[1] for line in text.splitlines() if line.startswith("node ")]
    assert starts == [str(i) for i in range(len(nodes) - 1, -1, -1)]


def test_blocks_show_value_grad_rule_and_what_each_input_gets():
    x = Tensor([0.5, -1.0], requires_grad=True)
    y = x.exp()
    loss = (y * np.array([2.0, 3.0])).sum()
    loss.backward()
    text = tx.explain(loss, file=None)
    e = np.exp([0.5, -1.0])
    assert "node 0  exp((2,)) -> (2,)" in text
    assert "y = exp(x);  dx = g * y" in text
    assert f"[{e[0]:.4f}, {e[1]:.4f}]" in text  # exp's value
    assert f"[{2 * e[0]:.4f}, {3 * e[1]:.4f}]" in text  # dx handed to the leaf
    assert re.search(r"db to constant \(2,\) +none needed", text)
    np.testing.assert_allclose(x.grad, [2 * e[0], 3 * e[1]])


def test_a_tensor_used_twice_says_its_gradient_is_a_sum():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = x * 2.0
    loss = (h * h).sum()
    loss.backward()
    text = tx.explain(loss, file=None)
    assert "g arriving (sum of 2 uses)" in text
    assert "[ 8.0000, 16.0000, 24.0000]" in text  # d(4x^2)/dx = 8x


def test_large_arrays_are_summarised_by_shape_mean_and_norm():
    w = Tensor(np.linspace(-1, 1, 20).reshape(4, 5), requires_grad=True)
    loss = (w * w).sum()
    loss.backward()
    text = tx.explain(loss, file=None)
    g = 2 * w.data
    assert abs(g.mean()) < 1e-15  # printed as 0.0000, never -0.0000
    assert f"shape (4, 5), mean 0.0000, norm {np.linalg.norm(g):.4f}" in text
    assert "leaf (4, 5).grad" in text


def test_several_leaves_are_numbered():
    a = Tensor([1.0], requires_grad=True)
    b = Tensor([2.0], requires_grad=True)
    loss = (a * b).sum()
    loss.backward()
    text = tx.explain(loss, file=None)
    assert "da to leaf 0 (1,)  [2.0000]" in text
    assert "db to leaf 1 (1,)  [1.0000]" in text


def test_prints_to_stdout_by_default_and_to_a_given_file(capsys):
    loss = worked_example("bce")
    text = tx.explain(loss)
    assert capsys.readouterr().out == text + "\n"
    stream = io.StringIO()
    assert tx.explain(loss, file=stream) == text
    assert stream.getvalue() == text + "\n"


def test_without_backward_it_says_what_to_call():
    x = Tensor([1.0, 2.0], requires_grad=True)
    text = tx.explain((x * x).sum(), file=None)
    assert "call loss.backward() first" in text


def test_large_graph_without_retain_graph_asks_for_it():
    x = Tensor(np.ones(3), requires_grad=True)
    h = x
    for _ in range(70):  # more nodes than the engine keeps by default
        h = h * 1.01
    loss = h.sum()
    loss.backward()
    assert "loss.backward(retain_graph=True)" in tx.explain(loss, file=None)
    x2 = Tensor(np.ones(3), requires_grad=True)
    h = x2
    for _ in range(70):
        h = h * 1.01
    loss = h.sum()
    loss.backward(retain_graph=True)
    assert f"{1.01**70:.4f}" in tx.explain(loss, file=None)


def test_nothing_to_explain_and_wrong_type():
    assert "nothing to explain" in tx.explain(Tensor([1.0]), file=None)
    with pytest.raises(TypeError, match="explain: loss must be a Tensor, got ndarray"):
        tx.explain(np.ones(3))


def test_float32_values_print_the_same_numbers():
    loss = F.cross_entropy(Tensor(np.array([1.2, 2.3, 0.8], np.float32), requires_grad=True), 1)
    loss.backward()
    text = tx.explain(loss, file=None)
    assert "float32" in text
    assert "[ 0.2139, -0.3573,  0.1434]" in text


def test_worked_examples_gradients():
    bce = worked_example("bce")
    leaf = tx.tape(bce)[0].parents[0]
    sigmoid = 1 / (1 + np.exp(-np.array([0.8, -1.5])))
    np.testing.assert_allclose(leaf.grad, (sigmoid - [1.0, 0.0]) / 2)
    assert np.isfinite(worked_example("nt_xent").item())
    with pytest.raises(ValueError, match="got 'mse'"):
        worked_example("mse")
