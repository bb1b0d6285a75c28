"""Every primitive op, read from the registry (tx.PRIMITIVES): an op added there is covered here.

Each op is run on a case written below and checked: its node is on the tape, its backward
agrees with finite differences (float64, random upstream weights), float32 stays float32,
0-d inputs work, its math line names each input's gradient, it is exported as tx.NAME, and
explain prints its rule. An op in the registry without a case fails, naming the op.
"""

import re
from pathlib import Path

import numpy as np
import pytest

import tinygrad_xent as tx
from tinygrad_xent import Tensor
from tinygrad_xent.autograd import Op

ROOT = Path(__file__).resolve().parents[1]

# One call per op, on two leaves a and b of shape (2, 3) with values in [0.5, 1.5] (inside
# every op's domain, away from every kink: |x - 1| > 0 almost surely).
CASES = {
    "add": lambda a, b: tx.add(a, b),
    "sub": lambda a, b: tx.sub(a, b),
    "mul": lambda a, b: tx.mul(a, b),
    "div": lambda a, b: tx.div(a, b),
    "neg": lambda a, b: tx.neg(a),
    "pow": lambda a, b: tx.pow(a, b),
    "sqrt": lambda a, b: tx.sqrt(a),
    "abs": lambda a, b: tx.abs(a - b),
    "clip": lambda a, b: tx.clip(a, 0.8, 1.2),
    "exp": lambda a, b: tx.exp(a),
    "log": lambda a, b: tx.log(a),
    "maximum": lambda a, b: tx.maximum(a, b),
    "minimum": lambda a, b: tx.minimum(a, b),
    "where": lambda a, b: tx.where(a.data > 1.0, a, b),
    "relu": lambda a, b: tx.relu(a - 1.0),
    "sigmoid": lambda a, b: tx.sigmoid(a - b),
    "tanh": lambda a, b: tx.tanh(a - b),
    "sum": lambda a, b: tx.sum(a, axis=-1),
    "max": lambda a, b: tx.max(a, axis=0),
    "matmul": lambda a, b: tx.matmul(a, b.T),
    "getitem": lambda a, b: tx.getitem(a, ([0, 0, 1], [2, 2, 0])),  # one element picked twice
    "reshape": lambda a, b: tx.reshape(a, (3, 2)),
    "transpose": lambda a, b: tx.transpose(a),
    "concatenate": lambda a, b: tx.concatenate([a, b], axis=1),
    "stack": lambda a, b: tx.stack([a, b], axis=-1),
}

# Ops that take 0-d tensors: the elementwise ones (their cases above), and those given here.
ZERO_D_CASES = {
    "sum": lambda a, b: tx.sum(a),
    "max": lambda a, b: tx.max(a),
    "reshape": lambda a, b: tx.reshape(a, ()),
    "transpose": lambda a, b: tx.transpose(a),
}
ZERO_D = {
    "add",
    "sub",
    "mul",
    "div",
    "neg",
    "pow",
    "sqrt",
    "abs",
    "clip",
    "exp",
    "log",
    "maximum",
    "minimum",
    "where",
    "relu",
    "sigmoid",
    "tanh",
    *ZERO_D_CASES,
}


def leaves(dtype=np.float64, shape=(2, 3), seed=0):
    rng = np.random.default_rng(seed)
    return [Tensor(rng.uniform(0.5, 1.5, shape).astype(dtype), requires_grad=True) for _ in "ab"]


def missing_cases(registry: dict) -> list[str]:
    """The ops of ``registry`` that have no case here."""
    return sorted(set(registry) - set(CASES))


def check_op(op: Op, case) -> None:
    """Everything checked of one op, on its case."""
    a, b = leaves()
    out = case(a, b)
    assert op.name in [node.name for node in tx.tape(out)], f"the case of {op.name} does not run it"
    weights = np.random.default_rng(1).normal(size=out.shape)  # a uniform g could hide a slip
    assert tx.gradcheck(lambda a, b: (case(a, b) * weights).sum(), a, b)


def test_every_op_in_the_registry_has_a_case():
    assert missing_cases(tx.PRIMITIVES) == [], "add a case to CASES for each of these ops"


@pytest.mark.parametrize("name", sorted(tx.PRIMITIVES))
def test_every_op_agrees_with_finite_differences(name):
    check_op(tx.PRIMITIVES[name], CASES[name])


@pytest.mark.parametrize("name", sorted(tx.PRIMITIVES))
def test_every_op_keeps_float32(name):
    a, b = leaves(np.float32)
    out = CASES[name](a, b)
    out.backward(np.ones(out.shape, np.float32))
    assert out.dtype == np.float32
    for leaf in (a, b):
        assert leaf.grad is None or leaf.grad.dtype == np.float32


@pytest.mark.parametrize("name", sorted(ZERO_D & set(tx.PRIMITIVES)))
def test_every_elementwise_op_takes_0d_inputs(name):
    case = ZERO_D_CASES.get(name, CASES[name])
    a, b = leaves(shape=())
    out = case(a, b)
    assert out.shape == () and type(out.data) is np.ndarray
    assert tx.gradcheck(lambda a, b: case(a, b) * 1.5, a, b)


@pytest.mark.parametrize("name", sorted(tx.PRIMITIVES))
def test_every_math_line_names_the_gradient_of_each_input(name):
    op = tx.PRIMITIVES[name]
    assert op.math.startswith("y = "), op.math
    names = ["x_i"] if op.inputs is None else list(op.inputs)
    for input_name in names:
        assert re.search(rf"\bd{input_name}\b", op.math), f"{name}: no d{input_name} in {op.math}"


@pytest.mark.parametrize("name", sorted(tx.PRIMITIVES))
def test_every_op_is_exported_and_explained(name):
    op = tx.PRIMITIVES[name]
    assert getattr(tx, name) is op.forward and op.forward.__name__ == name
    a, b = leaves()
    out = CASES[name](a, b).sum()
    out.backward()
    assert op.math in tx.explain(out, file=None)


def test_the_readme_lists_every_primitive_op():
    readme = (ROOT / "README.md").read_text()
    line = next(line for line in readme.splitlines() if line.startswith("The primitive ops"))
    assert re.findall(r"`(\w+)`", line) == list(tx.PRIMITIVES)


def test_an_op_added_to_the_registry_is_covered():
    """The tests above read the registry: an op added to it has no case, and is named."""

    def cube(x):
        """y = x ** 3;  dx = g * 3 x ** 2"""
        return tx.tensor._record(CUBE, np.asarray(x.data) ** 3, (x,), (x.data,))

    def wrong_backward(g, x):
        return (g * 3 * x,)  # a slip: x, not x ** 2

    CUBE = Op(cube, wrong_backward, ("x",))
    registry = {**tx.PRIMITIVES, "cube": CUBE}
    assert missing_cases(registry) == ["cube"]
    # Given a case, the checks run on it, and they catch the slip.
    with pytest.raises(tx.GradcheckError, match="input 0"):
        check_op(CUBE, lambda a, b: cube(a))


def test_registry_names_are_the_forward_functions_names():
    for name, op in tx.PRIMITIVES.items():
        assert op.name == name and isinstance(op, Op)
