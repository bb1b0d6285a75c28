"""Make every figure under docs/img/.

    python docs/make_figures.py [OUT_FOLDER]        (default: docs/img next to this script)

The graphs are drawn by tx.draw from the worked examples; the plots come from the example
scripts, so the pictures in the docs are what the code draws today.
"""

import importlib.util
import os
import sys

import tinygrad_xent as tx
from tinygrad_xent import data, nn, optim, play, plot, train
from tinygrad_xent.cli import TRAIN_DEFAULTS
from tinygrad_xent.explain import WORKED_EXAMPLES, worked_example

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(HERE, os.pardir, "examples")


def _example(name: str):
    """Load examples/<name>.py as a module (the examples folder is not a package)."""
    spec = importlib.util.spec_from_file_location(name, os.path.join(EXAMPLES, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(out_folder: str = os.path.join(HERE, "img")) -> None:
    os.makedirs(out_folder, exist_ok=True)
    for name in WORKED_EXAMPLES:
        path = os.path.join(out_folder, f"graph_{name}.png")
        tx.draw(worked_example(name), path)
        print(f"wrote {path}")
    for name in ("temperature", "hinge_vs_ce", "cs231n_case_study"):
        _example(name).main(out_folder)
    for name in ("softmax", "bce", "temperature"):  # what `tinygrad-xent play NAME` opens on
        print("wrote " + play.snapshot(name, os.path.join(out_folder, f"play_{name}.png")))
    spiral_figures(out_folder)


def spiral_figures(out_folder: str) -> None:
    """The spiral demo as `tinygrad-xent train` runs it, with an MLP and with a linear model."""
    x, y = data.spiral(100, 3, noise=0.2, seed=0)
    settings = TRAIN_DEFAULTS["spiral"]
    for label, sizes in (("mlp", [2, settings["hidden"], 3]), ("linear", [2, 3])):
        model = nn.MLP(sizes, rng=0)
        sgd = optim.SGD(
            model.parameters(), lr=settings["lr"], weight_decay=settings["weight_decay"]
        )
        history = train.fit(model, x, y, optimizer=sgd, steps=settings["steps"], log_every=0)
        name = "MLP 2-100-3" if label == "mlp" else "linear model 2-3"
        written = [
            plot.loss_curve(
                history,
                os.path.join(out_folder, f"spiral_{label}_loss.png"),
                title=f"{name} on spiral: the loss falls from log C",
            ),
            plot.decision_regions(
                model,
                x,
                y,
                os.path.join(out_folder, f"spiral_{label}_regions.png"),
                title=f"{name} on spiral: training accuracy {100 * history.final_accuracy:.1f}%",
            ),
        ]
        print("wrote " + ", ".join(written))


if __name__ == "__main__":
    main(*sys.argv[1:2])
