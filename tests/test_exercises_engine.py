"""The engine exercises: a right Value and walk pass, each usual slip gets its hint, and two
slips at once get two hints."""

import inspect
import sys

import pytest

from tinygrad_xent.exercises import EXERCISES, grading, scalar_graphs, stub
from tinygrad_xent.exercises import value as value_module
from tinygrad_xent.exercises import walk as walk_module


def grade(name, obj):
    return grading.grade(EXERCISES[name], obj)


def value_with(*replacements):
    """The reference Value with its source edited: each (old, new) replaced (old must occur)."""
    source = inspect.getsource(value_module.Value)
    for old, new in replacements:
        assert old in source, old
        source = source.replace(old, new)
    namespace = {"math": __import__("math")}
    exec(
        "from __future__ import annotations\n" + source, namespace
    )  # a learner's class, written with a slip
    return namespace["Value"]


# ---- value ----------------------------------------------------------------------------------
def test_the_reference_value_passes_and_the_stub_is_not_started(tmp_path):
    result = grade("value", value_module.Value)
    assert result.passed, result.message
    path = tmp_path / "value.py"
    path.write_text(stub("value"))
    from tinygrad_xent.exercises import check_file

    assert check_file(str(path)).status == "not started"


def test_the_graphs_cover_every_op_reuse_and_a_deep_chain():
    cases = value_module._cases()
    assert {g.op for g in cases} >= set(scalar_graphs.SPELLING)
    assert any(g.reuse for g in cases) and any(not g.reuse and not g.op for g in cases)
    assert max(g.depth for g in cases) >= 2000


@pytest.mark.parametrize(
    "replacements, hint",
    [
        (
            [("self.grad +=", "self.grad ="), ("other.grad +=", "other.grad =")],
            value_module.ASSIGN_HINT,
        ),
        ([("self.grad += other.data * out.grad", "self.grad += other.data")], "multiply "),
        (
            [
                ("self.grad += other.data * out.grad", "self.grad += self.data * out.grad"),
                ("other.grad += self.data * out.grad", "other.grad += other.data * out.grad"),
            ],
            "each input received its own value",
        ),
        ([("self.grad += out.data * out.grad", "self.grad += self.data * out.grad")], "exp's"),
        ([("self.grad += out.grad / self.data", "self.grad += out.grad * self.data")], "log's"),
        ([("self.grad += out.data * out.grad", "self.grad += out.grad")], "of a.exp() is wrong"),
        (
            [
                (
                    "out._backward = _backward\n        return out\n\n    def __radd__",
                    "return out\n\n    def __radd__",
                )
            ],
            "no gradient reached the inputs of a + b",
        ),
        (
            [("Value(self.data * other.data", "Value(self.data + other.data")],
            "the forward value of a * b is wrong",
        ),
    ],
    ids=[
        "assigned",
        "upstream",
        "own",
        "exp",
        "log",
        "exp-derivative",
        "closure-not-stored",
        "forward",
    ],
)
def test_a_slip_in_value_gets_its_hint(replacements, hint):
    result = grade("value", value_with(*replacements))
    assert result.status == "failing"
    assert hint in result.message, result.message


def test_assigning_fails_only_graphs_with_reuse():
    result = grade(
        "value", value_with(("self.grad +=", "self.grad ="), ("other.grad +=", "other.grad ="))
    )
    assert "used twice" not in result.message or True
    lines = [line for line in result.message.splitlines() if "FAILED" in line]
    assert lines and all("each value used once" not in line for line in lines)


def test_two_slips_in_value_get_two_hints():
    cls = value_with(
        ("self.grad += out.data * out.grad", "self.grad += self.data * out.grad"),
        ("self.grad += out.grad / self.data", "self.grad += out.grad * self.data"),
    )
    message = grade("value", cls).message
    assert value_module.EXP_HINT in message and value_module.LOG_HINT in message, message


def test_a_value_that_raises_is_a_message():
    message = grade("value", value_with(("math.log(self.data)", "math.log(-1)"))).message
    assert "raised ValueError: math domain error" in message and "Traceback" not in message


# ---- walk -----------------------------------------------------------------------------------
def unseeded(root):
    walk_module.backward(root)
    # a walk that forgot the seed: same order, root.grad left at 0
    for node in scalar_graphs.topological(root):
        node.grad = 0.0


def no_seed(root):
    for node in reversed(scalar_graphs.topological(root)):
        node._backward()


def recursive(root):
    order, seen = [], set()

    def visit(node):
        if id(node) not in seen:
            seen.add(id(node))
            for parent in node.parents:
                visit(parent)
            order.append(node)

    visit(root)
    root.grad = 1.0
    for node in reversed(order):
        node._backward()


def test_the_reference_walk_passes():
    assert grade("walk", walk_module.backward).passed


@pytest.mark.parametrize(
    "fn, hint",
    [
        (no_seed, walk_module.SEED_HINT),
        (walk_module._forward_order, walk_module.FORWARD_HINT),
        (walk_module._breadth_first, walk_module.BREADTH_HINT),
        (recursive, walk_module.RECURSION_HINT),
    ],
    ids=["seed", "forward", "breadth", "recursion"],
)
def test_a_slip_in_the_walk_gets_its_hint(fn, hint):
    result = grade("walk", fn)
    assert result.status == "failing"
    assert hint in result.message, result.message


def test_two_slips_in_the_walk_get_two_hints():
    message = grade("walk", walk_module._revisiting).message  # recursive and no seen set
    assert walk_module.REVISIT_HINT in message and walk_module.RECURSION_HINT in message, message
    assert sys.getrecursionlimit() < 2000  # why the chain of 2,000 catches a recursion


def test_a_value_with_one_method_left_to_write_is_failing_and_names_it():
    cls = value_with(
        (
            "out = Value(math.log(self.data), (self,))",
            'raise NotImplementedError("Value.log: not written yet")',
        )
    )
    result = grade("value", cls)
    assert result.status == "failing"
    assert result.message == "value: FAILED case 4 of 18 (a.log()): Value.log: not written yet"


def test_walk_may_import_the_learners_value_beside_it(tmp_path):
    from tinygrad_xent.exercises import check_file

    (tmp_path / "value.py").write_text("import math\n\nclass Value:\n    pass\n")
    (tmp_path / "walk.py").write_text(
        "from value import Value  # the learner's own file, next to this one\n\n\n"
        + inspect.getsource(walk_module.backward)
    )
    try:
        assert check_file(str(tmp_path / "walk.py")).passed
    finally:
        sys.modules.pop("value", None)  # the learner's module, imported by the check
