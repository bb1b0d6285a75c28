"""The cross-entropy gradient three ways: by hand, by the tape, by finite differences.

    python examples/backprop_by_hand.py

For logits z and correct class t, loss = -log softmax(z)_t = logsumexp(z) - z_t, and

    d loss / d z_j = softmax(z)_j - [j == t]          (softmax minus one-hot)

The tape must reproduce that formula, and nudging each logit must too. Finite differences
use the fourth-order central stencil (-f(z+2h) + 8f(z+h) - 8f(z-h) + f(z-2h)) / 12h: its error
shrinks like h^4, so all three agree to about 1e-12.
"""

import numpy as np

import tinygrad_xent as tx
import tinygrad_xent.functional as F
from tinygrad_xent import Tensor

LOGITS = np.array([1.2, 2.3, 0.8])
TARGET = 1


def by_hand(z: np.ndarray, t: int) -> np.ndarray:
    """softmax(z) - one_hot(t), written out in numpy."""
    e = np.exp(z - z.max())  # subtracting the max changes nothing and keeps exp finite
    return e / e.sum() - np.eye(len(z))[t]


def by_tape(z: np.ndarray, t: int) -> np.ndarray:
    logits = Tensor(z, requires_grad=True)
    F.cross_entropy(logits, t).backward()
    return logits.grad


def by_finite_differences(z: np.ndarray, t: int, h: float = 1e-3) -> np.ndarray:
    def loss(values):
        with tx.no_grad():
            return F.cross_entropy(Tensor(values), t).item()

    grad = np.zeros_like(z)
    for j in range(len(z)):
        step = np.eye(len(z))[j] * h
        grad[j] = (
            -loss(z + 2 * step) + 8 * loss(z + step) - 8 * loss(z - step) + loss(z - 2 * step)
        ) / (12 * h)
    return grad


def main() -> None:
    hand = by_hand(LOGITS, TARGET)
    tape = by_tape(LOGITS, TARGET)
    numeric = by_finite_differences(LOGITS, TARGET)
    np.set_printoptions(precision=6, suppress=True)
    print(f"logits {LOGITS}, correct class {TARGET}")
    print(f"by hand (softmax - one_hot): {hand}")
    print(f"by the tape (backward):      {tape}")
    print(f"by finite differences:       {numeric}")
    worst = max(np.abs(hand - tape).max(), np.abs(hand - numeric).max())
    print(f"largest disagreement: {worst:.1e}")
    if worst > 1e-10:
        raise SystemExit(f"the three gradients disagree by {worst:.1e} > 1e-10")


if __name__ == "__main__":
    main()
