"""The layout of a computation graph: boxes in rows, edges between them, placed in inches.

The tape is laid out in rows, inputs at the top and the loss at the bottom: a box for every
tensor (leaves, constants, the loss) and a box for every op. Rows alternate: tensors, the ops
that read them, the tensors those ops make, and so on. An edge that skips rows is routed
through reserved gaps in the rows it crosses (the usual layered-graph layout), and bends only
in the gaps between rows, so no edge runs through a box. ``tx.draw`` renders this layout as a
picture (draw.py) or as the page that steps through the backward walk (stepper.py).
"""

from __future__ import annotations

import numpy as np

from .autograd import Constant, Node, tape
from .explain import DECIMALS, _input_node, describe_constant, format_values, leaf_gradients
from .tensor import Tensor

MAX_OPS = 40  # ops drawn by default: the ones nearest the loss; the rest become one box
MAX_INPUTS = 6  # inputs drawn per op (concatenate may have a thousand)
MAX_LEAVES = 16  # leaf boxes drawn; further leaves share one box that counts them
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
        self._input_node = _input_node(nodes)  # whose first operand is the data: "input x"
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
                is_input = i == 0 and id(node) == self._input_node  # as explain names it
                title = f"input x {shape}" if is_input else f"constant {shape}"
                box = _Box("constant", self._constant_lines(title, constants[i]), row - 1)
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
    def _constant_lines(title: str, constant) -> list:
        lines = [(title, NOTE_COLOR)]
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
