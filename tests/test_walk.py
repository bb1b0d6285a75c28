"""The backward walk against a plain walk written out here, and its one helper, Gradients.

The engine's walk sums gradients in place where it alone holds them and carries indexing's
gradient sparsely (autograd.Gradients). ``plain_walk`` below does neither: the textbook
algorithm with dense arrays and ``total + g``. Both must give the same gradients, on graphs
on both sides of every size threshold the engine has (explain's records: 64 nodes, 10,000
elements).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_xent as tx
from tinygrad_xent import Tensor, autograd
from tinygrad_xent.autograd import Gradients, Scatter


def sum_to_shape(g: np.ndarray, shape: tuple) -> np.ndarray:
    """Undo broadcasting by summing, written out without the engine's helper."""
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for axis, n in enumerate(shape):
        if n == 1 and g.shape[axis] != 1:
            g = g.sum(axis=axis, keepdims=True)
    return g


def plain_walk(loss: Tensor, upstream: np.ndarray) -> dict:
    """Reference gradients: reverse topological order, dense arrays, out-of-place sums."""
    pending = {loss.node: np.asarray(upstream, dtype=np.float64)}
    for node in reversed(tx.tape(loss)):
        grad = pending.pop(node)
        grads = node.op.backward(grad, *node.saved)
        for parent, shape, g in zip(node.parents, node.in_shapes, grads):
            if parent is None:
                continue
            g = g.dense() if isinstance(g, Scatter) else np.array(g, dtype=np.float64)
            g = sum_to_shape(g, shape)
            pending[parent] = pending[parent] + g if parent in pending else g
    return pending  # the leaves


# Ops on a pool of tensors: broadcasting, reuse, picks with repeats, pass-through rules.
def _ops(n, picks):
    return [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a * b,
        lambda a, b: (a * 0.3).exp(),
        lambda a, b: a + (b[picks] * 2.0).sum(),  # a pick with repeats, broadcast back
        lambda a, b: b - a[::-1],
        lambda a, b: tx.concatenate([a[: n // 2], b[n // 2 :]]),
        lambda a, b: a / (1.5 + b * b),
        lambda a, b: tx.where(a > b, a, b * 2.0),
        lambda a, b: tx.maximum(a, b) + a.reshape(1, n).sum(axis=0),
        lambda a, b: (a.reshape(n, 1) * b.reshape(1, n)).sum(axis=0),  # an outer product
    ]


@settings(max_examples=40, deadline=None)
@given(
    program=st.lists(
        st.tuples(st.integers(0, 10), st.integers(0, 99), st.integers(0, 99)),
        min_size=1,
        max_size=30,
    ),
    n=st.sampled_from([6, 12_000]),
    mixed=st.booleans(),
    seed=st.integers(0, 2**31 - 1),
)
def test_the_walk_gives_the_plain_walks_gradients(program, n, mixed, seed):
    rng = np.random.default_rng(seed)
    if n > 100:  # the outer product would be n * n
        program = [(op, i, j) for op, i, j in program if op != 10]
    picks = rng.integers(0, n, 7)
    picks[1] = picks[0]  # an element picked twice
    ops = _ops(n, picks)
    x = Tensor(rng.uniform(-1, 1, n), requires_grad=True)
    # float32 and float64 mixed: a float32 leaf, used through float64 arithmetic
    y = Tensor(
        rng.uniform(-1, 1, n).astype(np.float32 if mixed else np.float64), requires_grad=True
    )
    pool = [x, y, x * 0.5]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for op, i, j in program:
            pool.append(ops[op](pool[i % len(pool)], pool[j % len(pool)]))
        loss = tx.concatenate(pool).sum()
        upstream = np.float64(1.0)
        expected = plain_walk(loss, upstream)
        loss.backward()
    for leaf in (x, y):
        assert leaf.grad.dtype == leaf.dtype
        want = expected.get(leaf, np.zeros(n))
        tolerance = 1e-5 if leaf.dtype == np.float32 else 1e-12
        np.testing.assert_allclose(
            leaf.grad, want.astype(leaf.dtype), rtol=tolerance, atol=tolerance
        )


@pytest.mark.parametrize("n", [6, 20_000])
def test_a_long_graph_past_the_record_threshold_gives_the_plain_gradients(n):
    x = Tensor(np.linspace(0.1, 1.0, n), requires_grad=True)
    h = x
    for i in range(100):  # 100+ nodes: more than explain keeps records for
        h = h * 1.01 + x[[0, 0]].sum() * 1e-3 if i % 10 == 0 else h - 0.001 * h
    loss = (h * h).sum()
    expected = plain_walk(loss, 1.0)[x]
    loss.backward()
    np.testing.assert_allclose(x.grad, expected, rtol=1e-12)


# ---- the helper ------------------------------------------------------------------------------
class _Node:
    """As much of a tape node as Gradients reads: how many inputs want a gradient."""

    def __init__(self, *needs):
        self.wanted = sum(needs)


def test_gradients_adds_in_place_only_into_arrays_it_alone_holds():
    root, a, b, popped = _Node(True), object(), object(), np.ones(3)
    pending = Gradients(root, popped)
    assert pending.pop(root) is popped  # the caller's array: not the walk's
    pending.add(a, popped)  # passed on as it is
    pending.add(a, np.full(3, 2.0))  # a rule's new array
    total = pending._pending[a]
    np.testing.assert_array_equal(popped, np.ones(3))  # the caller's array was not written
    assert total is not popped
    pending.add(a, np.full(3, 4.0))
    assert pending._pending[a] is total  # now the walk's own: summed in place
    np.testing.assert_array_equal(total, [7.0, 7.0, 7.0])
    pending.add(b, Scatter(np.array([0, 0, 2]), np.array([1.0, 1.0, 5.0]), (3,)))
    pending.add(b, np.zeros(3))
    np.testing.assert_array_equal(pending._pending[b], [2.0, 0.0, 5.0])  # repeats both count


def test_the_gradient_passed_on_to_one_input_is_summed_into_in_place():
    root, node, x = _Node(True), _Node(True, False), object()
    pending = Gradients(root, np.ones(4))
    pending.add(node, np.full(4, 2.0))  # a rule's new array: the walk's own
    pending.pop(root)
    popped = pending.pop(node)
    pending.add(x, Scatter(np.array([1]), np.array([5.0]), (4,)))  # a pick of x, walked first
    pending.add(x, popped)  # then sub passes its g on to x, its one input wanting a gradient
    assert pending._pending[x] is popped  # the pick was added into it, no array of zeros
    np.testing.assert_array_equal(popped, [2.0, 7.0, 2.0, 2.0])


def test_the_same_array_handed_to_two_inputs_is_never_written_into():
    first, second, node = object(), object(), _Node(True, True)
    pending = Gradients(_Node(True), np.ones(1))
    pending.add(node, np.ones(4))  # a rule's new array: the walk's alone
    popped = pending.pop(node)
    pending.add(first, popped)
    pending.add(second, popped)  # add hands the very same array to both inputs
    pending.add(first, np.full(4, 10.0))
    np.testing.assert_array_equal(pending._pending[second], np.ones(4))
    np.testing.assert_array_equal(pending._pending[first], np.full(4, 11.0))


def test_mixed_dtypes_sum_in_the_wider_dtype():
    key = object()
    pending = Gradients(_Node(True), np.ones(2, np.float32))
    pending.add(key, np.ones(2, np.float32))
    pending.add(key, np.full(2, 0.5))  # float64 arrives: the sum is float64, never truncated
    assert pending._pending[key].dtype == np.float64
    np.testing.assert_array_equal(pending._pending[key], [1.5, 1.5])


def test_a_leaf_keeps_its_dtype_and_gets_its_own_array():
    x = Tensor(np.ones(3, np.float32), requires_grad=True)
    (x * np.ones(3)).sum().backward()  # float64 flows back to a float32 leaf
    assert x.grad.dtype == np.float32
    upstream = np.ones(3, np.float32)
    x.zero_grad()
    x.backward(upstream)  # a leaf as the root takes the same path
    assert x.grad is not upstream
    np.testing.assert_array_equal(x.grad, upstream)


def test_the_walk_in_the_docs_is_the_walk_in_the_code():
    import inspect
    import re
    from pathlib import Path

    page = (Path(__file__).resolve().parents[1] / "docs" / "how-the-tape-works.md").read_text()
    listing = next(
        block
        for block in re.findall(r"```python\n(.*?)```", page, flags=re.DOTALL)
        if block.startswith("def backward(")
    )
    assert listing == inspect.getsource(autograd.backward)


# ---- the dozen-line walk of docs/how-the-tape-works.md, on every graph the package makes -------
def _docs_plain_backward():
    """``plain_backward`` as the page prints it, run from the page's own text."""
    import re
    from pathlib import Path

    page = (Path(__file__).resolve().parents[1] / "docs" / "how-the-tape-works.md").read_text()
    listing = next(
        block
        for block in re.findall(r"```python\n(.*?)```", page, flags=re.DOTALL)
        if block.startswith("def plain_backward(")
    )
    namespace = {"np": np, "tx": tx, "Scatter": Scatter, "unbroadcast": autograd.unbroadcast}
    exec(listing.split("\n\n\nx = ")[0], namespace)
    return namespace["plain_backward"]


def _graphs():
    """(name, its leaves, a function of nothing making its output): one of each graph kind."""
    import tinygrad_xent.functional as F
    from tinygrad_xent import nn

    r = np.random.default_rng(0)
    x = Tensor(r.normal(size=(4, 3)), requires_grad=True)
    z = Tensor(r.normal(size=(4, 2)), requires_grad=True)
    y = np.array([0, 2, 1, 1])
    model = nn.MLP([2, 5, 3], rng=0)
    ce = Tensor([1.2, 2.3, 0.8], requires_grad=True)  # the worked examples of graph --example
    bce = Tensor([0.8, -1.5], requires_grad=True)
    z_a = Tensor([[1.0, 0.0], [0.0, 1.0]], requires_grad=True)
    z_b = Tensor([[0.8, 0.6], [0.6, -0.8]], requires_grad=True)
    return [
        ("example ce", [ce], lambda: F.cross_entropy(ce, 1)),
        ("example softmax", [ce], lambda: F.softmax(ce)),  # not a scalar: seeded with ones
        ("example bce", [bce], lambda: F.binary_cross_entropy_with_logits(bce, [1.0, 0.0])),
        ("example nt_xent", [z_a, z_b], lambda: F.nt_xent(z_a, z_b, temperature=0.5)),
        ("cross_entropy", [x], lambda: F.cross_entropy(x, y, label_smoothing=0.1)),
        ("cross_entropy probs", [x], lambda: F.cross_entropy(x, F.softmax(x * 2.0).data)),
        ("nll_loss", [x], lambda: F.nll_loss(F.log_softmax(x), y)),
        ("bce", [x], lambda: F.binary_cross_entropy(F.sigmoid(x), (x.data > 0) * 1.0)),
        ("bce_with_logits", [x], lambda: F.binary_cross_entropy_with_logits(x, x.data > 0)),
        ("nt_xent", [z], lambda: F.nt_xent(z[:2], z[2:])),
        ("supcon", [z], lambda: F.supcon(z, [0, 1, 0, 1])),
        ("multi_margin", [x], lambda: F.multi_margin_loss(x, y)),
        ("entropy", [x], lambda: F.entropy(F.softmax(x)).sum()),
        ("large logits", [x], lambda: F.cross_entropy(x * 1e6, y)),
        ("mlp", model.parameters(), lambda: F.cross_entropy(model(z.data), y % 3)),
    ]


@pytest.mark.parametrize("name, leaves, make", _graphs(), ids=[g[0] for g in _graphs()])
def test_the_docs_plain_walk_gives_backwards_gradients_on_every_graph(name, leaves, make):
    plain_backward = _docs_plain_backward()
    out = make()
    pending = plain_backward(out)  # reads the rules and what they saved; frees nothing
    for leaf in leaves:  # (the cases share their leaves)
        leaf.zero_grad()
    out.backward(np.ones(out.shape))
    for leaf in leaves:
        np.testing.assert_allclose(pending[leaf], leaf.grad, rtol=1e-12, atol=1e-15)
