"""tinygrad_xent: a from-scratch reverse-mode autograd on numpy, for seeing backprop work.

import tinygrad_xent as tx
import tinygrad_xent.functional as F
"""

# _startup first, for its hook: a Ctrl-C while the imports below run is one line.
from . import (
    _startup,  # noqa: F401
    exercises,
)
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
from .function import Context, Function
from .gradcheck import GradcheckError, gradcheck
from .jacobian import jacobian
from .nn import manual_seed

# Every primitive op is tx.NAME (tx.tensor.PRIMITIVES lists them; a test keeps the two equal),
# and so are the ops composed from them here: min, argmax, squeeze, unsqueeze, flatten.
from .tensor import (
    PRIMITIVES,
    Tensor,
    abs,
    add,
    argmax,
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
    pow,
    relu,
    reshape,
    sigmoid,
    sqrt,
    squeeze,
    stack,
    sub,
    sum,
    tanh,
    transpose,
    unsqueeze,
    where,
)

__version__ = "0.1.0"

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
]
