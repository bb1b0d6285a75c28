"""The backward of max, and what happens at a tie."""

import numpy as np

from .grading import Case, Exercise, Mistake, uniform

TASK = """\
y = x.max(axis=axis) (no keepdims). g is the upstream gradient dL/dy, of y's shape. Return
dx = dL/dx, of x's shape and dtype.

The questions:
    nudge the largest element along the axis by a little: how much does y move? nudge any
    other element by a little: how much then?
    at a tie (two or more elements equal to the max) max has a kink and no derivative; a
    convention is needed. The one graded here is the tape's: the tied maxima share g
    equally, so that the gradients along the axis still add up to g.
    g lacks the reduced axis: how do you line it up with x?

Arguments: x : a numpy array; g : y's shape; axis : None or an int (maybe negative)."""


def max_backward(x, g, axis):
    """dx = g at the maximum, 0 elsewhere; tied maxima share g equally.

    Away from ties, y = x_k for the winning index k, so dy/dx is 1 at k and 0 elsewhere.
    At a tie any split of g among the winners whose shares add up to g is a valid
    subgradient; splitting equally is symmetric and is what the tape does. With
    keepdims=True the reduced axes stay as length 1 and line x, y and g up for broadcasting.
    """
    y = x.max(axis=axis, keepdims=True)
    winners = x == y  # True at every maximum, ties included
    count = winners.sum(axis=axis, keepdims=True)
    g = g.reshape(y.shape)  # the reduced axes back, with length 1
    return (winners * (g / count)).astype(x.dtype)


def _forward(x, axis):
    return x.max(axis=axis)


def _cases() -> list:
    rng = np.random.default_rng(5)
    tied = np.array([[3.0, 1.0, 3.0, 0.5], [2.0, 2.0, 2.0, -1.0], [0.0, 4.0, 1.0, 2.0]])
    cases = [
        Case({"x": uniform(rng, (3, 4)), "g": uniform(rng, (3,)), "axis": -1}),
        Case(
            {"x": tied, "g": uniform(rng, (3,)), "axis": 1},
            note="ties in rows 0 and 1",
            smooth=False,
        ),
        Case(
            {"x": tied.T.copy(), "g": uniform(rng, (3,)), "axis": 0},
            note="ties in columns 0 and 1",
            smooth=False,
        ),
        Case(
            {"x": tied.astype(np.float32), "g": uniform(rng, (), np.float32), "axis": None},
            note="a tie for the overall max",
            smooth=False,
        ),
        Case(
            {
                "x": uniform(rng, (2, 3, 2), np.float32),
                "g": uniform(rng, (2, 2), np.float32),
                "axis": 1,
            }
        ),
    ]
    return cases


def _full_g_to_each_tie(x, g, axis):
    y = x.max(axis=axis, keepdims=True)
    return (x == y) * g.reshape(y.shape)


def _first_of_the_ties(x, g, axis):
    y = x.max(axis=axis, keepdims=True)
    winners = x == y
    first = (
        np.cumsum(winners, axis=axis) if axis is not None else np.cumsum(winners).reshape(x.shape)
    )
    return (winners & (first == 1)) * g.reshape(y.shape)


EXERCISE = Exercise(
    name="max_backward",
    title="the backward of max, with ties",
    task=TASK,
    solution=max_backward,
    forward=_forward,
    wrt=("x",),
    cases=_cases,
    mistakes=(
        Mistake(
            "every tied maximum received the whole of g, so the tie as a whole got "
            "(number of ties) * g; the tape shares g equally: g / (number of ties) "
            "each",
            _full_g_to_each_tie,
        ),
        Mistake(
            "only the first of the tied maxima received g (np.argmax picks one). "
            "That is a valid subgradient too, but the convention graded here is "
            "the tape's: the ties share g equally",
            _first_of_the_ties,
        ),
    ),
)
