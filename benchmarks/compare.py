"""Time two copies of the package against each other, in one process, turn and turn about.

    python benchmarks/compare.py BEFORE_DIR                 # BEFORE_DIR against this checkout
    python benchmarks/compare.py BEFORE_DIR AFTER_DIR --workloads W1,W5 --repeat 31

Each directory is a checkout holding ``tinygrad_xent/`` (for example a ``git worktree`` of the
commit before a change). Both copies are imported under their own names, every workload of
``run.py`` is built once for each, and the two are timed alternately (who goes first swaps each
round), so that a noisy neighbour or a change of clock speed hits both. The table gives each
side's median, its ratio to the fused numpy reference (as ``run.py`` prints it), and after /
before: below 1 means the change made it faster.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def load_run(checkout: Path, alias: str):
    """``run.py`` bound to the package in ``checkout``: a module of its own, named ``alias``."""
    saved = {
        name: module
        for name, module in sys.modules.items()
        if name == "tinygrad_xent" or name.startswith("tinygrad_xent.")
    }
    for name in saved:
        del sys.modules[name]
    sys.path.insert(0, str(checkout))
    try:
        spec = importlib.util.spec_from_file_location(alias, HERE / "run.py")
        run = importlib.util.module_from_spec(spec)
        sys.modules[alias] = run  # dataclasses look their module up while it runs
        spec.loader.exec_module(run)
        if not Path(run.tx.__file__).resolve().is_relative_to(checkout.resolve()):
            raise SystemExit(f"compare: {checkout} holds no tinygrad_xent/ package")
    finally:
        sys.path.remove(str(checkout))
        for name in [
            n for n in sys.modules if n == "tinygrad_xent" or n.startswith("tinygrad_xent.")
        ]:
            del sys.modules[name]
        sys.modules.update(saved)
    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path, help="checkout of the commit before the change")
    parser.add_argument(
        "after",
        type=Path,
        nargs="?",
        default=HERE.parent,
        help="checkout of the change (default: this one)",
    )
    parser.add_argument("--workloads", default="W1,W2,W3,W4,W5,W6,W7,W8,W9")
    parser.add_argument("--dtype", choices=["float32", "float64", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: checks it runs")
    args = parser.parse_args(argv)
    before, after = load_run(args.before, "run_before"), load_run(args.after, "run_after")
    dtypes = ["float32", "float64"] if args.dtype == "both" else [args.dtype]
    keys = args.workloads.split(",")
    print(
        f"before: {args.before}\nafter:  {args.after}\n{args.repeat} alternating rounds, medians\n"
    )
    print(
        f"{'workload':<14}{'unit':<7}{'before':>10}{'after':>10}{'before/ref':>12}"
        f"{'after/ref':>11}{'after/before':>14}"
    )
    for workload_b, workload_a in zip(before.WORKLOADS, after.WORKLOADS):
        if workload_b.key not in keys:
            continue
        for dtype in dtypes:
            case_b = workload_b.make(before.DTYPES[dtype], args.quick)
            case_a = workload_a.make(after.DTYPES[dtype], args.quick)
            for case in (case_b, case_a):
                case.ours(), case.reference()  # warm-up
            times = {"b": [], "a": [], "ref": []}
            for round_ in range(args.repeat):
                order = [("b", case_b.ours), ("a", case_a.ours), ("ref", case_a.reference)]
                for side, fn in order if round_ % 2 == 0 else order[::-1]:
                    times[side].append(after._time_once(fn))
            scale = workload_a.scale / case_a.per
            b, a, ref = (float(np.median(times[k])) * scale for k in ("b", "a", "ref"))
            print(
                f"{workload_a.key + ' ' + dtype:<14}{workload_a.unit:<7}{b:>10.4g}{a:>10.4g}"
                f"{b / ref:>11.2f}x{a / ref:>10.2f}x{a / b:>13.3f}x",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
