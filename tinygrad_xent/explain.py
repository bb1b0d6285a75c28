"""``tx.explain``: print what the last backward pass did, one tape node at a time.

Backprop is a loop over the tape, newest node first. Each node receives ``g``, the gradient of
the loss with respect to its output (``grad_out``), applies its local derivative rule (the math
line of its op) and hands one gradient to each of its inputs (``grads_in``). The engine keeps
those arrays on small graphs, so this module only has to read them and print them in the order
the walk visited them.
"""

from __future__ import annotations

import sys
from typing import TextIO

import numpy as np

from . import functional as F
from .autograd import Node, tape
from .tensor import Tensor

FULL_SIZE = 12  # arrays with at most this many elements are printed in full
DECIMALS = 4


class _Stdout:
    """The default of ``explain(file=...)``: whatever ``sys.stdout`` is at call time."""

    def __repr__(self) -> str:
        return "sys.stdout"


_STDOUT = _Stdout()


def explain(loss: Tensor, file: TextIO | None = _STDOUT) -> str:
    """Describe the last backward pass through ``loss``'s graph, from the loss to the inputs.

    One block per tape node, newest first (the order backward visits them): the op and the
    shapes it saw, its output value when small, ``g`` (the gradient of the loss with respect
    to its output, arriving from above), the local rule it applies, and the gradient it hands
    to each input. A closing block sums, for each leaf, every gradient it received: that sum
    is the leaf's ``.grad`` from this backward. Arrays of up to 12 elements are printed in full
    with 4 decimals; larger ones as shape, mean and norm.

    Parameters
    ----------
    loss : the Tensor ``backward()`` was called on (usually a scalar).
    file : where to print; ``sys.stdout`` by default, ``None`` to print nothing.

    Returns
    -------
    The text, so it can be inspected or saved.

    Raises
    ------
    TypeError if ``loss`` is not a Tensor.
    """
    if not isinstance(loss, Tensor):
        raise TypeError(f"explain: loss must be a Tensor, got {type(loss).__name__}")
    text = _explain(loss)
    if file is _STDOUT:
        file = sys.stdout
    if file is not None:
        print(text, file=file)
    return text


def _explain(loss: Tensor) -> str:
    nodes = tape(loss)
    if not nodes:
        return ("explain: nothing to explain: no op that needs a gradient leads to this tensor "
                "(is it a leaf, or did its inputs lack requires_grad=True?)")
    if not loss.node.walked:
        return ("explain: backward has not run through this graph yet; call loss.backward() "
                "first, then tx.explain(loss)")
    if any(node.grad_out is None for node in nodes):
        return (f"explain: this graph has {len(nodes)} nodes, too many to keep what flowed "
                f"through it by default; call loss.backward(retain_graph=True) and then "
                f"tx.explain(loss)")
    labels = _Labels(nodes)
    uses = {}  # node -> how many inputs of later nodes it feeds: its g is the sum of that many
    for node in nodes:
        for parent in node.parents:
            if isinstance(parent, Node):
                uses[parent] = uses.get(parent, 0) + 1
    lines = [f"explain: backward through {len(nodes)} nodes, from the loss (node "
             f"{len(nodes) - 1}) back to the leaves",
             f"  loss = {format_values(loss.data)}   shape {loss.shape}, {loss.dtype}",
             "  g is the gradient of the loss with respect to a node's output, arriving from "
             "above;",
             "  the rule turns it into the gradient handed to each input (dx, or da and db).",
             ""]
    for position in range(len(nodes) - 1, -1, -1):
        lines += _block(nodes[position], position, labels, uses.get(nodes[position], 1))
    lines += _leaf_totals(nodes, labels)
    return "\n".join(lines)


def _block(node: Node, position: int, labels: _Labels, uses: int) -> list[str]:
    """The lines for one node: what it computed and what it sent to each input."""
    shapes = ", ".join(str(s) for s in node.in_shapes)
    rows = []  # (label, text) pairs, printed in two columns
    if node.value is not None:
        rows.append(("value", format_values(node.value)))
    arriving = "g arriving" if uses == 1 else f"g arriving (sum of {uses} uses)"
    rows.append((arriving, format_values(node.grad_out)))
    rows.append(("rule", node.rule))
    for name, parent, shape, grad in zip(node.input_names, node.parents, node.in_shapes,
                                         node.grads_in):
        text = "none needed" if parent is None else format_values(grad)
        rows.append((f"d{name} to {labels.of(parent, shape)}", text))
    width = max(len(label) for label, _ in rows) + 2
    lines = [f"node {position}  {node.name}({shapes}) -> {node.out_shape}"]
    for label, text in rows:
        # Continuation lines of a 2-D array line up under the first one.
        text = text.replace("\n", "\n" + " " * (width + 2))
        lines.append(f"  {label:<{width}}{text}")
    return lines + [""]


def leaf_gradients(nodes: list) -> dict:
    """leaf -> (its gradient from the last backward, how many inputs it was), from the records.

    The sum of what every node that used the leaf handed to it: the leaf's ``.grad`` from this
    backward alone, whatever earlier backward calls had accumulated.
    """
    totals: dict = {}
    for node in nodes:
        for parent, grad in zip(node.parents, node.grads_in or ()):
            if isinstance(parent, Tensor):
                total, count = totals.get(parent, (0, 0))
                totals[parent] = (total + grad, count + 1)
    return totals


def _leaf_totals(nodes: list, labels: _Labels) -> list[str]:
    """The closing block: each leaf's gradient from this backward, with its number of uses."""
    lines = ["leaves: each one's gradient is the sum of what the nodes that used it handed down"]
    pad = " " * 4
    for leaf, (total, count) in leaf_gradients(nodes).items():
        uses = "1 use" if count == 1 else f"sum of {count} uses"
        lines.append(f"  {labels.of(leaf, leaf.shape)}.grad ({uses}):")
        lines.append(pad + format_values(total).replace("\n", "\n" + pad))
    return lines


class _Labels:
    """Names for what feeds a node: ``node 3 (exp)``, ``leaf (3,)`` or ``constant (3,)``."""

    def __init__(self, nodes: list):
        self.positions = {node: i for i, node in enumerate(nodes)}
        leaves = []
        for node in nodes:
            for parent in node.parents:
                if isinstance(parent, Tensor) and parent not in leaves:
                    leaves.append(parent)
        # Number the leaves only when there are several, in the order the forward pass used them.
        self.leaf_names = {leaf: "leaf" if len(leaves) == 1 else f"leaf {i}"
                           for i, leaf in enumerate(leaves)}

    def of(self, parent, shape: tuple) -> str:
        if parent is None:
            return f"constant {shape}"
        if isinstance(parent, Tensor):
            return f"{self.leaf_names[parent]} {shape}"
        return f"node {self.positions[parent]} ({parent.name})"


def format_values(array, one_line: bool = False) -> str:
    """An array in full (4 decimals) when small, else its shape, mean and norm.

    ``one_line`` keeps a 2-D array on a single line (for a box in ``tx.draw``).
    """
    array = np.asarray(array)
    if array.size > FULL_SIZE:
        return (f"shape {array.shape}, mean {float(array.mean()):.{DECIMALS}f}, "
                f"norm {float(np.linalg.norm(array)):.{DECIMALS}f}")
    # Rounding first and adding 0.0 turns -0.0 (and -0.00001) into a plain 0.0000.
    array = np.round(array.astype(np.float64), DECIMALS) + 0.0
    if array.ndim == 0:
        return f"{float(array):.{DECIMALS}f}"
    if one_line:
        text = np.array2string(array, precision=DECIMALS, separator=", ", floatmode="fixed",
                               max_line_width=10_000)
        return text.replace("\n", "").replace("],  [", "], [")
    return np.array2string(array, precision=DECIMALS, separator=", ", floatmode="fixed")


WORKED_EXAMPLES = ("ce", "bce", "nt_xent")


def worked_example(name: str) -> Tensor:
    """The loss of a small worked example, backpropagated, ready for ``explain`` or ``draw``.

    Parameters
    ----------
    name : "ce": cross-entropy of the logits [1.2, 2.3, 0.8] with class 1 correct (its
        gradient is softmax - one_hot = [0.2139, -0.3573, 0.1434]); "bce": binary
        cross-entropy with logits [0.8, -1.5] and targets [1, 0] (gradient (sigmoid - y) / 2);
        "nt_xent": NT-Xent of two views of two samples in 2-D at temperature 0.5.

    Returns
    -------
    The scalar loss, after ``loss.backward()``.

    Raises
    ------
    ValueError for an unknown name.
    """
    if name == "ce":
        loss = F.cross_entropy(Tensor([1.2, 2.3, 0.8], requires_grad=True), 1)
    elif name == "bce":
        loss = F.binary_cross_entropy_with_logits(Tensor([0.8, -1.5], requires_grad=True),
                                                  [1.0, 0.0])
    elif name == "nt_xent":
        z_a = Tensor([[1.0, 0.0], [0.0, 1.0]], requires_grad=True)
        z_b = Tensor([[0.8, 0.6], [0.6, -0.8]], requires_grad=True)
        loss = F.nt_xent(z_a, z_b, temperature=0.5)
    else:
        raise ValueError(f"worked_example: name must be one of {', '.join(WORKED_EXAMPLES)}, "
                         f"got {name!r}")
    loss.backward()
    return loss
