"""What a PyTorch user types first: each habit works with PyTorch's meaning (the numbers
checked against the numpy formula), or fails with a message that names the call to use.

Run with -s to see the count: ``python -m pytest -s tests/test_pytorch_habits.py``.
"""

import re
from types import SimpleNamespace

import numpy as np
import pytest

import tinygrad_xent as tx
import tinygrad_xent.functional as F
import tinygrad_xent.nn as nn
from tinygrad_xent import Tensor

X = np.array([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])  # (2, 3): two rows, so a pair and two
LOGITS = np.array([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])  # rows' maxima unpack alike
TARGET = np.array([0, 2])


def fresh() -> SimpleNamespace:
    """New tensors for each habit: x requires grad, c is a constant."""
    return SimpleNamespace(
        x=Tensor(X.copy(), requires_grad=True),
        c=Tensor(X.copy()),
        logits=Tensor(LOGITS.copy(), requires_grad=True),
        target=tx.tensor(TARGET),
    )


def _softmax(z):
    e = np.exp(z - z.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def _backward(e):
    (e.x * e.x).sum().backward()
    return e.x.grad


def _no_grad(e):
    with tx.no_grad():
        return (e.x * 2).requires_grad


def _seeded(e):
    tx.manual_seed(0)
    first = tx.randn(3).data
    tx.manual_seed(0)
    return np.array_equal(first, tx.randn(3).data)


def _unpacked(e):
    v, i = e.x.max(dim=1)
    return v, i


CE = -np.log(_softmax(LOGITS)[[0, 1], TARGET]).mean()
BCE = np.mean(np.log1p(np.exp(-LOGITS)))  # every target 1: -log sigmoid(x)

# (what the user types, how it runs on fresh tensors e, the numpy answer)
WORKS = [
    ("x.sum(dim=1, keepdim=True)", lambda e: e.x.sum(dim=1, keepdim=True), X.sum(1, keepdims=True)),
    ("x.mean(dim=0)", lambda e: e.x.mean(dim=0), X.mean(0)),
    ("v, i = x.max(dim=1)", _unpacked, (X.max(1), X.argmax(1))),
    ("x.max(1).indices", lambda e: e.x.max(1).indices, X.argmax(1)),
    ("x.min(dim=0).values", lambda e: e.x.min(dim=0).values, X.min(0)),
    ("x.argmax(dim=1)", lambda e: e.x.argmax(dim=1), X.argmax(1)),
    ("x.argmin(dim=1)", lambda e: e.x.argmin(dim=1), X.argmin(1)),
    ("x.transpose(0, 1)", lambda e: e.x.transpose(0, 1), X.T),
    ("x.t()", lambda e: e.x.t(), X.T),
    ("x.T", lambda e: e.x.T, X.T),
    ("x.permute(1, 0)", lambda e: e.x.permute(1, 0), X.T),
    ("x.view(-1)", lambda e: e.x.view(-1), X.reshape(-1)),
    ("x.view(3, 2)", lambda e: e.x.view(3, 2), X.reshape(3, 2)),
    ("x.reshape(-1)", lambda e: e.x.reshape(-1), X.reshape(-1)),
    ("x.flatten()", lambda e: e.x.flatten(), X.reshape(-1)),
    ("x.unsqueeze(0)", lambda e: e.x.unsqueeze(0), X[None]),
    ("x.squeeze(dim=0) (size 2: unchanged)", lambda e: e.x.squeeze(dim=0), X),
    ("x.pow(2)", lambda e: e.x.pow(2), X**2),
    ("x.exp()", lambda e: e.x.exp(), np.exp(X)),
    ("x.clamp(min=0)", lambda e: e.x.clamp(min=0), np.clip(X, 0, None)),
    ("x.clamp(-1, 1)", lambda e: e.x.clamp(-1, 1), np.clip(X, -1, 1)),
    ("x.relu()", lambda e: e.x.relu(), np.maximum(X, 0)),
    ("x.sigmoid()", lambda e: e.x.sigmoid(), 1 / (1 + np.exp(-X))),
    ("x.abs()", lambda e: e.x.abs(), np.abs(X)),
    ("c.float()", lambda e: e.c.float().dtype == np.float32, True),
    ("c.double()", lambda e: e.c.double().dtype == np.float64, True),
    ("x.tolist()", lambda e: e.x.tolist(), X.tolist()),
    ("x.sum().item()", lambda e: e.x.sum().item(), X.sum()),
    ("float(loss)", lambda e: float(e.x.sum()), X.sum()),
    ('f"{loss:.4f}"', lambda e: f"{e.x.sum():.4f}", f"{X.sum():.4f}"),
    ("x.norm()", lambda e: e.x.norm(), np.sqrt((X**2).sum())),
    ("x.std()", lambda e: e.x.std(), X.std(ddof=1)),
    ("x.var(dim=0)", lambda e: e.x.var(dim=0), X.var(0, ddof=1)),
    ("x.numel()", lambda e: e.x.numel(), X.size),
    ("x.dim()", lambda e: e.x.dim(), X.ndim),
    ("x.shape[0]", lambda e: e.x.shape[0], 2),
    ("c.requires_grad_()", lambda e: e.c.requires_grad_().requires_grad, True),
    ("x.detach().numpy()", lambda e: e.x.detach().numpy(), X),
    ("x @ x.T", lambda e: e.x @ e.x.T, X @ X.T),
    ("loss.backward(); x.grad", _backward, 2 * X),
    ("with tx.no_grad(): ...", _no_grad, False),
    ("tx.manual_seed(0)", _seeded, True),
    ("tx.tensor([1.0, 2.0])", lambda e: tx.tensor([1.0, 2.0]), np.array([1.0, 2.0])),
    ("tx.zeros(2, 3)", lambda e: tx.zeros(2, 3), np.zeros((2, 3))),
    ("tx.ones(2, 3)", lambda e: tx.ones(2, 3), np.ones((2, 3))),
    ("tx.randn(2, 3)", lambda e: tx.randn(2, 3).shape, (2, 3)),
    ("tx.rand(2, 3)", lambda e: bool(((t := tx.rand(2, 3).data) >= 0).all() & (t < 1).all()), True),
    ("tx.arange(5)", lambda e: tx.arange(5), np.arange(5)),
    ("tx.zeros_like(x)", lambda e: tx.zeros_like(e.x), np.zeros_like(X)),
    ("tx.ones_like(x)", lambda e: tx.ones_like(e.x), np.ones_like(X)),
    ("tx.cat([x, x], dim=1)", lambda e: tx.cat([e.x, e.x], dim=1), np.concatenate([X, X], 1)),
    ("tx.stack([x, x], dim=0)", lambda e: tx.stack([e.x, e.x], dim=0), np.stack([X, X])),
    ("F.mse_loss(x, y)", lambda e: F.mse_loss(e.x, np.zeros((2, 3))), (X**2).mean()),
    ("F.cross_entropy(logits, y)", lambda e: F.cross_entropy(e.logits, e.target), CE),
    ("nn.CrossEntropyLoss()", lambda e: nn.CrossEntropyLoss()(e.logits, e.target), CE),
    ("nn.MSELoss()", lambda e: nn.MSELoss()(e.x, np.zeros((2, 3))), (X**2).mean()),
    ("nn.BCEWithLogitsLoss()", lambda e: nn.BCEWithLogitsLoss()(e.logits, np.ones((2, 3))), BCE),
    ("np.exp(x)", lambda e: np.exp(e.x), np.exp(X)),
    ("np.sum(x)", lambda e: np.sum(e.x), X.sum()),
    ("np.mean(x)", lambda e: np.mean(e.x), X.mean()),
    ("np.dot(a, x)", lambda e: np.dot(np.ones(2), e.x), X.sum(0)),
    ("np.concatenate([x, x])", lambda e: np.concatenate([e.x, e.x]), np.concatenate([X, X])),
    ("np.maximum(x, 0)", lambda e: np.maximum(e.x, 0), np.maximum(X, 0)),
]

# (what the user types, how it runs, the call the message must name)
REFUSED = [
    ("x.size(0)", lambda e: e.x.size(0), "x.shape[0]"),
    ("x.size()", lambda e: e.x.size(), "x.shape"),
    ("x.softmax(dim=1)", lambda e: e.x.softmax(dim=1), "F.softmax(x, dim=...)"),
    ("x.float() on a float64 leaf", lambda e: e.x.float(), "dtype=np.float32"),
    ("np.sin(x)", lambda e: np.sin(e.x), "tx.Function"),
]


def _same(got, expected) -> bool:
    """Whether a habit's result is the numpy answer: Tensors by value, pairs item by item."""
    if isinstance(expected, tuple) and isinstance(got, tuple) and len(got) == len(expected):
        if all(isinstance(v, (int, np.integer)) for v in expected):
            return got == expected  # a shape
        return all(_same(g, e) for g, e in zip(got, expected))
    if isinstance(expected, (str, bool, list)):
        return type(got) is type(expected) and got == expected
    if isinstance(got, tuple):  # a pair where an array was expected: the silent mix-up
        return False
    got = np.asarray(got.data if isinstance(got, Tensor) else got)
    return got.shape == np.shape(expected) and np.allclose(got, expected)


def _works(habit) -> bool:
    _, run, expected = habit
    try:
        return _same(run(fresh()), expected)
    except Exception:
        return False


def _refusal(habit) -> str | None:
    """The message of the error the habit raises, or None if it raised nothing."""
    _, run, _ = habit
    try:
        run(fresh())
    except (TypeError, ValueError, AttributeError, RuntimeError) as err:
        return str(err)
    return None


def test_the_habits_count():
    working = [h[0] for h in WORKS if _works(h)]
    total = len(WORKS) + len(REFUSED)
    print(f"\n{len(working)} of {total} PyTorch habits work; refused, naming the call to use:")
    for snippet, _, alternative in REFUSED:
        print(f"  {snippet}: {_refusal((snippet, _, alternative))}")
    assert total >= 40
    assert len(working) >= 36
    assert len(working) + len(REFUSED) == total, {h[0] for h in WORKS} - set(working)


@pytest.mark.parametrize("habit", WORKS, ids=[h[0] for h in WORKS])
def test_each_habit_gives_pytorchs_answer(habit):
    snippet, run, expected = habit
    got = run(fresh())
    assert _same(got, expected), f"{snippet}: got {got!r}, expected {expected!r}"


@pytest.mark.parametrize("habit", REFUSED, ids=[h[0] for h in REFUSED])
def test_each_refusal_names_the_call_to_use(habit):
    snippet, _, alternative = habit
    message = _refusal(habit)
    assert message is not None, f"{snippet} ran instead of being refused"
    assert alternative in message, message


def test_values_and_indices_unpack_and_keep_the_graph():
    e = fresh()
    values, indices = e.x.max(dim=1, keepdim=True)
    assert values.shape == indices.shape == (2, 1) and indices.dtype == np.int64
    values.sum().backward()
    np.testing.assert_array_equal(e.x.grad, X == X.max(1, keepdims=True))
    assert tx.max(e.x, dim=0).indices.tolist() == X.argmax(0).tolist()
    assert tx.max(e.x, 1).values.tolist() == X.max(1).tolist()  # torch.max(x, 1)
    assert tx.min(e.x, dim=0).values.tolist() == X.min(0).tolist()


def test_axis_keeps_numpys_meaning():
    e = fresh()
    assert isinstance(e.x.max(axis=1), Tensor) and isinstance(tx.max(e.x, axis=1), Tensor)
    np.testing.assert_array_equal(e.x.var(axis=0).data, X.var(0))  # ddof=0, as np.var
    np.testing.assert_array_equal(e.x.transpose((1, 0)).data, X.T)
    with pytest.raises(ValueError, match="pass dim= for that"):
        e.x.squeeze(0)


def test_transpose_swaps_two_axes_of_any_tensor():
    x = Tensor(np.arange(24.0).reshape(2, 3, 4))
    np.testing.assert_array_equal(x.transpose(0, 2).data, np.swapaxes(x.data, 0, 2))
    np.testing.assert_array_equal(x.transpose(-1, 1).data, np.swapaxes(x.data, -1, 1))
    np.testing.assert_array_equal(x.transpose(2, 0, 1).data, x.data.transpose(2, 0, 1))
    with pytest.raises(ValueError, match="x.transpose"):
        x.t()


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda x: x.sum(dim=1, keepdims=True, keepdim=True), "sum: got both keepdims"),
        (lambda x: x.max(1, axis=1), "max: got both axis=1 and dim=1"),
        (lambda x: x.max(dim=(0, 1)), "for the values over several axes use numpy's"),
        (lambda x: x.var(correction=1, ddof=0), "var: got correction=1 and ddof=0"),
        (lambda x: x.norm(p=-1), "norm: p must be a number > 0"),
        (lambda x: format(x, ".2f"), "needs a one-element tensor, got shape (2, 3)"),
        (lambda x: float(x), "float() needs a one-element tensor"),
        (lambda x: (x * 2).requires_grad_(), "requires_grad_: only a leaf's flag"),
    ],
)
def test_confusing_calls_say_what_was_meant(call, message):
    with pytest.raises((TypeError, ValueError, RuntimeError), match=re.escape(message)):
        call(fresh().x)


def test_var_corrections():
    x = fresh().x
    np.testing.assert_allclose(x.var(unbiased=False).data, X.var())
    np.testing.assert_allclose(x.var(correction=0, dim=1).data, X.var(1))
    np.testing.assert_allclose(x.var(axis=1, ddof=1).data, X.var(1, ddof=1))
    np.testing.assert_allclose(x.std(dim=1, keepdim=True).data, X.std(1, ddof=1, keepdims=True))
    upstream = np.array([0.3, -1.2, 0.7])  # not uniform: a sum() can hide a wrong backward
    assert tx.gradcheck(lambda t: (t.var(dim=0) * upstream).sum(), Tensor(X, requires_grad=True))


def test_norms():
    x = Tensor(X, requires_grad=True)
    np.testing.assert_allclose(x.norm(p=1).data, np.abs(X).sum())
    np.testing.assert_allclose(x.norm(p=np.inf, dim=1).data, np.abs(X).max(1))
    np.testing.assert_allclose(x.norm(p=3, dim=0).data, (np.abs(X) ** 3).sum(0) ** (1 / 3))
    upstream = np.array([[0.3], [-1.2]])
    assert tx.gradcheck(lambda t: (t.norm(dim=1, keepdim=True) * upstream).sum(), x)


def test_factories():
    assert tx.tensor([0, 2]).dtype == np.int64 and tx.tensor([True]).dtype == bool
    assert tx.tensor(np.ones(2, np.float32)).dtype == np.float32
    source = np.ones(2)
    assert tx.tensor(source).data is not source  # a copy, as torch.tensor makes
    assert tx.zeros((2, 3)).shape == tx.zeros(2, 3).shape == (2, 3)
    assert tx.ones(2, dtype=np.float32).dtype == np.float32
    assert tx.full((2,), 7.0).tolist() == [7.0, 7.0]
    assert tx.arange(0, 1, 0.5).tolist() == [0.0, 0.5]
    assert tx.randn(2, rng=0).tolist() == tx.randn(2, rng=0).tolist()
    assert tx.randn_like(Tensor(np.ones(3, np.float32))).dtype == np.float32
    assert tx.rand_like(np.ones((2, 2))).shape == (2, 2)
    assert tx.full_like(np.ones(2), 3.0).tolist() == [3.0, 3.0]
    assert tx.randn(2, requires_grad=True).requires_grad
    with pytest.raises(TypeError, match="zeros: size must be integers >= 0"):
        tx.zeros(2.5)


def test_the_loss_modules_call_the_functions():
    e = fresh()
    weight = np.array([1.0, 2.0, 0.5])
    module = nn.CrossEntropyLoss(weight=weight, label_smoothing=0.1, reduction="sum")
    expected = F.cross_entropy(e.logits, e.target, weight, label_smoothing=0.1, reduction="sum")
    np.testing.assert_array_equal(module(e.logits, e.target).data, expected.data)
    probs = e.logits.sigmoid()
    np.testing.assert_allclose(nn.BCELoss()(probs, np.ones((2, 3))).data, BCE)
    log_probs = F.log_softmax(e.logits, dim=1)
    np.testing.assert_allclose(nn.NLLLoss()(log_probs, e.target).data, CE)
    assert repr(nn.MSELoss(reduction="sum")) == "MSELoss(reduction='sum')"


def test_mse_loss():
    x = Tensor(X, requires_grad=True)
    y = np.ones_like(X)
    np.testing.assert_allclose(F.mse_loss(x, y, reduction="none").data, (X - 1) ** 2)
    np.testing.assert_allclose(F.mse_loss(x, y, reduction="sum").data, ((X - 1) ** 2).sum())
    F.mse_loss(x, y).backward()
    np.testing.assert_allclose(x.grad, 2 * (X - 1) / X.size)
    assert tx.gradcheck(lambda t: F.mse_loss(t, y), Tensor(X, requires_grad=True))
    with pytest.raises(ValueError, match=r"mse_loss: target has shape \(3,\) but input"):
        F.mse_loss(x, np.ones(3))
    with pytest.raises(ValueError, match="mse_loss: reduction must be"):
        F.mse_loss(x, y, reduction="avg")
