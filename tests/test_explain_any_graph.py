"""explain, draw and `tinygrad-xent graph` on every graph a learner meets: each CLI example,
every loss and activation in functional.py, an MLP on a batch, the models of examples/.

What explain says each leaf received is checked against the leaf's ``.grad`` (the walk's own
answer), so a wrong label, a missed use or a broadcast left unsummed fails.
"""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

import tinygrad_xent as tx
import tinygrad_xent.functional as F
from tinygrad_xent import Tensor, cli, nn
from tinygrad_xent.autograd import tape
from tinygrad_xent.explain import WORKED_EXAMPLES, format_values, leaf_gradients, worked_example

RNG = np.random.default_rng(0)
X34 = RNG.normal(size=(3, 4))
P34 = F.softmax(X34).data
Y3 = np.array([0, 3, 1])
Z_A, Z_B = RNG.normal(size=(2, 3)), RNG.normal(size=(2, 3))

# name -> (inputs, f(*leaves) -> loss): every public function of functional.py
LOSSES = {
    "relu": ([X34], lambda x: F.relu(x).sum()),
    "sigmoid": ([X34], lambda x: F.sigmoid(x).sum()),
    "log_sigmoid": ([X34], lambda x: F.log_sigmoid(x).sum()),
    "tanh": ([X34], lambda x: F.tanh(x).sum()),
    "logsumexp": ([X34], lambda x: F.logsumexp(x).sum()),
    "log_softmax": ([X34], lambda x: (F.log_softmax(x) * P34).sum()),
    "softmax": ([X34], lambda x: (F.softmax(x) * X34).sum()),
    "cross_entropy": ([X34], lambda x: F.cross_entropy(x, Y3)),
    "cross_entropy_probs_smoothing_weight": (
        [X34],
        lambda x: F.cross_entropy(x, P34, weight=[1.0, 2.0, 0.5, 1.0], label_smoothing=0.1),
    ),
    "cross_entropy_ignore_index": (
        [X34],
        lambda x: F.cross_entropy(x, np.array([0, -100, 2]), label_smoothing=0.2),
    ),
    "nll_loss": ([X34], lambda x: F.nll_loss(F.log_softmax(x, axis=1), Y3)),
    "binary_cross_entropy": ([P34], lambda p: F.binary_cross_entropy(p, (P34 > 0.25) * 1.0)),
    "binary_cross_entropy_zero_prob": (
        [np.array([0.0, 0.5, 1.0])],
        lambda p: F.binary_cross_entropy(p, [0.0, 1.0, 1.0]),
    ),
    "binary_cross_entropy_with_logits": (
        [X34],
        lambda x: F.binary_cross_entropy_with_logits(
            x, (X34 > 0) * 1.0, pos_weight=np.full(4, 2.0)
        ),
    ),
    "nt_xent": ([Z_A, Z_B], lambda a, b: F.nt_xent(a, b, temperature=0.3)),
    "supcon": ([np.vstack([Z_A, Z_B])], lambda f: F.supcon(f, [0, 1, 0, 1], temperature=0.5)),
    "multi_margin_loss": ([X34], lambda x: F.multi_margin_loss(x, Y3)),
    "entropy": ([P34], lambda p: F.entropy(p).sum()),
    "mse_loss": ([X34], lambda x: F.mse_loss(x, P34)),
}


def _leaves(values):
    return [Tensor(np.array(v, dtype=np.float64), requires_grad=True) for v in values]


def _check_explain_matches_the_walk(loss, leaves):
    """explain's per-leaf totals are the leaves' .grad; its text shows them; draw works."""
    text = tx.explain(loss, file=None)
    assert text.startswith("explain: backward through")
    totals = leaf_gradients(tape(loss))
    assert len(totals) == len(leaves)
    for leaf in leaves:
        _, total, _ = totals[id(leaf)]
        np.testing.assert_allclose(
            total, leaf.grad, rtol=1e-6 if leaf.dtype == np.float32 else 1e-12, atol=1e-15
        )
        assert format_values(leaf.grad).split("\n")[0] in text
    fig = tx.draw(loss)
    assert max(fig.get_size_inches()) * 130 < 40_000


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_every_loss_in_functional(name):
    values, f = LOSSES[name]
    leaves = _leaves(values)
    loss = f(*leaves)
    loss.backward()
    _check_explain_matches_the_walk(loss, leaves)


def test_every_public_function_of_functional_is_covered():
    public = {
        n
        for n in dir(F)
        if not n.startswith("_")
        and callable(getattr(F, n))
        and getattr(getattr(F, n), "__module__", "") == F.__name__
    }
    covered = {n.split("_probs")[0].split("_ignore")[0].split("_zero")[0] for n in LOSSES}
    assert public <= covered


@pytest.mark.parametrize("name", WORKED_EXAMPLES)
def test_every_cli_example(name, tmp_path, capsys):
    loss = worked_example(name)
    leaves = [p for node in tape(loss) for p in node.parents if isinstance(p, Tensor)]
    leaves = list({id(leaf): leaf for leaf in leaves}.values())
    _check_explain_matches_the_walk(loss, leaves)
    assert cli.main(["graph", "--example", name, "--out", str(tmp_path / "g.png")]) == 0
    out, err = capsys.readouterr()
    assert err == "" and "Traceback" not in out
    assert out.startswith("explain: backward through") and (tmp_path / "g.png").exists()


def test_the_softmax_example_gives_row_1_of_the_jacobian():
    p = worked_example("softmax")
    leaf = tape(p)[0].parents[0]
    jac = tx.jacobian(F.softmax, [1.2, 2.3, 0.8])
    np.testing.assert_allclose(leaf.grad, jac[1], rtol=1e-12)
    np.testing.assert_allclose(leaf.grad, [-0.1375, 0.2296, -0.0922], atol=5e-5)
    text = tx.explain(p, file=None)
    assert "output = [0.2139, 0.6427, 0.1434]" in text
    assert "g arriving (sum of 2 uses)  [-0.4130,  0.2296, -0.4130]" in text  # exp feeds 2


SEVERAL_LEAVES = [
    ([(2, 3), (3, 2)], lambda a, b: (a @ b).sum()),
    ([(1,), (1,)], lambda a, b: (a * b).sum()),
    ([(4,), (4,), (4,)], lambda a, b, c: (a * b + c * a).sum()),
    ([(), (2, 2)], lambda a, b: (a * b).sum()),
]


@pytest.mark.parametrize("shapes, f", SEVERAL_LEAVES)
def test_several_leaves_of_any_shape_even_with_equal_values(shapes, f):
    # Equal values on purpose: leaves are told apart by identity, never by ==.
    leaves = [Tensor(np.ones(s), requires_grad=True) for s in shapes]
    loss = f(*leaves)
    loss.backward()
    _check_explain_matches_the_walk(loss, leaves)
    text = tx.explain(loss, file=None)
    for i in range(len(leaves)):
        assert f"leaf {i} {leaves[i].shape}.grad" in text


@pytest.mark.parametrize(
    "sizes, loss_name",
    [
        ([2, 5, 3], "ce"),
        ([2, 100, 3], "ce"),
        ([2, 3], "ce"),
        ([64, 64, 16], "nt_xent"),
        ([64, 64, 16], "supcon"),
    ],
)
def test_mlps_and_the_models_of_examples(sizes, loss_name):
    # [2, 100, 3] and [2, 3]: examples/spiral.py; [64, 64, 16]: examples/contrastive.py
    model = nn.MLP(sizes, rng=1, out_scale=1.0)
    x = np.random.default_rng(2).normal(size=(8, sizes[0]))
    if loss_name == "ce":
        loss = F.cross_entropy(model(x), np.arange(8) % sizes[-1])
    elif loss_name == "nt_xent":
        loss = F.nt_xent(model(x[:4]), model(x[4:] * 0.1 + x[:4]))
    else:
        loss = F.supcon(model(x), np.arange(8) % 3)
    loss.backward()
    _check_explain_matches_the_walk(loss, model.parameters())
    text = tx.explain(loss, file=None)
    for name, _ in model.named_parameters():
        assert f"\n  {name} (" in text  # named by its path, as state_dict names it


def test_constants_the_losses_make_are_named_with_their_values():
    text = tx.explain(worked_example("ce"), file=None)
    assert "db to constant (1, 1)   none needed:  row max = [[2.3]]" in text
    text = tx.explain(worked_example("bce"), file=None)
    assert "none needed:  shift m = max(x, 0) = [0.8, 0]" in text
    assert f"none needed:  e^-m = [{np.exp(-0.8):.4f}, 1]" in text
    text = tx.explain(worked_example("nt_xent"), file=None)
    assert f"diagonal push: min {np.finfo(np.float64).min:.4g}, max 0" in text
    assert "1 / temperature = 2" in text
    p = Tensor([0.0, 0.5], requires_grad=True)
    loss = F.binary_cross_entropy(p, [0.0, 1.0])
    loss.backward()
    assert "clamp: log floor = -100" in tx.explain(loss, file=None)


def test_a_big_graph_is_cut_and_says_so():
    x = Tensor(np.ones(3), requires_grad=True)
    h = x
    for _ in range(100):
        h = h * 1.01
    loss = h.sum()
    loss.backward(retain_graph=True)
    text = tx.explain(loss, file=None, max_nodes=10)
    assert "... nodes 90 to 0 (91 more) left out" in text
    assert text.count("\nnode ") == 10
    assert f"{1.01**100:.4f}" in text
    assert tx.explain(loss, file=None, max_nodes=None).count("\nnode ") == 101
    with pytest.raises(ValueError, match="max_nodes must be None or an integer >= 1, got 0"):
        tx.explain(loss, max_nodes=0)


def test_a_graph_too_big_to_record_names_retain_graph_and_the_reason():
    x = Tensor(np.ones((200, 100)), requires_grad=True)
    loss = (x * 2.0).sum()
    loss.backward()
    text = tx.explain(loss, file=None)
    assert "an output of 20000 elements (more than 10000)" in text
    assert "loss.backward(retain_graph=True)" in text


def test_in_a_notebook_explain_shows_once(capsys):
    text = tx.explain(worked_example("ce"), file=None)
    text._ipython_display_()  # displayed in a cell without having been printed: it prints
    assert capsys.readouterr().out == text + "\n"


def test_tape_and_history_reprs_are_short():
    x = Tensor(np.ones(2), requires_grad=True)
    h = x
    for _ in range(2000):
        h = h * 1.0
    assert len(repr(tx.tape(h)).splitlines()) == 21
    from tinygrad_xent.train import History

    history = History(
        loss=[1.0] * 2000,
        accuracy=[0.5] * 2000,
        chance=np.log(3),
        n_classes=3,
        final_loss=0.25,
        final_accuracy=0.9,
        seconds=2.0,
    )
    assert repr(history) == (
        "History(2000 steps, loss 1.0000 -> 1.0000 (chance log 3 = "
        "1.0986), final loss 0.2500, final accuracy 90.0%, 2.0 s)"
    )


@pytest.mark.parametrize("loss_name", ["naive_loss", "stable_loss"])
def test_the_float32_linear_model_of_nan_hunt(loss_name):
    path = Path(__file__).resolve().parents[1] / "examples" / "nan_hunt.py"
    spec = importlib.util.spec_from_file_location("nan_hunt", path)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    x, labels = example.clusters()
    w = Tensor(np.full((2, 3), 0.01, np.float32), requires_grad=True)
    loss = getattr(example, loss_name)(x @ w, np.eye(3, dtype=np.float32)[labels])
    loss.backward()
    _check_explain_matches_the_walk(loss, [w])


def test_a_thousand_leaves_are_listed_up_to_twenty_and_counted():
    leaves = [Tensor([float(i)], requires_grad=True) for i in range(1000)]
    loss = (tx.concatenate(leaves) * np.arange(1000.0)).sum()
    loss.backward()
    text = tx.explain(loss, file=None)
    assert (
        "node 0  concatenate((1,), (1,), (1,), (1,), (1,), (1,), (1,), (1,), ... (1000 "
        "inputs)) -> (1000,)" in text
    )
    assert "dx_7 to leaf 7 (1,)  [7.0000]" in text  # 8 inputs shown per node
    assert "... 992 more inputs, dx_8 to dx_999, left out" in text
    assert "leaf 19 (1,).grad (1 use):\n    [19.0000]" in text
    assert "leaf 20 (1,).grad" not in text
    assert "... 980 more leaves left out" in text
    assert len(text.splitlines()) < 100


def test_parameters_are_named_by_their_path_in_nested_models():
    class Encoder(nn.Module):
        def __init__(self):
            self.trunk = nn.MLP([2, 3, 2], rng=0)
            self.head = nn.Linear(2, 1, rng=1)

        def forward(self, x):
            return self.head(self.trunk(x))

    model = Encoder()
    names = [name for name, _ in model.named_parameters()]
    assert names == [
        "trunk.0.weight",
        "trunk.0.bias",
        "trunk.2.weight",
        "trunk.2.bias",
        "head.weight",
        "head.bias",
    ]
    assert [t.name for t in model.parameters()] == names  # the names explain and draw show
    assert set(model.state_dict()) == set(names)
