"""NT-Xent's gradient with respect to one embedding."""

import numpy as np

from .. import functional as F
from .grading import Case, Exercise, Knob, normalisers, uniform

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

The questions:
    row i's loss is a cross-entropy over the other rows, with p(i) as the class: what is
    dL/ds_ik (an earlier exercise), with the mean counted in?
    s is symmetric: in which entries of s does u_i appear, and what is ds_ik/du_i?
    u_i = z_i / ||z_i||: what does scaling z_i do to u_i, and so what does the
    normalisation do to a gradient on its way from u_i to z_i?

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


def _family(z_a, z_b, temperature, i, normaliser="M", column="both", normalised="through"):
    """The solution with the mean's divisor, the column term and the normalisation as
    knobs."""
    z = np.concatenate([z_a, z_b])
    m, n = len(z), len(z_a)
    norm = np.sqrt((z * z).sum(axis=1, keepdims=True))
    u = z / norm
    s = u @ u.T / temperature
    np.fill_diagonal(s, -np.inf)
    p = np.exp(s - s.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(m), (np.arange(m) + n) % m] -= 1
    ds = p / {"M": m, "N": n, "none": 1}[normaliser]
    du = ((ds + ds.T) if column == "both" else ds) @ u / temperature
    if normalised == "skipped":
        return du[i]
    return ((du - u * (u * du).sum(axis=1, keepdims=True)) / norm)[i]


KNOBS = (
    normalisers(
        "normaliser",
        "dL/ds",
        (
            ("M", ""),
            ("N", "is divided by N = {z_a_rows}, the number of pairs"),
            ("none", "is not divided by anything"),
        ),
    ),
    Knob(
        "column",
        (
            ("both", ""),
            (
                "row",
                "only row i of s was counted: u_i is also in column i of every other row (s is "
                "symmetric)",
            ),
        ),
    ),
    Knob(
        "normalised",
        (
            ("through", ""),
            (
                "skipped",
                "this is dL/du_i: the normalisation u = z / ||z|| was not gone through on the "
                "way to z_i",
            ),
        ),
    ),
)


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
    family=_family,
    knobs=KNOBS,
)
