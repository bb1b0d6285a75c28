"""The losses and activations of tinygrad_xent.functional.

Each function's forward is compared with a numpy reference written from its formula right here,
its backward with finite differences (float64, random upstream weights), and the closed-form
gradients (softmax - y, sigmoid(x) - y) with backward. Then stability at +-1e4, dtypes, the
tape's contents, and every bad-input error.
"""

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_xent as tx
import tinygrad_xent.functional as F
from tinygrad_xent import Tensor

# The engine's primitive ops, as the registry declares them.
PRIMITIVES = set(tx.PRIMITIVES)


def rng(seed=0):
    return np.random.default_rng(seed)


def leaf(a):
    return Tensor(np.array(a, dtype=np.float64), requires_grad=True)


def weighted(fn, shape, seed=1):
    """fn's output summed with fixed random weights, so a wrong backward cannot hide."""
    r = rng(seed).normal(size=shape)
    return lambda *xs: (fn(*xs) * r).sum()


# ---- numpy references, written from the formulas ----------------------------------------------
def np_log_softmax(x, axis=-1):
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def np_softmax(x, axis=-1):
    return np.exp(np_log_softmax(x, axis))


def np_cross_entropy(x, y, w=None, ignore=-100, reduction="mean", eps=0.0):
    """loss_i = -(1-eps) w[y_i] log p_i,y_i - (eps/C) sum_c w_c log p_i,c, one sample at a time."""
    x = np.moveaxis(x, 1, -1).reshape(-1, x.shape[1])  # samples as rows
    c = x.shape[1]
    w = np.ones(c) if w is None else w
    losses, denominator = [], 0.0
    for row, target in zip(x, y.reshape(-1)):
        logp = np_log_softmax(row)
        if target == ignore:
            losses.append(0.0)
            continue
        losses.append(-(1 - eps) * w[target] * logp[target] - eps / c * np.sum(w * logp))
        denominator += w[target]
    losses = np.array(losses).reshape(y.shape)
    return {"none": losses, "sum": losses.sum(), "mean": losses.sum() / denominator}[reduction]


def np_cross_entropy_probs(x, t, w=None, reduction="mean", eps=0.0):
    """loss_i = -sum_c w_c t'_i,c log p_i,c with t' = (1 - eps) t + eps / C."""
    c = x.shape[1]
    w = np.ones(c) if w is None else w
    w = w.reshape((-1,) + (1,) * (x.ndim - 2))
    t = (1 - eps) * t + eps / c
    losses = -(w * t * np_log_softmax(x, axis=1)).sum(axis=1)
    return {"none": losses, "sum": losses.sum(), "mean": losses.mean()}[reduction]


def np_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def np_nt_xent(za, zb, tau):
    """loss_i = -log(exp(s_i,pos) / sum_{k != i} exp(s_ik)), written with explicit loops."""
    z = np.concatenate([za, zb])
    z = z / np.linalg.norm(z, axis=1, keepdims=True)
    s = z @ z.T / tau
    n2 = len(z)
    out = []
    for i in range(n2):
        pos = (i + n2 // 2) % n2
        denominator = sum(np.exp(s[i, k]) for k in range(n2) if k != i)
        out.append(-np.log(np.exp(s[i, pos]) / denominator))
    return np.array(out)


def np_supcon(f, labels, tau):
    u = f / np.linalg.norm(f, axis=1, keepdims=True)
    s = u @ u.T / tau
    out = []
    for i in range(len(u)):
        others = [k for k in range(len(u)) if k != i]
        positives = [p for p in others if labels[p] == labels[i]]
        if not positives:
            out.append(np.nan)
            continue
        log_denominator = np.log(sum(np.exp(s[i, k]) for k in others))
        out.append(-np.mean([s[i, p] - log_denominator for p in positives]))
    return np.array(out)


# ---- softmax, log_softmax, logsumexp ----------------------------------------------------------
@given(st.integers(1, 4), st.integers(1, 6), st.floats(-30, 30), st.integers(0, 1))
def test_softmax_family_matches_numpy(rows, cols, offset, axis):
    x = rng(rows * cols).normal(size=(rows, cols)) * 3 + offset
    np.testing.assert_allclose(F.softmax(x, axis).data, np_softmax(x, axis), rtol=1e-12)
    np.testing.assert_allclose(F.log_softmax(x, axis).data, np_log_softmax(x, axis), atol=1e-12)
    expected = np.log(np.exp(x - offset).sum(axis=axis)) + offset
    np.testing.assert_allclose(F.logsumexp(x, axis).data, expected, rtol=1e-12)
    assert F.logsumexp(x, axis, keepdims=True).shape == np.expand_dims(expected, axis).shape


@pytest.mark.parametrize("fn", [F.softmax, F.log_softmax, F.logsumexp])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_softmax_family_gradcheck(fn, axis):
    x = leaf(rng(2).normal(size=(3, 4)))
    shape = fn(x, axis).shape
    assert tx.gradcheck(weighted(lambda a: fn(a, axis), shape), x)


def test_softmax_jacobian_closed_form():
    """dy_k/dx_j = y_k([k = j] - y_j): the vector-Jacobian product is y * (g - <g, y>)."""
    x = leaf(rng(3).normal(size=(2, 5)))
    g = rng(4).normal(size=(2, 5))
    y = F.softmax(x)
    y.backward(g)
    expected = y.data * (g - (g * y.data).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(x.grad, expected, atol=1e-14)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_family_is_stable_at_huge_logits(dtype):
    x = Tensor(np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]], dtype), requires_grad=True)
    for fn in (F.softmax, F.log_softmax, F.logsumexp):
        x.zero_grad()
        out = fn(x)
        out.backward(np.ones(out.shape, dtype))
        assert out.dtype == dtype and x.grad.dtype == dtype
        assert np.isfinite(out.data).all() and np.isfinite(x.grad).all()
    np.testing.assert_allclose(F.logsumexp(x).data, [1e4, -1e4 + np.log(3)], rtol=1e-6)


def test_masked_rows():
    """-inf entries get probability 0; a fully -inf row gives lse -inf and a zero gradient."""
    x = Tensor(np.array([[0.0, -np.inf, 0.0], [-np.inf, -np.inf, -np.inf]]), requires_grad=True)
    lse = F.logsumexp(x)
    assert lse.data[0] == pytest.approx(np.log(2)) and lse.data[1] == -np.inf
    (lse * np.array([1.0, 1.0])).sum().backward()
    np.testing.assert_array_equal(x.grad, [[0.5, 0.0, 0.5], [0.0, 0.0, 0.0]])
    p = F.softmax(x)
    np.testing.assert_array_equal(p.data, [[0.5, 0.0, 0.5], [0.0, 0.0, 0.0]])
    x.zero_grad()
    (p * rng().normal(size=(2, 3))).sum().backward()
    assert np.isfinite(x.grad).all() and (x.grad[1] == 0).all()


# ---- activations ------------------------------------------------------------------------------
ACTIVATIONS = {
    "sigmoid": (F.sigmoid, np_sigmoid),
    "log_sigmoid": (F.log_sigmoid, lambda x: -np.log1p(np.exp(-x))),
    "tanh": (F.tanh, np.tanh),
    "relu": (F.relu, lambda x: np.maximum(x, 0)),
}


@pytest.mark.parametrize("name", list(ACTIVATIONS))
@given(st.lists(st.floats(-20, 20), min_size=1, max_size=8))
def test_activation_matches_numpy(name, values):
    fn, reference = ACTIVATIONS[name]
    x = np.array(values)
    np.testing.assert_allclose(fn(x).data, reference(x), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_gradcheck_including_zero(name):
    fn, _ = ACTIVATIONS[name]
    values = [-3.0, -0.7, 0.4, 2.5] if name == "relu" else [-3.0, -0.7, 0.0, 0.4, 2.5]
    x = leaf(values)
    assert tx.gradcheck(weighted(fn, x.shape), x)


def test_activation_closed_form_derivatives():
    x = leaf(np.linspace(-5, 5, 11))  # includes 0, where |x| has its kink
    s = np_sigmoid(x.data)
    for fn, derivative in [
        (F.sigmoid, s * (1 - s)),
        (F.log_sigmoid, 1 - s),
        (F.tanh, 1 - np.tanh(x.data) ** 2),
    ]:
        x.zero_grad()
        fn(x).sum().backward()
        np.testing.assert_allclose(x.grad, derivative, atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_stable_at_1e4(name, dtype):
    fn, _ = ACTIVATIONS[name]
    x = Tensor(np.array([-1e4, -50.0, 50.0, 1e4], dtype), requires_grad=True)
    with tx.detect_anomaly():
        out = fn(x)
        out.sum().backward()
    assert out.dtype == dtype and x.grad.dtype == dtype
    if name == "log_sigmoid":
        assert out.data[0] == -1e4 and out.data[-1] == 0


# ---- cross-entropy and nll --------------------------------------------------------------------
CE_CASES = list(itertools.product([None, "w"], [False, True], [0.0, 0.2], ["mean", "sum", "none"]))


@pytest.mark.parametrize("weight,ignore,eps,reduction", CE_CASES)
@pytest.mark.parametrize("shape", [(4, 3), (3, 4, 2)])
def test_cross_entropy_index_targets(shape, weight, ignore, eps, reduction):
    r = rng(sum(shape))
    x = leaf(r.normal(size=shape) * 2)
    target = r.integers(0, shape[1], size=(shape[0],) + shape[2:])
    if ignore:
        target.reshape(-1)[1] = -100
    w = None if weight is None else r.uniform(0.5, 2.0, size=shape[1])
    got = F.cross_entropy(x, target, weight=w, reduction=reduction, label_smoothing=eps)
    expected = np_cross_entropy(x.data, target, w, -100, reduction, eps)
    np.testing.assert_allclose(got.data, expected, rtol=1e-12)

    def fn(a):
        return F.cross_entropy(a, target, weight=w, reduction=reduction, label_smoothing=eps)

    assert tx.gradcheck(weighted(fn, got.shape), x)


@pytest.mark.parametrize(
    "weight,eps,reduction",
    list(itertools.product([None, "w"], [0.0, 0.3], ["mean", "sum", "none"])),
)
@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 2)])
def test_cross_entropy_probability_targets(shape, weight, eps, reduction):
    r = rng(7)
    x = leaf(r.normal(size=shape))
    t = np_softmax(r.normal(size=shape), axis=1)
    w = None if weight is None else r.uniform(0.5, 2.0, size=shape[1])
    got = F.cross_entropy(x, t, weight=w, reduction=reduction, label_smoothing=eps)
    np.testing.assert_allclose(
        got.data, np_cross_entropy_probs(x.data, t, w, reduction, eps), rtol=1e-12
    )

    def fn(a):
        return F.cross_entropy(a, t, weight=w, reduction=reduction, label_smoothing=eps)

    assert tx.gradcheck(weighted(fn, got.shape), x)


@given(
    st.integers(1, 4),
    st.integers(2, 5),
    st.lists(st.integers(1, 3), max_size=2),
    st.floats(0.0, 1.0),
    st.booleans(),
    st.integers(0, 10_000),
)
def test_cross_entropy_any_shape(n, c, extra, eps, use_weight, seed):
    r = rng(seed)
    shape = (n, c, *extra)
    x = r.normal(size=shape) * 5
    target = r.integers(-1, c, size=(n, *extra))  # -1 marks ignored samples here
    target.reshape(-1)[0] = 0  # keep at least one
    w = r.uniform(0.1, 2, size=c) if use_weight else None
    got = F.cross_entropy(
        x, target, weight=w, ignore_index=-1, label_smoothing=eps, reduction="none"
    )
    np.testing.assert_allclose(
        got.data, np_cross_entropy(x, target, w, -1, "none", eps), rtol=1e-10, atol=1e-12
    )
    mean = F.cross_entropy(x, target, weight=w, ignore_index=-1, label_smoothing=eps)
    assert mean.item() == pytest.approx(np_cross_entropy(x, target, w, -1, "mean", eps), rel=1e-10)


def test_cross_entropy_one_hot_equals_indices_and_soft_target_gradient():
    x = rng(3).normal(size=(5, 4))
    y = np.array([0, 3, 1, 1, 2])
    np.testing.assert_allclose(
        F.cross_entropy(x, np.eye(4)[y]).data, F.cross_entropy(x, y).data, rtol=1e-14
    )
    t = leaf(np_softmax(rng(4).normal(size=(5, 4))))  # the soft target gets a gradient too
    assert tx.gradcheck(lambda a: F.cross_entropy(x, a), t)


@given(st.integers(1, 6), st.integers(2, 7), st.integers(0, 10_000))
def test_cross_entropy_gradient_is_softmax_minus_y(n, c, seed):
    """d(mean loss)/dx = (softmax(x) - one_hot(y)) / N, and with weights w[y_i] / sum w[y]."""
    r = rng(seed)
    x = leaf(r.normal(size=(n, c)) * 3)
    y = r.integers(0, c, size=n)
    F.cross_entropy(x, y).backward()
    expected = (np_softmax(x.data) - np.eye(c)[y]) / n
    np.testing.assert_allclose(x.grad, expected, atol=1e-14)
    w = r.uniform(0.1, 3, size=c)
    x.zero_grad()
    F.cross_entropy(x, y, weight=w).backward()
    expected = (np_softmax(x.data) - np.eye(c)[y]) * w[y][:, None] / w[y].sum()
    np.testing.assert_allclose(x.grad, expected, atol=1e-14)


def test_cross_entropy_unbatched_and_nll():
    x = np.array([1.2, 2.3, 0.8])
    assert F.cross_entropy(x, 1).item() == pytest.approx(-np_log_softmax(x)[1], rel=1e-14)
    assert F.cross_entropy(x, 1, reduction="none").shape == ()
    assert F.cross_entropy(x, np_softmax(x)).item() == pytest.approx(
        -(np_softmax(x) * np_log_softmax(x)).sum(), rel=1e-14
    )
    xb = rng().normal(size=(6, 4))
    y = np.array([0, 1, -100, 3, 2, 2])
    w = np.array([1.0, 2.0, 0.5, 3.0])
    for reduction in ("mean", "sum", "none"):
        np.testing.assert_allclose(
            F.nll_loss(F.log_softmax(xb, axis=1), y, weight=w, reduction=reduction).data,
            F.cross_entropy(xb, y, weight=w, reduction=reduction).data,
            rtol=1e-14,
        )
    assert F.nll_loss(np.log([0.2, 0.8]), 1).item() == pytest.approx(-np.log(0.8))
    lp = leaf(np_log_softmax(xb))
    assert tx.gradcheck(weighted(lambda a: F.nll_loss(a, y, w, reduction="none"), (6,)), lp)


def test_cross_entropy_ignore_index_custom_and_all_ignored():
    x = rng().normal(size=(3, 4))
    y = np.array([2, 7, 7])  # a custom ignore_index may even lie outside [0, C)
    assert F.cross_entropy(x, y, ignore_index=7).item() == pytest.approx(
        -np_log_softmax(x)[0, 2], rel=1e-14
    )
    with np.errstate(invalid="ignore"):
        assert np.isnan(F.cross_entropy(x, np.array([7, 7, 7]), ignore_index=7).item())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_at_extreme_logits(dtype):
    """log-sum-exp keeps [0, 200] at 200, where softmax then log would say inf (or 87.34)."""
    x = np.array([[0.0, 200.0]], dtype)
    assert F.cross_entropy(x, np.array([0])).item() == pytest.approx(200.0, rel=1e-7)
    big = Tensor(np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]], dtype), requires_grad=True)
    loss = F.cross_entropy(big, np.array([1, 2]), label_smoothing=0.1)
    loss.backward()
    assert loss.dtype == dtype and big.grad.dtype == dtype
    assert np.isfinite(loss.data) and np.isfinite(big.grad).all()
    with tx.detect_anomaly():  # no inf or nan anywhere on the tape, forward or backward
        F.cross_entropy(big, np.array([1, 2]), weight=[1.0, 2.0, 3.0]).backward()
        F.cross_entropy(big, np.eye(3, dtype=dtype)[[0, 1]], label_smoothing=0.2).backward()
    assert loss.item() == pytest.approx(
        (0.9 * 2e4 + 0.1 / 3 * 3e4 + 0.1 / 3 * 2e4 + 0.9 * np.log(2)) / 2, rel=1e-5
    )


def test_float32_stays_float32_everywhere():
    r = rng(5)
    x = Tensor(r.normal(size=(4, 3)).astype(np.float32), requires_grad=True)
    y = np.array([0, 2, 1, 1])
    probs = np_softmax(r.normal(size=(4, 3))).astype(np.float32)
    losses = [
        F.cross_entropy(x, y, weight=[1.0, 2.0, 3.0], label_smoothing=0.1),
        F.cross_entropy(x, probs, weight=np.ones(3)),
        F.nll_loss(F.log_softmax(x, axis=1), y),
        F.binary_cross_entropy(F.sigmoid(x), (probs > 0.3).astype(np.float64)),
        F.binary_cross_entropy_with_logits(x, probs, pos_weight=[2.0, 1.0, 0.5], weight=2.0),
        F.nt_xent(x[:2], x[2:]),
        F.supcon(x, [0, 1, 0, 1]),
        F.multi_margin_loss(x, y),
        F.entropy(F.softmax(x), base=2).sum(),
    ]
    for loss in losses:
        x.zero_grad()
        loss.backward()
        assert loss.dtype == np.float32 and x.grad.dtype == np.float32


def test_losses_record_only_primitive_ops():
    assert {"exp", "log", "max", "sum", "matmul", "getitem", "where"} <= PRIMITIVES
    r = rng(6)
    x = Tensor(r.normal(size=(4, 3)), requires_grad=True)
    y = np.array([0, 2, 1, -100])
    losses = [
        F.cross_entropy(x, y, weight=[1.0, 2.0, 3.0], label_smoothing=0.1),
        F.cross_entropy(x, np_softmax(x.data)),
        F.nll_loss(x, y),
        F.binary_cross_entropy(F.sigmoid(x), np.ones((4, 3))),
        F.binary_cross_entropy_with_logits(x, np.ones((4, 3)), pos_weight=[1.0, 2.0, 3.0]),
        F.nt_xent(x[:2], x[2:]),
        F.supcon(x, [0, 1, 0, 1]),
        F.multi_margin_loss(x, np.array([0, 1, 2, 0])),
        F.entropy(F.softmax(x)).sum(),
        F.tanh(x).sum(),
        F.relu(x).sum(),
    ]
    for loss in losses:
        names = {node.name for node in tx.tape(loss)}
        assert names and names <= PRIMITIVES, names - PRIMITIVES
    # the cross-entropy tape shows log-sum-exp and the pick, step by step
    steps = [node.name for node in tx.tape(F.cross_entropy(x, np.array([0, 2, 1, 1])))]
    assert steps == ["sub", "exp", "sum", "log", "add", "getitem", "sub", "sum", "div"]


# ---- binary cross-entropy ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "weight,reduction", list(itertools.product([None, "w"], ["mean", "sum", "none"]))
)
def test_binary_cross_entropy(weight, reduction):
    r = rng(8)
    p = leaf(r.uniform(0.05, 0.95, size=(3, 4)))
    y = r.uniform(size=(3, 4)).round(1)  # soft labels allowed
    w = None if weight is None else r.uniform(0.5, 2, size=(4,))
    got = F.binary_cross_entropy(p, y, weight=w, reduction=reduction)
    each = -(y * np.log(p.data) + (1 - y) * np.log(1 - p.data)) * (1 if w is None else w)
    expected = {"none": each, "sum": each.sum(), "mean": each.mean()}[reduction]
    np.testing.assert_allclose(got.data, expected, rtol=1e-12)

    def fn(a):
        return F.binary_cross_entropy(a, y, weight=w, reduction=reduction)

    assert tx.gradcheck(weighted(fn, got.shape), p)


def test_binary_cross_entropy_clamp_at_zero_and_one():
    """log 0 is clamped to -100: a finite loss and, in the flat region, a zero gradient."""
    p = leaf([0.0, 1.0, 0.0, 1.0, 0.5])
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0])
    with tx.detect_anomaly():
        loss = F.binary_cross_entropy(p, y, reduction="none")
        loss.sum().backward()
    np.testing.assert_allclose(loss.data, [100.0, 100.0, 0.0, 0.0, np.log(2)])
    np.testing.assert_allclose(p.grad, [0.0, 0.0, 1.0, -1.0, -2.0])
    for dtype in (np.float32, np.float64):
        saturated = F.sigmoid(Tensor(np.array([-1e4, 1e4], dtype), requires_grad=True))
        out = F.binary_cross_entropy(saturated, np.array([1.0, 0.0]))
        assert out.item() == pytest.approx(100.0) and out.dtype == dtype


@pytest.mark.parametrize(
    "pos_weight,weight,reduction",
    list(itertools.product([None, "pw"], [None, "w"], ["mean", "sum", "none"])),
)
def test_binary_cross_entropy_with_logits(pos_weight, weight, reduction):
    r = rng(9)
    x = leaf(r.normal(size=(3, 4)) * 3)
    y = (r.uniform(size=(3, 4)) > 0.5).astype(float)
    pw = None if pos_weight is None else r.uniform(0.5, 3, size=4)
    w = None if weight is None else r.uniform(0.5, 2, size=(3, 1))
    got = F.binary_cross_entropy_with_logits(x, y, weight=w, pos_weight=pw, reduction=reduction)
    s = np_sigmoid(x.data)
    each = -((1 if pw is None else pw) * y * np.log(s) + (1 - y) * np.log(1 - s))
    each = each * (1 if w is None else w)
    expected = {"none": each, "sum": each.sum(), "mean": each.mean()}[reduction]
    np.testing.assert_allclose(got.data, expected, rtol=1e-10)

    def fn(a):
        return F.binary_cross_entropy_with_logits(a, y, w, pw, reduction)

    assert tx.gradcheck(weighted(fn, got.shape), x)


@given(st.lists(st.floats(-30, 30), min_size=1, max_size=6), st.integers(0, 100))
def test_bce_with_logits_gradient_is_sigmoid_minus_y(values, seed):
    x = leaf(values)
    y = rng(seed).uniform(size=x.shape)
    F.binary_cross_entropy_with_logits(x, y, reduction="sum").backward()
    np.testing.assert_allclose(x.grad, np_sigmoid(x.data) - y, atol=1e-14)
    x.zero_grad()  # and with probabilities: -(y/p - (1-y)/(1-p)) dp/dx = sigmoid - y too
    p = leaf(np_sigmoid(np.clip(x.data, -15, 15)))
    F.binary_cross_entropy(p, y, reduction="sum").backward()
    np.testing.assert_allclose(p.grad, -(y / p.data - (1 - y) / (1 - p.data)), rtol=1e-10)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bce_with_logits_stable_at_1e4(dtype):
    x = Tensor(np.array([-1e4, 1e4, -1e4, 1e4, 0.0], dtype), requires_grad=True)
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0])
    with tx.detect_anomaly():
        loss = F.binary_cross_entropy_with_logits(x, y, pos_weight=[2.0], reduction="none")
        loss.sum().backward()
    np.testing.assert_allclose(loss.data, [2e4, 1e4, 0.0, 0.0, 2 * np.log(2)], rtol=1e-6)
    np.testing.assert_allclose(x.grad, [-2.0, 1.0, 0.0, 0.0, -2 * 0.5], rtol=1e-6)
    assert loss.dtype == dtype and x.grad.dtype == dtype


# ---- NT-Xent and SupCon -----------------------------------------------------------------------
@pytest.mark.parametrize("n,d,tau", [(1, 3, 0.5), (3, 4, 0.5), (5, 2, 0.1), (4, 8, 2.0)])
def test_nt_xent_matches_reference_and_gradcheck(n, d, tau):
    r = rng(n * d)
    za, zb = leaf(r.normal(size=(n, d))), leaf(r.normal(size=(n, d)))
    for reduction in ("none", "sum", "mean"):
        got = F.nt_xent(za, zb, tau, reduction=reduction)
        each = np_nt_xent(za.data, zb.data, tau)
        expected = {"none": each, "sum": each.sum(), "mean": each.mean()}[reduction]
        np.testing.assert_allclose(got.data, expected, rtol=1e-10)
    assert tx.gradcheck(weighted(lambda a, b: F.nt_xent(a, b, tau, "none"), (2 * n,)), za, zb)


@pytest.mark.parametrize("n", [1, 2, 7, 32])
def test_nt_xent_identical_embeddings_give_chance(n):
    z = np.tile(rng(n).normal(size=(1, 5)), (n, 1))
    assert F.nt_xent(z, z * 3.0).item() == pytest.approx(np.log(2 * n - 1), abs=1e-12)


def test_nt_xent_gradient_closed_form():
    """dL/du = (G + G^T) u / (2N tau) with G = P - positives, then the normalization's
    projection dL/dz_i = (I - u_i u_i^T) dL/du_i / ||z_i||; see docs/losses/nt-xent-supcon.md."""
    r = rng(11)
    n, tau = 4, 0.3
    za, zb = leaf(r.normal(size=(n, 3))), leaf(r.normal(size=(n, 3)))
    F.nt_xent(za, zb, tau).backward()
    z = np.concatenate([za.data, zb.data])
    norms = np.linalg.norm(z, axis=1, keepdims=True)
    u = z / norms
    s = u @ u.T / tau
    np.fill_diagonal(s, -np.inf)
    p = np_softmax(s)
    g = p - np.eye(2 * n)[(np.arange(2 * n) + n) % (2 * n)]
    du = (g + g.T) @ u / (2 * n * tau)
    dz = (du - u * (u * du).sum(axis=1, keepdims=True)) / norms
    np.testing.assert_allclose(np.concatenate([za.grad, zb.grad]), dz, atol=1e-14)


def test_nt_xent_zero_row_and_detect_anomaly():
    za = leaf([[0.0, 0.0], [1.0, 2.0]])
    zb = leaf([[1.0, -1.0], [0.5, 0.5]])
    with tx.detect_anomaly():  # the masked diagonal stays finite on the tape
        F.nt_xent(za, zb).backward()
    assert np.isfinite(za.grad).all() and np.isfinite(zb.grad).all()


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_supcon_matches_reference(reduction):
    r = rng(12)
    f = leaf(r.normal(size=(7, 3)))
    labels = np.array([0, 1, 0, 2, 1, 0, 3])  # classes 2 and 3 have no positive
    got = F.supcon(f, labels, temperature=0.5, reduction=reduction)
    each = np_supcon(f.data, labels, 0.5)
    expected = {"none": np.nan_to_num(each), "sum": np.nansum(each), "mean": np.nanmean(each)}[
        reduction
    ]
    np.testing.assert_allclose(got.data, expected, rtol=1e-10)
    assert tx.gradcheck(weighted(lambda a: F.supcon(a, labels, 0.5, reduction), got.shape), f)


def test_supcon_reduces_to_nt_xent_and_is_stable():
    r = rng(13)
    za, zb = r.normal(size=(4, 3)), r.normal(size=(4, 3))
    labels = np.concatenate([np.arange(4), np.arange(4)])
    assert F.supcon(np.concatenate([za, zb]), labels, 0.2).item() == pytest.approx(
        F.nt_xent(za, zb, 0.2).item(), rel=1e-12
    )
    f = Tensor(r.normal(size=(6, 3)).astype(np.float32), requires_grad=True)
    with tx.detect_anomaly():  # tau = 0.001 gives similarities of 1000
        F.supcon(f, [0, 0, 1, 1, 2, 2], temperature=1e-3).backward()
    assert f.grad.dtype == np.float32


# ---- multi-margin and entropy -----------------------------------------------------------------
@pytest.mark.parametrize(
    "margin,reduction", list(itertools.product([1.0, 0.5], ["mean", "sum", "none"]))
)
def test_multi_margin_loss(margin, reduction):
    r = rng(14)
    s = leaf(r.normal(size=(5, 4)))
    y = r.integers(0, 4, size=5)
    got = F.multi_margin_loss(s, y, margin, reduction)
    each = np.array(
        [
            sum(max(0.0, margin - row[t] + row[j]) for j in range(4) if j != t) / 4
            for row, t in zip(s.data, y)
        ]
    )
    expected = {"none": each, "sum": each.sum(), "mean": each.mean()}[reduction]
    np.testing.assert_allclose(got.data, expected, rtol=1e-12)

    def fn(a):
        return F.multi_margin_loss(a, y, margin, reduction)

    assert tx.gradcheck(weighted(fn, got.shape), s)


def test_multi_margin_cs231n_example():
    """CS231n's cat/car/frog scores: the SVM losses 2.9, 0 and 12.9, here divided by C = 3."""
    scores = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
    got = F.multi_margin_loss(scores, np.array([0, 1, 2]), reduction="none").data * 3
    np.testing.assert_allclose(got, [2.9, 0.0, 12.9], atol=1e-12)
    assert F.multi_margin_loss(scores[0], 0).item() == pytest.approx(2.9 / 3)


def test_entropy():
    p = np.array([[0.5, 0.5, 0.0], [0.2, 0.3, 0.5]])
    expected = -np.array([np.sum(row[row > 0] * np.log(row[row > 0])) for row in p])
    np.testing.assert_allclose(F.entropy(p).data, expected, rtol=1e-14)
    np.testing.assert_allclose(F.entropy(p, base=2).data, expected / np.log(2), rtol=1e-14)
    np.testing.assert_allclose(F.entropy(p.T, axis=0).data, expected, rtol=1e-14)
    q = leaf(p)
    (F.entropy(q) * np.array([1.0, -2.0])).sum().backward()
    safe = np.where(p > 0, p, 1.0)
    expected_grad = np.where(p > 0, -(np.log(safe) + 1), 0.0) * np.array([[1.0], [-2.0]])
    np.testing.assert_allclose(q.grad, expected_grad, atol=1e-14)
    q = leaf(p[1])
    assert tx.gradcheck(lambda a: F.entropy(a, base=2), q)


# ---- bad inputs -------------------------------------------------------------------------------
BAD_INPUTS = [
    (
        lambda: F.cross_entropy(np.zeros((4, 10)), np.zeros(8, int)),
        ValueError,
        r"cross_entropy: target has shape \(8,\) but logits \(4, 10\) need \(4,\)",
    ),
    (
        lambda: F.cross_entropy(np.zeros((4, 3)), np.array([0, 1, 3, 0])),
        IndexError,
        r"class index 3, outside \[0, 3\) and not ignore_index=-100",
    ),
    (lambda: F.cross_entropy(np.zeros((2, 3)), np.array([0, -1])), IndexError, r"index -1"),
    (
        lambda: F.cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0])),
        TypeError,
        r"target has the shape \(2,\) of class indices but dtype float64",
    ),
    (
        lambda: F.cross_entropy(np.zeros((2, 3)), np.zeros((2, 3), int)),
        TypeError,
        r"shape \(2, 3\) of class probabilities but dtype int64",
    ),
    (
        lambda: F.cross_entropy(np.zeros((2, 3)), [0, 1], reduction="avg"),
        ValueError,
        r"cross_entropy: reduction must be 'mean', 'sum' or 'none', got 'avg'",
    ),
    (
        lambda: F.cross_entropy(np.zeros((2, 3)), [0, 1], weight=[1.0, 2.0]),
        ValueError,
        r"weight has shape \(2,\) but there are 3 classes",
    ),
    (
        lambda: F.cross_entropy(np.zeros((2, 3)), [0, 1], label_smoothing=1.5),
        ValueError,
        r"label_smoothing must be in \[0, 1\], got 1.5",
    ),
    (lambda: F.cross_entropy(np.zeros(()), 0), ValueError, r"must have a class axis"),
    (
        lambda: F.nll_loss(np.zeros((2, 3)), np.zeros((2, 3))),
        ValueError,
        r"nll_loss: target has shape \(2, 3\) but log_probs \(2, 3\) need \(2,\)",
    ),
    (
        lambda: F.nll_loss(np.zeros((2, 3)), [0, 1], reduction=None),
        ValueError,
        r"nll_loss: reduction",
    ),
    (
        lambda: F.binary_cross_entropy([0.5, 1.2], [0.0, 1.0]),
        ValueError,
        r"binary_cross_entropy: probs must lie in \[0, 1\], got 1.2",
    ),
    (lambda: F.binary_cross_entropy([0.5, np.nan], [0.0, 1.0]), ValueError, r"got nan"),
    (
        lambda: F.binary_cross_entropy([0.5, 0.2], [0.0, 1.0, 1.0]),
        ValueError,
        r"target has shape \(3,\) but probs has shape \(2,\)",
    ),
    (
        lambda: F.binary_cross_entropy_with_logits(np.zeros((2, 3)), np.zeros((3, 2))),
        ValueError,
        r"target has shape \(3, 2\) but logits has shape \(2, 3\)",
    ),
    (
        lambda: F.binary_cross_entropy_with_logits(
            np.zeros((2, 3)), np.zeros((2, 3)), pos_weight=[1.0, 2.0]
        ),
        ValueError,
        r"pos_weight has shape \(2,\)",
    ),
    (
        lambda: F.binary_cross_entropy_with_logits(
            np.zeros((2, 3)), np.zeros((2, 3)), weight=np.ones(2)
        ),
        ValueError,
        r"weight has shape \(2,\), which does not broadcast",
    ),
    (
        lambda: F.binary_cross_entropy_with_logits([1.0], [1.0], reduction="mea"),
        ValueError,
        r"got 'mea'",
    ),
    (
        lambda: F.nt_xent(np.ones((4, 3)), np.ones((5, 3))),
        ValueError,
        r"nt_xent: z_a has shape \(4, 3\) but z_b has shape \(5, 3\)",
    ),
    (
        lambda: F.nt_xent(np.ones((4, 3)), np.ones((4, 3)), temperature=-0.1),
        ValueError,
        r"nt_xent: temperature must be a finite number > 0, got -0.1",
    ),
    (
        lambda: F.nt_xent(np.ones((4, 3)), np.ones((4, 3)), temperature=0),
        ValueError,
        r"temperature must be a finite number > 0, got 0$",
    ),
    (lambda: F.nt_xent(np.ones(3), np.ones(3)), ValueError, r"must be \(N, d\)"),
    (
        lambda: F.nt_xent(np.ones((2, 3)), np.ones((2, 3)), reduction="all"),
        ValueError,
        r"nt_xent: reduction",
    ),
    (lambda: F.supcon(np.ones((3, 2)), [0, 1, 2]), ValueError, r"supcon: no anchor has a positive"),
    (
        lambda: F.supcon(np.ones((3, 2)), [0, 1]),
        ValueError,
        r"labels has shape \(2,\) but features \(3, 2\) need \(3,\)",
    ),
    (lambda: F.supcon(np.ones((3, 2)), [0, 0, 1], temperature=-1), ValueError, r"temperature"),
    (
        lambda: F.multi_margin_loss(np.zeros((2, 3)), [0, 3]),
        IndexError,
        r"class index 3, outside \[0, 3\)$",
    ),
    (lambda: F.multi_margin_loss(np.zeros((2, 3)), [0, -4]), IndexError, r"class index -4"),
    (lambda: F.multi_margin_loss(np.zeros((2, 3)), [0.0, 1.0]), TypeError, r"dtype float64"),
    (
        lambda: F.multi_margin_loss(np.zeros((2, 3, 4)), np.zeros((2, 4), int)),
        ValueError,
        r"scores must be \(N, C\)",
    ),
    (lambda: F.entropy([0.5, -0.5]), ValueError, r"entropy: p has a negative entry -0.5"),
    (lambda: F.entropy([0.5, 0.5], base=1), ValueError, r"base must be a positive number"),
    (
        lambda: F.entropy([0.5, 0.5], base=-2),
        ValueError,
        r"entropy: base must be a finite number > 0, got -2",
    ),
]


@pytest.mark.parametrize("call,error,match", BAD_INPUTS)
def test_bad_inputs_raise_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
