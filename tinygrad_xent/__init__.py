"""tinygrad_xent: a from-scratch reverse-mode autograd on numpy, for seeing backprop work.

import tinygrad_xent as tx
import tinygrad_xent.functional as F
"""

from . import exercises
from .autograd import AnomalyError, Node, Tape, detect_anomaly, is_grad_enabled, no_grad, tape
from .checkpoint import load, save
from .draw import draw
from .explain import explain
from .gradcheck import GradcheckError, gradcheck
from .jacobian import jacobian
from .nn import manual_seed
from .tensor import (
    Tensor,
    abs,
    argmax,
    clip,
    concatenate,
    flatten,
    maximum,
    minimum,
    sqrt,
    squeeze,
    stack,
    unsqueeze,
    where,
)

__version__ = "0.1.0"

__all__ = [
    "AnomalyError",
    "GradcheckError",
    "Node",
    "Tape",
    "Tensor",
    "concatenate",
    "detect_anomaly",
    "gradcheck",
    "is_grad_enabled",
    "maximum",
    "no_grad",
    "stack",
    "tape",
    "where",
    "minimum",
    "abs",
    "sqrt",
    "clip",
    "argmax",
    "squeeze",
    "unsqueeze",
    "flatten",
    "manual_seed",
    "jacobian",
    "exercises",
    "load",
    "save",
    "draw",
    "explain",
]
