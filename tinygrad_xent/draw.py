"""``tx.draw``: the computation graph of a tensor, as a picture or as a page to step through.

The layout (layout.py) places a box for every tensor (leaves in blue, constants in grey, the
loss in orange) and a rounded box for every op, inputs at the top and the loss at the bottom.
This module draws it with matplotlib alone, as a PNG or inline in a notebook; with a path
ending in ``.html`` or ``interactive=True`` it hands the same layout to the stepping page
(stepper.py).
"""

from __future__ import annotations

import io
import os
from typing import TYPE_CHECKING

from .files import write_atomically
from .layout import (
    EDGE,
    FILL,
    FONT,
    LINE_H,
    MAX_OPS,
    PAD_Y,
    _Box,
    _Graph,
    edge_path,
    layout,
)
from .stepper import Stepper
from .tensor import Tensor

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    class Drawing(Figure):
        """What :func:`draw` returns, for the type checker: the class itself is made by
        ``_drawing_class`` on first use, once matplotlib is imported."""

        summary: str

        def save(self, path: str | os.PathLike, dpi: int = 130) -> None: ...

# matplotlib is imported inside the functions that draw: it takes longer to import than the
# rest of the package together, and `import tinygrad_xent` should not pay for it.

MAX_PIXELS = 5000  # a PNG side at most this many pixels: the dpi is lowered to fit
NOTEBOOK_DPI = 80  # the picture a notebook shows inline, kept small


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
        page = Stepper(loss, max_ops)
        if path is not None:
            page.save(path)
        return page
    fig = _render(layout(loss, max_ops))
    if path is not None:
        fig.save(path, dpi)
    return fig


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


def _render(graph: _Graph) -> Drawing:
    """The laid-out graph as a matplotlib figure (a Drawing)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    margin, header = 0.25, 0.55
    width = max(graph.width, 5.2) + 2 * margin
    height = graph.height + header + margin
    fig = _drawing_class()(figsize=(width, height))
    fig.summary = graph.summary
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    # Inches as data units, y pointing down: box coordinates are used as they are.
    ax.set_xlim(
        -margin - (width - 2 * margin - graph.width) / 2,
        width - margin - (width - 2 * margin - graph.width) / 2,
    )
    ax.set_ylim(height - header, -header)
    ax.set_axis_off()
    ax.text(
        graph.width / 2,
        -header + 0.2,
        "computation graph, inputs on top",
        ha="center",
        va="center",
        fontsize=FONT + 2,
        weight="bold",
    )
    if graph.backward_done:
        legend = "value in black,  grad = d loss / d tensor in red"
    elif graph.walked:  # a graph too big for the walk to keep its gradients
        legend = "value in black  (loss.backward(retain_graph=True) keeps the gradients)"
    else:
        legend = "value in black  (call loss.backward() to see the gradients)"
    if "left out" in graph.summary:
        legend += "  -  " + graph.summary
    ax.text(
        graph.width / 2,
        -header + 0.42,
        legend,
        ha="center",
        va="center",
        fontsize=FONT,
        color="#444444",
    )
    for source, target, label, slot in graph.edges:
        _draw_edge(ax, source, target, label, slot)
    for row in graph.rows:
        for box in row:
            if box.kind != "dummy":
                _draw_box(ax, box)
    return fig


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
