"""Hinge against cross-entropy, as the correct class's score rises.

    python examples/hinge_vs_ce.py [OUT_FOLDER]      (writes hinge_vs_ce.png, default: .)

Three classes; the two wrong ones score 0 and the correct one scores s. The multi-class hinge
loss (1/C) sum_j max(0, 1 - s + s_j) is exactly 0 once s >= 1: the margin is met and its
gradient stops pushing. Cross-entropy log(1 + 2 exp(-s)) keeps falling and its gradient
softmax_s - 1 never reaches 0: it always asks for a larger score.
"""

import os
import sys

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import tinygrad_xent.functional as F
from tinygrad_xent import Tensor

SCORES = np.linspace(-3.0, 5.0, 161)


def loss_and_slope(loss_fn, s: float) -> tuple:
    """The loss at correct-class score s, and d loss / d s from the tape."""
    scores = Tensor(np.array([[s, 0.0, 0.0]]), requires_grad=True)
    loss = loss_fn(scores, np.array([0]))
    loss.backward()
    return loss.item(), scores.grad[0, 0]


def main(out_folder: str = ".") -> None:
    hinge = np.array([loss_and_slope(F.multi_margin_loss, s) for s in SCORES])
    ce = np.array([loss_and_slope(F.cross_entropy, s) for s in SCORES])
    for s in (0.0, 2.0, 4.0):
        h, c = loss_and_slope(F.multi_margin_loss, s), loss_and_slope(F.cross_entropy, s)
        print(
            f"s = {s:.1f}: hinge {h[0]:.4f} (slope {h[1]:+.4f}),  "
            f"cross-entropy {c[0]:.4f} (slope {c[1]:+.4f})"
        )
    fig = Figure(figsize=(9, 3.8))
    FigureCanvasAgg(fig)
    left, right = fig.subplots(1, 2)
    for values, label in ((hinge, "hinge (multi_margin_loss)"), (ce, "cross-entropy")):
        left.plot(SCORES, values[:, 0], label=label)
        right.plot(SCORES, values[:, 1], label=label)
    for ax in (left, right):
        ax.axvline(1.0, color="gray", linestyle=":")
        ax.set_xlabel("correct-class score s (the other two score 0)")
        ax.legend()
    left.set_title("loss")
    right.set_title("d loss / d s: the push on the correct score")
    right.axhline(0.0, color="black", linewidth=0.6)
    fig.tight_layout()
    path = os.path.join(out_folder, "hinge_vs_ce.png")
    fig.savefig(path, dpi=110)
    print(f"wrote {path}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
