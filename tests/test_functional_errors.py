"""Every F.* error names the function: zero classes, ragged or string inputs, bad axes."""

import numpy as np
import pytest

import tinygrad_xent as tx
import tinygrad_xent.functional as F

X = np.random.default_rng(0).standard_normal((4, 3))
Y = np.array([0, 1, 2, 1])
RAGGED = [[1.0, 2.0, 3.0], [4.0, 5.0]]
STRINGS = [["a", "b", "c"], ["d", "e", "f"]]

# name: call with the input that may be bad, everything else valid
FIRST_INPUT = {
    "relu": F.relu,
    "sigmoid": F.sigmoid,
    "log_sigmoid": F.log_sigmoid,
    "tanh": F.tanh,
    "softmax": F.softmax,
    "log_softmax": F.log_softmax,
    "logsumexp": F.logsumexp,
    "entropy": F.entropy,
    "cross_entropy": lambda x: F.cross_entropy(x, [0, 1]),
    "nll_loss": lambda x: F.nll_loss(x, [0, 1]),
    "binary_cross_entropy": lambda x: F.binary_cross_entropy(x, np.zeros((2, 3))),
    "binary_cross_entropy_with_logits": lambda x: F.binary_cross_entropy_with_logits(
        x, np.zeros((2, 3))
    ),
    "nt_xent": lambda x: F.nt_xent(x, np.ones((2, 3))),
    "supcon": lambda x: F.supcon(x, [0, 0]),
    "multi_margin_loss": lambda x: F.multi_margin_loss(x, [0, 1]),
}


@pytest.mark.parametrize("name, call", FIRST_INPUT.items(), ids=FIRST_INPUT.keys())
@pytest.mark.parametrize(
    "bad, error, what",
    [
        (RAGGED, ValueError, "must be a rectangular array, got a nested list whose rows differ"),
        (STRINGS, TypeError, "must hold numbers"),
        ([[None, 1.0, 2.0], [1.0, 2.0, 3.0]], TypeError, "must hold numbers"),
    ],
    ids=["ragged", "strings", "None"],
)
def test_ragged_or_string_input_names_the_function(name, call, bad, error, what):
    with pytest.raises(error, match=rf"^{name}: \w+ {what}"):
        call(bad)


TARGETS = {  # name: call with a bad target (or second input)
    "cross_entropy": lambda t: F.cross_entropy(X, t),
    "nll_loss": lambda t: F.nll_loss(X, t),
    "binary_cross_entropy": lambda t: F.binary_cross_entropy(np.full((2, 3), 0.5), t),
    "binary_cross_entropy_with_logits": lambda t: F.binary_cross_entropy_with_logits(X[:2], t),
    "nt_xent": lambda t: F.nt_xent(X[:2], t),
    "multi_margin_loss": lambda t: F.multi_margin_loss(X, t),
}


@pytest.mark.parametrize("name, call", TARGETS.items(), ids=TARGETS.keys())
def test_ragged_second_input_names_the_function(name, call):
    with pytest.raises(ValueError, match=rf"^{name}: \w+ must be a rectangular array"):
        call(RAGGED)


def test_supcon_labels_may_be_strings_but_not_ragged():
    loss = F.supcon(X, ["cat", "cat", "dog", "dog"]).item()
    assert loss == pytest.approx(F.supcon(X, [0, 0, 1, 1]).item(), rel=1e-14)
    with pytest.raises(ValueError, match="^supcon: labels must be a rectangular array"):
        F.supcon(X, [[0, 1], [0]])


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "logsumexp"])
@pytest.mark.parametrize("shape, axis", [((4, 0), -1), ((0,), 0), ((2, 0, 3), 1)])
def test_zero_classes_names_the_function(name, shape, axis):
    with pytest.raises(
        ValueError,
        match=rf"^{name}: x has shape .*no entries along axis "
        rf"{axis % len(shape)}; there must be at least one",
    ):
        getattr(F, name)(np.zeros(shape), axis=axis)


@pytest.mark.parametrize(
    "name, call",
    [
        ("cross_entropy", lambda: F.cross_entropy(np.zeros((2, 0)), np.zeros(2, int))),
        ("cross_entropy", lambda: F.cross_entropy(np.zeros((2, 0)), np.zeros((2, 0)))),
        ("nll_loss", lambda: F.nll_loss(np.zeros((2, 0)), np.zeros(2, int))),
        ("multi_margin_loss", lambda: F.multi_margin_loss(np.zeros((2, 0)), np.zeros(2, int))),
    ],
)
def test_zero_classes_in_a_loss_names_the_loss(name, call):
    with pytest.raises(ValueError, match=rf"^{name}: \w+ has shape \(2, 0\), no classes"):
        call()


def test_softmax_over_an_empty_batch_is_fine():
    # No rows is not no classes: (0, 3) has nothing to normalize, and says so with shape (0, 3).
    assert F.softmax(np.zeros((0, 3))).shape == (0, 3)
    assert F.logsumexp(np.zeros((0, 3))).shape == (0,)


AXIS_FUNCTIONS = ["softmax", "log_softmax", "logsumexp", "entropy"]


@pytest.mark.parametrize("name", AXIS_FUNCTIONS)
@pytest.mark.parametrize("axis", [2, -3, 10])
def test_axis_out_of_range_names_the_function(name, axis):
    with pytest.raises(
        ValueError,
        match=rf"^{name}: axis \(x has shape \(4, 3\)\) must be an "
        rf"integer in \[-2, 1\], got {axis}",
    ):
        getattr(F, name)(np.full((4, 3), 0.25), axis=axis)


# None is the default axis (-1), and a tuple of axes normalizes over several at once.
@pytest.mark.parametrize("name", AXIS_FUNCTIONS)
@pytest.mark.parametrize("axis", [1.0, "1", True, (0, 1.0)])
def test_axis_that_is_not_an_integer_names_the_function(name, axis):
    with pytest.raises(TypeError, match=rf"^{name}: axis .* must be an integer"):
        getattr(F, name)(np.full((4, 3), 0.25), axis=axis)


# A 0-d input has the one axis PyTorch gives it (0 or -1), and no other.
@pytest.mark.parametrize("name", AXIS_FUNCTIONS)
def test_a_0d_input_has_only_axis_0_or_minus_1(name):
    with pytest.raises(
        ValueError,
        match=rf"^{name}: axis \(x has shape \(\)\) must be an "
        rf"integer in \[-1, 0\], got 1",
    ):
        getattr(F, name)(tx.Tensor(0.5), axis=1)


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "logsumexp"])
@pytest.mark.parametrize("axis", [0, 1, -1, -2])
def test_every_valid_axis_still_works(name, axis):
    x = tx.Tensor(X.copy(), requires_grad=True)
    out = getattr(F, name)(x, axis=axis)
    shifted = X - X.max(axis=axis, keepdims=True)
    lse = np.log(np.exp(shifted).sum(axis=axis, keepdims=True)) + X.max(axis=axis, keepdims=True)
    expected = {
        "softmax": np.exp(X - lse),
        "log_softmax": X - lse,
        "logsumexp": np.squeeze(lse, axis=axis),
    }[name]
    np.testing.assert_allclose(out.data, expected, rtol=1e-13)
