"""The command line: ``tinygrad-xent <command> ...`` (also ``python -m tinygrad_xent``).

Each command is two functions side by side: ``add_<command>(commands)`` declares its flags on
the sub-parser and points ``run`` at ``run_<command>(args) -> int``. :data:`COMMANDS` lists
every ``add_`` function; adding a command is writing the pair and appending to that list.

A mistake by the user (a bad flag, a learning rate of 0, a folder that cannot be written) is
one line on stderr, ``tinygrad-xent: error: ...``, and exit status 2, never a traceback:
commands raise :class:`UsageError` and :func:`main` prints it.
"""

from __future__ import annotations

import argparse
import sys
from typing import Callable, Sequence

PROG = "tinygrad-xent"

# Per data set: the settings under which the default model reaches the documented result.
# A flag given on the command line overrides the value here.
TRAIN_DEFAULTS = {
    "spiral": {"model": "mlp", "hidden": 100, "steps": 2000, "lr": 1.0, "weight_decay": 1e-3,
               "optimizer": "sgd", "momentum": 0.0, "batch_size": 0},
    "blobs": {"model": "mlp", "hidden": 100, "steps": 500, "lr": 0.5, "weight_decay": 1e-3,
              "optimizer": "sgd", "momentum": 0.0, "batch_size": 0},
    "xor": {"model": "mlp", "hidden": 100, "steps": 1000, "lr": 1.0, "weight_decay": 1e-3,
            "optimizer": "sgd", "momentum": 0.0, "batch_size": 0},
    "digits": {"model": "mlp", "hidden": 64, "steps": 1500, "lr": 0.1, "weight_decay": 1e-4,
               "optimizer": "sgd", "momentum": 0.9, "batch_size": 64},
}


class UsageError(Exception):
    """A mistake in how the command was called; printed as one line, exit status 2."""


class RunError(Exception):
    """A run that started but could not finish (the loss became nan); exit status 1."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad flag is one line on stderr instead of the usage and a message."""

    def error(self, message: str):
        raise UsageError(f"{message} (see '{self.prog} --help')")


# ---- train ----------------------------------------------------------------------------------
def add_train(commands) -> None:
    """Declare ``tinygrad-xent train``."""
    p = commands.add_parser(
        "train", help="train a classifier on a toy or real data set and plot the result",
        description="Train a classifier and watch the loss fall from log(C), the loss of a "
                    "model that guesses uniformly among C classes. Flags left out take the "
                    "data set's defaults: `tinygrad-xent train` alone is the spiral demo.")
    p.add_argument("--data", default="spiral", choices=sorted(TRAIN_DEFAULTS),
                   help="data set (default: spiral)")
    p.add_argument("--model", choices=["linear", "mlp"], help="linear model or MLP")
    p.add_argument("--hidden", type=int, help="hidden units of the MLP")
    p.add_argument("--steps", type=int, help="number of optimizer steps")
    p.add_argument("--lr", type=float, help="learning rate")
    p.add_argument("--momentum", type=float, help="SGD momentum")
    p.add_argument("--weight-decay", type=float, help="L2 weight decay added to the gradient")
    p.add_argument("--optimizer", choices=["sgd", "adam"], help="optimizer")
    p.add_argument("--batch-size", type=int, help="mini-batch size; 0 means full batch")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--out", help="folder for the plots (default: runs/<data>)")
    p.add_argument("--no-plots", action="store_true", help="skip writing plots")
    p.set_defaults(run=run_train)


def run_train(args: argparse.Namespace) -> int:
    """Run ``tinygrad-xent train``: print progress, a summary, and where the plots went."""
    # Imported here so that `--help` and the other commands start without loading matplotlib.
    from .train import train_command
    return train_command(args, TRAIN_DEFAULTS[args.data])


# Every command's add_ function, in the order `--help` lists them.
COMMANDS: list[Callable] = [add_train]


def build_parser() -> argparse.ArgumentParser:
    """The parser for every command in :data:`COMMANDS`."""
    parser = _Parser(prog=PROG, description="tinygrad_xent: backprop you can read, "
                                            "on numpy.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in COMMANDS:
        add(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` (default ``sys.argv[1:]``), run the command, return the exit status.

    Returns
    -------
    0 on success, 1 if a run failed on the way (nan loss), 2 for a usage error.
    """
    try:
        args = build_parser().parse_args(argv)
        if args.command is None:
            raise UsageError(f"a command is needed, e.g. '{PROG} train' (see '{PROG} --help')")
        return args.run(args)
    except UsageError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 2
    except RunError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 1
