"""The engine: every op's gradient against finite differences, and the tape's lifecycle."""

import tracemalloc
import weakref

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_xent as tx
from tinygrad_xent import Tensor, no_grad


def leaf(shape, rng, low=-2.0, high=2.0, dtype=np.float64):
    return Tensor(rng.uniform(low, high, size=shape).astype(dtype), requires_grad=True)


def check(fn, *inputs, seed=0):
    """gradcheck ``fn`` under a random upstream gradient (a plain sum can hide a wrong backward)."""
    with no_grad():
        out_shape = fn(*inputs).shape
    upstream = np.random.default_rng(seed).normal(size=out_shape)
    return tx.gradcheck(lambda *xs: (fn(*xs) * upstream).sum(), *inputs)


# Pairs of shapes that broadcast, in both directions and with size-1 axes on either side.
broadcast_pairs = hnp.mutually_broadcastable_shapes(
    num_shapes=2, min_dims=0, max_dims=3, max_side=3
)
seeds = st.integers(0, 2**31 - 1)


@given(broadcast_pairs, seeds)
@pytest.mark.parametrize(
    "op",
    [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a * b,
        lambda a, b: a / b,
        lambda a, b: tx.maximum(a, b),
    ],
)
def test_binary_ops_broadcast_in_both_directions(op, shapes, seed):
    rng = np.random.default_rng(seed)
    a = leaf(shapes.input_shapes[0], rng)
    b = leaf(shapes.input_shapes[1], rng, 0.5, 2.0)  # away from 0 for division
    assert check(op, a, b, seed=seed)


@given(hnp.array_shapes(min_dims=0, max_dims=3, max_side=4), seeds)
@pytest.mark.parametrize(
    "op",
    [
        lambda x: x.exp(),
        lambda x: x.log(),
        lambda x: -x,
        lambda x: x**3,
        lambda x: x**0.5,
        lambda x: x**-1.5,
        lambda x: 2 - x,
        lambda x: 3 / x,
        lambda x: np.full(x.shape, 2.0) * x,
        lambda x: x.mean(),
        lambda x: x.sum(),
        lambda x: x.max(),
    ],
)
def test_unary_ops(op, shape, seed):
    rng = np.random.default_rng(seed)
    assert check(op, leaf(shape, rng, 0.5, 2.0), seed=seed)


@st.composite
def shape_and_axis(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
    axis = draw(st.sampled_from([None, *range(-len(shape), len(shape))]))
    return shape, axis, draw(st.booleans())


@given(shape_and_axis(), seeds)
@pytest.mark.parametrize("reduce", ["sum", "mean", "max"])
def test_reductions_over_any_axis_with_and_without_keepdims(reduce, case, seed):
    shape, axis, keepdims = case
    x = leaf(shape, np.random.default_rng(seed))
    out = getattr(x, reduce)(axis=axis, keepdims=keepdims)
    assert out.shape == getattr(np, reduce)(x.data, axis=axis, keepdims=keepdims).shape
    assert check(lambda t: getattr(t, reduce)(axis=axis, keepdims=keepdims), x, seed=seed)


@pytest.mark.parametrize(
    "a_shape, b_shape",
    [
        ((3,), (3,)),
        ((3,), (3, 4)),
        ((2, 3), (3,)),
        ((2, 3), (3, 4)),
        ((5, 2, 3), (3, 4)),
        ((2, 3), (5, 3, 4)),
        ((5, 2, 3), (5, 3, 4)),
        ((1, 2, 3), (5, 3, 4)),
        ((3,), (5, 3, 4)),
        ((5, 2, 3), (3,)),
    ],
)
def test_matmul_1d_2d_and_batched(a_shape, b_shape):
    rng = np.random.default_rng(1)
    a, b = leaf(a_shape, rng), leaf(b_shape, rng)
    np.testing.assert_allclose((a @ b).data, np.matmul(a.data, b.data))
    assert check(lambda a, b: a @ b, a, b)
    assert check(lambda b: np.ones(a_shape) @ b, b)  # an array on the left


def test_indexing_basic_and_integer_arrays_with_repeats():
    rng = np.random.default_rng(2)
    x = leaf((4, 5), rng)
    rows, cols = np.array([0, 1, 1, 3]), np.array([2, 0, 0, 4])
    assert check(lambda t: t[rows, cols], x)
    assert check(lambda t: t[1:3, ::2], x)
    assert check(lambda t: t[..., -1], x)
    assert check(lambda t: t[None, 2], x)
    x.zero_grad()
    x[rows, cols].sum().backward()
    assert x.grad[1, 0] == 2.0  # picked twice: both picks count
    assert x.grad.sum() == 4.0


def test_shape_ops_and_joins():
    rng = np.random.default_rng(3)
    x, y = leaf((2, 3, 4), rng), leaf((2, 3, 4), rng)
    assert check(lambda t: t.reshape(6, 4), x)
    assert check(lambda t: t.reshape((4, 6)), x)
    assert check(lambda t: t.transpose(2, 0, 1), x)
    assert check(lambda t: t.transpose(), x)
    assert check(lambda t: t.T, x)
    assert check(lambda a, b: tx.concatenate([a, b], axis=1), x, y)
    assert check(lambda a, b: tx.stack([a, b, a], axis=-1), x, y)
    assert check(lambda a, b: tx.where(a.data > 0, a, b * 2), x, y)
    assert tx.concatenate([x, y], axis=2).shape == (2, 3, 8)
    assert tx.stack([x, y], axis=1).shape == (2, 2, 3, 4)


def test_public_example_gradient_matches_the_chain_rule():
    x = Tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    y = ((x * 2 - 1) / 3).exp().log().sum()  # log(exp(u)) = u, so y = sum((2x - 1) / 3)
    y.backward()
    assert y.item() == pytest.approx((2 * 6 - 3) / 3)
    np.testing.assert_allclose(x.grad, [[2 / 3, 2 / 3, 2 / 3]])
    assert (x.shape, x.dtype, x.ndim, x.size, len(x)) == ((1, 3), np.float64, 2, 3, 1)


def test_numbers_and_arrays_on_either_side_of_every_operator():
    x = Tensor([1.0, 2.0, 4.0], requires_grad=True)
    ones = np.ones(3)
    results = [
        2 + x,
        x + 2,
        2 - x,
        x - 2,
        3 * x,
        x * 3,
        8 / x,
        x / 8,
        -x,
        x**2,
        ones * x,
        x * ones,
        ones - x,
        ones / x,
        ones @ x,
        x @ ones,
    ]
    expected = [
        [3, 4, 6],
        [3, 4, 6],
        [1, 0, -2],
        [-1, 0, 2],
        [3, 6, 12],
        [3, 6, 12],
        [8, 4, 2],
        [1 / 8, 1 / 4, 1 / 2],
        [-1, -2, -4],
        [1, 4, 16],
        [1, 2, 4],
        [1, 2, 4],
        [0, -1, -3],
        [1, 1 / 2, 1 / 4],
        7,
        7,
    ]
    for result, want in zip(results, expected):
        assert isinstance(result, Tensor)
        np.testing.assert_allclose(result.data, want)
    sum(results[1:], results[0]).sum().backward()
    # d/dx of the sum of all the expressions above, term by term; the two dot products are
    # scalars broadcast over 3 elements, so each counts 3 times
    want = (
        1
        + 1
        - 1
        + 1
        + 3
        + 3
        - 8 / x.data**2
        + 1 / 8
        - 1
        + 2 * x.data
        + 1
        + 1
        - 1
        - 1 / x.data**2
        + 3
        + 3
    )
    np.testing.assert_allclose(x.grad, want)


def test_comparisons_return_boolean_arrays_and_record_nothing():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    for result, want in [
        (x < 2, [1, 0, 0]),
        (x <= 2, [1, 1, 0]),
        (x > 2, [0, 0, 1]),
        (x >= 2, [0, 1, 1]),
        (x == 2, [0, 1, 0]),
        (x != 2, [1, 0, 1]),
    ]:
        assert type(result) is np.ndarray and result.dtype == bool
        np.testing.assert_array_equal(result, np.array(want, dtype=bool))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept_through_forward_and_backward(dtype):
    rng = np.random.default_rng(4)
    x, w = leaf((3, 4), rng, dtype=dtype), leaf((4, 2), rng, dtype=dtype)
    out = ((x @ w) * 2.5 - 1).exp().log() / 3.0
    out = tx.maximum(out, 0.1).max(axis=1).mean() ** 2
    assert out.dtype == dtype
    out.backward()
    assert x.grad.dtype == dtype and w.grad.dtype == dtype


def test_python_lists_become_float64_and_arrays_keep_their_dtype():
    assert Tensor([1, 2, 3]).dtype == np.float64
    assert Tensor(2).dtype == np.float64
    assert Tensor(np.arange(3)).dtype == np.int64
    assert Tensor(np.zeros(2, np.float32)).dtype == np.float32
    labels = Tensor(np.array([2, 0]))
    logits = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    np.testing.assert_array_equal(logits[np.arange(2), labels].data, [2.0, 3.0])


def test_gradients_accumulate_until_zero_grad():
    x = Tensor([1.0, -2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad, [3 + 2, 3 - 4])
    x.zero_grad()
    assert x.grad is None
    (x * 5).sum().backward()
    np.testing.assert_allclose(x.grad, [5, 5])


def test_a_reused_tensor_gets_every_contribution():
    a = Tensor([3.0], requires_grad=True)
    b = a + a  # 2a
    c = b * b  # 4a^2, dc/da = 8a
    c.backward()
    np.testing.assert_allclose(a.grad, [24.0])


@pytest.mark.slow  # over half a second: the whole suite runs it
def test_a_chain_of_100_000_ops_backpropagates_without_recursion():
    x = Tensor([1.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0001
    y.backward()
    np.testing.assert_allclose(x.grad, [1.0001**100_000], rtol=1e-9)


def test_no_grad_records_nothing_and_detach_cuts_the_graph():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with no_grad():
        z = x * 2
    assert z.requires_grad is False and z.node is None
    assert tx.is_grad_enabled()

    @no_grad()
    def double(t):
        return t * 2

    assert double(x).requires_grad is False

    y = x * x.detach()  # only the first factor carries a gradient
    y.sum().backward()
    np.testing.assert_allclose(x.grad, x.data)
    assert not x.detach().requires_grad


def test_max_splits_the_gradient_equally_among_ties():
    x = Tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], requires_grad=True)
    x.max(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad, [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])


def test_maximum_splits_a_tie_half_and_half():
    a = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = Tensor([2.0, 2.0, 2.0], requires_grad=True)
    tx.maximum(a, b).sum().backward()
    np.testing.assert_allclose(a.grad, [0, 0.5, 1])
    np.testing.assert_allclose(b.grad, [1, 0.5, 0])


class DoubleWrong(tx.Function):
    """y = 2 x;  dx = g  (wrong: the factor 2 is forgotten)"""

    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g


def test_gradcheck_catches_a_wrong_backward():
    x = Tensor(np.random.default_rng(5).normal(size=(2, 3)), requires_grad=True)
    with pytest.raises(tx.GradcheckError, match=r"input 0 .* backward gives .* finite"):
        tx.gradcheck(lambda t: (DoubleWrong.apply(t) * np.arange(6.0).reshape(2, 3)).sum(), x)
    assert tx.gradcheck(lambda t: (t * 2 * np.arange(6.0).reshape(2, 3)).sum(), x)


def test_gradcheck_leaves_the_inputs_untouched_and_checks_float32_in_float64():
    x = Tensor(np.array([0.3, 0.7], np.float32), requires_grad=True)
    assert tx.gradcheck(lambda t: (t.exp() * t).sum(), x)
    assert x.grad is None and x.dtype == np.float32


def test_gradcheck_errors():
    with pytest.raises(ValueError, match="no input has requires_grad"):
        tx.gradcheck(lambda t: t.sum(), Tensor([1.0]))
    with pytest.raises(ValueError, match="one-element Tensor, got \\(2,\\)"):
        tx.gradcheck(lambda t: t * 2, Tensor([1.0, 2.0], requires_grad=True))


def test_a_second_backward_through_a_freed_graph_is_an_error():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * 2).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="freed .*retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * 2).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad, 4 * np.exp(x.data))


def test_backward_frees_the_arrays_each_node_saved():
    x = Tensor(np.ones(3), requires_grad=True)
    y = x.exp().log().sum()
    nodes = tx.tape(y)
    assert all(node.saved is not None for node in nodes)
    y.backward()
    assert all(node.saved is None for node in nodes)


def test_backward_on_a_non_scalar_needs_grad():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"pass grad= an array of shape \(2,\)"):
        (x * 2).backward()
    (x * 2).backward(grad=np.array([1.0, 10.0]))
    np.testing.assert_allclose(x.grad, [2.0, 20.0])
    with pytest.raises(ValueError, match=r"grad has shape \(3,\) but the output has shape"):
        (x * 2).backward(grad=np.ones(3))


def test_integer_and_boolean_tensors_cannot_require_grad():
    with pytest.raises(TypeError, match="requires_grad=True needs floating-point data, got int64"):
        Tensor(np.arange(3), requires_grad=True)
    with pytest.raises(TypeError, match="got bool"):
        Tensor(np.array([True]), requires_grad=True)


def test_other_errors_name_what_was_wrong():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0]).sum().backward()
    with pytest.raises(
        ValueError,
        match=r"sum: axis \(x has shape \(2,\)\) must be an integer "
        r"in \[-1, 0\], got 3",
    ):
        x.sum(axis=3)
    with pytest.raises(ValueError, match="item: only a one-element tensor"):
        x.item()
    with pytest.raises(TypeError, match="data must be numeric"):
        Tensor(np.array(["a"]))


def test_tape_lists_the_nodes_in_recorded_order():
    x = Tensor([[1.2, 2.3, 0.8]], requires_grad=True)
    w = Tensor(np.ones((3, 2)), requires_grad=True)
    loss = (x @ w).exp().sum()
    nodes = tx.tape(loss)
    assert [node.name for node in nodes] == ["matmul", "exp", "sum"]
    lines = str(nodes).splitlines()
    assert lines[0].split()[:2] == ["0", "matmul"] and "(1, 3), (3, 2)" in lines[0]
    assert lines[0].endswith("-> (1, 2)") and lines[2].endswith("-> ()")
    assert str(tx.tape(Tensor([1.0]))).startswith("(empty tape")
    assert "exp" in repr(loss.node.parents[0]) and "y = exp(x)" in nodes[1].rule


def test_repr_shows_values_dtype_and_op():
    x = Tensor([1.0, 2.0], requires_grad=True)
    assert repr(x) == "Tensor([1., 2.], dtype=float64, requires_grad=True, grad=None)"
    assert repr(x.exp().sum()).endswith("dtype=float64, op=sum)")
    assert repr(Tensor(np.zeros((4, 5), np.float32))) == "Tensor(shape=(4, 5), dtype=float32)"


def test_forward_passes_never_backpropagated_do_not_grow_memory():
    w = Tensor(np.random.default_rng(6).normal(size=(32, 32)), requires_grad=True)
    x = np.ones((8, 32))

    def forward_pass():
        return (x @ w).exp().sum(axis=1).log().mean()  # like an eval loop without no_grad

    tracemalloc.start()
    for _ in range(1000):  # fills Python's and numpy's free lists and caches first
        forward_pass()
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(3000):
        forward_pass()
    after = tracemalloc.get_traced_memory()[0]
    kept = [forward_pass() for _ in range(100)]  # what 100 passes cost when kept alive
    cost_of_100 = tracemalloc.get_traced_memory()[0] - after
    tracemalloc.stop()
    assert len(kept) == 100 and cost_of_100 > 100_000  # each graph holds ~KB of arrays
    # 3000 dropped graphs: nothing stays alive. One kept graph in 30 would add 100 KB; what
    # moves below that is Python's and numpy's free lists settling (numpy 1.x more so).
    assert after - before < cost_of_100


def test_leaves_given_the_same_array_get_gradients_of_their_own():
    x, y = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True)
    (x + y).sum().backward()  # add hands the very same array to both inputs
    assert x.grad is not y.grad
    x.grad *= 10
    np.testing.assert_allclose(y.grad, [1.0, 1.0])


def test_gradients_summed_in_place_leave_everything_else_untouched():
    x = Tensor(np.linspace(-1, 1, 50_000), requires_grad=True)  # too large for explain records
    y = x.exp()
    loss = (y * 1.0 + y * 2.0 + y * 3.0 + y[::2].sum() * 0 + y).sum()
    loss.backward(retain_graph=True)
    np.testing.assert_allclose(x.grad, 7 * np.exp(x.data))
    x.zero_grad()
    loss.backward()  # the saved arrays were not overwritten by the first walk
    np.testing.assert_allclose(x.grad, 7 * np.exp(x.data))


def test_what_explain_records_is_not_overwritten_by_later_sums():
    x = Tensor([0.5, 1.0, 2.0], requires_grad=True)
    y = x.exp()
    loss = y[0] + y.sum()  # y receives [1, 0, 0] from y[0] and [1, 1, 1] from the sum
    loss.backward()
    pick = next(node for node in tx.tape(loss) if node.name == "getitem")
    np.testing.assert_array_equal(pick.grads_in[0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(x.grad, np.exp(x.data) * [2, 1, 1])


@given(hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, max_side=3), seeds)
def test_where_broadcasts_condition_and_both_branches(shapes, seed):
    rng = np.random.default_rng(seed)
    cond_shape, a_shape, b_shape = shapes.input_shapes
    cond = rng.random(cond_shape) > 0.5
    a, b = leaf(a_shape, rng), leaf(b_shape, rng)
    np.testing.assert_array_equal(tx.where(cond, a, b).data, np.where(cond, a.data, b.data))
    assert check(lambda a, b: tx.where(cond, a, b), a, b, seed=seed)


@given(
    st.integers(1, 3),
    st.integers(1, 3),
    st.integers(1, 3),
    st.lists(st.integers(1, 3), max_size=2),
    seeds,
)
def test_matmul_over_random_sizes_and_batch_shapes(n, k, m, batch, seed):
    rng = np.random.default_rng(seed)
    a, b = leaf((*batch, n, k), rng), leaf((k, m), rng)
    np.testing.assert_allclose((a @ b).data, a.data @ b.data)
    assert check(lambda a, b: a @ b, a, b, seed=seed)


@given(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), seeds)
def test_integer_array_indexing_with_repeats_over_random_shapes(shape, seed):
    rng = np.random.default_rng(seed)
    x = leaf(shape, rng)
    picks = rng.integers(0, shape[0], size=5)  # repeats likely: their gradients add up
    assert check(lambda t: t[picks], x, seed=seed)
    assert check(lambda t: tx.concatenate([t, t[picks]], axis=0), x, seed=seed)
    assert check(lambda t: tx.stack([t, t * 2], axis=-1), x, seed=seed)


def test_shape_errors_name_the_op_and_the_shapes():
    with pytest.raises(ValueError, match=r"matmul: shapes \(2, 3\) and \(2, 3\) do not fit"):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"reshape: cannot reshape array of size 2"):
        Tensor([1.0, 2.0]).reshape(3)
    with pytest.raises(IndexError, match=r"getitem: index 5 is out of bounds"):
        Tensor([1.0, 2.0])[5]
    with pytest.raises(ValueError, match=r"concatenate: tensors is empty"):
        tx.concatenate([])
    with pytest.raises(ValueError, match=r"stack: all input arrays must have the same shape"):
        tx.stack([Tensor([1.0]), Tensor([1.0, 2.0])])
    with pytest.raises(ValueError, match=r"Tensor: data must be a number or a rectangular"):
        Tensor([[1.0, 2.0], [3.0]])


# Graphs this large keep no explain records, so the walk owns the gradients it makes and sums
# them in place; small graphs take the path without ownership. Both must give the same numbers.
walk_sizes = pytest.mark.parametrize("n", [6, 60_000])


@walk_sizes
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_picked_gradients_are_added_into_the_other_gradients(n, dtype):
    x = Tensor(np.linspace(-1, 1, n).astype(dtype), requires_grad=True)
    picks = np.array([0, 0, 2, n - 1])  # element 0 picked twice
    y = x.exp()
    # The picks reach y before and after its dense gradients, and x gets a pick of its own.
    loss = y[picks].sum() * 3.0 + (y * 2.0).sum() + y[1:3].sum() + x[[1]].sum()
    loss.backward()
    counts = np.bincount(picks, minlength=n) * 3.0
    counts[1:3] += 1.0
    expected = np.exp(x.data.astype(np.float64)) * (2.0 + counts)
    expected[1] += 1.0
    assert x.grad.dtype == dtype
    np.testing.assert_allclose(x.grad, expected, rtol=1e-6)


@walk_sizes
def test_a_tensor_used_only_through_picks_gets_a_plain_gradient(n):
    x = Tensor(np.zeros(n), requires_grad=True)
    (x[[1, 1]].sum() + x[:2].sum() * 10.0).backward()
    expected = np.zeros(n)
    expected[:2] = [10.0, 12.0]
    assert type(x.grad) is np.ndarray
    np.testing.assert_array_equal(x.grad, expected)


@walk_sizes
def test_gradients_passed_on_as_they_are_stay_unshared(n):
    # add hands the same g to both inputs and sub passes g on to a: the walk may add into such
    # a g only when nobody else received it.
    a = Tensor(np.full(n, 2.0), requires_grad=True)
    b = Tensor(np.full(n, 3.0), requires_grad=True)
    d = (a * b) - 1.0  # recorded first, so walked after s has handed its g to a and to b
    s = a + b
    loss = (s.exp() * 0 + s).sum() + d.sum() + a[[0]].sum() + s[[0, 0]].sum()
    loss.backward()
    expected_a, expected_b = 1.0 + b.data, 1.0 + a.data
    expected_a[0] += 3.0
    expected_b[0] += 2.0
    np.testing.assert_allclose(a.grad, expected_a)
    np.testing.assert_allclose(b.grad, expected_b)
    assert a.grad is not b.grad


class OuterSum(tx.Function):
    """y = u + v, broadcast;  du = g,  dv = g  (of y's shape: the walk sums each back)"""

    @staticmethod
    def forward(ctx, u, v):
        return u + v

    @staticmethod
    def backward(ctx, g):
        return g, g


def test_the_walk_sums_a_gradient_back_to_a_broadcast_input():
    u, v = Tensor(np.zeros((2, 1)), requires_grad=True), Tensor(np.zeros(3), requires_grad=True)
    OuterSum.apply(u, v).backward(np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(u.grad, [[3.0], [12.0]])
    np.testing.assert_array_equal(v.grad, [3.0, 5.0, 7.0])


class BadRule(tx.Function):
    """y = x;  dx = ones(5)  (wrong: not x's shape)"""

    @staticmethod
    def forward(ctx, x):
        return x * 1

    @staticmethod
    def backward(ctx, g):
        return np.ones(5)


def test_a_gradient_of_the_wrong_shape_is_an_error_naming_the_op():
    u = Tensor(np.zeros(3), requires_grad=True)
    with pytest.raises(
        RuntimeError,
        match=r"backward of BadRule: gradient has shape \(5,\) "
        r"but its input has shape \(3,\)",
    ):
        BadRule.apply(u).sum().backward()


@walk_sizes
def test_the_gradient_given_to_backward_is_never_written_into(n):
    x = Tensor(np.ones(n), requires_grad=True)
    h = x * 1.0
    out = h * 2.0 + (h - 1.0)  # sub passes the upstream array on to h, which has another use
    upstream = np.full(n, 0.5)
    out.backward(upstream)
    np.testing.assert_array_equal(upstream, np.full(n, 0.5))
    np.testing.assert_allclose(x.grad, np.full(n, 1.5))


@pytest.mark.parametrize(
    "op, needs_input",
    [
        (lambda h: h * 3.0, False),  # da = g * 3: the number, not h
        (lambda h: 3.0 / h, True),  # db = -g * y / h
        (lambda h: h / 3.0, False),
        (lambda h: h + 1.0, False),
        (lambda h: 1.0 - h, False),
        (lambda h: -h, False),
        (lambda h: h.exp(), False),  # exp keeps its output, not its input
        (lambda h: h.log(), True),  # dx = g / h
        (lambda h: h.sum(axis=1), False),
        (lambda h: h.mean(), False),
        (lambda h: h @ np.ones((5, 2)), False),  # da = g @ b^T needs only b
        (lambda h: np.ones((3, 4)) @ h, False),  # db = a^T @ g needs only a
        (lambda h: h[[0, 2], [1, 1]], False),
        (lambda h: h * h, True),
        (lambda h: h.max(axis=0), True),  # finds the winners in h
        (lambda h: tx.maximum(h, 1.5), True),
    ],
    ids=[
        "mul",
        "rdiv",
        "div",
        "add",
        "rsub",
        "neg",
        "exp",
        "log",
        "sum",
        "mean",
        "matmul_a",
        "matmul_b",
        "getitem",
        "square",
        "max",
        "maximum",
    ],
)
def test_an_op_keeps_only_the_arrays_its_backward_uses(op, needs_input):
    x = Tensor(np.linspace(1.0, 2.0, 20).reshape(4, 5), requires_grad=True)
    h = x * 1.0  # an intermediate whose array nothing else holds (20 values: no node.value)
    kept = weakref.ref(h.data)
    out = op(h)
    del h
    assert (kept() is not None) == needs_input
    out.sum().backward()
    assert x.grad.shape == (4, 5) and np.isfinite(x.grad).all()


@given(
    st.lists(
        st.tuples(st.integers(0, 6), st.integers(0, 99), st.integers(0, 99)),
        min_size=1,
        max_size=12,
    ),
    seeds,
)
def test_summing_in_place_gives_what_summing_out_of_place_gives(program, seed):
    # A random graph over arrays too large for explain records, so the walk owns and sums
    # in place; walked with retain_graph=True it keeps records and owns nothing. Both walks
    # must give the same gradients.
    n = 12_000
    picks = np.random.default_rng(seed).integers(0, n, 50)  # with repeats, like targets
    ops = [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a * b,
        lambda a, b: (a * 0.3).exp(),
        lambda a, b: a + (b[picks] * 2.0).sum(),  # a pick, summed and broadcast back
        lambda a, b: b - a[::-1],
        lambda a, b: tx.concatenate([a[:100], b[100:]]),
    ]

    def gradient(retain_graph):
        x = Tensor(np.random.default_rng(seed).uniform(-1, 1, n), requires_grad=True)
        pool = [x, x * 0.5]
        # A long chain of products may overflow; both walks then see the same inf and nan.
        with np.errstate(over="ignore", invalid="ignore"):
            for op, i, j in program:
                pool.append(ops[op](pool[i % len(pool)], pool[j % len(pool)]))
            tx.concatenate(pool).sum().backward(retain_graph=retain_graph)
        return x.grad

    np.testing.assert_allclose(gradient(False), gradient(True), rtol=1e-12, atol=1e-12)
