"""Exercise 16: an op of your own, a fused and stable LogSoftmax, through ``tx.Function``.

Why this op: it is the one every classification loss of the package rests on, and the path
has prepared each of its halves. Exercise 10 derived its vector-Jacobian product as a
function and exercise 11 its use in cross-entropy; here the two become one op that the tape
records as one node, the way the package's own ops are made. What is new is what the
composed version got from other ops for free: the forward must be stable by itself (the
log-sum-exp shift), the backward must find softmax in what the forward kept (the output y,
since softmax(x) = exp(y)), and the class must go through the public door (static methods,
``ctx``, one gradient per input, a math line for ``explain``). The other candidates are
worked elsewhere: the fused softmax cross-entropy in docs/your-own-op.md, and a row's
normalisation x / ||x|| as a step of ``nt_xent_grad``.

Graded through the learner's ``LogSoftmax.apply`` on random inputs of several shapes, float32
and float64, against ``F.log_softmax`` on the tape: the forward's values and dtype, the
backward with a random upstream gradient, ``tx.gradcheck``, the node on ``tx.tape``, the
docstring's math line and an input without a gradient. Wrong values get hints from the
knobs of :mod:`.grading`, once for the forward and once for the backward; a backward that
raises gets a hint from the kind of error (nothing saved, a tuple of the wrong length, None
where a gradient is wanted, a sum that lost its axis).
"""

# mypy: disable-error-code="override"
# (A Function subclass names its inputs in forward's signature, as PyTorch's do; the base class's
# ``forward(ctx, *inputs)`` cannot say how many, so every subclass "overrides" it.)

from __future__ import annotations

import warnings

import numpy as np

from .. import functional as F
from ..autograd import tape
from ..function import Function
from ..gradcheck import GradcheckError, gradcheck
from ..tensor import Tensor
from .grading import (
    Case,
    Exercise,
    Found,
    Knob,
    Result,
    describe,
    failed,
    learner_line,
    reduction_axes,
    softmax,
    uniform,
    wrong_values,
)

TASK = """\
The last step: an op of your own, made the way the package's own ops are. Write LogSoftmax,
a tx.Function subclass: log_softmax along the last axis as ONE op on the tape, with its
forward and its backward in numpy side by side (docs/your-own-op.md shows the door, on
another op).

    y_i = x_i - log sum_k exp(x_k), in every row of x, of shape (..., C)

forward(ctx, x) receives x as a numpy array (float32 or float64) and returns y, of x's shape
and dtype. backward(ctx, g) receives g = dL/dy, of y's shape, and returns dL/dx.

The questions:
    logits of 1000 happen: what does exp do to them? what can you subtract from every x_k
    of a row without changing y, and where does it come back in?
    you derived this op's vector-Jacobian product in exercise 10: which of x, y and
    softmax(x) does it read, which is the cheapest to keep from the forward pass, and how
    does backward get it back?
    backward returns one gradient per input of forward: how many is that here?
    the first line of the class's docstring is the math tx.explain prints for the op:
    write it as the built-ins do, starting "y = ", with dx after it.

Graded through LogSoftmax.apply on several shapes (one class, no rows, logits near 1000),
float32 and float64, against F.log_softmax on the tape with a random g, and by
tx.gradcheck; tx.tape must show the op under its class name."""

TEMPLATE = '''

import numpy as np

import tinygrad_xent as tx


class LogSoftmax(tx.Function):
    """y = ...;  dx = ...   (the op's math on this first line: tx.explain prints it)"""

    @staticmethod
    def forward(ctx, x):
        raise NotImplementedError("LogSoftmax.forward: not written yet")

    @staticmethod
    def backward(ctx, g):
        raise NotImplementedError("LogSoftmax.backward: not written yet")
'''


class LogSoftmax(Function):
    """y = x - logsumexp(x), along the last axis;  dx = g - exp(y) * sum(g)

    Forward, log-sum-exp: subtracting the row maximum m changes nothing, since
    log sum_k exp(x_k) = m + log sum_k exp(x_k - m), and keeps exp from overflowing (every
    exponent is <= 0, and the largest term is exp(0) = 1, so the log never sees 0).

    Backward, exercise 10's VJP: dy_i/dx_j = delta_ij - p_j with p = softmax(x), so
    dL/dx_j = sum_i g_i (delta_ij - p_j) = g_j - p_j sum_i g_i. The sum runs along each row
    and keeps its axis, so that it lines up with the row. p = exp(y): saving y, the output,
    costs no second max or exp of x, and exp(y) <= 1 cannot overflow. One input, so one
    gradient; an x without requires_grad never reaches backward.
    """

    @staticmethod
    def forward(ctx, x):
        shifted = x - x.max(axis=-1, keepdims=True)  # log-sum-exp: exp cannot overflow
        y = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
        ctx.save_for_backward(y)  # softmax(x) = exp(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g - np.exp(y) * g.sum(axis=-1, keepdims=True)  # (..., C) - (..., C) * (..., 1)


# ---- the grading inputs and the expected answers ---------------------------------------------
def _cases() -> list:
    rng = np.random.default_rng(16)
    inputs = [
        (uniform(rng, (5,)), ""),
        (uniform(rng, (4, 6)), ""),
        (uniform(rng, (3, 3)), "square: a sum lined up with the wrong axis raises nothing"),
        (uniform(rng, (2, 3, 4), np.float32), ""),
        (np.array([[1000.0, 1001.0, 999.0], [-5.0, 0.0, 5.0]]), "logits near 1000"),
        (uniform(rng, (3, 1)), "one class"),
        (np.zeros((0, 4)), "no rows"),
    ]
    return [Case({"x": x, "g": uniform(rng, x.shape, x.dtype)}, note) for x, note in inputs]


def _composed(x: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(y, dx) from the package's F.log_softmax, composed of primitive ops, on the tape."""
    leaf = Tensor(x.copy(), requires_grad=True)
    y = F.log_softmax(leaf, axis=-1)
    y.backward(g.copy())
    assert leaf.grad is not None
    return y.data, leaf.grad


# ---- the usual wrong answers, as knobs over the forward and over the backward --------------
def _forward_family(x, g, axis=-1, keepdims=True, form="x - logsumexp"):
    """The forward with its reduction axis, its keepdims and its form as knobs."""
    shifted = x - np.max(x, axis=axis, keepdims=True)
    log_total = np.log(np.exp(shifted).sum(axis=axis, keepdims=keepdims))
    forms = {
        "x - logsumexp": lambda: shifted - log_total,
        "softmax": lambda: np.exp(shifted - log_total),
        "x - max": lambda: shifted,
    }
    return forms[form]()


def _backward_family(x, g, p_axis=-1, sum_axis=-1, keepdims=True, form="g - p * sum(g)"):
    """The backward with its two reductions' axes, its keepdims and its form as knobs."""
    p = softmax(x, axis=p_axis)
    weights = np.ones_like(g) if form == "without g" else g
    total = weights.sum(axis=sum_axis, keepdims=keepdims)
    forms = {
        "g - p * sum(g)": lambda: g - p * total,
        "without g": lambda: weights - p * total,
        "g - p": lambda: g - p,
        "g * (1 - p)": lambda: g * (1 - p),
        "g": lambda: g,
        "softmax's": lambda: p * (g - (g * p).sum(axis=sum_axis, keepdims=keepdims)),
    }
    return forms[form]()


AXES = ((-1, ""), (0, "over the first axis (down the columns)"), (None, "over the whole array"))


def _keepdims(what: str) -> Knob:
    return Knob(
        "keepdims",
        (
            (True, ""),
            (
                False,
                f"keepdims: {what} lost its axis, so each row's number lined up with the last "
                f"axis, across a row instead of along it: keep the reduced axis",
            ),
        ),
    )


FORWARD_KNOBS = (
    reduction_axes("axis", "the log-sum-exp in y", AXES),
    _keepdims("the log-sum-exp"),
    Knob(
        "form",
        (
            ("x - logsumexp", ""),
            ("softmax", "y came out as softmax(x), where the op is its log"),
            (
                "x - max",
                "y came out as x minus the row maximum, the shift alone: what is left to "
                "subtract so that exp(y) sums to 1 along each row?",
            ),
        ),
    ),
)

BACKWARD_KNOBS = (
    reduction_axes("p_axis", "the softmax inside dx", AXES),
    reduction_axes("sum_axis", "the sum in dx", AXES),
    _keepdims("the sum in dx"),
    Knob(
        "form",
        (
            ("g - p * sum(g)", ""),
            (
                "without g",
                "dx does not depend on g: these are the Jacobian's column sums, as if every "
                "g_i were 1; the chain rule weighs each y_i's share by the g_i arriving at it",
            ),
            (
                "softmax's",
                "this is softmax's VJP; the output here is log softmax, whose Jacobian is "
                "another one (exercise 10)",
            ),
            (
                "g",
                "dx is g passed straight through: every y_i also depends on every x_j of its "
                "row, through the log-sum-exp",
            ),
            (
                "g - p",
                "the log-sum-exp's share was not weighted by g: every y_i of the row carries "
                "that term, and each passes back its own g_i",
            ),
            (
                "g * (1 - p)",
                "only the diagonal of the Jacobian (j = i) was used: y_i also depends on "
                "every other x_j of its row, through the log-sum-exp",
            ),
        ),
    ),
)


def _forward_reference(x, g):
    return _forward_family(x, g)


def _backward_reference(x, g):
    return _backward_family(x, g)


# Two views of the exercise for grading.wrong_values: its knobs, its right answer and the
# name of what is compared, once for the forward's y and once for the backward's dx.
FORWARD = Exercise(
    name="own_op",
    title="LogSoftmax.forward",
    task="",
    solution=_forward_reference,
    family=_forward_family,
    knobs=FORWARD_KNOBS,
    returns=("y",),
)
BACKWARD = Exercise(
    name="own_op",
    title="LogSoftmax.backward",
    task="",
    solution=_backward_reference,
    family=_backward_family,
    knobs=BACKWARD_KNOBS,
    returns=("dx",),
)

# ---- what an exception says about the mistake ------------------------------------------------
SAVE_HINT = (
    "backward did not find what it reads: forward keeps what backward needs with "
    "ctx.save_for_backward(...), and backward reads it back from ctx.saved_tensors, a tuple "
    "in the order it was saved"
)
TUPLE_HINT = (
    "backward returns one gradient per input of forward, in forward's order: forward takes "
    "x alone, so backward returns dx alone (an array, or a tuple of one)"
)
NONE_HINT = (
    "backward returned None for x, which wants a gradient: None is only for an input whose "
    "ctx.needs_input_grad is False"
)
BROADCAST_CALL_HINT = (
    "a reduction lost its axis: a (N,) array of row sums lines up with the last axis of "
    "(N, C), not with the rows; keep the reduced axis so that it broadcasts along the row"
)
DOC_HINT = (
    "the first line of the class's docstring is the op's math, which tx.explain prints as "
    "its rule: write it as the built-ins do, 'y = ...;  dx = ...', with the formulas in"
)
RETURN_HINT = "forward returned None: is the return statement missing?"
INHERITED_HINT = (
    "this case's y is wrong too, and a backward that reads what forward saved inherits its "
    "error: put forward right first"
)
GRADCHECK_HINT = (
    "backward agrees with the tape but not with finite differences of your own forward: "
    "forward and backward describe two different ops"
)
# (exception type, words its message holds, hint): the first that fits is given.
CALL_HINTS = (
    (RuntimeError, ("gradients for",), TUPLE_HINT),
    (RuntimeError, ("returned None for input",), NONE_HINT),
    ((ValueError, IndexError), ("unpack", "index out of range"), SAVE_HINT),
    (AttributeError, ("Context",), SAVE_HINT),
    (ValueError, ("broadcast",), BROADCAST_CALL_HINT),
    (TypeError, ("got NoneType",), RETURN_HINT),
)


class _NotStarted(Exception):
    """The learner's forward still raises NotImplementedError."""


def _quietly(call, *args):
    """``call(*args)`` with numpy's overflow warnings off: an overflow shows up as inf anyway."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return call(*args)


def _raised(cls: type[Function], method: str, err: BaseException, where: str) -> Found:
    """The Found for an exception out of the learner's ``method``, with its hint if known."""
    text = (
        f"{where}: {cls.__name__}.{method} raised {type(err).__name__}: {err}"
        f"{learner_line(getattr(cls, method), err)}"
    )
    hints = [
        hint
        for kind, words, hint in CALL_HINTS
        if isinstance(err, kind) and any(word in str(err) for word in words)
    ]
    return Found(method, text, tuple(hints[:1]))


# ---- grading -----------------------------------------------------------------------------------
def _grade_case(cls: type[Function], case: Case, where: str) -> list:
    """Every disagreement of the learner's op with F.log_softmax on ``case``."""
    x, g = case.args["x"], case.args["g"]
    y_expected, dx_expected = _composed(x, g)
    leaf = Tensor(x.copy(), requires_grad=True)
    try:
        y = _quietly(cls.apply, leaf)
    except NotImplementedError:
        raise _NotStarted() from None
    except (Exception, SystemExit) as err:  # the learner's bug: a message, not a traceback
        return [_raised(cls, "forward", err, where)]
    found = _forward_found(cls, case, where, y, y_expected)
    if y.shape != x.shape:
        return found  # g, of x's shape, cannot be sent back through this y
    try:
        _quietly(y.backward, g.copy())
    except NotImplementedError:
        return found + [Found("backward", f"{where}: {cls.__name__}.backward: not written yet")]
    except (Exception, SystemExit) as err:
        return found + [_raised(cls, "backward", err, where)]
    dx = leaf.grad if leaf.grad is not None else np.zeros_like(x)
    wrong_dx = wrong_values(BACKWARD, case, where, [dx_expected], [dx])
    if found and wrong_dx and not wrong_dx[0].hints:
        wrong_dx = [Found("dx", wrong_dx[0].text, (INHERITED_HINT,))]
    if wrong_dx or x.dtype != np.float64 or x.size == 0:
        return found + wrong_dx
    return found + _gradchecked(cls, case, where)


def _forward_found(
    cls: type[Function], case: Case, where: str, y: Tensor, expected: np.ndarray
) -> list:
    """What is wrong with the forward's output: its values, then its dtype; and the tape."""
    found = wrong_values(FORWARD, case, where, [expected], [y.data])
    if not found and y.dtype != expected.dtype:
        found.append(
            Found(
                "dtype",
                f"{where}: y has the right values but dtype {y.dtype}; x is {expected.dtype}, "
                f"and so must y be (make constants in x's dtype, or end with .astype(x.dtype))",
            )
        )
    if cls.__name__ not in str(tape(y)):
        found.append(Found("tape", f"{where}: tx.tape(y) does not show {cls.__name__}"))
    return found


def _gradchecked(cls: type[Function], case: Case, where: str) -> list:
    """tx.gradcheck of sum(g * op(x)): the learner's backward against their own forward."""
    upstream = Tensor(case.args["g"])

    def loss(t: Tensor) -> Tensor:
        return (cls.apply(t) * upstream).sum()

    try:
        _quietly(gradcheck, loss, Tensor(case.args["x"].copy(), requires_grad=True))
    except GradcheckError as err:
        return [Found("gradcheck", f"{where}: tx.gradcheck failed: {err}", (GRADCHECK_HINT,))]
    return []


def _without_grad(cls: type[Function], x: np.ndarray) -> list:
    """Applied to a Tensor that wants no gradient, the op runs and its output wants none."""
    try:
        y = _quietly(cls.apply, Tensor(x.copy()))
    except (Exception, SystemExit) as err:
        where = f"x: {x.shape} {x.dtype} without requires_grad"
        return [_raised(cls, "forward", err, where)]
    if y.requires_grad:
        return [Found("no grad", "applied to x without requires_grad, y wants a gradient")]
    return []


def _docstring_found(cls: type[Function]) -> list:
    """A Found unless the class's own docstring starts with its math, 'y = ...;  dx = ...'."""
    lines = (cls.__doc__ or "").strip().splitlines()
    first = lines[0].strip() if lines else ""
    if first.startswith("y =") and "dx" in first and "..." not in first:
        return []
    said = f"its first line is {first!r}" if first else "there is none"
    return [Found("docstring", f"{cls.__name__}'s docstring: {said}", (DOC_HINT,))]


def _not_a_function(cls: object) -> str:
    """Why ``cls`` cannot be graded as an op, or "" if it can."""
    if not isinstance(cls, type):
        return f"expected a class, a subclass of tx.Function, got {type(cls).__name__}"
    if not issubclass(cls, Function) or cls is Function:
        return (
            f"{cls.__name__} is not a subclass of tx.Function: write "
            f"class {cls.__name__}(tx.Function), so that apply records it on the tape"
        )
    return ""


def _grade_own_op(exercise: Exercise, cls: object) -> Result:
    """Apply the learner's op to every case, then the checks that need no case."""
    name = exercise.name
    problem = _not_a_function(cls)
    if problem:
        return Result(name, "failing", f"{name}: {problem}")
    assert isinstance(cls, type)
    cases = exercise.cases()
    found: list = []
    try:
        for number, case in enumerate(cases, start=1):
            where = f"case {number} of {len(cases)} ({describe(case)})"
            found += _grade_case(cls, case, where)
    except _NotStarted:
        return Result(
            name,
            "not started",
            f"{name}: not started ({cls.__name__}.forward still raises NotImplementedError)",
        )
    found += _without_grad(cls, cases[1].args["x"]) + _docstring_found(cls)
    if found:
        return failed(name, found)
    return Result(
        name,
        "passed",
        f"{name}: passed all {len(cases)} cases against F.log_softmax on the tape, "
        f"and tx.gradcheck",
    )


EXERCISE = Exercise(
    name="own_op",
    title="your own op: a fused, stable LogSoftmax through tx.Function",
    task=TASK,
    solution=LogSoftmax,
    cases=_cases,
    grader=_grade_own_op,
    entry="LogSoftmax",
    template=TEMPLATE,
)
