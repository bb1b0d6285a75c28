"""The backward of a product whose operands were broadcast."""

import numpy as np

from .grading import Case, Exercise, Knob, Mistake, reduction_axes, uniform

TASK = """\
y = a * b with numpy broadcasting: a of shape (3, 4) times b of shape (4,) multiplies every
row of a by the same b. g is the upstream gradient dL/dy, of y's (broadcast) shape. Return
the tuple (da, db): da of a's shape and dtype, db of b's.

The questions:
    without broadcasting, by how much does y_i move when a_i moves by a little? and b_i?
    with it, b_j is used once per row of a: y_ij = a_ij b_j. How many terms of L does b_j
    reach, and how do their gradients combine?
    in general: along which axes was an input broadcast (axes numpy added in front, axes
    where the input had length 1), and how do you come back to the input's shape?

Arguments: a, b : numpy arrays whose shapes broadcast together; g : y's shape."""


def _sum_to(grad, shape):
    """Sum grad over the axes along which an input of ``shape`` was broadcast."""
    extra = grad.ndim - len(shape)
    grad = grad.sum(axis=tuple(range(extra)))  # axes numpy added in front
    stretched = tuple(i for i, n in enumerate(shape) if n == 1)
    return grad.sum(axis=stretched, keepdims=True)  # axes where the input had length 1


def mul_backward(a, b, g):
    """da = sum of g * b over a's broadcast axes; db = sum of g * a over b's.

    Broadcasting copies b along the rows of a, so each b_j is used by every row: y_ij = a_ij
    b_j. Its gradient sums those uses, dL/db_j = sum_i g_ij a_ij; a_ij is used once, so
    dL/da_ij = g_ij b_j. In general the element-wise rule gives g * b and g * a in y's shape,
    and each is summed back to its own input's shape (the tape does it once, in unbroadcast).
    """
    da = _sum_to(g * b, np.shape(a))
    db = _sum_to(g * a, np.shape(b))
    return da, db


def _forward(a, b):
    return a * b


def _cases() -> list:
    rng = np.random.default_rng(3)
    cases = []
    for a_shape, b_shape, dtype in [
        ((3, 4), (4,), np.float64),
        ((2, 1, 3), (4, 1), np.float32),
        ((2, 3), (2, 3), np.float64),
        ((3,), (), np.float64),
        ((1, 3), (2, 1), np.float64),
    ]:
        a, b = uniform(rng, a_shape, dtype), uniform(rng, b_shape, dtype)
        g = uniform(rng, np.broadcast_shapes(a_shape, b_shape), dtype)
        cases.append(Case({"a": a, "b": b, "g": g}))
    return cases


def _outputs_swapped(a, b, g):
    da, db = mul_backward(a, b, g)
    return db, da


def _reduced(grad, shape, reduce):
    """grad brought back to ``shape`` by the reduction ``reduce`` (the right one, or not)."""
    if reduce == "broadcast axes":
        return _sum_to(grad, shape)
    if reduce == "all":
        return grad.sum()
    extra = grad.ndim - len(shape)  # "front": the axes numpy added in front only
    return grad.sum(axis=tuple(range(extra)))


def _family(a, b, g, factor="other", reduce="broadcast axes"):
    """The solution with the factor each gradient uses and its reduction as knobs."""
    a_factor, b_factor = (b, a) if factor == "other" else (a, b)
    return (
        _reduced(g * a_factor, np.shape(a), reduce),
        _reduced(g * b_factor, np.shape(b), reduce),
    )


KNOBS = (
    Knob(
        "factor",
        (
            ("other", ""),
            (
                "own",
                "each factor's gradient used its own value: nudge a alone, by how much "
                "does a * b move?",
            ),
        ),
    ),
    reduction_axes(
        "reduce",
        "the sum that undoes the broadcast",
        (
            ("broadcast axes", ""),
            (
                "front",
                "over the axes numpy added in front only, not over the axes where the "
                "input had length 1",
            ),
            ("all", "over every axis"),
        ),
        "which positions of y used each element of the input?",
    ),
)


EXERCISE = Exercise(
    name="mul_backward",
    title="the backward of mul, with broadcasting",
    task=TASK,
    solution=mul_backward,
    forward=_forward,
    wrt=("a", "b"),
    cases=_cases,
    mistakes=(Mistake("(db, da) returned in place of (da, db)", _outputs_swapped),),
    family=_family,
    knobs=KNOBS,
)
