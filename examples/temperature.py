"""Softmax at temperatures 0.1 to 10: the lever NT-Xent turns.

    python examples/temperature.py [OUT_FOLDER]      (writes temperature.png, default: .)

softmax(z / T) sharpens towards a one-hot on the largest logit as T -> 0 and flattens towards
uniform as T grows. NT-Xent divides its cosine similarities by tau = T: a small tau makes the
loss care almost only about the hardest negative.
"""

import os
import sys

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import tinygrad_xent.functional as F
from tinygrad_xent import Tensor, no_grad

LOGITS = np.array([1.2, 2.3, 0.8, -0.5, 1.9])
TEMPERATURES = [0.1, 0.3, 1.0, 3.0, 10.0]


def main(out_folder: str = ".") -> None:
    fig = Figure(figsize=(8, 4.2))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    classes = np.arange(len(LOGITS))
    width = 0.8 / len(TEMPERATURES)
    print(f"logits {LOGITS}")
    for i, temperature in enumerate(TEMPERATURES):
        with no_grad():
            p = F.softmax(Tensor(LOGITS / temperature)).data
        shown = np.array2string(p, precision=4, floatmode="fixed", suppress_small=True)
        print(f"T = {temperature:>4}: softmax {shown}, largest {p.max():.4f}")
        ax.bar(
            classes + (i - (len(TEMPERATURES) - 1) / 2) * width,
            p,
            width,
            label=f"T = {temperature}",
        )
    ax.axhline(1 / len(LOGITS), color="gray", linestyle=":", label="uniform")
    ax.set_xticks(classes, [f"class {c}\nz = {z}" for c, z in zip(classes, LOGITS)])
    ax.set_ylabel("softmax(z / T)")
    ax.set_title("Softmax at different temperatures: small T sharpens, large T flattens")
    ax.legend(ncols=3, fontsize=9)
    fig.tight_layout()
    path = os.path.join(out_folder, "temperature.png")
    fig.savefig(path, dpi=110)
    print(f"wrote {path}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
