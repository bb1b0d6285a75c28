"""The backward of exp, the simplest rule there is."""

import numpy as np

from .grading import Case, Exercise, Knob, uniform

TASK = """\
y = exp(x), element by element. g is the gradient of the final loss L with respect to y
(the upstream gradient, y's shape). Return dx = dL/dx, of x's shape and dtype.

The questions:
    what is d exp(x)/dx? can you write it with y, which the forward pass computed anyway?
    y_i depends on x_i only: what does the chain rule dL/dx_i = sum_j dL/dy_j dy_j/dx_i
    keep?

Arguments: x, g : numpy arrays of the same shape (0-d included), float32 or float64."""


def exp_backward(x, g):
    """dx = g * exp(x).

    Each y_i = exp(x_i) depends on x_i alone, so the Jacobian dy/dx is diagonal with
    exp(x_i) on the diagonal, and the chain rule dL/dx_i = g_i * dy_i/dx_i is an element-wise
    product. The tape saves y = exp(x) in the forward pass and reuses it: no second exp.
    """
    return g * np.exp(x)


def _forward(x):
    return x.exp()


def _cases() -> list:
    rng = np.random.default_rng(1)
    cases = []
    for shape, dtype in [
        ((4,), np.float64),
        ((2, 3), np.float32),
        ((), np.float64),
        ((3, 1, 2), np.float64),
    ]:
        cases.append(Case({"x": uniform(rng, shape, dtype), "g": uniform(rng, shape, dtype)}))
    return cases


def _family(x, g, local="exp(x)", upstream="times g"):
    """The solution with its local derivative and the chain rule's factor g as knobs."""
    derivative = np.exp(x) if local == "exp(x)" else x
    return derivative * g if upstream == "times g" else derivative


KNOBS = (
    Knob(
        "local",
        (
            ("exp(x)", ""),
            ("x", "x used where the derivative needs something else: what is d exp(x)/dx?"),
        ),
    ),
    Knob(
        "upstream",
        (
            ("times g", ""),
            (
                "missing",
                "the upstream gradient g is missing: the chain rule multiplies the local "
                "derivative by g",
            ),
        ),
    ),
)


EXERCISE = Exercise(
    name="exp_backward",
    title="the backward of exp",
    task=TASK,
    solution=exp_backward,
    forward=_forward,
    wrt=("x",),
    cases=_cases,
    family=_family,
    knobs=KNOBS,
)
