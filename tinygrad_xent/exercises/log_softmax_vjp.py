"""log_softmax's vector-Jacobian product, the backward that cross-entropy rests on."""

import numpy as np

from .. import functional as F
from .grading import Case, Exercise, Knob, reduction_axes, softmax, uniform

TASK = """\
y = log_softmax(x) along the last axis: y_i = x_i - log sum_k exp(x_k), in every row. g is
the upstream gradient dL/dy, of y's shape. Return dx = dL/dx, of x's shape and dtype.

The questions:
    what is dy_i/dx_j, for j = i and for j != i? (the second term depends on every x_j of
    the row; its derivative is a quantity you met in the softmax exercise)
    dL/dx_j = sum_i g_i dy_i/dx_j: simplify until no C x C matrix is left. Which sum
    remains, along which axis, and what multiplies it?
    compare with softmax's VJP: what is alike, and what is not?

Arguments: x, g : numpy arrays of the same shape (..., C), float32 or float64."""


def log_softmax_vjp(x, g):
    """dx = g - softmax(x) * sum(g), the sum along the last axis.

    y_i = x_i - logsumexp(x), and d logsumexp(x)/dx_j = exp(x_j) / sum_k exp(x_k) = p_j. So
    dy_i/dx_j = delta_ij - p_j, and dL/dx_j = sum_i g_i (delta_ij - p_j) = g_j - p_j sum_i g_i.
    Unlike softmax's VJP the sum is of g alone: every y_i shares the same -logsumexp term.
    With g = -one_hot(y) / N (the gradient of mean -log p_y) this is (p - one_hot) / N.
    """
    shifted = x - x.max(axis=-1, keepdims=True)  # the same softmax, and exp cannot overflow
    p = np.exp(shifted)
    p /= p.sum(axis=-1, keepdims=True)
    return g - p * g.sum(axis=-1, keepdims=True)


def _forward(x):
    return F.log_softmax(x, axis=-1)


def _cases() -> list:
    rng = np.random.default_rng(12)
    return [
        Case({"x": np.array([1.2, 2.3, 0.8]), "g": uniform(rng, (3,))}),
        Case({"x": uniform(rng, (4, 5)), "g": uniform(rng, (4, 5))}),
        Case({"x": uniform(rng, (2, 3, 4), np.float32), "g": uniform(rng, (2, 3, 4), np.float32)}),
        Case(
            {"x": np.array([[1000.0, 1001.0, 999.0], [-5.0, 0.0, 5.0]]), "g": uniform(rng, (2, 3))},
            note="logits near 1000",
        ),
    ]


def _family(x, g, p_axis=-1, sum_axis=-1, form="g - p * sum(g)"):
    """The solution with the axes of its two reductions and its form as knobs."""
    p = softmax(x, axis=p_axis)
    total = g.sum(axis=sum_axis, keepdims=True)
    forms = {
        "g - p * sum(g)": lambda: g - p * total,
        "g": lambda: g,
        "g - p": lambda: g - p,
        "g * (1 - p)": lambda: g * (1 - p),
        "softmax's": lambda: p * (g - (g * p).sum(axis=sum_axis, keepdims=True)),
    }
    return forms[form]()


KNOBS = (
    reduction_axes(
        "p_axis",
        "the softmax inside log_softmax",
        ((-1, ""), (0, "over the first axis (down the columns)"), (None, "over the whole array")),
    ),
    reduction_axes(
        "sum_axis",
        "the sum in dx",
        ((-1, ""), (0, "over the first axis (down the columns)"), (None, "over the whole array")),
    ),
    Knob(
        "form",
        (
            ("g - p * sum(g)", ""),
            (
                "softmax's",
                "this is softmax's VJP; the output here is log p: its Jacobian is a different one",
            ),
            (
                "g",
                "dx is g passed straight through: the log-sum-exp term of every y_i depends "
                "on every x_j too",
            ),
            (
                "g - p",
                "the log-sum-exp term's share was not weighted by g: every y_i of the row "
                "carries that term, and each passes back its own g_i",
            ),
            (
                "g * (1 - p)",
                "only the diagonal of the Jacobian (j = i) was used: y_i also depends on "
                "every other x_j through the log-sum-exp",
            ),
        ),
    ),
)


EXERCISE = Exercise(
    name="log_softmax_vjp",
    title="log_softmax's vector-Jacobian product",
    task=TASK,
    solution=log_softmax_vjp,
    forward=_forward,
    wrt=("x",),
    cases=_cases,
    family=_family,
    knobs=KNOBS,
)
