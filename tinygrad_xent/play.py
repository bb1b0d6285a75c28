"""Move a logit, watch softmax, the loss and the gradient answer: explorers on matplotlib sliders.

Each explorer is a figure with sliders. Moving one reruns the forward pass on the tape
(``F.softmax``, ``F.cross_entropy``, ``F.binary_cross_entropy_with_logits``, ``F.nt_xent``)
and ``backward()``, and moves the bars to what they give: nothing on screen is computed
outside the package. The closed forms (p - one_hot, sigmoid(x) - y) are drawn beside the
tape's numbers, so the two can be seen to agree.

    tinygrad-xent play softmax --classes 4
    tinygrad-xent play bce --save bce.png      # a snapshot, no display needed

From Python, ``softmax_explorer()`` returns the :class:`Explorer`; ``explorer.sliders["z0"]
.set_val(2.0)`` moves a slider as a mouse would.
"""

from __future__ import annotations

import math
import os
import sys
from typing import Any

import numpy as np
from matplotlib.backend_bases import FigureCanvasBase
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.widgets import Slider

from . import functional as F
from .files import write_atomically
from .tensor import Tensor

_DPI = 110
_TARGET_COLOR, _OTHER_COLOR, _FORMULA_COLOR = "tab:orange", "tab:blue", "tab:gray"


class Explorer:
    """A figure, its sliders, and the drawing they drive.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
        The figure everything is drawn on.
    sliders : dict of str to matplotlib.widgets.Slider
        By name; ``set_val`` moves one and redraws.
    bars : dict of str to list of Rectangle
        The bar rectangles of a panel, in order (``get_height()`` is the value).
    lines : dict of str to matplotlib.lines.Line2D
        A line whose data is the current point or curve.
    values : dict of str to array or float
        The numbers last drawn, as the tape gave them.
    """

    SIZE: tuple[float, float] = (12, 6)  # inches

    def __init__(self, figure: Figure | None):
        if figure is None:
            figure = Figure()
            # The base canvas draws nothing until savefig (which renders with Agg): moving a
            # slider where no window shows it costs only the tape's numbers.
            FigureCanvasBase(figure)
        figure.set_size_inches(self.SIZE)
        self.figure = figure
        self.sliders: dict[str, Slider] = {}
        self.bars: dict[str, list] = {}
        self.lines: dict[str, Line2D] = {}
        self.values: dict[str, Any] = {}

    def _slider(
        self,
        name: str,
        rect: tuple,
        label: str,
        low: float,
        high: float,
        start: float,
        step: float | None = None,
    ) -> None:
        """A slider in ``rect`` (figure fractions) that redraws everything when moved."""
        slider = Slider(self.figure.add_axes(rect), label, low, high, valinit=start, valstep=step)
        slider.on_changed(lambda _value: self.update())
        self.sliders[name] = slider

    def update(self) -> None:
        """Recompute on the tape from the sliders' values and redraw."""
        raise NotImplementedError

    def _redraw(self) -> None:
        self.figure.canvas.draw_idle()


def _label_bars(ax, rects, values, fmt: str = "{:.3f}") -> None:
    """Write each bar's value just above (or below) it."""
    for text in list(ax.texts):
        text.remove()
    for rect, value in zip(rects, values):
        x = rect.get_x() + rect.get_width() / 2
        ax.text(
            x,
            value,
            fmt.format(value),
            ha="center",
            fontsize=8,
            va="bottom" if value >= 0 else "top",
        )


# ---- softmax ----------------------------------------------------------------------------------
class SoftmaxExplorer(Explorer):
    """Logits z, temperature T, target y: p = softmax(z / T), the loss, dL/dz from backward()."""

    def __init__(self, classes: int = 3, figure: Figure | None = None):
        if not 2 <= classes <= 10:
            raise ValueError(f"softmax_explorer: classes must be between 2 and 10, got {classes}")
        # Laid out in inches, so that 2 logit sliders or 10 leave no hole and no overlap.
        rows, row = max(classes, 2), 0.32
        sliders_top = row * rows + 0.3
        panels_bottom, panels_height = sliders_top + 1.1, 3.6
        height = panels_bottom + panels_height + 0.7
        self.SIZE = (12, height)
        super().__init__(figure)
        self.classes = classes
        fig = self.figure
        fig.suptitle("softmax and cross-entropy: move a logit, the temperature or the target")
        names = [f"z{i}" for i in range(classes)]
        self.axes = [
            fig.add_axes((0.06 + 0.33 * k, panels_bottom / height, 0.26, panels_height / height))
            for k in range(3)
        ]
        start = [1.2, 2.3, 0.8] + [0.0] * (classes - 3)

        def slot(i: int) -> float:
            return (sliders_top - row * (i + 1)) / height

        for i, name in enumerate(names):
            self._slider(
                name, (0.1, slot(i), 0.32, 0.22 / height), f"logit z{i}", -6.0, 6.0, start[i]
            )
        self._slider(
            "temperature", (0.62, slot(0), 0.3, 0.22 / height), "temperature T", 0.1, 5.0, 1.0
        )
        self._slider(
            "target",
            (0.62, slot(1), 0.3, 0.22 / height),
            "target class y",
            0,
            classes - 1,
            1,
            step=1,
        )
        positions = np.arange(classes)
        ax_p, ax_loss, ax_grad = self.axes
        self.bars["p"] = list(ax_p.bar(positions, np.zeros(classes), color=_OTHER_COLOR))
        ax_p.set(title="p = softmax(z / T)", ylim=(0, 1.1), xticks=positions, xticklabels=names)
        self.bars["loss"] = list(
            ax_loss.bar([0, 1], [0.0, 0.0], color=[_TARGET_COLOR, _FORMULA_COLOR])
        )
        ax_loss.set(
            title="the loss beside log C",
            xticks=[0, 1],
            xticklabels=["-log p_y", f"log C = log {classes}"],
        )
        width = 0.4
        self.bars["grad"] = list(
            ax_grad.bar(
                positions - width / 2,
                np.zeros(classes),
                width,
                color=_OTHER_COLOR,
                label="dL/dz from backward()",
            )
        )
        self.bars["formula"] = list(
            ax_grad.bar(
                positions + width / 2,
                np.zeros(classes),
                width,
                color=_FORMULA_COLOR,
                label="(p - one_hot(y)) / T",
            )
        )
        ax_grad.axhline(0, color="black", lw=0.8)
        ax_grad.set(title="the gradient", xticks=positions, xticklabels=names)
        ax_grad.legend(loc="upper center", bbox_to_anchor=(0.5, -0.09), fontsize=8)
        self.update()

    def update(self) -> None:
        z = Tensor(
            np.array([self.sliders[f"z{i}"].val for i in range(self.classes)]), requires_grad=True
        )
        temperature = float(self.sliders["temperature"].val)
        target = int(self.sliders["target"].val)
        scaled = z / temperature  # (C,)
        p = F.softmax(scaled).data
        loss = F.cross_entropy(scaled, np.int64(target))  # unbatched: logits (C,), target ()
        loss.backward()
        one_hot = np.eye(self.classes)[target]
        self.values = {
            "p": p,
            "loss": loss.item(),
            "chance": math.log(self.classes),
            "grad": z.grad,
            "formula": (p - one_hot) / temperature,
        }
        for i, rect in enumerate(self.bars["p"]):
            rect.set_height(p[i])
            rect.set_color(_TARGET_COLOR if i == target else _OTHER_COLOR)
        _label_bars(self.axes[0], self.bars["p"], p, "{:.3f}" if self.classes <= 5 else "{:.2f}")
        heights = [self.values["loss"], self.values["chance"]]
        for rect, height in zip(self.bars["loss"], heights):
            rect.set_height(height)
        self.axes[1].set_ylim(0, max(heights) * 1.2)
        _label_bars(self.axes[1], self.bars["loss"], heights)
        for name in ("grad", "formula"):
            for rect, value in zip(self.bars[name], self.values[name]):
                rect.set_height(value)
        limit = 1.2 * float(np.max(np.abs(self.values["formula"])))
        self.axes[2].set_ylim(-limit, limit)
        _label_bars(self.axes[2], self.bars["grad"], self.values["grad"], "{:.2f}")
        self._redraw()


# ---- binary cross-entropy ---------------------------------------------------------------------
class BCEExplorer(Explorer):
    """One logit x and a label y: sigmoid(x), the loss and dL/dx, each as a curve over x."""

    GRID = np.linspace(-8.0, 8.0, 321)
    SIZE = (12, 5.5)

    def __init__(self, figure: Figure | None = None):
        super().__init__(figure)
        fig = self.figure
        fig.suptitle("binary cross-entropy with logits: move the logit and the label")
        self.axes = [fig.add_axes((0.06 + 0.33 * k, 0.3, 0.26, 0.58)) for k in range(3)]
        self._slider("logit", (0.15, 0.13, 0.6, 0.03), "logit x", -8.0, 8.0, 1.5)
        self._slider("label", (0.15, 0.07, 0.6, 0.03), "label y", 0.0, 1.0, 1.0, step=0.05)
        titles = [
            "p = sigmoid(x)",
            "loss = -[y log p + (1 - y) log(1 - p)]",
            "dL/dx from backward() = sigmoid(x) - y",
        ]
        for ax, name, title in zip(self.axes, ("sigmoid", "loss", "grad"), titles):
            self.lines[name + "_curve"] = ax.plot([], [], color=_OTHER_COLOR)[0]
            self.lines[name] = ax.plot([], [], "o", color=_TARGET_COLOR, ms=8)[0]
            ax.set(title=title, xlabel="logit x", xlim=(-8, 8))
            ax.grid(alpha=0.3)
        self.lines["label"] = self.axes[0].axhline(
            1.0, color=_FORMULA_COLOR, ls="--", label="label y"
        )
        self.axes[0].set_ylim(-0.05, 1.05)
        self.axes[2].set_ylim(-1.05, 1.05)
        self.axes[0].legend(loc="upper left", fontsize=8)
        self.update()

    def update(self) -> None:
        x = float(self.sliders["logit"].val)
        y = float(self.sliders["label"].val)
        curves = self._on_tape(self.GRID, y)
        point = self._on_tape(np.array([x]), y)
        self.values = {name: float(point[name][0]) for name in point}
        for name in ("sigmoid", "loss", "grad"):
            self.lines[name + "_curve"].set_data(self.GRID, curves[name])
            self.lines[name].set_data([x], [self.values[name]])
        self.lines["label"].set_ydata([y, y])
        self.axes[1].set_ylim(0, max(float(curves["loss"].max()), 1.0) * 1.05)
        self.axes[1].set_title(f"loss = {self.values['loss']:.4f}")
        self.axes[2].set_title(
            f"dL/dx from backward() = {self.values['grad']:.4f}\n"
            f"sigmoid(x) - y = {self.values['sigmoid'] - y:.4f}"
        )
        self._redraw()

    @staticmethod
    def _on_tape(x: np.ndarray, y: float) -> dict:
        """sigmoid, per-element loss and per-element gradient at every x, from the tape."""
        logits = Tensor(x, requires_grad=True)
        target = np.full_like(x, y)
        loss = F.binary_cross_entropy_with_logits(logits, target, reduction="none")
        # Each loss depends on its own logit only, so backward of the sum gives every dL_i/dx_i.
        loss.sum().backward()
        return {"sigmoid": F.sigmoid(x).data, "loss": loss.data, "grad": logits.grad}


# ---- temperature ------------------------------------------------------------------------------
class TemperatureExplorer(Explorer):
    """NT-Xent on a fixed batch of 3 pairs in 2-D: similarity logits, probabilities, losses."""

    SIZE = (13, 5.5)

    def __init__(self, figure: Figure | None = None):
        super().__init__(figure)
        rng = np.random.default_rng(0)
        angles = np.array([0.3, 2.2, 4.1])  # three samples, their second views nearby
        self.z_a = np.stack([np.cos(angles), np.sin(angles)], axis=1)
        self.z_b = self.z_a + 0.35 * rng.normal(size=self.z_a.shape)
        m = 2 * len(angles)
        self.positive = (np.arange(m) + len(angles)) % m
        fig = self.figure
        fig.suptitle(
            "NT-Xent at temperature tau: 3 pairs (rows a0 a1 a2 b0 b1 b2); each row "
            "must pick its other view"
        )
        self.axes = [fig.add_axes((0.05 + 0.33 * k, 0.25, 0.26, 0.6)) for k in range(3)]
        self._slider("temperature", (0.2, 0.08, 0.55, 0.035), "temperature tau", 0.05, 2.0, 0.5)
        names = ["a0", "a1", "a2", "b0", "b1", "b2"]
        for ax, title in zip(
            self.axes[:2],
            ["similarity logits s = u u^T / tau", "probabilities: softmax over k != i"],
        ):
            ax.set(
                title=title,
                xticks=range(m),
                yticks=range(m),
                xticklabels=names,
                yticklabels=names,
                xlabel="k",
                ylabel="anchor i",
            )
            ax.plot(self.positive, np.arange(m), "s", mfc="none", mec="black", ms=24)
        self.images = {
            "s": self.axes[0].imshow(np.zeros((m, m)), cmap="RdBu_r"),
            "p": self.axes[1].imshow(np.zeros((m, m)), cmap="viridis", vmin=0, vmax=1),
        }
        self.bars["loss"] = list(self.axes[2].bar(np.arange(m), np.zeros(m), color=_OTHER_COLOR))
        self.lines["chance"] = self.axes[2].axhline(
            math.log(m - 1), color=_FORMULA_COLOR, ls="--", label=f"log(2N - 1) = log {m - 1}"
        )
        self.axes[2].set(xticks=range(m), xticklabels=names)
        self.axes[2].legend(loc="upper right", fontsize=8)
        self.update()

    def update(self) -> None:
        tau = float(self.sliders["temperature"].val)
        z = Tensor(np.concatenate([self.z_a, self.z_b]))  # (2N, d)
        u = z / ((z * z).sum(axis=1, keepdims=True)) ** 0.5  # rows of length 1
        s = (u @ u.T) / tau  # (2N, 2N)
        m = s.shape[0]
        # A large negative number on the diagonal leaves k = i out of each row's softmax.
        p = F.softmax(s + np.diag(np.full(m, -1e9)), axis=1)
        losses = F.nt_xent(self.z_a, self.z_b, temperature=tau, reduction="none")
        shown = s.data.copy()
        np.fill_diagonal(shown, np.nan)  # drawn blank: not a candidate
        self.values = {
            "s": shown,
            "p": p.data,
            "loss": losses.data,
            "mean": float(losses.data.mean()),
        }
        self.images["s"].set_data(shown)
        self.images["s"].set_clim(-1 / tau, 1 / tau)
        self.images["p"].set_data(p.data)
        ax_p = self.axes[1]
        for text in list(ax_p.texts):
            text.remove()
        for i, k in np.ndindex(m, m):
            if i != k:
                ax_p.text(
                    k,
                    i,
                    f"{p.data[i, k]:.2f}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if p.data[i, k] < 0.5 else "black",
                )
        for rect, value in zip(self.bars["loss"], losses.data):
            rect.set_height(value)
        self.axes[2].set_ylim(0, max(float(losses.data.max()), math.log(m - 1)) * 1.2)
        self.axes[2].set_title(f"loss per anchor (mean {self.values['mean']:.4f})")
        _label_bars(self.axes[2], self.bars["loss"], losses.data)
        self._redraw()


EXPLORERS = {"softmax": SoftmaxExplorer, "bce": BCEExplorer, "temperature": TemperatureExplorer}


def explorer(what: str, classes: int = 3, figure: Figure | None = None) -> Explorer:
    """The explorer called ``what`` ("softmax", "bce" or "temperature") on ``figure``.

    Parameters
    ----------
    what : str
        Which explorer: "softmax", "bce" or "temperature".
    classes : int
        The number of logits, 2 to 10, for "softmax" (the others ignore it).
    figure : matplotlib.figure.Figure or None
        A Figure to draw on; None makes a new one with no window (savefig renders it).

    Returns
    -------
    Explorer
        The explorer, drawn at its starting values.

    Raises
    ------
    ValueError
        If ``what`` is not an explorer's name, or it is "softmax" and ``classes`` is not in
        [2, 10].
    """
    if what not in EXPLORERS:
        raise ValueError(f"explorer: what must be one of {sorted(EXPLORERS)}, got {what!r}")
    if what == "softmax":
        return SoftmaxExplorer(classes, figure)
    return EXPLORERS[what](figure)


def snapshot(what: str, path, classes: int = 3) -> str:
    """Write the explorer's starting state to the PNG ``path``, with no display; return it."""
    fig = explorer(what, classes).figure
    return write_atomically(
        path, lambda stream: fig.savefig(stream, format="png", dpi=_DPI), "snapshot"
    )


def has_display() -> bool:
    """True when pyplot can open a window: a display exists and the backend is interactive."""
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return False
    import matplotlib.pyplot as plt

    backend = plt.get_backend().lower()
    return (
        backend not in {"agg", "cairo", "pdf", "pgf", "ps", "svg", "template"}
        and "inline" not in backend
    )


def show(what: str, classes: int = 3) -> bool:
    """Open the explorer in a window and wait until it is closed; False if there is no display."""
    if not has_display():
        return False
    import matplotlib.pyplot as plt

    # Kept in a local until the window closes: sliders stop answering once garbage-collected.
    live = explorer(what, classes, plt.figure())
    plt.show()
    del live
    return True
