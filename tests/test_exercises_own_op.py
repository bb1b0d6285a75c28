"""The own_op exercise: a LogSoftmax of the learner's own, through tx.Function. The reference
passes; each usual mistake, written into the reference's source, gets its hint; two mistakes
get two hints; the stub asks without answering; the solution waits for a check."""

import inspect

import numpy as np
import pytest

import tinygrad_xent as tx
from tinygrad_xent import cli
from tinygrad_xent.exercises import EXERCISES, check_file, grading, solution, stub
from tinygrad_xent.exercises import own_op as own_op_module


def grade(cls):
    return grading.grade(EXERCISES["own_op"], cls)


def op_with(*replacements):
    """The reference LogSoftmax with its source edited: each (old, new) replaced (old must
    occur): a learner's class, written with a slip."""
    source = inspect.getsource(own_op_module.LogSoftmax)
    for old, new in replacements:
        assert old in source, old
        source = source.replace(old, new)
    namespace = {"np": np, "Function": tx.Function}
    exec(source, namespace)
    return namespace["LogSoftmax"]


FORWARD_SHIFT = "shifted = x - x.max(axis=-1, keepdims=True)"
FORWARD_SUM = "np.exp(shifted).sum(axis=-1, keepdims=True)"
BACKWARD = "return g - np.exp(y) * g.sum(axis=-1, keepdims=True)"


def test_the_reference_passes_and_the_stub_is_not_started(tmp_path):
    result = grade(own_op_module.LogSoftmax)
    assert result.passed, result.message
    assert result.message == (
        "own_op: passed all 7 cases against F.log_softmax on the tape, and tx.gradcheck"
    )
    path = tmp_path / "own_op.py"
    path.write_text(stub("own_op"))
    result = check_file(str(path))
    assert result.status == "not started"
    assert result.message == (
        "own_op: not started (LogSoftmax.forward still raises NotImplementedError)"
    )


def test_the_reference_is_a_function_on_the_tape_with_its_math_line():
    x = tx.Tensor(np.array([[1.0, 2.0, 3.0]]), requires_grad=True)
    y = own_op_module.LogSoftmax.apply(x)
    assert "LogSoftmax" in str(tx.tape(y))
    assert own_op_module.LogSoftmax.__doc__.splitlines()[0].startswith("y = ")


def test_the_cases_cover_both_dtypes_one_class_no_rows_and_large_logits():
    cases = EXERCISES["own_op"].cases()
    assert {case.args["x"].dtype for case in cases} == {np.dtype(np.float32), np.dtype(np.float64)}
    shapes = [case.args["x"].shape for case in cases]
    assert (3, 1) in shapes and (0, 4) in shapes and (3, 3) in shapes
    assert any(np.max(case.args["x"], initial=0) >= 1000 for case in cases)
    for case in cases:
        g = case.args["g"]
        assert g.shape == case.args["x"].shape and (g.size < 2 or np.ptp(g) > 0.1)


def test_another_class_name_is_graded_under_its_own_name():
    source = inspect.getsource(own_op_module.LogSoftmax).replace("LogSoftmax", "MyLogSoftmax")
    namespace = {"np": np, "Function": tx.Function}
    exec(source, namespace)
    assert grade(namespace["MyLogSoftmax"]).passed


# ---- each usual mistake gets its hint --------------------------------------------------------
MISTAKES = {
    "upstream g forgotten": (
        [(BACKWARD, "return 1 - np.exp(y) * np.ones_like(g).sum(axis=-1, keepdims=True)")],
        ["dx does not depend on g"],
    ),
    "sum over the wrong axis": (
        [(BACKWARD, "return g - np.exp(y) * g.sum(axis=0, keepdims=True)")],
        ["reduction axis: the sum in dx ran over the first axis"],
    ),
    "log-sum-exp over the wrong axis": (
        [
            ("x.max(axis=-1", "x.max(axis=0"),
            (FORWARD_SUM, "np.exp(shifted).sum(axis=0, keepdims=True)"),
        ],
        ["reduction axis: the log-sum-exp in y ran over the first axis"],
    ),
    "no shift": (
        [(FORWARD_SHIFT, "shifted = x")],
        ["exp of a large number overflowed", "the log-sum-exp trick"],
    ),
    "a tuple of two": (
        [(BACKWARD, BACKWARD + ", None")],
        ["returned 2 gradients for 1 inputs", "backward returns one gradient per input"],
    ),
    "nothing saved": (
        [("ctx.save_for_backward(y)", "pass")],
        ["not enough values to unpack", "forward keeps what backward needs"],
    ),
    "an attribute never set": (
        [("(y,) = ctx.saved_tensors", "y = ctx.y")],
        ["'Context' object has no attribute 'y'", "forward keeps what backward needs"],
    ),
    "keepdims lost in backward": (
        [(BACKWARD, "return g - np.exp(y) * g.sum(axis=-1)")],
        ["keepdims: the sum in dx lost its axis", "a reduction lost its axis"],
    ),
    "keepdims lost in forward": (
        [(FORWARD_SUM, "np.exp(shifted).sum(axis=-1)")],
        ["keepdims: the log-sum-exp lost its axis"],
    ),
    "forward returns nothing": (
        [("return y", "pass")],
        ["forward must return a numpy array, got NoneType", "is the return statement missing?"],
    ),
    "None for x": ([(BACKWARD, "return None")], ["None is only for an input whose"]),
    "softmax's VJP": (
        [(BACKWARD, "p = np.exp(y)\n        return p * (g - (g * p).sum(axis=-1, keepdims=True))")],
        ["this is softmax's VJP"],
    ),
    "diagonal only": ([(BACKWARD, "return g * (1 - np.exp(y))")], ["only the diagonal"]),
    "g passed through": ([(BACKWARD, "return g")], ["dx is g passed straight through"]),
    "flipped sign": (
        [(BACKWARD, "return np.exp(y) * g.sum(axis=-1, keepdims=True) - g")],
        ["the wrong sign"],
    ),
    "softmax, not its log": (
        [("return y", "return np.exp(y)")],
        ["y came out as softmax(x)"],
    ),
    "the shift alone": (
        [("return y", "return shifted")],
        ["y came out as x minus the row maximum"],
    ),
    "float64 out of float32": (
        [("return y", "return y.astype(np.float64)")],
        ["y has the right values but dtype float64; x is float32"],
    ),
    "no math line": (
        [("y = x - logsumexp(x), along the last axis;", "Log softmax, mine;")],
        ["its first line is 'Log softmax, mine;", "'y = ...;  dx = ...'"],
    ),
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_every_usual_mistake_gets_its_hint(mistake):
    replacements, expected = MISTAKES[mistake]
    result = grade(op_with(*replacements))
    assert result.status == "failing", mistake
    assert "Traceback" not in result.message
    for text in expected:
        assert text in result.message, (mistake, result.message)


KNOB_CHOICES = [
    (side, knob.name, value, hint)
    for side, knobs in (
        ("forward", own_op_module.FORWARD_KNOBS),
        ("backward", own_op_module.BACKWARD_KNOBS),
    )
    for knob in knobs
    for value, hint in knob.options[1:]
]


def op_from_the_families(side, choice):
    """An op whose forward and backward are the exercise's families, one knob turned on
    ``side``."""
    forward_choice = choice if side == "forward" else {}
    backward_choice = choice if side == "backward" else {}

    class LogSoftmax(tx.Function):
        """y = x - logsumexp(x);  dx = g - exp(y) * sum(g)"""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return own_op_module._forward_family(x, None, **forward_choice)

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return own_op_module._backward_family(x, g, **backward_choice)

    return LogSoftmax


def test_the_families_at_their_first_options_pass():
    assert grade(op_from_the_families("forward", {})).passed


@pytest.mark.parametrize(
    "side, knob, value, hint", KNOB_CHOICES, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in KNOB_CHOICES]
)
def test_every_wrong_choice_of_every_knob_gets_its_hint(side, knob, value, hint):
    message = grade(op_from_the_families(side, {knob: value})).message
    assert f"hint: {hint}" in message, message


def test_two_mistakes_in_the_backward_get_two_hints():
    cls = op_with((BACKWARD, "return 1 - np.exp(y) * np.ones_like(g).sum(axis=0, keepdims=True)"))
    message = grade(cls).message
    assert "hint: dx does not depend on g" in message
    assert "hint: reduction axis: the sum in dx ran over the first axis" in message


def test_a_mistake_in_forward_and_one_in_backward_are_both_reported():
    cls = op_with((FORWARD_SHIFT, "shifted = x"), (BACKWARD, BACKWARD + ", None"))
    message = grade(cls).message
    assert "the log-sum-exp trick" in message
    assert "backward returns one gradient per input" in message
    assert message.count("own_op: FAILED") == 2


def test_a_backward_reading_a_wrong_saved_y_is_told_to_fix_forward_first():
    message = grade(op_with((FORWARD_SHIFT, "shifted = x"))).message
    assert "hint: this case's y is wrong too" in message


def test_gradcheck_catches_a_backward_that_is_not_the_derivative_of_the_forward():
    # forward gives softmax; backward is log softmax's, computed from x: right against the
    # tape, wrong against finite differences of this forward.
    cls = op_with(
        ("ctx.save_for_backward(y)", "ctx.save_for_backward(x)"),
        ("return y", "return np.exp(y)"),
        (
            "(y,) = ctx.saved_tensors",
            "(x,) = ctx.saved_tensors\n"
            "        y = x - x.max(axis=-1, keepdims=True)\n"
            "        y = y - np.log(np.exp(y).sum(axis=-1, keepdims=True))",
        ),
    )
    message = grade(cls).message
    assert "y came out as softmax(x)" in message
    assert "tx.gradcheck failed: gradcheck: input 0" in message
    assert "forward and backward describe two different ops" in message


def test_an_input_without_grad_must_not_break_forward():
    cls = op_with(("ctx.save_for_backward(y)", "assert ctx.needs_input_grad[0]\n        pass"))
    message = grade(cls).message
    assert "without requires_grad: LogSoftmax.forward raised AssertionError" in message
    skipping = op_with(
        (
            "ctx.save_for_backward(y)",
            "if ctx.needs_input_grad[0]:\n            ctx.save_for_backward(y)",
        )
    )
    assert grade(skipping).passed


def test_a_backward_not_written_yet_is_failing_not_not_started():
    cls = op_with((BACKWARD, 'raise NotImplementedError("LogSoftmax.backward: not written yet")'))
    result = grade(cls)
    assert result.status == "failing"
    assert "LogSoftmax.backward: not written yet" in result.message


def test_what_is_not_a_function_subclass_is_told_so():
    assert grade(lambda x: x).message == (
        "own_op: expected a class, a subclass of tx.Function, got function"
    )

    class LogSoftmax:
        """y = x - logsumexp(x);  dx = something"""

    message = grade(LogSoftmax).message
    assert "LogSoftmax is not a subclass of tx.Function" in message


def test_a_method_that_is_not_a_staticmethod_is_named_by_the_check(tmp_path):
    source = inspect.getsource(own_op_module.LogSoftmax).replace(
        "    @staticmethod\n    def backward(ctx, g):", "    def backward(ctx, g):"
    )
    path = tmp_path / "own_op.py"
    path.write_text("import numpy as np\nfrom tinygrad_xent import Function\n\n\n" + source)
    result = check_file(str(path))
    assert result.status == "failing"
    assert "importing it raised TypeError" in result.message
    assert "backward must be a @staticmethod taking ctx first" in result.message


# ---- the stub asks, the solution waits ---------------------------------------------------------
def test_the_stub_gives_the_skeleton_the_shapes_and_the_questions():
    text = stub("own_op")
    assert text.startswith('"""Exercise 16 of 16: your own op: a fused, stable LogSoftmax')
    assert "(..., C)" in text and "The questions:" in text and "docs/your-own-op.md" in text
    assert "class LogSoftmax(tx.Function):" in text
    assert text.count("@staticmethod") == 2
    assert "def forward(ctx, x):" in text and "def backward(ctx, g):" in text
    assert 'tx.exercises.check("own_op", LogSoftmax)' in text
    compile(text, "stub", "exec")


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_the_solution_is_shown_after_a_check_or_with_show(tmp_path, capsys):
    folder = str(tmp_path)
    assert run(capsys, "exercise", "solution", "own_op", "--dir", folder)[0] == 2
    code, out, _ = run(capsys, "exercise", "solution", "own_op", "--show", "--dir", folder)
    assert code == 0 and out.startswith("# Exercise 16 of 16: your own op")
    assert "class LogSoftmax(Function):" in out and "log-sum-exp" in out
    run(capsys, "exercise", "start", "own_op", "--dir", folder)
    run(capsys, "exercise", "check", "own_op", "--dir", folder)  # the untouched stub
    assert run(capsys, "exercise", "solution", "own_op", "--dir", folder)[0] == 2
    path = tmp_path / "own_op.py"
    path.write_text(stub("own_op").replace('"""y = ...;  dx = ...', '"""y = x;  dx = g'))
    path.write_text(
        path.read_text()
        .replace('raise NotImplementedError("LogSoftmax.forward: not written yet")', "return x")
        .replace('raise NotImplementedError("LogSoftmax.backward: not written yet")', "return g")
    )
    code, out, _ = run(capsys, "exercise", "check", "own_op", "--dir", folder)
    assert code == 1 and "y came out as" not in out and "own_op: FAILED" in out
    code, out, _ = run(capsys, "exercise", "solution", "own_op", "--dir", folder)
    assert code == 0 and out == solution("own_op", show=True) + "\n"


def test_python_solution_is_locked_until_checked_in_python(capsys):
    from tinygrad_xent.exercises import _checked_here

    _checked_here.discard("own_op")
    with pytest.raises(tx.exercises.Locked, match="show=True"):
        solution("own_op")
    tx.exercises.check("own_op", op_with((BACKWARD, "return g")))
    assert "dx is g passed straight through" in capsys.readouterr().out
    assert "class LogSoftmax(Function):" in solution("own_op")
