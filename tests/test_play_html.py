"""play NAME --html FILE: the explorers' pages in headless Chromium. Moving a slider shows the
numbers the package computes for that position, and the page asks the network for nothing."""

import math

import numpy as np
import pytest
from browser import Page
from run_cli import run_cli

import tinygrad_xent.functional as F
from tinygrad_xent import Tensor, play, play_html
from tinygrad_xent.play_html import BCE_LABELS, SOFTMAX_LOGITS, SOFTMAX_TEMPERATURES, TAUS


def _move(page: Page, slider: str, key: str, times: int = 1) -> None:
    """Move a slider with the keyboard, as a learner would, one step a press."""
    from selenium.webdriver.common.keys import Keys

    element = page.driver.find_element("id", slider)
    for _ in range(times):
        element.send_keys(getattr(Keys, key))


def _position(page: Page, slider: str) -> int:
    return int(page.js(f"return document.getElementById('{slider}').value"))


def _text(page: Page, element: str) -> str:
    return page.js(f"return document.getElementById('{element}').textContent")


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """The three pages, written by the command line."""
    folder = tmp_path_factory.mktemp("play")
    done = run_cli("play", "bce", "--html", str(folder / "bce.html"))
    assert done.returncode == 0 and "wrote" in done.stdout, done.stderr
    for what in ("softmax", "temperature"):  # the same function, without a second start-up
        play_html.save(what, folder / f"{what}.html")
    return folder


@pytest.mark.slow  # a real browser (or mypy) takes seconds to start
def test_bce_slider_moves_show_the_tapes_loss_and_gradient(browser, pages):
    page = Page(browser, pages / "bce.html")
    shown = []
    for key, slider in (("ARROW_LEFT", "logit"), ("ARROW_LEFT", "label"), ("ARROW_RIGHT", "logit")):
        _move(page, slider, key, 7)
        x = play.BCEExplorer.GRID[_position(page, "logit")]
        y = BCE_LABELS[_position(page, "label")]
        logit = Tensor([x], requires_grad=True)
        loss = F.binary_cross_entropy_with_logits(logit, [y])
        loss.backward()
        assert _text(page, "loss-title") == f"loss = {loss.item():.4f}"
        assert _text(page, "grad-title") == f"dL/dx from backward() = {logit.grad[0]:.4f}"
        shown.append(
            (
                _text(page, "loss-title"),
                page.js("return document.getElementById('loss-dot').getAttribute('cy')"),
            )
        )
    assert len(set(shown)) == 3  # each move changed what is shown
    assert _text(page, "logit-shown") == f"{x:.2f}"
    page.check_clean()


@pytest.mark.slow  # a real browser (or mypy) takes seconds to start
def test_softmax_slider_moves_show_the_tapes_probabilities_and_gradient(browser, pages):
    page = Page(browser, pages / "softmax.html")
    before = _text(page, "p0-text")
    _move(page, "z0", "ARROW_RIGHT", 3)
    _move(page, "temperature", "ARROW_LEFT")
    _move(page, "target", "ARROW_RIGHT")
    z = np.array([SOFTMAX_LOGITS[_position(page, f"z{i}")] for i in range(3)])
    t = SOFTMAX_TEMPERATURES[_position(page, "temperature")]
    y = _position(page, "target")
    assert (t, y) == (0.5, 2)
    leaf = Tensor(z, requires_grad=True)
    loss = F.cross_entropy(leaf / t, np.int64(y))
    loss.backward()
    p = F.softmax(Tensor(z / t)).data
    assert [_text(page, f"p{k}-text") for k in range(3)] == [f"{v:.3f}" for v in p]
    assert _text(page, "p0-text") != before
    assert _text(page, "loss0-text") == f"{loss.item():.3f}"
    assert _text(page, "loss1-text") == f"{math.log(3):.3f}"
    assert [_text(page, f"grad{k}-text") for k in range(3)] == [f"{g:.2f}" for g in leaf.grad]
    page.check_clean()


@pytest.mark.slow
def test_temperature_slider_moves_show_the_tapes_nt_xent(browser, pages):
    page = Page(browser, pages / "temperature.html")
    explorer = play.TemperatureExplorer()
    for key in ("ARROW_LEFT", "ARROW_RIGHT"):
        _move(page, "temperature", key, 20)
        tau = float(TAUS[_position(page, "temperature")])
        losses = F.nt_xent(explorer.z_a, explorer.z_b, temperature=tau, reduction="none").data
        assert _text(page, "loss-title") == f"loss per anchor (mean {losses.mean():.4f})"
        assert [_text(page, f"bar{i}-text") for i in range(6)] == [f"{v:.3f}" for v in losses]
    assert _text(page, "temperature-shown") == f"{tau:.2f}"
    page.check_clean()


def test_the_pages_are_self_contained_and_bad_requests_are_one_line():
    text = play_html.page("bce")
    assert "http://" not in text.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in text
    with pytest.raises(ValueError, match="2 or 3 classes"):
        play_html.page("softmax", classes=5)
    done = run_cli("play", "softmax", "--classes", "5", "--html", "x.html")
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    done = run_cli("play", "bce", "--html", "/no/such/folder/bce.html")
    assert done.returncode == 2 and "does not exist" in done.stderr
