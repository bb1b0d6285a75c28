"""Grading a learner's backward: against the tape, against finite differences, with hints.

An exercise asks for a gradient as a plain numpy function. For each of its cases the grader

1. runs the same computation on the tape, calls ``backward(g)`` with a random upstream
   gradient g (a uniform one, ``sum()``, would hide a wrong backward), and reads the leaves'
   ``.grad``: the expected answer;
2. computes the same gradient by central differences in float64 where the function is
   smooth (not at tied maxima), as a second opinion that does not trust the tape;
3. calls the learner's function on copies of the inputs and compares, element by element.

Every disagreement that says something new is reported (each one with a hint not yet given,
and the first one of each returned gradient when there is no hint), each with its index, the
expected and the given value. Hints come from known wrong answers computed from the same inputs:

- each :class:`Knob` of an exercise is a choice its derivation makes (which operand is
  transposed, which axis a sum runs along, what the mean divides by) with its wrong
  options; the grader looks for the fewest wrong options that reproduce the answer given,
  and names each of them, so two mistakes at once get two hints;
- each :class:`Mistake` is a whole wrong solution written out; an answer equal to it is that
  mistake;
- a flipped sign, a broadcast left undone, a wrong shape and an overflow are recognised in
  every exercise.

The two engine exercises (``value``, ``walk``) grade a class and a walk rather than one
backward: they bring their own grader (``Exercise.grader``), on the random scalar graphs of
:mod:`.scalar_graphs`, and report through :class:`Found` and :func:`failed` the same way.
``own_op`` grades a ``tx.Function`` subclass through its ``apply``, with a grader of its own
that finds the hints for the forward's y and the backward's dx with :func:`wrong_values`.
"""

from __future__ import annotations

import itertools
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..autograd import no_grad
from ..tensor import Tensor

SIGN_HINT = (
    "every element has the right size and the wrong sign: a flipped sign (check the "
    "order of a subtraction, and the minus in -log)"
)
BROADCAST_HINT = (
    "these are the right values before the broadcast was undone: an input "
    "broadcast along an axis was used once per position on that axis, so its "
    "gradient is the sum over that axis; sum over the broadcast axes to get the "
    "input's shape {shape}"
)
RESHAPE_HINT = (
    "the numbers are right but the shape is not: reshape to {shape} (keepdims "
    "kept or dropped where the input had it the other way?)"
)
OVERFLOW_HINT = (
    "the answer has inf or nan where the expected value is finite: exp of a large "
    "number overflowed; subtract the row maximum before exp (softmax(x) = "
    "softmax(x - max x), the log-sum-exp trick)"
)


@dataclass(frozen=True)
class Case:
    """One grading input: the learner's arguments and what the case is about.

    ``args`` maps the solution's parameter names, in its signature's order (the learner's
    function is called positionally), to numpy arrays and numbers; the argument named ``g``
    is the upstream gradient. ``smooth`` is False where the function has a kink (tied
    maxima), so finite differences do not apply there.
    """

    args: dict
    note: str = ""
    smooth: bool = True


@dataclass(frozen=True)
class Mistake:
    """A usual wrong answer, written out as a function with the solution's signature."""

    hint: str
    answer: Callable


@dataclass(frozen=True)
class Knob:
    """One choice a derivation makes: the right option first, then the wrong ones with hints.

    Attributes
    ----------
    name : str
        The keyword the exercise's ``family`` function takes for this choice.
    options : tuple of (value, hint) pairs
        The first value is the right one (its hint is unused); every other one is a usual
        mistake, and its hint says what kind of mistake it is without giving the answer.
    """

    name: str
    options: tuple


SIGN = Knob("sign", ((1, ""), (-1, SIGN_HINT)))


# The three kinds of slip every exercise with products, reductions or a mean can make. Each
# hint names its kind first ("transpose:", "reduction axis:", "normaliser:") and then what
# the answer given did, never the right answer.
def transposes(name: str, out: str, right: str, wrong: tuple, shape: str) -> Knob:
    """A knob over the products of ``out``: ``right`` and the ``wrong`` spellings (``"g.T @
    a"``), evaluated by :func:`product`; ``shape`` says whose shape ``out`` must have."""
    return Knob(
        name,
        ((right, ""),)
        + tuple(
            (
                expr,
                f"transpose: {out} came out as {expr}, so a transpose or the order of a "
                f"product is off; write each factor's shape under it: {out} must have "
                f"{shape}, and the index summed over must be the inner one of the product",
            )
            for expr in wrong
        ),
    )


def product(expr: str, **arrays: np.ndarray) -> np.ndarray:
    """``"g.T @ a"`` evaluated on ``arrays``: two names, each maybe transposed, and ``@``."""
    left, right = (term.strip() for term in expr.split("@"))

    def value(term: str) -> np.ndarray:
        name, transposed = term.removesuffix(".T"), term.endswith(".T")
        return arrays[name].T if transposed else arrays[name]

    return value(left) @ value(right)


def reduction_axes(
    name: str,
    what: str,
    options: tuple,
    question: str = "which elements share it: one row's numbers only, or more?",
) -> Knob:
    """A knob over the axis of a reduction: ``options`` are (axis, where it ran) pairs, the
    right one first; ``what`` says what is summed (or normalised), ``question`` what to ask
    oneself."""
    return Knob(
        name,
        (options[0][:1] + ("",),)
        + tuple(
            (
                axis,
                f"reduction axis: {what} ran {where}; {question}",
            )
            for axis, where in options[1:]
        ),
    )


def normalisers(name: str, what: str, options: tuple) -> Knob:
    """A knob over what a mean divides by: ``options`` are (value, description), the right
    one first; the hint asks what the mean averages over."""
    return Knob(
        name,
        (options[0][:1] + ("",),)
        + tuple(
            (
                value,
                f"normaliser: {what} {description}; L is a mean: over how many terms, exactly?",
            )
            for value, description in options[1:]
        ),
    )


def softmax(x: np.ndarray, axis=-1) -> np.ndarray:
    """softmax along ``axis`` (None: over the whole array), stable: the maximum subtracted."""
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@dataclass(frozen=True)
class Exercise:
    """One exercise: the task, the reference solution and how to grade an answer.

    Attributes
    ----------
    name : str
        The function the learner writes, e.g. ``exp_backward``.
    title : str
        A few words, for ``exercise list``.
    task : str
        The stub's docstring: the task and the math it needs.
    solution : callable
        The reference, named like the exercise; its docstring is the derivation.
    forward : callable
        The same computation on the tape, from the learner's arguments, the differentiated
        ones as leaf Tensors (and without ``g``).
    wrt : tuple of str
        The arguments whose gradients the function returns, in the order it returns them.
    cases : callable
        Makes the grading inputs (a list of :class:`Case`), fresh on each call.
    mistakes : tuple of Mistake
        The usual wrong answers with their hints (a flipped sign is always checked).
    pick : callable or None
        From the case's arguments and the full gradients (one per ``wrt``) to the one array
        the function returns; None (the default) returns all of them.
    returns : tuple of str
        The names of what it returns; by default ``d`` + each name in ``wrt``.
    family : callable or None
        The solution with the choices of ``knobs`` as keyword arguments: with every knob at
        its first option it is the solution; with others, the usual wrong answers.
    knobs : tuple of Knob
        The choices ``family`` takes (a flipped sign is always tried as well).
    tape : callable or None
        From the case's arguments to the expected answers, for an exercise whose answers are
        not all gradients of leaves (finite differences are then not used).
    grader : callable or None
        Grades the learner's object itself, ``grader(exercise, obj) -> Result``: for the
        exercises that build an engine rather than one backward.
    entry : str
        The name the learner's file defines; the exercise's name by default.
    template : str
        The code of the stub after its docstring; a function raising NotImplementedError
        by default.
    """

    name: str
    title: str
    task: str
    solution: Callable
    forward: Callable[..., Tensor] | None = None
    wrt: tuple = ()
    cases: Callable[[], list] = list
    mistakes: tuple = ()
    pick: Callable | None = None
    returns: tuple = ()
    family: Callable | None = None
    knobs: tuple = ()
    tape: Callable | None = None
    grader: Callable | None = None
    entry: str = ""
    template: str = ""

    @property
    def defines(self) -> str:
        """The name the learner's file defines: ``entry``, else the exercise's name."""
        return self.entry or self.name

    @property
    def outputs(self) -> tuple:
        """The names of the returned gradients: ``dx`` for x, ``da, db`` for a and b."""
        return self.returns or tuple(f"d{name}" for name in self.wrt)


@dataclass
class Result:
    """What a check found. ``passed`` is True only when every case agreed.

    Attributes
    ----------
    name : str
        The exercise.
    status : str
        "passed", "failing" or "not started" (the function still raises
        NotImplementedError).
    message : str
        What to print: a pass, or each mistake found, with its hints.
    """

    name: str
    status: str
    message: str

    @property
    def passed(self) -> bool:
        """True when every case agreed (``status`` is "passed")."""
        return self.status == "passed"

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"Result(name={self.name!r}, status={self.status!r}, passed={self.passed})"


class _Failure(Exception):
    """Stops grading a case at a problem with the call itself; its text is the message."""


class _NotStarted(Exception):
    """The learner's function raised NotImplementedError."""


@dataclass(frozen=True)
class Found:
    """One disagreement: what it is about (a returned name, or the call), the text, hints.

    ``kinds`` are the hints before the case's numbers were put in: two cases with the same
    mistake give the same kinds, and the mistake is told once."""

    about: str
    text: str
    hints: tuple = field(default=())
    kinds: tuple = field(default=())

    def __str__(self) -> str:
        return self.text + "".join(f"\n  hint: {hint}" for hint in self.hints)


def distinct(found: list) -> list:
    """The disagreements that say something new: each with a hint not given yet, and the
    first without hints about each returned name (or the call)."""
    about: set = set()
    hints: set = set()
    kept = []
    for item in found:
        kinds = item.kinds or item.hints
        new = not hints.issuperset(kinds) if kinds else item.about not in about
        if new:
            kept.append(item)
            about.add(item.about)
            hints.update(kinds)
    return kept


def failed(name: str, found: list) -> Result:
    """The "failing" Result listing each of ``found`` that says something new."""
    return Result(name, "failing", "\n".join(f"{name}: FAILED {item}" for item in distinct(found)))


def grade(exercise: Exercise, fn: object) -> Result:
    """Run every case of ``exercise`` on ``fn`` and say what was found (no printing)."""
    name = exercise.name
    if exercise.grader is not None:
        return exercise.grader(exercise, fn)
    if not callable(fn):
        return Result(name, "failing", f"{name}: expected a function, got {type(fn).__name__}")
    cases = exercise.cases()
    found: list = []
    try:
        for number, case in enumerate(cases, start=1):
            found += _grade_case(exercise, fn, case, f"case {number} of {len(cases)}")
    except _NotStarted:
        return Result(
            name,
            "not started",
            f"{name}: not started (the function still raises NotImplementedError)",
        )
    if found:
        return failed(name, found)
    second = "" if exercise.tape is not None else " and finite differences"
    return Result(
        name,
        "passed",
        f"{name}: passed all {len(cases)} cases against the tape's backward(){second}",
    )


def _grade_case(exercise: Exercise, fn, case: Case, where: str) -> list:
    """Every disagreement of ``fn`` with the tape on ``case`` (or why it has no answer):
    the values first; once they are right, the dtypes; then finite differences."""
    where = f"{where} ({describe(case)})"
    expected = _tape_gradients(exercise, case)
    try:
        given = _call(fn, exercise, case, where)
    except _Failure as failure:
        return [Found("the call", str(failure))]
    found = wrong_values(exercise, case, where, expected, given)
    found = found or _wrong_dtypes(exercise, where, expected, given)
    smooth = case.smooth and exercise.tape is None
    if found or not smooth or any(e.dtype != np.float64 for e in expected):
        return found
    for out_name, e, x in zip(exercise.outputs, _numeric_gradients(exercise, case), given):
        if not _close(x, e, "finite differences"):
            text = _first_wrong(out_name, e, x, "finite differences")
            found.append(Found(out_name, f"{where}: {text}"))
    return found


def wrong_values(exercise: Exercise, case: Case, where: str, expected, given) -> list:
    """A Found, with its hints, for each returned array whose shape or values are wrong."""
    found = []
    for out_name, e, x in zip(exercise.outputs, expected, given):
        if x.shape == e.shape and _close(x, e, e.dtype.name):
            continue
        kinds = _hints(exercise, case, out_name, e, x)
        if x.shape != e.shape:
            text = f"{out_name} has shape {x.shape}, expected {e.shape}"
        else:
            text = _first_wrong(out_name, e, x, e.dtype.name)
        hints = tuple(kind.format(**_hint_values(case, e)) for kind in kinds)
        found.append(Found(out_name, f"{where}: {text}", hints, kinds))
    return found


def _wrong_dtypes(exercise: Exercise, where: str, expected, given) -> list:
    """A Found for each returned array with the right values in the wrong dtype."""
    return [
        Found(
            out_name,
            f"{where}: {out_name} has the right values but dtype {x.dtype}; the inputs are "
            f"{e.dtype} and so must the gradient be (make constants in the inputs' dtype, "
            f"e.g. np.eye(C, dtype=x.dtype), or end with .astype(x.dtype))",
        )
        for out_name, e, x in zip(exercise.outputs, expected, given)
        if x.dtype != e.dtype
    ]


def describe(case: Case) -> str:
    """``x: (3, 4) float32, g: (3, 4) float32, axis=1``, plus the case's note."""
    parts = []
    for key, value in case.args.items():
        if isinstance(value, np.ndarray):
            parts.append(f"{key}: {value.shape} {value.dtype}")
        else:
            parts.append(f"{key}={value!r}")
    return ", ".join(parts) + (f"; {case.note}" if case.note else "")


def _tape_gradients(exercise: Exercise, case: Case) -> list[np.ndarray]:
    """The gradients backward() computes with the case's upstream gradient g."""
    if exercise.tape is not None:
        return [np.asarray(a) for a in exercise.tape(**case.args)]
    assert exercise.forward is not None, f"{exercise.name}: no forward to run on the tape"
    args = {
        k: (Tensor(np.array(v), requires_grad=True) if k in exercise.wrt else v)
        for k, v in case.args.items()
        if k != "g"
    }
    out = exercise.forward(**args)
    out.backward(case.args.get("g"))
    grads = [
        args[k].grad if args[k].grad is not None else np.zeros_like(args[k].data)
        for k in exercise.wrt
    ]
    return _picked(exercise, case, grads)


def _numeric_gradients(exercise: Exercise, case: Case, eps: float = 1e-6) -> list[np.ndarray]:
    """Central differences of sum(g * forward(args)) for every element of every wrt input."""
    g = case.args.get("g")
    args = {
        k: (np.array(v, dtype=np.float64) if k in exercise.wrt else v)
        for k, v in case.args.items()
        if k != "g"
    }

    def objective() -> float:
        assert exercise.forward is not None
        with no_grad():
            out = exercise.forward(
                **{k: (Tensor(v) if k in exercise.wrt else v) for k, v in args.items()}
            ).data
        return float(np.sum(out if g is None else g * out))

    grads = []
    for k in exercise.wrt:
        flat = args[k].reshape(-1)  # a view: nudging it nudges the argument
        numeric = np.zeros(flat.size)
        for j in range(flat.size):
            original = flat[j]
            flat[j] = original + eps
            plus = objective()
            flat[j] = original - eps
            minus = objective()
            flat[j] = original
            numeric[j] = (plus - minus) / (2 * eps)
        grads.append(numeric.reshape(args[k].shape))
    return _picked(exercise, case, grads)


def _picked(exercise: Exercise, case: Case, grads: list) -> list[np.ndarray]:
    if exercise.pick is None:
        return grads
    return [np.asarray(exercise.pick(case.args, *grads))]


def _call(fn, exercise: Exercise, case: Case, where: str) -> list[np.ndarray]:
    """The learner's answer as a list of arrays, or _Failure saying why there is none."""
    name = exercise.name
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")  # overflow in a naive exp shows up as inf anyway
            # Positional, in the stub's order: a learner may rename the parameters.
            answer = fn(*_copies(case.args).values())
    except NotImplementedError:
        raise _NotStarted() from None
    except (Exception, SystemExit) as err:  # the learner's bug: a message, not a traceback
        raise _Failure(
            f"{where}: {name} raised {type(err).__name__}: {err}{learner_line(fn, err)}"
        ) from None
    if answer is None:
        raise _Failure(f"{where}: {name} returned None; is the return statement missing?")
    outputs = exercise.outputs
    if len(outputs) == 1:
        if isinstance(answer, (tuple, list)) and len(answer) != 1 and not _numbers(answer):
            raise _Failure(
                f"{where}: {name} returned {len(answer)} values; it should return "
                f"one array, {outputs[0]}"
            )
        answer = [answer[0] if isinstance(answer, (tuple, list)) and len(answer) == 1 else answer]
    elif not isinstance(answer, (tuple, list)) or len(answer) != len(outputs):
        got = (
            f"{len(answer)} values"
            if isinstance(answer, (tuple, list))
            else f"one {type(answer).__name__}"
        )
        raise _Failure(
            f"{where}: {name} returned {got}; it should return the tuple ({', '.join(outputs)})"
        )
    arrays = []
    for out_name, value in zip(outputs, answer):
        try:
            array = np.asarray(value.data if isinstance(value, Tensor) else value)
        except ValueError:  # a ragged list
            array = np.array(None)
        if array.dtype.kind not in "fiu":
            raise _Failure(
                f"{where}: {name} returned {out_name} as {type(value).__name__} "
                f"(dtype {array.dtype}); it should be a numpy array of numbers"
            )
        arrays.append(array)
    return arrays


def _numbers(values) -> bool:
    """True for a flat list of numbers (an array written as a list), not a tuple of arrays."""
    return all(isinstance(v, (int, float, np.number)) for v in values)


def _copies(args: dict) -> dict:
    """Fresh copies, so that a function writing into its inputs spoils nothing."""
    return {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in args.items()}


def learner_line(fn, err: BaseException) -> str:
    """`` (at line 12: return g * y)``: the last line of the learner's own file it reached."""
    filename = getattr(getattr(fn, "__code__", None), "co_filename", None)
    frames = [f for f in traceback.extract_tb(err.__traceback__) if f.filename == filename]
    if not frames:
        return ""
    frame = frames[-1]
    code = (frame.line or "").strip()
    return f" (at line {frame.lineno}: {code})" if code else f" (at line {frame.lineno})"


# (rtol, atol) per comparison; atol is scaled by the largest expected magnitude (at least 1).
# Finite differences carry an error of order eps^2 and rounding of order 1e-16 / eps.
_TOLERANCE = {"float64": (1e-7, 1e-10), "float32": (1e-4, 1e-5), "finite differences": (1e-5, 1e-7)}


def _wrong(given: np.ndarray, expected: np.ndarray, against: str) -> np.ndarray:
    """True where ``given`` differs from ``expected`` beyond rounding (nan is always wrong).

    ``against`` is "float64" or "float32" (the tape's dtype) or "finite differences"."""
    rtol, atol = _TOLERANCE[against]
    scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    with np.errstate(all="ignore"):
        given = np.asarray(given, dtype=np.float64)
        return ~(np.abs(given - expected) <= atol * scale + rtol * np.abs(expected))


def _close(given: np.ndarray, expected: np.ndarray, against: str) -> bool:
    return not np.any(_wrong(given, expected, against))


def _first_wrong(out_name: str, expected: np.ndarray, given: np.ndarray, against: str) -> str:
    """``dx[0, 2]: expected 1.5 (from the tape), given -1.5; ...``: the first wrong element."""
    wrong = _wrong(given, expected, against)
    index = tuple(int(i) for i in np.argwhere(wrong)[0])
    where = f"[{', '.join(str(i) for i in index)}]" if index else ""
    source = "finite differences" if against == "finite differences" else "the tape"
    return (
        f"{out_name}{where}: expected {float(expected[index]):.8g} (from {source}), given "
        f"{float(np.asarray(given)[index]):.8g}; {int(wrong.sum())} of {expected.size} "
        f"elements differ"
    )


def _hints(
    exercise: Exercise, case: Case, out_name: str, expected: np.ndarray, given: np.ndarray
) -> tuple:
    """The hints for ``given``, a wrong answer for output ``out_name``, with ``{placeholders}``
    for the case's numbers: one per wrong choice of the knobs that reproduce it, else the
    written-out mistake it equals, else a hint from its shape or its infinities, else none."""
    k = exercise.outputs.index(out_name)
    chosen = _knob_search(exercise, case, k, expected, given)
    if chosen is not None:
        return tuple(chosen)
    mistakes = (Mistake(SIGN_HINT, _negated(exercise.solution)),) + tuple(exercise.mistakes)
    for mistake in mistakes:
        wrong = _attempt(mistake.answer, case)
        if wrong is not None and _matches(exercise, wrong, k, expected, given):
            return (mistake.hint,)
    return _shape_hint(expected, given)


def _attempt(answer: Callable, case: Case, **choices):
    """``answer`` on copies of the case's arguments, or None if it fails for these shapes."""
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return answer(**_copies(case.args), **choices)
    except Exception:  # a wrong answer that cannot be computed for this case's shapes
        return None


def _matches(exercise: Exercise, wrong, k: int, expected: np.ndarray, given: np.ndarray) -> bool:
    """True when output ``k`` of the wrong answer ``wrong`` is ``given`` and is not right."""
    wrong = np.asarray(wrong if len(exercise.outputs) == 1 else wrong[k])
    against = expected.dtype.name
    return (
        wrong.shape == given.shape
        and _close(given, wrong, against)
        and not (wrong.shape == expected.shape and _close(wrong, expected, against))
    )


# Combinations of more wrong choices than this are not looked for.
MOST_WRONG_CHOICES = 3


def _knob_search(exercise: Exercise, case: Case, k: int, expected, given) -> list | None:
    """The hints of the fewest wrong choices of the knobs (and the sign) that reproduce
    output ``k`` of ``given``; None when no combination does."""
    if exercise.family is None:
        return None
    knobs = tuple(exercise.knobs) + (SIGN,)
    for count in range(1, MOST_WRONG_CHOICES + 1):
        for which in itertools.combinations(knobs, count):
            for options in itertools.product(*(knob.options[1:] for knob in which)):
                choices = {knob.name: value for knob, (value, _) in zip(which, options)}
                sign = choices.pop("sign", 1)
                wrong = _attempt(exercise.family, case, **choices)
                if wrong is None:
                    continue
                if sign == -1:
                    wrong = _flipped(wrong)
                if _matches(exercise, wrong, k, expected, given):
                    return [hint for _, hint in options]
    return None


def _shape_hint(expected: np.ndarray, given: np.ndarray) -> tuple:
    """Hints that need no written-out mistake: a missing sum, a wrong shape, an overflow."""
    if given.shape != expected.shape:
        shape = expected.shape
        if given.size == expected.size and _close(
            given.reshape(shape), expected, expected.dtype.name
        ):
            return (RESHAPE_HINT.format(shape=shape),)
        try:
            summed = _unbroadcast(given, shape)
        except ValueError:
            return ()
        if _close(summed, expected, expected.dtype.name):
            return (BROADCAST_HINT.format(shape=shape),)
        return ()
    if not np.all(np.isfinite(given)) and np.all(np.isfinite(expected)):
        return (OVERFLOW_HINT,)
    return ()


def _unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``grad`` over the axes along which ``shape`` was broadcast to ``grad.shape``."""
    if np.broadcast_shapes(grad.shape, shape) != grad.shape:
        raise ValueError("not a broadcast of the shape")
    extra = grad.ndim - len(shape)
    summed = grad.sum(axis=tuple(range(extra))) if extra else grad
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and summed.shape[i] != 1)
    return summed.sum(axis=axes, keepdims=True) if axes else summed


def _hint_values(case: Case, expected: np.ndarray) -> dict:
    """What a hint's text may name: the shape expected and the case's sizes."""
    values: dict[str, tuple | int] = {"shape": expected.shape}
    for key, value in case.args.items():
        if isinstance(value, np.ndarray):
            values[f"{key}_shape"] = value.shape
            values[f"{key}_size"] = value.size
            values[f"{key}_rows"] = value.shape[0] if value.ndim else 1
            values[f"{key}_cols"] = value.shape[-1] if value.ndim else 1
    return values


def _flipped(answer):
    """``answer`` (an array or a tuple of them) with every sign flipped."""
    if isinstance(answer, tuple):
        return tuple(-np.asarray(a) for a in answer)
    return -np.asarray(answer)


def _negated(solution: Callable) -> Callable:
    """The solution with every sign flipped: the flipped-sign mistake of any exercise."""

    def negated(**kwargs):
        return _flipped(solution(**kwargs))

    return negated


def uniform(
    rng: np.random.Generator, shape: tuple, dtype=np.float64, low: float = -2.0, high: float = 2.0
) -> np.ndarray:
    """Random inputs for a case, in the case's dtype."""
    return rng.uniform(low, high, size=shape).astype(dtype)
