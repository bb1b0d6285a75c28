"""Exercise 9: binary cross-entropy with logits, whose gradient is sigmoid(x) - y."""

import numpy as np

from .. import functional as F
from .grading import Case, Exercise, Mistake, uniform

TASK = """\
L = mean over all elements of -[y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))]: binary
cross-entropy of the logits x against the labels y (0 or 1, or soft labels in [0, 1]) of
the same shape. Return dlogits = dL/dx, of x's shape and dtype. L is the final loss (no
upstream gradient).

The math you need:
    sigmoid(x) = 1 / (1 + exp(-x)),  d sigmoid(x)/dx = sigmoid(x) (1 - sigmoid(x))
    d log sigmoid(x)/dx = 1 - sigmoid(x),  d log(1 - sigmoid(x))/dx = -sigmoid(x)
    the mean is over every element: N = x.size, not the number of rows

Arguments: logits, target : numpy arrays of the same shape, float32 or float64."""


def bce_with_logits_grad(logits, target):
    """dlogits = (sigmoid(x) - y) / N, N the number of elements.

    With s = sigmoid(x): d/dx [y log s + (1 - y) log(1 - s)] = y (1 - s) - (1 - y) s
    = y - s, so the loss's derivative is s - y. The sigmoid's own derivative s (1 - s) has
    cancelled against the 1/s and 1/(1 - s) of the logs: that is why BCE is computed from
    the logits. sigmoid is written as exp(-|x|) based so that no exp overflows.
    """
    e = np.exp(-np.abs(logits))  # never overflows
    s = np.where(logits >= 0, 1 / (1 + e), e / (1 + e))
    return ((s - target) / logits.size).astype(logits.dtype)


def _forward(logits, target):
    return F.binary_cross_entropy_with_logits(logits, target)


def _cases() -> list:
    rng = np.random.default_rng(9)
    return [
        Case(
            {"logits": np.array([2.0, -1.0, 0.5, -3.0]), "target": np.array([1.0, 0.0, 0.0, 1.0])}
        ),
        Case(
            {
                "logits": uniform(rng, (3, 2), np.float32, -4, 4),
                "target": np.array([[1, 0], [0, 0], [1, 1]], dtype=np.float32),
            },
            note="3 samples with 2 labels each",
        ),
        Case(
            {
                "logits": uniform(rng, (5,), np.float64, -4, 4),
                "target": uniform(rng, (5,), np.float64, 0, 1),
            },
            note="soft labels",
        ),
        Case(
            {
                "logits": np.array([[30.0, -30.0], [-40.0, 45.0]]),
                "target": np.array([[0.0, 1.0], [1.0, 1.0]]),
            },
            note="large logits",
        ),
    ]


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _mean_forgotten(logits, target):
    return _sigmoid(logits) - target


def _rows_only(logits, target):
    return (_sigmoid(logits) - target) / logits.shape[0]


def _label_kept(logits, target):
    return _sigmoid(logits) / logits.size


def _extra_sigmoid_derivative(logits, target):
    s = _sigmoid(logits)
    return (s - target) * s * (1 - s) / logits.size


EXERCISE = Exercise(
    name="bce_with_logits_grad",
    title="BCE with logits: sigmoid(x) - y",
    task=TASK,
    solution=bce_with_logits_grad,
    forward=_forward,
    wrt=("logits",),
    cases=_cases,
    returns=("dlogits",),
    mistakes=(
        Mistake(
            "the 1/N of the mean was forgotten: L averages {logits_size} elements, "
            "so divide by N = {logits_size}",
            _mean_forgotten,
        ),
        Mistake(
            "divided by the number of rows; the mean runs over every element, N = {logits_size}",
            _rows_only,
        ),
        Mistake("the label was not subtracted: the gradient is sigmoid(x) - y", _label_kept),
        Mistake(
            "multiplied by sigmoid'(x) = s (1 - s): in dL/dx that factor has "
            "already cancelled against the 1/s of the log; the gradient is "
            "(s - y) / N",
            _extra_sigmoid_derivative,
        ),
    ),
)
