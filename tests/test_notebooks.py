"""The notebooks of docs/notebooks/ run top to bottom in a fresh kernel, print the package's
numbers, and keep outputs that are the ones they print now (make_notebooks.py stores them)."""

import math
import re
import sys
from pathlib import Path

import numpy as np
import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

import tinygrad_xent as tx  # noqa: E402
import tinygrad_xent.functional as F  # noqa: E402
from tinygrad_xent import Tensor, data, nn, optim, train  # noqa: E402
from tinygrad_xent.explain import worked_example  # noqa: E402
from tinygrad_xent.textbook import case_study  # noqa: E402

FOLDER = Path(__file__).resolve().parents[1] / "docs" / "notebooks"
sys.path.insert(0, str(FOLDER))
import make_notebooks  # noqa: E402

SPEEDS = re.compile(r"\d+ steps/s|\d+\.\d s\)")  # timings vary from run to run


def _run(name: str) -> list:
    """Execute the stored notebook afresh; return (stored, fresh) text outputs of each cell."""
    stored = nbformat.read(FOLDER / name, as_version=4)
    fresh = make_notebooks.run(nbformat.read(FOLDER / name, as_version=4))
    return stored, fresh


def _text(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type == "error":
            raise AssertionError(f"{out.ename}: {out.evalue}")
        elif "text/plain" in out.get("data", {}) and "image/png" not in out.data:
            parts.append(out.data["text/plain"] + "\n")
    return SPEEDS.sub("T", "".join(parts))


def _images(nb) -> list:
    return [
        out.data["image/png"]
        for cell in nb.cells
        for out in cell.get("outputs", [])
        if "image/png" in out.get("data", {})
    ]


def _printed(nb) -> str:
    return "".join(_text(cell) for cell in nb.cells if cell.cell_type == "code")


NUMBER = re.compile(r"-?\d+\.\d+(?:e[-+]?\d+)?")


def _same_printout(stored: str, fresh: str) -> bool:
    """The same text, and the same numbers to 1e-4 relative: a training run of 10,000 steps
    rounds its last printed digits differently under numpy 1.24's and numpy 2's kernels."""
    if NUMBER.sub("#", stored) != NUMBER.sub("#", fresh):
        return False
    pairs = zip(NUMBER.findall(stored), NUMBER.findall(fresh))
    return all(abs(float(a) - float(b)) <= 1e-4 * max(1.0, abs(float(a))) for a, b in pairs)


def _check_stored_outputs_are_current(stored, fresh):
    # make_notebooks.py was run after the last edit
    assert _same_printout(_printed(stored), _printed(fresh)), (_printed(stored), _printed(fresh))
    images = _images(stored)
    assert len(images) == len(_images(fresh))
    for image in images:
        assert len(image) < 150_000  # base64 PNG: a modest picture


def test_every_notebook_is_made_by_the_generator():
    assert sorted(p.name for p in FOLDER.glob("*.ipynb")) == sorted(make_notebooks.NOTEBOOKS)
    for name, cells in make_notebooks.NOTEBOOKS.items():
        stored = nbformat.read(FOLDER / name, as_version=4)
        assert [c.source for c in stored.cells] == [source for _, source in cells]


@pytest.mark.slow
def test_scalar_start():
    stored, fresh = _run("scalar-start.ipynb")
    _check_stored_outputs_are_current(stored, fresh)
    printed = _printed(fresh)
    assert "-12.0 -4.0 -4.0 3.0" in printed  # CS231n's f = (x + y) z
    assert "gradients: -8.0 6.0 2.0 0.0" in printed  # f = 2 (x y + max(z, w))
    assert "exp reuses its output: True" in printed
    assert "-6.0 1.0 -2.0\nfinite differences: 1.0" in printed  # x used twice: 3 + (-2)
    assert "x ().grad (sum of 2 uses):" in printed
    assert "z.grad = sum of x: -0.5 -0.5" in printed
    assert "da to input x (8, 2)" in printed and "shape (8, 3), mean" not in printed
    assert "[-0.1112,  0.0430,  0.0681]," in printed  # a row of (P - Y) / N, printed whole


@pytest.mark.slow
def test_backprop_through_softmax():
    stored, fresh = _run("backprop-through-softmax.ipynb")
    _check_stored_outputs_are_current(stored, fresh)
    printed = _printed(fresh)
    z = np.array([1.2, 2.3, 0.8])
    jac = tx.jacobian(F.softmax, z)
    assert f"diagonal: {jac.diagonal().round(5)}" in printed
    assert "diagonal: [0.16816 0.22964 0.12284]" in printed  # the textbook numbers
    x = Tensor(z, requires_grad=True)
    F.softmax(x).backward(np.array([0.5, -1.0, 2.0]))
    for label in ("tape:       ", "J^T g:      ", "closed form:"):
        assert f"{label} {x.grad.round(6)}" in printed
    assert tx.explain(worked_example("softmax"), file=None) in printed
    assert printed.count("explain: backward through") == 1  # printed, not shown again as Out
    assert "softmax-one_hot: [ 0.2139 -0.3573  0.1434]" in printed
    assert "J^T g:           [ 0.2139 -0.3573  0.1434]" in printed  # g = -one_hot / p_y
    assert "largest |column sum|:" in printed
    assert len(_images(fresh)) == 1  # tx.draw showed inline
    pages = [
        out.data["text/html"]
        for cell in fresh.cells
        for out in cell.get("outputs", [])
        if "text/html" in out.get("data", {})
    ]
    assert len(pages) == 1 and pages[0].startswith("<iframe srcdoc=")  # the stepping page
    assert "-0.1375" in pages[0] and "g arriving" in pages[0]  # its record and its script


@pytest.mark.slow
def test_train_a_classifier():
    stored, fresh = _run("train-a-classifier.ipynb")
    _check_stored_outputs_are_current(stored, fresh)
    x, y = data.spiral(n_per_class=100, n_classes=3, noise=0.2, seed=0)
    model = nn.MLP([2, 50, 3], rng=0)
    history = train.fit(
        model, x, y, optimizer=optim.SGD(model.parameters(), lr=1.0), steps=300, log_every=0
    )
    assert abs(history.loss[0] - math.log(3)) < 1e-3  # it starts at chance
    printed = _printed(fresh)
    assert (
        f"log 3 = {math.log(3):.4f}; first loss {history.loss[0]:.4f}; final loss "
        f"{history.final_loss:.4f}; final accuracy {history.final_accuracy:.3f}"
    ) in printed
    assert f"History(300 steps, loss {history.loss[0]:.4f} -> {history.loss[-1]:.4f}" in printed
    assert len(_images(fresh)) == 1  # the loss curve


@pytest.mark.slow
def test_nt_xent_and_supcon():
    stored, fresh = _run("nt-xent-and-supcon.ipynb")
    _check_stored_outputs_are_current(stored, fresh)
    printed = _printed(fresh)
    n = 4
    assert f"identical embeddings: {math.log(2 * n - 1):.6f}" in printed
    rng = np.random.default_rng(0)
    z_a = rng.normal(size=(n, 3))
    z_b = z_a + 0.1 * rng.normal(size=(n, 3))
    values = [F.nt_xent(z_a, z_b, temperature=tau).item() for tau in (0.1, 0.5, 1.0, 5.0)]
    assert values == sorted(values)  # a higher temperature, a flatter softmax, a larger loss
    for tau, value in zip((0.1, 0.5, 1.0, 5.0), values):
        assert f"tau {tau:>4}: NT-Xent {value:.6f}" in printed
    features = np.vstack([z_a, z_b])
    own = np.concatenate([np.arange(n), np.arange(n)])
    assert f"SupCon, each sample its own class: {values[1]:.6f}" in printed
    assert (
        f"SupCon, two classes:               {F.supcon(features, own % 2, 0.5).item():.6f}"
        in printed
    )


@pytest.mark.slow
def test_cs231n_case_study():
    stored, fresh = _run("cs231n-case-study.ipynb")
    _check_stored_outputs_are_current(stored, fresh)
    printed = _printed(fresh)
    linear, net = case_study("linear"), case_study("net")  # the lesson's runs: the same numbers
    for run, steps in ((linear, (0, 50, 190)), (net, (0, 1000, 9000))):
        for i in steps:
            assert f"iteration {i}: loss {run.losses[i]:.6f}" in printed
    assert f"training accuracy: {linear.accuracy:.2f}   (the notes: 0.49)" in printed
    assert f"training accuracy: {net.accuracy:.2f}   (the notes: 0.98)" in printed
    assert abs(linear.losses[0] - math.log(3)) < 0.01 and net.accuracy >= 0.97
    assert len(_images(fresh)) == 1  # the two decision-region plots
