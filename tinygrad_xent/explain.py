"""``tx.explain``: print what the last backward pass did, one tape node at a time.

Backprop is a loop over the tape, newest node first. Each node receives ``g``, the gradient of
the loss with respect to its output (``grad_out``), applies its local derivative rule (the math
line of its op) and hands one gradient to each of its inputs (``grads_in``). The engine keeps
those arrays on small graphs, so this module only has to read them and print them in the order
the walk visited them. (When backward started from a tensor with a seed of its own, g is the
gradient of sum(output * seed); the header says so.)
"""

from __future__ import annotations

import math
import sys
from typing import TextIO

import numpy as np

from . import functional as F
from .autograd import (
    EXPLAIN_MAX_NODES,
    EXPLAIN_MAX_SIZE,
    Constant,
    Node,
    _shapes,
    tape,
    unbroadcast,
)
from .tensor import Tensor

FULL_SIZE = 12  # arrays with at most this many elements are printed in full
DECIMALS = 4
MAX_NODES = 40  # blocks printed by default; a bigger graph is cut, saying what was left out
MAX_INPUTS = 8  # rows printed per node (concatenate may have a thousand inputs)
MAX_LEAVES = 20  # leaves listed in the closing block


class _Stdout:
    """The default of ``explain(file=...)``: whatever ``sys.stdout`` is at call time."""

    def __repr__(self) -> str:
        return "sys.stdout"


_STDOUT = _Stdout()


class Explanation(str):
    """The text :func:`explain` prints: a ``str``, which a notebook cell shows once.

    ``explain`` prints it itself, so a notebook cell ending in ``tx.explain(loss)`` shows
    nothing more; displayed in a later cell (``text = tx.explain(loss, file=None)``, then
    ``text``) it prints.
    """

    printed_in: int | None = None  # the notebook cell that printed it, if any

    def _ipython_display_(self) -> None:
        if self.printed_in is None or self.printed_in != _cell():
            print(self)


def _cell() -> int | None:
    """The number of the notebook (IPython) cell running now, or None outside IPython."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return None if shell is None else shell.execution_count


def explain(
    loss: Tensor,
    file: TextIO | _Stdout | None = _STDOUT,
    max_nodes: int | None = MAX_NODES,
    full: bool = False,
) -> Explanation:
    """Describe the last backward pass through ``loss``'s graph, from the loss to the inputs.

    One block per tape node, newest first (the order backward visits them): the op and the
    shapes it saw, its output value when small, ``g`` (the gradient of the loss with respect
    to its output, arriving from above), the local rule it applies, and the gradient it hands
    to each input. Leaves are named by their ``name`` (an nn model's parameters by their path,
    ``0.weight``) or numbered; constants show their name (the row max of log-sum-exp)
    and their value when small. A closing block sums, for each leaf, every gradient it
    received: that sum is the leaf's ``.grad`` from this backward. Arrays of up to 12
    elements are printed in full with 4 decimals; larger ones as shape, mean and norm, unless
    ``full=True``.

    When backward started from something other than a scalar loss with its default seed 1
    (a non-scalar output, or an explicit ``grad``), the header says so: g is then the
    gradient of sum(output * seed), seed being the ``grad`` passed to ``backward()``. An
    unnamed constant fed as the first input of the graph's first matrix product (the data a
    model was given, ``model(x)``) is labelled ``input x``, not ``constant``.

    Parameters
    ----------
    loss : Tensor
        The tensor ``backward()`` was called on (usually a scalar).
    file : text stream or None
        Where to print; ``sys.stdout`` by default, ``None`` to print nothing.
    max_nodes : int or None
        Print the blocks of at most this many nodes (the ones nearest the loss) and say how
        many were left out; ``None`` prints every one. The leaves' closing block lists at
        most 20 leaves, likewise.
    full : bool
        Print every array whole, whatever its size (a batch's gradient (P - Y) / N row by
        row), instead of shape, mean and norm for arrays over 12 elements. Only what the
        walk kept can be printed: an op's output is kept up to 12 elements.

    Returns
    -------
    Explanation
        The text (a ``str``), so it can be inspected or saved.

    Raises
    ------
    TypeError
        If ``loss`` is not a Tensor.
    ValueError
        If ``max_nodes`` is neither None nor an integer >= 1, or ``full`` is not a bool.
    """
    if not isinstance(loss, Tensor):
        raise TypeError(f"explain: loss must be a Tensor, got {type(loss).__name__}")
    if max_nodes is not None and (
        isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1
    ):
        raise ValueError(f"explain: max_nodes must be None or an integer >= 1, got {max_nodes!r}")
    if not isinstance(full, bool):
        raise ValueError(f"explain: full must be True or False, got {full!r}")
    text = Explanation(_explain(loss, max_nodes, full))
    if isinstance(file, _Stdout):
        file = sys.stdout
    if file is not None:
        print(text, file=file)
        if file is sys.stdout:
            text.printed_in = _cell()
    return text


def _explain(loss: Tensor, max_nodes: int | None, full: bool = False) -> str:
    nodes = tape(loss)
    if not nodes:
        return (
            "explain: nothing to explain: no op that needs a gradient leads to this tensor "
            "(is it a leaf, or did its inputs lack requires_grad=True?)"
        )
    if not nodes[-1].walked:  # the tape ends with the loss's node
        return (
            "explain: backward has not run through this graph yet; call loss.backward() "
            "first, then tx.explain(loss)"
        )
    if any(node.grad_out is None for node in nodes):
        return _no_records(nodes)
    labels = _Labels(nodes)
    # id(node) -> how many inputs of later nodes it feeds: its g sums that many
    uses: dict[int, int] = {}
    for node in nodes:
        for parent in node.parents:
            if isinstance(parent, Node):
                uses[id(parent)] = uses.get(id(parent), 0) + 1
    lines = _header(loss, nodes, full)
    last = 0 if max_nodes is None else max(0, len(nodes) - max_nodes)
    for position in range(len(nodes) - 1, last - 1, -1):
        node = nodes[position]
        lines += _block(node, position, labels, uses.get(id(node), 1), full)
    if last:
        lines += [
            f"... nodes {last - 1} to 0 ({last} more) left out: "
            f"tx.explain(loss, max_nodes=None) prints every one",
            "",
        ]
    lines += _leaf_totals(nodes, labels, full)
    return "\n".join(lines)


def _header(loss: Tensor, nodes: list, full: bool) -> list[str]:
    """The opening lines: where the walk started, and what g is the gradient of.

    A one-element root walked with the default seed 1 is a loss, and g is the gradient of
    that loss. Anything else (softmax's probabilities walked with g = e_1, a loss walked with
    ``backward(2.0)``) is an output, and g is the gradient of the scalar sum(output * seed),
    seed being the ``grad`` passed to ``backward()``: the walk never sees any other scalar.
    """
    seed = np.asarray(nodes[-1].grad_out)  # what the root's node received: the seed
    is_loss = loss.size == 1 and bool(np.all(seed == 1))
    what = "loss" if is_loss else "output"
    count = "1 node" if len(nodes) == 1 else f"{len(nodes)} nodes"
    lines = [
        f"explain: backward through {count}, from the {what} (node {len(nodes) - 1}) back "
        "to the leaves",
        f"  {what} = {_indented(format_values(loss.data, full=full), len(what) + 5)}   "
        f"shape {loss.shape}, {loss.dtype}",
    ]
    if is_loss:
        lines.append(
            "  g is the gradient of the loss with respect to a node's output, arriving from above;"
        )
    else:
        picked = _one_hot_position(seed)
        scalar = "sum(output * seed)" + ("" if picked is None else f" = output{picked}")
        lines += [
            f"  {'seed':<{len(what)}} = {_indented(format_values(seed, full=full), 11)}   "
            "the grad passed to backward()",
            f"  no loss here: g is the gradient of {scalar}",
            "  with respect to a node's output, arriving from above;",
        ]
    return lines + [
        "  the rule turns it into the gradient handed to each input (dx, or da and db).",
        "",
    ]


def _one_hot_position(seed: np.ndarray) -> str | None:
    """``[1]`` or ``[0, 2]`` when the seed is one 1 among zeros (it picks one output), else None."""
    if seed.size < 2 or np.count_nonzero(seed) != 1 or seed.max() != 1:
        return None
    index = np.unravel_index(int(np.argmax(seed)), seed.shape)
    return "[" + ", ".join(str(int(i)) for i in index) + "]"


def _no_records(nodes: list) -> str:
    """Why a graph kept nothing for explain, and what to call instead."""
    largest = max(math.prod(node.out_shape) for node in nodes)
    if len(nodes) > EXPLAIN_MAX_NODES:
        why = f"{len(nodes)} nodes (more than {EXPLAIN_MAX_NODES})"
    else:
        why = f"an output of {largest} elements (more than {EXPLAIN_MAX_SIZE})"
    return (
        f"explain: this graph has {why}, too big to keep what flowed through it by "
        f"default; call loss.backward(retain_graph=True) and then tx.explain(loss)"
    )


def _block(node: Node, position: int, labels: _Labels, uses: int, full: bool) -> list[str]:
    """The lines for one node: what it computed and what it sent to each input."""
    shapes = _shapes(node.in_shapes, MAX_INPUTS)
    rows = []  # (label, text) pairs, printed in two columns
    if node.value is not None:
        rows.append(("value", format_values(node.value, full=full)))
    elif full:
        rows.append(("value", f"not kept (over {FULL_SIZE} elements; the tensor holds it)"))
    arriving = "g arriving" if uses == 1 else f"g arriving (sum of {uses} uses)"
    rows.append((arriving, format_values(node.grad_out, full=full)))
    rows.append(("rule", node.rule))
    constants = node.constants or (None,) * len(node.parents)
    # The walk sets grads_in together with grad_out, which _explain checked for every node.
    assert node.grads_in is not None
    inputs = list(zip(node.input_names, node.parents, node.in_shapes, node.grads_in, constants))
    for index, (name, parent, shape, grad, constant) in enumerate(inputs[:MAX_INPUTS]):
        if parent is None:
            label = labels.constant(node, index, shape)
            text = "none needed" + describe_constant(constant, ":  ", full)
            if label.startswith("input"):
                text += " (data: it does not require grad)"
            rows.append((f"d{name} to {label}", text))
            continue
        text = format_values(unbroadcast(grad, shape), full=full)
        if grad.shape != shape:  # a broadcast input: the walk summed the rule's gradient
            text += f"\n(the rule's {grad.shape} summed over the axes it was broadcast along)"
        rows.append((f"d{name} to {labels.of(parent, shape)}", text))
    width = max(len(label) for label, _ in rows) + 2
    lines = [f"node {position}  {node.name}({shapes}) -> {node.out_shape}"]
    for label, text in rows:
        lines.append(f"  {label:<{width}}{_indented(text, width + 2)}")
    if len(inputs) > MAX_INPUTS:
        lines.append(
            f"  ... {len(inputs) - MAX_INPUTS} more inputs, "
            f"d{inputs[MAX_INPUTS][0]} to d{inputs[-1][0]}, left out"
        )
    return lines + [""]


def _indented(text: str, width: int) -> str:
    """Continuation lines of a 2-D array lined up under the first one."""
    return text.replace("\n", "\n" + " " * width)


def describe_constant(constant: Constant | None, sep: str = " ", full: bool = False) -> str:
    """``sep`` then the constant's name and value (``row max = [[2.3]]``), or "" if unknown.

    Values are printed to 4 significant digits, so that 1e-24 and -1.798e+308 (NT-Xent's
    floor and diagonal push) are not rounded to 0. Over 12 elements, its range, unless
    ``full``.
    """
    if constant is None:
        return ""
    parts = [] if constant.name is None else [constant.name]
    value = None if constant.value is None else np.asarray(constant.value)
    if value is not None and value.size > FULL_SIZE and not full:
        parts.append(f"min {value.min():.4g}, max {value.max():.4g}" if value.size else "empty")
        return sep + ": ".join(parts)
    if value is not None:  # on one line, whatever its size: it sits beside "none needed"
        text = np.array2string(
            value,
            separator=", ",
            threshold=sys.maxsize,
            max_line_width=sys.maxsize,
            formatter={"float_kind": lambda v: f"{v:.4g}"},
        )
        parts.append(text.replace("\n", "").replace(",  [", ", ["))
    return sep + " = ".join(parts)


def leaf_gradients(nodes: list) -> dict:
    """id(leaf) -> (leaf, its gradient from the last backward, how many inputs it was).

    The sum of what every node that used the leaf handed to it: the leaf's ``.grad`` from this
    backward alone, whatever earlier backward calls had accumulated. Keyed by identity: two
    leaves may hold equal values, and comparing tensors gives arrays, not True or False.
    """
    totals: dict = {}
    for node in nodes:
        for parent, grad in zip(node.parents, node.grads_in or ()):
            if isinstance(parent, Tensor):
                _, total, count = totals.get(id(parent), (parent, 0, 0))
                grad = unbroadcast(grad, parent.shape)  # as the walk sums it
                totals[id(parent)] = (parent, total + grad, count + 1)
    return totals


def _leaf_totals(nodes: list, labels: _Labels, full: bool) -> list[str]:
    """The closing block: each leaf's gradient from this backward, with its number of uses."""
    lines = ["leaves: each one's gradient is the sum of what the nodes that used it handed down"]
    pad = " " * 4
    totals = list(leaf_gradients(nodes).values())
    for leaf, total, count in totals[:MAX_LEAVES]:
        uses = "1 use" if count == 1 else f"sum of {count} uses"
        lines.append(f"  {labels.of(leaf, leaf.shape)}.grad ({uses}):")
        lines.append(pad + _indented(format_values(total, full=full), len(pad)))
    if len(totals) > MAX_LEAVES:
        lines.append(
            f"  ... {len(totals) - MAX_LEAVES} more leaves left out (each one's "
            f".grad holds its gradient)"
        )
    return lines


class _Labels:
    """Names for what feeds a node: ``node 3 (exp)``, ``leaf (3,)``, ``leaf 2 (3,)`` or a
    parameter's name, ``0.weight (2, 100)``; ``constant (1, 1)`` or ``input x (8, 2)``.

    Everything is found by identity (``id``): tensors compare elementwise, so ``in`` and
    ``==`` on them give arrays, and two leaves may hold the same numbers.
    """

    def __init__(self, nodes: list):
        self.positions = {id(node): i for i, node in enumerate(nodes)}
        self.input_node = _input_node(nodes)
        leaves: dict[int, Tensor] = {}
        for node in nodes:
            for parent in node.parents:
                if isinstance(parent, Tensor):
                    leaves.setdefault(id(parent), parent)
        # Number the unnamed leaves only when there are several, in the order of first use.
        unnamed = [i for i, leaf in leaves.items() if leaf.name is None]
        self.leaf_names = {
            i: "leaf" if len(unnamed) == 1 else f"leaf {n}" for n, i in enumerate(unnamed)
        }
        self.leaf_names.update(
            {i: leaf.name for i, leaf in leaves.items() if leaf.name is not None}
        )

    def constant(self, node: Node, index: int, shape: tuple) -> str:
        """``input x (8, 2)`` for the data a model was given, else ``constant (1, 1)``."""
        if index == 0 and id(node) == self.input_node:
            return f"input x {shape}"
        return f"constant {shape}"

    def of(self, parent, shape: tuple) -> str:
        if parent is None:
            return f"constant {shape}"
        if isinstance(parent, Tensor):
            return f"{self.leaf_names[id(parent)]} {shape}"
        return f"node {self.positions[id(parent)]} ({parent.name})"


def _input_node(nodes: list) -> int | None:
    """id of the graph's first matrix product when its left operand is an unnamed constant.

    That operand is the data a model was given (``nn.Linear`` computes ``x @ W + b``): a leaf
    that wants no gradient, fed to the first matmul on the tape. explain calls it ``input x``.
    """
    for node in nodes:
        if node.name == "matmul":
            constant = node.constants[0] if node.constants else None
            unnamed = constant is None or getattr(constant, "name", None) is None
            return id(node) if node.parents[0] is None and unnamed else None
    return None


def _whole(array: np.ndarray, **style) -> str:
    """Every element of ``array``, each row on lines of its own (numpy's layout, no "...")."""
    return np.array2string(array, separator=", ", threshold=sys.maxsize, max_line_width=88, **style)


def format_values(array, one_line: bool = False, full: bool = False) -> str:
    """An array in full (4 decimals) when small or ``full``, else its shape, mean and norm.

    ``one_line`` keeps a 2-D array on a single line (for a box in ``tx.draw``).
    """
    array = np.asarray(array)
    if array.size > FULL_SIZE and full and not one_line:
        array = np.round(array.astype(np.float64), DECIMALS) + 0.0  # no -0.0000
        return _whole(array, precision=DECIMALS, floatmode="fixed")
    if array.size > FULL_SIZE:
        mean = round(float(array.mean()), DECIMALS) + 0.0  # + 0.0: no -0.0000
        return (
            f"shape {array.shape}, mean {mean:.{DECIMALS}f}, "
            f"norm {float(np.linalg.norm(array)):.{DECIMALS}f}"
        )
    # Rounding first and adding 0.0 turns -0.0 (and -0.00001) into a plain 0.0000.
    array = np.round(array.astype(np.float64), DECIMALS) + 0.0
    if array.ndim == 0:
        return f"{float(array):.{DECIMALS}f}"
    if one_line:
        text = np.array2string(
            array, precision=DECIMALS, separator=", ", floatmode="fixed", max_line_width=10_000
        )
        return text.replace("\n", "").replace("],  [", "], [")
    return np.array2string(array, precision=DECIMALS, separator=", ", floatmode="fixed")


WORKED_EXAMPLES = ("ce", "softmax", "bce", "nt_xent")


def worked_example(name: str) -> Tensor:
    """The loss of a small worked example, backpropagated, ready for ``explain`` or ``draw``.

    Parameters
    ----------
    name : {"ce", "softmax", "bce", "nt_xent"}
        "ce": cross-entropy of the logits [1.2, 2.3, 0.8] with class 1 correct (its
        gradient is softmax - one_hot = [0.2139, -0.3573, 0.1434]); "softmax": softmax alone,
        p = softmax([1.2, 2.3, 0.8]), backpropagated with g = [0, 1, 0] (the gradient of
        p_1), so the leaf receives row 1 of the Jacobian, p_1 (one_hot(1) - p) =
        [-0.1375, 0.2296, -0.0922]; "bce": binary cross-entropy with logits [0.8, -1.5] and
        targets [1, 0] (gradient (sigmoid - y) / 2); "nt_xent": NT-Xent of two views of two
        samples in 2-D at temperature 0.5.

    Returns
    -------
    Tensor
        The loss (for "softmax" the probabilities p), after its backward.

    Raises
    ------
    ValueError
        For an unknown name.
    """
    if name == "ce":
        loss = F.cross_entropy(Tensor([1.2, 2.3, 0.8], requires_grad=True), 1)
    elif name == "softmax":
        p = F.softmax(Tensor([1.2, 2.3, 0.8], requires_grad=True))
        p.backward(np.array([0.0, 1.0, 0.0]))  # g = e_1: the gradient of p_1 alone
        return p
    elif name == "bce":
        loss = F.binary_cross_entropy_with_logits(
            Tensor([0.8, -1.5], requires_grad=True), [1.0, 0.0]
        )
    elif name == "nt_xent":
        z_a = Tensor([[1.0, 0.0], [0.0, 1.0]], requires_grad=True)
        z_b = Tensor([[0.8, 0.6], [0.6, -0.8]], requires_grad=True)
        loss = F.nt_xent(z_a, z_b, temperature=0.5)
    else:
        raise ValueError(
            f"worked_example: name must be one of {', '.join(WORKED_EXAMPLES)}, got {name!r}"
        )
    loss.backward()
    return loss
