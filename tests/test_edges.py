"""The edges, each tested as a class over every op, activation and loss concerned.

One test per class: 0-d tensors and Python numbers, negative and tuple axes, boundary points
where the derivative exists, non-finite upstream gradients, relu's kink, infinite and nan
inputs, and errors that name the op. Expected values come from finite differences, numpy
written out, or the limit done by hand.
"""

import warnings

import numpy as np
import pytest

import tinygrad_xent as tx
import tinygrad_xent.functional as F
from tinygrad_xent import Tensor, no_grad

inf, nan = np.inf, np.nan


def check(fn, *inputs, seed=0):
    """gradcheck ``fn`` under a random upstream gradient (a plain sum can hide a wrong backward)."""
    with no_grad():
        out_shape = fn(*inputs).shape
    upstream = np.random.default_rng(seed).normal(size=out_shape)
    return tx.gradcheck(lambda *xs: (fn(*xs) * upstream).sum(), *inputs)


# ---- 0-d tensors and Python numbers ---------------------------------------------------------
# Everything that takes a tensor of any shape, as a function of one tensor.
ANY_SHAPE = {
    "add": lambda x: x + 1.5,
    "radd": lambda x: 1.5 + x,
    "sub": lambda x: 2 - x,
    "mul": lambda x: x * 3,
    "div": lambda x: 1 / x,
    "neg": lambda x: -x,
    "pow": lambda x: x**3,
    "rpow": lambda x: 2**x,
    "pow_tensor": lambda x: x**x,
    "exp": lambda x: x.exp(),
    "log": lambda x: x.log(),
    "sqrt": lambda x: x.sqrt(),
    "abs": lambda x: x.abs(),
    "clip": lambda x: x.clip(0.0, 0.6),
    "maximum": lambda x: tx.maximum(x, 0.2),
    "minimum": lambda x: tx.minimum(x, 0.7),
    "where": lambda x: tx.where(x.data > 0, x, 0.0),
    "sum": lambda x: x.sum(),
    "sum_axis0": lambda x: x.sum(axis=0),
    "sum_axis-1": lambda x: x.sum(axis=-1, keepdims=True),
    "mean_axis0": lambda x: x.mean(0),
    "max_axis0": lambda x: x.max(axis=0),
    "min_axis-1": lambda x: x.min(axis=-1),
    "reshape": lambda x: x.reshape(1, 1),
    "transpose": lambda x: x.T,
    "getitem": lambda x: x[...],
    "squeeze": lambda x: x.squeeze(),
    "unsqueeze": lambda x: x.unsqueeze(0),
    "flatten": lambda x: x.flatten(),
    "stack": lambda x: tx.stack([x, x * 2]),
    "relu": F.relu,
    "sigmoid": F.sigmoid,
    "tanh": F.tanh,
    "log_sigmoid": F.log_sigmoid,
    "softmax_axis0": lambda x: F.softmax(x, axis=0),
    "log_softmax_axis-1": lambda x: F.log_softmax(x, axis=-1),
    "logsumexp_axis0": lambda x: F.logsumexp(x, axis=0),
    "logsumexp_axis-1": lambda x: F.logsumexp(x, axis=-1),
    "entropy": F.entropy,
    "bce_with_logits": lambda x: F.binary_cross_entropy_with_logits(x, np.ones(x.shape)),
    "bce_with_logits_pos_weight": lambda x: F.binary_cross_entropy_with_logits(
        x, np.ones(x.shape), pos_weight=2.0, reduction="none"
    ),
    "bce": lambda x: F.binary_cross_entropy(x, np.zeros(x.shape)),
}


@pytest.mark.parametrize("name", sorted(ANY_SHAPE))
def test_zero_d_tensors_take_every_op_that_takes_any_shape(name):
    """Edge class: 0-d tensors. Each op gives on a 0-d tensor what it gives on the same number
    held in shape (1,) (reshaped), and its gradient agrees with finite differences."""
    f = ANY_SHAPE[name]
    x0 = Tensor(np.array(0.4), requires_grad=True)
    x1 = Tensor(np.array([0.4]), requires_grad=True)
    y0, y1 = f(x0), f(x1)
    np.testing.assert_allclose(np.ravel(y0.data), np.ravel(y1.data), rtol=1e-15)
    y0.sum().backward()
    y1.sum().backward()
    assert x0.grad.shape == () and x1.grad.shape == (1,)
    # arrays, not numpy scalars (what a ufunc returns for 0-d input): data[...] = works
    assert type(y0.data) is np.ndarray and type(x0.grad) is np.ndarray
    np.testing.assert_allclose(np.ravel(x0.grad), x1.grad, rtol=1e-15)
    assert check(f, Tensor(np.array(0.4), requires_grad=True))


@pytest.mark.parametrize("reduce", ["sum", "max", "min", "mean"])
@pytest.mark.parametrize("axis", [None, 0, -1, (0,), (-1,)])
def test_zero_d_reductions_return_the_value_with_gradient_one(reduce, axis):
    """Edge class: 0-d tensors. A reduction of a number over its one axis (0 or -1, as PyTorch
    allows) is the number, with gradient 1; keepdims keeps shape ()."""
    x = Tensor(np.array(-1.25), requires_grad=True)
    for keepdims in (False, True):
        y = getattr(x, reduce)(axis=axis, keepdims=keepdims)
        assert y.shape == () and y.item() == -1.25
    y.backward()
    assert x.grad == 1.0
    lse = F.logsumexp(Tensor(np.array(-1.25), requires_grad=True), axis=axis or 0)
    assert lse.item() == -1.25


@pytest.mark.parametrize(
    "name",
    ["relu", "sigmoid", "tanh", "log_sigmoid", "entropy", "softmax", "log_softmax", "logsumexp"],
)
def test_python_numbers_are_0_d_tensors(name):
    """Edge class: Python numbers. Every activation takes a plain number as a 0-d tensor."""
    f = getattr(F, name)
    y = f(0.3)
    assert isinstance(y, Tensor) and y.shape == ()
    assert y.item() == f(Tensor(np.array(0.3))).item()


# ---- negative and tuple axes ----------------------------------------------------------------
SHAPE = (2, 3, 4)
# op(x, axis) for every op that takes an axis, with positive axes to compare against.
AXIS_OPS = {
    "sum": lambda x, a: x.sum(axis=a),
    "sum_keepdims": lambda x, a: x.sum(axis=a, keepdims=True),
    "mean": lambda x, a: x.mean(axis=a),
    "max": lambda x, a: x.max(axis=a),
    "min_keepdims": lambda x, a: x.min(axis=a, keepdims=True),
    "logsumexp": lambda x, a: F.logsumexp(x, axis=a),
    "softmax": lambda x, a: F.softmax(x, axis=a),
    "log_softmax": lambda x, a: F.log_softmax(x, axis=a),
    "entropy": lambda x, a: F.entropy(x.exp(), axis=a),
    "concatenate": lambda x, a: tx.concatenate([x, x * 2], axis=a),
    "unsqueeze": lambda x, a: x.unsqueeze(a).exp(),
    "flatten_from": lambda x, a: x.flatten(a),
    "flatten_to": lambda x, a: x.flatten(0, a),
}
TUPLE_AXIS_OPS = [
    "sum",
    "sum_keepdims",
    "mean",
    "max",
    "min_keepdims",
    "logsumexp",
    "softmax",
    "log_softmax",
    "entropy",
]


@pytest.mark.parametrize("name", sorted(AXIS_OPS))
@pytest.mark.parametrize("axis", [-1, -2, -3])
def test_negative_axes_mean_the_axes_counted_from_the_end(name, axis):
    """Edge class: negative axes. Forward and backward with axis -k equal those with axis
    ndim - k, and the gradient agrees with finite differences."""
    f = AXIS_OPS[name]
    rng = np.random.default_rng(1)
    data = rng.normal(size=SHAPE)
    positive = axis % (len(SHAPE) + (name == "unsqueeze"))  # unsqueeze counts in its output
    upstream = None
    grads = []
    for a in (axis, positive):
        x = Tensor(data.copy(), requires_grad=True)
        y = f(x, a)
        if upstream is None:
            upstream = rng.normal(size=y.shape)
            expected = y.data
        np.testing.assert_array_equal(y.data, expected)
        (y * upstream).sum().backward()
        grads.append(x.grad)
    np.testing.assert_array_equal(grads[0], grads[1])
    assert check(lambda t: f(t, axis), Tensor(data[:, :2, :3].copy(), requires_grad=True))


@pytest.mark.parametrize("name", TUPLE_AXIS_OPS)
def test_tuple_axes_with_negative_members(name):
    """Edge class: negative axes, in a tuple. (-1, 0) reduces the same axes as (0, 2)."""
    f = AXIS_OPS[name]
    data = np.random.default_rng(2).normal(size=SHAPE)
    a, b = Tensor(data, requires_grad=True), Tensor(data.copy(), requires_grad=True)
    ya, yb = f(a, (-1, 0)), f(b, (0, 2))
    np.testing.assert_allclose(ya.data, yb.data, rtol=1e-14)
    (ya * ya.data).sum().backward()
    (yb * yb.data).sum().backward()
    np.testing.assert_allclose(a.grad, b.grad, rtol=1e-13)
    assert check(lambda t: f(t, (-1, 0)), Tensor(data[:, :2, :2].copy(), requires_grad=True))


@pytest.mark.parametrize("perm", [(-2, -1, 1, 0), (3, -3, -4, 2), (-1, -2, -3, -4)])
def test_negative_axes_in_a_permutation(perm):
    """Edge class: negative axes, in a permutation: transpose forward and backward."""
    x = Tensor(np.random.default_rng(3).normal(size=(3, 4, 5, 6)), requires_grad=True)
    y = x.transpose(perm)
    positive = tuple(a % 4 for a in perm)
    np.testing.assert_array_equal(y.data, np.transpose(x.data, positive))
    upstream = np.random.default_rng(4).normal(size=y.shape)
    (y * upstream).sum().backward()
    np.testing.assert_array_equal(x.grad, np.transpose(upstream, np.argsort(positive)))


@pytest.mark.parametrize("axis", [-1, -2, -3, -4])
def test_negative_axes_in_stack_and_squeeze(axis):
    """Edge class: negative axes, where the axis counts in the output (stack) or must have
    size 1 (squeeze)."""
    rng = np.random.default_rng(5)
    a, b = (Tensor(rng.normal(size=SHAPE), requires_grad=True) for _ in range(2))
    y = tx.stack([a, b], axis=axis)
    np.testing.assert_array_equal(y.data, np.stack([a.data, b.data], axis=axis))
    assert check(lambda s, t: tx.stack([s, t], axis=axis), a, b)
    ones = Tensor(rng.normal(size=(1, 3, 1, 2)), requires_grad=True)
    if axis in (-2, -4):
        assert ones.squeeze(axis).shape == np.squeeze(ones.data, axis).shape
        assert check(lambda t: t.squeeze(axis), ones)


# ---- boundary points where the derivative exists --------------------------------------------
# (name, f, x, the true derivative at x): points where a careless rule computes 0 * inf.
BOUNDARY = [
    ("x ** 0 at 0", lambda x: x**0.0, [0.0, 2.0], [0.0, 0.0]),
    ("x ** 0 (int) at 0", lambda x: x**0, [0.0], [0.0]),
    ("x ** 1 at 0", lambda x: x**1.0, [0.0], [1.0]),
    ("x ** 1.5 at 0", lambda x: x**1.5, [0.0], [0.0]),
    ("x ** 2 at 0", lambda x: x**2, [0.0], [0.0]),
    ("x ** 3 at 0", lambda x: x**3.0, [0.0, -1.0], [0.0, 3.0]),
    ("x ** tensor 0 at 0", lambda x: x ** Tensor([0.0, 2.0]), [0.0, 0.0], [0.0, 0.0]),
    ("0 ** p in p", lambda p: Tensor([0.0, 0.0, 0.0]) ** p, [0.0, 1.0, 2.5], [0.0, 0.0, 0.0]),
    ("2 ** x", lambda x: 2.0**x, [0.0, 3.0], [np.log(2), 8 * np.log(2)]),
    ("abs at 0", lambda x: x.abs(), [0.0, -2.0, 3.0], [0.0, -1.0, 1.0]),
    ("relu at 0", F.relu, [0.0, -2.0, 3.0], [0.0, 0.0, 1.0]),
    ("clip on its bounds", lambda x: x.clip(-1.0, 1.0), [-1.0, 1.0, 2.0], [1.0, 1.0, 0.0]),
    ("maximum tie", lambda x: tx.maximum(x, 0.0), [0.0, 1.0], [0.5, 1.0]),
    ("minimum tie", lambda x: tx.minimum(x, 0.0), [0.0, 1.0], [0.5, 0.0]),
    ("max shared by a tie", lambda x: x.max(), [1.0, 1.0, 0.0], [0.5, 0.5, 0.0]),
    ("min shared by a tie", lambda x: x.min(), [0.0, 0.0, 1.0], [0.5, 0.5, 0.0]),
    ("sigmoid at 0", F.sigmoid, [0.0], [0.25]),
    ("tanh at 0", F.tanh, [0.0], [1.0]),
    ("log_sigmoid at 0", F.log_sigmoid, [0.0], [0.5]),
    ("bce_with_logits at 0", lambda x: F.binary_cross_entropy_with_logits(x, [1.0]), [0.0], [-0.5]),
    ("softmax of one class", lambda x: F.softmax(x) * 3.0, [5.0], [0.0]),
    ("sqrt of a square", lambda x: (x * x + 1.0).sqrt(), [0.0], [0.0]),
]


@pytest.mark.parametrize("case", BOUNDARY, ids=[c[0] for c in BOUNDARY])
def test_boundary_points_get_their_true_derivative(case):
    """Edge class: boundary points where the derivative exists. The gradient there is the true
    derivative (or the convention PyTorch uses at a kink), never nan from 0 * inf."""
    _, f, x, expected = case
    x = Tensor(np.array(x), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no 0 * inf computed along the way either
        f(x).sum().backward()
    np.testing.assert_allclose(x.grad, expected, rtol=1e-12, atol=0)


# ---- non-finite upstream gradients through every op that routes a gradient ------------------
a_vals = np.array([1.0, -2.0, 3.0, 0.0, 5.0, -1.0])
b_vals = np.array([0.5, 1.0, 3.0, 2.0, -5.0, -3.0])
# (name, f, which input, where that input receives no gradient)
ROUTING = [
    ("where a", lambda a, b: tx.where(a_vals > 0, a, b), 0, ~(a_vals > 0)),
    ("where b", lambda a, b: tx.where(a_vals > 0, a, b), 1, a_vals > 0),
    ("maximum, losing a", lambda a, b: tx.maximum(a, b), 0, a_vals < b_vals),
    ("maximum, losing b", lambda a, b: tx.maximum(a, b), 1, b_vals < a_vals),
    ("minimum, losing a", lambda a, b: tx.minimum(a, b), 0, a_vals > b_vals),
    ("minimum, losing b", lambda a, b: tx.minimum(a, b), 1, b_vals > a_vals),
    (
        "max",
        lambda a, b: a.reshape(2, 3).max(axis=1).reshape(1, 2) * np.ones((3, 1)),
        0,
        np.array([True, True, False, True, False, True]),
    ),
    (
        "min",
        lambda a, b: a.reshape(2, 3).min(axis=1).reshape(1, 2) * np.ones((3, 1)),
        0,
        np.array([True, False, True, True, True, False]),
    ),
    ("getitem", lambda a, b: a[np.array([0, 2, 2])], 0, np.array([0, 1, 0, 1, 1, 1], bool)),
    ("clip", lambda a, b: a.clip(-1.0, 2.0), 0, (a_vals < -1) | (a_vals > 2)),
    ("abs", lambda a, b: a.abs(), 0, a_vals == 0),
    ("relu", lambda a, b: F.relu(a), 0, a_vals <= 0),
    ("concatenate", lambda a, b: tx.concatenate([a[:2], b]), 0, np.arange(6) >= 2),
]


@pytest.mark.parametrize("bad", [inf, -inf, nan])
@pytest.mark.parametrize("case", ROUTING, ids=[c[0] for c in ROUTING])
def test_routing_ops_send_exact_zeros_whatever_the_upstream_gradient(case, bad):
    """Edge class: non-finite upstream gradients. An op that routes its gradient sends exactly
    0 to the entries it does not route to, even when the gradient arriving holds inf or nan
    (g * mask would make inf * 0 = nan there)."""
    _, f, which, untouched = case
    inputs = [Tensor(a_vals.copy(), requires_grad=True), Tensor(b_vals.copy(), requires_grad=True)]
    y = f(*inputs)
    y.backward(np.full(y.shape, bad))
    grad = inputs[which].grad
    assert grad is not None
    assert (grad[untouched] == 0).all(), grad
    touched = grad[~untouched]
    assert np.isnan(touched).all() if np.isnan(bad) else np.isinf(touched).all()


# ---- relu's kink and maximum's tie ------------------------------------------------------------
def test_relu_gradient_at_zero_is_zero_and_maximum_still_splits_ties():
    """Edge class: relu at 0. relu's gradient at exactly 0 is 0 (PyTorch, JAX, tinygrad), as a
    function and as a method, on one readable relu node; maximum keeps its half-and-half tie."""
    for relu in (F.relu, Tensor.relu):
        x = Tensor([-1.0, 0.0, 2.0], requires_grad=True)
        y = relu(x)
        assert [node.name for node in tx.tape(y)] == ["relu"]
        y.sum().backward()
        np.testing.assert_array_equal(x.grad, [0.0, 0.0, 1.0])
    x = Tensor([-1.0, 0.0, 2.0], requires_grad=True)
    tx.maximum(x, 0.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.5, 1.0])


# ---- infinite and nan inputs ----------------------------------------------------------------
# (name, f, input, the limit of f there): every activation and loss at +inf and -inf.
LIMITS = [
    ("relu +inf", F.relu, [inf, -inf], [inf, 0.0]),
    ("sigmoid", F.sigmoid, [inf, -inf, 1.0], [1.0, 0.0, 1 / (1 + np.exp(-1.0))]),
    ("tanh", F.tanh, [inf, -inf, 1e308], [1.0, -1.0, 1.0]),
    ("log_sigmoid", F.log_sigmoid, [inf, -inf], [0.0, -inf]),
    (
        "softmax",
        F.softmax,
        [[inf, 0.0, -inf], [inf, inf, 1.0], [-inf, 0.0, 0.0]],
        [[1.0, 0.0, 0.0], [0.5, 0.5, 0.0], [0.0, 0.5, 0.5]],
    ),
    (
        "log_softmax",
        F.log_softmax,
        [[inf, 0.0], [inf, inf], [-inf, 0.0]],
        [[0.0, -inf], [-np.log(2), -np.log(2)], [-inf, 0.0]],
    ),
    ("logsumexp", F.logsumexp, [[inf, 0.0], [-inf, 0.0], [-inf, -inf]], [inf, 0.0, -inf]),
    (
        "bce_with_logits y=1",
        lambda x: F.binary_cross_entropy_with_logits(x, np.ones(2), reduction="none"),
        [inf, -inf],
        [0.0, inf],
    ),
    (
        "bce_with_logits y=0",
        lambda x: F.binary_cross_entropy_with_logits(x, np.zeros(2), reduction="none"),
        [inf, -inf],
        [inf, 0.0],
    ),
    (
        "bce_with_logits soft",
        lambda x: F.binary_cross_entropy_with_logits(x, np.full(2, 0.3), reduction="none"),
        [inf, -inf],
        [inf, inf],
    ),
    (
        "bce_with_logits pos_weight",
        lambda x: F.binary_cross_entropy_with_logits(
            x, np.array([1.0, 1.0]), pos_weight=np.array([2.0, 2.0]), reduction="none"
        ),
        [inf, -inf],
        [0.0, inf],
    ),
    (
        "multi_margin correct +inf",
        lambda x: F.multi_margin_loss(x, np.array([0]), reduction="none"),
        [[inf, 1.0, 2.0]],
        [0.0],
    ),
    (
        "multi_margin wrong +inf",
        lambda x: F.multi_margin_loss(x, np.array([0]), reduction="none"),
        [[1.0, inf, 2.0]],
        [inf],
    ),
    (
        "multi_margin wrong -inf",
        lambda x: F.multi_margin_loss(x, np.array([0]), reduction="none"),
        [[1.0, -inf, 1.0]],
        [1 / 3],
    ),
    (
        "cross_entropy -inf wrong class",
        lambda x: F.cross_entropy(x, np.array([1]), reduction="none"),
        [[-inf, 0.0]],
        [0.0],
    ),
    (
        "cross_entropy -inf target class",
        lambda x: F.cross_entropy(x, np.array([0]), reduction="none"),
        [[-inf, 0.0]],
        [inf],
    ),
    (
        "cross_entropy +inf target class",
        lambda x: F.cross_entropy(x, np.array([0, 0]), reduction="none"),
        [[inf, 0.0, 1.0], [inf, inf, 1.0]],
        [0.0, np.log(2)],
    ),
    (
        "cross_entropy +inf wrong class",
        lambda x: F.cross_entropy(x, np.array([1]), reduction="none"),
        [[inf, 0.0]],
        [inf],
    ),
    (
        "cross_entropy +inf smoothed",
        lambda x: F.cross_entropy(x, np.array([0, 0]), label_smoothing=0.1, reduction="none"),
        [[inf, 0.0], [inf, inf]],
        [inf, np.log(2)],
    ),
    (
        "cross_entropy +inf weighted",
        lambda x: F.cross_entropy(
            x, np.array([0, 1]), weight=np.array([2.0, 0.5]), reduction="none"
        ),
        [[inf, 0.0], [1.0, inf]],
        [0.0, 0.0],
    ),
    ("nll_loss", lambda x: F.nll_loss(x, np.array([0]), reduction="none"), [[-inf, 0.0]], [inf]),
    ("entropy", F.entropy, [[1.0, 0.0]], [0.0]),
]


@pytest.mark.parametrize("case", LIMITS, ids=[c[0] for c in LIMITS])
def test_infinite_inputs_give_the_limit(case):
    """Edge class: infinite inputs. Each activation and loss gives its limit at +-inf, and its
    gradient holds no nan."""
    _, f, x, expected = case
    x = Tensor(np.array(x), requires_grad=True)
    y = f(x)
    np.testing.assert_allclose(y.data, expected, rtol=1e-15, atol=0)
    tx.where(np.isfinite(y.data), y, 0.0).sum().backward()
    assert not np.isnan(x.grad).any(), x.grad


INF_GRADIENTS = [
    ("sigmoid", F.sigmoid, [inf, -inf, 0.0], [0.0, 0.0, 0.25]),
    ("tanh", F.tanh, [inf, -inf, 0.0], [0.0, 0.0, 1.0]),
    ("relu", F.relu, [inf, -inf], [1.0, 0.0]),
    (
        "bce_with_logits y=1",
        lambda x: F.binary_cross_entropy_with_logits(x, np.ones(2), reduction="sum"),
        [inf, 0.0],
        [0.0, -0.5],
    ),
    ("softmax", lambda x: F.softmax(x)[0], [inf, 0.0], [0.0, 0.0]),
    (
        "multi_margin correct +inf",
        lambda x: F.multi_margin_loss(x, np.array([0])),
        [[inf, 1.0, 2.0]],
        [[0.0, 0.0, 0.0]],
    ),
]


@pytest.mark.parametrize("case", INF_GRADIENTS, ids=[c[0] for c in INF_GRADIENTS])
def test_gradients_at_infinite_inputs(case):
    """Edge class: infinite inputs. Where the loss has a finite limit, the gradient at the
    infinite entry is its limit too (0 for a saturated sigmoid), and finite entries keep
    theirs."""
    _, f, x, expected = case
    x = Tensor(np.array(x), requires_grad=True)
    f(x).sum().backward()
    np.testing.assert_allclose(x.grad, expected, rtol=1e-15, atol=0)


NAN_PROPAGATES = {
    "relu": F.relu,
    "sigmoid": F.sigmoid,
    "tanh": F.tanh,
    "log_sigmoid": F.log_sigmoid,
    "softmax": F.softmax,
    "log_softmax": F.log_softmax,
    "logsumexp": F.logsumexp,
    "entropy": lambda x: F.entropy(x.abs()),
    "cross_entropy": lambda x: F.cross_entropy(x.reshape(1, 3), np.array([1])),
    "nll_loss": lambda x: F.nll_loss(x.reshape(1, 3), np.array([1])),
    "multi_margin_loss": lambda x: F.multi_margin_loss(x.reshape(1, 3), np.array([1])),
    "bce_with_logits": lambda x: F.binary_cross_entropy_with_logits(x, np.ones(3)),
    "nt_xent": lambda x: F.nt_xent(x.reshape(1, 3), np.ones((1, 3))),
    "supcon": lambda x: F.supcon(tx.stack([x, x]), np.array([0, 0])),
    "abs": lambda x: x.abs(),
    "sqrt": lambda x: x.abs().sqrt(),
    "clip": lambda x: x.clip(0, 1),
    "minimum": lambda x: tx.minimum(x, 0.0),
    "max": lambda x: x.max(),
    "min": lambda x: x.min(),
}


@pytest.mark.parametrize("name", sorted(NAN_PROPAGATES))
def test_nan_inputs_propagate_as_nan(name):
    """Edge class: nan inputs. A nan input gives a nan output (and its gradient runs without an
    exception), as in numpy and PyTorch: never an error, never a silent number."""
    x = Tensor(np.array([0.5, nan, -0.25]), requires_grad=True)
    with np.errstate(invalid="ignore"):
        y = F.relu(x) if name == "relu" else NAN_PROPAGATES[name](x)
        assert np.isnan(y.data).any()
        y.sum().backward()


# ---- errors that name the op ----------------------------------------------------------------
x23 = Tensor(np.ones((2, 3)))
NAMED_ERRORS = [
    ("max", lambda: Tensor(np.zeros((0,))).max(), ValueError),
    ("min", lambda: Tensor(np.zeros((2, 0))).min(axis=1), ValueError),
    ("argmax", lambda: Tensor(np.zeros((0,))).argmax(), ValueError),
    ("sum", lambda: x23.sum(axis=2), IndexError),
    ("mean", lambda: x23.mean(axis=-3), IndexError),
    ("max", lambda: x23.max(axis=(0, 5)), IndexError),
    ("min", lambda: x23.min(axis=3), IndexError),
    ("argmax", lambda: x23.argmax(axis=2), IndexError),
    ("sum", lambda: x23.sum(axis=(1, -1)), ValueError),
    ("sum", lambda: x23.sum(axis=1.0), TypeError),
    ("softmax", lambda: F.softmax(x23, axis=2), IndexError),
    ("log_softmax", lambda: F.log_softmax(x23, axis=-3), IndexError),
    ("logsumexp", lambda: F.logsumexp(x23, axis=5), IndexError),
    ("entropy", lambda: F.entropy(x23, axis=2), IndexError),
    ("softmax", lambda: F.softmax(np.zeros((2, 0))), ValueError),
    ("logsumexp", lambda: F.logsumexp(np.zeros((3, 0)), axis=1), ValueError),
    ("transpose", lambda: x23.transpose(0, 0), ValueError),
    ("transpose", lambda: x23.transpose(0, 1, 2), ValueError),
    ("transpose", lambda: x23.transpose(0, 2), ValueError),
    ("transpose", lambda: x23.transpose(0, 1.0), ValueError),
    ("pow", lambda: Tensor(np.array([2])) ** Tensor(np.array([-1])), ValueError),
    ("squeeze", lambda: x23.squeeze(0), ValueError),
    ("squeeze", lambda: x23.squeeze(4), IndexError),
    ("unsqueeze", lambda: x23.unsqueeze(3), IndexError),
    ("unsqueeze", lambda: x23.unsqueeze(), TypeError),
    ("flatten", lambda: x23.flatten(2), IndexError),
    ("flatten", lambda: x23.flatten(1, 0), ValueError),
    ("concatenate", lambda: tx.concatenate([x23, x23], axis=2), IndexError),
    ("stack", lambda: tx.stack([x23, x23], axis=-4), IndexError),
    ("clip", lambda: x23.clip(), ValueError),
]


@pytest.mark.parametrize(
    "case", NAMED_ERRORS, ids=[f"{c[0]}-{i}" for i, c in enumerate(NAMED_ERRORS)]
)
def test_errors_name_the_op(case):
    """Edge class: errors. An empty max, an axis out of range, a bad permutation: the message
    starts with the op's name, not numpy's bare words."""
    name, call, error = case
    with pytest.raises(error, match=f"^{name}: "):
        call()
