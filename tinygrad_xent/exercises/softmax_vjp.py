"""softmax's vector-Jacobian product, J^T g without forming J."""

import numpy as np

from .. import functional as F
from .grading import Case, Exercise, Knob, reduction_axes, softmax, uniform

TASK = """\
p = softmax(x) along the last axis: p_i = exp(x_i) / sum_k exp(x_k), in every row. g is the
upstream gradient dL/dp, of p's shape. Return dx = dL/dx, of x's shape and dtype.

The questions:
    what is dp_i/dx_j, for j = i and for j != i? (the quotient rule; p_i depends on every
    x_j of its row through the shared denominator)
    dL/dx_j = sum_i g_i dp_i/dx_j: put your dp_i/dx_j in and simplify, so that no C x C
    matrix is ever formed. Which sums remain, and along which axis does each run?
    exp(1000) overflows: what can you subtract from x without changing softmax(x)?

Arguments: x, g : numpy arrays of the same shape (..., C), float32 or float64."""


def softmax_vjp(x, g):
    """dx = p * (g - sum(g * p)), the sum along the last axis.

    With J_ij = dp_i/dx_j = p_i (delta_ij - p_j):
    dL/dx_j = sum_i g_i p_i (delta_ij - p_j) = p_j g_j - p_j sum_i g_i p_i
            = p_j (g_j - <g, p>).
    Forming J costs C^2 numbers per row; this costs C. J is symmetric, so J^T g = J g, and
    g plus a constant c gives the same dx (softmax ignores a shift, so its rows of J sum
    to 0).
    """
    shifted = x - x.max(axis=-1, keepdims=True)  # same softmax, and exp cannot overflow
    p = np.exp(shifted)
    p /= p.sum(axis=-1, keepdims=True)
    return p * (g - (g * p).sum(axis=-1, keepdims=True))


def _forward(x):
    return F.softmax(x, axis=-1)


def _cases() -> list:
    rng = np.random.default_rng(7)
    return [
        Case({"x": np.array([1.2, 2.3, 0.8]), "g": uniform(rng, (3,))}),
        Case({"x": uniform(rng, (4, 5)), "g": uniform(rng, (4, 5))}),
        Case({"x": uniform(rng, (2, 3, 4), np.float32), "g": uniform(rng, (2, 3, 4), np.float32)}),
        Case(
            {"x": np.array([[1000.0, 1001.0, 999.0], [-5.0, 0.0, 5.0]]), "g": uniform(rng, (2, 3))},
            note="logits near 1000",
        ),
    ]


def _family(x, g, p_axis=-1, sum_axis=-1, summed="g * p"):
    """The solution, with the axes of its two reductions and what its sum adds up as knobs."""
    p = softmax(x, axis=p_axis)
    if summed == "nothing":
        return p * g  # the diagonal of the Jacobian only
    terms = {"g * p": g * p, "p": p, "g": g}[summed]
    return p * (g - terms.sum(axis=sum_axis, keepdims=True))


KNOBS = (
    reduction_axes(
        "p_axis",
        "softmax's normalisation",
        ((-1, ""), (0, "over the first axis (down the columns)"), (None, "over the whole array")),
    ),
    reduction_axes(
        "sum_axis",
        "the sum in dx",
        ((-1, ""), (0, "over the first axis (down the columns)"), (None, "over the whole array")),
    ),
    Knob(
        "summed",
        (
            ("g * p", ""),
            ("p", "the sum in dx adds up p alone; what does sum_i g_i dp_i/dx_j leave summed?"),
            ("g", "the sum in dx adds up g alone; what does sum_i g_i dp_i/dx_j leave summed?"),
            (
                "nothing",
                "only the diagonal of the Jacobian was used (j = i): each p_i also depends "
                "on every other x_j of its row, through the denominator",
            ),
        ),
    ),
)


EXERCISE = Exercise(
    name="softmax_vjp",
    title="softmax's vector-Jacobian product",
    task=TASK,
    solution=softmax_vjp,
    forward=_forward,
    wrt=("x",),
    cases=_cases,
    family=_family,
    knobs=KNOBS,
)
