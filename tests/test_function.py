"""tx.Function: an op of your own goes through the same door as the package's own ops.

A softplus written as a Function is checked as every built-in op is: on the tape, in explain
and draw, against finite differences, under detect_anomaly, with broadcasting, float32, 0-d
inputs, inside an MLP; and every way a backward can be written wrong is an error naming it.
"""

import re
import threading

import numpy as np
import pytest

import tinygrad_xent as tx
import tinygrad_xent.functional as F
from tinygrad_xent import Tensor, nn, optim


class Softplus(tx.Function):
    """y = log(1 + exp(x));  dx = g * sigmoid(x)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.logaddexp(0, x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (1 + np.exp(-x))


class ScaledAdd(tx.Function):
    """y = a + s * b;  da = g,  db = s * g  (s a constant)"""

    @staticmethod
    def forward(ctx, a, b, s):
        ctx.s = float(s)
        return a + ctx.s * b

    @staticmethod
    def backward(ctx, g):
        da = g if ctx.needs_input_grad[0] else None
        db = ctx.s * g if ctx.needs_input_grad[1] else None
        return da, db, None


def leaf(shape, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return Tensor(rng.normal(size=shape).astype(dtype), requires_grad=True)


def test_the_value_and_gradient_are_the_formulas():
    x = leaf((2, 3))
    Softplus.apply(x).sum().backward()
    np.testing.assert_allclose(x.grad, 1 / (1 + np.exp(-x.data)), rtol=1e-14)


def test_gradcheck_with_random_upstream_weights():
    x, w = leaf((3, 4)), np.random.default_rng(1).normal(size=(3, 4))
    assert tx.gradcheck(lambda t: (Softplus.apply(t) * w).sum(), x)
    a, b = leaf((2, 3), 2), leaf((3,), 3)  # b broadcast over a's rows
    assert tx.gradcheck(lambda a, b: (ScaledAdd.apply(a, b, 2.5) * w[:2, :3]).sum(), a, b)


def test_the_walk_sums_a_broadcast_gradient_back():
    a, b = leaf((2, 3)), leaf((3,), 1)
    ScaledAdd.apply(a, b, 2.0).sum().backward()
    np.testing.assert_array_equal(b.grad, [4.0, 4.0, 4.0])  # 2 rows, times s = 2


def test_it_is_on_the_tape_and_explained_and_drawn(tmp_path):
    x = leaf((3,))
    loss = (Softplus.apply(x) * 2.0).sum()
    loss.backward()
    assert [node.name for node in tx.tape(loss)] == ["Softplus", "mul", "sum"]
    text = tx.explain(loss, file=None)
    assert "node 0  Softplus((3,)) -> (3,)" in text
    assert "rule             y = log(1 + exp(x));  dx = g * sigmoid(x)" in text
    expected = 2 / (1 + np.exp(-x.data))
    assert "dx to leaf (3,)  [" + ", ".join(f"{v:.4f}" for v in expected) + "]" in text
    drawing = tx.draw(loss, tmp_path / "graph.png")
    assert (tmp_path / "graph.png").stat().st_size > 1000
    assert drawing.summary.startswith("3 ops, 1 leaf drawn")


def test_input_names_come_from_forward_and_constants_are_shown():
    a, b = leaf((2,)), Tensor([1.0, 2.0])
    y = ScaledAdd.apply(a, b, 3.0).sum()
    y.backward()
    node = tx.tape(y)[0]
    assert node.input_names == ["a", "b", "s"]
    text = tx.explain(y, file=None)
    assert re.search(r"ds to constant \(\)\s+none needed:  3\n", text), text


def test_detect_anomaly_names_the_op():
    class Reciprocal(tx.Function):
        """y = 1 / x;  dx = -g / x ** 2"""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            with np.errstate(divide="ignore"):
                return 1 / x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return -g / x**2

    with tx.detect_anomaly(), pytest.raises(tx.AnomalyError, match="forward of Reciprocal"):
        Reciprocal.apply(Tensor([0.0, 1.0], requires_grad=True))


def test_float32_stays_float32_even_when_the_rule_computes_in_float64():
    class Double64(tx.Function):
        """y = 2 x;  dx = 2 g"""

        @staticmethod
        def forward(ctx, x):
            return 2 * x

        @staticmethod
        def backward(ctx, g):
            return (2 * g).astype(np.float64)

    x = leaf((3,), dtype=np.float32)
    y = Softplus.apply(Double64.apply(x))
    y.sum().backward()
    assert y.dtype == np.float32 and x.grad.dtype == np.float32


def test_0d_inputs_and_numbers():
    x = Tensor(0.5, requires_grad=True)
    y = ScaledAdd.apply(x, 2.0, 4.0)
    y.backward()
    assert y.shape == () and float(y.data) == 8.5 and float(x.grad) == 1.0


def test_in_an_mlp_trained_by_sgd():
    class SoftplusLayer(nn.Module):
        def __call__(self, x):
            return Softplus.apply(x)

    rng = np.random.default_rng(0)
    x, t = rng.normal(size=(32, 2)), rng.integers(0, 2, 32)
    model = nn.Sequential(nn.Linear(2, 8, rng=0), SoftplusLayer(), nn.Linear(8, 2, rng=1))
    opt = optim.SGD(model.parameters(), lr=0.5)
    losses = []
    for _ in range(30):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), t)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]
    first = model[0].weight
    assert tx.gradcheck(
        lambda w: F.cross_entropy(model[2](Softplus.apply(Tensor(x) @ w + model[0].bias)), t),
        Tensor(first.data.copy(), requires_grad=True),
    )


def test_two_threads_use_the_same_op():
    results = {}

    def work(seed):
        x = leaf((50,), seed)
        for _ in range(20):
            x.zero_grad()
            Softplus.apply(x).sum().backward()
        results[seed] = np.allclose(x.grad, 1 / (1 + np.exp(-x.data)))

    threads = [threading.Thread(target=work, args=(s,)) for s in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {1: True, 2: True}


# ---- a backward written wrong is an error naming the op ---------------------------------------
def _op(backward, n_inputs=1):
    """A Function whose forward is the identity (of its first input) and whose rule is given."""

    def forward(ctx, *inputs):
        return inputs[0] * 1.0

    return type("Wrong", (tx.Function,), {"forward": staticmethod(forward), "backward": backward})


@pytest.mark.parametrize(
    "backward, error, message",
    [
        (lambda ctx, g: (g, g), RuntimeError, "Wrong.backward returned 2 gradients for 1 inputs"),
        (lambda ctx, g: None, RuntimeError, "returned None for input 0, which needs a gradient"),
        (lambda ctx, g: "g", TypeError, "gradient of input 0 must be a numpy array, got str"),
        (lambda ctx, g: np.ones(7), RuntimeError, r"backward of Wrong: gradient has shape \(7,\)"),
    ],
    ids=["count", "none", "type", "shape"],
)
def test_a_wrong_backward_is_an_error_naming_the_op(backward, error, message):
    op = _op(staticmethod(backward))
    x = leaf((3,))
    with pytest.raises(error, match=message):
        op.apply(x).sum().backward()
    assert x.grad is None  # nothing reached the leaf


def test_forward_and_backward_must_be_static_methods():
    with pytest.raises(TypeError, match="Function Bad: backward must be a @staticmethod"):

        class Bad(tx.Function):
            @staticmethod
            def forward(ctx, x):
                return x

            def backward(self, g):
                return g


def test_forward_must_return_an_array():
    class ReturnsList(tx.Function):
        @staticmethod
        def forward(ctx, x):
            return [1.0]

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(TypeError, match="ReturnsList.forward must return a numpy array, got list"):
        ReturnsList.apply(leaf((1,)))


def test_function_itself_cannot_be_applied():
    with pytest.raises(TypeError, match="subclass tx.Function"):
        tx.Function.apply(leaf((1,)))


def test_an_op_without_a_docstring_says_so_as_its_rule():
    class Plain(tx.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return 2 * g

    x = leaf((2,))
    y = Plain.apply(x).sum()
    y.backward()
    assert "y = Plain(...)  (no docstring: no math to show)" in tx.explain(y, file=None)
