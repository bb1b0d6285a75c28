"""Cross-entropy's gradient the long way: dL/dp first, then back through softmax's Jacobian."""

import numpy as np

from .. import functional as F
from ..tensor import Tensor
from .grading import Case, Exercise, Knob, normalisers, reduction_axes, softmax, uniform

TASK = """\
The same loss as the exercise before, by the route backward() takes when softmax and the
log are separate ops: p = softmax(scores) along each row (N, C), then
    L = mean over the N rows of -log p[n, target[n]].
Return the tuple (dp, dscores):
    dp       dL/dp, of shape (N, C): the gradient arriving at softmax's output
    dscores  dL/dscores, of shape (N, C), computed FROM YOUR dp through softmax's Jacobian
             J (C x C per row, J_ij = dp_i/ds_j): row by row, dscores = J^T dp
Both in the scores' dtype.

The questions:
    which entries of p does L depend on at all? what is the derivative of -log of one of
    them, and what does the mean add?
    what is J_ij, for j = i and j != i? is J symmetric?
    J^T dp for one row: can you write it without forming J, with one sum per row? along
    which axis does that sum run?
    when you simplify the composition, which familiar answer comes out?

Arguments: scores (N, C) float32 or float64; target (N,) integers in [0, C)."""


def cross_entropy_jacobian(scores, target):
    """dp = -one_hot(y) / (N p_y);  dscores = J^T dp with J = diag(p) - p p^T per row.

    L = -(1/N) sum_n log p[n, y_n] depends on one entry of each row, with derivative
    -1 / p[n, y_n] divided by N: dp is zero except at the targets. softmax's Jacobian is
    J_ij = p_i (delta_ij - p_j), symmetric, so J^T dp = p * dp - p (p . dp), one dot product
    per row. At the targets p * dp = -1/N, so p . dp = -1/N and
    dscores = -one_hot / N + p / N = (p - one_hot) / N: the one-line answer, the long way.
    """
    n = scores.shape[0]
    p = np.exp(scores - scores.max(axis=1, keepdims=True))  # stable: the row max subtracted
    p /= p.sum(axis=1, keepdims=True)
    rows = np.arange(n)
    dp = np.zeros_like(p)
    dp[rows, target] = -1 / (n * p[rows, target])  # d(-log p_y)/dp_y, over N for the mean
    dscores = p * dp - p * (p * dp).sum(axis=1, keepdims=True)  # J^T dp, J = diag(p) - p p^T
    return dp, dscores


def _expected(scores, target):
    """(dp, dscores) from the tape: once with p as the leaf, once with the scores."""
    p = Tensor(F.softmax(scores, axis=1).data.copy(), requires_grad=True)
    one_hot = np.zeros(scores.shape, dtype=scores.dtype)
    one_hot[np.arange(len(target)), target] = 1
    loss = (p.log() * one_hot).sum() * (-1.0 / len(target))  # mean of -log p_y
    loss.backward()
    leaf = Tensor(scores, requires_grad=True)
    F.cross_entropy(leaf, target).backward()
    return p.grad, leaf.grad


def _cases() -> list:
    rng = np.random.default_rng(13)
    return [
        Case({"scores": uniform(rng, (4, 5)), "target": np.array([0, 4, 2, 2])}),
        Case({"scores": uniform(rng, (3, 3)), "target": np.array([1, 0, 2])}),
        Case({"scores": uniform(rng, (6, 3), np.float32), "target": np.array([2, 0, 1, 1, 0, 2])}),
        Case({"scores": uniform(rng, (2, 4), low=-1, high=1), "target": np.array([3, 1])}),
    ]


def _family(
    scores,
    target,
    p_axis=1,
    local="-1/p",
    spread="targets",
    normaliser="N",
    part="full",
    sum_axis=1,
):
    """The solution with each choice of both pieces as a knob."""
    n, c = scores.shape
    p = softmax(scores, axis=p_axis)
    rows = np.arange(n)
    derivative = {"-1/p": -1 / p, "-p": -p, "-1": -np.ones_like(p), "-log": -np.log(p)}[local]
    dp = np.zeros_like(p)
    if spread == "targets":
        dp[rows, target] = derivative[rows, target]
    else:
        dp = derivative
    dp = dp / {"N": n, "none": 1, "C": c, "N * C": n * c}[normaliser]
    diagonal = p * dp
    off = -p * (p * dp).sum(axis=sum_axis, keepdims=True)
    dscores = {"full": diagonal + off, "diagonal": diagonal, "outer": off}[part]
    return dp, dscores


KNOBS = (
    reduction_axes(
        "p_axis",
        "softmax's normalisation",
        ((1, ""), (0, "over axis 0, down the columns (p.sum(axis=0))"), (None, "over everything")),
    ),
    Knob(
        "local",
        (
            ("-1/p", ""),
            ("-p", "the derivative of -log p was taken as -p: what is d log(u)/du?"),
            ("-1", "the derivative of -log p was taken as -1: what is d log(u)/du?"),
            ("-log", "dp holds the loss's terms -log p, not their derivatives"),
        ),
    ),
    Knob(
        "spread",
        (
            ("targets", ""),
            ("all", "dp is nonzero in every class: which entries of p does L depend on?"),
        ),
    ),
    normalisers(
        "normaliser",
        "dp",
        (
            ("N", ""),
            ("none", "is not divided by anything"),
            ("C", "is divided by C = {scores_cols}, the number of classes"),
            ("N * C", "is divided by N * C = {scores_size}, every element"),
        ),
    ),
    Knob(
        "part",
        (
            ("full", ""),
            ("outer", "only the -p p^T part of J was used: its diagonal has a second term"),
            ("diagonal", "only the diagonal of J was used (p * dp): J_ij is not 0 for j != i"),
        ),
    ),
    reduction_axes(
        "sum_axis",
        "the sum in J^T dp",
        ((1, ""), (0, "over axis 0, down the columns"), (None, "over the whole array")),
    ),
)


EXERCISE = Exercise(
    name="cross_entropy_jacobian",
    title="cross-entropy by the Jacobian route: dL/dp, then through softmax",
    task=TASK,
    solution=cross_entropy_jacobian,
    wrt=("scores",),
    cases=_cases,
    returns=("dp", "dscores"),
    tape=_expected,
    family=_family,
    knobs=KNOBS,
)
