"""Random scalar graphs for the two engine exercises, and what this package makes of them.

A graph is a little program: leaves (numbers) and steps, each step one op on earlier nodes.
The same program runs on the learner's ``Value`` and on 0-d float64 :class:`Tensor` s, so
the tape's ``.grad`` of every leaf is the expected answer. Programs are made from a seeded
random generator and kept inside the ops' domains: log only of a positive value, exp only of
a value below 5, products kept below 1e3.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..tensor import Tensor

# How each step is written in Python: a and b are nodes, c a plain number.
SPELLING = {
    "add": "a + b",
    "mul": "a * b",
    "exp": "a.exp()",
    "log": "a.log()",
    "radd": "c + a",
    "rmul": "c * a",
    "addc": "a + c",
    "mulc": "a * c",
}
UNARY = ("exp", "log", "radd", "rmul", "addc", "mulc")


@dataclass(frozen=True)
class Graph:
    """A scalar program: ``leaves`` are the inputs, each step ``(op, i, j_or_c)`` adds a node.

    Node k < len(leaves) is leaf k; step s makes node len(leaves) + s. The last node is the
    root. ``g`` is the root's upstream gradient (1.0 for a whole walk).
    """

    note: str
    leaves: tuple
    steps: tuple
    reuse: bool
    g: float = 1.0
    op: str = ""  # for a one-op graph, the op it tests

    @property
    def depth(self) -> int:
        """The number of steps: the length of the longest chain, at most."""
        return len(self.steps)


def step(op: str, a, other):
    """Apply ``op`` to node ``a`` and ``other`` (a node or a number), as SPELLING writes it."""
    if op == "add":
        return a + other
    if op == "mul":
        return a * other
    if op == "exp":
        return a.exp()
    if op == "log":
        return a.log()
    if op == "radd":
        return other + a
    if op == "rmul":
        return other * a
    if op == "addc":
        return a + other
    return a * other  # mulc


def run(graph: Graph, leaf: Callable) -> list:
    """Every node of ``graph`` built from ``leaf(number)`` for each input, root last."""
    nodes = [leaf(x) for x in graph.leaves]
    for op, i, j in graph.steps:
        other = nodes[j] if op in ("add", "mul") else j
        nodes.append(step(op, nodes[i], other))
    return nodes


def tape(graph: Graph) -> tuple[list[float], list[float]]:
    """(every node's value, every leaf's gradient) as this package's tape computes them."""
    nodes = run(graph, lambda x: Tensor(np.array(x, dtype=np.float64), requires_grad=True))
    nodes[-1].backward(np.array(graph.g))
    leaves = nodes[: len(graph.leaves)]
    grads = [0.0 if t.grad is None else float(t.grad) for t in leaves]
    return [float(t.data) for t in nodes], grads


def one_op(op: str, rng: np.random.Generator) -> Graph:
    """A graph of one ``op`` on fresh leaves, with a random upstream gradient."""
    a, b = (float(v) for v in rng.uniform(0.5, 2.0, size=2))
    c = float(rng.choice([-1.5, 2.5, 3.0]))
    steps = ((op, 0, 1),) if op in ("add", "mul") else ((op, 0, c),)
    leaves = (a, b) if op in ("add", "mul") else (a,)
    return Graph(SPELLING[op], leaves, steps, reuse=False, g=_upstream(rng), op=op)


def used_twice(op: str, rng: np.random.Generator) -> Graph:
    """``a + a`` or ``a * a``: one node used as both operands."""
    a = float(rng.uniform(0.5, 2.0))
    return Graph(f"a {'+' if op == 'add' else '*'} a", (a,), ((op, 0, 0),), True, _upstream(rng))


def two_branches(rng: np.random.Generator) -> Graph:
    """``a * b + a.exp()``: a reaches the root along two paths."""
    a, b = (float(v) for v in rng.uniform(0.5, 2.0, size=2))
    steps = (("mul", 0, 1), ("exp", 0, 0.0), ("add", 2, 3))
    return Graph("a * b + a.exp()", (a, b), steps, True, _upstream(rng))


def deep_chain(depth: int, g: float = 1.0) -> Graph:
    """A chain of ``depth`` steps: times 0.999, plus 0.001, in turn (values stay near 1)."""
    steps = tuple(
        ("mulc" if k % 2 == 0 else "addc", k, 0.999 if k % 2 == 0 else 0.001) for k in range(depth)
    )
    return Graph(f"a chain {depth} steps deep", (1.5,), steps, reuse=False, g=g)


def random_graph(rng: np.random.Generator, size: int, reuse: bool, g: float = 1.0) -> Graph:
    """``size`` random steps on 3 leaves; with ``reuse`` a node may feed several steps,
    without it every node feeds one step only (a tree). The unused nodes are added up at
    the end, so that the root depends on every leaf."""
    leaves = tuple(float(v) for v in rng.uniform(0.5, 2.0, size=3))
    values = list(leaves)
    free = list(range(len(leaves)))  # nodes not used yet
    steps: list[tuple] = []
    while len(steps) < size:
        pool = list(range(len(values))) if reuse else free
        made = _random_step(rng, values, pool, distinct=not reuse)
        if made is None:
            continue
        step_, value, used = made
        steps.append(step_)
        values.append(value)
        for k in used:
            if k in free:
                free.remove(k)
        free.append(len(values) - 1)
    while len(free) > 1:  # gather what is left into one root
        i, j = free.pop(0), free.pop(0)
        steps.append(("add", i, j))
        values.append(values[i] + values[j])
        free.append(len(values) - 1)
    kind = "with values used more than once" if reuse else "each value used once"
    return Graph(f"a random graph of {len(steps)} ops, {kind}", leaves, tuple(steps), reuse, g)


def _random_step(
    rng: np.random.Generator, values: list, pool: list, distinct: bool
) -> tuple[tuple, float, tuple] | None:
    """A random step on nodes of ``pool``: (the step, its value, the nodes it used), or None
    if the draw left the domain (or, with ``distinct``, used one node twice)."""
    op = str(rng.choice(list(SPELLING)))
    i = int(rng.choice(pool))
    if op in ("add", "mul"):
        j = int(rng.choice(pool))
        if distinct and (i == j or len(pool) < 2):
            return None
        value = _value(op, values[i], values[j])
        return None if value is None else ((op, i, j), value, (i, j))
    c = float(rng.choice([0.5, 2.0, -1.0]))
    value = _value(op, values[i], c)
    return None if value is None else ((op, i, c), value, (i,))


def _value(op: str, a: float, other: float) -> float | None:
    """The op's result, or None where it leaves the domain kept here."""
    if op == "log" and a <= 0.05:
        return None
    if op == "exp" and a > 5:
        return None
    result = {
        "add": a + other,
        "mul": a * other,
        "exp": float(np.exp(min(a, 5.0))),
        "log": float(np.log(max(a, 0.05))),
        "radd": other + a,
        "rmul": other * a,
        "addc": a + other,
        "mulc": a * other,
    }[op]
    return result if abs(result) < 1e3 else None


def _upstream(rng: np.random.Generator) -> float:
    """A random upstream gradient away from 0 and 1, so that forgetting it shows."""
    return float(rng.choice([-1.0, 1.0]) * rng.uniform(1.5, 2.5))


def topological(root) -> list:
    """Every node reaching ``root`` through ``parents``, each after all of its parents
    (iterative: a depth-first search with an explicit stack)."""
    order, seen = [], set()
    stack = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        stack.extend((p, False) for p in getattr(node, "parents", ()) if id(p) not in seen)
    return order


def close(given: float, expected: float) -> bool:
    """Equal to float64 rounding, relative to the size of the expected value."""
    return bool(abs(given - expected) <= 1e-9 * max(1.0, abs(expected)))
