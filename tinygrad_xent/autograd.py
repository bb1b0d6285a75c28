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
import math
import operator
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple

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


class _Modes(threading.local):
    """Grad mode and anomaly mode, one of each per thread (as in PyTorch): a ``no_grad`` block
    in one thread never stops another thread from recording."""

    grad_enabled = True
    anomaly: _Anomaly | None = None

    @contextlib.contextmanager
    def set(self, name: str, value) -> Iterator[None]:
        """Set one mode of this thread for the duration of a ``with`` block."""
        global modes_in_use
        previous = getattr(self, name)
        setattr(self, name, value)
        with _modes_lock:
            modes_in_use += 1
        try:
            yield
        finally:
            setattr(self, name, previous)
            with _modes_lock:
                modes_in_use -= 1


# How many no_grad and detect_anomaly blocks are open, in all threads together. While it is 0,
# every thread records with gradients on and no checks, so an op need not read its thread's
# modes at all: reading a thread-local costs more than the rest of recording a node.
modes_in_use = 0
_modes_lock = threading.Lock()
modes = _Modes()


class Op:
    """A primitive op, declared once: everything the tape, the walk and the teaching tools
    know about it.

    The package's own ops are declared in ``tensor.py`` (the list is ``tensor.PRIMITIVES``);
    an op of your own, a ``tx.Function`` subclass, gets one the same way. Nothing else in the
    package keeps a list of ops: the tests over every op, the README's op list, the anomaly
    hints and the benchmarks all read these declarations.

    Parameters
    ----------
    forward : callable
        The function that runs the op (``tensor.exp``). Its name is the op's name and the
        first line of its docstring is the op's math, ``y = exp(x);  dx = g * y``: the line
        ``tx.explain`` prints as the rule.
    backward : callable
        The rule, ``backward(g, *saved) -> one gradient (or None) per input``: ``g`` is the
        gradient arriving at the output (``grad_out``), ``saved`` what the forward kept for
        it. A gradient may have the broadcast shape of the output; the walk sums it back.
        Each is a new array, a view, a :class:`Scatter`, ``g`` itself or ``None``; never a
        saved array, and never one new array for two inputs.
    inputs : tuple of str, or None
        The names the math gives the inputs, in order (``("a", "b")``); None for an op that
        takes a list of tensors (concatenate), whose inputs are x_0, x_1, ...
    forward_hint, backward_hint : str
        What ``detect_anomaly`` adds when this op's output, or the gradient its rule
        makes, holds a nan or an inf: the usual cause and its cure.
    name, math : str, optional
        The name and the math line, when they are not the forward's (``tx.Function``).
    """

    __slots__ = ("forward", "backward", "inputs", "forward_hint", "backward_hint", "name", "math")

    def __init__(
        self,
        forward: Callable,
        backward: Callable,
        inputs: tuple[str, ...] | None,
        forward_hint: str = "",
        backward_hint: str = "",
        name: str | None = None,
        math: str | None = None,
    ):
        self.forward = forward
        self.backward = backward
        self.inputs = inputs
        self.forward_hint = forward_hint
        self.backward_hint = backward_hint
        self.name = forward.__name__ if name is None else name
        doc = math if math is not None else forward.__doc__
        self.math = (doc or self.name).strip().splitlines()[0]

    def input_names(self, n: int) -> list[str]:
        """The names of ``n`` inputs: the declared ones, else x_0, x_1, ..."""
        if self.inputs is not None and len(self.inputs) == n:
            return list(self.inputs)
        return [f"x_{i}" for i in range(n)]

    def __repr__(self) -> str:
        return f"<op {self.name}: {self.math}>"


class Node:
    """One recorded op: what ran, on which shapes, and how to send a gradient back.

    Recording a node does only what the walk needs. What the teaching tools show is kept as
    plain references (a small output, the constants an op was given) or gathered by the walk
    when it is asked to (what flowed through the node).

    Attributes
    ----------
    op : Op
        The op's declaration: its name, its rule (``op.backward``) and its math.
    parents : tuple
        For each input, the ``Node`` that made it, the leaf ``Tensor`` itself, or ``None``
        when that input needs no gradient.
    wanted : int
        How many inputs want a gradient (parents that are not ``None``): the walk may write
        into a gradient a rule passes on as it is only when it goes to one input.
    saved : tuple or None
        What the rule needs from the forward pass (exp's output, mul's operands, a shape);
        ``None`` once a backward without ``retain_graph`` has freed the graph.
    in_shapes, out_shape : tuple
        What the op saw and made.
    order : int
        When it was recorded, so that sorting by it replays the forward pass.
    value : numpy array or None
        The op's output when it has at most ``KEEP_VALUE_SIZE`` elements (a reference to
        the array the op made, not a copy).
    shown_inputs : dict or None
        Input position -> what explain may show of that constant input: the named constant
        Tensor (only its name, a string, past ``EXPLAIN_MAX_SIZE`` elements), the number or
        the small array itself; None when there is nothing to show.
    flow : tuple or None
        ``(grad_out, grads_in)`` from the last backward, kept when the walk records (small
        graphs, or ``retain_graph=True``); read it as ``grad_out`` and ``grads_in``.
    """

    __slots__ = (
        "op",
        "parents",
        "wanted",
        "saved",
        "in_shapes",
        "out_shape",
        "order",
        "value",
        "shown_inputs",
        "flow",
    )

    def __init__(
        self,
        op: Op,
        parents: tuple,
        wanted: int,
        saved: tuple,
        in_shapes: tuple,
        out: np.ndarray,
        shown_inputs: dict | None = None,
    ):
        self.op = op
        self.parents = parents
        self.wanted = wanted
        self.saved: tuple | None = saved
        self.in_shapes = in_shapes
        self.out_shape = out.shape
        self.order = next(_order)
        # A few numbers cost nothing to keep (the array exists already), and explain shows them.
        self.value = out if out.size <= KEEP_VALUE_SIZE else None
        self.shown_inputs = shown_inputs
        self.flow: tuple | None = None

    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        """For each input, whether it wants a gradient (its parent is not None)."""
        return tuple(parent is not None for parent in self.parents)

    # ---- what the teaching tools read, gathered when they ask ----------------------------
    @property
    def name(self) -> str:
        return self.op.name

    @property
    def rule(self) -> str:
        """The op's math, ``y = exp(x);  dx = g * y``."""
        return self.op.math

    @property
    def input_names(self) -> list[str]:
        """The names the rule gives the inputs: x for one, a and b for two, x_0, x_1, ... else."""
        return self.op.input_names(len(self.parents))

    @property
    def walked(self) -> bool:
        """True once a backward has gone through this node."""
        return self.saved is None or self.flow is not None

    @property
    def grad_out(self) -> np.ndarray | None:
        """The gradient that arrived at the output in the last recorded backward."""
        return None if self.flow is None else self.flow[0]

    @property
    def grads_in(self) -> tuple | None:
        """What the rule handed each input in the last recorded backward (None for an input
        that wants no gradient), each as a plain array."""
        if self.flow is None:
            return None
        return tuple(
            None if g is None or parent is None else _dense(g)
            for g, parent in zip(self.flow[1], self.parents)
        )

    @property
    def constants(self) -> tuple | None:
        """For each input, a :class:`Constant` explain can show, or None; None when none is.

        A named constant keeps its value up to ``EXPLAIN_MAX_SIZE`` elements (explain then
        summarises a large one); an unnamed number or array up to ``KEEP_VALUE_SIZE``.
        """
        if self.shown_inputs is None:
            return None
        return tuple(
            _constant(self.shown_inputs[i]) if i in self.shown_inputs else None
            for i in range(len(self.parents))
        )

    def __repr__(self) -> str:
        shapes = ", ".join(str(s) for s in self.in_shapes)
        return f"{self.name}({shapes}) -> {self.out_shape}"


def _constant(x) -> Constant:
    """What explain shows of a constant input: a named Tensor's name and value, the name
    alone of a big one (kept as a string), or a number or small array."""
    if isinstance(x, str):
        return Constant(x, None)
    return Constant(getattr(x, "name", None), getattr(x, "data", x))


class Constant(NamedTuple):
    """A constant input of a node, as ``tx.explain`` shows it: the name the code gave it (the
    row max of log-sum-exp) or None, and its value: kept up to ``KEEP_VALUE_SIZE`` elements,
    or up to ``EXPLAIN_MAX_SIZE`` when named (explain then summarises it); else None."""

    name: str | None
    value: object


class Tape(list):
    """The nodes that lead to a tensor, in the order they were recorded; prints one per line.

    Its repr (what a notebook cell or the REPL shows) is the same table, cut to the first
    and last 10 nodes when there are more than 30.
    """

    def __repr__(self) -> str:
        if len(self) <= 30:
            return str(self)
        lines = str(self).split("\n")
        return "\n".join(
            lines[:10]
            + [f"... {len(self) - 20} more nodes: print(tape) shows every one"]
            + lines[-10:]
        )

    def __str__(self) -> str:
        if not self:
            return "(empty tape: nothing that requires grad leads to this tensor)"
        width = len(str(len(self) - 1))
        names = max(12, *(len(node.name) for node in self))  # an op of your own may be longer
        lines = [
            f"{i:>{width}}  {node.name:<{names}} {_shapes(node.in_shapes):<28} -> {node.out_shape}"
            for i, node in enumerate(self)
        ]
        return "\n".join(lines)


def _shapes(shapes: tuple, most: int = 8) -> str:
    """The shapes, the first ``most`` of them when concatenate has a thousand inputs."""
    shown = ", ".join(str(s) for s in shapes[:most])
    return shown if len(shapes) <= most else f"{shown}, ... ({len(shapes)} inputs)"


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
    recording = _records_flow(nodes, retain_graph)  # small graphs keep what flows, for explain
    observers = _observers(recording)  # explain's recorder, detect_anomaly's check
    # pending: node or leaf -> the sum of the gradients its consumers have sent so far (summed
    # in place only when no record holds the arrays)
    pending = Gradients(tensor.node or tensor, grad_out, in_place=not recording)
    for position in range(len(nodes) - 1, -1, -1):  # newest first
        node = nodes[position]
        # Every consumer of this node was recorded after it, so it was walked before it: the
        # gradient is complete, and taken out once.
        if node.saved is None:  # walked before, without retain_graph
            raise _freed(node, position)
        grad = pending.pop(node)
        # The op's rule: one gradient per input (None, or ignored, for one that wants none).
        grads = node.op.backward(grad, *node.saved)
        for observe in observers:
            observe(node, position, grad, grads)
        for parent, in_shape, g in zip(node.parents, node.in_shapes, grads):
            if parent is None:  # this input wants no gradient
                continue
            if g.shape != in_shape:  # a broadcast input: sum the gradients of all its uses
                g = unbroadcast(g, in_shape, node.name)
            pending.add(parent, g)
        if not retain_graph:
            node.saved = None  # frees the arrays the rule kept
    # What is left are the leaves, each with its complete gradient.
    pending.deposit_into_leaves()


def _freed(node: Node, position: int) -> RuntimeError:
    """The error of a second walk through nodes an earlier backward() freed.

    Nothing has reached a leaf yet when it is raised: leaves get their gradients at the end.
    """
    return RuntimeError(
        f"backward: the graph was freed by an earlier backward() (at node {position}, "
        f"{node.name}); to backpropagate through it twice, call "
        f"backward(retain_graph=True) the first time"
    )


def _records_flow(nodes: Tape, retain_graph: bool) -> bool:
    """Does the walk keep what flows through each node for explain: on a small graph (at most
    EXPLAIN_MAX_NODES nodes of at most EXPLAIN_MAX_SIZE elements each), or when asked."""
    return retain_graph or (
        len(nodes) <= EXPLAIN_MAX_NODES
        and all(math.prod(n.out_shape) <= EXPLAIN_MAX_SIZE for n in nodes)
    )


def _observers(recording: bool) -> list[Callable]:
    """Who watches the walk: explain's recorder (when ``recording``) and the checks of
    ``detect_anomaly`` when it is on in this thread."""
    observers: list[Callable[[Node, int, np.ndarray, tuple], None]] = []
    if recording:
        observers.append(_record_flow)
    if modes.anomaly is not None:
        observers.append(modes.anomaly.check_backward)
    return observers


def _record_flow(node: Node, position: int, grad: np.ndarray, grads: tuple) -> None:
    """Keep what flowed through ``node`` for ``tx.explain`` and ``tx.draw``: references, no
    copies (a recording walk never sums in place, so nothing writes into them later)."""
    node.flow = (grad, grads)


def _dense(g: np.ndarray | Scatter) -> np.ndarray:
    return g.dense() if isinstance(g, Scatter) else g


class Gradients:
    """The walk's pending gradients: node or leaf -> the sum of what its consumers sent so far.

    Adding two gradients is where the walk spends its time and memory, so this one class holds
    both of its speed tricks; neither changes a single number (tests/test_engine.py checks
    both against plain ``total + g``):

    1. **In place.** ``total += g`` writes into ``total`` instead of making a new array, but
       only when no one but the walk holds ``total``: a rule's new array (``g * y``), a sum
       this class made, or the gradient a rule passed on as it is (``sub`` hands ``g`` to
       ``a``) when the walk held that one alone. Anything else (the caller's ``grad``, a
       read-only broadcast view, the one array ``add`` hands to both its inputs) is never
       written into, and neither is anything a rule made while explain's recorder keeps
       references to it (``in_place=False``). ``_owned`` holds the keys whose pending array
       is the walk's alone.
    2. **Sparse.** Indexing sends its gradient as a :class:`Scatter` (the picked values and
       their index), which is added straight into the other gradients of the same tensor
       instead of first becoming an array of zeros as big as it.
    """

    def __init__(self, key, grad: np.ndarray, in_place: bool = True):
        self._pending: dict[Any, np.ndarray | Scatter] = {key: grad}
        self._owned: set = set()
        # False while explain's recorder keeps references to what the rules hand on: then no
        # array a rule made is ever written into.
        self._in_place = in_place
        # The gradient taken out last, which the rule may pass on as it is (sub hands g to a),
        # and whether the walk may then write into it: only if it held it alone, and the rule
        # can hand it to one input only (add gives the same g to a and to b).
        self._popped: np.ndarray | None = None
        self._popped_own = False

    def pop(self, node: Node) -> np.ndarray:
        """Take out the complete gradient of ``node`` as a plain array."""
        g = self._pending.pop(node)
        if isinstance(g, Scatter):
            g, owned = g.dense(), True
        else:
            owned = node in self._owned
        self._popped = g
        self._popped_own = self._in_place and owned and node.wanted == 1
        return g

    def add(self, key, g) -> None:
        """Add ``g`` (already of ``key``'s shape) to the gradient pending for ``key``."""
        # May the walk write into g? A rule's new array, yes; the popped gradient passed on as
        # it is, if the walk held it alone and the rule gives it to one input only; a view, a
        # Scatter or an array from outside, never.
        if g is self._popped:
            own = self._popped_own
        else:
            own = self._in_place and type(g) is np.ndarray and g.base is None
        total = self._pending.get(key)
        if total is None:
            self._pending[key] = g
            if own:
                self._owned.add(key)
            return
        dtype = np.result_type(total.dtype, g.dtype)
        into: np.ndarray
        if key in self._owned and isinstance(total, np.ndarray) and total.dtype == dtype:
            into, other = total, g
        elif own and g.dtype == dtype:
            into, other = g, total
        elif isinstance(total, Scatter):  # a new array, which is then the walk's own
            into, other = total.dense().astype(dtype, copy=False), g
        else:
            into, other = total.astype(dtype), g  # astype copies
        if isinstance(other, Scatter):
            other.add_to(into)
        else:
            into += other
        self._owned.add(key)
        self._pending[key] = into

    def deposit_into_leaves(self) -> None:
        """Add each remaining gradient to its leaf's ``.grad``, in the leaf's dtype.

        A gradient the walk alone holds becomes ``.grad`` as it is; any other is copied, since
        the caller or another leaf may hold the same array.
        """
        for leaf, g in self._pending.items():
            owned = isinstance(g, Scatter) or leaf in self._owned
            g = _dense(g)
            if leaf.grad is not None:
                leaf.grad = np.asarray(np.add(leaf.grad, g, dtype=leaf.dtype))
            elif owned and type(g) is np.ndarray and g.dtype == leaf.dtype:
                leaf.grad = g
            else:  # (np.array makes a 0-d array of a numpy scalar, which a 0-d rule may give)
                leaf.grad = np.array(g, dtype=leaf.dtype)


def unbroadcast(grad, shape: tuple, op_name: str = "unbroadcast"):
    """Sum ``grad`` back down to ``shape``, undoing numpy broadcasting.

    An input that was broadcast was used many times, once for every position it was stretched
    over, so its gradient is the sum of the gradients of all those uses: sum over the leading
    axes broadcasting added, and over the axes where the input had size 1. The walk calls it
    for every gradient, so a backward rule can be written for the broadcast shape:
    ``da = g * b``. A gradient that cannot be summed to ``shape`` is an error naming the op.
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    if grad.shape != shape:
        raise RuntimeError(
            f"backward of {op_name}: gradient has shape {grad.shape} but its input has "
            f"shape {shape}"
        )
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
    return all(isinstance(i, (int, np.integer, slice)) or i is None or i is Ellipsis for i in parts)


def is_grad_enabled() -> bool:
    """True unless inside ``no_grad()`` (in this thread)."""
    return modes.grad_enabled


@contextlib.contextmanager
def no_grad() -> Iterator[None]:
    """Run ops without recording them: their outputs have ``requires_grad=False``.

    Use it for evaluation and for parameter updates. Works as a context manager
    (``with no_grad():``) and as a decorator (``@no_grad()``).
    """
    with modes.set("grad_enabled", False):
        yield


class AnomalyError(FloatingPointError):
    """Raised by ``detect_anomaly`` at the first op that makes a nan or an inf."""


class _Anomaly:
    """What ``detect_anomaly`` checks: every op's output, and every gradient backward makes."""

    def __init__(self):
        self.ops_run = 0

    def check_forward(self, op: Op, inputs: Sequence[np.ndarray], out: np.ndarray) -> None:
        position = self.ops_run
        self.ops_run += 1
        if np.isfinite(out).all():
            return
        described = "; ".join(_describe(x) for x in inputs)
        hint = f"\n  {op.forward_hint}" if op.forward_hint else ""
        raise AnomalyError(
            f"detect_anomaly: forward of {op.name} (op {position} since "
            f"detect_anomaly began) produced {_bad(out)}\n"
            f"  inputs: {described}{hint}"
        )

    def check_backward(self, node: Node, position: int, grad_out: np.ndarray, grads: tuple) -> None:
        for i, (g, parent) in enumerate(zip(grads, node.parents)):
            if isinstance(g, Scatter):
                g = g.values
            if g is not None and parent is not None and not np.isfinite(g).all():
                hint = f"\n  {node.op.backward_hint}" if node.op.backward_hint else ""
                raise AnomalyError(
                    f"detect_anomaly: backward of {node.name} (node {position} on the tape) "
                    f"produced {_bad(g)} in the gradient of input {i}\n"
                    f"  input shapes: {_shapes(node.in_shapes)}; gradient arriving: "
                    f"{_describe(np.asarray(grad_out))}\n"
                    f"  rule: {node.rule}{hint}"
                )


def _bad(x: np.ndarray) -> str:
    return (
        f"{int(np.isnan(x).sum())} nan and {int(np.isinf(x).sum())} inf "
        f"in an array of shape {x.shape}"
    )


def _describe(x: np.ndarray) -> str:
    """Shape, range of the finite values, and how many nan and inf: "[nan, 1]" is not "[1, 1]"."""
    if x.size == 0 or not np.issubdtype(x.dtype, np.number):
        return f"shape {x.shape}"
    finite = np.isfinite(x)
    parts = [f"shape {x.shape}"]
    if finite.any():
        values = x[finite]
        parts.append(f"finite values in [{values.min():.4g}, {values.max():.4g}]")
    if not finite.all():
        counts = [
            (int(np.isnan(x).sum()), "nan"),
            (int(np.isposinf(x).sum()), "+inf"),
            (int(np.isneginf(x).sum()), "-inf"),
        ]
        parts.append(", ".join(f"{n} {what}" for n, what in counts if n))
    return ", ".join(parts)


@contextlib.contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise :class:`AnomalyError` at the first op whose output or gradient holds nan or inf.

    The error names the op, its position (in the forward pass: ops run since the block began;
    in backward: the node's place on the tape), the input shapes and ranges. Off by default;
    when off it costs one dictionary look-up per op.
    """
    with modes.set("anomaly", _Anomaly()):
        yield
