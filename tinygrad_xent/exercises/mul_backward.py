"""Exercise 3: the backward of a product whose operands were broadcast."""

import numpy as np

from .grading import Case, Exercise, Mistake, uniform

TASK = """\
y = a * b with numpy broadcasting: a of shape (3, 4) times b of shape (4,) multiplies every
row of a by the same b. g is the upstream gradient dL/dy, of y's (broadcast) shape. Return
the tuple (da, db): da of a's shape and dtype, db of b's.

The math you need:
    dy/da = b and dy/db = a, element by element     (the product rule, one factor at a time)
    a broadcast input was used once per position along each broadcast axis, and a value used
    several times gets the sum of the gradients of its uses: sum over those axes to come
    back to the input's shape (axes numpy added in front, and axes where the input had
    length 1, keeping them with keepdims=True).

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


def _factor_swapped(a, b, g):
    return _sum_to(g * a, np.shape(a)), _sum_to(g * b, np.shape(b))


def _outputs_swapped(a, b, g):
    da, db = mul_backward(a, b, g)
    return db, da


EXERCISE = Exercise(
    name="mul_backward",
    title="the backward of mul, with broadcasting",
    task=TASK,
    solution=mul_backward,
    forward=_forward,
    wrt=("a", "b"),
    cases=_cases,
    mistakes=(
        Mistake(
            "a used where b was meant: dy/da = b, the other factor, so da = g * b", _factor_swapped
        ),
        Mistake("(db, da) returned in place of (da, db)", _outputs_swapped),
    ),
)
