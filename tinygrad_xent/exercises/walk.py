"""Exercise 2: the backward walk, which calls every node's _backward in an order that works."""

from __future__ import annotations

from collections import deque

from . import scalar_graphs as graphs
from .grading import Exercise, Found, Result, failed
from .value import Value

TASK = """\
The walk: given the root of a graph of Values (exercise 1), fill in every node's grad with
dL/d(node), where L is the root itself.

Each node offers
    data, grad     its number, and its gradient (0.0 before the walk)
    parents        the nodes it was computed from (an input has none)
    _backward()    adds the node's grad, times the local derivatives, into its parents' grad

Write backward(root). It returns nothing; afterwards each input's grad is dL/d(input).

The questions:
    what is dL/dL, and where must it be before any _backward runs?
    a node's _backward passes on its grad as it is at that moment: which nodes must have run
    their _backward before it, so that its grad is complete? in what order does that put
    the nodes, and how do you list them starting from the root?
    a value can be reached from the root along several paths: how many times may its
    _backward run?
    graphs here include chains 2,000 nodes deep: will your way of listing the nodes survive
    one? (Python stops a recursion at about 1,000 calls.)

Try it on your Value from exercise 1 (from value import Value) or on the grader's: the
check builds its graphs with a reference Value and compares each input's grad with this
package's tape."""


TEMPLATE = """

def backward(root):
    raise NotImplementedError("backward: not written yet")
"""


def backward(root) -> None:
    """Fill in dL/d(node) for every node of root's graph, L = root.

    A node's ``_backward`` passes on its grad as it is when called, so it must run after
    every node that uses it has run its own: the reverse of a topological order (each node
    listed after its parents). The order is built by a depth-first search from the root
    with an explicit stack, not by recursion, which stops at about 1,000 nested calls; the
    ``seen`` set lists a node reached along several paths once, so its _backward runs once,
    with the sum of every path's share. dL/dL = 1 is the seed.

    Parameters
    ----------
    root : Value
        The output whose gradient is wanted; its graph is found through ``parents``.
    """
    order, seen = [], set()
    stack = [(root, False)]
    while stack:
        node, parents_listed = stack.pop()
        if parents_listed:
            order.append(node)  # every parent is in the list already
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))  # come back to it once its parents are listed
        stack.extend((parent, False) for parent in node.parents)
    root.grad = 1.0  # dL/dL
    for node in reversed(order):  # each node after every node that uses it
        node._backward()


SEED_HINT = (
    "every gradient is 0: nothing was passed down from the root. What is dL/dL, and is it "
    "in root.grad before the first _backward runs?"
)
FORWARD_HINT = (
    "the _backward calls ran from the inputs towards the root: a node passed on its grad "
    "before the nodes that use it had added their shares; run them in the reverse order"
)
REVISIT_HINT = (
    "a node reached along several paths ran its _backward once per path, so its share was "
    "passed on several times: list each node once (keep a set of the nodes seen)"
)
BREADTH_HINT = (
    "the order was breadth-first from the root, which is not enough: a node's _backward "
    "ran before every node that uses it had run; the order must be topological"
)
RECURSION_HINT = (
    "a recursive search for the order reached Python's recursion limit (about 1,000 nested "
    "calls) on a chain 2,000 deep: list the nodes with an explicit stack (a list you push "
    "and pop) instead"
)


def _cases() -> list:
    import numpy as np

    rng = np.random.default_rng(102)
    cases = [graphs.one_op("mul", rng), graphs.one_op("log", rng)]
    cases += [graphs.used_twice("mul", rng), graphs.two_branches(rng)]
    cases += [graphs.random_graph(rng, 8, reuse=False) for _ in range(2)]
    cases += [graphs.random_graph(rng, 10, reuse=True) for _ in range(3)]
    cases.append(graphs.deep_chain(2000))
    return [graphs.Graph(c.note, c.leaves, c.steps, c.reuse) for c in cases]  # g = 1


def _forward_order(root) -> None:
    root.grad = 1.0
    for node in graphs.topological(root):
        node._backward()


def _revisiting(root) -> None:
    order = []

    def visit(node):
        for parent in node.parents:
            visit(parent)
        order.append(node)

    visit(root)
    root.grad = 1.0
    for node in reversed(order):
        node._backward()


def _breadth_first(root) -> None:
    root.grad = 1.0
    queue, seen = deque([root]), {id(root)}
    while queue:
        node = queue.popleft()
        node._backward()
        for parent in node.parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                queue.append(parent)


WRONG_WALKS = (
    (_forward_order, FORWARD_HINT),
    (_revisiting, REVISIT_HINT),
    (_breadth_first, BREADTH_HINT),
)


def _grads(graph: graphs.Graph, walk) -> list[float]:
    """Each input's grad after ``walk`` on the graph built with the reference Value, and the
    root's grad last."""
    nodes = graphs.run(graph, Value)
    walk(nodes[-1])
    return [float(n.grad) for n in nodes[: len(graph.leaves)]] + [float(nodes[-1].grad)]


class _NotStarted(Exception):
    """The learner's backward still raises NotImplementedError."""


def _grade_walk(exercise: Exercise, fn: object) -> Result:
    """Run the learner's walk on every case, compare with the tape, name the wrong walk."""
    name = exercise.name
    if not callable(fn):
        return Result(name, "failing", f"{name}: expected a function, got {type(fn).__name__}")
    cases = _cases()
    found = []
    for number, graph in enumerate(cases, start=1):
        try:
            item = _grade_graph(fn, graph, f"case {number} of {len(cases)} ({graph.note})")
        except _NotStarted:
            return Result(
                name,
                "not started",
                f"{name}: not started (backward still raises NotImplementedError)",
            )
        if item is not None:
            found.append(item)
    if not found:
        return Result(
            name, "passed", f"{name}: passed all {len(cases)} graphs against the tape's backward()"
        )
    return failed(name, found)


def _grade_graph(fn, graph: graphs.Graph, where: str) -> Found | None:
    """What is wrong with the learner's walk on ``graph``, or None."""
    _, expected = graphs.tape(graph)
    try:
        *given, root_grad = _grads(graph, fn)
    except NotImplementedError:
        raise _NotStarted() from None
    except RecursionError:
        return Found("recursion", f"{where}: RecursionError", (RECURSION_HINT,))
    except Exception as err:  # the learner's bug: a message, not a traceback
        return Found("the call", f"{where}: backward raised {type(err).__name__}: {err}")
    wrong = [k for k, (x, e) in enumerate(zip(given, expected)) if not graphs.close(x, e)]
    if not wrong:
        return None
    k = wrong[0]
    text = (
        f"{where}: input {k}'s grad is {given[k]:.8g}, expected {expected[k]:.8g} (from the tape)"
    )
    return Found("grad", text, _walk_hint(graph, given, root_grad))


def _walk_hint(graph: graphs.Graph, given: list, root_grad: float) -> tuple:
    """The hint of the known wrong walk that gives ``given`` on ``graph``, if any."""
    if all(x == 0.0 for x in given) and root_grad == 0.0:
        return (SEED_HINT,)
    for walk, hint in WRONG_WALKS:
        if graph.depth > 100:
            break  # the recursive wrong walk would not finish; the small graphs tell
        *wrong, _ = _grads(graph, walk)
        if all(graphs.close(x, w) for x, w in zip(given, wrong)):
            return (hint,)
    return ()


EXERCISE = Exercise(
    name="walk",
    title="write the backward walk over a graph of Values",
    task=TASK,
    solution=backward,
    grader=_grade_walk,
    entry="backward",
    template=TEMPLATE,
)
