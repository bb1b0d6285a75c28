"""tx.draw: a PNG of sensible size for the worked examples, and a polite refusal when too big."""

import os

import matplotlib.image
import numpy as np
import pytest

import tinygrad_xent as tx
import tinygrad_xent.functional as F
from tinygrad_xent import Tensor, nn
from tinygrad_xent.explain import worked_example


def _texts(fig) -> list:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


@pytest.mark.parametrize("name", ["ce", "bce", "nt_xent"])
def test_worked_examples_make_a_readable_png(tmp_path, name):
    path = tmp_path / f"{name}.png"
    fig = tx.draw(worked_example(name), path)
    assert os.path.getsize(path) > 20_000
    height, width = matplotlib.image.imread(path).shape[:2]
    width_in, height_in = fig.get_size_inches()
    assert abs(width - width_in * 130) <= 1 and abs(height - height_in * 130) <= 1
    assert 500 < width < 3000 and 800 < height < 6000
    assert [p.name for p in tmp_path.iterdir()] == [f"{name}.png"]  # no temporary left over


def test_boxes_show_shape_value_and_gradient():
    fig = tx.draw(worked_example("ce"))
    texts = _texts(fig)
    assert "leaf (3,)" in texts
    assert "value [1.2000, 2.3000, 0.8000]" in texts
    assert "grad  [ 0.2139, -0.3573,  0.1434]" in texts
    assert "loss ()" in texts
    assert "value 0.4421" in texts
    # one op box per tape node, labelled with its position
    nodes = tx.tape(worked_example("ce"))
    assert sorted(f"node {i}" for i in range(len(nodes))) == sorted(
        t for t in texts if t.startswith("node")
    )


def test_before_backward_no_gradients_are_drawn():
    x = Tensor([1.0, 2.0], requires_grad=True)
    texts = _texts(tx.draw((x.exp() * x).sum()))
    assert not any(t.startswith("grad") for t in texts)
    assert any("call loss.backward()" in t for t in texts)


def test_a_graph_that_kept_no_gradients_says_how_to_keep_them():
    x = Tensor(np.ones((200, 100)), requires_grad=True)
    loss = (x * 2.0).sum()
    loss.backward()  # 20,000 elements: too big to keep what flowed, by default
    texts = _texts(tx.draw(loss))
    assert not any(t.startswith("grad") for t in texts)
    assert any("loss.backward(retain_graph=True) keeps the gradients" in t for t in texts)


def test_boxes_do_not_overlap_on_a_two_layer_mlp_loss():
    rng = np.random.default_rng(0)
    w1 = Tensor(rng.normal(size=(2, 5)), requires_grad=True)
    w2 = Tensor(rng.normal(size=(5, 3)), requires_grad=True)
    hidden = F.relu(rng.normal(size=(4, 2)) @ w1)
    loss = F.cross_entropy(hidden @ w2, np.array([0, 1, 2, 1]))
    loss.backward()
    fig = tx.draw(loss)
    fig.canvas.draw()
    boxes = [
        p.get_window_extent() for p in fig.axes[0].patches if type(p).__name__ == "FancyBboxPatch"
    ]
    assert len(boxes) >= 2 * len(tx.tape(loss))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b) or a.intersection(a, b).width < 1


def test_a_long_chain_draws_the_ops_nearest_the_loss_and_says_what_it_left_out():
    h = Tensor([1.0], requires_grad=True)
    for _ in range(60):
        h = h * 1.01
    fig = tx.draw(h.sum(), max_ops=12)
    texts = _texts(fig)
    assert "nodes 0 to 48 (49 ops)" in texts
    assert sorted(t for t in texts if t.startswith("node ")) == sorted(
        f"node {i}" for i in range(49, 61)
    )
    assert "left out: 49 earlier ops" in fig.summary
    assert fig.get_size_inches()[0] < 8  # the chain runs straight down, constants beside it


def test_a_thousand_leaves_are_counted_not_drawn(tmp_path):
    leaves = [Tensor([float(i)], requires_grad=True) for i in range(1000)]
    loss = tx.concatenate(leaves).sum()
    loss.backward()
    fig = tx.draw(loss, tmp_path / "big.png")
    height, width = matplotlib.image.imread(tmp_path / "big.png").shape[:2]
    assert width <= 5000 and height <= 5000
    texts = _texts(fig)
    assert "994 more inputs" in texts  # 6 of concatenate's 1000 inputs are drawn
    assert sum(t.startswith("leaf") for t in texts) == 6


@pytest.mark.slow
def test_the_png_is_capped_at_5000_pixels_a_side(tmp_path):
    h = Tensor([1.0], requires_grad=True)
    for _ in range(100):
        h = h * 1.01
    fig = tx.draw(h.sum(), tmp_path / "long.png", max_ops=None)
    assert max(fig.get_size_inches()) * 130 > 5000  # it would be taller than the cap
    assert max(matplotlib.image.imread(tmp_path / "long.png").shape[:2]) == 5000


def test_shows_inline_in_a_notebook_and_saves():
    fig = tx.draw(worked_example("softmax"))
    png = fig._repr_png_()
    assert png.startswith(b"\x89PNG")
    assert len(png) < 200_000
    assert repr(fig).startswith("<tx.draw: 4 ops, 1 leaf drawn;")


def test_parameters_and_constants_are_named():
    model = nn.MLP([2, 3, 2], rng=0)
    loss = F.cross_entropy(model(np.ones((2, 2))), np.array([0, 1]))
    loss.backward()
    texts = _texts(tx.draw(loss))
    for title in (
        "0.weight (2, 3)",
        "0.bias (3,)",
        "2.weight (3, 2)",
        "2.bias (2,)",
        "row max",
        "count N",
    ):
        assert title in texts
    assert "value 2" in texts  # the mean's divisor N = 2


def test_bad_inputs():
    with pytest.raises(TypeError, match="draw: loss must be a Tensor, got list"):
        tx.draw([1.0])
    with pytest.raises(ValueError, match="nothing to draw"):
        tx.draw(Tensor([1.0]))


def _bezier_points(path, samples: int = 60) -> np.ndarray:
    """Points along an edge of draw.edge_path: its straight part, then its cubic curve."""
    (x0, y0), (x1, y1), c1, c2, end = (np.array(p) for p in path)
    line = np.linspace(0, 1, samples)[:, None] * ([x1, y1] - np.array([x0, y0])) + [x0, y0]
    t = np.linspace(0, 1, samples)[:, None]
    curve = (1 - t) ** 3 * [x1, y1] + 3 * (1 - t) ** 2 * t * c1 + 3 * (1 - t) * t**2 * c2
    return np.concatenate([line, curve + t**3 * end])


def _mlp_loss():
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 3))
    loss = F.cross_entropy(model(Tensor(rng.normal(size=(64, 2)))), rng.integers(0, 3, 64))
    loss.backward()
    return loss


@pytest.mark.parametrize("name", ["ce", "softmax", "bce", "nt_xent", "mlp"])
def test_no_edge_passes_under_a_box(name):
    from tinygrad_xent.layout import edge_path, layout

    graph = layout(_mlp_loss() if name == "mlp" else worked_example(name))
    boxes = [b for row in graph.rows for b in row if b.kind != "dummy"]
    assert graph.edges
    for source, target, _, slot in graph.edges:
        points = _bezier_points(edge_path(source, target, slot))
        for box in boxes:
            left, right = box.x - box.width / 2, box.x + box.width / 2
            inside = (
                (points[:, 0] > left + 1e-6)
                & (points[:, 0] < right - 1e-6)
                & (points[:, 1] > box.y + 1e-6)
                & (points[:, 1] < box.y + box.height - 1e-6)
            )
            assert not inside.any(), f"an edge into {target.lines} crosses {box.lines}"


def test_the_data_fed_to_a_model_is_drawn_as_its_input():
    from tinygrad_xent.layout import layout

    model = nn.MLP([2, 4, 3], rng=0)
    x = np.random.default_rng(0).normal(size=(8, 2))
    loss = F.cross_entropy(model(x), np.array([0, 1, 2, 0, 1, 2, 0, 1]))
    loss.backward()
    titles = [box.lines[0][0] for row in layout(loss).rows for box in row if box.kind == "constant"]
    assert titles[0] == "input x (8, 2)"  # as tx.explain names it
    assert "input x (8, 2)" in tx.explain(loss, file=None)
    assert all(not title.startswith("input") for title in titles[1:])
