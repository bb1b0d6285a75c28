"""The gradient of mean cross-entropy with respect to the scores, derived in one line."""

import numpy as np

from .. import functional as F
from .grading import Case, Exercise, Knob, normalisers, reduction_axes, softmax, uniform

TASK = """\
L = mean over the N rows of -log softmax(scores)[n, target[n]]: the cross-entropy of the
scores (logits) of shape (N, C) with integer class labels target of shape (N,). Return
dscores = dL/dscores, of the scores' shape and dtype. L is the final loss: there is no
upstream gradient to multiply by (it is 1).

The questions:
    write one row's loss with the log of the softmax expanded: -log p_y = ? (a log-sum-exp
    and one score)
    differentiate that with respect to s_j: what does the log-sum-exp give, and what does
    the lone score give, at j = y and elsewhere?
    L is a mean: what does that do to each row's gradient?
    exp of a score near 1000 overflows: how do you compute the softmax stably?

Arguments: scores (N, C) float32 or float64; target (N,) integers in [0, C)."""


def cross_entropy_dscores(scores, target):
    """dscores = (p - one_hot(target)) / N.

    -log p_y = -s_y + log sum_k exp(s_k). The derivative of the log-sum-exp with respect to
    s_j is exp(s_j) / sum_k exp(s_k) = p_j, and that of -s_y is -1 at j = y. So each row's
    gradient is p - one_hot(y): it pushes the right class up by 1 - p_y and every other
    class down by its probability, and it sums to 0. The mean divides it by N.
    """
    n = scores.shape[0]
    p = np.exp(scores - scores.max(axis=1, keepdims=True))  # stable: the row max subtracted
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(n), target] -= 1  # minus the one-hot
    return p / n


def _forward(scores, target):
    return F.cross_entropy(scores, target)


def _cases() -> list:
    rng = np.random.default_rng(8)
    return [
        Case(
            {"scores": np.array([[1.2, 2.3, 0.8], [0.5, -0.3, 1.1]]), "target": np.array([1, 2])},
            note="the worked example and one more row",
        ),
        Case({"scores": uniform(rng, (4, 5)), "target": np.array([0, 4, 2, 2])}),
        Case({"scores": uniform(rng, (6, 3), np.float32), "target": np.array([2, 0, 1, 1, 0, 2])}),
        Case(
            {
                "scores": np.array([[1000.0, 0.0, -3.0], [5.0, 1005.0, 1004.0]]),
                "target": np.array([0, 2]),
            },
            note="scores near 1000",
        ),
    ]


def _family(scores, target, p_axis=1, one_hot="subtracted", normaliser="N"):
    """The solution with softmax's axis, the one-hot and the mean's divisor as knobs."""
    n, c = scores.shape
    p = softmax(scores, axis=p_axis)
    rows = np.arange(n)
    if one_hot == "subtracted":
        p[rows, target] -= 1
    elif one_hot == "added":
        p[rows, target] += 1
    return p / {"N": n, "none": 1, "C": c, "N * C": n * c}[normaliser]


KNOBS = (
    reduction_axes(
        "p_axis",
        "softmax's normalisation",
        ((1, ""), (0, "over axis 0, down the columns (p.sum(axis=0))"), (None, "over everything")),
    ),
    Knob(
        "one_hot",
        (
            ("subtracted", ""),
            (
                "kept",
                "the answer is the softmax alone (divided by the mean's count): where did the "
                "derivative of the lone score -s_y go?",
            ),
            ("added", "the lone score's derivative came in with the wrong sign"),
        ),
    ),
    normalisers(
        "normaliser",
        "dscores",
        (
            ("N", ""),
            ("none", "is not divided by anything"),
            ("C", "is divided by C = {scores_cols}, the number of classes"),
            ("N * C", "is divided by N * C = {scores_size}, every element"),
        ),
    ),
)


EXERCISE = Exercise(
    name="cross_entropy_dscores",
    title="the gradient of mean cross-entropy w.r.t. the scores",
    task=TASK,
    solution=cross_entropy_dscores,
    forward=_forward,
    wrt=("scores",),
    cases=_cases,
    family=_family,
    knobs=KNOBS,
)
