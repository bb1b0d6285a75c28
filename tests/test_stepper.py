"""The stepping page of tx.draw(loss, "graph.html"), opened from disk in headless Chromium.

Stepped with the arrow keys and with the buttons, the page shows at every step the numbers
tx.explain prints; previous undoes next; the console shows no error and the page asks the
network for nothing (Chromium's own request log is read). Without a browser these tests skip
with one line saying why, except under CI (the CI variable set), where they fail instead.
"""

import html
import importlib.util
import re
import time
from pathlib import Path

import numpy as np
import pytest
from browser import Page
from run_cli import run_cli

import tinygrad_xent as tx
import tinygrad_xent.functional as F
from tinygrad_xent import Tensor, nn
from tinygrad_xent.explain import WORKED_EXAMPLES, worked_example
from tinygrad_xent.stepper import Stepper, _walk_record

ROOT = Path(__file__).resolve().parents[1]
NUMBER = re.compile(r"-?\d+\.\d+")


def _explain_blocks(loss) -> dict:
    """explain's text cut into blocks: node position -> its lines, and "leaves" -> the last."""
    text = tx.explain(loss, file=None, max_nodes=None)
    blocks = {}
    for block in text.split("\n\n"):
        first = block.split("\n")[0]
        if first.startswith("node "):
            blocks[int(first.split()[1])] = block
        elif first.startswith("leaves"):
            blocks["leaves"] = block
    return blocks


def _write(loss, tmp_path, name="graph.html") -> Path:
    path = tmp_path / name
    tx.draw(loss, path)
    return path


@pytest.mark.slow  # a real browser (or mypy) takes seconds to start
def test_cross_entropy_stepped_with_the_keys_shows_explains_numbers(browser, tmp_path):
    loss = worked_example("ce")
    blocks = _explain_blocks(loss)
    page = Page(browser, _write(loss, tmp_path))
    assert page.counter() == "step 0 of 11"
    assert "forward pass" in page.panel() and "0.4421" in page.panel()
    for position in range(9, -1, -1):  # the walk's order: newest first
        page.key("ARROW_RIGHT")
        shown = page.panel()
        header = blocks[position].split("\n")[0]
        assert shown.startswith(header.replace("  ", " ")), (shown, header)
        assert NUMBER.findall(shown) == NUMBER.findall(blocks[position]), position
    page.key("ARROW_RIGHT")
    assert page.counter() == "step 11 of 11"
    assert NUMBER.findall(page.panel()) == ["0.2139", "-0.3573", "0.1434"]
    assert NUMBER.findall(page.panel()) == NUMBER.findall(blocks["leaves"])
    assert "sum of 2 uses" in blocks[0]  # reshape feeds sub and getitem ...
    page.key("ARROW_LEFT")  # back to node 0
    assert "g arriving (sum of 2 uses)" in page.panel()  # ... and the page says so too
    page.check_clean()


@pytest.mark.slow
def test_previous_undoes_next_and_the_buttons_step_like_the_keys(browser, tmp_path):
    page = Page(browser, _write(worked_example("ce"), tmp_path))
    states = [page.state()]
    for _ in range(11):
        page.click("next")
        states.append(page.state())
    assert page.js("return document.getElementById('next').disabled")
    for k in range(11, 0, -1):
        page.click("prev")
        assert page.state() == states[k - 1]
    page.click("reset")
    for k in range(1, 12):
        page.key("ARROW_RIGHT")
        assert page.state() == states[k]
        page.key("ARROW_LEFT")
        assert page.state() == states[k - 1]
        page.key("ARROW_RIGHT")
    page.click("reset")
    assert page.state() == states[0]
    # The current node's op and output are highlighted, its inputs marked, the rest not.
    page.key("ARROW_RIGHT")
    assert sum("current" in c for c in page.state()[2]) == 2
    assert sum("input" in c for c in page.state()[2]) == 2  # div's a and its constant N
    page.click("play")
    deadline = time.time() + 5
    while page.counter() == "step 1 of 11" and time.time() < deadline:
        time.sleep(0.05)
    page.click("play")  # pause
    assert page.counter() != "step 1 of 11"
    page.check_clean()


@pytest.mark.slow  # a real browser (or mypy) takes seconds to start
def test_gradients_appear_in_the_boxes_only_once_the_walk_has_reached_them(browser, tmp_path):
    page = Page(browser, _write(worked_example("ce"), tmp_path))
    hidden = "return document.querySelectorAll('.hide-grad text.grad').length"
    shown = "return [...document.querySelectorAll('text.grad')].length"
    total = page.js(shown)
    assert page.js(hidden) == total == 11  # 10 node outputs and the leaf
    for k in range(1, 12):
        page.key("ARROW_RIGHT")
        assert page.js(hidden) == total - k


@pytest.mark.slow  # a real browser (or mypy) takes seconds to start
@pytest.mark.parametrize("name", WORKED_EXAMPLES)
def test_every_worked_example_steps_to_its_leaves(browser, tmp_path, name):
    loss = worked_example(name)
    blocks = _explain_blocks(loss)
    record = _walk_record(loss)
    page = Page(browser, _write(loss, tmp_path))
    for step in record["steps"]:
        page.key("ARROW_RIGHT")
        assert NUMBER.findall(page.panel()) == NUMBER.findall(blocks[step["position"]])
    page.key("ARROW_RIGHT")
    assert NUMBER.findall(page.panel()) == NUMBER.findall(blocks["leaves"])
    page.check_clean()


@pytest.mark.slow  # a real browser (or mypy) takes seconds to start
def test_the_command_line_writes_the_page(browser, tmp_path):
    done = run_cli("graph", "--example", "nt_xent", "--out", str(tmp_path / "g.html"))
    assert done.returncode == 0, done.stderr
    assert "graph written to" in done.stdout
    page = Page(browser, tmp_path / "g.html")
    assert page.counter() == "step 0 of 20"
    page.check_clean()
    bad = run_cli("graph", "--out", str(tmp_path / "missing" / "g.html"))
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


def _mlp_batch():
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
    x, y = rng.normal(size=(64, 2)), rng.integers(0, 3, 64)
    logits = model(Tensor(x))
    loss = F.cross_entropy(logits, y)
    loss.backward()
    p = np.exp(logits.data - logits.data.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    return loss, logits, (p - np.eye(3)[y]) / 64  # (P - Y) / N, the gradient at the logits


@pytest.mark.slow  # a real browser (or mypy) takes seconds to start
def test_an_mlp_on_a_batch_of_64_opens_its_full_table(browser, tmp_path):
    loss, logits, expected = _mlp_batch()
    record = _walk_record(loss)
    # The step of the node that made the logits: g arriving there is (P - Y) / N.
    position = next(i for i, node in enumerate(tx.tape(loss)) if node is logits.node)
    k = next(i for i, s in enumerate(record["steps"]) if s["position"] == position)
    page = Page(browser, _write(loss, tmp_path))
    for _ in range(k + 1):
        page.key("ARROW_RIGHT")
    assert "shape (64, 3)" in page.panel()
    page.driver.find_elements("css selector", "button.open")[0].click()
    cells = page.js(
        "const t = document.querySelector('table.values');"
        "return [...t.rows].slice(1).map(r => [...r.cells].slice(1).map(c => c.textContent))"
    )
    assert np.array(cells, dtype=float).shape == (64, 3)
    np.testing.assert_allclose(np.array(cells, dtype=float), expected, atol=5e-5)
    colours = page.js(
        "return [...document.querySelectorAll('table.values td')].map(c => c.style.background)"
    )
    assert all(colour.startswith("rgba") for colour in colours)
    page.check_clean()


def _example(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "examples" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _example_losses() -> dict:
    """The losses of the models in examples/, built as the scripts build them, one batch."""
    from tinygrad_xent import data

    losses = {}
    x, y = data.spiral(100, 3, noise=0.2, seed=0)
    losses["spiral MLP 2-100-3"] = F.cross_entropy(nn.MLP([2, 100, 3], rng=0)(Tensor(x)), y)
    rng = np.random.default_rng(0)
    encoder = nn.MLP([64, 64, 16], rng=0, out_scale=1.0)
    view = rng.normal(size=(16, 64))
    z_a, z_b = encoder(Tensor(view)), encoder(Tensor(view + 0.1 * rng.normal(size=view.shape)))
    losses["contrastive NT-Xent"] = F.nt_xent(z_a, z_b, temperature=0.5)
    losses["contrastive SupCon"] = F.supcon(encoder(Tensor(view)), rng.integers(0, 4, 16))
    nan_hunt = _example("nan_hunt")
    x, labels = nan_hunt.clusters()
    w = Tensor(np.full((2, 3), 40.0, np.float32), requires_grad=True)  # the naive loss is nan
    losses["nan_hunt naive"] = nan_hunt.naive_loss(Tensor(x) @ w, np.eye(3)[labels])
    losses["nan_hunt stable"] = nan_hunt.stable_loss(Tensor(x) @ w, np.eye(3)[labels])
    for loss in losses.values():
        loss.backward(retain_graph=True)  # the spiral's 30,000 elements: kept only when asked
    return losses


@pytest.mark.slow
def test_the_models_of_the_examples_step_to_their_leaves(browser, tmp_path):
    for name, loss in _example_losses().items():
        record = _walk_record(loss)
        assert record["message"] is None, name
        assert all(step["g"]["data"] is not None for step in record["steps"])  # all openable
        page = Page(browser, _write(loss, tmp_path, name.replace(" ", "_") + ".html"))
        for _ in record["steps"]:
            page.key("ARROW_RIGHT")
        page.key("ARROW_RIGHT")
        assert ".grad" in page.panel(), name
        assert page.counter() == f"step {len(record['steps']) + 1} of {len(record['steps']) + 1}"
        page.check_clean()


@pytest.mark.slow  # a real browser (or mypy) takes seconds to start
def test_a_graph_of_a_thousand_nodes_shows_the_capped_graph_with_its_note(browser, tmp_path):
    x = Tensor(np.linspace(0.1, 1.0, 5), requires_grad=True)
    y = x
    for _ in range(500):
        y = y * 0.999 + 0.001  # two nodes a round: mul and add
    loss = y.sum()
    loss.backward(retain_graph=True)  # over 64 nodes: what flowed is kept only when asked
    assert len(tx.tape(loss)) == 1001
    start = time.perf_counter()
    path = _write(loss, tmp_path)
    assert time.perf_counter() - start < 10  # a generous bound; benchmarks/stepper.py measures
    record = _walk_record(loss)
    assert "left out: 961 earlier ops" in record["summary"]
    page = Page(browser, path)
    assert "961 earlier ops" in page.panel()
    assert page.counter() == "step 0 of 40"  # the 40 drawn nodes; the leaf is not drawn
    page.key("ARROW_RIGHT")
    assert page.panel().startswith("node 1000 sum")
    page.key("ARROW_RIGHT")
    assert page.panel().startswith("node 999 add")
    page.check_clean()


def test_a_graph_that_kept_nothing_says_how_to_keep_it(tmp_path):
    x = Tensor(np.ones((200, 100)), requires_grad=True)
    loss = (x * 2.0).sum()
    loss.backward()  # 20,000 elements: too big to keep what flowed, by default
    record = _walk_record(loss)
    assert record["steps"] == [] and "retain_graph=True" in record["message"]


def test_the_notebook_view_is_one_sandboxed_frame_holding_the_page():
    stepper = tx.draw(worked_example("ce"), interactive=True)
    assert isinstance(stepper, Stepper)
    shown = stepper._repr_html_()
    assert shown.startswith("<iframe srcdoc=") and 'sandbox="allow-scripts"' in shown
    assert "<script" not in shown  # the page's scripts are inside srcdoc, escaped
    assert "http://" not in stepper.html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in stepper.html


def test_a_bad_path_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        tx.draw(worked_example("ce"), tmp_path / "missing" / "graph.html")


@pytest.mark.slow
def test_the_notebook_view_steps_in_a_notebook_the_tests_execute(browser, tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(
            "import tinygrad_xent as tx\n"
            "from tinygrad_xent.explain import worked_example\n"
            "tx.draw(worked_example('ce'), interactive=True)"
        )
    ]
    nbclient.NotebookClient(notebook, timeout=60, kernel_name="python3").execute()
    shown = notebook.cells[0].outputs[0].data["text/html"]
    (tmp_path / "notebook.html").write_text(f"<!DOCTYPE html><html><body>{shown}</body></html>")
    page = Page(browser, tmp_path / "notebook.html")
    page.driver.switch_to.frame(0)
    try:
        page.click("panel")  # the keys go to the frame a learner clicked in
        page.key("ARROW_RIGHT")
        assert page.panel().startswith("node 9 div")
        page.click("next")
        assert page.panel().startswith("node 8 sum")
    finally:
        page.driver.switch_to.default_content()
    assert page.driver.get_log("browser") == []
    # Colab shows a cell's output in a sandboxed frame of its own: the page's frame nests in it.
    colab = html.escape(f"<!DOCTYPE html><html><body>{shown}</body></html>", quote=True)
    (tmp_path / "colab.html").write_text(
        f'<!DOCTYPE html><html><body><iframe sandbox="allow-scripts" srcdoc="{colab}" '
        f'style="width:1200px;height:700px"></iframe></body></html>'
    )
    page = Page(browser, tmp_path / "colab.html")
    page.driver.switch_to.frame(0)
    page.driver.switch_to.frame(0)
    try:
        page.click("next")
        assert page.panel().startswith("node 9 div")
    finally:
        page.driver.switch_to.default_content()
    assert page.driver.get_log("browser") == []


@pytest.mark.slow  # a real browser (or mypy) takes seconds to start
def test_the_check_catches_a_page_that_asks_the_network(browser, tmp_path):
    path = tmp_path / "leaky.html"
    path.write_text('<!DOCTYPE html><html><body><img src="http://127.0.0.1:9/x.png"></body></html>')
    page = Page(browser, path)
    time.sleep(0.3)
    with pytest.raises(AssertionError):
        page.check_clean()


@pytest.mark.slow  # a real browser (or mypy) takes seconds to start
def test_an_op_of_many_inputs_lists_what_explain_lists(browser, tmp_path):
    leaves = [Tensor([float(i)], requires_grad=True) for i in range(20)]
    loss = (tx.concatenate(leaves) * 2.0).sum()
    loss.backward()
    block = _explain_blocks(loss)[0]
    page = Page(browser, _write(loss, tmp_path))
    for _ in range(3):
        page.key("ARROW_RIGHT")
    assert page.panel().startswith("node 0 concatenate")
    assert NUMBER.findall(page.panel()) == NUMBER.findall(block)
    assert "12 more inputs left out" in page.panel() and "12 more inputs" in block
    page.check_clean()


@pytest.mark.slow
def test_the_screenshots_of_the_docs_are_taken_as_the_script_says(tmp_path, browser):
    """docs/stepper_screenshots.py writes every picture docs/stepper.md shows. (It starts a
    browser of its own; the fixture makes this test skip, or fail under CI, without one.)"""
    spec = importlib.util.spec_from_file_location(
        "stepper_screenshots", ROOT / "docs" / "stepper_screenshots.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    shown = set(re.findall(r"img/(\w+\.png)", (ROOT / "docs" / "stepper.md").read_text()))
    assert shown == {p.name for p in tmp_path.glob("*.png")}
    assert all(p.stat().st_size > 10_000 for p in tmp_path.glob("*.png"))
