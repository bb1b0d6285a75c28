"""Exercise 8: cross-entropy's gradient with respect to the scores, (p - one_hot) / N."""

import numpy as np

from .. import functional as F
from .grading import Case, Exercise, Mistake, uniform

TASK = """\
L = mean over the N rows of -log softmax(scores)[n, target[n]]: the cross-entropy of the
scores (logits) of shape (N, C) with integer class labels target of shape (N,). Return
dscores = dL/dscores, of the scores' shape and dtype. L is the final loss: there is no
upstream gradient to multiply by (it is 1).

The math you need:
    -log p_y = logsumexp(s) - s_y,  and d logsumexp(s)/ds_j = softmax(s)_j = p_j
    so d(-log p_y)/ds_j = p_j - [j == y]       (p minus the one-hot of y)
    the mean over N rows divides each row's gradient by N
    compute softmax stably (subtract each row's max first)

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
            {"scores": np.array([[1.2, 2.3, 0.8]]), "target": np.array([1])},
            note="the worked example",
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


def _probs(scores):
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _mean_forgotten(scores, target):
    return cross_entropy_dscores(scores, target) * scores.shape[0]


def _one_hot_kept(scores, target):
    return _probs(scores) / scores.shape[0]


EXERCISE = Exercise(
    name="cross_entropy_dscores",
    title="cross-entropy's dscores = (p - one_hot) / N",
    task=TASK,
    solution=cross_entropy_dscores,
    forward=_forward,
    wrt=("scores",),
    cases=_cases,
    mistakes=(
        Mistake(
            "the 1/N of the mean was forgotten: L averages {scores_rows} rows, so "
            "every row's gradient is divided by N = {scores_rows}",
            _mean_forgotten,
        ),
        Mistake(
            "the one-hot was not subtracted: d(-log p_y)/ds = p - one_hot(y), and "
            "you returned p (divided by N)",
            _one_hot_kept,
        ),
    ),
)
