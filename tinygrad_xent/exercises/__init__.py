"""Graded exercises: write a backward by hand and be told exactly where it went wrong.

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
"""

from __future__ import annotations

import importlib.util
import inspect
import os
import traceback
from collections.abc import Callable

from . import (
    bce_with_logits_grad,
    cross_entropy_dscores,
    exp_backward,
    log_backward,
    matmul_backward,
    max_backward,
    mlp_backward,
    mul_backward,
    nt_xent_grad,
    softmax_vjp,
    sum_backward,
)
from .grading import Exercise, Result, grade

# In the order to work through them: each uses what the ones before it taught.
EXERCISES: dict[str, Exercise] = {
    module.EXERCISE.name: module.EXERCISE
    for module in (
        exp_backward,
        log_backward,
        mul_backward,
        sum_backward,
        max_backward,
        matmul_backward,
        softmax_vjp,
        cross_entropy_dscores,
        bce_with_logits_grad,
        mlp_backward,
        nt_xent_grad,
    )
}

__all__ = [
    "EXERCISES",
    "Exercise",
    "Result",
    "check",
    "check_file",
    "find",
    "solution",
    "status",
    "stub",
]


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
        the text printed: a pass, or the first wrong element (index, expected, given) with a
        hint when the answer is a usual mistake.

    Raises
    ------
    ValueError
        If there is no exercise called ``name``, listing the valid names.
    """
    result = grade(find(name), fn)
    print(result.message)
    return result


def stub(name: str) -> str:
    """The text of the file ``exercise start`` writes: the task, the math, the signature."""
    exercise = find(name)
    number = list(EXERCISES).index(name) + 1
    signature = inspect.signature(exercise.solution)
    return (
        f'"""Exercise {number} of {len(EXERCISES)}: {exercise.title}.\n\n'
        f"{exercise.task}\n\n"
        f"Check it:  tinygrad-xent exercise check {name}\n"
        f'   or, in Python, tx.exercises.check("{name}", {name})\n'
        f'"""\n\nimport numpy as np\n\n\n'
        f"def {name}{signature}:\n"
        f'    raise NotImplementedError("{name}: not written yet")\n'
    )


def solution(name: str) -> str:
    """The reference solution of exercise ``name``: its code, the derivation in its docstring."""
    exercise = find(name)
    number = list(EXERCISES).index(name) + 1
    heading = f"Exercise {number} of {len(EXERCISES)}: {exercise.title}"
    return f"# {heading}\n\n{inspect.getsource(exercise.solution)}"


def check_file(path: str, name: str | None = None) -> Result:
    """Grade the learner's file ``path`` (no printing).

    Parameters
    ----------
    path : str
        A .py file defining the exercise's function.
    name : str or None
        The exercise; by default the file's name (``exp_backward.py``), else the one exercise
        function the file defines.

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
    if name is None:
        defined = [n for n in EXERCISES if callable(getattr(module, n, None))]
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
    fn = getattr(module, name, None)
    if not callable(fn):
        return Result(name, "failing", f"{path}: defines no function {name}")
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
