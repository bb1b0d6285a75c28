"""The backward walk, one node at a time, in one self-contained HTML page.

``tx.draw(loss, "graph.html")`` writes it, ``tx.draw(loss, interactive=True)`` shows it in a
notebook. The page is the graph as :func:`tx.draw <tinygrad_xent.draw.draw>` lays it out, as
inline SVG, beside a panel: first the forward values, then, one step per node in the order
the engine walked them (newest first), the gradient ``g`` arriving at the node, its rule, and
what it hands to each input; at the end each leaf's ``.grad``. Buttons and the arrow keys
step; any array opens in full as a table coloured by sign and size.

The page computes nothing: every number is read from the engine's record of the walk in
:func:`_walk_record`, the one function here that reads the tape, and embedded as JSON. The
JavaScript only shows and hides what is there. Nothing is fetched: no fonts, no scripts,
no network, so the file opens from disk, offline, and can be mailed.
"""

from __future__ import annotations

import html
import json
import os
from typing import Any

import numpy as np

from .autograd import Node, _shapes, tape, unbroadcast
from .explain import (
    MAX_INPUTS,
    MAX_LEAVES,
    _Labels,
    describe_constant,
    explain,
    format_values,
    leaf_gradients,
)
from .files import write_atomically
from .layout import EDGE, FILL, GRAD_COLOR, LINE_H, MAX_OPS, PAD_Y, _Graph, edge_path, layout
from .tensor import Tensor

# Elements of an array embedded in full (the walk keeps arrays of up to 10,000 by default, and
# larger ones with retain_graph=True); a bigger one shows its summary only, so that the page of
# a big model stays a file one can mail.
MAX_TABLE = 100_000
PX = 96  # pixels per inch: layout.py places the graph in inches
NOTEBOOK_HEIGHT = 640  # pixels of the frame a notebook shows the page in


class Stepper:
    """The stepping page of one graph, made by ``tx.draw(loss, interactive=True)``.

    Attributes
    ----------
    record : dict
        What the page shows, as :func:`_walk_record` read it from the tape (JSON-ready).
    html : str
        The page: one self-contained HTML document.
    """

    def __init__(self, loss: Tensor, max_ops: int | None = MAX_OPS):
        self.record = _walk_record(loss, max_ops)
        self.html = page(self.record)

    def save(self, path: str | os.PathLike) -> str:
        """Write the page to ``path`` (atomically) and return the path as a str."""
        data = self.html.encode("utf-8")

        def write(stream) -> None:
            stream.write(data)

        return write_atomically(path, write, "draw")

    def _repr_html_(self) -> str:
        """The page for a notebook cell, in a frame of its own: no kernel extension, no
        server, and it runs where notebook outputs are sandboxed (Colab) as on a desktop."""
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" sandbox="allow-scripts" '
            f'style="width:100%;height:{NOTEBOOK_HEIGHT}px;border:1px solid #ddd"></iframe>'
        )

    def __repr__(self) -> str:
        steps = len(self.record["steps"])
        return f"<tx.draw stepper: {self.record['summary']}; {steps} backward steps>"


# ---- the record: everything the page shows, read from the tape in one place -------------------
def _walk_record(loss: Tensor, max_ops: int | None = MAX_OPS) -> dict:
    """What flowed through ``loss``'s graph in its last backward, as plain JSON-ready data.

    The one function of this module that reads the tape (nodes' ``name``, ``rule``,
    ``input_names``, ``parents``, ``in_shapes``, ``out_shape``, ``value``, ``grad_out``,
    ``grads_in``, ``walked``; leaves' ``name``, ``shape`` and ``data``), through the helpers
    ``tx.explain`` and ``tx.draw`` use, so that the page says what they say.

    Returns
    -------
    dict
        ``boxes`` and ``edges`` (draw's layout, in inches), ``steps`` (one per drawn node,
        newest first: ``g``, ``rule``, ``uses``, what went to each input), ``leaves`` (each
        leaf's gradient from this backward), ``summary`` (what the drawing left out) and
        ``message`` (why there are no gradients to show, or None).
    """
    graph = layout(loss, max_ops)
    nodes = tape(loss)
    first = 0 if max_ops is None else max(0, len(nodes) - max_ops)
    recorded = nodes[-1].walked and all(node.grad_out is not None for node in nodes)
    record: dict[str, Any] = {
        "what": "loss" if loss.size == 1 else "output",
        "loss": _array(loss.data),
        "title": f"backward through {len(nodes)} nodes, from the "
        f"{'loss' if loss.size == 1 else 'output'} (node {len(nodes) - 1}) back to the leaves",
        "summary": graph.summary,
        "left_out": first,
        "message": None if recorded else explain(loss, file=None),
        "steps": [],
        "leaves": [],
    }
    box_ids = _boxes_and_edges(graph, record)
    if not recorded:
        return record
    labels = _Labels(nodes)
    uses: dict[int, int] = {}  # id(node) -> how many inputs of later nodes it feeds
    for node in nodes:
        for parent in node.parents:
            if isinstance(parent, Node):
                uses[id(parent)] = uses.get(id(parent), 0) + 1
    for position in range(len(nodes) - 1, first - 1, -1):  # the walk's order: newest first
        node = nodes[position]
        step = _step(node, position, labels, uses.get(id(node), 1))
        step["op"] = box_ids[id(graph.op_box[id(node)])]
        step["out"] = box_ids[id(graph.out_box(node))]
        for sent, box in zip(step["sent"], graph.in_boxes[id(node)]):
            sent["box"] = box_ids[id(box)]
        record["steps"].append(step)
        record["boxes"][step["out"]]["reveal"] = len(record["steps"])
    leaf_steps = len(record["steps"]) + 1
    for leaf, total, count in list(leaf_gradients(nodes[first:]).values())[:MAX_LEAVES]:
        # None for a leaf draw left out (past its MAX_LEAVES, or an input past its MAX_INPUTS)
        box = box_ids.get(id(graph.leaf_box(leaf)))
        if box is not None:
            record["boxes"][box]["reveal"] = leaf_steps
        record["leaves"].append(
            {
                "label": f"{labels.of(leaf, leaf.shape)}.grad",
                "uses": "1 use" if count == 1 else f"sum of {count} uses",
                "grad": _array(total),
                "box": box,
            }
        )
    return record


def _step(node: Node, position: int, labels: _Labels, uses: int) -> dict:
    """One node's block of ``tx.explain``, as data: what arrived, its rule, what it sent."""
    constants = node.constants or (None,) * len(node.parents)
    sent: list[dict[str, Any]] = []
    inputs = list(
        zip(node.input_names, node.parents, node.in_shapes, node.grads_in or (), constants)
    )
    for name, parent, shape, grad, constant in inputs[:MAX_INPUTS]:  # as many as explain shows
        if parent is None:
            text = "none needed" + describe_constant(constant, ":  ")
            sent.append({"label": f"d{name} to constant {shape}", "text": text, "box": None})
            continue
        note = ""
        if grad.shape != shape:  # a broadcast input: the walk summed the rule's gradient
            note = f"(the rule's {grad.shape} summed over the axes it was broadcast along)"
        sent.append(
            {
                "label": f"d{name} to {labels.of(parent, shape)}",
                "grad": _array(unbroadcast(grad, shape)),
                "note": note,
                "box": None,  # the box it goes to, if drawn: set by _walk_record
            }
        )
    return {
        "more": len(inputs) - len(sent),  # inputs left out, as explain leaves them out
        "position": position,
        "header": f"node {position}  {node.name}({_shapes(node.in_shapes)}) -> {node.out_shape}",
        "value": None if node.value is None else _array(node.value),
        "g": _array(node.grad_out),
        "uses": uses,
        "rule": node.rule,
        "sent": sent,
    }


def _boxes_and_edges(graph: _Graph, record: dict) -> dict:
    """Put draw's placed boxes and edge paths into ``record``; return id(box) -> its index."""
    boxes = [box for row in graph.rows for box in row if box.kind != "dummy"]
    box_ids = {id(box): i for i, box in enumerate(boxes)}
    record["width"], record["height"] = graph.width, graph.height
    record["boxes"] = [
        {
            "kind": box.kind,
            "x": box.x - box.width / 2,
            "y": box.y,
            "w": box.width,
            "h": box.height,
            "lines": [[text, color, color == GRAD_COLOR] for text, color in box.lines],
            "reveal": None,  # the step at which its gradient is known
        }
        for box in boxes
    ]
    record["edges"] = [
        {
            "points": edge_path(source, target, slot),
            "label": label,
            "arrow": target.kind != "dummy",
        }
        for source, target, label, slot in graph.edges
    ]
    return box_ids


def _array(array) -> dict:
    """An array as the page shows it: explain's text, and its numbers for the full table.

    The numbers are rounded to explain's 4 decimals (so the table and the text agree); nan
    and infinities, which JSON has no numbers for, become the strings "nan", "inf", "-inf".
    """
    array = np.asarray(array, dtype=np.float64)
    shape = array.shape
    cols = shape[-1] if array.ndim else 1
    entry = {
        "text": format_values(array),
        "shape": list(shape),
        "rows": array.size // cols if cols else 0,
        "cols": cols,
        "data": None,
        "scale": 0.0,
    }
    if array.size <= MAX_TABLE:
        rounded = np.round(array, 4) + 0.0  # + 0.0: no -0.0
        finite = rounded[np.isfinite(rounded)]
        entry["scale"] = float(np.abs(finite).max()) if finite.size else 0.0
        entry["data"] = [
            float(v) if np.isfinite(v) else ("nan" if np.isnan(v) else ("inf" if v > 0 else "-inf"))
            for v in rounded.ravel()
        ]
    return entry


# ---- the page -----------------------------------------------------------------------------------
def page(record: dict) -> str:
    """The HTML page of a :func:`_walk_record`: inline SVG, CSS, JavaScript and the record."""
    data = json.dumps(record, separators=(",", ":"), allow_nan=False)
    data = data.replace("</", "<\\/")  # a "</script>" inside a string must not end the script
    return _TEMPLATE.format(
        title=html.escape(record["title"]),
        svg=_svg(record),
        css=_CSS,
        script=_SCRIPT,
        data=data,
    )


def _svg(record: dict) -> str:
    """The graph as SVG, in pixels: draw's boxes, their text lines and the edges."""
    margin = 10
    width, height = record["width"] * PX + 2 * margin, record["height"] * PX + 2 * margin
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="{-margin} {-margin} {width:.1f} {height:.1f}">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker>'
        "</defs>",
    ]
    for edge in record["edges"]:
        (x0, y0), (x1, y1), (c1x, c1y), (c2x, c2y), (x2, y2) = (
            (x * PX, y * PX) for x, y in edge["points"]
        )
        arrow = ' marker-end="url(#arrow)"' if edge["arrow"] else ""
        parts.append(
            f'<path class="edge" d="M{x0:.1f},{y0:.1f} L{x1:.1f},{y1:.1f} C{c1x:.1f},{c1y:.1f} '
            f'{c2x:.1f},{c2y:.1f} {x2:.1f},{y2:.1f}"{arrow}/>'
        )
        if edge["label"]:
            parts.append(
                f'<text class="label" x="{x2 + 6:.1f}" y="{y2 - 6:.1f}">'
                f"{html.escape(edge['label'])}</text>"
            )
    for i, box in enumerate(record["boxes"]):
        parts.append(_svg_box(i, box))
    parts.append("</svg>")
    return "\n".join(parts)


def _svg_box(i: int, box: dict) -> str:
    """One box: a rectangle (rounded for an op) and its lines, the gradient's marked."""
    x, y, w, h = (box[k] * PX for k in ("x", "y", "w", "h"))
    radius = 11 if box["kind"] == "op" else 0
    dashed = ' stroke-dasharray="4 3"' if box["kind"] in ("constant", "summary") else ""
    parts = [
        f'<g class="box {box["kind"]}" id="box{i}">',
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="{radius}" '
        f'fill="{FILL[box["kind"]]}" stroke="{EDGE[box["kind"]]}"{dashed}/>',
    ]
    for n, (text, color, is_grad) in enumerate(box["lines"]):
        bold = n == 0 and box["kind"] in ("op", "loss", "leaf")
        extra = ' class="grad"' if is_grad else ' class="bold"' if bold else ""
        line_y = (box["y"] + PAD_Y + (n + 0.5) * LINE_H) * PX
        parts.append(
            f'<text x="{x + w / 2:.1f}" y="{line_y:.1f}" fill="{color}"{extra}>'
            f"{html.escape(text)}</text>"
        )
    parts.append("</g>")
    return "".join(parts)


_CSS = """
body { font: 14px system-ui, sans-serif; margin: 0; color: #1a1a1a; }
header { padding: 8px 12px; border-bottom: 1px solid #ddd; display: flex; gap: 8px;
         align-items: center; flex-wrap: wrap; }
header h1 { font-size: 15px; margin: 0 12px 0 0; }
button { font: inherit; padding: 3px 10px; }
#counter { color: #555; }
main { display: flex; height: calc(100vh - 50px); }
#graph { flex: 1 1 55%; overflow: auto; border-right: 1px solid #ddd; }
#panel { flex: 1 1 45%; overflow: auto; padding: 10px 14px; }
svg text { font: 12px monospace; text-anchor: middle; dominant-baseline: central;
           white-space: pre; }
svg text.bold { font-weight: bold; }
svg text.label { fill: #6a51a3; font-style: italic; text-anchor: start; }
.edge { fill: none; stroke: #555; stroke-width: 1.2; }
.box rect { stroke-width: 1.5; }
.box.current rect { stroke: #d62728; stroke-width: 4; }
.box.input rect { stroke: #2c7fb8; stroke-width: 3.5; }
.hide-grad text.grad { visibility: hidden; }
pre { margin: 2px 0 6px 0; font: 13px monospace; white-space: pre-wrap; }
.row-label { font-weight: bold; margin-top: 8px; }
.sent { border-left: 4px solid #2c7fb8; padding-left: 8px; margin: 8px 0; }
.note { color: #555; }
table.values { border-collapse: collapse; font: 12px monospace; margin: 4px 0; }
table.values td, table.values th { border: 1px solid #ccc; padding: 1px 5px;
                                   text-align: right; }
table.values th { background: #f4f4f4; font-weight: normal; color: #555; }
"""

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
      content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
<header>
<h1>{title}</h1>
<button id="reset" title="back to the forward values">reset</button>
<button id="prev" title="previous step (left arrow)">&larr; previous</button>
<button id="play">play</button>
<button id="next" title="next step (right arrow)">next &rarr;</button>
<span id="counter"></span>
</header>
<main>
<div id="graph">{svg}</div>
<div id="panel"></div>
</main>
<script type="application/json" id="record">{data}</script>
<script>{script}</script>
</body>
</html>
"""

# The page's behaviour: pick what the record holds for the current step and show it.
_SCRIPT = """
"use strict";
const R = JSON.parse(document.getElementById("record").textContent);
const last = R.steps.length + (R.leaves.length ? 1 : 0);  // 0 is the forward pass
let step = 0, timer = null;

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function fmt(v) { return typeof v === "number" ? v.toFixed(4) : v; }

// A table of every number, each cell tinted red (positive) or blue (negative) by its size.
function table(a) {
  const t = el("table", undefined, "values"), head = el("tr");
  head.appendChild(el("th"));
  for (let c = 0; c < a.cols; c++) head.appendChild(el("th", String(c)));
  t.appendChild(head);
  for (let r = 0; r < a.rows; r++) {
    const tr = el("tr");
    tr.appendChild(el("th", String(r)));
    for (let c = 0; c < a.cols; c++) {
      const v = a.data[r * a.cols + c], td = el("td", fmt(v));
      if (typeof v === "number" && a.scale > 0) {
        const alpha = Math.abs(v) / a.scale * 0.6;
        td.style.background = v > 0 ? `rgba(214,39,40,${alpha})` : `rgba(44,127,184,${alpha})`;
      }
      tr.appendChild(td);
    }
    t.appendChild(tr);
  }
  return t;
}

// explain's text of an array; a button opens the full table when the text is a summary.
function values(a) {
  const box = el("div");
  box.appendChild(el("pre", a.text));
  if (a.data && a.data.length > 12) {
    const b = el("button", `show all ${a.data.length} values`, "open");
    b.onclick = () => { b.replaceWith(table(a)); };
    box.appendChild(b);
  } else if (!a.data && a.shape.length) {
    box.appendChild(el("div", "(too many values to embed in the page)", "note"));
  }
  return box;
}

function labelled(panel, label, a) {
  panel.appendChild(el("div", label, "row-label"));
  panel.appendChild(values(a));
}

function showForward(panel) {
  panel.appendChild(el("h2", "forward pass"));
  panel.appendChild(el("p", "The values in black were computed top to bottom. " +
    "Press \\u2192 (or next) to walk the gradient back, one node at a time."));
  labelled(panel, R.what, R.loss);
  if (R.message) panel.appendChild(el("pre", R.message, "note"));
  if (R.left_out) panel.appendChild(el("p", R.summary, "note"));
}

function showNode(panel, s) {
  panel.appendChild(el("h2", s.header, "header"));
  if (s.value) labelled(panel, "value", s.value);
  labelled(panel, s.uses === 1 ? "g arriving" : `g arriving (sum of ${s.uses} uses)`, s.g);
  panel.appendChild(el("div", "rule", "row-label"));
  panel.appendChild(el("pre", s.rule, "rule"));
  for (const sent of s.sent) {
    const d = el("div", undefined, "sent");
    d.appendChild(el("div", sent.label, "row-label"));
    if (sent.grad) d.appendChild(values(sent.grad));
    else d.appendChild(el("pre", sent.text));
    if (sent.note) d.appendChild(el("div", sent.note, "note"));
    panel.appendChild(d);
  }
  if (s.more) panel.appendChild(el("p", `... ${s.more} more inputs left out`, "note"));
}

function showLeaves(panel) {
  panel.appendChild(el("h2", "leaves", "header"));
  panel.appendChild(el("p", "Each leaf's gradient is the sum of what the nodes that used " +
    "it handed down: its .grad from this backward."));
  for (const leaf of R.leaves) {
    const d = el("div", undefined, "sent leaf");
    labelled(d, `${leaf.label} (${leaf.uses}):`, leaf.grad);
    panel.appendChild(d);
  }
}

function render() {
  const panel = document.getElementById("panel");
  panel.replaceChildren();
  document.querySelectorAll(".box").forEach(b => b.classList.remove("current", "input"));
  R.boxes.forEach((b, i) => {
    const hidden = b.reveal === null || b.reveal > step;
    document.getElementById("box" + i).classList.toggle("hide-grad", hidden);
  });
  let focus = null;
  if (step === 0) showForward(panel);
  else if (step <= R.steps.length) {
    const s = R.steps[step - 1];
    showNode(panel, s);
    for (const sent of s.sent) {
      if (sent.box !== null) document.getElementById("box" + sent.box).classList.add("input");
    }
    for (const i of [s.op, s.out]) document.getElementById("box" + i).classList.add("current");
    focus = document.getElementById("box" + s.op);
  } else {
    showLeaves(panel);
    for (const leaf of R.leaves) {
      if (leaf.box !== null) document.getElementById("box" + leaf.box).classList.add("current");
    }
  }
  document.getElementById("counter").textContent = `step ${step} of ${last}`;
  document.getElementById("prev").disabled = step === 0;
  document.getElementById("next").disabled = step === last;
  if (focus) focus.scrollIntoView({block: "center", inline: "center"});
}

function go(to) {
  step = Math.max(0, Math.min(last, to));
  render();
}

function play() {
  const button = document.getElementById("play");
  if (timer !== null) { clearInterval(timer); timer = null; button.textContent = "play"; return; }
  if (step === last) step = 0;
  button.textContent = "pause";
  timer = setInterval(() => {
    go(step + 1);
    if (step === last) play();
  }, 900);
}

document.getElementById("next").onclick = () => go(step + 1);
document.getElementById("prev").onclick = () => go(step - 1);
document.getElementById("reset").onclick = () => go(0);
document.getElementById("play").onclick = play;
document.addEventListener("keydown", e => {
  if (e.key === "ArrowRight") { go(step + 1); e.preventDefault(); }
  if (e.key === "ArrowLeft") { go(step - 1); e.preventDefault(); }
});
render();
"""
