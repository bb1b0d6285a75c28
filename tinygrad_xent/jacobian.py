"""The full Jacobian of a function, built by reverse mode one row at a time.

Backward never forms a Jacobian: it computes the vector-Jacobian product J^T g for the one
upstream gradient g it is given. Feeding it g = e_k, the k-th unit vector of the output,
returns J^T e_k, which is row k of J. One backward per output element gives every row: the
price of seeing the whole matrix, and the reason the tape computes J^T g instead.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .autograd import tape
from .tensor import Tensor


def jacobian(f: Callable[[Tensor], Tensor], x) -> np.ndarray:
    """J[i..., j...] = d f(x)[i...] / d x[j...], by one backward per output element.

    Row k of J is what backward hands to x when the upstream gradient is the k-th unit vector
    e_k of the output: J^T e_k. So the Jacobian of an f with M output elements costs M
    backward passes over one recorded graph (kept with ``retain_graph=True`` until the last).

    Any other leaf f reaches (a weight it closes over) keeps the ``.grad`` it had before the
    call.

    Parameters
    ----------
    f : callable
        A function of one Tensor returning a Tensor (of any shape, 0-d included), built from
        the package's ops so that the tape records it.
    x : Tensor, array or number
        A floating-point Tensor or numpy array, or Python numbers (float64): the point where
        J is taken. f receives a fresh leaf holding a copy of x, so ``x`` and its ``.grad``
        are left as they are.

    Returns
    -------
    np.ndarray
        Of shape ``f(x).shape + x.shape`` in x's dtype (float32 stays float32). For softmax
        at [1.2, 2.3, 0.8] it is diag(p) - p p^T; an output that does not depend on x gives
        zeros.

    Raises
    ------
    TypeError
        If x is not floating point or f does not return a Tensor.
    """
    if isinstance(x, (Tensor, np.ndarray, np.generic)):
        data = np.asarray(x.data if isinstance(x, Tensor) else x)
    else:  # Python numbers and lists become float64, as in Tensor(...)
        data = np.asarray(x, dtype=np.float64)
    if data.dtype.kind != "f":
        raise TypeError(
            f"jacobian: x must be floating point, got dtype {data.dtype}; e.g. x.astype(np.float64)"
        )
    leaf = Tensor(np.array(data), requires_grad=True)  # a copy: x itself is never touched
    out = f(leaf)
    if not isinstance(out, Tensor):
        raise TypeError(f"jacobian: f must return a Tensor, got {type(out).__name__}")
    jac = np.zeros(out.shape + leaf.shape, dtype=leaf.dtype)
    if not out.requires_grad or out.size == 0:  # f(x) does not depend on x, or is empty
        return jac
    others = _other_leaves(out, leaf)
    kept = {id(t): t.grad for t in others}
    rows = jac.reshape(out.size, leaf.size)
    try:
        for k in range(out.size):
            unit = np.zeros(out.size, dtype=out.dtype)
            unit[k] = 1.0  # e_k: the upstream gradient that picks output element k
            leaf.zero_grad()
            out.backward(unit.reshape(out.shape), retain_graph=k < out.size - 1)
            if leaf.grad is not None:  # None when output k does not depend on x
                rows[k] = leaf.grad.reshape(-1)
    finally:
        for t in others:
            t.grad = kept[id(t)]
    return jac


def _other_leaves(out: Tensor, leaf: Tensor) -> list[Tensor]:
    """The leaves other than ``leaf`` that out's graph reaches: their .grad is to be kept."""
    found = {}
    for node in tape(out):
        for parent in node.parents:
            if isinstance(parent, Tensor) and parent is not leaf:
                found[id(parent)] = parent
    return list(found.values())
