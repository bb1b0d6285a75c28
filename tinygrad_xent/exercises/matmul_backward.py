"""The backward of a matrix product, where the shapes check every transpose."""

import numpy as np

from .grading import Case, Exercise, Mistake, product, transposes, uniform

TASK = """\
y = a @ b with a of shape (n, k) and b of shape (k, m), so y is (n, m). g is the upstream
gradient dL/dy, of shape (n, m). Return the tuple (da, db): da of a's shape, db of b's.

The questions:
    write one element, y_ij = sum_p a_ip b_pj: which elements of y does a_ip enter, and
    with what factor? sum g over those uses
    the sum you get runs over one index: which matrix product is it, once you write the
    shape under each factor?

Arguments: a (n, k), b (k, m), g (n, m): 2-D numpy arrays of one dtype. One case is square,
where a wrong transpose still has the right shape."""


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


def _outputs_swapped(a, b, g):
    return a.T @ g, g @ b.T


def _family(a, b, g, da="g @ b.T", db="a.T @ g"):
    """The solution with da and db spelled as any product of the two arrays they use."""
    return product(da, g=g, b=b), product(db, a=a, g=g)


WRONG_DA = ("g @ b", "g.T @ b", "g.T @ b.T", "b @ g", "b @ g.T", "b.T @ g", "b.T @ g.T")
WRONG_DB = ("a @ g", "a.T @ g.T", "a @ g.T", "g @ a", "g.T @ a", "g @ a.T", "g.T @ a.T")


EXERCISE = Exercise(
    name="matmul_backward",
    title="the backward of matmul",
    task=TASK,
    solution=matmul_backward,
    forward=_forward,
    wrt=("a", "b"),
    cases=_cases,
    mistakes=(Mistake("(db, da) returned in place of (da, db)", _outputs_swapped),),
    family=_family,
    knobs=(
        transposes("da", "da", "g @ b.T", WRONG_DA, "a's shape (n, k)"),
        transposes("db", "db", "a.T @ g", WRONG_DB, "b's shape (k, m)"),
    ),
)
