"""The backward of log, where the input, not the output, is what backward needs."""

import numpy as np

from .grading import Case, Exercise, Knob, uniform

TASK = """\
y = log(x), element by element, for x > 0. g is the upstream gradient dL/dy (y's shape).
Return dx = dL/dx, of x's shape and dtype.

The questions:
    what is d log(x)/dx? does it need the input x or the output y?
    y_i depends on x_i only: what does the chain rule keep?

Arguments: x (all > 0), g : numpy arrays of the same shape, float32 or float64."""


def log_backward(x, g):
    """dx = g / x.

    y_i = log(x_i) depends on x_i alone and d log(x)/dx = 1/x, so dL/dx_i = g_i / x_i. Unlike
    exp, the rule needs the input x, not the output y: the tape saves x for log.
    """
    return g / x


def _forward(x):
    return x.log()


def _cases() -> list:
    rng = np.random.default_rng(2)
    cases = []
    for shape, dtype in [
        ((4,), np.float64),
        ((2, 3), np.float32),
        ((), np.float64),
        ((2, 2, 3), np.float64),
    ]:
        cases.append(
            Case({"x": uniform(rng, shape, dtype, 0.2, 3.0), "g": uniform(rng, shape, dtype)})
        )
    return cases


def _family(x, g, local="1/x", upstream="times g"):
    """The solution with its local derivative and the chain rule's factor g as knobs."""
    derivative = {"1/x": 1 / x, "1/log(x)": 1 / np.log(x), "x": x}[local]
    return derivative * g if upstream == "times g" else derivative


KNOBS = (
    Knob(
        "local",
        (
            ("1/x", ""),
            (
                "1/log(x)",
                "y = log(x) used where x was meant: the derivative of log needs the input, "
                "not the output",
            ),
            ("x", "multiplied by x where it should divide: what is d log(x)/dx?"),
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
    name="log_backward",
    title="the backward of log",
    task=TASK,
    solution=log_backward,
    forward=_forward,
    wrt=("x",),
    cases=_cases,
    family=_family,
    knobs=KNOBS,
)
