"""The explorers of ``tinygrad-xent play`` as one self-contained HTML page, for no display.

``tinygrad-xent play softmax|bce|temperature --html FILE`` writes a page with the explorer's
sliders. Every slider position is computed ahead, here, on the tape (``F.softmax``,
``F.cross_entropy``, ``F.binary_cross_entropy_with_logits``, ``F.nt_xent`` and
``backward()``), on a grid fine enough to look continuous: the logit of "bce" moves in steps
of 0.05, the temperature of "temperature" in steps of 0.01. The softmax explorer has a slider
per logit, and every combination is a state of its own, so its logits move in steps of 0.5
and its temperature takes five values.

The page holds the drawing (inline SVG) and, for each combination of slider positions, the
attributes to set: a bar's top and height, a curve's path, a number's text. Its JavaScript
looks them up and sets them; it computes nothing.
"""

from __future__ import annotations

import html
import itertools
import json
import math
import os
from collections.abc import Callable
from typing import Any

import numpy as np

from . import functional as F
from .files import write_atomically
from .play import BCEExplorer, TemperatureExplorer
from .tensor import Tensor

ORANGE, BLUE, GREY = "#ff7f0e", "#1f77b4", "#7f7f7f"  # matplotlib's tab: colours, as in play.py
SOFTMAX_LOGITS = np.linspace(-3.0, 3.0, 13)  # steps of 0.5
SOFTMAX_TEMPERATURES = np.array([0.25, 0.5, 1.0, 2.0, 4.0])
BCE_LABELS = np.linspace(0.0, 1.0, 21)  # steps of 0.05, as the explorer's label slider
TAUS = np.round(np.arange(0.05, 2.0 + 1e-9, 0.01), 2)  # the temperature explorer's range


def page(what: str, classes: int = 3) -> str:
    """The HTML page of the explorer ``what`` ("softmax", "bce" or "temperature").

    Parameters
    ----------
    what : str
        Which explorer.
    classes : int
        The number of logits of "softmax": 2 or 3 (every combination of slider positions
        is computed ahead, and each class multiplies their number by 13).

    Returns
    -------
    str
        One HTML document: inline SVG, CSS, JavaScript and the precomputed states.

    Raises
    ------
    ValueError
        If ``what`` is not an explorer's name, or ``classes`` is not 2 or 3 for "softmax".
    """
    builders: dict[str, Callable[..., _Spec]] = {
        "softmax": _softmax,
        "bce": _bce,
        "temperature": _temperature,
    }
    if what not in builders:
        raise ValueError(f"play page: what must be one of {sorted(builders)}, got {what!r}")
    if what == "softmax" and classes not in (2, 3):
        raise ValueError(
            f"play page: the softmax page has 2 or 3 classes (each slider position is "
            f"computed ahead), got {classes}"
        )
    spec = builders[what](classes) if what == "softmax" else builders[what]()
    data = json.dumps(spec.data(), separators=(",", ":")).replace("</", "<\\/")
    return _TEMPLATE.format(
        title=html.escape(spec.title),
        sliders="\n".join(spec.slider_html()),
        svg=spec.svg(),
        data=data,
        script=_SCRIPT,
    )


def save(what: str, path: str | os.PathLike, classes: int = 3) -> str:
    """Write :func:`page` to ``path`` (atomically); return the path as a str."""
    text = page(what, classes).encode("utf-8")

    def write(stream) -> None:
        stream.write(text)

    return write_atomically(path, write, "play")


class _Spec:
    """A page being built: sliders, static SVG, and layers of precomputed states.

    A layer depends on some of the sliders; for each combination of their positions it holds
    one entry, the values of its targets (an element id and the attribute, or "text", set).
    Equal entries are stored once: the table holds, nested by slider, the entry's index.
    """

    def __init__(self, title: str, width: int, height: int):
        self.title = title
        self.width, self.height = width, height
        self.sliders: list[dict] = []
        self.parts: list[str] = []
        self.layers: list[dict] = []

    def slider(self, name: str, label: str, values, start: int, fmt: str = "{:.2f}") -> None:
        self.sliders.append(
            {"name": name, "label": label, "shown": [fmt.format(v) for v in values], "start": start}
        )

    def layer(self, sliders: list[str], sizes: list[int], targets: list, entry) -> None:
        """``entry(*positions)`` -> the targets' values at those slider positions."""
        entries: dict[tuple, int] = {}
        table = np.zeros(sizes, dtype=np.int64)
        for positions in itertools.product(*(range(n) for n in sizes)):
            values = tuple(entry(*positions))
            table[positions] = entries.setdefault(values, len(entries))
        self.layers.append(
            {
                "sliders": sliders,
                "targets": targets,
                "table": table.tolist(),
                "entries": [list(values) for values in entries],
            }
        )

    def data(self) -> dict:
        return {"sliders": self.sliders, "layers": self.layers}

    def slider_html(self) -> list[str]:
        return [
            f'<label>{html.escape(s["label"])} <input type="range" id="{s["name"]}" min="0" '
            f'max="{len(s["shown"]) - 1}" step="1" value="{s["start"]}"> '
            f'<output id="{s["name"]}-shown"></output></label>'
            for s in self.sliders
        ]

    def svg(self) -> str:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width}" '
            f'height="{self.height}" viewBox="0 0 {self.width} {self.height}">'
            + "".join(self.parts)
            + "</svg>"
        )


class _Axes:
    """A panel of the drawing: data coordinates to pixels, and its frame, title and ticks."""

    def __init__(self, spec: _Spec, box: tuple, xlim: tuple, ylim: tuple, name: str):
        self.left, self.top, self.width, self.height = box
        self.xlim, self.ylim, self.name = xlim, ylim, name
        self.spec = spec

    def x(self, value: float) -> float:
        low, high = self.xlim
        return round(self.left + (float(value) - low) / (high - low) * self.width, 1)

    def y(self, value: float) -> float:
        low, high = self.ylim
        return round(self.top + (1 - (float(value) - low) / (high - low)) * self.height, 1)

    def frame(self, title: str, xticks=(), yticks=(), xlabels=None) -> None:
        """The panel's border, its title (id ``NAME-title``) and tick labels."""
        parts = self.spec.parts
        parts.append(
            f'<rect x="{self.left}" y="{self.top}" width="{self.width}" height="{self.height}" '
            f'fill="none" stroke="#333"/>'
        )
        lines = title.split("\n")
        for line, text in enumerate(lines):
            y = self.top - 10 - 15 * (len(lines) - 1 - line)  # the last line just above
            parts.append(
                f'<text class="title" id="{self.name}-title{line or ""}" '
                f'x="{self.left + self.width / 2}" y="{y}">{html.escape(text)}</text>'
            )
        for k, tick in enumerate(xticks):
            label = xlabels[k] if xlabels is not None else f"{tick:g}"
            parts.append(
                f'<text class="tick" x="{self.x(tick)}" y="{self.top + self.height + 15}">'
                f"{html.escape(label)}</text>"
            )
        for tick in yticks:
            parts.append(
                f'<text class="tick end" x="{self.left - 5}" y="{self.y(tick) + 4}">{tick:g}</text>'
            )

    def bar(self, value: float, base: float = 0.0) -> tuple[float, float]:
        """The top and the height, in pixels, of a bar from ``base`` to ``value``."""
        y0, y1 = self.y(base), self.y(min(max(float(value), self.ylim[0]), self.ylim[1]))
        return min(y0, y1), round(abs(y1 - y0), 1)


# ---- binary cross-entropy -------------------------------------------------------------------
def _bce() -> _Spec:
    spec = _Spec("binary cross-entropy with logits: move the logit and the label", 1200, 470)
    grid = BCEExplorer.GRID  # (321,) logits in steps of 0.05
    curves = [BCEExplorer._on_tape(grid, float(y)) for y in BCE_LABELS]  # from the tape
    top_loss = max(1.0, max(float(c["loss"].max()) for c in curves)) * 1.05
    limits = {"sigmoid": (-0.05, 1.05), "loss": (0.0, top_loss), "grad": (-1.05, 1.05)}
    titles = {
        "sigmoid": "p = sigmoid(x)",
        "loss": "loss",
        "grad": "dL/dx from backward() = sigmoid(x) - y\n ",
    }
    axes = {}
    for k, name in enumerate(("sigmoid", "loss", "grad")):
        axes[name] = _Axes(spec, (60 + 390 * k, 70, 320, 300), (-8, 8), limits[name], name)
        axes[name].frame(titles[name], xticks=(-8, -4, 0, 4, 8), yticks=_ticks(limits[name]))
        spec.parts.append(
            f'<path id="{name}-curve" fill="none" stroke="{BLUE}" stroke-width="2"/>'
            f'<circle id="{name}-dot" r="6" fill="{ORANGE}"/>'
        )
    spec.parts.append(f'<line id="label-line" stroke="{GREY}" stroke-dasharray="6 4"/>')
    spec.slider("logit", "logit x", grid, int(np.argmin(abs(grid - 1.5))))
    spec.slider("label", "label y", BCE_LABELS, len(BCE_LABELS) - 1)
    sig = axes["sigmoid"]

    def by_label(j: int) -> list:
        paths = [
            "M" + " L".join(f"{axes[n].x(x)},{axes[n].y(v)}" for x, v in zip(grid, curves[j][n]))
            for n in ("sigmoid", "loss", "grad")
        ]
        y = sig.y(BCE_LABELS[j])
        return [*paths, sig.x(-8), sig.x(8), y, y]

    targets = [[f"{n}-curve", "d"] for n in ("sigmoid", "loss", "grad")]
    targets += [["label-line", a] for a in ("x1", "x2", "y1", "y2")]
    spec.layer(["label"], [len(BCE_LABELS)], targets, by_label)

    def by_both(i: int, j: int) -> list:
        values = {n: float(curves[j][n][i]) for n in ("sigmoid", "loss", "grad")}
        dots = [c for n in values for c in (axes[n].x(grid[i]), axes[n].y(values[n]))]
        return [
            *dots,
            f"loss = {values['loss']:.4f}",
            f"dL/dx from backward() = {values['grad']:.4f}",
            f"sigmoid(x) - y = {values['sigmoid'] - BCE_LABELS[j]:.4f}",
        ]

    targets = [[f"{n}-dot", a] for n in ("sigmoid", "loss", "grad") for a in ("cx", "cy")]
    targets += [["loss-title", "text"], ["grad-title", "text"], ["grad-title1", "text"]]
    spec.layer(["logit", "label"], [len(grid), len(BCE_LABELS)], targets, by_both)
    return spec


def _ticks(limits: tuple) -> list:
    """A few round numbers inside ``limits``, for a vertical axis."""
    low, high = limits
    step = {True: 0.5, False: 2.0}[high - low < 3]
    return [float(t) for t in np.arange(math.ceil(low / step) * step, high, step)]


# ---- softmax --------------------------------------------------------------------------------
def _softmax(classes: int) -> _Spec:
    spec = _Spec(
        "softmax and cross-entropy: move a logit, the temperature or the target", 1200, 430
    )
    z, t, y = _softmax_grid(classes)
    names = [f"z{i}" for i in range(classes)]
    # Every state on the tape at once: rows are independent, so backward of their sum gives
    # each row's own gradient.
    logits = Tensor(z, requires_grad=True)  # (S, C)
    scaled = logits / t[:, None]
    p = F.softmax(scaled, axis=1).data
    loss = F.cross_entropy(scaled, y, reduction="none")
    loss.sum().backward()
    grad = logits.grad
    assert grad is not None  # backward() just filled it
    formula = (p - np.eye(classes)[y]) / t[:, None]
    shape = [len(SOFTMAX_LOGITS)] * classes + [len(SOFTMAX_TEMPERATURES), classes]
    index = np.arange(len(y)).reshape(shape)
    for i, name in enumerate(names):
        start = int(np.argmin(abs(SOFTMAX_LOGITS - [1.0, 2.5, 0.5][i])))
        spec.slider(name, f"logit {name}", SOFTMAX_LOGITS, start, "{:.1f}")
    spec.slider("temperature", "temperature T", SOFTMAX_TEMPERATURES, 2)
    spec.slider("target", "target class y", range(classes), 1, "{}")
    ax_p = _Axes(spec, (60, 50, 300, 300), (-0.6, classes - 0.4), (0, 1.1), "p")
    ax_p.frame("p = softmax(z / T)", range(classes), (0, 0.5, 1), names)
    ax_loss = _Axes(spec, (460, 50, 300, 300), (-0.6, 1.6), (0, 1), "loss")
    ax_loss.frame("the loss beside log C", (0, 1), (), ["-log p_y", f"log C = log {classes}"])
    ax_grad = _Axes(spec, (860, 50, 300, 300), (-0.6, classes - 0.4), (-1, 1), "grad")
    ax_grad.frame(
        "dL/dz from backward() (blue), (p - one_hot(y)) / T (grey)", range(classes), (), names
    )
    spec.parts.append(
        f'<line x1="{ax_grad.x(-0.6)}" x2="{ax_grad.x(classes - 0.4)}" y1="{ax_grad.y(0)}" '
        f'y2="{ax_grad.y(0)}" stroke="#000"/>'
    )
    bars = [("p", k, BLUE, ax_p.x(k) - 30, 60) for k in range(classes)]
    bars += [("loss", k, c, ax_loss.x(k) - 40, 80) for k, c in enumerate((ORANGE, GREY))]
    bars += [("grad", k, BLUE, ax_grad.x(k) - 26, 24) for k in range(classes)]
    bars += [("formula", k, GREY, ax_grad.x(k) + 2, 24) for k in range(classes)]
    for name, k, colour, x, width in bars:
        spec.parts.append(
            f'<rect id="{name}{k}" x="{x}" width="{width}" fill="{colour}"/>'
            f'<text class="value" id="{name}{k}-text" x="{x + width / 2}"></text>'
        )

    def entry(*positions) -> list:
        s = index[positions]
        chance = math.log(classes)
        ax_loss.ylim = (0, max(float(loss.data[s]), chance) * 1.2)
        limit = 1.2 * float(np.abs(formula[s]).max())
        ax_grad.ylim = (-limit, limit)
        values: list[Any] = []
        for k in range(classes):
            values += [*ax_p.bar(p[s, k]), ORANGE if k == y[s] else BLUE]
            values += [ax_p.y(p[s, k]) - 4, f"{p[s, k]:.3f}"]
        for v in (float(loss.data[s]), chance):
            values += [*ax_loss.bar(v), ax_loss.y(v) - 4, f"{v:.3f}"]
        for k in range(classes):
            values += [*ax_grad.bar(grad[s, k]), _above(ax_grad, grad[s, k]), f"{grad[s, k]:.2f}"]
            values += [*ax_grad.bar(formula[s, k])]
        return values

    targets = []
    for k in range(classes):
        targets += [[f"p{k}", "y"], [f"p{k}", "height"], [f"p{k}", "fill"]]
        targets += [[f"p{k}-text", "y"], [f"p{k}-text", "text"]]
    for k in range(2):
        targets += [[f"loss{k}", "y"], [f"loss{k}", "height"]]
        targets += [[f"loss{k}-text", "y"], [f"loss{k}-text", "text"]]
    for k in range(classes):
        targets += [[f"grad{k}", "y"], [f"grad{k}", "height"]]
        targets += [[f"grad{k}-text", "y"], [f"grad{k}-text", "text"]]
        targets += [[f"formula{k}", "y"], [f"formula{k}", "height"]]
    spec.layer([*names, "temperature", "target"], shape, targets, entry)
    return spec


def _softmax_grid(classes: int) -> tuple:
    """Every combination of the sliders: logits (S, C), temperatures (S,), targets (S,)."""
    rows = list(
        itertools.product(*[SOFTMAX_LOGITS] * classes, SOFTMAX_TEMPERATURES, range(classes))
    )
    table = np.array(rows)
    return table[:, :classes], table[:, classes], table[:, classes + 1].astype(np.int64)


def _above(ax: _Axes, value: float) -> float:
    """Where a bar's number goes: above a positive bar, below a negative one."""
    return ax.y(value) - 4 if value >= 0 else ax.y(value) + 12


# ---- temperature ------------------------------------------------------------------------------
HEAT_CELL = 45  # pixels a side of a heatmap's cell


def _heatmap(spec: _Spec, k: int, title: str, names: list, positive) -> None:
    """Heatmap ``k`` (0: the similarities, 1: the probabilities): a cell per pair of rows,
    each row's positive boxed as in the explorer; the probabilities get a number per cell."""
    cell, m, top = HEAT_CELL, len(names), 70
    left = 70 + 410 * k
    _Axes(spec, (left, top, cell * m, cell * m), (0, m), (0, m), f"heat{k}").frame(title)
    for i, n in enumerate(names):
        spec.parts.append(
            f'<text class="tick" x="{left + cell * i + cell / 2}" y="{top + cell * m + 15}">'
            f'{n}</text><text class="tick end" x="{left - 5}" '
            f'y="{top + cell * i + cell / 2 + 4}">{n}</text>'
        )
    for i, j in np.ndindex(m, m):
        x, y = left + cell * j, top + cell * i
        spec.parts.append(
            f'<rect id="h{k}-{i}-{j}" x="{x}" y="{y}" width="{cell}" height="{cell}"/>'
        )
        if k == 1 and i != j:
            spec.parts.append(
                f'<text class="value" id="pt-{i}-{j}" x="{x + cell / 2}" '
                f'y="{y + cell / 2 + 4}"></text>'
            )
    for i in range(m):
        j = int(positive[i])
        spec.parts.append(
            f'<rect x="{left + cell * j + 2}" y="{top + cell * i + 2}" width="{cell - 4}" '
            f'height="{cell - 4}" fill="none" stroke="#000" stroke-width="2"/>'
        )


def _temperature() -> _Spec:
    spec = _Spec(
        "NT-Xent at temperature tau: 3 pairs (rows a0 a1 a2 b0 b1 b2); each row must pick "
        "its other view",
        1250,
        470,
    )
    explorer = TemperatureExplorer()  # its fixed batch; set_val reruns the tape
    names = ["a0", "a1", "a2", "b0", "b1", "b2"]
    m = len(names)
    states = []
    for tau in TAUS:
        explorer.sliders["temperature"].set_val(float(tau))
        states.append({k: np.copy(v) for k, v in explorer.values.items()})
    spec.slider("temperature", "temperature tau", TAUS, int(np.argmin(abs(TAUS - 0.5))))
    for k, title in enumerate(
        ("similarity logits s = u u^T / tau", "probabilities: softmax over k != i")
    ):
        _heatmap(spec, k, title, names, explorer.positive)
    top = max(max(float(s["loss"].max()) for s in states), math.log(m - 1)) * 1.2
    ax = _Axes(spec, (900, 70, 300, 270), (-0.6, m - 0.4), (0, top), "loss")
    ax.frame("loss per anchor", range(m), _ticks((0, top)), names)
    spec.parts.append(
        f'<line x1="{ax.x(-0.6)}" x2="{ax.x(m - 0.4)}" y1="{ax.y(math.log(m - 1))}" '
        f'y2="{ax.y(math.log(m - 1))}" stroke="{GREY}" stroke-dasharray="6 4"/>'
        f'<text class="tick end" x="{ax.x(m - 0.5)}" y="{ax.y(math.log(m - 1)) - 5}">'
        f"log(2N - 1) = log {m - 1}</text>"
    )
    for i in range(m):
        spec.parts.append(
            f'<rect id="bar{i}" x="{ax.x(i) - 18}" width="36" fill="{BLUE}"/>'
            f'<text class="value" id="bar{i}-text" x="{ax.x(i)}"></text>'
        )

    def entry(t: int) -> list:
        state, tau = states[t], float(TAUS[t])
        values: list[Any] = [_colour("RdBu_r", v, -1 / tau, 1 / tau) for v in state["s"].ravel()]
        values += [_colour("viridis", v, 0, 1) for v in state["p"].ravel()]
        for i, j in np.ndindex(m, m):
            if i != j:  # white on the dark end of viridis, as in the explorer
                p = state["p"][i, j]
                values += [f"{p:.2f}", "#ffffff" if p < 0.5 else "#000000"]
        for v in state["loss"]:
            values += [*ax.bar(float(v)), ax.y(float(v)) - 4, f"{v:.3f}"]
        return [*values, f"loss per anchor (mean {state['mean']:.4f})"]

    spec.layer(["temperature"], [len(TAUS)], _temperature_targets(m), entry)
    return spec


def _temperature_targets(m: int) -> list:
    """What a temperature sets, in the order of its entries: the cells' colours, the
    probabilities' numbers and their colours, the loss bars and their numbers, the title."""
    targets = [[f"h{k}-{i}-{j}", "fill"] for k in range(2) for i, j in np.ndindex(m, m)]
    for i, j in np.ndindex(m, m):
        if i != j:
            targets += [[f"pt-{i}-{j}", "text"], [f"pt-{i}-{j}", "fill"]]
    for i in range(m):
        targets += [[f"bar{i}", "y"], [f"bar{i}", "height"]]
        targets += [[f"bar{i}-text", "y"], [f"bar{i}-text", "text"]]
    return [*targets, ["loss-title", "text"]]


def _colour(cmap: str, value: float, low: float, high: float) -> str:
    """The colour of ``value`` on a matplotlib colormap over [low, high]; white for nan."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    if not np.isfinite(value):
        return "#ffffff"
    return to_hex(colormaps[cmap](float(np.clip((value - low) / (high - low), 0, 1))))


_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
      content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>{title}</title>
<style>
body {{ font: 14px system-ui, sans-serif; margin: 12px; color: #1a1a1a; }}
h1 {{ font-size: 16px; }}
#sliders {{ display: flex; flex-wrap: wrap; gap: 6px 28px; margin-bottom: 8px; }}
label {{ display: flex; align-items: center; gap: 8px; }}
input[type=range] {{ width: 240px; }}
output {{ font: 13px monospace; min-width: 3em; }}
svg text {{ font: 12px sans-serif; text-anchor: middle; }}
svg text.title {{ font-size: 13px; }}
svg text.value {{ font: 11px monospace; }}
svg text.end {{ text-anchor: end; }}
</style>
</head>
<body>
<h1>{title}</h1>
<div id="sliders">
{sliders}
</div>
{svg}
<script type="application/json" id="states">{data}</script>
<script>{script}</script>
</body>
</html>
"""

# Look up what the package computed for the sliders' positions, and set it.
_SCRIPT = """
"use strict";
const S = JSON.parse(document.getElementById("states").textContent);

function update() {
  const at = {};
  for (const s of S.sliders) {
    at[s.name] = Number(document.getElementById(s.name).value);
    document.getElementById(s.name + "-shown").textContent = s.shown[at[s.name]];
  }
  for (const layer of S.layers) {
    let index = layer.table;
    for (const name of layer.sliders) index = index[at[name]];
    const entry = layer.entries[index];
    layer.targets.forEach(([id, attribute], k) => {
      const e = document.getElementById(id);
      if (attribute === "text") e.textContent = entry[k];
      else e.setAttribute(attribute, entry[k]);
    });
  }
}

for (const s of S.sliders) document.getElementById(s.name).addEventListener("input", update);
update();
"""
