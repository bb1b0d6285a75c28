"""The spiral MLP's whole backward by hand, matched against the tape."""

import numpy as np

from .. import functional as F
from .grading import (
    Case,
    Exercise,
    Knob,
    normalisers,
    product,
    reduction_axes,
    softmax,
    transposes,
    uniform,
)

TASK = """\
The two-layer network of the spiral demo, on a batch x of shape (N, D) with integer labels
target (N,):
    u = x @ w1 + b1                (N, H)   pre-activation
    h = relu(u)                    (N, H)   relu(u) = max(u, 0)
    scores = h @ w2 + b2           (N, C)
    L = mean cross-entropy of scores against target
Return the tuple (dw1, db1, dw2, db2) of the parameters' shapes and dtype. L is the final
loss (no upstream gradient).

The questions (each step is an earlier exercise):
    what is dL/dscores? (cross_entropy_dscores)
    scores = h @ w2 + b2: what do w2, b2 and h receive? (matmul_backward; a bias is
    broadcast over the rows, as in mul_backward)
    through relu: where does the gradient pass and where does it stop?
    then the first layer, as the second.
Write the shape of every intermediate gradient beside it: each must match its value's.

Arguments: x (N, D), target (N,) integers in [0, C), w1 (D, H), b1 (H,), w2 (H, C), b2 (C,);
floats of one dtype."""


def mlp_backward(x, target, w1, b1, w2, b2):
    """The chain rule from the loss back to the first layer, one step per line of forward.

    dscores = (p - one_hot) / N is cross-entropy's gradient. scores = h @ w2 + b2 gives
    dw2 = h^T dscores, db2 = the sum of dscores over the batch (b2 is used by every row) and
    dh = dscores w2^T. relu's derivative is 1 where its input was positive and 0 elsewhere,
    so du = dh * (u > 0) with u = x @ w1 + b1 the pre-activation. Then, as for layer 2,
    dw1 = x^T du and db1 = the sum of du over the batch.
    """
    n = x.shape[0]
    u = x @ w1 + b1  # (N, H) pre-activation
    h = np.maximum(u, 0)  # (N, H)
    scores = h @ w2 + b2  # (N, C)
    p = np.exp(scores - scores.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(n), target] -= 1
    dscores = p / n  # (N, C)
    dw2 = h.T @ dscores  # (H, C)
    db2 = dscores.sum(axis=0)  # (C,)
    dh = dscores @ w2.T  # (N, H)
    du = dh * (u > 0)  # relu lets the gradient through where it let the value through
    dw1 = x.T @ du  # (D, H)
    db1 = du.sum(axis=0)  # (H,)
    return dw1, db1, dw2, db2


def _forward(x, target, w1, b1, w2, b2):
    h = F.relu(x @ w1 + b1)  # (N, H)
    return F.cross_entropy(h @ w2 + b2, target)


def _cases() -> list:
    rng = np.random.default_rng(10)
    cases = []
    for n, d, hidden, c, dtype in [
        (6, 2, 5, 3, np.float64),
        (8, 2, 4, 3, np.float32),
        (1, 3, 4, 2, np.float64),
        (5, 4, 6, 4, np.float64),
    ]:
        cases.append(
            Case(
                {
                    "x": uniform(rng, (n, d), dtype),
                    "target": rng.integers(0, c, size=n),
                    "w1": uniform(rng, (d, hidden), dtype, -1, 1),
                    "b1": uniform(rng, (hidden,), dtype, -0.5, 0.5),
                    "w2": uniform(rng, (hidden, c), dtype, -1, 1),
                    "b2": uniform(rng, (c,), dtype, -0.5, 0.5),
                }
            )
        )
    return cases


def _family(
    x,
    target,
    w1,
    b1,
    w2,
    b2,
    normaliser="N",
    one_hot="subtracted",
    relu="mask",
    dw="h.T @ d",
    bias="rows",
):
    """The solution with the mean's divisor, the one-hot, relu's mask, the weights' product
    and the biases' reduction as knobs."""
    n = x.shape[0]
    u = x @ w1 + b1
    h = np.maximum(u, 0)
    scores = h @ w2 + b2
    p = softmax(scores, axis=1)
    if one_hot == "subtracted":
        p[np.arange(n), target] -= 1
    dscores = p / {"N": n, "none": 1, "C": scores.shape[1]}[normaliser]
    du = dscores @ w2.T * ((u > 0) if relu == "mask" else 1)
    reduce = {
        "rows": lambda d: d.sum(axis=0),
        "all": lambda d: d.sum(),
        "mean": lambda d: d.mean(axis=0),
    }[bias]
    return (
        product(dw.replace("h", "x").replace("d", "du"), x=x, du=du),
        reduce(du),
        product(dw.replace("d", "dscores"), h=h, dscores=dscores),
        reduce(dscores),
    )


KNOBS = (
    normalisers(
        "normaliser",
        "dscores",
        (
            ("N", ""),
            ("none", "is not divided by anything"),
            ("C", "is divided by C, the number of classes"),
        ),
    ),
    Knob(
        "one_hot",
        (
            ("subtracted", ""),
            ("kept", "dscores is the softmax alone: where did the derivative of -s_y go?"),
        ),
    ),
    Knob(
        "relu",
        (
            ("mask", ""),
            (
                "none",
                "the gradient went through relu everywhere: where does relu pass a change "
                "in its input on, and where not?",
            ),
        ),
    ),
    transposes(
        "dw",
        "a weight's gradient",
        "h.T @ d",
        ("d.T @ h",),
        "the weight's shape (inputs, outputs)",
    ),
    reduction_axes(
        "bias",
        "a bias's gradient",
        (("rows", ""), ("all", "over every element"), ("mean", "as a mean over the rows")),
        "the bias is added to every row: how do the rows' shares combine?",
    ),
)


EXERCISE = Exercise(
    name="mlp_backward",
    title="the spiral MLP's whole backward (W2, ReLU, W1)",
    task=TASK,
    solution=mlp_backward,
    forward=_forward,
    wrt=("w1", "b1", "w2", "b2"),
    cases=_cases,
    family=_family,
    knobs=KNOBS,
)
