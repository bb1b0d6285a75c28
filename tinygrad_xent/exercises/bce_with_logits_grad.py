"""Weighted binary cross-entropy with logits: its gradient, derived from the sigmoid's."""

import numpy as np

from .. import functional as F
from .grading import Case, Exercise, Knob, normalisers, uniform

TASK = """\
L = mean over all elements of w * -[y log s + (1 - y) log(1 - s)], with s = sigmoid(x) =
1 / (1 + exp(-x)): binary cross-entropy of the logits x against the labels y (0 or 1, or
soft labels in [0, 1]), each element weighted by w >= 0. x, y and w have one shape; the mean
divides by the number of elements (as PyTorch's weight= does, not by the sum of w). Return
dlogits = dL/dx, of x's shape and dtype. L is the final loss (no upstream gradient).

The questions:
    what is d sigmoid(x)/dx, written with s alone?
    with that and the chain rule, what are d log s/dx and d log(1 - s)/dx?
    put them together for one element: what is left once it simplifies? (much cancels)
    where do the weight and the mean come in?
    for x = -40, exp(-x) overflows in float32: how can s be computed without it?

Arguments: logits, target, weight : numpy arrays of the same shape, float32 or float64."""


def bce_with_logits_grad(logits, target, weight):
    """dlogits = w (sigmoid(x) - y) / N, N the number of elements.

    d sigmoid(x)/dx = s (1 - s), so d log s/dx = (1 - s) and d log(1 - s)/dx = -s. For one
    element, d/dx -[y log s + (1 - y) log(1 - s)] = -[y (1 - s) - (1 - y) s] = s - y: the
    sigmoid's own derivative s (1 - s) has cancelled against the 1/s and 1/(1 - s) of the
    logs, which is why BCE is computed from the logits. The weight scales each element's
    term, and the mean divides by the number of elements. sigmoid is written from
    exp(-|x|) so that no exp overflows.
    """
    e = np.exp(-np.abs(logits))  # never overflows
    s = np.where(logits >= 0, 1 / (1 + e), e / (1 + e))
    return (weight * (s - target) / logits.size).astype(logits.dtype)


def _forward(logits, target, weight):
    return F.binary_cross_entropy_with_logits(logits, target, weight=weight)


def _cases() -> list:
    rng = np.random.default_rng(9)
    return [
        Case(
            {
                "logits": np.array([2.0, -1.0, 0.5, -3.0]),
                "target": np.array([1.0, 0.0, 0.0, 1.0]),
                "weight": np.ones(4),
            },
            note="no weights",
        ),
        Case(
            {
                "logits": uniform(rng, (3, 2), np.float32, -4, 4),
                "target": np.array([[1, 0], [0, 0], [1, 1]], dtype=np.float32),
                "weight": uniform(rng, (3, 2), np.float32, 0.2, 2),
            },
            note="3 samples with 2 labels each",
        ),
        Case(
            {
                "logits": uniform(rng, (5,), np.float64, -4, 4),
                "target": uniform(rng, (5,), np.float64, 0, 1),
                "weight": uniform(rng, (5,), np.float64, 0.2, 2),
            },
            note="soft labels",
        ),
        Case(
            {
                "logits": np.array([[30.0, -30.0], [-40.0, 45.0]]),
                "target": np.array([[0.0, 1.0], [1.0, 1.0]]),
                "weight": np.array([[1.0, 0.5], [2.0, 1.0]]),
            },
            note="large logits",
        ),
    ]


def _family(logits, target, weight, normaliser="size", label="subtracted", extra="none", w="once"):
    """The solution with the mean's divisor, the label, an extra factor and the weight as
    knobs."""
    s = 1 / (1 + np.exp(-logits))
    grad = s - target if label == "subtracted" else s
    if extra == "s (1 - s)":
        grad = grad * s * (1 - s)
    grad = grad * {"once": weight, "ignored": 1.0, "squared": weight * weight}[w]
    divisor = {
        "size": logits.size,
        "rows": logits.shape[0] if logits.ndim else 1,
        "none": 1,
        "weights": weight.sum(),
    }[normaliser]
    return grad / divisor


KNOBS = (
    normalisers(
        "normaliser",
        "dlogits",
        (
            ("size", ""),
            ("rows", "is divided by the number of rows, {logits_rows}"),
            ("none", "is not divided by anything"),
            ("weights", "is divided by the sum of the weights"),
        ),
    ),
    Knob(
        "label",
        (("subtracted", ""), ("kept", "the label's term went missing: what does y multiply?")),
    ),
    Knob(
        "extra",
        (
            ("none", ""),
            (
                "s (1 - s)",
                "an extra factor s (1 - s), sigmoid's derivative: in dL/dx it has already "
                "cancelled against the 1/s and 1/(1 - s) of the logs",
            ),
        ),
    ),
    Knob(
        "w",
        (
            ("once", ""),
            ("ignored", "the weight is missing: each element's term is multiplied by its w"),
            ("squared", "the weight came in twice"),
        ),
    ),
)


EXERCISE = Exercise(
    name="bce_with_logits_grad",
    title="the gradient of weighted BCE w.r.t. the logits, from the sigmoid",
    task=TASK,
    solution=bce_with_logits_grad,
    forward=_forward,
    wrt=("logits",),
    cases=_cases,
    returns=("dlogits",),
    family=_family,
    knobs=KNOBS,
)
