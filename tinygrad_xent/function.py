"""``tx.Function``: an op of your own, recorded, walked, explained and drawn like a built-in one.

Write the forward pass and its backward rule in numpy, as two static methods of a subclass, the
way PyTorch spells it (``torch.autograd.Function``)::

    class Cube(tx.Function):
        '''y = x ** 3;  dx = g * 3 x ** 2'''

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x**2

    y = Cube.apply(t)

``forward`` receives numpy arrays (a Tensor's data, or an array or number you passed) and
returns one array; ``backward`` receives the gradient arriving at that output and returns one
gradient (or None) per input. The class's docstring's first line is the math ``tx.explain``
prints as the op's rule; the names of ``forward``'s arguments are the names of its inputs.

The built-in ops go through the same door: each is an :class:`~.autograd.Op` (name, rule, math
line, input names) that ``tensor._record`` puts on the tape. A Function subclass is given its
own ``Op``, so the walk, ``tx.tape``, ``tx.explain``, ``tx.draw``, ``tx.gradcheck`` and
``detect_anomaly`` treat it exactly as they treat ``exp``; the walk also sums a gradient of the
broadcast shape back to its input's shape, as it does for every op.
"""

from __future__ import annotations

import inspect

import numpy as np

from .autograd import Op
from .tensor import Tensor, _from_python, _record


class Context:
    """What ``forward`` leaves for ``backward``: ``ctx`` in both.

    Attributes
    ----------
    saved_tensors : tuple of numpy arrays
        What ``save_for_backward`` kept (arrays, since forward and backward work in numpy).
    needs_input_grad : tuple of bool
        For each input of ``apply``, whether it wants a gradient: a rule may skip the others
        (return None for them).

    Any other attribute may be set in forward and read in backward (``ctx.axis = axis``).
    """

    def __init__(self, function: type[Function], inputs: list[np.ndarray], needs: tuple):
        self.needs_input_grad = needs
        self.saved_tensors: tuple = ()
        self._function = function  # whose backward the walk will call
        self._input_dtypes = [x.dtype for x in inputs]  # what each gradient is brought back to

    def save_for_backward(self, *arrays) -> None:
        """Keep ``arrays`` (what backward will read) until the backward walk has used them."""
        self.saved_tensors = arrays


class Function:
    """The base of an op of your own: subclass it, write ``forward`` and ``backward``.

    ``forward(ctx, *inputs)``, a static method, gets numpy arrays and returns the output as
    one numpy array (a number is made an array). ``backward(ctx, grad_output)``, a static
    method, gets the gradient of the output (an array of its shape) and returns one gradient
    per input: a tuple, or a single array when there is one input; None for an input that
    needs none. Call the op as ``MyOp.apply(x, ...)``: Tensors, arrays and numbers may be
    passed; only Tensors with ``requires_grad=True`` get gradients.

    The first line of the class's docstring is the op's math, shown by ``tx.explain`` as its
    rule; write it as the built-ins do, ``y = ...;  dx = ...``.
    """

    _op: Op

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for method in ("forward", "backward"):
            if not isinstance(inspect.getattr_static(cls, method, None), staticmethod):
                raise TypeError(
                    f"Function {cls.__name__}: {method} must be a @staticmethod taking "
                    f"ctx first, as in PyTorch"
                )
        cls._op = Op(
            cls.apply,
            _function_backward,
            _input_names(cls.forward),
            name=cls.__name__,
            math=cls.__doc__ or f"y = {cls.__name__}(...)  (no docstring: no math to show)",
        )

    @staticmethod
    def forward(ctx: Context, *inputs: np.ndarray) -> np.ndarray:
        """The op's output, from numpy arrays; save what backward needs on ``ctx``."""
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Context, grad_output: np.ndarray):
        """One gradient (or None) per input, from the gradient arriving at the output."""
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs) -> Tensor:
        """Run the op on ``inputs`` (Tensors, arrays or numbers) and record it on the tape."""
        if cls is Function:
            raise TypeError("Function.apply: subclass tx.Function and call MyOp.apply(...)")
        arrays = [
            x.data if isinstance(x, Tensor) else _from_python(f"{cls.__name__}.apply", x)
            for x in inputs
        ]
        needs = tuple(isinstance(x, Tensor) and x.requires_grad for x in inputs)
        ctx = Context(cls, arrays, needs)
        out = cls.forward(ctx, *arrays)
        if not isinstance(out, (np.ndarray, np.generic, int, float)):
            raise TypeError(
                f"{cls.__name__}.forward must return a numpy array, got {type(out).__name__}"
            )
        return _record(cls._op, np.asarray(out), inputs, (ctx,))


def _input_names(forward) -> tuple[str, ...] | None:
    """The names of forward's inputs (its arguments after ctx); None for ``*inputs``."""
    parameters = list(inspect.signature(forward).parameters.values())[1:]
    if any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in parameters):
        return None
    return tuple(p.name for p in parameters)


def _function_backward(g: np.ndarray, ctx: Context) -> tuple:
    """The rule of every Function: the subclass's backward, its answer checked."""
    name = ctx._function.__name__
    grads = ctx._function.backward(ctx, g)
    if not isinstance(grads, tuple):
        grads = (grads,)
    if len(grads) != len(ctx.needs_input_grad):
        raise RuntimeError(
            f"{name}.backward returned {len(grads)} gradients for "
            f"{len(ctx.needs_input_grad)} inputs; return one per input (None for an input "
            f"that needs none)"
        )
    checked: list[np.ndarray | None] = []
    for i, (grad, need, dtype) in enumerate(zip(grads, ctx.needs_input_grad, ctx._input_dtypes)):
        if grad is None or not need:
            if grad is None and need:
                raise RuntimeError(
                    f"{name}.backward returned None for input {i}, which needs a gradient"
                )
            checked.append(None)
            continue
        if not isinstance(grad, (np.ndarray, np.generic, int, float)):
            raise TypeError(
                f"{name}.backward: the gradient of input {i} must be a numpy array, "
                f"got {type(grad).__name__}"
            )
        # float32 stays float32: a rule that computed in float64 is brought back.
        checked.append(np.asarray(grad).astype(dtype, copy=False))
    return tuple(checked)
