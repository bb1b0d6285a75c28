"""The backward of sum, which copies the gradient back along the summed axes."""

import numpy as np

from .grading import Case, Exercise, Knob, reduction_axes, uniform

TASK = """\
y = x.sum(axis=axis, keepdims=keepdims). g is the upstream gradient dL/dy, of y's shape.
Return dx = dL/dx, of x's shape and dtype.

The questions:
    y_j = sum_i x_ij: by how much does y_j move when one x_ij moves by a little?
    so which element of g does each x_ij receive?
    g lacks the summed axes when keepdims=False, and numpy lines shapes up from the right:
    where must g's numbers go so that each lands on the elements it belongs to?
    axis=None sums everything (g is 0-d); axis may be negative or a tuple.

Arguments: x : a numpy array; g : y's shape; axis : None, an int (maybe negative) or a tuple
of ints; keepdims : bool."""


def sum_backward(x, g, axis, keepdims):
    """dx = g copied along the summed axes.

    y_j = sum_i x_ij, so dL/dx_ij = g_j dy_j/dx_ij = g_j: each element gets the gradient of
    the sum it went into. Putting the summed axes back as length 1 lines g up with x, and
    broadcasting does the copying; the tape hands on a read-only broadcast view, no copy.
    """
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)  # the summed axes back, with length 1
    return np.broadcast_to(g, x.shape).astype(x.dtype)


def _forward(x, axis, keepdims):
    return x.sum(axis=axis, keepdims=keepdims)


def _cases() -> list:
    rng = np.random.default_rng(4)
    cases = []
    for shape, axis, keepdims, dtype in [
        ((3, 4), None, False, np.float64),
        ((3, 3), 1, False, np.float64),
        ((2, 3, 4), -1, True, np.float64),
        ((2, 3, 4), (0, 2), False, np.float32),
        ((4, 2), 0, False, np.float64),
    ]:
        x = uniform(rng, shape, dtype)
        g = uniform(rng, x.sum(axis=axis, keepdims=keepdims).shape, dtype)
        cases.append(Case({"x": x, "g": g, "axis": axis, "keepdims": keepdims}))
    return cases


def _family(x, g, axis, keepdims, restored="yes", factor="1"):
    """The solution with the summed axes put back or not, and an extra factor, as knobs."""
    if restored == "yes" and axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
    dx = np.broadcast_to(g, x.shape)
    return dx * x if factor == "x" else dx


KNOBS = (
    reduction_axes(
        "restored",
        "g",
        (
            ("yes", ""),
            (
                "no",
                "along the wrong axis: it was broadcast without putting the summed axis back, "
                "and numpy lines shapes up from the right",
            ),
        ),
        "which element of g belongs to each x_ij?",
    ),
    Knob(
        "factor",
        (
            ("1", ""),
            ("x", "multiplied by x: by how much does a sum move when one of its terms moves?"),
        ),
    ),
)


EXERCISE = Exercise(
    name="sum_backward",
    title="the backward of sum over any axes",
    task=TASK,
    solution=sum_backward,
    forward=_forward,
    wrt=("x",),
    cases=_cases,
    family=_family,
    knobs=KNOBS,
)
