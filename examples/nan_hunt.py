"""Hunting a nan: a naive log(softmax(z)) training run blows up; detect_anomaly finds why.

    python examples/nan_hunt.py

The run trains a linear classifier on three well separated clusters in float32 with a large
learning rate. After one big step it is very confident: the softmax of a wrong class
underflows to exactly 0.0 (float32 cannot hold exp(-104)); log(0) is -inf, and the one-hot
mask multiplies it by 0: 0 * -inf = nan, and from there the weights are nan. Three acts:

1. the naive run, which just reports a nan loss;
2. the same run inside tx.detect_anomaly(), which stops at the very op that made the first
   -inf and says how to fix it;
3. the fix, F.log_softmax (log-sum-exp: log p = z - logsumexp(z), never log of a rounded 0),
   which trains to the end.
"""

import warnings

import numpy as np

import tinygrad_xent as tx
import tinygrad_xent.functional as F
from tinygrad_xent import Tensor

STEPS = 60
LR = 0.5


def clusters(seed: int = 0) -> tuple:
    """Three far-apart 2-D clusters, 30 points each, in float32."""
    rng = np.random.default_rng(seed)
    centres = np.array([[20.0, 0.0], [-10.0, 17.0], [-10.0, -17.0]])
    labels = np.repeat(np.arange(3), 30)
    x = centres[labels] + rng.normal(size=(90, 2))
    return x.astype(np.float32), labels


def naive_loss(logits: Tensor, one_hot: np.ndarray) -> Tensor:
    """-mean sum one_hot * log(softmax(z)): right on paper, fragile in floating point."""
    return -(F.softmax(logits).log() * one_hot).sum(axis=1).mean()


def stable_loss(logits: Tensor, one_hot: np.ndarray) -> Tensor:
    return -(F.log_softmax(logits) * one_hot).sum(axis=1).mean()


def train(loss_fn, x: np.ndarray, labels: np.ndarray) -> tuple:
    """Full-batch gradient descent; returns (last step run, last loss)."""
    w = Tensor(np.zeros((2, 3), np.float32), requires_grad=True)
    one_hot = np.eye(3, dtype=np.float32)[labels]
    for step in range(STEPS):
        loss = loss_fn(x @ w, one_hot)
        if not np.isfinite(loss.item()):
            return step, loss.item()
        loss.backward()
        with tx.no_grad():
            w.data -= LR * w.grad
        w.zero_grad()
    return step, loss.item()


def main() -> None:
    x, labels = clusters()
    print("1. naive log(softmax(z)), float32")
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        step, loss = train(naive_loss, x, labels)
        print(f"   step {step}: the loss is {loss}; the run is ruined, but where did it start?")
        print("\n2. the same run inside tx.detect_anomaly()")
        try:
            with tx.detect_anomaly():
                train(naive_loss, x, labels)
        except tx.AnomalyError as err:
            print("   " + str(err).replace("\n", "\n   "))
    print("\n3. the fix: F.log_softmax")
    step, loss = train(stable_loss, x, labels)
    print(f"   trained {step + 1} steps: loss {loss + 0.0:.4f}, finite: {np.isfinite(loss)}")


if __name__ == "__main__":
    main()
