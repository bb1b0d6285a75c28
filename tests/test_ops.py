"""The ops a learner reaches for, and the PyTorch spellings accepted beside numpy's.

Every new op against numpy's forward and against finite differences in float64 under a random
upstream gradient; every method and dim= spelling against the function it stands for.
"""

import ast
from pathlib import Path

import numpy as np
import pytest

import tinygrad_xent as tx
import tinygrad_xent.functional as F
from tinygrad_xent import Tensor, no_grad, tensor
from tinygrad_xent.nn import MLP, Linear


def leaf(shape, seed=0, low=-2.0, high=2.0):
    rng = np.random.default_rng(seed)
    return Tensor(rng.uniform(low, high, size=shape), requires_grad=True)


def check(fn, *inputs, seed=0):
    """gradcheck ``fn`` under a random upstream gradient (a plain sum can hide a wrong backward)."""
    with no_grad():
        out_shape = fn(*inputs).shape
    upstream = np.random.default_rng(seed).normal(size=out_shape)
    return tx.gradcheck(lambda *xs: (fn(*xs) * upstream).sum(), *inputs)


# (name, our op, numpy's, inputs): each is checked forward and by finite differences.
NEW_OPS = [
    ("minimum", tx.minimum, np.minimum, [leaf((3, 4)), leaf((4,), 1)]),
    ("minimum broadcast", tx.minimum, np.minimum, [leaf((3, 1), 2), leaf((1, 4), 3)]),
    ("abs", tx.abs, np.abs, [leaf((3, 4))]),
    ("sqrt", tx.sqrt, np.sqrt, [leaf((3, 4), low=0.1)]),
    ("clip", lambda x: tx.clip(x, -0.5, 1.0), lambda x: np.clip(x, -0.5, 1.0), [leaf((5, 4))]),
    ("clip low only", lambda x: x.clip(low=0.0), lambda x: np.maximum(x, 0.0), [leaf((6,))]),
    (
        "clip array bounds",
        lambda x: x.clip(np.array([-1.0, 0.0, 0.5]), 1.5),
        lambda x: np.clip(x, [-1.0, 0.0, 0.5], 1.5),
        [leaf((4, 3))],
    ),
    ("min", lambda x: x.min(), np.min, [leaf((3, 4))]),
    ("min axis", lambda x: x.min(axis=1), lambda x: np.min(x, axis=1), [leaf((3, 4))]),
    (
        "min keepdims",
        lambda x: x.min(axis=(0, 2), keepdims=True),
        lambda x: np.min(x, axis=(0, 2), keepdims=True),
        [leaf((2, 3, 4))],
    ),
    ("pow tensor exponent", lambda x, y: x**y, np.power, [leaf((3, 4), low=0.2), leaf((3, 4), 1)]),
    ("pow broadcast exponent", lambda x, y: x**y, np.power, [leaf((3, 4), low=0.2), leaf((4,), 1)]),
    ("rpow", lambda x: 2.0**x, lambda x: 2.0**x, [leaf((3, 4))]),
    (
        "rpow array base",
        lambda x: np.array([0.5, 3.0]) ** x,
        lambda x: np.array([0.5, 3.0]) ** x,
        [leaf((3, 2))],
    ),
    (
        "pow array exponent",
        lambda x: x ** np.array([1.0, 2.0, 3.0]),
        lambda x: x ** np.array([1.0, 2.0, 3.0]),
        [leaf((2, 3))],
    ),
    ("squeeze", lambda x: x.squeeze(), np.squeeze, [leaf((1, 3, 1, 2))]),
    ("squeeze axis", lambda x: tx.squeeze(x, 2), lambda x: np.squeeze(x, 2), [leaf((1, 3, 1, 2))]),
    ("unsqueeze", lambda x: tx.unsqueeze(x, 1), lambda x: np.expand_dims(x, 1), [leaf((3, 2))]),
    ("unsqueeze at the end", lambda x: x.unsqueeze(-1), lambda x: x[..., None], [leaf((3, 2))]),
    ("flatten", tx.flatten, np.ravel, [leaf((2, 3, 4))]),
    (
        "flatten middle",
        lambda x: x.flatten(1, 2),
        lambda x: x.reshape(2, 12, 5),
        [leaf((2, 3, 4, 5))],
    ),
]


@pytest.mark.parametrize("case", NEW_OPS, ids=[c[0] for c in NEW_OPS])
def test_new_ops_match_numpy_and_finite_differences(case):
    _, op, reference, inputs = case
    out = op(*inputs)
    np.testing.assert_allclose(out.data, reference(*[x.data for x in inputs]), rtol=1e-15)
    assert check(op, *inputs)


def test_pow_with_a_tensor_exponent_has_the_textbook_gradients():
    """d(x^y)/dx = y x^(y-1) and d(x^y)/dy = x^y log x, written out."""
    x, y = leaf((4,), 0, low=0.5), leaf((4,), 1)
    (x**y).sum().backward()
    np.testing.assert_allclose(x.grad, y.data * x.data ** (y.data - 1), rtol=1e-14)
    np.testing.assert_allclose(y.grad, x.data**y.data * np.log(x.data), rtol=1e-14)
    p = leaf((3,), 2)
    (2**p).sum().backward()
    np.testing.assert_allclose(p.grad, 2**p.data * np.log(2), rtol=1e-14)


def test_pow_with_a_negative_base_follows_pytorch():
    """A negative base to an integer power: dx is finite, dp is nan (log of a negative)."""
    x, p = Tensor([-2.0], requires_grad=True), Tensor([3.0], requires_grad=True)
    with np.errstate(invalid="ignore"):
        (x**p).sum().backward()
    assert x.grad[0] == 12.0
    assert np.isnan(p.grad[0])


def test_pow_keeps_one_input_on_the_tape_for_a_number_exponent():
    x = leaf((3,))
    assert tx.tape(x**2)[0].in_shapes == ((3,),)
    assert tx.tape(x ** np.ones(3))[0].in_shapes == ((3,), (3,))


def test_argmax_returns_integers_and_records_nothing():
    x = leaf((3, 4, 5))
    for axis in (None, 0, 1, -1):
        index = x.argmax(axis)
        assert index.dtype == np.int64 and index.node is None and not index.requires_grad
        np.testing.assert_array_equal(index.data, np.argmax(x.data, axis=axis))
    assert x.argmax(1, keepdims=True).shape == (3, 1, 5)
    assert tx.argmax(Tensor([1.0, 3.0, 3.0])).item() == 1  # the first of tied maxima
    with pytest.raises(TypeError, match="argmax: axis must be one int"):
        x.argmax((0, 1))


def test_the_new_ops_are_exported():
    for name in (
        "minimum",
        "abs",
        "sqrt",
        "clip",
        "argmax",
        "squeeze",
        "unsqueeze",
        "flatten",
        "manual_seed",
    ):
        assert name in tx.__all__
    for name in ("minimum", "abs", "sqrt", "clip", "argmax", "squeeze", "unsqueeze", "flatten"):
        assert getattr(tx, name) is getattr(tensor, name)


def test_each_primitive_states_its_math_on_its_first_line():
    for op in (tx.minimum, tx.abs, tx.sqrt, tx.clip, tensor.pow):
        first = op.__doc__.splitlines()[0]
        assert first.startswith("y = ") and ("dx" in first or "da" in first)


# ---- PyTorch spellings ----------------------------------------------------------------------
METHODS = {
    "relu": F.relu,
    "sigmoid": F.sigmoid,
    "tanh": F.tanh,
    "abs": tx.abs,
    "sqrt": lambda x: tx.sqrt(x),
    "flatten": tx.flatten,
    "squeeze": tx.squeeze,
    "min": tensor.min,
    "argmax": tx.argmax,
}


@pytest.mark.parametrize("name", sorted(METHODS))
def test_methods_give_what_their_functions_give(name):
    x = Tensor(np.random.default_rng(0).uniform(0.1, 2.0, size=(2, 1, 3)), requires_grad=True)
    method, function = getattr(x, name)(), METHODS[name](x)
    np.testing.assert_array_equal(method.data, function.data)
    if name != "argmax":
        assert check(lambda t: getattr(t, name)(), x)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_methods_name_the_function_in_functional(name):
    # functional.py is a layer above the Tensor, which does not import it: the method says where
    x = leaf((2, 3))
    with pytest.raises(AttributeError, match=rf"Tensor.{name}: .* call F.{name}\(x, dim=...\)"):
        getattr(x, name)(dim=1)


def test_clip_and_unsqueeze_methods():
    x = leaf((2, 3))
    np.testing.assert_array_equal(x.clip(-1, 1).data, np.clip(x.data, -1, 1))
    assert x.unsqueeze(0).shape == (1, 2, 3)
    assert x.unsqueeze(dim=2).shape == (2, 3, 1)


# (call with axis=, call with dim=) for every function and method that takes an axis
DIM_SPELLINGS = {
    "sum": lambda x, **k: x.sum(**k),
    "mean": lambda x, **k: x.mean(**k),
    "max": lambda x, **k: x.max(**k),
    "min": lambda x, **k: x.min(**k),
    "argmax": lambda x, **k: x.argmax(**k),
    "tx.argmax": lambda x, **k: tx.argmax(x, **k),
    "F.softmax": lambda x, **k: F.softmax(x, **k),
    "F.log_softmax": lambda x, **k: F.log_softmax(x, **k),
    "F.logsumexp": lambda x, **k: F.logsumexp(x, **k),
    "F.entropy": lambda x, **k: F.entropy(x.exp(), **k),
    "concatenate": lambda x, **k: tx.concatenate([x, x], **k),
    "stack": lambda x, **k: tx.stack([x, x], **k),
    "unsqueeze": lambda x, **k: x.unsqueeze(**k),
    "tx.sum": lambda x, **k: tensor.sum(x, **k),
}


@pytest.mark.parametrize("name", sorted(DIM_SPELLINGS))
def test_dim_is_accepted_wherever_axis_is(name):
    f = DIM_SPELLINGS[name]
    x = leaf((2, 3, 4))
    for k in (0, 1, -1):
        out = f(x, dim=k)
        if isinstance(out, tx.ValuesIndices):  # max and min: dim= gives PyTorch's pair
            out = out.values
        np.testing.assert_array_equal(out.data, f(x, axis=k).data)
    with pytest.raises(TypeError, match=r"got both axis=1 and dim=1, two spellings"):
        f(x, axis=1, dim=1)


def test_squeeze_takes_dim():
    x = leaf((2, 1, 3))
    assert x.squeeze(dim=1).shape == (2, 3)
    with pytest.raises(TypeError, match="^squeeze: got both axis=1 and dim=1"):
        x.squeeze(1, dim=1)


def test_positional_axis_reads_as_in_pytorch():
    x = leaf((2, 3))
    np.testing.assert_array_equal(x.argmax(1).data, np.argmax(x.data, 1))
    np.testing.assert_array_equal(F.softmax(x, 0).data, F.softmax(x, axis=0).data)
    np.testing.assert_array_equal(x.sum(0).data, x.data.sum(0))


def test_tensor_py_does_not_import_functional_at_module_level():
    """The layering: the activation methods import functional.py when called."""
    source = Path(tensor.__file__).read_text()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [alias.name for alias in node.names] + [getattr(node, "module", "") or ""]
            assert not any("functional" in name for name in names)


# ---- manual_seed ----------------------------------------------------------------------------
def parameters(model):
    return [p.data.copy() for p in model.parameters()]


def test_manual_seed_makes_the_default_initialisation_repeat():
    tx.manual_seed(0)
    first = parameters(MLP([2, 8, 3])) + parameters(Linear(3, 2))
    tx.manual_seed(0)
    again = parameters(MLP([2, 8, 3])) + parameters(Linear(3, 2))
    tx.manual_seed(1)
    other = parameters(MLP([2, 8, 3])) + parameters(Linear(3, 2))
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not any(np.array_equal(a, b) for a, b in zip(first, other))
    # Unseeded in between, two models differ: the Generator moves on.
    assert not np.array_equal(Linear(3, 2).weight.data, Linear(3, 2).weight.data)


def test_rng_stays_the_explicit_way_and_wins_over_manual_seed():
    tx.manual_seed(0)
    seeded = Linear(3, 2, rng=5).weight.data
    tx.manual_seed(123)
    assert np.array_equal(Linear(3, 2, rng=5).weight.data, seeded)
    assert np.array_equal(Linear(3, 2, rng=np.random.default_rng(5)).weight.data, seeded)


@pytest.mark.parametrize(
    "seed, error", [(-1, ValueError), (1.5, TypeError), ("0", TypeError), (True, TypeError)]
)
def test_manual_seed_checks_its_seed(seed, error):
    with pytest.raises(error, match="^manual_seed: seed must be an integer >= 0, got"):
        tx.manual_seed(seed)


# A float64 array constant promotes float32 to float64, as numpy does (and as mul does).
FLOAT64_CONSTANTS = {"clip array bounds", "rpow array base", "pow array exponent"}


@pytest.mark.parametrize(
    "case",
    [c for c in NEW_OPS if c[0] not in FLOAT64_CONSTANTS],
    ids=[c[0] for c in NEW_OPS if c[0] not in FLOAT64_CONSTANTS],
)
def test_new_ops_keep_float32(case):
    """float32 in, float32 out and float32 gradients, Python numbers and all."""
    _, op, _, inputs = case
    inputs32 = [Tensor(x.data.astype(np.float32), requires_grad=True) for x in inputs]
    out = op(*inputs32)
    assert out.dtype == np.float32
    out.backward(np.ones(out.shape, np.float32))
    assert all(x.grad.dtype == np.float32 for x in inputs32)
