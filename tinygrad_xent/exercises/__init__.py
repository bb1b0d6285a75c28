"""Graded exercises: build the engine, then derive each backward, and be told what went wrong.

The path: a scalar ``Value`` and its ops (``value``), the walk over its graph (``walk``), the
backward of each op on arrays, softmax and cross-entropy derived three ways, BCE, NT-Xent and
a whole MLP; then an op of your own through ``tx.Function`` (``own_op``), the last step.

From Python or a notebook::

    import numpy as np
    import tinygrad_xent as tx

    def exp_backward(x, g):
        return g * np.exp(x)

    tx.exercises.check("exp_backward", exp_backward)  # prints, and returns a Result
    # exp_backward: passed all 4 cases against the tape's backward() and finite differences

From the command line: ``tinygrad-xent exercise list | start NAME | check NAME | solution
NAME``. One module per exercise holds its task, its reference solution with the derivation
in its docstring, its grading inputs and its usual mistakes; :mod:`.grading` grades.

A solution is shown once the exercise has been checked (``check`` here, or ``exercise check``
on the command line, which notes it in the folder's ``.checked`` file), or on request
(``solution(name, show=True)``, ``exercise solution NAME --show``).
"""

from __future__ import annotations

import importlib.util
import inspect
import os
import sys
import traceback
from collections.abc import Callable

from . import (
    bce_with_logits_grad,
    cross_entropy_dscores,
    cross_entropy_jacobian,
    exp_backward,
    log_backward,
    log_softmax_vjp,
    matmul_backward,
    max_backward,
    mlp_backward,
    mul_backward,
    nt_xent_grad,
    own_op,
    softmax_vjp,
    sum_backward,
    value,
    walk,
)
from .grading import Exercise, Result, grade

# In the order to work through them: each uses what the ones before it taught.
EXERCISES: dict[str, Exercise] = {
    module.EXERCISE.name: module.EXERCISE
    for module in (
        # build the engine
        value,
        walk,
        # the backward of each op, on arrays
        exp_backward,
        log_backward,
        mul_backward,
        sum_backward,
        max_backward,
        matmul_backward,
        # softmax and cross-entropy, derived three ways
        softmax_vjp,
        log_softmax_vjp,
        cross_entropy_dscores,
        cross_entropy_jacobian,
        # losses and a network
        bce_with_logits_grad,
        nt_xent_grad,
        mlp_backward,
        # an op of your own, through the public door
        own_op,
    )
}
# The exercises still to come, after the last of EXERCISES: (name, title).
COMING: tuple[tuple[str, str], ...] = ()
# The file in an exercise folder that lists the exercises checked there.
CHECKED_FILE = ".checked"

__all__ = [
    "CHECKED_FILE",
    "COMING",
    "EXERCISES",
    "Exercise",
    "Locked",
    "Result",
    "check",
    "check_file",
    "checked",
    "find",
    "record_check",
    "solution",
    "status",
    "stub",
]

# The exercises checked from Python in this session (check()), which unlocks their solution.
_checked_here: set = set()


class Locked(Exception):
    """The solution of an exercise not checked yet was asked for without ``show=True``."""


def find(name: str) -> Exercise:
    """The exercise called ``name``; ValueError listing the valid names otherwise."""
    if name not in EXERCISES:
        raise ValueError(
            f"exercises: no exercise called {name!r}; the exercises are {', '.join(EXERCISES)}"
        )
    return EXERCISES[name]


def check(name: str, fn: Callable) -> Result:
    """Grade ``fn`` as the answer to exercise ``name``, print the verdict and return it.

    Parameters
    ----------
    name : str
        The exercise, e.g. ``"exp_backward"`` (see ``EXERCISES``).
    fn : callable
        The learner's function, with the signature the exercise's stub gives.

    Returns
    -------
    Result
        ``passed`` (bool), ``status`` ("passed", "failing", "not started") and ``message``,
        the text printed: a pass, or each mistake found (index, expected, given) with a hint
        when the answer is a usual mistake. Checking an answer unlocks the solution.

    Raises
    ------
    ValueError
        If there is no exercise called ``name``, listing the valid names.
    """
    result = grade(find(name), fn)
    if result.status != "not started":
        _checked_here.add(name)
    print(result.message)
    return result


def stub(name: str) -> str:
    """The text of the file ``exercise start`` writes: the task and the questions, the shapes,
    and the code to fill in (a signature, or a class whose methods are to be written)."""
    exercise = find(name)
    number = list(EXERCISES).index(name) + 1
    entry = exercise.defines
    code = exercise.template or (
        f"\n\nimport numpy as np\n\n\n"
        f"def {entry}{inspect.signature(exercise.solution)}:\n"
        f'    raise NotImplementedError("{entry}: not written yet")\n'
    )
    return (
        f'"""Exercise {number} of {len(EXERCISES)}: {exercise.title}.\n\n'
        f"{exercise.task}\n\n"
        f"Check it:  tinygrad-xent exercise check {name}\n"
        f'   or, in Python, tx.exercises.check("{name}", {entry})\n'
        f'"""{code}'
    )


def solution(name: str, show: bool = False, folder: str | None = None) -> str:
    """The reference solution of exercise ``name``: its code, the derivation in its docstring.

    Parameters
    ----------
    name : str
        The exercise.
    show : bool
        Show it even if the exercise has not been checked yet.
    folder : str or None
        An exercise folder whose ``.checked`` file counts (the command line's ``--dir``).

    Returns
    -------
    str
        The heading and the source of the solution.

    Raises
    ------
    Locked
        If the exercise has not been checked (by ``check`` in this session, or in
        ``folder``) and ``show`` is False.
    """
    exercise = find(name)
    if not (show or name in _checked_here or (folder and name in checked(folder))):
        raise Locked(
            f"the solution of {name} is shown once you have checked an answer of yours "
            f"(check it first), or on request (show=True)"
        )
    number = list(EXERCISES).index(name) + 1
    heading = f"Exercise {number} of {len(EXERCISES)}: {exercise.title}"
    return f"# {heading}\n\n{inspect.getsource(exercise.solution)}"


def checked(folder: str) -> set:
    """The exercises checked in ``folder``, as its ``.checked`` file lists them."""
    path = os.path.join(folder, CHECKED_FILE)
    try:
        with open(path, encoding="utf-8") as stream:
            return {line.strip() for line in stream if line.strip() in EXERCISES}
    except OSError:
        return set()


def record_check(folder: str, name: str) -> None:
    """Note in ``folder``'s ``.checked`` file that exercise ``name`` was checked there."""
    if name in checked(folder):
        return
    with open(os.path.join(folder, CHECKED_FILE), "a", encoding="utf-8") as stream:
        stream.write(name + "\n")


def check_file(path: str, name: str | None = None) -> Result:
    """Grade the learner's file ``path`` (no printing).

    Parameters
    ----------
    path : str
        A .py file defining the exercise's function.
    name : str or None
        The exercise; by default the file's name (``exp_backward.py``), else the one exercise
        whose function (or class) the file defines.

    Returns
    -------
    Result
        The verdict; a file that does not import (a syntax error, an exception at import) or
        lacks the function is "failing", with a message saying why.

    Raises
    ------
    ValueError
        If ``path`` does not exist or names no exercise.
    """
    if not os.path.isfile(path):
        raise ValueError(f"exercises: no file {path!r}")
    stem = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(f"tinygrad_xent_exercise_{stem}", path)
    if spec is None or spec.loader is None:
        raise ValueError(f"exercises: {path!r} is not a Python file")
    module = importlib.util.module_from_spec(spec)
    label = name or stem
    folder = os.path.dirname(os.path.abspath(path))
    sys.path.insert(0, folder)  # so that walk.py can import the learner's value.py beside it
    try:
        spec.loader.exec_module(module)
    except SyntaxError as err:
        return Result(label, "failing", f"{path}: syntax error at line {err.lineno}: {err.msg}")
    except (Exception, SystemExit) as err:  # the learner's file: a message, not a traceback
        frames = [
            f
            for f in traceback.extract_tb(err.__traceback__)
            if os.path.abspath(f.filename) == os.path.abspath(path)
        ]
        line = f" at line {frames[-1].lineno}" if frames else ""
        return Result(
            label, "failing", f"{path}: importing it raised {type(err).__name__}{line}: {err}"
        )
    finally:
        sys.path.remove(folder)
    if name is None:
        defined = [n for n, e in EXERCISES.items() if callable(getattr(module, e.defines, None))]
        if stem in EXERCISES:
            name = stem
        elif len(defined) == 1:
            name = defined[0]
        else:
            raise ValueError(
                f"exercises: cannot tell which exercise {path!r} answers: name "
                f"the file after it (e.g. exp_backward.py) or give the name"
            )
    exercise = find(name)
    fn = getattr(module, exercise.defines, None)
    if not callable(fn):
        kind = "class" if isinstance(exercise.solution, type) else "function"
        return Result(name, "failing", f"{path}: defines no {kind} {exercise.defines}")
    return grade(exercise, fn)


def status(folder: str) -> list[tuple[str, str]]:
    """Each exercise with its status in ``folder``: "not started", "failing" or "passing".

    An exercise is not started when ``folder/NAME.py`` is missing or still raises
    NotImplementedError.
    """
    found = []
    for name in EXERCISES:
        path = os.path.join(folder, f"{name}.py")
        if not os.path.isfile(path):
            found.append((name, "not started"))
            continue
        state = check_file(path, name).status
        found.append((name, "passing" if state == "passed" else state))
    return found
