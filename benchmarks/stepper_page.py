"""How long the stepping page of a 1,000-node graph takes to write, and how big it is.

    python benchmarks/stepper_page.py [--repeat N]

The graph is a chain of 1,000 elementwise ops on 5 numbers (mul and add, 500 times each) with a
sum at the end, backpropagated with retain_graph=True so that every node keeps what flowed
through it. ``tx.draw`` caps what it draws to the 40 ops nearest the loss, and so does the page;
the time is the whole of ``tx.draw(loss, "graph.html")``: the tape, the layout, the record, the
page and the file. Prints the median of the runs; asserts nothing (tests/test_stepper.py
checks the page itself).
"""

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

import tinygrad_xent as tx
from tinygrad_xent import Tensor


def chain(length: int = 500) -> Tensor:
    """A loss at the end of ``2 * length + 1`` nodes, backpropagated, every node kept."""
    x = Tensor(np.linspace(0.1, 1.0, 5), requires_grad=True)
    y = x
    for _ in range(length):
        y = y * 0.999 + 0.001
    loss = y.sum()
    loss.backward(retain_graph=True)
    return loss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs to take the median of")
    args = parser.parse_args()
    loss = chain()
    path = Path(tempfile.mkdtemp()) / "graph.html"
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        tx.draw(loss, path)
        times.append(time.perf_counter() - start)
    print(
        f"{len(tx.tape(loss))} nodes: page written in {np.median(times) * 1000:.0f} ms "
        f"(median of {args.repeat}), {path.stat().st_size / 1000:.0f} kB"
    )


if __name__ == "__main__":
    main()
