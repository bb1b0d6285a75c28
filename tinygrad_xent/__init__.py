"""tinygrad_xent: a from-scratch reverse-mode autograd on numpy, for seeing backprop work.

import tinygrad_xent as tx
import tinygrad_xent.functional as F
"""

import types

# _startup first, for its hook: a Ctrl-C while the imports below run is one line.
from . import (
    _startup,  # noqa: F401
    exercises,
    factories,
)
from . import tensor as _tensor_module
from .autograd import (
    AnomalyError,
    Node,
    Op,
    Tape,
    detect_anomaly,
    is_grad_enabled,
    no_grad,
    tape,
)
from .checkpoint import load, save
from .draw import draw
from .explain import explain
from .factories import (
    arange,
    full,
    full_like,
    manual_seed,
    ones,
    ones_like,
    rand,
    rand_like,
    randn,
    randn_like,
    zeros,
    zeros_like,
)
from .function import Context, Function
from .gradcheck import GradcheckError, gradcheck
from .jacobian import jacobian

# Every primitive op is tx.NAME (tx.tensor.PRIMITIVES lists them; a test keeps the two equal),
# and so are the ops composed from them here: min, argmax, squeeze, unsqueeze, flatten, and
# PyTorch's argmin, cat, norm, swapaxes, var.
from .tensor import (
    PRIMITIVES,
    Tensor,
    ValuesIndices,
    abs,
    add,
    argmax,
    argmin,
    cat,
    clip,
    concatenate,
    div,
    exp,
    flatten,
    getitem,
    log,
    matmul,
    max,
    maximum,
    min,
    minimum,
    mul,
    neg,
    norm,
    pow,
    relu,
    reshape,
    sigmoid,
    sqrt,
    squeeze,
    stack,
    sub,
    sum,
    swapaxes,
    tanh,
    transpose,
    unsqueeze,
    var,
    where,
)

__version__ = "0.1.0"


class _TensorModule(types.ModuleType):
    """``tx.tensor`` is the module tensor.py (the Tensor, its ops, ``PRIMITIVES``) and, called,
    PyTorch's ``torch.tensor``: ``tx.tensor([1.0, 2.0])`` is :func:`factories.tensor`."""

    def __call__(self, data, dtype=None, requires_grad: bool = False) -> Tensor:
        return factories.tensor(data, dtype, requires_grad)


# A module's class may be replaced by a subclass of ModuleType (Python's documented way to
# give a module behaviour); the module itself, its names and its docs stay as they are.
_tensor_module.__class__ = _TensorModule

__all__ = [
    "AnomalyError",
    "Context",
    "Function",
    "GradcheckError",
    "Node",
    "Op",
    "PRIMITIVES",
    "Tape",
    "Tensor",
    "ValuesIndices",
    "detect_anomaly",
    "draw",
    "exercises",
    "explain",
    "gradcheck",
    "is_grad_enabled",
    "jacobian",
    "load",
    "manual_seed",
    "no_grad",
    "save",
    "tape",
    # the primitive ops
    "abs",
    "add",
    "clip",
    "concatenate",
    "div",
    "exp",
    "getitem",
    "log",
    "matmul",
    "max",
    "maximum",
    "minimum",
    "mul",
    "neg",
    "pow",
    "relu",
    "reshape",
    "sigmoid",
    "sqrt",
    "stack",
    "sub",
    "sum",
    "tanh",
    "transpose",
    "where",
    # composed from them
    "argmax",
    "flatten",
    "min",
    "squeeze",
    "unsqueeze",
    # PyTorch's names, composed from the ops
    "argmin",
    "cat",
    "norm",
    "swapaxes",
    "var",
    # making tensors (factories.py)
    "arange",
    "full",
    "full_like",
    "ones",
    "ones_like",
    "rand",
    "rand_like",
    "randn",
    "randn_like",
    "zeros",
    "zeros_like",
]
