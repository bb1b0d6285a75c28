"""Exercise 10: the spiral MLP's whole backward by hand, matched against the tape."""

import numpy as np

from .. import functional as F
from .grading import Case, Exercise, Mistake, uniform

TASK = """\
The two-layer network of the spiral demo, on a batch x of shape (N, D) with integer labels
target (N,):
    h = relu(x @ w1 + b1)          (N, H)   hidden layer; relu(u) = max(u, 0)
    scores = h @ w2 + b2           (N, C)
    L = mean cross-entropy of scores against target
Return the tuple (dw1, db1, dw2, db2) of the parameters' shapes and dtype. L is the final
loss (no upstream gradient).

The math you need (each step is an earlier exercise):
    dscores = (softmax(scores) - one_hot(target)) / N             (exercise 8)
    y = a @ b:  da = g @ b^T,  db = a^T @ g                       (exercise 6)
    a bias added to every row: its gradient is the sum over the rows   (exercise 3)
    relu passes g where its input was > 0 and 0 elsewhere

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


def _mean_forgotten(x, target, w1, b1, w2, b2):
    return tuple(grad * x.shape[0] for grad in mlp_backward(x, target, w1, b1, w2, b2))


def _dscores(scores, target):
    n = scores.shape[0]
    p = np.exp(scores - scores.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(n), target] -= 1
    return p / n


def _relu_mask_forgotten(x, target, w1, b1, w2, b2):
    h = np.maximum(x @ w1 + b1, 0)
    dscores = _dscores(h @ w2 + b2, target)
    du = dscores @ w2.T  # no (u > 0) mask
    return x.T @ du, du.sum(axis=0), h.T @ dscores, dscores.sum(axis=0)


def _one_hot_kept(x, target, w1, b1, w2, b2):
    u = x @ w1 + b1
    h = np.maximum(u, 0)
    scores = h @ w2 + b2
    p = np.exp(scores - scores.max(axis=1, keepdims=True))
    dscores = p / p.sum(axis=1, keepdims=True) / x.shape[0]
    du = dscores @ w2.T * (u > 0)
    return x.T @ du, du.sum(axis=0), h.T @ dscores, dscores.sum(axis=0)


EXERCISE = Exercise(
    name="mlp_backward",
    title="the spiral MLP's whole backward (W2, ReLU, W1)",
    task=TASK,
    solution=mlp_backward,
    forward=_forward,
    wrt=("w1", "b1", "w2", "b2"),
    cases=_cases,
    mistakes=(
        Mistake(
            "the 1/N of the mean was forgotten: L averages {x_rows} samples, so "
            "dscores = (p - one_hot) / N with N = {x_rows}",
            _mean_forgotten,
        ),
        Mistake(
            "the gradient went through relu unmasked: relu passes g only where its "
            "input x @ w1 + b1 was > 0 (du = dh * (u > 0))",
            _relu_mask_forgotten,
        ),
        Mistake(
            "the one-hot was not subtracted: dscores = (p - one_hot(target)) / N", _one_hot_kept
        ),
    ),
)
