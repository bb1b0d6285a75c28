"""The explorer: sliders moved with set_val on Agg put the tape's numbers on the bars."""

import math

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import tinygrad_xent.functional as F
from tinygrad_xent import cli, play
from tinygrad_xent.tensor import Tensor


def heights(rects):
    return np.array([r.get_height() for r in rects])


def agg_figure():
    """A figure on the Agg canvas, where every slider move renders (the explorers' own default
    canvas renders only when saved)."""
    figure = Figure()
    FigureCanvasAgg(figure)
    return figure


def test_softmax_sliders_move_the_bars_to_the_tapes_numbers():
    explorer = play.SoftmaxExplorer(classes=4)
    explorer.sliders["z0"].set_val(3.0)
    explorer.sliders["z3"].set_val(-1.5)
    explorer.sliders["temperature"].set_val(2.0)
    explorer.sliders["target"].set_val(2)
    z = np.array([3.0, 2.3, 0.8, -1.5])
    # The tape, run afresh here: softmax, cross-entropy and backward.
    leaf = Tensor(z, requires_grad=True)
    loss = F.cross_entropy(leaf / 2.0, np.int64(2))
    loss.backward()
    p = F.softmax(Tensor(z / 2.0)).data
    np.testing.assert_allclose(heights(explorer.bars["p"]), p, rtol=1e-12)
    np.testing.assert_allclose(heights(explorer.bars["loss"]), [loss.item(), math.log(4)])
    np.testing.assert_allclose(heights(explorer.bars["grad"]), leaf.grad, rtol=1e-12)
    # ... and the closed forms they must agree with: p = e^(z/T) / sum, dL/dz = (p - y) / T.
    e = np.exp(z / 2.0)
    np.testing.assert_allclose(heights(explorer.bars["p"]), e / e.sum(), rtol=1e-12)
    assert heights(explorer.bars["loss"])[0] == pytest.approx(-math.log(e[2] / e.sum()))
    np.testing.assert_allclose(
        heights(explorer.bars["formula"]), (e / e.sum() - np.eye(4)[2]) / 2.0, rtol=1e-12
    )
    assert explorer.bars["p"][2].get_facecolor() != explorer.bars["p"][0].get_facecolor()


def test_softmax_at_equal_logits_gives_log_c():
    explorer = play.SoftmaxExplorer(classes=5)
    for i in range(5):
        explorer.sliders[f"z{i}"].set_val(0.7)
    np.testing.assert_allclose(heights(explorer.bars["p"]), 0.2)
    loss, chance = heights(explorer.bars["loss"])
    assert loss == pytest.approx(math.log(5)) and chance == pytest.approx(math.log(5))


@pytest.mark.parametrize("classes", [1, 11])
def test_softmax_classes_out_of_range(classes):
    with pytest.raises(
        ValueError, match=f"softmax_explorer: classes must be between 2 and 10, got {classes}"
    ):
        play.SoftmaxExplorer(classes)


def test_bce_sliders_move_the_points_to_the_tapes_numbers():
    explorer = play.BCEExplorer()
    explorer.sliders["logit"].set_val(-2.0)
    explorer.sliders["label"].set_val(0.3)
    x = Tensor(np.array([-2.0]), requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x, np.array([0.3]))
    loss.backward()
    sigmoid = 1 / (1 + math.exp(2.0))
    for name, expected in [("sigmoid", sigmoid), ("loss", loss.item()), ("grad", x.grad[0])]:
        xs, ys = explorer.lines[name].get_data()
        assert xs[0] == -2.0 and ys[0] == pytest.approx(expected, rel=1e-12)
    # The closed forms: the loss -[y log s + (1 - y) log(1 - s)] and its gradient s - y.
    assert explorer.values["loss"] == pytest.approx(
        -(0.3 * math.log(sigmoid) + 0.7 * math.log(1 - sigmoid)), rel=1e-12
    )
    assert explorer.values["grad"] == pytest.approx(sigmoid - 0.3, rel=1e-12)
    _, curve = explorer.lines["grad_curve"].get_data()
    np.testing.assert_allclose(curve, 1 / (1 + np.exp(-play.BCEExplorer.GRID)) - 0.3, atol=1e-12)


def test_temperature_slider_moves_the_probabilities_and_the_losses():
    explorer = play.TemperatureExplorer(agg_figure())
    explorer.sliders["temperature"].set_val(0.2)
    losses = F.nt_xent(explorer.z_a, explorer.z_b, temperature=0.2, reduction="none").data
    np.testing.assert_allclose(heights(explorer.bars["loss"]), losses, rtol=1e-12)
    # Row i of the probabilities: softmax over k != i of u_i . u_k / tau, in numpy.
    z = np.concatenate([explorer.z_a, explorer.z_b])
    u = z / np.linalg.norm(z, axis=1, keepdims=True)
    s = u @ u.T / 0.2
    np.fill_diagonal(s, -np.inf)
    p = np.exp(s - s.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(explorer.images["p"].get_array(), p, atol=1e-12)
    np.testing.assert_allclose(-np.log(p[np.arange(6), explorer.positive]), losses, rtol=1e-9)
    shown = np.asarray(explorer.images["s"].get_array())
    np.testing.assert_allclose(shown[~np.eye(6, dtype=bool)], s[~np.eye(6, dtype=bool)])


def test_a_lower_temperature_sharpens_the_probabilities():
    explorer = play.TemperatureExplorer()
    explorer.sliders["temperature"].set_val(1.5)
    warm = explorer.values["p"][np.arange(6), explorer.positive].copy()
    explorer.sliders["temperature"].set_val(0.1)
    cold = explorer.values["p"][np.arange(6), explorer.positive]
    assert np.all(cold > warm)


@pytest.mark.parametrize("what", ["softmax", "bce", "temperature"])
def test_cli_save_writes_a_png_without_a_display(what, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    path = tmp_path / f"{what}.png"
    assert cli.main(["play", what, "--save", str(path)]) == 0
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert capsys.readouterr().out == f"wrote {path}\n"


def test_cli_without_display_or_save_is_one_line_and_exit_2(capsys, monkeypatch):
    monkeypatch.setattr(play, "has_display", lambda: False)
    assert cli.main(["play", "softmax"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "tinygrad-xent: error: no display to open a window on; use --save FILE.png for a snapshot\n"
    )


def test_no_display_is_detected_from_the_environment(monkeypatch):
    monkeypatch.setattr(play.sys, "platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert play.has_display() is False


@pytest.mark.parametrize(
    "argv, message",
    [
        (["play", "softmax", "--classes", "11"], "--classes must be between 2 and 10, got 11"),
        (["play", "softmax", "--classes", "1"], "--classes must be between 2 and 10, got 1"),
        (["play", "bce", "--classes", "4"], "--classes applies to 'play softmax' only"),
        (
            ["play", "softmax", "--save", "/no/such/folder/x.png"],
            "folder '/no/such/folder' does not exist",
        ),
        (["play", "hinge"], "invalid choice: 'hinge'"),
    ],
)
def test_cli_usage_errors(argv, message, capsys):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
