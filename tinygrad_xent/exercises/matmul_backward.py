"""Exercise 6: the backward of a matrix product."""

import numpy as np

from .grading import Case, Exercise, Mistake, uniform

TASK = """\
y = a @ b with a of shape (n, k) and b of shape (k, m), so y is (n, m). g is the upstream
gradient dL/dy, of shape (n, m). Return the tuple (da, db): da of a's shape, db of b's.

The math you need:
    y_ij = sum_k a_ik b_kj, so dy_ij/da_ik = b_kj and dy_ij/db_kj = a_ik
    a_ik is used in every y_ij of row i, b_kj in every y_ij of column j: sum their uses
    the shapes decide the rest: da (n, k) = g (n, m) @ (something of shape (m, k))

Arguments: a (n, k), b (k, m), g (n, m): 2-D numpy arrays of one dtype."""


def matmul_backward(a, b, g):
    """da = g @ b^T,  db = a^T @ g.

    dL/da_ik = sum_j g_ij dy_ij/da_ik = sum_j g_ij b_kj = (g b^T)_ik: a_ik meets every b_kj
    of row k of b, once per column j. Likewise dL/db_kj = sum_i g_ij a_ik = (a^T g)_kj. The
    shapes check it: (n, m) @ (m, k) is a's (n, k), (k, n) @ (n, m) is b's (k, m).
    """
    return g @ b.T, a.T @ g


def _forward(a, b):
    return a @ b


def _cases() -> list:
    rng = np.random.default_rng(6)
    cases = []
    for n, k, m, dtype in [
        (3, 3, 3, np.float64),
        (2, 3, 4, np.float64),
        (1, 5, 2, np.float32),
        (4, 2, 4, np.float64),
    ]:
        cases.append(
            Case(
                {
                    "a": uniform(rng, (n, k), dtype),
                    "b": uniform(rng, (k, m), dtype),
                    "g": uniform(rng, (n, m), dtype),
                }
            )
        )
    return cases


def _no_transposes(a, b, g):
    return g @ b, a @ g


def _outputs_swapped(a, b, g):
    return a.T @ g, g @ b.T


EXERCISE = Exercise(
    name="matmul_backward",
    title="the backward of matmul",
    task=TASK,
    solution=matmul_backward,
    forward=_forward,
    wrt=("a", "b"),
    cases=_cases,
    mistakes=(
        Mistake(
            "a transpose is missing: da = g @ b^T and db = a^T @ g (the shapes "
            "only fit with the transposes unless the matrices are square)",
            _no_transposes,
        ),
        Mistake("(db, da) returned in place of (da, db)", _outputs_swapped),
    ),
)
