"""The command line: ``tinygrad-xent <command> ...`` (also ``python -m tinygrad_xent``).

Each command is two functions side by side: ``add_<command>(commands)`` declares its flags on
the sub-parser and points ``run`` at ``run_<command>(args) -> int``. :data:`COMMANDS` lists
every ``add_`` function; adding a command is writing the pair and appending to that list.

A mistake by the user (a bad flag, a learning rate of 0, a folder that cannot be written) is
one line on stderr, ``tinygrad-xent: error: ...``, and exit status 2, never a traceback:
commands raise :class:`UsageError` and :func:`main` prints it. Every numeric flag is parsed by
:func:`_number`, which checks its type, finiteness and range on the way in. A run that fails
on the way (a nan loss, no memory left, a file it cannot write) is one line and exit status 1.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import tokenize
from collections.abc import Callable, Sequence
from typing import Any

from . import __version__
from .checkpoint import save
from .checks import check_number
from .data import blobs, load_digits, spiral, xor
from .nn import MLP
from .optim import SGD, Adam, Optimizer
from .train import Diverged, evaluate, fit

PROG = "tinygrad-xent"

# Per data set: the settings under which the default model reaches the documented result.
# A flag given on the command line overrides the value here.
TRAIN_DEFAULTS: dict[str, dict[str, Any]] = {
    "spiral": {
        "model": "mlp",
        "hidden": 100,
        "steps": 2000,
        "lr": 1.0,
        "weight_decay": 1e-3,
        "optimizer": "sgd",
        "momentum": 0.0,
        "batch_size": 0,
    },
    "blobs": {
        "model": "mlp",
        "hidden": 100,
        "steps": 500,
        "lr": 0.5,
        "weight_decay": 1e-3,
        "optimizer": "sgd",
        "momentum": 0.0,
        "batch_size": 0,
    },
    "xor": {
        "model": "mlp",
        "hidden": 100,
        "steps": 1000,
        "lr": 1.0,
        "weight_decay": 1e-3,
        "optimizer": "sgd",
        "momentum": 0.0,
        "batch_size": 0,
    },
    "digits": {
        "model": "mlp",
        "hidden": 64,
        "steps": 1500,
        "lr": 0.1,
        "weight_decay": 1e-4,
        "optimizer": "sgd",
        "momentum": 0.9,
        "batch_size": 64,
    },
}


class UsageError(Exception):
    """A mistake in how the command was called; printed as one line, exit status 2."""


class RunError(Exception):
    """A run that started but could not finish (the loss became nan); exit status 1."""


SEED_MAX = 2**32 - 1
HIDDEN_MAX = 100_000  # beyond this a size is a typo; below it memory can still run out
STEPS_MAX = 10_000_000
BATCH_MAX = 1_000_000_000


def _number(
    command: str,
    flag: str,
    low: float | None = None,
    high: float | None = None,
    integer: bool = False,
    **open_bounds,
) -> Callable[[str], float | int]:
    """An argparse ``type`` for a numeric flag: parse the text, then check it as the library
    checks its arguments; a value outside the domain is a UsageError naming the flag."""

    def parse(text: str):
        try:
            value = int(text) if integer else float(text)
        except ValueError:
            kind = "int" if integer else "float"
            raise argparse.ArgumentTypeError(f"invalid {kind} value: {text!r}") from None
        try:
            return check_number(
                command, f"--{flag}", value, low, high, integer=integer, **open_bounds
            )
        except (TypeError, ValueError) as err:
            raise UsageError(f"{err} (see '{PROG} {command} --help')") from None

    return parse


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad flag is one line on stderr instead of the usage and a message."""

    def error(self, message: str):
        raise UsageError(f"{message} (see '{self.prog} --help')")


# ---- train ----------------------------------------------------------------------------------
def add_train(commands) -> None:
    """Declare ``tinygrad-xent train``."""
    p = commands.add_parser(
        "train",
        help="train a classifier on a toy or real data set and plot the result",
        description="Train a classifier and watch the loss fall from log(C), the loss of a "
        "model that guesses uniformly among C classes. Flags left out take the "
        "data set's defaults: `tinygrad-xent train` alone is the spiral demo.",
        epilog=_defaults_table(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--data",
        default="spiral",
        choices=sorted(TRAIN_DEFAULTS),
        help="data set (default: spiral)",
    )
    p.add_argument("--model", choices=["linear", "mlp"], help="linear model or MLP")
    p.add_argument(
        "--hidden",
        type=_number("train", "hidden", 1, HIDDEN_MAX, integer=True),
        help=f"hidden units of the MLP, 1 to {HIDDEN_MAX} (mlp only)",
    )
    p.add_argument(
        "--steps",
        type=_number("train", "steps", 1, STEPS_MAX, integer=True),
        help=f"number of optimizer steps, 1 to {STEPS_MAX}",
    )
    p.add_argument("--lr", type=_number("train", "lr", 0, low_open=True), help="learning rate, > 0")
    p.add_argument(
        "--momentum",
        type=_number("train", "momentum", 0, 1, high_open=True),
        help="SGD momentum, in [0, 1) (sgd only)",
    )
    p.add_argument(
        "--weight-decay",
        type=_number("train", "weight-decay", 0),
        help="L2 weight decay added to the gradient, >= 0",
    )
    p.add_argument("--optimizer", choices=["sgd", "adam"], help="optimizer")
    p.add_argument(
        "--batch-size",
        type=_number("train", "batch-size", 0, BATCH_MAX, integer=True),
        help="mini-batch size, at most the number of training samples; 0 means full batch",
    )
    p.add_argument(
        "--seed",
        type=_number("train", "seed", 0, SEED_MAX, integer=True),
        default=0,
        help=f"random seed, 0 to {SEED_MAX} (default: 0)",
    )
    p.add_argument("--out", help="folder for model.npz and the plots (default: runs/<data>)")
    p.add_argument(
        "--no-plots", action="store_true", help="skip the plots (model.npz is still written)"
    )
    p.add_argument("--no-model", action="store_true", help="skip writing model.npz")
    p.set_defaults(run=run_train)


def _defaults_table() -> str:
    """The per-data-set defaults, one line each, for the end of `train --help`."""
    lines = ["defaults per data set (a flag overrides them):"]
    for data, d in TRAIN_DEFAULTS.items():
        lines.append(
            f"  {data:7s} --model {d['model']} --hidden {d['hidden']} --steps "
            f"{d['steps']} --optimizer {d['optimizer']} --lr {d['lr']:g} --momentum "
            f"{d['momentum']:g} --weight-decay {d['weight_decay']:g} --batch-size "
            f"{d['batch_size']}"
        )
    return "\n".join(lines)


def run_train(args: argparse.Namespace) -> int:
    """Run ``tinygrad-xent train``: print progress and a summary, write model.npz and then the
    plots, say where."""
    settings = _train_settings(args)
    out = args.out if args.out is not None else os.path.join("runs", args.data)
    if out == "":
        raise UsageError(f"train: --out must name a folder, got '' (see '{PROG} train --help')")
    x_train, y_train, x_test, y_test = _train_data(args.data, args.seed)
    if settings["batch_size"] > len(y_train):
        raise UsageError(
            f"train: --batch-size must be in [0, {len(y_train)}] for {args.data} "
            f"({len(y_train)} training samples; 0 is full batch), got "
            f"{settings['batch_size']}"
        )
    if not (args.no_plots and args.no_model):
        _check_writable(out)
        _check_outputs(out, _train_outputs(args, x_train.shape[1]))
    n_classes = int(y_train.max()) + 1
    hidden = [settings["hidden"]] if settings["model"] == "mlp" else []
    sizes = [x_train.shape[1], *hidden, n_classes]
    model = MLP(sizes, rng=args.seed)
    opt = _optimizer(model, settings)
    name = f"{'MLP' if hidden else 'linear model'} {'-'.join(map(str, sizes))}"
    article = "an" if hidden else "a"
    batch = settings["batch_size"] or len(y_train)
    momentum = f", momentum {settings['momentum']:g}" if settings["optimizer"] == "sgd" else ""
    print(
        f"training {article} {name} on {args.data} ({len(y_train)} training samples, "
        f"{n_classes} classes): {settings['optimizer']} lr {settings['lr']:g}{momentum}, "
        f"weight decay {settings['weight_decay']:g}, {settings['steps']} steps of {batch} "
        f"samples, seed {args.seed}"
    )
    history = _fit(model, opt, x_train, y_train, settings, args)
    print(
        f"done in {history.seconds:.1f} s ({history.steps_per_second:.0f} steps/s): "
        f"training loss {history.final_loss:.4f}, training accuracy "
        f"{100 * history.final_accuracy:.1f}%"
    )
    if x_test is not None:
        test_loss, test_accuracy = evaluate(model, x_test, y_test)
        print(
            f"test loss {test_loss:.4f}, test accuracy {100 * test_accuracy:.1f}% on "
            f"{len(y_test)} held-out samples"
        )
    # The model first: it is what the run made, and a failure with the plots must not lose it.
    written: list[str] = []
    try:
        if not args.no_model:
            os.makedirs(out, exist_ok=True)  # again: it may have been removed during the run
            written.append(save(model, os.path.join(out, "model.npz")))
        if not args.no_plots:
            written.extend(_plots(model, history, x_train, y_train, out, name, args.data))
    except OSError as err:
        what = "the plots" if written or args.no_model else "model.npz"
        raise RunError(f"cannot write {what} to {out!r}: {err.strerror or err}") from err
    finally:
        if written:  # what did get written is said, whatever happened after it
            print("wrote " + ", ".join(written))
    return 0


def _optimizer(model: MLP, settings: dict) -> Optimizer:
    """The optimizer the settings name, over the model's parameters."""
    if settings["optimizer"] == "adam":
        return Adam(model.parameters(), lr=settings["lr"], weight_decay=settings["weight_decay"])
    return SGD(
        model.parameters(),
        lr=settings["lr"],
        momentum=settings["momentum"],
        weight_decay=settings["weight_decay"],
    )


def _fit(model: MLP, opt: Optimizer, x_train, y_train, settings: dict, args: argparse.Namespace):
    """``train.fit`` with the run's settings; a divergence becomes one line with a cure."""
    try:
        return fit(
            model,
            x_train,
            y_train,
            optimizer=opt,
            steps=settings["steps"],
            batch_size=settings["batch_size"],
            seed=args.seed,
            log_every=max(settings["steps"] // 10, 1),
        )
    except Diverged as err:
        if err.cause != "overshoot":  # before any update, or a 0/0 in one: not the lr
            raise RunError(str(err)) from err
        # A tenth of a diverging lr often still fails (dead units, no nan): the data set's
        # default is known to train, so it is the suggestion whenever it is smaller.
        default = TRAIN_DEFAULTS[args.data]["lr"]
        hint = (
            f"--lr {default:g} ({args.data}'s default)"
            if settings["lr"] > default
            else f"--lr {settings['lr'] / 10:g}"
        )
        raise RunError(f"{err}, e.g. {hint}") from err


def _plots(model, history, x_train, y_train, out: str, name: str, data: str) -> list[str]:
    """Write loss.png (and regions.png for 2-D data) into ``out``; return their paths."""
    # Imported here: matplotlib takes a moment to load and is needed only for the pictures.
    from . import plot

    os.makedirs(out, exist_ok=True)
    written = [
        plot.loss_curve(
            history,
            os.path.join(out, "loss.png"),
            title=f"{name} on {data}: the loss falls from log C",
        )
    ]
    if x_train.shape[1] == 2:
        written.append(
            plot.decision_regions(
                model,
                x_train,
                y_train,
                os.path.join(out, "regions.png"),
                title=f"{name} on {data}: training accuracy {100 * history.final_accuracy:.1f}%",
            )
        )
    return written


def _train_settings(args: argparse.Namespace) -> dict:
    """The data set's defaults, overridden by the flags given (each checked as it was parsed)."""
    settings = dict(TRAIN_DEFAULTS[args.data])
    for key in settings:
        if getattr(args, key) is not None:
            settings[key] = getattr(args, key)
    # A flag the run would ignore is a mistake to point out, not to drop without a word.
    if settings["optimizer"] == "adam" and args.momentum is not None:
        raise UsageError(
            f"train: --momentum applies to --optimizer sgd only; adam would "
            f"ignore it (its betas play that part) (see '{PROG} train --help')"
        )
    if settings["model"] == "linear" and args.hidden is not None:
        raise UsageError(
            f"train: --hidden applies to --model mlp only; a linear model has no "
            f"hidden layer (see '{PROG} train --help')"
        )
    return settings


def _train_data(name: str, seed: int):
    """(x_train, y_train, x_test, y_test); the toy sets have no test split (None, None)."""
    if name == "digits":
        return load_digits(seed=seed)
    generators: dict[str, Callable[..., tuple]] = {"spiral": spiral, "blobs": blobs, "xor": xor}
    x, y = generators[name](seed=seed)
    return x, y, None, None


def _train_outputs(args: argparse.Namespace, n_features: int) -> list[str]:
    """The files a run writes into --out: model.npz, loss.png, and regions.png for 2-D data."""
    names = [] if args.no_model else ["model.npz"]
    if not args.no_plots:
        names += ["loss.png", "regions.png"] if n_features == 2 else ["loss.png"]
    return names


def _check_writable(folder: str) -> None:
    """Make ``folder`` if needed and make sure a file can be written in it, before training."""
    problem = _output_problem(folder, is_folder=True)
    if problem is None:
        try:
            os.makedirs(folder, exist_ok=True)
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as err:
            problem = err.strerror or str(err)
    if problem is not None:
        raise UsageError(f"train: cannot write to --out {folder!r}: {problem}")


def _check_outputs(folder: str, names: list[str]) -> None:
    """Before training: none of the files the run will write is in the way (a folder called
    model.npz would fail the write only after the whole run)."""
    for name in names:
        path = os.path.join(folder, name)
        if os.path.isdir(path):
            raise UsageError(
                f"train: cannot write to --out {folder!r}: {path!r} is a folder, so {name} "
                f"cannot be written"
            )


def _output_problem(path: str, is_folder: bool = False) -> str | None:
    """Why ``path`` cannot be written (as a file, or made as a folder), or None.

    Checked before any work: the path is not a folder (for a file), the nearest part of it
    that exists is a folder (not a file), and a file's folder exists (a run makes its --out
    folder, so for a folder it is enough that a parent exists).
    """
    if not is_folder and os.path.isdir(path):
        return f"{path!r} is a folder"
    if is_folder and os.path.exists(path) and not os.path.isdir(path):
        return f"{path!r} is a file, not a folder"
    folder = os.path.abspath(path if is_folder else os.path.dirname(os.path.abspath(path)))
    existing = folder
    while not os.path.exists(existing):  # the nearest part of the path that exists
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        return f"{_shown(existing)!r} is a file, not a folder"
    if existing != folder and not is_folder:
        return f"folder {_shown(folder)!r} does not exist"
    return None


def _shown(path: str) -> str:
    """An absolute path as the user likely typed it: relative to the current folder if inside."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # on Windows, a path on another drive has no relative form
        return path
    return path if relative.startswith("..") else relative


# ---- textbook -------------------------------------------------------------------------------
def add_textbook(commands) -> None:
    """Declare ``tinygrad-xent textbook``."""
    p = commands.add_parser(
        "textbook",
        help="recompute the textbook numbers on the tape, beside the book's",
        description="Print every worked number of the sources (five lecture notes, CS231n, "
        "the SimCLR and SupCon papers) beside ours, with each slip flagged. The "
        "same as examples/textbook.py.",
    )
    p.add_argument("--lesson", type=_lesson_number, metavar="N", help="print only lesson N")
    p.add_argument(
        "--source", metavar="NAME", help="print only the lessons of one source (see --list)"
    )
    p.add_argument("--list", action="store_true", help="list the lessons and the sources")
    p.set_defaults(run=run_textbook)


def _lesson_number(text: str) -> int:
    """``--lesson``'s value: a lesson's number, or an error that lists the valid ones."""
    from .textbook import LESSONS

    if not text.strip().isdigit() or not 1 <= int(text) <= len(LESSONS):
        raise argparse.ArgumentTypeError(f"{text!r} is not a lesson; choose 1 to {len(LESSONS)}")
    return int(text)


def run_textbook(args: argparse.Namespace) -> int:
    """Run ``tinygrad-xent textbook``: all lessons, one (``--lesson``) or one source's."""
    from .textbook import list_lessons, select
    from .textbook import main as textbook_main

    try:
        select(args.lesson, args.source)
    except ValueError as err:
        raise UsageError(str(err)) from err
    if args.list:
        list_lessons()
    else:
        textbook_main(args.lesson, args.source)
    return 0


# ---- graph ----------------------------------------------------------------------------------
def add_graph(commands) -> None:
    """Declare ``tinygrad-xent graph``."""
    from .explain import WORKED_EXAMPLES

    p = commands.add_parser(
        "graph",
        help="draw the graph of a small worked example and explain its backward",
        description="Backpropagate a small worked example, draw its computation graph to a "
        "PNG and print tx.explain: the gradient arriving at every node and what "
        "each node hands to its inputs.",
    )
    p.add_argument(
        "--example",
        default="ce",
        choices=WORKED_EXAMPLES,
        help="ce: cross-entropy of [1.2, 2.3, 0.8] with class 1; softmax: softmax "
        "alone, backpropagated with g = [0, 1, 0]; bce: binary cross-entropy "
        "with logits; nt_xent: NT-Xent of 2 pairs (default: ce)",
    )
    p.add_argument(
        "--out",
        default="graph.png",
        help="PNG to write, or an .html file: a page that steps through the backward walk "
        "in any browser, offline (default: graph.png)",
    )
    p.add_argument(
        "--full",
        action="store_true",
        help="print every array whole, not shape, mean and norm over 12 elements",
    )
    p.set_defaults(run=run_graph)


def run_graph(args: argparse.Namespace) -> int:
    """Run ``tinygrad-xent graph``: write the picture, print the explanation."""
    from .draw import draw
    from .explain import explain, worked_example

    if not args.out.lower().endswith((".png", ".html")) or os.path.isdir(args.out):
        raise UsageError(f"graph: --out must name a .png or .html file, got {args.out!r}")
    problem = _output_problem(args.out)
    if problem is not None:
        raise UsageError(f"cannot write --out {args.out!r}: {problem}")
    loss = worked_example(args.example)
    try:
        draw(loss, args.out)  # the suffix chooses: a picture, or the stepping page
    except OSError as err:
        raise UsageError(f"cannot write --out {args.out!r}: {err.strerror or err}") from err
    explain(loss, full=args.full)
    print(f"graph written to {args.out}")
    return 0


# ---- exercise -------------------------------------------------------------------------------
def add_exercise(commands) -> None:
    """Declare ``tinygrad-xent exercise list | start | check | solution``."""
    p = commands.add_parser(
        "exercise",
        help="graded exercises: build the engine, then derive each backward, and have it checked",
        description="From a scalar Value and its backward walk to softmax, cross-entropy, "
        "NT-Xent and an MLP, derived by hand. 'start NAME' writes a stub to fill in, 'check "
        "NAME' grades it against the tape (and finite differences), 'list' shows where you "
        "are, 'solution NAME' shows the worked answer once you have checked yours.",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    folder = {"default": "exercises", "help": "your exercise folder (default: exercises)"}
    listing = actions.add_parser("list", help="the exercises in order, with your status")
    listing.add_argument("--dir", **folder)
    start = actions.add_parser("start", help="write the stub NAME.py (never overwrites)")
    start.add_argument("name", metavar="NAME")
    start.add_argument("--dir", **folder)
    check = actions.add_parser("check", help="grade NAME (or a FILE); all started ones if none")
    check.add_argument("target", nargs="?", metavar="NAME | FILE")
    check.add_argument("--dir", **folder)
    answer = actions.add_parser(
        "solution", help="print a worked solution and its derivation, once you have checked yours"
    )
    answer.add_argument("name", metavar="NAME")
    answer.add_argument("--dir", **folder)
    answer.add_argument(
        "--show", action="store_true", help="show it now, before you have checked an answer"
    )
    p.set_defaults(run=run_exercise)


def run_exercise(args: argparse.Namespace) -> int:
    """Run ``tinygrad-xent exercise ACTION``: 0 when all checked pass, 1 when not, 2 misuse."""
    from . import exercises

    if args.action is None:
        raise UsageError(
            "exercise needs an action: list, start NAME, check [NAME | FILE] or solution NAME"
        )
    if args.action in ("start", "solution") and args.name not in exercises.EXERCISES:
        raise UsageError(
            f"no exercise called {args.name!r}; the exercises are {', '.join(exercises.EXERCISES)}"
        )
    if (
        getattr(args, "dir", None) is not None
        and os.path.exists(args.dir)
        and not os.path.isdir(args.dir)
    ):
        raise UsageError(f"exercise {args.action}: --dir {args.dir!r} is a file, not a folder")
    if args.action == "list":
        return _exercise_list(exercises, args.dir)
    if args.action == "start":
        return _exercise_start(exercises, args.name, args.dir)
    if args.action == "solution":
        return _exercise_solution(exercises, args.name, args.dir, args.show)
    return _exercise_check(exercises, args.target, args.dir)


def _exercise_list(exercises, folder: str) -> int:
    statuses = exercises.status(folder)
    print(f"exercises in {folder}/ ('{PROG} exercise start NAME' writes one):")
    for number, (name, state) in enumerate(statuses, start=1):
        title = exercises.EXERCISES[name].title
        print(f"  {number:2d}  {name:<23} {state:<12} {title}")
    for name, title in exercises.COMING:
        print(f"  --  {name:<23} {'to come':<12} {title}")
    passing = sum(state == "passing" for _, state in statuses)
    print(f"{passing} of {len(statuses)} passing")
    return 0


def _exercise_solution(exercises, name: str, folder: str, show: bool) -> int:
    try:
        print(exercises.solution(name, show=show, folder=folder))
    except exercises.Locked:
        where = "" if folder == "exercises" else f" --dir {folder}"
        raise UsageError(
            f"the solution of {name} is shown once you have checked an answer: "
            f"'{PROG} exercise check {name}{where}' first, or add --show to see it now"
        ) from None
    return 0


def _exercise_start(exercises, name: str, folder: str) -> int:
    path = os.path.join(folder, f"{name}.py")
    problem = _output_problem(folder, is_folder=True) or (
        f"{path!r} is a folder" if os.path.isdir(path) else None
    )
    if problem is not None:
        raise UsageError(f"cannot write {path!r}: {problem}")
    try:
        os.makedirs(folder, exist_ok=True)
        with open(path, "x", encoding="utf-8") as stream:
            stream.write(exercises.stub(name))
    except FileExistsError:
        raise UsageError(
            f"{path} exists already and was left as it is; grade it with "
            f"'{PROG} exercise check {name}'"
        ) from None
    except OSError as err:
        raise UsageError(f"cannot write {path!r}: {err.strerror or err}") from err
    where = "" if folder == "exercises" else f" --dir {folder}"
    print(
        f"wrote {path}: replace its 'raise NotImplementedError' with your code, then run "
        f"'{PROG} exercise check {name}{where}'"
    )
    return 0


def _exercise_check(exercises, target: str | None, folder: str) -> int:
    if target is None:
        started = [
            n for n in exercises.EXERCISES if os.path.isfile(os.path.join(folder, f"{n}.py"))
        ]
        if not started:
            raise UsageError(
                f"no exercise started in {folder}/; '{PROG} exercise start "
                f"exp_backward' writes the first"
            )
        results = [_check_one(exercises, os.path.join(folder, f"{n}.py"), n) for n in started]
    elif target in exercises.EXERCISES:
        path = os.path.join(folder, f"{target}.py")
        if not os.path.isfile(path):
            print(
                f"{target}: not started (no file {path}; '{PROG} exercise start {target}' "
                f"writes it)"
            )
            return 1
        results = [_check_one(exercises, path, target)]
    elif target.endswith(".py") or os.path.isfile(target):
        try:
            results = [_check_one(exercises, target)]
        except ValueError as err:
            raise UsageError(str(err).removeprefix("exercises: ")) from None
    else:
        raise UsageError(
            f"{target!r} is neither an exercise nor a file; the exercises are "
            f"{', '.join(exercises.EXERCISES)}"
        )
    where = folder if target is None or target in exercises.EXERCISES else os.path.dirname(target)
    for result in results:
        print(result.message)
        _record_check(exercises, result, where or ".")
    if len(results) > 1:
        print(f"{sum(r.passed for r in results)} of {len(results)} started exercises pass")
    return 0 if all(r.passed for r in results) else 1


def _record_check(exercises, result, folder: str) -> None:
    """Note an attempt (not an untouched stub) in the folder's .checked, which unlocks the
    solution; a folder that cannot be written only keeps the solution locked."""
    if result.status == "not started" or result.name not in exercises.EXERCISES:
        return
    try:
        exercises.record_check(folder, result.name)
    except OSError:
        pass


def _check_one(exercises, path: str, name: str | None = None):
    """``exercises.check_file``, after the checks of what Python reports without a line: a NUL
    byte and bytes that are not UTF-8 (the file's line is named instead)."""
    try:
        with open(path, "rb") as stream:
            source = stream.read()
    except OSError:
        return exercises.check_file(path, name)  # which names the problem itself
    label = name or os.path.splitext(os.path.basename(path))[0]
    problem = _source_problem(source)
    if problem is None:
        return exercises.check_file(path, name)
    return exercises.Result(label, "failing", f"{path}: {problem}")


def _source_problem(source: bytes) -> str | None:
    """Why Python cannot read ``source`` as a file, naming the line, or None."""
    if b"\0" in source:
        line = source.count(b"\n", 0, source.index(b"\0")) + 1
        return f"line {line} holds a NUL byte, which a Python file cannot hold; delete it"
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
    except SyntaxError:  # a first line that is not UTF-8, or a coding line Python refuses
        encoding = "utf-8"
    try:
        source.decode(encoding)
    except (UnicodeDecodeError, LookupError) as err:
        start = getattr(err, "start", 0)
        line = source.count(b"\n", 0, start) + 1
        return f"line {line} holds bytes that are not {encoding}; save the file as UTF-8"
    return None


# ---- play -----------------------------------------------------------------------------------
def add_play(commands) -> None:
    """Declare ``tinygrad-xent play softmax | bce | temperature``."""
    p = commands.add_parser(
        "play",
        help="move logits with sliders and watch softmax, the loss and the gradient",
        description="An explorer on matplotlib's sliders. softmax: logits, temperature and "
        "target class; the probabilities, the loss beside log C, and the "
        "gradient from backward() beside p - one_hot. bce: a logit and a label. "
        "temperature: NT-Xent on a small batch at the chosen temperature.",
    )
    p.add_argument("what", choices=["softmax", "bce", "temperature"], help="what to explore")
    p.add_argument(
        "--classes",
        type=int,
        default=None,
        help="number of classes for 'play softmax', 2 to 10 (default: 3)",
    )
    p.add_argument(
        "--save",
        metavar="FILE.png",
        help="write a snapshot to FILE.png instead of opening a window",
    )
    p.add_argument(
        "--html",
        metavar="FILE.html",
        help="write a page with the same sliders, every position computed ahead by the "
        "package, that opens in any browser with no display (softmax: 2 or 3 classes)",
    )
    p.set_defaults(run=run_play)


def run_play(args: argparse.Namespace) -> int:
    """Run ``tinygrad-xent play``: a window with sliders, a snapshot with --save, or a page
    with --html."""
    if args.classes is not None and args.what != "softmax":
        raise UsageError(f"--classes applies to 'play softmax' only, not to '{args.what}'")
    if args.classes is None:
        args.classes = 3
    if not 2 <= args.classes <= 10:
        raise UsageError(f"--classes must be between 2 and 10, got {args.classes}")
    if args.save == "":
        raise UsageError("--save needs a file name, e.g. --save softmax.png")
    from . import play

    if args.html is not None:
        return _play_page(args)
    if args.save is not None:
        problem = _output_problem(args.save)
        if problem is not None:
            raise UsageError(f"cannot write --save {args.save!r}: {problem}")
        try:
            play.snapshot(args.what, args.save, classes=args.classes)
        except OSError as err:
            raise UsageError(f"cannot write --save {args.save!r}: {err.strerror or err}") from err
        print(f"wrote {args.save}")
        return 0
    if not play.show(args.what, classes=args.classes):
        raise UsageError("no display to open a window on; use --save FILE.png for a snapshot")
    return 0


def _play_page(args: argparse.Namespace) -> int:
    """``play NAME --html FILE``: the explorer as a page, for anyone without a display."""
    from . import play_html

    if args.save is not None:
        raise UsageError("--html and --save each write a file; give one of them")
    if not args.html.lower().endswith(".html") or os.path.isdir(args.html):
        raise UsageError(f"--html must name a .html file, got {args.html!r}")
    if args.what == "softmax" and args.classes not in (2, 3):
        raise UsageError(f"--html pages of 'play softmax' have 2 or 3 classes, got {args.classes}")
    folder = os.path.dirname(os.path.abspath(args.html))
    if not os.path.isdir(folder):
        raise UsageError(f"cannot write --html {args.html!r}: folder {folder!r} does not exist")
    try:
        play_html.save(args.what, args.html, classes=args.classes)
    except OSError as err:
        raise UsageError(f"cannot write --html {args.html!r}: {err.strerror or err}") from err
    print(f"wrote {args.html}")
    return 0


# Every command's add_ function, in the order `--help` lists them.
COMMANDS: list[Callable] = [add_train, add_textbook, add_graph, add_exercise, add_play]


def build_parser() -> argparse.ArgumentParser:
    """The parser for every command in :data:`COMMANDS`."""
    parser = _Parser(prog=PROG, description="tinygrad_xent: backprop you can read, on numpy.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in COMMANDS:
        add(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` (default ``sys.argv[1:]``), run the command, return the exit status.

    Parameters
    ----------
    argv : sequence of str or None
        The command line without the program's name; None reads ``sys.argv[1:]``.

    Returns
    -------
    int
        0 on success, 1 if a run failed on the way (nan loss, out of memory, a file it could
        not write), 2 for a usage error, 130 if interrupted with Ctrl-C.
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
    except MemoryError as err:
        print(
            f"{PROG}: error: out of memory: {str(err) or 'numpy could not allocate'}; try a "
            f"smaller --hidden or --batch-size",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`| head`), which is not our error. Pointing stdout at devnull
        # keeps Python's flush at exit from failing on the closed pipe again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
