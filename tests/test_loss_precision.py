"""Losses at large logits: the right number, to a few ulps, at any finite logit.

x - logsumexp(x) and logsumexp(x) - x_y cancel once |x| is large (1e15 + log 2 - 1e15 keeps
only 1e15's ulp). Every loss that normalizes over classes is compared here, over every target
kind and option, with a reference written out in np.longdouble in the stable form
(x - m) - log sum exp(x - m), at logit scales from 1 to 1e300 in float64 and float32; and the
gradients with softmax - target, the closed form, which the shifted form must not change.
"""

import itertools
import math

import numpy as np
import pytest

import tinygrad_xent as tx
import tinygrad_xent.functional as F

LD = np.longdouble
SCALES = [1.0, 5.0, 1e4, -1e4, 1e8, 1e15, -1e15, 1e300]
DTYPES = [np.float64, np.float32]


def logits(scale, dtype, n=5, c=4, seed=0):
    """(n, c) logits near ``scale``: offsets of a few units, so that several classes share
    most of the probability and the loss is of order 1 (where cancellation shows most)."""
    if abs(scale) > float(np.finfo(dtype).max):
        pytest.skip(f"{scale:g} is beyond {np.dtype(dtype).name}'s range")
    rng = np.random.default_rng(seed)
    offsets = rng.integers(-16, 1, size=(n, c)) / 4.0
    offsets[:, 0] = 0.0  # a tie at the max in every row, as in [1e15, 1e15, 5e14, -1e15]
    offsets[:, 1] = 0.0
    x = (np.asarray(scale, dtype) + offsets.astype(dtype)).astype(dtype)
    x[0] = np.array([1e15, 1e15, 5e14, -1e15][:c], dtype) if abs(scale) >= 1e15 else x[0]
    return x


def ref_log_softmax(x):
    """log softmax along axis 1 in longdouble, in the form that never cancels."""
    x = x.astype(LD)
    shifted = x - x.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def ulps(dtype):
    return 16 * float(np.finfo(dtype).eps)


def assert_close(got, ref, dtype, scale_of=None):
    """|got - ref| <= 16 eps max(1, |ref|) (or of ``scale_of``, for a sum of many terms)."""
    got = np.asarray(got, dtype=np.float64)
    ref = np.asarray(ref, dtype=LD)
    size = np.maximum(1, np.abs(ref if scale_of is None else np.asarray(scale_of, LD)))
    error = np.abs(got.astype(LD) - ref)
    assert (error <= ulps(dtype) * size).all(), (got, ref.astype(np.float64))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scale", SCALES)
def test_log_softmax_is_exact_at_any_scale(scale, dtype):
    x = logits(scale, dtype)
    got = F.log_softmax(tx.Tensor(x), axis=1).data
    assert got.dtype == dtype
    assert_close(got, ref_log_softmax(x), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_the_issue_examples(dtype):
    x = tx.Tensor(np.array([[1e15, 1e15, 5e14, -1e15]], dtype))
    assert F.cross_entropy(x, [0]).item() == pytest.approx(math.log(2), rel=ulps(dtype))
    x32 = tx.Tensor(np.array([[1e8, 1e8, 0, 0]], np.float32))
    assert F.cross_entropy(x32, [0]).item() == pytest.approx(math.log(2), rel=ulps(np.float32))
    y = F.log_softmax(tx.Tensor(np.array([1e4, 1e4, 0], np.float32))).data
    assert y[0] == np.float32(-math.log(2))


def ref_cross_entropy(x, target, weight, ignore, eps, reduction):
    """Cross-entropy written from its formula in longdouble: per-sample terms and the mean's
    denominator, for index targets (ignore_index -1) or probability targets."""
    log_p = ref_log_softmax(x)
    n, c = x.shape
    w = np.ones(c, LD) if weight is None else weight.astype(LD)
    if target.dtype.kind == "f":
        t = (1 - eps) * target.astype(LD) + LD(eps) / c
        items = -(w * t * log_p).sum(axis=1)
        denominator = LD(n)
    else:
        kept = target != ignore
        safe = np.where(kept, target, 0)
        picked = log_p[np.arange(n), safe]
        items = -(1 - eps) * w[safe] * picked - LD(eps) / c * (w * log_p).sum(axis=1)
        items = np.where(kept, items, 0)
        denominator = np.where(kept, w[safe], 0).sum()
    if reduction == "none":
        return items, np.abs(items)
    total = items.sum()
    scale = np.abs(items).sum()
    return (total, scale) if reduction == "sum" else (total / denominator, scale / denominator)


CE_OPTIONS = [
    (kind, eps, weighted, ignoring, reduction)
    for kind, eps, weighted, ignoring, reduction in itertools.product(
        ["index", "probs"], [0.0, 0.2], [False, True], [False, True], ["mean", "sum", "none"]
    )
    if not (kind == "probs" and ignoring)  # ignore_index applies to class indices only
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("kind,eps,weighted,ignoring,reduction", CE_OPTIONS)
def test_cross_entropy_every_option_at_any_scale(
    scale, dtype, kind, eps, weighted, ignoring, reduction
):
    x = logits(scale, dtype)
    rng = np.random.default_rng(1)
    weight = np.array([1.0, 0.5, 2.0, 0.25]) if weighted else None
    if kind == "index":
        target = np.array([0, 1, 2, 3, 0])
        if ignoring:
            target[2] = -1
    else:
        target = rng.dirichlet(np.ones(4), size=5)
    got = F.cross_entropy(
        tx.Tensor(x),
        target,
        weight=weight,
        ignore_index=-1,
        reduction=reduction,
        label_smoothing=eps,
    ).data
    ref, scale_of = ref_cross_entropy(x, target, weight, -1, eps, reduction)
    assert_close(got, ref, dtype, scale_of)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_nll_of_log_softmax_at_any_scale(scale, dtype, reduction):
    x = logits(scale, dtype)
    y = np.array([0, 1, 2, 3, 0])
    got = F.nll_loss(F.log_softmax(tx.Tensor(x), axis=1), y, reduction=reduction).data
    ref, scale_of = ref_cross_entropy(x, y, None, -100, 0.0, reduction)
    assert_close(got, ref, dtype, scale_of)


@pytest.mark.parametrize("kind", ["index", "probs"])
@pytest.mark.parametrize("eps", [0.0, 0.2])
@pytest.mark.parametrize("scale", SCALES)
def test_gradient_is_softmax_minus_target_at_any_scale(scale, kind, eps):
    """The shifted form changes the value's rounding, not the gradient: (softmax - t') / N."""
    x = logits(scale, np.float64)
    leaf = tx.Tensor(x, requires_grad=True)
    n, c = x.shape
    if kind == "index":
        y = np.array([0, 1, 2, 3, 0])
        t = np.eye(c)[y]
        F.cross_entropy(leaf, y, label_smoothing=eps).backward()
    else:
        t = np.random.default_rng(2).dirichlet(np.ones(c), size=n)
        F.cross_entropy(leaf, t, label_smoothing=eps).backward()
    t = (1 - eps) * t + eps / c
    expected = (np.exp(ref_log_softmax(x)) - t) / n
    np.testing.assert_allclose(leaf.grad, expected.astype(np.float64), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("temperature", [1.0, 1e-3, 1e-8, 1e-12])
@pytest.mark.parametrize("n", [1, 3])
def test_nt_xent_of_identical_embeddings_is_log_2n_minus_1_at_any_temperature(n, temperature):
    """Identical rows make every similarity 1 / tau: a (2N - 1)-way tie, loss log(2N - 1)."""
    z = np.tile([[2.0, 0.0]], (n, 1))
    loss = F.nt_xent(z, z, temperature=temperature).item()
    assert loss == pytest.approx(math.log(2 * n - 1), rel=ulps(np.float64), abs=ulps(np.float64))


@pytest.mark.parametrize("temperature", [1.0, 1e-3, 1e-8, 1e-12])
def test_supcon_of_identical_embeddings_is_log_m_minus_1_at_any_temperature(temperature):
    f = np.tile([[0.0, 3.0]], (4, 1))
    loss = F.supcon(f, [0, 0, 1, 1], temperature=temperature).item()
    assert loss == pytest.approx(math.log(3), rel=ulps(np.float64))


def test_nt_xent_at_a_small_temperature_matches_the_longdouble_formula():
    """Away from ties too: logsumexp_k(s_ik) - s_i,p(i) in longdouble, on the same similarities."""
    rng = np.random.default_rng(3)
    z_a, z_b = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    tau = 1e-9
    got = F.nt_xent(z_a, z_b, temperature=tau, reduction="none").data
    u = np.concatenate([z_a, z_b])
    u = u / np.linalg.norm(u, axis=1, keepdims=True)
    s = (u * (1.0 / tau)) @ u.T  # the same float64 similarities the loss computes
    s = s.astype(LD)
    np.fill_diagonal(s, -np.inf)
    positive = (np.arange(6) + 3) % 6
    m = s.max(axis=1)
    ref = np.log(np.exp(s - m[:, None]).sum(axis=1)) - (s[np.arange(6), positive] - m)
    # The similarities themselves round at ulp(1 / tau); the loss must add no more than that.
    assert np.abs(got - ref.astype(np.float64)).max() <= 4 * np.spacing(1.0 / tau)


def test_moderate_logits_keep_the_tape_the_tutorial_reads():
    """Below TAUGHT_SHIFT_MAX the loss is lse - x_y on the tape, node for node."""
    loss = F.cross_entropy(tx.Tensor([1.2, 2.3, 0.8], requires_grad=True), 1)
    ops = [line.split()[1] for line in str(tx.tape(loss)).splitlines()]
    assert ops[:8] == ["reshape", "sub", "exp", "sum", "log", "add", "getitem", "sub"]


def ref_bce_with_logits(x, y, pos_weight):
    """The binary loss in longdouble, by the sign of x, with log1p: nothing cancels."""
    x, y = x.astype(LD), y.astype(LD)
    pw = LD(1) if pos_weight is None else np.asarray(pos_weight, LD)
    c = pw * y + 1 - y
    softplus_minus_abs = np.log1p(np.exp(-np.abs(x)))  # log(1 + e^-|x|)
    positive = (1 - y) * x + c * softplus_minus_abs
    negative = c * softplus_minus_abs - pw * y * x
    return np.where(x > 0, positive, negative)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("pos_weight", [None, [2.0, 0.5, 1.0, 3.0]])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_with_logits_is_exact_at_any_scale(scale, dtype, pos_weight, reduction):
    x = logits(scale, dtype)
    x[1] = -x[1]  # both signs
    y = np.random.default_rng(4).choice([0.0, 1.0, 0.999, 0.001, 0.5], size=x.shape)
    got = F.binary_cross_entropy_with_logits(
        tx.Tensor(x), y.astype(dtype), pos_weight=pos_weight, reduction=reduction
    ).data
    items = ref_bce_with_logits(x, y.astype(dtype), pos_weight)
    ref = {"none": items, "sum": items.sum(), "mean": items.mean()}[reduction]
    scale_of = {"none": None, "sum": np.abs(items).sum(), "mean": np.abs(items).mean()}[reduction]
    assert_close(got, ref, dtype, scale_of)


@pytest.mark.parametrize("scale", SCALES)
def test_bce_with_logits_gradient_is_sigmoid_minus_y_at_any_scale(scale):
    x = logits(scale, np.float64)
    x[1] = -x[1]
    y = np.random.default_rng(5).uniform(size=x.shape)
    leaf = tx.Tensor(x, requires_grad=True)
    F.binary_cross_entropy_with_logits(leaf, y, reduction="sum").backward()
    expected = 1 / (1 + np.exp(-x.astype(LD))) - y
    np.testing.assert_allclose(leaf.grad, expected.astype(np.float64), rtol=1e-12, atol=1e-15)
