"""Losses at infinite logits give their limits, and a documented gradient is the one given.

The README promises limits at infinite inputs. Here every loss over classes, with every target
kind and option, is evaluated at logits holding +-inf and compared with the same loss at a
large finite stand-in (+-1e6, then +-1e7), which the stable forms compute exactly: a finite
limit must match, an infinite one must grow. No value is nan and no gradient is nan. A row that
is entirely -inf (fully masked) has no limit of that kind; its documented value is checked on
its own, with a zero gradient, as is the zero gradient of an all-zero embedding row that
docs/losses/nt-xent-supcon.md states.
"""

import itertools
import pathlib

import numpy as np
import pytest

import tinygrad_xent as tx
import tinygrad_xent.functional as F

INF = np.inf
ROWS = {
    "one +inf": [INF, 1.0, 0.0],
    "two +inf": [INF, INF, 0.0],
    "one -inf": [-INF, 1.0, 0.0],
    "+inf and -inf": [INF, -INF, 0.0],
}
TARGETS = {
    "index 0": 0,
    "index 1": 1,
    "one-hot 0": [1.0, 0.0, 0.0],
    "half 0 half 1": [0.5, 0.5, 0.0],
    "soft": [0.2, 0.3, 0.5],
}
OPTIONS = [
    {},
    {"label_smoothing": 0.1},
    {"weight": [1.0, 2.0, 0.0]},
    {"weight": [1.0, 2.0, 0.0], "label_smoothing": 0.1},
    {"reduction": "sum"},
    {"reduction": "none"},
]


def loss_of(row, target, options):
    x = tx.Tensor(np.array([row]), requires_grad=True)
    t = np.array([target]) if isinstance(target, int) else np.array([target])
    loss = F.cross_entropy(x, t, **options)
    loss.sum().backward()
    return float(loss.data.sum()), x.grad


def stand_in(row, big):
    return [big if v == INF else -big if v == -INF else v for v in row]


@pytest.mark.parametrize("options", OPTIONS, ids=str)
@pytest.mark.parametrize("target", TARGETS, ids=str)
@pytest.mark.parametrize("row", ROWS, ids=str)
def test_cross_entropy_gives_its_limit_at_infinite_logits(row, target, options):
    value, grad = loss_of(ROWS[row], TARGETS[target], options)
    near, _ = loss_of(stand_in(ROWS[row], 1e6), TARGETS[target], options)
    nearer, _ = loss_of(stand_in(ROWS[row], 1e7), TARGETS[target], options)
    assert not np.isnan(value) and not np.isnan(grad).any()
    if np.isinf(value):
        assert value > 0 and nearer > 5 * near > 0  # the loss grows without bound
    else:
        assert value == pytest.approx(nearer, abs=1e-9)


@pytest.mark.parametrize("target", ["index 0", "index 1"], ids=str)
@pytest.mark.parametrize("row", ROWS, ids=str)
def test_nll_of_log_softmax_gives_the_same_limit(row, target):
    x = tx.Tensor(np.array([ROWS[row]]), requires_grad=True)
    loss = F.nll_loss(F.log_softmax(x, axis=1), [TARGETS[target]])
    loss.backward()
    expected, _ = loss_of(ROWS[row], TARGETS[target], {})
    assert loss.item() == expected
    assert not np.isnan(x.grad).any()


def test_the_issue_example_for_probability_targets():
    assert F.cross_entropy(tx.Tensor([INF, 1.0, 0.0]), np.array([1.0, 0, 0])).item() == 0.0
    assert F.cross_entropy(tx.Tensor([INF, 1.0, 0.0]), np.array([0.5, 0.5, 0])).item() == INF


def test_a_masked_class_with_probability_0_costs_nothing():
    """-inf at a class the target gives 0: 0 log 0 = 0, the loss of the other classes."""
    x = tx.Tensor([[0.0, -INF, 1.0]], requires_grad=True)
    loss = F.cross_entropy(x, np.array([[0.5, 0.0, 0.5]]))
    loss.backward()
    ref = F.cross_entropy(tx.Tensor([[0.0, 1.0]]), np.array([[0.5, 0.5]])).item()
    assert loss.item() == pytest.approx(ref, rel=1e-15)
    assert x.grad[0, 1] == 0.0 and np.isfinite(x.grad).all()


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_an_ignored_or_zero_weighted_sample_at_an_infinite_logit_costs_nothing(
    reduction, smoothing
):
    """Weight 0 times a loss of inf is 0 here, not nan: the sample is left out."""
    x = tx.Tensor([[-INF, 1.0, 0.0], [1.0, 2.0, 3.0]], requires_grad=True)
    kept = tx.Tensor([[1.0, 2.0, 3.0]])
    common = {"reduction": reduction, "label_smoothing": smoothing}
    for options, y in (({"ignore_index": 0}, [0, 1]), ({"weight": [0.0, 1.0, 1.0]}, [0, 1])):
        loss = F.cross_entropy(x, y, **options, **common)
        loss.sum().backward()
        expected = F.cross_entropy(kept, [1], **options, **common).data.sum()
        assert not np.isnan(loss.data).any() and not np.isnan(x.grad).any()
        if smoothing == 0:  # with smoothing the kept row's -inf class makes it inf anyway
            assert float(loss.data.sum()) == pytest.approx(float(expected))
        x.zero_grad()


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_binary_losses_with_weight_0_at_an_infinite_logit(reduction):
    x = tx.Tensor([INF, -INF, 0.5], requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(
        x, [0.0, 1.0, 1.0], weight=[0.0, 0.0, 1.0], reduction=reduction
    )
    loss.sum().backward()
    assert not np.isnan(loss.data).any() and not np.isnan(x.grad).any()


# ---- a row that is entirely -inf: documented values, zero gradients ---------------------------
MASKED = {
    "softmax": (lambda x: F.softmax(x, axis=1), 0.0),
    "log_softmax": (lambda x: F.log_softmax(x, axis=1), -INF),
    "logsumexp": (lambda x: F.logsumexp(x, axis=1), -INF),
    "cross_entropy index": (lambda x: F.cross_entropy(x, [0, 1], reduction="none"), INF),
    "cross_entropy smoothed": (
        lambda x: F.cross_entropy(x, [0, 1], reduction="none", label_smoothing=0.1),
        INF,
    ),
    "cross_entropy probs": (
        lambda x: F.cross_entropy(x, np.array([[0.5, 0.5], [0, 1.0]]), reduction="none"),
        INF,
    ),
    "nll of log_softmax": (
        lambda x: F.nll_loss(F.log_softmax(x, axis=1), [0, 1], reduction="none"),
        INF,
    ),
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", MASKED)
def test_a_fully_masked_row_has_a_documented_value_and_a_zero_gradient(name, dtype):
    fn, value = MASKED[name]
    x = tx.Tensor(np.array([[-INF, -INF], [1.0, 2.0]], dtype), requires_grad=True)
    y = fn(x)
    y.backward(np.ones(y.shape, dtype))
    assert (y.data[0] == value).all()
    assert (x.grad[0] == 0).all() and np.isfinite(x.grad[1]).all()


def test_log_softmax_docstring_states_the_masked_row():
    assert "entirely -inf" in F.log_softmax.__doc__ and "-inf everywhere" in F.log_softmax.__doc__


# ---- an all-zero embedding row: the zero gradient the docs promise -----------------------------
DOC = pathlib.Path(__file__).parent.parent / "docs" / "losses" / "nt-xent-supcon.md"
CONTRASTIVE = {
    "nt_xent": lambda z: F.nt_xent(z[:2], z[2:], temperature=0.5),
    "supcon": lambda z: F.supcon(z, [0, 0, 1, 1], temperature=0.5),
}


@pytest.mark.parametrize("name,row", list(itertools.product(CONTRASTIVE, range(4))))
def test_an_all_zero_embedding_row_gets_the_zero_gradient_the_docs_state(name, row):
    assert "zero gradient" in DOC.read_text()
    z = np.random.default_rng(0).normal(size=(4, 3))
    z[row] = 0.0
    leaf = tx.Tensor(z, requires_grad=True)
    CONTRASTIVE[name](leaf).backward()
    assert (leaf.grad[row] == 0).all()
    others = np.delete(leaf.grad, row, axis=0)
    assert np.isfinite(others).all() and np.abs(others).max() < 10


def test_a_zero_row_leaves_the_other_rows_as_a_zero_row_elsewhere_would():
    """The zero row's u is 0: the loss equals the one computed with that u written in."""
    z = np.random.default_rng(1).normal(size=(4, 3))
    z[0] = 0.0
    with_zero = F.supcon(z, [0, 0, 1, 1], reduction="none").data
    u = z / np.maximum(np.linalg.norm(z, axis=1, keepdims=True), 1e-12)
    assert np.allclose(with_zero, F.supcon(u, [0, 0, 1, 1], reduction="none").data)


# ---- a temperature whose reciprocal overflows would make every similarity inf -----------------
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", CONTRASTIVE)
def test_the_smallest_temperature_allowed_gives_a_number_and_below_it_a_clear_error(name, dtype):
    z = np.random.default_rng(2).normal(size=(4, 3)).astype(dtype)
    smallest = 2.0 / float(np.finfo(dtype).max)
    fn = {
        "nt_xent": lambda t: F.nt_xent(z[:2], z[2:], temperature=t),
        "supcon": lambda t: F.supcon(z, [0, 0, 1, 1], temperature=t),
    }[name]
    assert not np.isnan(fn(smallest * 1.01).item())
    with pytest.raises(ValueError, match=rf"{name}: temperature must be at least .* got"):
        fn(smallest / 2)
