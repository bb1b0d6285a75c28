"""Exercise 7: softmax's vector-Jacobian product, J^T g without forming J."""

import numpy as np

from .. import functional as F
from .grading import Case, Exercise, Mistake, uniform

TASK = """\
p = softmax(x) along the last axis: p_i = exp(x_i) / sum_k exp(x_k), in every row. g is the
upstream gradient dL/dp, of p's shape. Return dx = dL/dx, of x's shape and dtype.

The math you need:
    dp_i/dx_j = p_i (delta_ij - p_j)          (the quotient rule; J = diag(p) - p p^T)
    every p_i depends on every x_j through the shared denominator, so
    dL/dx_j = sum_i g_i dp_i/dx_j             (a full sum over i, not just i = j)
    compute softmax stably: softmax(x) = softmax(x - max(x)), and exp(1000) overflows

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


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _diagonal_only(x, g):
    return _softmax(x) * g


def _wrong_axis(x, g):
    p = _softmax(x, axis=0)
    return p * (g - (g * p).sum(axis=0, keepdims=True))


def _sum_of_g_forgotten(x, g):
    p = _softmax(x)
    return p * (g - p.sum(axis=-1, keepdims=True))


EXERCISE = Exercise(
    name="softmax_vjp",
    title="softmax's vector-Jacobian product",
    task=TASK,
    solution=softmax_vjp,
    forward=_forward,
    wrt=("x",),
    cases=_cases,
    mistakes=(
        Mistake(
            "only the diagonal of the Jacobian was used (dx = p * g): each p_i also "
            "depends on every other x_j through the denominator, which gives the "
            "- p_j <g, p> term",
            _diagonal_only,
        ),
        Mistake(
            "softmax taken over the first axis; it runs along the last axis (each row sums to 1)",
            _wrong_axis,
        ),
        Mistake(
            "the sum is of p alone; it should be of g * p: dx = p * (g - sum(g * p))",
            _sum_of_g_forgotten,
        ),
    ),
)
