"""``tx.draw``: the computation graph of a tensor, drawn with matplotlib alone.

The picture is the tape laid out in rows, inputs at the top and the loss at the bottom: a box
for every tensor (leaves in blue, constants in grey, the loss in orange) and a rounded box for
every op. Rows alternate: tensors, the ops that read them, the tensors those ops make, and so
on. An edge that skips rows is routed through reserved gaps in the rows it crosses (the usual
layered-graph layout), so no edge runs through a box.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import numpy as np

from .autograd import Node, tape
from .explain import DECIMALS, format_values, leaf_gradients
from .files import write_atomically
from .tensor import Tensor

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# matplotlib is imported inside the functions that draw: it takes longer to import than the
# rest of the package together, and `import tinygrad_xent` should not pay for it.

MAX_OPS = 40        # a bigger graph would need boxes too small to read
SHOW_SIZE = 6       # tensors with at most this many elements show their values
FONT = 9            # points; monospace so that a box's width follows from its text
CHAR_W = 0.602 * FONT / 72  # inches per character of DejaVu Sans Mono
LINE_H = 1.45 * FONT / 72   # inches per line of text
PAD_X, PAD_Y = 0.14, 0.09   # inches between a box's text and its border
GAP_X = 0.35                # inches between neighbouring boxes in a row
GAP_Y = {"op": 0.24, "tensor": 0.40}  # inches above a row of ops / of tensors
DUMMY_W = 0.25              # width reserved in a row for an edge passing through it
VALUE_COLOR, GRAD_COLOR = "#1a1a1a", "#b2182b"
FILL = {"leaf": "#d6e6f5", "constant": "#ececec", "inner": "#fbf6e3", "loss": "#fdd9b5",
        "op": "#e3dcf2", "dummy": "none"}
EDGE = {"leaf": "#3a6ea5", "constant": "#9a9a9a", "inner": "#b59b3e", "loss": "#d36b12",
        "op": "#6a51a3", "dummy": "none"}


def draw(loss: Tensor, path: str | os.PathLike | None = None, dpi: int = 130) -> Figure:
    """Draw the graph that computed ``loss``: one box per tensor and per op, inputs on top.

    Each tensor box shows its shape and, when it has at most 6 elements, its value (black)
    and, after ``loss.backward()``, its gradient d loss / d tensor (red). Each op box shows
    the op's name and its position on the tape (``print(tx.tape(loss))`` lists the same
    numbers). Edges into a two-input op are labelled with the rule's names, ``a`` and ``b``.

    Parameters
    ----------
    loss : the Tensor whose graph to draw (usually a scalar loss).
    path : if given, a PNG is written there (atomically: a temporary file, then renamed).
    dpi : resolution of the PNG.

    Returns
    -------
    The matplotlib ``Figure`` (not shown on screen: it has no window).

    Raises
    ------
    TypeError if ``loss`` is not a Tensor.
    ValueError if no op that needs a gradient leads to ``loss``, or the graph has more than
    40 ops, too many to read; ``print(tx.tape(loss))`` then lists them one per line.
    """
    if not isinstance(loss, Tensor):
        raise TypeError(f"draw: loss must be a Tensor, got {type(loss).__name__}")
    nodes = tape(loss)
    if not nodes:
        raise ValueError("draw: nothing to draw: no op that needs a gradient leads to this "
                         "tensor (did its inputs have requires_grad=True?)")
    if len(nodes) > MAX_OPS:
        raise ValueError(f"draw: the graph has {len(nodes)} ops, too many to draw readably "
                         f"(at most {MAX_OPS}); print(tx.tape(loss)) lists them one per line")
    graph = _Graph(loss, nodes)
    graph.order_rows()
    graph.place()
    fig = graph.render()
    if path is not None:
        write_atomically(path, lambda stream: fig.savefig(stream, format="png", dpi=dpi),
                         "draw")
    return fig


class _Box:
    """One box of the picture (or a dummy: an invisible point an edge passes through)."""

    def __init__(self, kind: str, lines: list, row: int):
        self.kind = kind      # leaf, constant, inner, loss, op or dummy
        self.lines = lines    # (text, color) pairs, top to bottom
        self.row = row
        # Neighbours as (box, offset): this box sits straight above or below an edge's other
        # end when its x is the neighbour's x plus the offset (nonzero for an op's inputs).
        self.inputs = []
        self.outputs = []
        self.x = 0.0          # centre, inches
        self.y = 0.0          # top edge, inches from the top of the picture
        chars = max((len(text) for text, _ in lines), default=0)
        self.width = DUMMY_W if kind == "dummy" else chars * CHAR_W + 2 * PAD_X
        self.height = 0.0 if kind == "dummy" else len(lines) * LINE_H + 2 * PAD_Y


class _Graph:
    """The boxes in rows, the edges between them, and their layout."""

    def __init__(self, loss: Tensor, nodes: list):
        self.backward_done = loss.node.walked and nodes[-1].grad_out is not None
        # (source box, target box, label, x offset where it arrives), dummies spliced in
        self.edges = []
        leaf_grads = {leaf: total for leaf, (total, _) in leaf_gradients(nodes).items()}
        op_box, out_box, leaf_box = {}, {}, {}
        for position, node in enumerate(nodes):
            sources = []
            for parent, shape in zip(node.parents, node.in_shapes):
                if isinstance(parent, Node):
                    sources.append(out_box[parent])
                elif isinstance(parent, Tensor):
                    if parent not in leaf_box:
                        leaf_box[parent] = _Box("leaf", self._tensor_lines(
                            "leaf", parent.shape, parent.data, leaf_grads.get(parent)), 0)
                    sources.append(leaf_box[parent])
                else:
                    sources.append(None)  # a constant: its row is known once the op's is
            row = 1 + max((box.row for box in sources if box is not None), default=0)
            op = _Box("op", [(f"{node.name}", EDGE["op"]), (f"node {position}", "#555555")],
                      row)
            names = node.input_names
            for i, (box, shape) in enumerate(zip(sources, node.in_shapes)):
                if box is None:
                    box = _Box("constant", [(f"constant {shape}", "#555555")], row - 1)
                # Several inputs arrive at separate points of the op's top edge, a on the left.
                slot = (i - (len(sources) - 1) / 2) * min(0.3, op.width / (len(sources) + 1))
                self._connect(box, op, names[i] if len(sources) > 1 else "", slot)
            kind = "loss" if node is loss.node else "inner"
            title = "loss" if kind == "loss" else "tensor"
            out = _Box(kind, self._tensor_lines(title, node.out_shape, node.value,
                                                node.grad_out), row + 1)
            self._connect(op, out, "", 0.0)
            op_box[node], out_box[node] = op, out
        boxes = {id(b): b for edge in self.edges for b in edge[:2]}.values()
        self.rows = [[] for _ in range(1 + max(box.row for box in boxes))]
        for box in boxes:
            self.rows[box.row].append(box)

    def _connect(self, source: _Box, target: _Box, label: str, slot: float) -> None:
        """An edge from source to target, through a dummy in every row it skips."""
        previous = source
        for row in range(source.row + 1, target.row):
            dummy = _Box("dummy", [], row)
            previous.outputs.append((dummy, 0.0))
            dummy.inputs.append((previous, 0.0))
            self.edges.append((previous, dummy, "", 0.0))
            previous = dummy
        previous.outputs.append((target, slot))
        target.inputs.append((previous, -slot))
        self.edges.append((previous, target, label, slot))

    def _tensor_lines(self, title: str, shape: tuple, value, grad) -> list:
        lines = [(f"{title} {shape}", "#333333")]
        small = int(np.prod(shape)) <= SHOW_SIZE
        if value is not None and small:
            lines.append(("value " + format_values(value, one_line=True), VALUE_COLOR))
        if grad is not None and small:
            lines.append(("grad  " + format_values(grad, one_line=True), GRAD_COLOR))
        elif grad is not None:
            lines.append((f"grad  norm {float(np.linalg.norm(grad)):.{DECIMALS}f}", GRAD_COLOR))
        return lines

    # ---- layout -----------------------------------------------------------------------------
    def order_rows(self, sweeps: int = 4) -> None:
        """Order each row so that edges cross little: the barycenter heuristic.

        Each box moves to the mean position of its neighbours in the row above (sweeping
        down), then of those in the row below (sweeping up), a few times over.
        """
        for row in self.rows:
            for i, box in enumerate(row):
                box.x = float(i)
        for _ in range(sweeps):
            for row in self.rows[1:]:
                self._sort_by_mean(row, "inputs")
            for row in reversed(self.rows[:-1]):
                self._sort_by_mean(row, "outputs")

    @staticmethod
    def _sort_by_mean(row: list, side: str) -> None:
        def key(box):
            # Positions are indices here; the offsets' signs keep an op's input a left of b.
            wanted = [n.x + 0.3 * np.sign(offset) for n, offset in getattr(box, side)]
            return np.mean(wanted) if wanted else box.x
        row.sort(key=key)
        for i, box in enumerate(row):
            box.x = float(i)

    def place(self, sweeps: int = 6) -> None:
        """Give every box its coordinates, in inches.

        Rows are stacked top to bottom. Within a row the order is kept; each box is pulled
        towards the mean x of its neighbours and then pushed apart until no two overlap.
        """
        y = 0.0
        for row in self.rows:
            kind = "op" if any(box.kind == "op" for box in row) else "tensor"
            y += GAP_Y[kind]
            for box in row:
                box.y = y
            y += max(box.height for box in row)
        self.height = y
        for row in self.rows:
            self._spread(row, [0.0] * len(row))
        for sweep in range(sweeps):
            rows = self.rows[1:] if sweep % 2 == 0 else list(reversed(self.rows[:-1]))
            side = "inputs" if sweep % 2 == 0 else "outputs"
            for row in rows:
                wanted = [np.mean([n.x + offset for n, offset in getattr(b, side)])
                          if getattr(b, side) else b.x for b in row]
                self._spread(row, wanted)
        left = min(box.x - box.width / 2 for row in self.rows for box in row)
        right = max(box.x + box.width / 2 for row in self.rows for box in row)
        for row in self.rows:
            for box in row:
                box.x -= left
        self.width = right - left

    @staticmethod
    def _spread(row: list, wanted: list) -> None:
        """Put the row's boxes as near ``wanted`` as possible, in order, without overlaps."""
        xs = list(wanted)
        for i in range(1, len(row)):  # push right what overlaps its left neighbour
            least = xs[i - 1] + (row[i - 1].width + row[i].width) / 2 + GAP_X
            xs[i] = max(xs[i], least)
        # The pushes moved the row right; shift it back so that on average it sits as wanted.
        shift = np.mean(np.array(xs) - np.array(wanted))
        for box, x in zip(row, xs):
            box.x = x - shift

    # ---- drawing ----------------------------------------------------------------------------
    def render(self) -> Figure:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        margin, header = 0.25, 0.55
        width = max(self.width, 5.2) + 2 * margin
        height = self.height + header + margin
        fig = Figure(figsize=(width, height))
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0, 0, 1, 1))
        # Inches as data units, y pointing down: box coordinates are used as they are.
        ax.set_xlim(-margin - (width - 2 * margin - self.width) / 2,
                    width - margin - (width - 2 * margin - self.width) / 2)
        ax.set_ylim(height - header, -header)
        ax.set_axis_off()
        ax.text(self.width / 2, -header + 0.2, "computation graph, inputs on top",
                ha="center", va="center", fontsize=FONT + 2, weight="bold")
        legend = ("value in black,  grad = d loss / d tensor in red" if self.backward_done
                  else "value in black  (call loss.backward() to see the gradients)")
        ax.text(self.width / 2, -header + 0.42, legend, ha="center", va="center",
                fontsize=FONT, color="#444444")
        for source, target, label, slot in self.edges:
            self._draw_edge(ax, source, target, label, slot)
        for row in self.rows:
            for box in row:
                if box.kind != "dummy":
                    self._draw_box(ax, box)
        return fig

    @staticmethod
    def _draw_box(ax, box: _Box) -> None:
        from matplotlib.patches import FancyBboxPatch

        style = "round,pad=0,rounding_size=0.12" if box.kind == "op" else "square,pad=0"
        ax.add_patch(FancyBboxPatch((box.x - box.width / 2, box.y), box.width, box.height,
                                    boxstyle=style, facecolor=FILL[box.kind],
                                    edgecolor=EDGE[box.kind], linewidth=1.2,
                                    linestyle="--" if box.kind == "constant" else "-",
                                    zorder=2))
        for i, (text, color) in enumerate(box.lines):
            bold = i == 0 and box.kind in ("op", "loss", "leaf")
            ax.text(box.x, box.y + PAD_Y + (i + 0.5) * LINE_H, text, ha="center",
                    va="center", family="monospace", fontsize=FONT, color=color,
                    weight="bold" if bold else "normal", zorder=3)

    @staticmethod
    def _draw_edge(ax, source: _Box, target: _Box, label: str, slot: float) -> None:
        """A curve from the bottom of source to ``slot`` inches right of the top middle of
        target, leaving and arriving vertically; arrowheads only where it reaches a box."""
        from matplotlib.patches import FancyArrowPatch
        from matplotlib.path import Path

        x0, y0 = source.x, source.y + source.height
        x1, y1 = target.x + slot, target.y
        bend = (y1 - y0) / 2
        verts = [(x0, y0), (x0, y0 + bend), (x1, y1 - bend), (x1, y1)]
        curve = Path(verts, [Path.MOVETO, Path.CURVE4, Path.CURVE4, Path.CURVE4])
        arrow = "-" if target.kind == "dummy" else "-|>"
        ax.add_patch(FancyArrowPatch(path=curve, arrowstyle=arrow, mutation_scale=10,
                                     color="#555555", linewidth=1.0, zorder=1,
                                     shrinkA=0, shrinkB=0))
        if label:
            ax.text(x1 + 0.06, y1 - 0.1, label, ha="left", va="center", fontsize=FONT - 1,
                    style="italic", color="#6a51a3", zorder=3)
