"""Every argument that takes an array takes a Tensor, in every combination of options.

For each function of tinygrad_xent.functional and each of its array arguments, the result with
that argument given as a Tensor (alone, and with every array argument a Tensor at once) must
equal the result with numpy arrays, over every option that changes the code path: batched and
unbatched inputs, index and probability targets, label smoothing, weights, ignore_index and
each reduction.
"""

import itertools

import numpy as np
import pytest

import tinygrad_xent as tx
import tinygrad_xent.functional as F

RNG = np.random.default_rng(0)
LOGITS = RNG.normal(size=(3, 4))
PROBS = RNG.dirichlet(np.ones(4), size=3)
INDEX = np.array([0, 3, 1])
WEIGHT = np.array([0.5, 1.0, 2.0, 0.25])


def class_cases():
    """(name, fn, arrays, options) for cross_entropy and nll_loss over every option."""
    for batched, kind, eps, weighted, reduction in itertools.product(
        [True, False], ["index", "probs"], [0.0, 0.2], [False, True], ["mean", "sum", "none"]
    ):
        x = LOGITS if batched else LOGITS[0]
        target = (
            (INDEX if batched else INDEX[0])
            if kind == "index"
            else (PROBS if batched else PROBS[0])
        )
        arrays = {"logits": x, "target": np.asarray(target)}
        if weighted:
            arrays["weight"] = WEIGHT
        options = {"label_smoothing": eps, "reduction": reduction}
        if kind == "index" and batched:
            options["ignore_index"] = 3
        yield (
            f"cross_entropy {batched=} {kind} {eps=} {weighted=} {reduction}",
            (
                F.cross_entropy,
                arrays,
                options,
            ),
        )
        if kind == "index" and eps == 0:
            arrays = {("log_probs" if k == "logits" else k): v for k, v in arrays.items()}
            options = {k: v for k, v in options.items() if k != "label_smoothing"}
            yield f"nll_loss {batched=} {weighted=} {reduction}", (F.nll_loss, arrays, options)


def other_cases():
    probs = 1 / (1 + np.exp(-LOGITS))
    labels = (PROBS > 0.25).astype(np.float64)
    for reduction, weighted in itertools.product(["mean", "sum", "none"], [False, True]):
        weight = {"weight": RNG.uniform(size=(3, 4))} if weighted else {}
        yield (
            f"bce {reduction} {weighted=}",
            (
                F.binary_cross_entropy,
                {"probs": probs, "target": labels, **weight},
                {"reduction": reduction},
            ),
        )
        for pos in (False, True):
            pos_weight = {"pos_weight": np.array([1.0, 2.0, 0.5, 3.0])} if pos else {}
            yield (
                f"bce_with_logits {reduction} {weighted=} {pos=}",
                (
                    F.binary_cross_entropy_with_logits,
                    {"logits": LOGITS, "target": labels, **weight, **pos_weight},
                    {"reduction": reduction},
                ),
            )
        yield (
            f"multi_margin {reduction}",
            (
                F.multi_margin_loss,
                {"scores": LOGITS, "target": INDEX},
                {"reduction": reduction},
            ),
        )
        yield (
            f"nt_xent {reduction}",
            (
                F.nt_xent,
                {"z_a": LOGITS, "z_b": LOGITS[::-1].copy()},
                {"reduction": reduction},
            ),
        )
        yield (
            f"supcon {reduction}",
            (
                F.supcon,
                {"features": np.concatenate([LOGITS, LOGITS]), "labels": np.array([0, 1, 0] * 2)},
                {"reduction": reduction},
            ),
        )
    for name in ("softmax", "log_softmax", "logsumexp", "sigmoid", "log_sigmoid", "tanh", "relu"):
        yield name, (getattr(F, name), {"x": LOGITS}, {})
    yield "entropy", (F.entropy, {"p": PROBS}, {"base": 2})


CASES = dict(itertools.chain(class_cases(), other_cases()))


def as_tensor(value):
    dtype = np.int64 if value.dtype.kind in "iu" else None
    return tx.Tensor(value, dtype=dtype) if dtype else tx.Tensor(value)


@pytest.mark.parametrize("name", CASES)
def test_each_array_argument_may_be_a_tensor(name):
    fn, arrays, options = CASES[name]
    expected = fn(**arrays, **options).data
    subsets = [[arg] for arg in arrays] + [list(arrays)]
    for subset in subsets:
        given = {k: as_tensor(v) if k in subset else v for k, v in arrays.items()}
        got = fn(**given, **options).data
        np.testing.assert_array_equal(got, expected, err_msg=f"{name}: Tensor {subset}")


def test_the_issue_example():
    x = tx.Tensor([0.5, -1, 2, 0.1])
    t = [0.1, 0.2, 0.3, 0.4]
    with_tensor = F.cross_entropy(x, tx.Tensor(t), label_smoothing=0.2).item()
    assert with_tensor == F.cross_entropy(x, np.array(t), label_smoothing=0.2).item()


def test_a_tensor_target_still_receives_its_gradient_when_unbatched():
    t = tx.Tensor(PROBS[0], requires_grad=True)
    F.cross_entropy(LOGITS[0], t, label_smoothing=0.2).backward()
    assert t.grad.shape == (4,)
    expected = -(1 - 0.2) * F.log_softmax(LOGITS[0]).data
    np.testing.assert_allclose(t.grad, expected, rtol=1e-14)
