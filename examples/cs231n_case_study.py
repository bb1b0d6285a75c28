"""CS231n's "minimal neural network case study", end to end, with the gradients from the tape.

    python examples/cs231n_case_study.py [OUT_FOLDER]   (writes case_study_regions.png, default .)

The notes' spiral (N = 100 points per class, K = 3 arms, D = 2, angle noise 0.2), a softmax
linear classifier (200 steps) and a net with 100 hidden ReLUs (10,000 steps), step size 1,
reg 1e-3, loss = mean cross-entropy + 0.5 reg sum W^2. The notes write every gradient by hand;
here backward() computes them. The notes' random generator is unseeded, so their numbers and
ours (seeded: numpy's default_rng(0)) are close, not equal. About 5 s.
https://cs231n.github.io/neural-networks-case-study/
"""

import math
import os
import sys

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from tinygrad_xent.textbook import case_study

# What the notes print: the loss every 10 (linear) or 1,000 (net) steps, then the accuracy.
LINEAR = [0.917265, 0.851503, 0.822336, 0.807586, 0.799448, 0.794681, 0.791764, 0.789920]
LINEAR += [0.788726, 0.787938, 0.787409, 0.787049, 0.786803, 0.786633, 0.786514, 0.786431]
LINEAR += [0.786373, 0.786331, 0.786302]
NET = [0.294946, 0.259301, 0.248310, 0.246170, 0.245649, 0.245491, 0.245400, 0.245335]
NET += [0.245292]
NOTES = {
    "linear": {0: 1.096956, **dict(zip(range(10, 200, 10), LINEAR)), "accuracy": 0.49},
    "net": {0: 1.098744, **dict(zip(range(1000, 10_000, 1000), NET)), "accuracy": 0.98},
}
COLORS = ["#3b6fb6", "#d9534f", "#f0ad4e"]  # one per arm


def report(model: str) -> None:
    """Print a run's losses and accuracy beside the notes'."""
    run = case_study(model)
    every = 10 if model == "linear" else 1000
    print(f"{model}: {len(run.losses)} steps            ours    CS231n")
    for step in range(0, len(run.losses), every):
        theirs = NOTES[model].get(step)
        shown = f"{theirs:.6f}" if theirs is not None else ""
        print(f"  step {step:>5}: loss  {run.losses[step]:.6f}  {shown}".rstrip())
    print(
        f"  training accuracy      {run.accuracy:.2f}      {NOTES[model]['accuracy']:.2f}"
        f"  (log 3 = {math.log(3):.4f})"
    )


def draw_regions(path: str) -> str:
    """Both models' decision regions, side by side, the points on top."""
    fig = Figure(figsize=(9, 4.4))
    FigureCanvasAgg(fig)
    cmap = ListedColormap(COLORS)
    for i, model in enumerate(("linear", "net")):
        run = case_study(model)
        grid = np.linspace(-1.1, 1.1, 300)
        gx, gy = np.meshgrid(grid, grid)
        points = np.stack([gx.ravel(), gy.ravel()], axis=1)  # (300 * 300, 2)
        predicted = run.scores(points).argmax(axis=1).reshape(gx.shape)
        ax = fig.add_subplot(1, 2, i + 1)
        ax.contourf(gx, gy, predicted, levels=[-0.5, 0.5, 1.5, 2.5], cmap=cmap, alpha=0.35)
        ax.scatter(run.x[:, 0], run.x[:, 1], c=run.y, cmap=cmap, s=12, edgecolors="k", lw=0.3)
        name = "linear softmax classifier" if model == "linear" else "2-layer net, 100 ReLUs"
        ax.set_title(f"{name}: {run.accuracy:.0%} right", fontsize=10)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("CS231n's spiral: three convex wedges cannot hold the arms; the net bends")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    return path


def main(out_folder: str = ".") -> None:
    report("linear")
    report("net")
    print("wrote " + draw_regions(os.path.join(out_folder, "case_study_regions.png")))


if __name__ == "__main__":
    main(*sys.argv[1:2])
