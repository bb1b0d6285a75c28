"""Exercise 1: a scalar Value that records its ops and can pass a gradient back through each."""

from __future__ import annotations

import math

import numpy as np

from . import scalar_graphs as graphs
from .grading import Exercise, Found, Result, failed

TASK = """\
The engine, from scratch: a scalar Value with + * exp log, each op remembering how to pass a
gradient back. Exercise 2 writes the walk that calls these in the right order; here the
grader walks for you.

A Value holds
    data       the number
    grad       dL/d(this value), 0.0 until a backward pass adds to it
    parents    the Values it was computed from (empty for an input)
    _backward  a function of no arguments, called once out.grad is complete: it passes
               out.grad on to the parents' grad, through the op's local derivative

Write __add__, __mul__, exp and log: each computes out = Value(result, parents) and gives
out a _backward. Write __radd__ and __rmul__ so that 2 + a and 3 * a work (a plain number
is wrapped in a Value first).

The questions:
    for out = a * b, by how much does out move when a moves by a little, and when b does?
    what of out = exp(a) and out = log(a)? which numbers does each _backward need to keep?
    a value may be used twice (a * a, or a feeding two ops): what must happen to its grad
    when a second use passes its share back?

Graded on random graphs of these ops against this package's tape, each leaf's .grad after
the walk, with a random upstream gradient at the root."""

TEMPLATE = '''

import math


class Value:
    """A scalar that remembers the Values it was computed from."""

    def __init__(self, data, parents=()):
        self.data = float(data)
        self.grad = 0.0
        self.parents = tuple(parents)
        self._backward = lambda: None  # an input has no parents to pass its gradient to

    def __add__(self, other):
        raise NotImplementedError("Value.__add__: not written yet")

    def __radd__(self, other):
        raise NotImplementedError("Value.__radd__: not written yet")

    def __mul__(self, other):
        raise NotImplementedError("Value.__mul__: not written yet")

    def __rmul__(self, other):
        raise NotImplementedError("Value.__rmul__: not written yet")

    def exp(self):
        raise NotImplementedError("Value.exp: not written yet")

    def log(self):
        raise NotImplementedError("Value.log: not written yet")

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"
'''


class Value:
    """A scalar that records the op that made it and can pass a gradient back through it.

    Each op makes ``out`` from its parents and stores in ``out._backward`` what the chain
    rule asks of it: dL/d(parent) gets dL/d(out) * d(out)/d(parent) **added** to it. Added,
    not assigned: a value used twice (``a * a``, or ``a`` feeding two ops) has two paths to
    the loss, and its gradient is the sum over them. The local derivatives:

        out = a + b:   dout/da = 1,       dout/db = 1
        out = a * b:   dout/da = b,       dout/db = a   (each factor gets the other)
        out = exp(a):  dout/da = exp(a) = out.data      (kept: no second exp)
        out = log(a):  dout/da = 1 / a.data             (the input, not the output)

    A number on either side is wrapped in a Value with no parents; ``2 + a`` calls
    ``a.__radd__(2)``, which is ``a + 2``.

    Parameters
    ----------
    data : float
        The value.
    parents : tuple of Value
        The Values it was computed from; empty for an input.
    """

    def __init__(self, data, parents=()):
        self.data = float(data)
        self.grad = 0.0
        self.parents = tuple(parents)
        self._backward = lambda: None  # an input has no parents to pass its gradient to

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other))

        def _backward():
            self.grad += out.grad  # d(a + b)/da = 1
            other.grad += out.grad  # d(a + b)/db = 1

        out._backward = _backward
        return out

    def __radd__(self, other):
        return self + other

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other))

        def _backward():
            self.grad += other.data * out.grad  # d(a b)/da = b
            other.grad += self.data * out.grad  # d(a b)/db = a

        out._backward = _backward
        return out

    def __rmul__(self, other):
        return self * other

    def exp(self) -> Value:
        """out = exp(self);  d out/d self = exp(self) = out.data."""
        out = Value(math.exp(self.data), (self,))

        def _backward():
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def log(self) -> Value:
        """out = log(self), for self > 0;  d out/d self = 1 / self.data."""
        out = Value(math.log(self.data), (self,))

        def _backward():
            self.grad += out.grad / self.data

        out._backward = _backward
        return out

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"


ASSIGN_HINT = (
    "every graph in which a value is used once passes, and graphs in which a value is used "
    "more than once fail: a _backward that assigns (grad = ...) keeps only the last use's "
    "share; a value with two paths to the loss needs the shares of both"
)
NOTHING_HINT = (
    "no gradient reached the inputs of {op}: does it make out with its parents "
    "(Value(result, (self, other))), and store the closure on out (out._backward = ...), the "
    "node it belongs to, rather than on self?"
)
UPSTREAM_HINT = (
    "the gradients of {op} are its local derivatives alone: the closure must also multiply "
    "by out.grad, the gradient arriving from above (the chain rule)"
)
OWN_HINT = (
    "in {op} each input received its own value as local derivative: the closure captured "
    "the wrong variable (self where other was meant, or the reverse). Nudge a alone: by how "
    "much does a * b move?"
)
EXP_HINT = (
    "exp's closure used the input a where its derivative needs something else: what is "
    "d exp(a)/da? (The closure can read out.data.)"
)
LOG_HINT = (
    "log's closure used log(a), the output, or multiplied by a: what is d log(a)/da, and "
    "which number does the closure need to keep for it?"
)
DERIVATIVE_HINT = "the local derivative of {op} is wrong"
FORWARD_HINT = "the forward value of {op} is wrong: out.data must be the op's result"

ONE_OP = tuple(graphs.SPELLING)


def _cases() -> list:
    rng = np.random.default_rng(101)
    cases = [graphs.one_op(op, rng) for op in ONE_OP]
    cases += [graphs.used_twice("add", rng), graphs.used_twice("mul", rng)]
    cases.append(graphs.two_branches(rng))
    cases += [graphs.random_graph(rng, 8, reuse=False, g=1.7) for _ in range(3)]
    cases += [graphs.random_graph(rng, 10, reuse=True, g=-2.2) for _ in range(3)]
    cases.append(graphs.deep_chain(2000, g=1.3))
    return cases


def _walk(root, g: float) -> None:
    """The grader's walk: seed ``g``, then each node's _backward, the root first."""
    root.grad = g
    for node in reversed(graphs.topological(root)):
        node._backward()


NOT_WRITTEN = "not written: "


def _learner_grads(cls, graph: graphs.Graph) -> tuple[list, list]:
    """(each node's data, each leaf's grad) with the learner's class; raises what it raises."""
    nodes = graphs.run(graph, cls)
    _walk(nodes[-1], graph.g)
    return [float(n.data) for n in nodes], [float(n.grad) for n in nodes[: len(graph.leaves)]]


def _grade_value(exercise: Exercise, cls: object) -> Result:
    """Build every case with the learner's class, walk it, compare with the tape."""
    name = exercise.name
    if not isinstance(cls, type):
        return Result(name, "failing", f"{name}: expected a class Value, got {type(cls).__name__}")
    cases = _cases()
    found, failing = [], []
    for number, graph in enumerate(cases, start=1):
        item = _grade_graph(cls, graph, f"case {number} of {len(cases)} ({graph.note})")
        if item is not None:
            found.append(item)
            failing.append(graph)
    if len(found) == len(cases) and all(f.kinds[:1] == (NOT_WRITTEN,) for f in found):
        return Result(
            name,
            "not started",
            f"{name}: not started (every method of Value still raises NotImplementedError)",
        )
    if not found:
        return Result(
            name, "passed", f"{name}: passed all {len(cases)} graphs against the tape's backward()"
        )
    if all(g.reuse for g in failing):
        found = [Found(f.about, f.text, f.hints or (ASSIGN_HINT,)) for f in found]
    return failed(name, found)


def _grade_graph(cls, graph: graphs.Graph, where: str) -> Found | None:
    """What is wrong with the learner's class on ``graph``, or None."""
    data, grads = graphs.tape(graph)
    try:
        given_data, given = _learner_grads(cls, graph)
    except NotImplementedError as err:  # a method not written yet: said once per method
        return Found(graph.op or "the call", f"{where}: {err}", (), (NOT_WRITTEN, str(err)))
    except Exception as err:  # the learner's bug: a message, not a traceback
        return Found(graph.op or "the call", f"{where}: raised {type(err).__name__}: {err}")
    about = graph.op or "a graph of several ops"
    wrong_data = [k for k, (x, e) in enumerate(zip(given_data, data)) if not graphs.close(x, e)]
    if wrong_data:
        k = wrong_data[0]
        text = f"{where}: node {k} has data {given_data[k]:.8g}, expected {data[k]:.8g}"
        hints = (FORWARD_HINT.format(op=graphs.SPELLING[graph.op]),) if graph.op else ()
        return Found(about, text, hints)
    wrong = [k for k, (x, e) in enumerate(zip(given, grads)) if not graphs.close(x, e)]
    if not wrong:
        return None
    k = wrong[0]
    text = (
        f"{where}: leaf {'abc'[k] if k < 3 else k}.grad is {given[k]:.8g}, expected "
        f"{grads[k]:.8g} (from the tape)"
    )
    hint = _one_op_hint(graph, given, grads) if graph.op else None
    return Found(about, text, (hint,) if hint else ())


def _one_op_hint(graph: graphs.Graph, given: list, expected: list) -> str:
    """Which usual slip turns ``expected`` into ``given`` for a graph of one op."""
    op, g, a = graph.op, graph.g, graph.leaves[0]
    spelled = graphs.SPELLING[op]
    if all(x == 0.0 for x in given):
        return NOTHING_HINT.format(op=spelled)
    if any(graphs.close(x, e / g) and not graphs.close(x, e) for x, e in zip(given, expected)):
        return UPSTREAM_HINT.format(op=spelled)
    if op in ("mul", "rmul", "mulc") and graphs.close(given[0], g * a):
        return OWN_HINT.format(op=spelled)
    if op == "exp" and graphs.close(given[0], g * a):
        return EXP_HINT
    if op == "log" and any(graphs.close(given[0], w) for w in (g / math.log(a), g * a)):
        return LOG_HINT
    return DERIVATIVE_HINT.format(op=spelled)


EXERCISE = Exercise(
    name="value",
    title="build a scalar Value: + * exp log, each with its backward",
    task=TASK,
    solution=Value,
    grader=_grade_value,
    entry="Value",
    template=TEMPLATE,
)
