"""tx.explain(full=True), the header's account of g, and the input batch labelled as input."""

import re

import numpy as np
import pytest
from run_cli import run_cli

import tinygrad_xent as tx
import tinygrad_xent.functional as F
from tinygrad_xent import Tensor, nn
from tinygrad_xent.explain import format_values, worked_example


def _batch_loss(n=8):
    """A linear classifier's mean cross-entropy on n points of 2 features, 3 classes."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 2))
    y = np.arange(n) % 3
    model = nn.Linear(2, 3, rng=0)
    logits = model(x)
    loss = F.cross_entropy(logits, y)
    loss.backward()
    return loss, model, x, y, logits.data


def _shown_in(array_text, text):
    """The lines of a printed array appear one after another in text, indented alike."""
    want = array_text.splitlines()
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.endswith(want[0]):
            indent = " " * (len(line) - len(want[0]))
            if lines[i + 1 : i + len(want)] == [indent + w for w in want[1:]]:
                return True
    return False


def _softmax_rows(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_full_prints_the_batch_gradient_p_minus_y_over_n_row_by_row():
    loss, model, x, y, logits = _batch_loss()
    expected = (_softmax_rows(logits) - np.eye(3)[y]) / len(y)  # (P - Y) / N, (8, 3)
    summary = tx.explain(loss, file=None, max_nodes=None)
    whole = tx.explain(loss, file=None, max_nodes=None, full=True)
    shown = format_values(expected, full=True)
    assert shown.count("\n") == 7  # eight rows, one line each
    assert not _shown_in(shown, summary) and "shape (8, 3), mean" in summary
    assert _shown_in(shown, whole) and "shape (8, 3), mean" not in whole
    # Every number of (P - Y) / N is printed, to 4 decimals.
    for value in expected.ravel():
        assert f"{value:.4f}".replace("-0.0000", "0.0000") in whole
    # The weight's gradient x^T (P - Y) / N, whole as well.
    np.testing.assert_allclose(model.weight.grad, x.T @ expected, rtol=1e-12)
    assert _shown_in(format_values(model.weight.grad, full=True), whole)


def test_full_on_large_arrays_never_elides_and_keeps_rows_lined_up():
    w = Tensor(np.linspace(-1, 1, 2000).reshape(40, 50), requires_grad=True)
    loss = (w * 2.0).sum()
    loss.backward(retain_graph=True)
    text = tx.explain(loss, file=None, full=True)
    block = text.split(".grad (1 use):\n")[1]
    assert "..." not in block and block.count("2.0000") == 2000
    assert _shown_in(format_values(np.full((40, 50), 2.0), full=True), text)
    assert max(len(line) for line in block.splitlines()) <= 100


def test_full_leaves_small_graphs_as_they_were():
    loss = worked_example("ce")
    assert tx.explain(loss, file=None, full=True) == tx.explain(loss, file=None)


def test_full_must_be_a_bool():
    loss = worked_example("ce")
    with pytest.raises(ValueError, match="full must be True or False, got 'yes'"):
        tx.explain(loss, file=None, full="yes")


def test_a_scalar_loss_says_g_is_the_gradient_of_the_loss():
    text = tx.explain(worked_example("ce"), file=None)
    assert "from the loss (node 9)" in text
    assert "g is the gradient of the loss with respect to a node's output" in text
    assert "seed" not in text


def test_softmax_alone_says_what_g_is_the_gradient_of_and_never_says_loss():
    p = worked_example("softmax")
    text = tx.explain(p, file=None)
    header = text.split("\n\n")[0]
    assert "loss" not in header.replace("no loss here", "")
    assert "seed   = [0.0000, 1.0000, 0.0000]   the grad passed to backward()" in header
    assert "g is the gradient of sum(output * seed) = output[1]" in header


def test_a_scalar_with_an_explicit_seed_is_not_called_a_loss():
    x = Tensor([1.0, 2.0], requires_grad=True)
    out = (x * 3.0).sum()
    out.backward(2.0)
    text = tx.explain(out, file=None)
    assert "from the output (node 1)" in text and "seed   = 2.0000" in text
    assert "g is the gradient of sum(output * seed)\n" in text
    np.testing.assert_allclose(x.grad, [6.0, 6.0])


def test_a_general_seed_on_a_matrix_output():
    x = Tensor(np.ones((2, 2)), requires_grad=True)
    out = x * 2.0
    seed = np.array([[0.0, 0.0], [0.0, 1.0]])
    out.backward(seed)
    assert "= output[1, 1]" in tx.explain(out, file=None)
    out = x * 2.0
    out.backward(np.array([[0.5, 0.0], [0.0, 1.0]]))
    text = tx.explain(out, file=None)
    assert "sum(output * seed)\n" in text and "output[" not in text


def test_the_data_fed_to_a_model_is_labelled_input_x():
    loss = _batch_loss()[0]
    text = tx.explain(loss, file=None, max_nodes=None)
    assert re.search(
        r"da to input x \(8, 2\) +none needed \(data: it does not require grad\)", text
    )
    assert "constant (8, 2)" not in text


def test_an_mlp_labels_only_its_first_layers_input():
    rng = np.random.default_rng(1)
    model = nn.MLP([2, 4, 3], rng=0)
    loss = F.cross_entropy(model(rng.normal(size=(5, 2))), np.array([0, 1, 2, 0, 1]))
    loss.backward()
    text = tx.explain(loss, file=None, max_nodes=None)
    assert text.count("to input x (5, 2)") == 1
    assert "to input x (5, 4)" not in text


def test_a_constant_elsewhere_stays_a_constant():
    a = Tensor(np.ones((2, 3)), requires_grad=True)
    loss = (np.ones((4, 2)) @ a).sum()  # a constant on the left, but a is the parameter:
    loss.backward()  # the rule says "the first matmul's unnamed constant left operand"
    assert "input x (4, 2)" in tx.explain(loss, file=None)
    w = Tensor(np.ones((2, 3)), requires_grad=True)
    loss = (w @ np.ones((3, 4))).sum()  # the constant is on the right: not an input
    loss.backward()
    text = tx.explain(loss, file=None)
    assert "db to constant (3, 4)" in text and "input x" not in text


@pytest.mark.slow  # two runs of the command line, over a second
def test_cli_graph_full(tmp_path):
    result = run_cli("graph", "--example", "nt_xent", "--full", "--out", str(tmp_path / "g.png"))
    assert result.returncode == 0, result.stderr
    assert "shape (4, 4), mean" not in result.stdout
    plain = run_cli("graph", "--example", "nt_xent", "--out", str(tmp_path / "h.png"))
    assert "shape (4, 4), mean" in plain.stdout
    assert result.stdout.count("\n") > plain.stdout.count("\n")
