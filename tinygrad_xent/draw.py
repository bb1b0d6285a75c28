"""``tx.draw``: the computation graph of a tensor, drawn with matplotlib alone.

The picture is the tape laid out in rows, inputs at the top and the loss at the bottom: a box
for every tensor (leaves in blue, constants in grey, the loss in orange) and a rounded box for
every op. Rows alternate: tensors, the ops that read them, the tensors those ops make, and so
on. An edge that skips rows is routed through reserved gaps in the rows it crosses (the usual
layered-graph layout), and bends only in the gaps between rows, so no edge runs through a box.
"""

from __future__ import annotations

import io
import os
from typing import TYPE_CHECKING

import numpy as np

from .autograd import Constant, Node, tape
from .explain import DECIMALS, describe_constant, format_values, leaf_gradients
from .files import write_atomically
from .tensor import Tensor

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .stepper import Stepper

    class Drawing(Figure):
        """What :func:`draw` returns, for the type checker: the class itself is made by
        ``_drawing_class`` on first use, once matplotlib is imported."""

        summary: str

        def save(self, path: str | os.PathLike, dpi: int = 130) -> None: ...

# matplotlib is imported inside the functions that draw: it takes longer to import than the
# rest of the package together, and `import tinygrad_xent` should not pay for it.

MAX_OPS = 40  # ops drawn by default: the ones nearest the loss; the rest become one box
MAX_INPUTS = 6  # inputs drawn per op (concatenate may have a thousand)
MAX_LEAVES = 16  # leaf boxes drawn; further leaves share one box that counts them
MAX_PIXELS = 5000  # a PNG side at most this many pixels: the dpi is lowered to fit
NOTEBOOK_DPI = 80  # the picture a notebook shows inline, kept small
SHOW_SIZE = 6  # tensors with at most this many elements show their values
FONT = 9  # points; monospace so that a box's width follows from its text
CHAR_W = 0.602 * FONT / 72  # inches per character of DejaVu Sans Mono
LINE_H = 1.45 * FONT / 72  # inches per line of text
PAD_X, PAD_Y = 0.14, 0.09  # inches between a box's text and its border
GAP_X = 0.35  # inches between neighbouring boxes in a row
GAP_Y = {"op": 0.24, "tensor": 0.40}  # inches above a row of ops / of tensors
DUMMY_W = 0.25  # width reserved in a row for an edge passing through it
VALUE_COLOR, GRAD_COLOR, NOTE_COLOR = "#1a1a1a", "#b2182b", "#555555"
FILL = {
    "leaf": "#d6e6f5",
    "constant": "#ececec",
    "inner": "#fbf6e3",
    "loss": "#fdd9b5",
    "op": "#e3dcf2",
    "summary": "#ffffff",
    "dummy": "none",
}
EDGE = {
    "leaf": "#3a6ea5",
    "constant": "#9a9a9a",
    "inner": "#b59b3e",
    "loss": "#d36b12",
    "op": "#6a51a3",
    "summary": "#9a9a9a",
    "dummy": "none",
}


def draw(
    loss: Tensor,
    path: str | os.PathLike | None = None,
    dpi: int = 130,
    max_ops: int | None = MAX_OPS,
    interactive: bool = False,
) -> Drawing | Stepper:
    """Draw the graph that computed ``loss``: one box per tensor and per op, inputs on top.

    Each tensor box shows its shape and, when it has at most 6 elements, its value (black)
    and, after ``loss.backward()``, its gradient d loss / d tensor (red). Leaves show their
    name when they have one (an nn model's parameters: ``0.weight``); constants their
    name and value when the tape kept them. Each op box shows the op's name and its position
    on the tape (``print(tx.tape(loss))`` lists the same numbers). Edges into a two-input op
    are labelled with the rule's names, ``a`` and ``b``.

    A big graph is cut, and the picture says what it left out: only the ``max_ops`` ops
    nearest the loss are drawn (the earlier ones become one box), at most 6 inputs per op and
    16 leaf boxes (the other leaves share one box that counts them), and a PNG side is at
    most 5000 pixels.

    Parameters
    ----------
    loss : Tensor
        The tensor whose graph to draw (usually a scalar loss).
    path : str or os.PathLike, optional
        If given, a PNG is written there (atomically: a temporary file, then renamed); a
        path ending in ``.html`` gets the stepping page instead (see ``interactive``).
    dpi : int
        Resolution of the PNG (lowered if a side would pass 5000 pixels).
    max_ops : int or None
        How many ops to draw at most (None: all of them, which may be unreadable).
    interactive : bool
        Return a :class:`~tinygrad_xent.stepper.Stepper` instead: the same layout as one
        self-contained HTML page that steps through the backward walk node by node (a
        notebook shows it inline; ``.save(path)`` writes it). Also chosen by a ``.html`` path.

    Returns
    -------
    Drawing or Stepper
        A matplotlib ``Figure`` that a Jupyter notebook shows as the picture
        (``_repr_png_``) and that ``.save(path)`` writes as a PNG. No window is opened.
        With ``interactive=True`` or a ``.html`` path, the Stepper.

    Raises
    ------
    TypeError
        If ``loss`` is not a Tensor.
    ValueError
        If no op that needs a gradient leads to ``loss``, or if ``max_ops`` is neither None
        nor an integer >= 1.
    """
    if interactive or (path is not None and os.fspath(path).lower().endswith(".html")):
        # The stepping page is built on this layout one layer up (stepper.py imports draw.py),
        # so it is imported here, when asked for, rather than at the top.
        from .stepper import Stepper

        page = Stepper(loss, max_ops)
        if path is not None:
            page.save(path)
        return page
    fig = layout(loss, max_ops).render()
    if path is not None:
        fig.save(path, dpi)
    return fig


def layout(loss: Tensor, max_ops: int | None = MAX_OPS) -> _Graph:
    """The boxes and edges of ``loss``'s graph, placed (in inches) as :func:`draw` draws them.

    Raises the errors :func:`draw` documents.
    """
    if not isinstance(loss, Tensor):
        raise TypeError(f"draw: loss must be a Tensor, got {type(loss).__name__}")
    if max_ops is not None and (
        isinstance(max_ops, bool) or not isinstance(max_ops, int) or max_ops < 1
    ):
        raise ValueError(f"draw: max_ops must be None or an integer >= 1, got {max_ops!r}")
    nodes = tape(loss)
    if not nodes:
        raise ValueError(
            "draw: nothing to draw: no op that needs a gradient leads to this "
            "tensor (did its inputs have requires_grad=True?)"
        )
    graph = _Graph(loss, nodes, max_ops)
    graph.order_rows()
    graph.place()
    return graph


def _drawing_class():
    """The Figure subclass :func:`draw` returns, made on first use: matplotlib loads late."""
    from matplotlib.figure import Figure

    class Drawing(Figure):
        """A graph drawn by ``tx.draw``: a matplotlib Figure that shows inline in Jupyter.

        ``save(path)`` writes it as a PNG; ``summary`` says what was drawn and left out.
        """

        summary = ""

        def save(self, path: str | os.PathLike, dpi: int = 130) -> None:
            """Write the picture as a PNG at ``path`` (atomically), at most 5000 pixels a side."""
            write_atomically(
                path,
                lambda stream: self.savefig(stream, format="png", dpi=self.capped_dpi(dpi)),
                "draw",
            )

        def capped_dpi(self, dpi: float) -> float:
            """``dpi``, lowered so that neither side of the PNG passes MAX_PIXELS."""
            return min(dpi, MAX_PIXELS / max(self.get_size_inches()))

        def _repr_png_(self) -> bytes:
            """The picture for a notebook cell (Jupyter calls this to display the object)."""
            stream = io.BytesIO()
            self.savefig(stream, format="png", dpi=self.capped_dpi(NOTEBOOK_DPI))
            return stream.getvalue()

        def __repr__(self) -> str:
            width, height = self.get_size_inches()
            return f"<tx.draw: {self.summary}; {width:.1f} x {height:.1f} inches>"

    return Drawing


class _Box:
    """One box of the picture (or a dummy: an invisible point an edge passes through)."""

    def __init__(self, kind: str, lines: list, row: int):
        self.kind = kind  # leaf, constant, inner, loss, op, summary or dummy
        self.lines = lines  # (text, color) pairs, top to bottom
        self.row = row
        # Neighbours as (box, offset): this box sits straight above or below an edge's other
        # end when its x is the neighbour's x plus the offset (nonzero for an op's inputs).
        self.inputs: list[tuple[_Box, float]] = []
        self.outputs: list[tuple[_Box, float]] = []
        self.x = 0.0  # centre, inches
        self.y = 0.0  # top edge, inches from the top of the picture
        self.row_bottom = 0.0  # the bottom of the tallest box in its row
        chars = max((len(text) for text, _ in lines), default=0)
        self.width = DUMMY_W if kind == "dummy" else chars * CHAR_W + 2 * PAD_X
        self.height = 0.0 if kind == "dummy" else len(lines) * LINE_H + 2 * PAD_Y


def _note_box(first: str, second: str, row: int) -> _Box:
    """A grey box that says what the drawing left out."""
    return _Box("summary", [(first, NOTE_COLOR), (second, NOTE_COLOR)], row)


class _Graph:
    """The boxes in rows, the edges between them, and their layout.

    Boxes are found by the identity of what they stand for (``id``): tensors compare
    elementwise, and two leaves may hold equal numbers.
    """

    def __init__(self, loss: Tensor, nodes: list, max_ops: int | None):
        self.walked = nodes[-1].walked  # the tape ends with the loss's node
        self.backward_done = self.walked and nodes[-1].grad_out is not None
        # (source box, target box, label, x offset where it arrives), dummies spliced in
        self.edges: list = []
        first = 0 if max_ops is None else max(0, len(nodes) - max_ops)
        drawn = nodes[first:]
        leaves = _leaves_in_order(drawn)
        leaf_grads = {key: total for key, (_, total, _) in leaf_gradients(drawn).items()}
        self._leaf_box = {}  # id(leaf) -> its box
        for leaf in leaves[:MAX_LEAVES]:
            self._leaf_box[id(leaf)] = _Box(
                "leaf",
                self._tensor_lines(
                    "leaf" if leaf.name is None else leaf.name,
                    leaf.shape,
                    leaf.data,
                    leaf_grads.get(id(leaf)),
                ),
                0,
            )
        self._more_leaves = self._earlier = None  # the boxes that say what was left out
        if len(leaves) > MAX_LEAVES:
            self._more_leaves = _note_box(f"{len(leaves) - MAX_LEAVES} more leaves", "not drawn", 0)
        if first:
            self._earlier = _note_box(
                f"nodes 0 to {first - 1} ({first} ops)", "not drawn: print(tx.tape(loss))", 0
            )
        self._out_box: dict = {}  # id(node) -> the box of its output
        self.op_box: dict = {}  # id(node) -> its op's box
        self.in_boxes: dict = {}  # id(node) -> the box each drawn input comes from
        self._inputs_cut = False
        for position, node in enumerate(drawn, start=first):
            self._add_op(position, node, loss)
        boxes = {id(b): b for edge in self.edges for b in edge[:2]}.values()
        self.rows: list = [[] for _ in range(1 + max(box.row for box in boxes))]
        for box in boxes:
            self.rows[box.row].append(box)
        self.summary = self._summary(first, len(drawn), len(leaves))

    def _add_op(self, position: int, node: Node, loss: Tensor) -> None:
        """The op's box one row below its lowest input, its inputs' edges, its output's box."""
        constants = node.constants or (None,) * len(node.parents)
        sources = [self._source(parent) for parent in node.parents[:MAX_INPUTS]]
        row = 1 + max((box.row for box in sources if box is not None), default=0)
        op = _Box("op", [(f"{node.name}", EDGE["op"]), (f"node {position}", NOTE_COLOR)], row)
        names = node.input_names
        tensors = [i for i, box in enumerate(sources) if box is not None]
        self.op_box[id(node)] = op
        self.in_boxes[id(node)] = []
        for i, (box, shape) in enumerate(zip(sources, node.in_shapes)):
            if box is None:  # a constant: its row is known now that the op's is
                box = _Box("constant", self._constant_lines(shape, constants[i]), row - 1)
            self.in_boxes[id(node)].append(box)
            # Several inputs arrive at separate points of the op's top edge, a on the left;
            # the one tensor among constants arrives in the middle, so a chain runs straight.
            slot = (i - (len(sources) - 1) / 2) * min(0.3, op.width / (len(sources) + 1))
            if tensors == [i]:
                slot = 0.0
            self._connect(box, op, names[i] if 1 < len(sources) <= 3 else "", slot)
        if len(node.parents) > MAX_INPUTS:
            self._inputs_cut = True
            rest = _note_box(f"{len(node.parents) - MAX_INPUTS} more inputs", "not drawn", row - 1)
            self._connect(rest, op, "", op.width / 2)
        kind = "loss" if node is loss.node else "inner"
        title = "tensor" if kind == "inner" else "loss" if loss.size == 1 else "output"
        out = _Box(
            kind, self._tensor_lines(title, node.out_shape, node.value, node.grad_out), row + 1
        )
        self._connect(op, out, "", 0.0)
        self._out_box[id(node)] = out

    def out_box(self, node: Node) -> _Box:
        """The box of ``node``'s output."""
        return self._out_box[id(node)]

    def leaf_box(self, leaf: Tensor) -> _Box | None:
        """The box of ``leaf``, or None if it shares the box that counts the leaves left out."""
        return self._leaf_box.get(id(leaf))

    def _source(self, parent) -> _Box | None:
        """The box an input comes from: a node's output, a leaf, a note, or None (constant)."""
        if isinstance(parent, Node):
            return self._out_box.get(id(parent), self._earlier)
        if isinstance(parent, Tensor):
            return self._leaf_box.get(id(parent), self._more_leaves)
        return None

    def _summary(self, first: int, n_drawn: int, n_leaves: int) -> str:
        """'12 ops, 4 leaves drawn (left out: ...)'."""
        left_out = [f"{first} earlier ops"] if first else []
        if n_leaves > MAX_LEAVES:
            left_out.append(f"{n_leaves - MAX_LEAVES} leaves")
        if self._inputs_cut:
            left_out.append(f"inputs past the first {MAX_INPUTS} of an op")
        shown = min(n_leaves, MAX_LEAVES)
        return f"{n_drawn} ops, {shown} {'leaf' if shown == 1 else 'leaves'} drawn" + (
            f" (left out: {', '.join(left_out)})" if left_out else ""
        )

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

    @staticmethod
    def _constant_lines(shape: tuple, constant) -> list:
        lines = [(f"constant {shape}", NOTE_COLOR)]
        if constant is not None and constant.name is not None:
            lines.append((constant.name, NOTE_COLOR))
        if constant is not None and constant.value is not None:
            lines.append((describe_constant(Constant(None, constant.value), "value "), VALUE_COLOR))
        return lines

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
            for box in row:
                box.row_bottom = y
        self.height = y
        for row in self.rows:
            self._spread(row, [0.0] * len(row))
        for sweep in range(sweeps):
            rows = self.rows[1:] if sweep % 2 == 0 else list(reversed(self.rows[:-1]))
            side = "inputs" if sweep % 2 == 0 else "outputs"
            for row in rows:
                wanted = [
                    np.mean([n.x + offset for n, offset in _anchors(b, side)])
                    if getattr(b, side)
                    else b.x
                    for b in row
                ]
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
        # The pushes moved the row right; shift it back so that on average it sits as wanted,
        # counting the tensors only when there are any: a constant moves aside, not its tensor.
        moved = [x - w for box, x, w in zip(row, xs, wanted) if box.kind != "constant"]
        shift = np.mean(moved or np.array(xs) - np.array(wanted))
        for box, x in zip(row, xs):
            box.x = x - shift

    # ---- drawing ----------------------------------------------------------------------------
    def render(self) -> Drawing:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        margin, header = 0.25, 0.55
        width = max(self.width, 5.2) + 2 * margin
        height = self.height + header + margin
        fig = _drawing_class()(figsize=(width, height))
        fig.summary = self.summary
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0, 0, 1, 1))
        # Inches as data units, y pointing down: box coordinates are used as they are.
        ax.set_xlim(
            -margin - (width - 2 * margin - self.width) / 2,
            width - margin - (width - 2 * margin - self.width) / 2,
        )
        ax.set_ylim(height - header, -header)
        ax.set_axis_off()
        ax.text(
            self.width / 2,
            -header + 0.2,
            "computation graph, inputs on top",
            ha="center",
            va="center",
            fontsize=FONT + 2,
            weight="bold",
        )
        if self.backward_done:
            legend = "value in black,  grad = d loss / d tensor in red"
        elif self.walked:  # a graph too big for the walk to keep its gradients
            legend = "value in black  (loss.backward(retain_graph=True) keeps the gradients)"
        else:
            legend = "value in black  (call loss.backward() to see the gradients)"
        if "left out" in self.summary:
            legend += "  -  " + self.summary
        ax.text(
            self.width / 2,
            -header + 0.42,
            legend,
            ha="center",
            va="center",
            fontsize=FONT,
            color="#444444",
        )
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
        ax.add_patch(
            FancyBboxPatch(
                (box.x - box.width / 2, box.y),
                box.width,
                box.height,
                boxstyle=style,
                facecolor=FILL[box.kind],
                edgecolor=EDGE[box.kind],
                linewidth=1.2,
                linestyle="-" if box.kind in ("op", "leaf", "inner", "loss") else "--",
                zorder=2,
            )
        )
        for i, (text, color) in enumerate(box.lines):
            bold = i == 0 and box.kind in ("op", "loss", "leaf")
            ax.text(
                box.x,
                box.y + PAD_Y + (i + 0.5) * LINE_H,
                text,
                ha="center",
                va="center",
                family="monospace",
                fontsize=FONT,
                color=color,
                weight="bold" if bold else "normal",
                zorder=3,
            )

    @staticmethod
    def _draw_edge(ax, source: _Box, target: _Box, label: str, slot: float) -> None:
        """The path of :func:`edge_path`; arrowheads only where it reaches a box."""
        from matplotlib.patches import FancyArrowPatch
        from matplotlib.path import Path

        verts = edge_path(source, target, slot)
        x1, y1 = verts[-1]
        codes = [Path.MOVETO, Path.LINETO, Path.CURVE4, Path.CURVE4, Path.CURVE4]
        curve = Path(verts, codes)
        arrow = "-" if target.kind == "dummy" else "-|>"
        ax.add_patch(
            FancyArrowPatch(
                path=curve,
                arrowstyle=arrow,
                mutation_scale=10,
                color="#555555",
                linewidth=1.0,
                zorder=1,
                shrinkA=0,
                shrinkB=0,
            )
        )
        if label:
            ax.text(
                x1 + 0.06,
                y1 - 0.1,
                label,
                ha="left",
                va="center",
                fontsize=FONT - 1,
                style="italic",
                color="#6a51a3",
                zorder=3,
            )


def edge_path(source: _Box, target: _Box, slot: float) -> list[tuple[float, float]]:
    """An edge's five points: straight down from the bottom of ``source`` to the bottom of its
    row, then a cubic Bezier curve (two control points) to ``slot`` inches right of the top
    middle of ``target``, leaving and arriving vertically.

    The straight part matters: a box shorter than its row's tallest box would otherwise start
    bending inside the row, and pass under the box beside it. The curve runs only in the gap
    between two rows, where there are no boxes.
    """
    x0, y0 = source.x, source.y + source.height
    x1, y1 = target.x + slot, target.y
    bend = (y1 - source.row_bottom) / 2
    bottom = source.row_bottom
    return [(x0, y0), (x0, bottom), (x0, bottom + bend), (x1, y1 - bend), (x1, y1)]


def _leaves_in_order(nodes: list) -> list:
    """The leaves the nodes read, each once, in the order of first use."""
    found: dict[int, Tensor] = {}
    for node in nodes:
        for parent in node.parents:
            if isinstance(parent, Tensor):
                found.setdefault(id(parent), parent)
    return list(found.values())


def _anchors(box: _Box, side: str) -> list:
    """The neighbours that pull ``box`` sideways: an op follows the tensors it reads, not its
    constants (which sit beside them), so that a long chain runs straight down."""
    neighbours = getattr(box, side)
    if side == "inputs":
        tensors = [(n, offset) for n, offset in neighbours if n.kind != "constant"]
        return tensors or neighbours
    return neighbours
