"""The graded exercises on arrays: solutions pass, stubs are not started, each usual mistake gets
its hint, two mistakes get two hints, titles and stubs do not give the answer away, and a
solution is shown only after a check (tests/test_exercises_engine.py: value and walk)."""

import inspect
import re

import numpy as np
import pytest

import tinygrad_xent as tx
from tinygrad_xent import cli
from tinygrad_xent.exercises import EXERCISES, check, check_file, grading, solution, status, stub

NAMES = list(EXERCISES)
# The exercises that grade a numpy function (value and walk grade a class and a walk).
ARRAY_NAMES = [name for name in NAMES if EXERCISES[name].grader is None]


def grade(name, fn):
    return grading.grade(EXERCISES[name], fn)


def write(folder, name, body):
    """A learner's file: the stub's docstring and imports, with ``body`` as the function."""
    path = folder / f"{name}.py"
    path.write_text("import numpy as np\n\n\n" + body)
    return path


# ---- the set ----------------------------------------------------------------------------------
def test_the_set_and_its_order_are_the_issues():
    assert NAMES == [
        "value",
        "walk",
        "exp_backward",
        "log_backward",
        "mul_backward",
        "sum_backward",
        "max_backward",
        "matmul_backward",
        "softmax_vjp",
        "log_softmax_vjp",
        "cross_entropy_dscores",
        "cross_entropy_jacobian",
        "bce_with_logits_grad",
        "nt_xent_grad",
        "mlp_backward",
        "own_op",
    ]
    assert tx.exercises.COMING == ()


@pytest.mark.parametrize("name", NAMES)
def test_every_solution_passes_its_check(name):
    result = grade(name, EXERCISES[name].solution)
    assert result.passed, result.message
    assert result.message.startswith(f"{name}: passed all ")


@pytest.mark.parametrize("name", ARRAY_NAMES)
def test_the_grading_inputs_cover_both_dtypes_and_finite_differences_agree_with_the_tape(name):
    exercise = EXERCISES[name]
    cases = exercise.cases()
    dtypes = {v.dtype for case in cases for k, v in case.args.items() if k in exercise.wrt}
    assert dtypes == {np.dtype(np.float32), np.dtype(np.float64)}
    smooth = [case for case in cases if case.smooth]
    assert smooth
    if exercise.tape is not None:
        return  # answers that are not all gradients of leaves: no finite differences
    for case in smooth:
        numeric = grading._numeric_gradients(exercise, case)
        for e, n in zip(grading._tape_gradients(exercise, case), numeric):
            np.testing.assert_allclose(e, n, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ARRAY_NAMES)
def test_the_cases_give_the_arguments_in_the_stubs_order(name):
    import inspect

    order = list(inspect.signature(EXERCISES[name].solution).parameters)
    assert all(list(case.args) == order for case in EXERCISES[name].cases())


def test_the_upstream_gradient_is_random_not_ones():
    for name in ("exp_backward", "mul_backward", "softmax_vjp"):
        for case in EXERCISES[name].cases():
            g = case.args["g"]
            assert g.size == 1 or np.ptp(g) > 0.1


def test_max_is_graded_at_ties_where_the_tape_shares_g_equally():
    case = EXERCISES["max_backward"].cases()[1]
    assert not case.smooth and "ties" in case.note
    dx = grading._tape_gradients(EXERCISES["max_backward"], case)[0]
    g = case.args["g"]
    np.testing.assert_allclose(dx[0], [g[0] / 2, 0, g[0] / 2, 0])  # row 0: 3.0 twice
    np.testing.assert_allclose(dx[1], [g[1] / 3, g[1] / 3, g[1] / 3, 0])  # row 1: 2.0 three times


# ---- the stub -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_an_untouched_stub_is_not_started(name, tmp_path):
    path = tmp_path / f"{name}.py"
    path.write_text(stub(name))
    result = check_file(str(path))
    assert result.status == "not started" and not result.passed
    assert result.message.startswith(f"{name}: not started (")
    assert result.message.endswith(" still raises NotImplementedError)")


def test_the_stub_gives_the_task_the_questions_and_the_signature():
    text = stub("cross_entropy_dscores")
    assert text.startswith(
        '"""Exercise 11 of 16: the gradient of mean cross-entropy w.r.t. the scores'
    )
    assert "The questions:" in text and "(N, C)" in text
    assert "def cross_entropy_dscores(scores, target):\n    raise NotImplementedError(" in text
    assert "tinygrad-xent exercise check cross_entropy_dscores" in text
    compile(text, "stub", "exec")


def test_the_solution_text_is_the_code_with_its_derivation():
    text = solution("softmax_vjp", show=True)
    assert text.startswith("# Exercise 9 of 16: softmax's vector-Jacobian product\n")
    assert "def softmax_vjp(x, g):" in text and "p_j (g_j - <g, p>)" in text


def test_check_prints_and_returns_the_result(capsys):
    result = tx.exercises.check("exp_backward", lambda x, g: g * np.exp(x))
    assert result.passed and result.status == "passed"
    assert capsys.readouterr().out == result.message + "\n"
    assert repr(result) == "Result(name='exp_backward', status='passed', passed=True)"


def test_an_unknown_name_lists_the_exercises():
    with pytest.raises(
        ValueError, match="no exercise called 'exp'; the exercises are value, walk, exp_backward, "
    ):
        check("exp", print)


# ---- the first wrong element ------------------------------------------------------------------
def test_a_failure_names_the_case_the_element_and_both_values():
    def one_wrong(x, g):
        dx = g * np.exp(x)
        dx.reshape(-1)[-1] += 1.0  # the last element off by one
        return dx

    result = grade("exp_backward", one_wrong)
    case = EXERCISES["exp_backward"].cases()[0]
    expected = case.args["g"][3] * np.exp(case.args["x"][3])
    assert result.status == "failing"
    assert result.message == (
        f"exp_backward: FAILED case 1 of 4 (x: (4,) float64, g: (4,) float64): dx[3]: "
        f"expected {expected:.8g} (from the tape), given {expected + 1:.8g}; 1 of 4 elements "
        f"differ"
    )


# ---- the usual mistakes, each written out as a learner would ----------------------------------
def flipped_sign_ce(scores, target):
    p = np.exp(scores - scores.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(p)), target] -= 1
    return -p / len(p)


def missing_broadcast_sum(a, b, g):
    return g * b, g * a  # in y's shape: the broadcast axes not summed


def y_for_x_log(x, g):
    y = np.log(x)
    return g / y


def x_for_y_exp(x, g):
    return g * x


def mean_forgotten_ce(scores, target):
    p = np.exp(scores - scores.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(p)), target] -= 1
    return p


def mean_forgotten_bce(logits, target, weight):
    return weight * (1 / (1 + np.exp(-logits)) - target)


def one_hot_kept_ce(scores, target):
    p = np.exp(scores - scores.max(axis=1, keepdims=True))
    return p / p.sum(axis=1, keepdims=True) / len(p)


def bias_not_summed_mlp(x, target, w1, b1, w2, b2):
    dw1, db1, dw2, db2 = EXERCISES["mlp_backward"].solution(x, target, w1, b1, w2, b2)
    return dw1, db1, dw2, np.broadcast_to(db2 / len(x), (len(x), len(db2)))


def mean_forgotten_mlp(x, target, w1, b1, w2, b2):
    u = x @ w1 + b1
    h = np.maximum(u, 0)
    scores = h @ w2 + b2
    p = np.exp(scores - scores.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(x)), target] -= 1
    dh = p @ w2.T * (u > 0)
    return x.T @ dh, dh.sum(axis=0), h.T @ p, p.sum(axis=0)


def transposed_db(a, b, g):
    return g @ b.T, g.T @ a  # the transpose of the right db


def summed_over_everything(x, g):
    p = np.exp(x - x.max(axis=-1, keepdims=True))
    p /= p.sum(axis=-1, keepdims=True)
    return p * (g - (g * p).sum())  # one sum over the whole array, not one per row


def normalised_by_columns(scores, target):
    e = np.exp(scores - scores.max())
    p = e / e.sum(axis=0)  # normalised down the columns
    p[np.arange(len(p)), target] -= 1
    return p / len(p)


def naive_softmax_vjp(x, g):
    p = np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True)
    return p * (g - (g * p).sum(axis=-1, keepdims=True))


@pytest.mark.parametrize(
    "name, fn, hint",
    [
        (
            "cross_entropy_dscores",
            flipped_sign_ce,
            "hint: every element has the right size and the wrong sign: a flipped sign",
        ),
        (
            "mul_backward",
            missing_broadcast_sum,
            "hint: these are the right values before the broadcast was undone",
        ),
        (
            "mlp_backward",
            bias_not_summed_mlp,
            "sum over the broadcast axes to get the input's shape (3,)",
        ),
        ("log_backward", y_for_x_log, "hint: y = log(x) used where x was meant"),
        ("exp_backward", x_for_y_exp, "hint: x used where the derivative needs something else"),
        (
            "cross_entropy_dscores",
            mean_forgotten_ce,
            "hint: normaliser: dscores is not divided by anything",
        ),
        (
            "bce_with_logits_grad",
            mean_forgotten_bce,
            "hint: normaliser: dlogits is not divided by anything",
        ),
        (
            "mlp_backward",
            mean_forgotten_mlp,
            "hint: normaliser: dscores is not divided by anything",
        ),
        ("cross_entropy_dscores", one_hot_kept_ce, "hint: the answer is the softmax alone"),
        ("matmul_backward", transposed_db, "hint: transpose: db came out as g.T @ a"),
        (
            "softmax_vjp",
            summed_over_everything,
            "hint: reduction axis: the sum in dx ran over the whole array",
        ),
        (
            "cross_entropy_dscores",
            normalised_by_columns,
            "hint: reduction axis: softmax's normalisation ran over axis 0",
        ),
        (
            "softmax_vjp",
            naive_softmax_vjp,
            "hint: the answer has inf or nan where the expected "
            "value is finite: exp of a large number overflowed",
        ),
    ],
)
def test_a_usual_mistake_written_out_gets_its_hint(name, fn, hint):
    result = grade(name, fn)
    assert result.status == "failing"
    assert hint in result.message, result.message


@pytest.mark.parametrize(
    "name, index", [(name, k) for name in NAMES for k in range(len(EXERCISES[name].mistakes))]
)
def test_every_listed_mistake_gets_its_own_hint(name, index):
    mistake = EXERCISES[name].mistakes[index]
    result = grade(name, mistake.answer)
    assert result.status == "failing"
    hint_start = re.split(r"\{", mistake.hint)[0]
    assert "\n  hint: " + hint_start in result.message, result.message


def knob_answer(name, **choices):
    """The exercise's family with ``choices``: a learner's answer with those mistakes."""
    family = EXERCISES[name].family

    def answer(*args):
        order = inspect.signature(EXERCISES[name].solution).parameters
        return family(**dict(zip(order, args)), **choices)

    return answer


def hint_text(name, knob, value):
    """The start of the hint of ``knob``'s option ``value`` (before any {placeholder})."""
    hint = dict(next(k for k in EXERCISES[name].knobs if k.name == knob).options)[value]
    return "\n  hint: " + re.split(r"\{", hint)[0]


WRONG_OPTIONS = [
    (name, knob.name, value)
    for name in ARRAY_NAMES
    for knob in EXERCISES[name].knobs
    for value, _ in knob.options[1:]
]


@pytest.mark.parametrize("name, knob, value", WRONG_OPTIONS)
def test_every_wrong_choice_of_every_knob_gets_its_hint(name, knob, value):
    result = grade(name, knob_answer(name, **{knob: value}))
    assert result.status == "failing"
    assert hint_text(name, knob, value) in result.message, result.message
    assert result.message.count("hint:") == 1, result.message


KNOB_PAIRS = [
    (name, first.name, first.options[1][0], second.name, second.options[1][0])
    for name in ARRAY_NAMES
    for i, first in enumerate(EXERCISES[name].knobs)
    for second in EXERCISES[name].knobs[i + 1 :]
]


@pytest.mark.parametrize("name, knob1, value1, knob2, value2", KNOB_PAIRS)
def test_two_mistakes_at_once_get_two_hints(name, knob1, value1, knob2, value2):
    result = grade(name, knob_answer(name, **{knob1: value1, knob2: value2}))
    assert hint_text(name, knob1, value1) in result.message, result.message
    assert hint_text(name, knob2, value2) in result.message, result.message


@pytest.mark.parametrize("name", ARRAY_NAMES)
def test_a_flipped_sign_is_recognised_in_every_exercise(name):
    def flipped(*args):
        answer = EXERCISES[name].solution(*args)
        return tuple(-a for a in answer) if isinstance(answer, tuple) else -answer

    assert grading.SIGN_HINT in grade(name, flipped).message


def test_a_correct_answer_in_the_wrong_shape_is_told_to_reshape():
    def kept_a_leading_axis(x, g, axis, keepdims):
        return EXERCISES["sum_backward"].solution(x, g, axis, keepdims)[None]

    message = grade("sum_backward", kept_a_leading_axis).message
    assert "dx has shape (1, 3, 4), expected (3, 4)" in message
    assert "hint: the numbers are right but the shape is not: reshape to (3, 4)" in message


def test_a_tie_given_whole_to_each_maximum_gets_the_tie_hint():
    def to_every_max(x, g, axis):
        y = x.max(axis=axis, keepdims=True)
        return (x == y) * g.reshape(y.shape)

    message = grade("max_backward", to_every_max).message
    assert "FAILED case 2 of 5" in message and "ties in rows 0 and 1" in message
    assert "hint: every tied maximum received the whole of g" in message


# ---- a learner's function that misbehaves: a message, never our traceback ---------------------
def raises(x, g):
    return g * np.exp(x)[10]


@pytest.mark.parametrize(
    "name, fn, message",
    [
        (
            "exp_backward",
            raises,
            "exp_backward raised IndexError: index 10 is out of bounds for "
            "axis 0 with size 4 (at line",
        ),
        (
            "exp_backward",
            lambda x, g: None,
            "exp_backward returned None; is the return statement missing?",
        ),
        (
            "exp_backward",
            lambda x, g: (g, g),
            "exp_backward returned 2 values; it should return one array, dx",
        ),
        (
            "mul_backward",
            lambda a, b, g: g,
            "mul_backward returned one ndarray; it should return the tuple (da, db)",
        ),
        ("exp_backward", lambda x, g: "dx", "exp_backward returned dx as str"),
        ("exp_backward", lambda x, g: np.zeros(3), "dx has shape (3,), expected (4,)"),
        (
            "exp_backward",
            lambda x, g: (g * np.exp(x)).astype(np.float64),
            "case 2 of 4 (x: (2, 3) float32, g: (2, 3) float32): dx has the right values but dtype "
            "float64; the inputs are float32",
        ),
        ("exp_backward", 42, "exp_backward: expected a function, got int"),
    ],
)
def test_a_misbehaving_function_gets_a_clear_message(name, fn, message):
    result = grade(name, fn)
    assert result.status == "failing"
    assert message in result.message, result.message
    assert "Traceback" not in result.message


def test_parameters_may_be_renamed():
    def mine(inputs, upstream):
        return upstream * np.exp(inputs)

    assert grade("exp_backward", mine).passed


def test_sys_exit_and_a_ragged_list_are_messages_too():
    def leaves(x, g):
        raise SystemExit(3)

    assert "exp_backward raised SystemExit: 3" in grade("exp_backward", leaves).message
    message = grade("mul_backward", lambda a, b, g: ([[1.0, 2.0], [3.0]], b)).message
    assert (
        "mul_backward returned da as list (dtype object); it should be a numpy array of "
        "numbers" in message
    )


def test_a_function_writing_into_its_inputs_spoils_nothing():
    def in_place(x, g):
        np.exp(x, out=x)
        x *= g
        return x

    assert grade("exp_backward", in_place).passed


def test_a_tensor_or_a_list_is_accepted_as_an_answer():
    assert grade("exp_backward", lambda x, g: tx.Tensor(g * np.exp(x))).passed
    assert grade(
        "mul_backward", lambda a, b, g: list(EXERCISES["mul_backward"].solution(a, b, g))
    ).passed


# ---- files ------------------------------------------------------------------------------------
def test_a_file_that_does_not_import_is_failing_with_the_line(tmp_path):
    path = write(tmp_path, "exp_backward", "def exp_backward(x, g)\n    return g\n")
    result = check_file(str(path))
    assert result.status == "failing"
    assert result.message == f"{path}: syntax error at line 4: expected ':'"
    path.write_text("import numpy as np\nnp.nonsense()\n")
    assert "importing it raised AttributeError at line 2" in check_file(str(path)).message


def test_a_file_without_the_function_says_so(tmp_path):
    path = write(tmp_path, "exp_backward", "def exp_backwards(x, g):\n    return g\n")
    assert check_file(str(path)).message == f"{path}: defines no function exp_backward"


def test_a_file_named_otherwise_is_graded_by_the_one_function_it_defines(tmp_path):
    path = write(tmp_path, "mine", "def log_backward(x, g):\n    return g / x\n")
    assert check_file(str(path)).passed


def test_status_per_exercise_in_a_folder(tmp_path):
    (tmp_path / "exp_backward.py").write_text(stub("exp_backward"))
    write(tmp_path, "log_backward", "def log_backward(x, g):\n    return g / x\n")
    write(tmp_path, "mul_backward", "def mul_backward(a, b, g):\n    return g * b, g * a\n")
    found = dict(status(str(tmp_path)))
    assert found["exp_backward"] == "not started"
    assert found["log_backward"] == "passing"
    assert found["mul_backward"] == "failing"
    assert found["nt_xent_grad"] == "not started"  # no file at all


# ---- the command line -------------------------------------------------------------------------
def run(capsys, *argv):
    status_code = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return status_code, out, err


def test_cli_start_writes_the_stub_and_never_overwrites(tmp_path, capsys):
    folder = str(tmp_path / "ex")
    code, out, _ = run(capsys, "exercise", "start", "softmax_vjp", "--dir", folder)
    path = tmp_path / "ex" / "softmax_vjp.py"
    assert code == 0 and path.read_text() == stub("softmax_vjp")
    assert out.startswith(f"wrote {path}: ")
    path.write_text("my work")
    code, _, err = run(capsys, "exercise", "start", "softmax_vjp", "--dir", folder)
    assert code == 2 and "exists already and was left as it is" in err
    assert path.read_text() == "my work"


def test_cli_check_exit_codes(tmp_path, capsys):
    folder = str(tmp_path)
    run(capsys, "exercise", "start", "exp_backward", "--dir", folder)
    code, out, _ = run(capsys, "exercise", "check", "exp_backward", "--dir", folder)
    assert code == 1 and "exp_backward: not started" in out
    write(tmp_path, "exp_backward", "def exp_backward(x, g):\n    return g * np.exp(x)\n")
    code, out, _ = run(capsys, "exercise", "check", "exp_backward", "--dir", folder)
    assert code == 0 and out.startswith("exp_backward: passed all 4 cases")
    wrong = write(tmp_path, "log_backward", "def log_backward(x, g):\n    return g * x\n")
    code, out, _ = run(capsys, "exercise", "check", str(wrong))
    assert code == 1 and "hint: multiplied by x where it should divide" in out
    code, out, _ = run(capsys, "exercise", "check", "--dir", folder)  # every started one
    assert code == 1 and out.endswith("1 of 2 started exercises pass\n")
    code, out, _ = run(capsys, "exercise", "check", "matmul_backward", "--dir", folder)
    assert code == 1 and "matmul_backward: not started (no file" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ["exercise", "start", "softmax"],
            "no exercise called 'softmax'; the exercises are value, walk, exp_backward",
        ),
        (["exercise", "solution", "nope"], "no exercise called 'nope'; the exercises are"),
        (
            ["exercise", "check", "nope"],
            "'nope' is neither an exercise nor a file; the exercises are value, walk, exp_backward",
        ),
        (["exercise", "check", "missing.py"], "no file 'missing.py'"),
        (["exercise"], "exercise needs an action: list, start NAME"),
        (["exercise", "frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_cli_usage_errors_exit_2_with_one_line(argv, message, capsys):
    code, out, err = run(capsys, *argv)
    assert code == 2 and message in err and err.count("\n") == 1


def test_cli_check_with_nothing_started_is_a_usage_error(tmp_path, capsys):
    code, _, err = run(capsys, "exercise", "check", "--dir", str(tmp_path))
    assert code == 2 and "no exercise started in" in err


def test_cli_list_shows_each_status(tmp_path, capsys):
    run(capsys, "exercise", "start", "exp_backward", "--dir", str(tmp_path))
    write(tmp_path, "log_backward", "def log_backward(x, g):\n    return g / x\n")
    write(tmp_path, "sum_backward", "def sum_backward(x, g, axis, keepdims):\n    return g\n")
    code, out, _ = run(capsys, "exercise", "list", "--dir", str(tmp_path))
    lines = out.splitlines()
    assert code == 0 and len(lines) == 18
    assert re.match(r"\s+1  value\s+not started\s+build a scalar Value", lines[1])
    assert re.match(r"\s+3  exp_backward\s+not started\s+the backward of exp$", lines[3])
    assert re.match(r"\s+4  log_backward\s+passing\s+", lines[4])
    assert re.match(r"\s+6  sum_backward\s+failing\s+", lines[6])
    assert re.match(
        r"\s+16  own_op\s+not started\s+your own op: a fused, stable LogSoftmax", lines[16]
    )
    assert lines[-1] == "1 of 16 passing"


def test_cli_solution_is_refused_before_a_check_and_shown_after(tmp_path, capsys):
    folder = str(tmp_path)
    code, out, err = run(capsys, "exercise", "solution", "bce_with_logits_grad", "--dir", folder)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "'tinygrad-xent exercise check bce_with_logits_grad --dir" in err and "--show" in err
    run(capsys, "exercise", "start", "bce_with_logits_grad", "--dir", folder)
    run(capsys, "exercise", "check", "bce_with_logits_grad", "--dir", folder)  # the stub
    assert run(capsys, "exercise", "solution", "bce_with_logits_grad", "--dir", folder)[0] == 2
    write(tmp_path, "bce_with_logits_grad", "def bce_with_logits_grad(x, y, w):\n    return x\n")
    assert run(capsys, "exercise", "check", "bce_with_logits_grad", "--dir", folder)[0] == 1
    code, out, _ = run(capsys, "exercise", "solution", "bce_with_logits_grad", "--dir", folder)
    assert code == 0 and out == solution("bce_with_logits_grad", show=True) + "\n"
    assert (tmp_path / ".checked").read_text() == "bce_with_logits_grad\n"
    assert run(capsys, "exercise", "solution", "mlp_backward", "--dir", folder)[0] == 2


def test_cli_solution_with_show_needs_no_check(tmp_path, capsys):
    code, out, _ = run(capsys, "exercise", "solution", "walk", "--show", "--dir", str(tmp_path))
    assert code == 0 and out.startswith("# Exercise 2 of 16: ") and "def backward(root)" in out


def test_checking_a_file_by_its_path_unlocks_in_its_folder(tmp_path, capsys):
    path = write(tmp_path, "log_backward", "def log_backward(x, g):\n    return g / x\n")
    assert run(capsys, "exercise", "check", str(path))[0] == 0
    assert tx.exercises.checked(str(tmp_path)) == {"log_backward"}


def test_python_solution_is_locked_until_checked_in_python(capsys):
    with pytest.raises(tx.exercises.Locked, match="show=True"):
        solution("nt_xent_grad")
    assert "def nt_xent_grad(" in solution("nt_xent_grad", show=True)
    tx.exercises.check("nt_xent_grad", lambda z_a, z_b, temperature, i: z_a[0])
    assert "def nt_xent_grad(" in solution("nt_xent_grad")


# ---- the docs quote what the code prints ------------------------------------------------------
def columns_and_no_mean(scores, target):
    e = np.exp(scores - scores.max())
    p = e / e.sum(axis=0)  # normalised down the columns, and no 1/N
    p[np.arange(len(p)), target] -= 1
    return p


def both_transposed(a, b, g):
    return b @ g.T, g.T @ a


def test_docs_quote_the_stub_and_the_verdicts_as_printed():
    from pathlib import Path

    page = (Path(__file__).resolve().parent.parent / "docs" / "exercises.md").read_text()
    assert stub("exp_backward") in page
    for name, fn in [
        ("exp_backward", x_for_y_exp),
        ("exp_backward", lambda x, g: g * np.exp(x)),
        ("cross_entropy_dscores", columns_and_no_mean),
        ("matmul_backward", both_transposed),
    ]:
        assert grade(name, fn).message in page
    log = grade("log_backward", lambda x, g: g * x).message
    assert "\n".join("# " + line for line in log.splitlines()) in page


def test_two_mistakes_in_one_answer_and_in_two_answers_get_two_hints():
    message = grade("cross_entropy_dscores", columns_and_no_mean).message
    assert "hint: reduction axis: softmax's normalisation ran over axis 0" in message
    assert "hint: normaliser: dscores is not divided by anything" in message
    message = grade("matmul_backward", both_transposed).message
    assert "hint: transpose: da came out as b @ g.T" in message
    assert "hint: transpose: db came out as g.T @ a" in message
    assert message.count("matmul_backward: FAILED") == 2


# ---- each misbehaviour as a class, over every exercise ----------------------------------------
def returns_none(*args):
    return None


def raises_key_error(*args):
    raise KeyError("oops")


def not_written(*args):
    raise NotImplementedError


def in_float64(name):
    def answer(*args):
        result = EXERCISES[name].solution(*args)
        if isinstance(result, tuple):
            return tuple(np.asarray(r, dtype=np.float64) for r in result)
        return np.asarray(result, dtype=np.float64)

    return answer


def padded(name):
    def answer(*args):
        result = EXERCISES[name].solution(*args)
        if isinstance(result, tuple):
            return (np.append(result[0], 0.0),) + result[1:]
        return np.append(result, 0.0)

    return answer


@pytest.mark.parametrize("name", ARRAY_NAMES)
def test_every_exercise_turns_misbehaviour_into_one_message(name):
    assert "returned None; is the return statement missing?" in grade(name, returns_none).message
    assert f"{name} raised KeyError: 'oops'" in grade(name, raises_key_error).message
    assert grade(name, not_written).status == "not started"
    assert (
        "has the right values but dtype float64; the inputs are float32"
        in grade(name, in_float64(name)).message
    )
    message = grade(name, padded(name)).message
    assert re.search(r"d\w+ has shape \(\d+,\), expected \(", message), message


@pytest.mark.parametrize("name", NAMES)
def test_cli_check_of_every_untouched_stub_is_not_started_exit_1(name, tmp_path, capsys):
    assert run(capsys, "exercise", "start", name, "--dir", str(tmp_path))[0] == 0
    code, out, _ = run(capsys, "exercise", "check", name, "--dir", str(tmp_path))
    assert code == 1
    assert out.startswith(f"{name}: not started (") and out.count("\n") == 1
    assert not tx.exercises.checked(str(tmp_path))  # an untouched stub is not an attempt


# ---- titles and stubs ask, they do not answer ------------------------------------------------
# Each exercise's answer, in the spellings a title or stub could give it away with.
ANSWERS = {
    "value": ["+= out.grad", "other.data * out.grad", "out.data * out.grad", "/ self.data"],
    "walk": ["reversed(", "grad = 1.0", "topological", "seen"],
    "exp_backward": ["g * np.exp(x)", "g * exp(x)", "g * y", "exp(x) = y"],
    "log_backward": ["g / x", "1 / x", "1/x"],
    "mul_backward": ["g * b", "g * a", "dy/da = b", "keepdims=True"],
    "sum_backward": ["expand_dims", "broadcast_to", "= 1:"],
    "max_backward": ["argmax", "x == ", "g / (number"],
    "matmul_backward": ["g @ b.T", "a.T @ g", "b^T", "a^T"],
    "softmax_vjp": ["p * (g", "<g, p>", "diag(p)", "p p^T", "(g * p).sum", "p_i (delta"],
    "log_softmax_vjp": ["g - p", "g - softmax", "g.sum(", "delta_ij - p_j"],
    "cross_entropy_dscores": ["p - one_hot", "one_hot) / N", "p_j - [j == y]", "softmax(s)_j"],
    "cross_entropy_jacobian": ["-1/p_y", "-e_y/p_y", "diag(p)", "p p^T", "p - one_hot"],
    "bce_with_logits_grad": ["sigmoid(x) - y", "s - y", "1 - sigmoid(x)", "s (1 - s)"],
    "nt_xent_grad": ["G + G^T", "(I - u", "u_i (u_i .", "P_ik - [k == p(i)]", "ds_ik/du_i = "],
    "mlp_backward": ["p - one_hot", "h.T @", "(u > 0)", "@ w2.T", "sum(0)", "softmax(scores)"],
    "own_op": ["g - np.exp", "exp(y) *", "g.sum(", "- x.max(", "save_for_backward(y", "sum(g)"],
}


def test_every_exercise_has_its_answers_listed():
    assert set(ANSWERS) == set(EXERCISES)


@pytest.mark.parametrize("name", NAMES)
def test_no_title_stub_list_line_or_docs_give_the_answer(name, tmp_path, capsys):
    from pathlib import Path

    _, listing, _ = run(capsys, "exercise", "list", "--dir", str(tmp_path))
    page = (Path(__file__).resolve().parent.parent / "docs" / "exercises.md").read_text()
    texts = {"title": EXERCISES[name].title, "stub": stub(name), "list": listing, "docs": page}
    for where, text in texts.items():
        for answer in ANSWERS[name]:
            assert answer not in text, f"{name}: the {where} gives away {answer!r}"
