"""Exercise 11: NT-Xent's gradient with respect to one embedding."""

import numpy as np

from .. import functional as F
from .grading import Case, Exercise, Mistake, uniform

TASK = """\
NT-Xent (SimCLR's loss) for N pairs of views z_a, z_b of shape (N, d). Stack them,
z = [z_a; z_b] of shape (M, d) with M = 2N; row i's positive is its other view
p(i) = (i + N) mod M.
    u_i = z_i / ||z_i||                          (each row scaled to length 1)
    s_ik = u_i . u_k / temperature               (similarity logits, k != i)
    loss_i = -log( exp(s_i,p(i)) / sum_{k != i} exp(s_ik) )
    L = mean of loss_i over the M rows
Return dL/dz_i, the gradient with respect to row i of z alone: shape (d,), z's dtype. L is
the final loss (no upstream gradient).

The math you need:
    row i is a classification of p(i) among the other rows: with P_ik = softmax over
    k != i of s_ik (P_ii = 0), dL/ds_ik = (P_ik - [k == p(i)]) / M
    u_i appears in row i of s and in column i of every other row: s_ki = s_ik
    ds_ik/du_i = u_k / temperature
    through the normalization: dL/dz_i = (du_i - u_i (u_i . du_i)) / ||z_i||

Arguments: z_a, z_b (N, d), temperature > 0, i an integer in [0, 2N)."""


def nt_xent_grad(z_a, z_b, temperature, i):
    """dL/dz_i = (I - u_i u_i^T) dL/du_i / ||z_i||, with dL/du_i = (1/tau) sum_k (G_ik + G_ki) u_k.

    G = dL/ds: for each anchor row, softmax over the other rows minus the one-hot of its
    positive, divided by M = 2N for the mean (the diagonal has P_ii = 0 and gets nothing).
    s = u u^T / tau uses u_i twice, as a row and as a column, hence G + G^T. The
    normalization u = z / ||z|| removes the part of du_i along u_i (scaling z_i does not
    change u_i) and divides by the length: du/dz = (I - u u^T) / ||z||.
    """
    z = np.concatenate([z_a, z_b])  # (M, d)
    m, n = len(z), len(z_a)
    norm = np.sqrt((z * z).sum(axis=1, keepdims=True))  # (M, 1)
    u = z / norm
    s = u @ u.T / temperature  # (M, M)
    np.fill_diagonal(s, -np.inf)  # k = i is left out of every row's softmax
    p = np.exp(s - s.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(m), (np.arange(m) + n) % m] -= 1  # minus the one-hot of each positive
    ds = p / m  # (M, M): G = dL/ds
    du = (ds + ds.T) @ u / temperature  # (M, d)
    dz = (du - u * (u * du).sum(axis=1, keepdims=True)) / norm
    return dz[i]


def _forward(z_a, z_b, temperature, i):
    return F.nt_xent(z_a, z_b, temperature)


def _pick(args, dz_a, dz_b):
    return np.concatenate([dz_a, dz_b])[args["i"]]  # row i of dL/dz


def _cases() -> list:
    rng = np.random.default_rng(11)
    cases = []
    for n, d, tau, i, dtype in [
        (2, 3, 0.5, 0, np.float64),
        (3, 4, 0.1, 4, np.float64),
        (2, 2, 0.5, 3, np.float32),
        (4, 3, 1.0, 2, np.float64),
    ]:
        cases.append(
            Case(
                {
                    "z_a": uniform(rng, (n, d), dtype),
                    "z_b": uniform(rng, (n, d), dtype),
                    "temperature": tau,
                    "i": i,
                }
            )
        )
    return cases


def _mean_forgotten(z_a, z_b, temperature, i):
    return nt_xent_grad(z_a, z_b, temperature, i) * 2 * len(z_a)


def _normalization_forgotten(z_a, z_b, temperature, i):
    z = np.concatenate([z_a, z_b])
    u = z / np.sqrt((z * z).sum(axis=1, keepdims=True))
    return _du(u, len(z_a), temperature, both=True)[i]


def _column_forgotten(z_a, z_b, temperature, i):
    z = np.concatenate([z_a, z_b])
    norm = np.sqrt((z * z).sum(axis=1, keepdims=True))
    u = z / norm
    du = _du(u, len(z_a), temperature, both=False)
    return ((du - u * (u * du).sum(axis=1, keepdims=True)) / norm)[i]


def _du(u, n, temperature, both):
    """dL/du, from the rows of G only (both=False) or from G + G^T."""
    m = len(u)
    s = u @ u.T / temperature
    np.fill_diagonal(s, -np.inf)
    p = np.exp(s - s.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(m), (np.arange(m) + n) % m] -= 1
    ds = p / m
    return ((ds + ds.T) if both else ds) @ u / temperature


EXERCISE = Exercise(
    name="nt_xent_grad",
    title="NT-Xent's gradient with respect to one embedding",
    task=TASK,
    solution=nt_xent_grad,
    forward=_forward,
    wrt=("z_a", "z_b"),
    cases=_cases,
    pick=_pick,
    returns=("dz_i",),
    mistakes=(
        Mistake(
            "the 1/M of the mean was forgotten: L averages the M = 2N rows' losses", _mean_forgotten
        ),
        Mistake(
            "the normalization u = z / ||z|| was skipped: this is dL/du_i; "
            "dL/dz_i = (du_i - u_i (u_i . du_i)) / ||z_i||",
            _normalization_forgotten,
        ),
        Mistake(
            "only row i of s was counted: u_i is also in column i of every other "
            "row (s is symmetric), so dL/du = (G + G^T) u / temperature",
            _column_forgotten,
        ),
    ),
)
