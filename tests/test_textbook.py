"""Every worked number of the textbook lessons, at the precision the book prints it.

Where a book rounded an intermediate value before going on (or truncated, or used bits), the
test does the same and says so, and also checks the unrounded value.
"""

import math

import numpy as np
import pytest

import tinygrad_xent.functional as F
from tinygrad_xent import Tensor, maximum
from tinygrad_xent.textbook import main


def rounded(values, digits):
    return [round(float(v), digits) for v in np.atleast_1d(values)]


def truncated(value, digits):
    return math.floor(value * 10**digits) / 10**digits


def test_softmax_cross_entropy_and_gradient():
    logits = Tensor([1.2, 2.3, 0.8], requires_grad=True)
    p = F.softmax(logits).data
    assert round(float(np.exp(logits.data).sum()), 2) == 15.52
    assert rounded(p, 4) == [0.2139, 0.6427, 0.1434]  # unrounded
    # The book printed [0.214, 0.642, 0.144]: its exps rounded to 2 decimals, over 15.52.
    assert rounded(np.round(np.exp(logits.data), 2) / 15.52, 3) == [0.214, 0.642, 0.144]
    loss = F.cross_entropy(logits, np.int64(1))
    assert round(loss.item(), 4) == 0.4421  # unrounded
    assert round(-math.log(0.642), 3) == 0.443  # the book took -log of its rounded 0.642
    loss.backward()
    assert rounded(logits.grad, 4) == [0.2139, -0.3573, 0.1434]  # softmax - one_hot
    np.testing.assert_allclose(logits.grad, p - [0, 1, 0], atol=1e-15)


def test_cross_entropy_in_bits():
    logits = np.array([3.2, 1.3, 0.2, 0.8])
    assert rounded(F.softmax(logits).data, 3) == [0.775, 0.116, 0.039, 0.070]
    nats = F.cross_entropy(logits, np.int64(0)).item()
    assert round(nats, 4) == 0.2547
    assert round(nats / math.log(2), 4) == 0.3675  # unrounded, in bits
    assert round(-math.log2(0.775), 4) == 0.3677  # the book: bits, from the rounded 0.775


def test_softmax_against_plain_normalization():
    assert rounded(F.softmax(np.array([2.0, 4.0])).data, 3) == [0.119, 0.881]
    assert rounded(F.softmax(np.array([4.0, 8.0])).data, 3) == [0.018, 0.982]
    for x in ([2.0, 4.0], [4.0, 8.0]):
        assert rounded(np.array(x) / np.sum(x), 3) == [0.333, 0.667]


def test_softmax_sharpens():
    assert rounded(F.softmax(np.array([1.0, 2.0, 3.0])).data, 2) == [0.09, 0.24, 0.67]
    p = F.softmax(np.array([1.0, 2.0, 5.0])).data
    assert rounded(p[:2], 2) == [0.02, 0.05]
    # The book prints 0.93; the value is 0.936, which is 0.94 at two decimals.
    assert round(float(p[2]), 3) == 0.936 and round(float(p[2]), 2) == 0.94
    assert truncated(float(p[2]), 2) == 0.93


@pytest.mark.parametrize("first,bits", [(26, 0.5665), (14, 0.9968), (1, 0.2108)])
def test_entropy_of_containers_in_bits(first, bits):
    p = np.array([first, 30 - first]) / 30
    assert round(F.entropy(p, base=2).item(), 4) == bits


def test_binary_cross_entropy():
    assert round(F.binary_cross_entropy([0.9], [1.0]).item(), 3) == 0.105
    minus_log_tenth = F.binary_cross_entropy([0.1], [1.0]).item()
    assert truncated(minus_log_tenth, 3) == 2.302  # the book truncated 2.302585
    assert round(minus_log_tenth, 3) == 2.303
    assert round(F.binary_cross_entropy([0.9, 0.3], [1.0, 0.0]).item(), 3) == 0.231


def test_multi_label_bce_with_logits():
    logits, labels = [2.0, -1.0, 0.5], [1.0, 0.0, 1.0]
    each = F.binary_cross_entropy_with_logits(logits, labels, reduction="none").data
    assert rounded(each, 3) == [0.127, 0.313, 0.474]  # unrounded
    # The book rounded sigmoid to two decimals (0.88, 0.27, 0.62) before the log.
    book_probs = [0.88, 1 - 0.27, 0.62]  # the probability of each true label
    assert rounded([-math.log(q) for q in book_probs], 2) == [0.13, 0.31, 0.48]
    mean = F.binary_cross_entropy_with_logits(logits, labels).item()
    assert round(mean, 3) == 0.305
    assert round(sum([0.13, 0.31, 0.48]) / 3, 2) == 0.31  # the book's mean of rounded terms
    assert round(mean, 2) == 0.30  # unrounded the mean is 0.305, which rounds down


@pytest.mark.parametrize("classes,loss", [(4, 1.386), (10, 2.303)])
def test_untrained_classifier_loss_is_log_c(classes, loss):
    assert round(F.cross_entropy(np.zeros((1, classes)), np.array([0])).item(), 3) == loss
    assert round(F.cross_entropy(np.zeros((5, classes)), np.arange(5) % classes).item(),
                 3) == loss


def test_float32_pitfall():
    logits = Tensor(np.array([[0.0, 200.0]], dtype=np.float32))
    p = F.softmax(logits)
    assert p.data[0, 0] == 0.0  # exp(-200) underflows in float32
    clamped = -maximum(p, float(np.finfo(np.float32).tiny)).log()[0, 0]
    assert round(clamped.item(), 4) == 87.3365
    true_loss = F.cross_entropy(logits, np.array([0]))
    assert true_loss.dtype == np.float32 and true_loss.item() == pytest.approx(200.0, rel=1e-7)


def test_walkthrough_prints_each_book_value(capsys):
    main()
    out = capsys.readouterr().out
    for book in ("15.52", "[0.214, 0.642, 0.144]", "0.443", "[0.2139, -0.3573, 0.1434]",
                 "0.3677", "[0.119, 0.881]", "[0.018, 0.982]", "[0.09, 0.24, 0.67]",
                 "[0.02, 0.05, 0.93]", "0.5665", "0.9968", "0.2108", "0.105", "2.302",
                 "0.231", "[0.13, 0.31, 0.48]", "1.386", "2.303", "87.3365"):
        assert book in out, book
    assert out.count("\n") > 60  # a walkthrough with explanations, not a bare list
