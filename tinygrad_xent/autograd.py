"""The tape: recording nodes, the reverse walk, no_grad, detect_anomaly.

Every op run while gradients are on leaves one :class:`Node` behind, hung on the tensor it
produced. A node knows its op, the shapes it saw, its parents, and a ``backward`` function that
maps the gradient of its output (``grad_out``) to the gradients of its inputs.

No global list holds the nodes: a node lives exactly as long as the tensors that lead to it, so
a forward pass that is never backpropagated is freed as soon as its outputs are. The tape of a
tensor, :func:`tape`, is found on demand by walking back from it and sorting the nodes by the
order in which they were recorded.

Lifecycle of a graph, in the order things happen:

1. forward: each op records a node; what its backward needs from the forward pass lives in
   ``node.saved``.
2. ``loss.backward()``: the nodes are walked newest to oldest; each one's ``grad_out`` is the sum
   of the gradients its consumers sent it. Leaf tensors (made by you, ``requires_grad=True``)
   add what they receive to ``.grad``; they keep accumulating until ``zero_grad()``.
3. after the walk each node drops its backward and its saved arrays. A second
   ``backward()`` through the same nodes is an error, unless the first one was called with
   ``retain_graph=True``.
"""

from __future__ import annotations

import contextlib
import itertools
import operator
from typing import Callable, Iterator

import numpy as np

# A graph with at most this many nodes, each output at most this many elements, keeps what
# flowed through it during backward so that tx.explain can show it. Larger graphs keep it only
# with retain_graph=True: recording costs nothing then, and a training loop pays nothing.
EXPLAIN_MAX_NODES = 64
EXPLAIN_MAX_SIZE = 10_000
# An op output with at most this many elements stays on its node (``node.value``) so that
# tx.explain and tx.draw can show the values in between, long after the tensor itself is gone.
KEEP_VALUE_SIZE = 12

_order = itertools.count()  # a sequence number per recorded node; holds no reference to any node
_state = {"grad_enabled": True, "anomaly": None}


class Node:
    """One recorded op: what ran, on which shapes, and how to send a gradient back.

    Attributes
    ----------
    op : the op's function (``op.__name__`` is its name, the first docstring line its math).
    parents : for each input, the ``Node`` that made it, the leaf ``Tensor`` itself, or ``None``
        when that input needs no gradient.
    backward : ``backward(grad_out, *saved) -> (grad for each input)``; ``None`` once the
        graph is freed. Each grad is a new array, a view, a :class:`Scatter`, ``grad_out``
        itself or ``None`` (no gradient needed); never a saved array, and never one new array
        for two inputs.
    saved : what ``backward`` needs from the forward pass (exp's output, mul's operands, a
        shape); ``None`` once the graph is freed.
    in_shapes, out_shape : what the op saw and made.
    order : when it was recorded, so that sorting by it replays the forward pass.
    grad_out, grads_in : what flowed through the node in the last backward, kept for
        ``tx.explain`` on small graphs or with ``retain_graph=True``; ``None`` otherwise.
    value : the op's output when it has at most ``KEEP_VALUE_SIZE`` elements, else ``None``.
    """

    __slots__ = ("op", "parents", "backward", "saved", "in_shapes", "out_shape", "value",
                 "order", "grad_out", "grads_in")

    def __init__(self, op: Callable, parents: tuple, backward: Callable, saved: tuple,
                 in_shapes: tuple, out: np.ndarray):
        self.op = op
        self.parents = parents
        self.backward = backward
        self.saved = saved
        self.in_shapes = in_shapes
        self.out_shape = out.shape
        # A few numbers are cheap to keep, and tx.explain / tx.draw show them.
        self.value = out if out.size <= KEEP_VALUE_SIZE else None
        self.order = next(_order)
        self.grad_out = None
        self.grads_in = None

    @property
    def walked(self) -> bool:
        """True once a backward has gone through this node."""
        return self.backward is None or self.grad_out is not None

    @property
    def name(self) -> str:
        return self.op.__name__

    @property
    def rule(self) -> str:
        """The op's math, ``y = exp(x);  dx = g * y``: the first line of its docstring."""
        return (self.op.__doc__ or self.name).strip().splitlines()[0]

    @property
    def input_names(self) -> list[str]:
        """The names the rule gives the inputs: x for one, a and b for two, x_0, x_1, ... else."""
        if len(self.parents) == 1 and "dx" in self.rule:
            return ["x"]
        if len(self.parents) == 2 and "da" in self.rule:
            return ["a", "b"]
        return [f"x_{i}" for i in range(len(self.parents))]

    def __repr__(self) -> str:
        shapes = ", ".join(str(s) for s in self.in_shapes)
        return f"{self.name}({shapes}) -> {self.out_shape}"


class Tape(list):
    """The nodes that lead to a tensor, in the order they were recorded; prints one per line."""

    def __str__(self) -> str:
        if not self:
            return "(empty tape: nothing that requires grad leads to this tensor)"
        width = len(str(len(self) - 1))
        lines = [f"{i:>{width}}  {node.name:<12} {_shapes(node.in_shapes):<28} -> {node.out_shape}"
                 for i, node in enumerate(self)]
        return "\n".join(lines)


def _shapes(shapes: tuple) -> str:
    return ", ".join(str(s) for s in shapes)


def tape(tensor) -> Tape:
    """Return the nodes that lead to ``tensor``, oldest first (the order they were run in).

    ``print(tx.tape(loss))`` shows one line per node: its position, op, input shapes and
    output shape. Found by an iterative depth-first walk, so any depth is fine.
    """
    root = tensor.node
    if root is None:
        return Tape()
    seen = {root}
    stack = [root]
    while stack:
        for parent in stack.pop().parents:
            if type(parent) is Node and parent not in seen:
                seen.add(parent)
                stack.append(parent)
    # A node is always recorded after its parents, so recorded order is a topological order.
    return Tape(sorted(seen, key=operator.attrgetter("order")))


def backward(tensor, grad_out: np.ndarray, retain_graph: bool = False) -> None:
    """Backpropagate ``grad_out`` (the gradient of some scalar w.r.t. ``tensor``) to the leaves.

    Each leaf's ``.grad`` receives d(scalar)/d(leaf), added to what it already held.
    """
    nodes = tape(tensor)
    keep = retain_graph or (len(nodes) <= EXPLAIN_MAX_NODES
                            and all(_size(n.out_shape) <= EXPLAIN_MAX_SIZE for n in nodes))
    anomaly = _state["anomaly"]
    # pending: node or leaf -> the sum of the gradients its consumers sent so far.
    pending = {tensor.node: grad_out}
    # The nodes and leaves whose pending gradient nobody but this walk holds (see below). Only
    # those may be added into in place or become a leaf's .grad without a copy: any other
    # gradient may be a read-only broadcast view, or the very array an op also handed to
    # another input (add gives g to a and to b).
    owned = set()
    for position in range(len(nodes) - 1, -1, -1):
        node = nodes[position]
        # Every node on the tape leads to the root, so by the time we reach it (all its
        # consumers were recorded later and walked earlier) its gradient is complete.
        grad = pending.pop(node)
        if type(grad) is Scatter:  # pending only without explain's records: dense() is ours
            grad, grad_owned = grad.dense(), True
        else:
            grad_owned = node in owned
        if node.backward is None:
            raise RuntimeError(
                f"backward: the graph was freed by an earlier backward() (at node "
                f"{position}, {node.name}); to backpropagate through it twice, call "
                f"backward(retain_graph=True) the first time")
        grads = node.backward(grad, *node.saved)
        if keep:  # explain shows what flowed as plain arrays
            grads = tuple(g.dense() if type(g) is Scatter else g for g in grads)
        if anomaly is not None:
            anomaly.check_backward(node, position, grad, grads)
        for parent, in_shape, g in zip(node.parents, node.in_shapes, grads):
            if parent is None:
                continue
            # Is g the walk's alone? A new array is; a view or a Scatter may share memory;
            # the gradient the backward was given, passed on as it is (sub passes g to a), is
            # if the walk owned it and handed it to this input only (add gives g to a and b).
            if keep:
                fresh = False
            elif g is grad:
                fresh = grad_owned and (len(grads) == 1 or _given_once(g, node.parents, grads))
            else:
                fresh = type(g) is np.ndarray and g.base is None
            if g.shape != in_shape:
                g = unbroadcast(g, in_shape)  # a new array, made for this input alone
                fresh = not keep
                if g.shape != in_shape:
                    raise RuntimeError(f"backward of {node.name}: gradient has shape "
                                       f"{g.shape} but its input has shape {in_shape}")
            # A tensor used several times gets the sum of the gradients of all its uses.
            total = pending.get(parent)
            if total is None:
                pending[parent] = g
                if fresh:
                    owned.add(parent)
            else:
                pending[parent] = _sum(total, g, parent in owned, fresh)
                owned.add(parent)
        if keep:
            node.grad_out, node.grads_in = grad, grads
        if not retain_graph:
            node.backward = node.saved = None  # frees the saved arrays
    # What is left are the leaves' gradients, complete.
    for leaf, g in pending.items():
        if type(g) is Scatter:
            leaf._accumulate(g.dense(), owned=True)
        else:
            leaf._accumulate(g, owned=leaf in owned)


def _given_once(g: np.ndarray, parents: tuple, grads: tuple) -> bool:
    """True if no other input that takes a gradient received the very array ``g``."""
    receivers = 0
    for parent, h in zip(parents, grads):
        if h is g and parent is not None:
            receivers += 1
    return receivers == 1


def _sum(total, g, total_owned: bool, g_fresh: bool) -> np.ndarray:
    """``total + g``, the gradients of one input from two of its uses.

    Added in place into whichever of the two the walk owns; a new array only if it owns
    neither. Either may be a :class:`Scatter`.
    """
    if total_owned and total.dtype == g.dtype:
        into, other = total, g
    elif g_fresh and total.dtype == g.dtype:
        into, other = g, total
    else:
        dtype = np.result_type(total.dtype, g.dtype)
        into = total.dense().astype(dtype, copy=False) if type(total) is Scatter \
            else total.astype(dtype)  # astype copies
        other = g
    if type(other) is Scatter:
        other.add_to(into)
    else:
        into += other
    return into


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``grad`` back down to ``shape``, undoing numpy broadcasting.

    An input that was broadcast was used many times, once for every position it was stretched
    over, so its gradient is the sum of the gradients of all those uses: sum over the leading
    axes broadcasting added, and over the axes where the input had size 1. The walk calls it
    for every gradient whose shape is not its input's, so a backward rule can be written for
    the broadcast shape: ``da = g * b``.
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad


class Scatter:
    """A gradient that is zero except at ``x[index]``: what indexing sends back to ``x``.

    ``logits[np.arange(n), target]`` picks one logit per row, so its gradient with respect to
    the logits is zero but for those n entries. Written out densely it is a new array as big
    as the logits and a pass to add it to their other gradient; the walk instead carries the
    n values with their index and adds them straight into that other gradient
    (:meth:`add_to`). Anyone who needs the plain array (a backward, a leaf's ``.grad``,
    ``tx.explain``) gets :meth:`dense`.
    """

    __slots__ = ("index", "values", "shape")

    def __init__(self, index, values: np.ndarray, shape: tuple):
        self.index = index
        self.values = values
        self.shape = shape

    @property
    def dtype(self) -> np.dtype:
        return self.values.dtype

    def add_to(self, total: np.ndarray) -> None:
        """``total[index] += values`` in place; an element indexed twice receives both values."""
        if _is_basic(self.index):
            total[self.index] += self.values  # basic indexing never picks an element twice
        else:
            np.add.at(total, self.index, self.values)

    def dense(self) -> np.ndarray:
        """The gradient as an array: zeros of ``shape`` with the values added at ``index``."""
        total = np.zeros(self.shape, self.dtype)
        self.add_to(total)
        return total


def _is_basic(index) -> bool:
    """True for basic indexing (ints, slices, None, ...), which views instead of copying."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(i, (int, np.integer, slice)) or i is None or i is Ellipsis
               for i in parts)


def _size(shape: tuple) -> int:
    size = 1
    for n in shape:
        size *= n
    return size


def is_grad_enabled() -> bool:
    """True unless inside ``no_grad()``."""
    return _state["grad_enabled"]


@contextlib.contextmanager
def no_grad() -> Iterator[None]:
    """Run ops without recording them: their outputs have ``requires_grad=False``.

    Use it for evaluation and for parameter updates. Works as a context manager
    (``with no_grad():``) and as a decorator (``@no_grad()``).
    """
    previous = _state["grad_enabled"]
    _state["grad_enabled"] = False
    try:
        yield
    finally:
        _state["grad_enabled"] = previous


class AnomalyError(FloatingPointError):
    """Raised by ``detect_anomaly`` at the first op that makes a nan or an inf."""


class _Anomaly:
    """What ``detect_anomaly`` checks: every op's output, and every gradient backward makes."""

    def __init__(self):
        self.ops_run = 0

    def check_forward(self, op: Callable, inputs: tuple, out: np.ndarray) -> None:
        position = self.ops_run
        self.ops_run += 1
        if np.isfinite(out).all():
            return
        described = "; ".join(_describe(x) for x in inputs)
        hint = ""
        if op.__name__ == "log" and any((x <= 0).any() for x in inputs if x.size):
            hint = ("\n  log of zero (or of a negative number): the usual cure is "
                    "F.log_softmax(x) instead of log(softmax(x)),\n  or clamping the input "
                    "first, tx.maximum(x, 1e-12)")
        raise AnomalyError(f"detect_anomaly: forward of {op.__name__} (op {position} since "
                           f"detect_anomaly began) produced {_bad(out)}\n"
                           f"  inputs: {described}{hint}")

    def check_backward(self, node: Node, position: int, grad_out: np.ndarray,
                       grads: tuple) -> None:
        for i, g in enumerate(grads):
            if type(g) is Scatter:
                g = g.values
            if g is not None and not np.isfinite(g).all():
                hint = ""
                if node.name in ("log", "div", "pow"):
                    hint = ("\n  an input at 0 makes this rule divide by 0 (log, sqrt and "
                            "x ** p with p < 1 have an\n  infinite slope there): keep the "
                            "input away from 0, e.g. tx.maximum(x, 1e-12)")
                raise AnomalyError(
                    f"detect_anomaly: backward of {node.name} (node {position} on the tape) "
                    f"produced {_bad(g)} in the gradient of input {i}\n"
                    f"  input shapes: {_shapes(node.in_shapes)}; gradient arriving: "
                    f"{_describe(np.asarray(grad_out))}\n"
                    f"  rule: {node.rule}{hint}")


def _bad(x: np.ndarray) -> str:
    return (f"{int(np.isnan(x).sum())} nan and {int(np.isinf(x).sum())} inf "
            f"in an array of shape {x.shape}")


def _describe(x: np.ndarray) -> str:
    if x.size == 0 or not np.issubdtype(x.dtype, np.number):
        return f"shape {x.shape}"
    return f"shape {x.shape} range [{np.nanmin(x):.4g}, {np.nanmax(x):.4g}]"


@contextlib.contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise :class:`AnomalyError` at the first op whose output or gradient holds nan or inf.

    The error names the op, its position (in the forward pass: ops run since the block began;
    in backward: the node's place on the tape), the input shapes and ranges. Off by default;
    when off it costs one dictionary look-up per op.
    """
    previous = _state["anomaly"]
    _state["anomaly"] = _Anomaly()
    try:
        yield
    finally:
        _state["anomaly"] = previous
