"""The Tensor and its primitive ops, each forward beside its backward.

Every op follows one pattern: compute the output with numpy, write its backward rule right
below it as a function of the gradient ``g`` and of what it needs from the forward pass (its
``saved`` values: for ``exp`` its own output), and declare the two once as an
:class:`~.autograd.Op` (``EXP = Op(exp, _exp_backward, ("x",))``). The forward hands its
output, its inputs and ``saved`` to :func:`_record`, which makes the output Tensor and, when
gradients are on, a tape node that keeps ``saved`` until backward. The first line of each
op's docstring is its math, which ``tx.explain`` prints as the rule: ``y`` is the output,
``g`` the gradient arriving from above (``grad_out``), ``dx`` the gradient handed to input
``x``. ``PRIMITIVES``, at the end, lists every declaration: the one list of primitive ops.

A rule may return a gradient in the broadcast shape of the op's output (``da = g * b``): the
backward walk sums it back to its input's shape with :func:`~.autograd.unbroadcast`.
"""

from __future__ import annotations

import builtins
import contextlib
import math
import numbers
from collections.abc import Callable, Iterator, Sequence
from typing import Literal, NamedTuple, TypeAlias, overload

import numpy as np

from . import autograd
from .autograd import Node, Op, Scatter, unbroadcast


class Tensor:
    """An n-dimensional array that remembers how it was computed.

    Parameters
    ----------
    data : array-like or Tensor
        Python numbers and lists become float64; a numpy array keeps its dtype (float32
        stays float32, integers stay integers) and shares its memory, like
        ``torch.from_numpy``.
    requires_grad : bool
        If True the tensor is a leaf whose ``.grad`` receives gradients. Only floating-point
        tensors can require grad.
    dtype : numpy dtype, optional
        The dtype to convert ``data`` to.
    name : str, optional
        Shown by ``tx.explain`` and ``tx.draw``: nn layers name their parameters by their
        path in the model (``0.weight``), and the losses name the constants they make
        (the row max of log-sum-exp).

    Attributes
    ----------
    data : np.ndarray
        The values.
    grad : np.ndarray or None
        Of ``data``'s shape and dtype, or None until a backward reaches this leaf. Filled
        for leaves only; ``tx.explain`` shows the gradients of everything in between.
    requires_grad : bool
        Whether gradients flow to (a leaf) or through (an op's output) this tensor.
    node : Node or None
        The tape node of the op that made this tensor, or None for a leaf.
    name : str or None
        The name given, if any.
    """

    __slots__ = ("data", "grad", "requires_grad", "node", "name", "__weakref__")

    def __init__(self, data, requires_grad: bool = False, dtype=None, name: str | None = None):
        if isinstance(data, Tensor):
            data = data.data
        if isinstance(data, (np.ndarray, np.generic)):
            data = np.asarray(data, dtype=dtype)
        else:
            data = _from_python("Tensor: data", data)
            data = data.astype(np.float64 if dtype is None else dtype, copy=False)
        if data.dtype.kind not in "fiub":
            raise TypeError(f"Tensor: data must be numeric, got dtype {data.dtype}")
        if requires_grad and data.dtype.kind != "f":
            raise TypeError(
                f"Tensor: requires_grad=True needs floating-point data, got "
                f"{data.dtype}; integer and boolean tensors serve as labels and "
                f"indices without gradients"
            )
        self.data: np.ndarray = data
        self.grad: np.ndarray | None = None
        self.requires_grad: bool = bool(requires_grad)
        self.node: Node | None = None
        self.name: str | None = name

    @classmethod
    def _from_op(cls, data: np.ndarray, node: Node | None) -> Tensor:
        """Wrap an op's output without __init__'s checks (the hot path of every op)."""
        out = cls.__new__(cls)
        out.data = data
        out.grad = None
        out.requires_grad = node is not None
        out.node = node
        out.name = None
        return out

    # ---- what a tensor is -------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        """The number of elements, numpy's ``size`` (PyTorch's ``numel()``).

        ``x.size(0)``, PyTorch's method, is refused with a message naming ``x.shape[0]``:
        the count is an int that says so when called.
        """
        return _Count(self.data.size)

    def numel(self) -> int:
        """The number of elements (PyTorch's name for numpy's ``size``)."""
        return self.data.size

    def dim(self) -> int:
        """The number of axes (PyTorch's name for numpy's ``ndim``)."""
        return self.data.ndim

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def __repr__(self) -> str:
        if self.size <= 12:
            values = np.array2string(self.data, precision=4, separator=", ")
            head = f"Tensor({values}, "
        else:
            head = f"Tensor(shape={self.shape}, "
        parts = [f"dtype={self.dtype}"]
        if self.node is not None:
            parts.append(f"op={self.node.name}")
        elif self.requires_grad:
            parts.append("requires_grad=True")
            parts.append("grad=None" if self.grad is None else "grad=set")
        return head + ", ".join(parts) + ")"

    __hash__ = object.__hash__  # comparisons return arrays, so identity is the hash

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        """``np.asarray(t)`` is t's data (the same memory unless a dtype or a copy is asked)."""
        if copy is False and dtype is not None and np.dtype(dtype) != self.dtype:
            raise ValueError(
                f"__array__: converting {self.dtype} to {np.dtype(dtype)} needs a "
                f"copy, but copy=False was given"
            )
        data = self.data if dtype is None else self.data.astype(dtype, copy=False)
        return data.copy() if copy else data

    def __bool__(self) -> bool:
        """The truth of a one-element tensor, as numpy decides it for arrays."""
        if self.data.size > 1:
            raise ValueError(
                f"Tensor: the truth value of a tensor of shape {self.shape} is "
                f"ambiguous; compare and reduce, e.g. (t > 0).any() or .all()"
            )
        return bool(self.data)  # one element: its truth; none: whatever numpy says

    # numpy hands its functions to these two when an argument is a Tensor: np.exp(t) and
    # np.ones(3) * t become the package's ops (a Tensor on the graph), and a numpy function
    # the package has no op for is refused when it would cut the graph without a word.
    def __array_ufunc__(self, ufunc, method: str, *inputs, **kwargs):
        """``np.exp(t)``, ``arr * t``: :func:`_numpy_ufunc`."""
        return _numpy_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        """``np.sum(t)``, ``np.concatenate([t, t])``: :func:`_numpy_function`."""
        return _numpy_function(func, args, kwargs)

    def __float__(self) -> builtins.float:
        """``float(t)`` of a one-element tensor."""
        return float(self._one("float()"))

    def __int__(self) -> int:
        """``int(t)`` of a one-element tensor (truncated toward 0, as int(2.7) is)."""
        return int(self._one("int()"))

    def __format__(self, spec: str) -> str:
        """``f"{loss:.4f}"``: a format spec applies to a one-element tensor's value; an empty
        spec (``f"{t}"``) gives the repr."""
        if not spec:
            return repr(self)
        return format(self._one(f"format spec {spec!r}"), spec)

    def _one(self, what: str):
        """The value of a one-element tensor; any other shape is refused, naming ``what``."""
        if self.data.size != 1:
            raise TypeError(
                f"Tensor: {what} needs a one-element tensor, got shape {self.shape}; "
                f"index one element first (t[0]) or convert all of them with t.tolist()"
            )
        return self.data.item()

    def tolist(self) -> list | builtins.float | int | bool:
        """The values as (nested) Python lists of numbers; a 0-d tensor gives one number."""
        return self.data.tolist()

    def numpy(self) -> np.ndarray:
        """The data as a numpy array (the same memory, not a copy)."""
        return self.data

    def item(self) -> float:
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(f"item: only a one-element tensor has an item, got shape {self.shape}")
        return self.data.item()

    def detach(self) -> Tensor:
        """The same data, cut from the graph: a constant as far as gradients are concerned."""
        return Tensor._from_op(self.data, None)

    # ---- copying and pickling: a leaf's values, never a graph ----------------------------
    def __reduce__(self):
        """Pickle and ``copy.deepcopy`` a leaf as its data, grad, requires_grad and name.

        A tensor an op made holds its graph (its node, the node's inputs, theirs, ...), which
        is not copied, as in PyTorch: copying one is refused with the way out (``.detach()``),
        where following a graph of 100+ ops would end in RecursionError.
        """
        if self.node is not None:
            raise TypeError(
                f"Tensor: cannot copy or pickle a tensor made by an op ({self.node.name}); "
                f"its graph is not copied. Copy its value instead: t.detach(), or t.data"
            )
        return Tensor._restore, (self.data, self.grad, self.requires_grad, self.name)

    @classmethod
    def _restore(cls, data: np.ndarray, grad, requires_grad: bool, name: str | None) -> Tensor:
        """A leaf rebuilt from what :meth:`__reduce__` kept."""
        out = cls._from_op(data, None)
        out.grad, out.requires_grad, out.name = grad, requires_grad, name
        return out

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` on this leaf, in place, and return it (PyTorch's method).

        Only a leaf can change: the output of an op requires grad because its inputs do.
        """
        if self.node is not None:
            raise RuntimeError(
                f"requires_grad_: only a leaf's flag can be set, and this tensor is the "
                f"output of {self.node.name}; set it on the leaves it was computed from, "
                f"or start a new leaf with t.detach().requires_grad_()"
            )
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(
                f"requires_grad_: only floating-point tensors can require grad, got "
                f"{self.dtype}; make it float first with t.double() or t.float()"
            )
        self.requires_grad = bool(requires_grad)
        return self

    def float(self) -> Tensor:
        """The values as float32 (PyTorch's ``float()``): :meth:`_cast`."""
        return self._cast("float", np.float32)

    def double(self) -> Tensor:
        """The values as float64 (PyTorch's ``double()``): :meth:`_cast`."""
        return self._cast("double", np.float64)

    def _cast(self, method: str, dtype) -> Tensor:
        """This tensor if it has ``dtype`` already, else a constant of that dtype.

        The package has no cast op on the tape, so a tensor that requires grad keeps its
        dtype: converting it would cut the graph without a word.
        """
        if self.dtype == dtype:
            return self
        if self.requires_grad:
            raise TypeError(
                f"{method}: this {self.dtype} tensor requires grad, and the tape has no cast "
                f"op, so its gradient could not flow back; make the leaf {np.dtype(dtype)} "
                f"from the start: tx.tensor(data, dtype=np.{np.dtype(dtype)}, "
                f"requires_grad=True), or nn layers' dtype=np.{np.dtype(dtype)}"
            )
        return Tensor(self.data.astype(dtype))

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (``grad`` becomes None)."""
        self.grad = None

    # ---- backward -------------------------------------------------------------------------
    def backward(self, grad=None, retain_graph: bool = False) -> None:
        """Backpropagate from this tensor: every leaf it depends on gets ``.grad`` added to.

        Parameters
        ----------
        grad : array-like or Tensor, optional
            The gradient of the final scalar w.r.t. this tensor, of this tensor's shape.
            Optional for a one-element tensor, where it defaults to 1.0.
        retain_graph : bool
            Keep the graph (and the values explain shows) so it can be walked again.

        Raises
        ------
        RuntimeError
            If this tensor does not require grad, or if it has more than one element and
            ``grad`` is not given.
        ValueError
            If ``grad``'s shape is not this tensor's.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward: this tensor does not require grad (no input had "
                "requires_grad=True, or it was computed under no_grad())"
            )
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward: output has shape {self.shape}, not a scalar; "
                    f"pass grad= an array of shape {self.shape}, the gradient "
                    f"of the final scalar with respect to this output"
                )
            grad = np.ones(self.data.shape, self.data.dtype)
        else:
            grad = np.asarray(grad.data if isinstance(grad, Tensor) else grad, self.dtype)
            if grad.shape != self.shape:
                raise ValueError(
                    f"backward: grad has shape {grad.shape} but the output has "
                    f"shape {self.shape}; they must match"
                )
        autograd.backward(self, grad, retain_graph)

    # ---- operators: thin wrappers over the ops below --------------------------------------
    def __add__(self, other: Operand) -> Tensor:
        return add(self, other)

    def __radd__(self, other: Operand) -> Tensor:
        return add(other, self)

    def __sub__(self, other: Operand) -> Tensor:
        return sub(self, other)

    def __rsub__(self, other: Operand) -> Tensor:
        return sub(other, self)

    def __mul__(self, other: Operand) -> Tensor:
        return mul(self, other)

    def __rmul__(self, other: Operand) -> Tensor:
        return mul(other, self)

    def __truediv__(self, other: Operand) -> Tensor:
        return div(self, other)

    def __rtruediv__(self, other: Operand) -> Tensor:
        return div(other, self)

    def __neg__(self) -> Tensor:
        return neg(self)

    def __pow__(self, exponent: Operand) -> Tensor:
        return pow(self, exponent)

    def __rpow__(self, base: Operand) -> Tensor:
        return pow(base, self)

    def __matmul__(self, other: Operand) -> Tensor:
        return matmul(self, other)

    def __rmatmul__(self, other: Operand) -> Tensor:
        return matmul(other, self)

    def __getitem__(self, index) -> Tensor:
        return getitem(self, index)

    # Comparisons are not differentiable: they return plain boolean arrays and record nothing.
    def __lt__(self, other):
        return self.data < _value(other)

    def __le__(self, other):
        return self.data <= _value(other)

    def __gt__(self, other):
        return self.data > _value(other)

    def __ge__(self, other):
        return self.data >= _value(other)

    def __eq__(self, other):
        return self.data == _value(other)

    def __ne__(self, other):
        return self.data != _value(other)

    # ---- methods: numpy's names, with PyTorch's dim= accepted wherever axis= is ------------
    def exp(self) -> Tensor:
        """e ** x, elementwise: :func:`tinygrad_xent.tensor.exp`."""
        return exp(self)

    def log(self) -> Tensor:
        """The natural log, elementwise: :func:`tinygrad_xent.tensor.log`."""
        return log(self)

    def sqrt(self) -> Tensor:
        """The square root, elementwise: :func:`tinygrad_xent.tensor.sqrt`."""
        return sqrt(self)

    def abs(self) -> Tensor:
        """|x|, elementwise: :func:`tinygrad_xent.tensor.abs`."""
        return abs(self)

    def clip(self, low=None, high=None) -> Tensor:
        """x clipped to [low, high]: :func:`tinygrad_xent.tensor.clip`."""
        return clip(self, low, high)

    def clamp(self, min=None, max=None) -> Tensor:
        """PyTorch's name for :meth:`clip`: x clipped to [min, max], either may be None."""
        return clip(self, min, max)

    def pow(self, exponent: Operand) -> Tensor:
        """x ** exponent: :func:`tinygrad_xent.tensor.pow`."""
        return pow(self, exponent)

    def sum(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None) -> Tensor:
        """The sum over ``axis`` (or ``dim``), default all: :func:`tinygrad_xent.tensor.sum`."""
        return sum(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def mean(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None) -> Tensor:
        """Mean over ``axis``: the sum divided by the number of elements summed."""
        axes = _axes("mean", _axis_arg("mean", axis, dim), self.shape)
        count = self.data.size if axes is None else math.prod(self.shape[a] for a in axes)
        return sum(self, axes, _keepdims_arg("mean", keepdims, keepdim)) / count

    def var(self, dim=None, **options) -> Tensor:
        """The variance over ``dim`` (default all), PyTorch's correction=1 unless numpy's
        ``axis=`` is used: :func:`tinygrad_xent.tensor.var` lists the options."""
        return var(self, dim, **options)

    def std(self, dim=None, **options) -> Tensor:
        """The standard deviation, the square root of :meth:`var` (the same options)."""
        return sqrt(var(self, dim, **options))

    def norm(self, p=2, dim=None, keepdim: bool = False) -> Tensor:
        """The p-norm over ``dim`` (default all elements): :func:`norm`."""
        return norm(self, p, dim, keepdim)

    # max and min: with dim= PyTorch's (values, indices) pair, with axis= numpy's values.
    # max and min: a dim (positional or dim=) gives PyTorch's (values, indices) pair, as
    # x.max(1) does there; axis= gives numpy's values alone.
    @overload
    def max(
        self, dim: None = None, keepdim=None, *, axis=None, keepdims: bool = False
    ) -> Tensor: ...

    @overload
    def max(
        self, dim: int, keepdim=None, *, axis=None, keepdims: bool = False
    ) -> ValuesIndices: ...

    def max(self, dim=None, keepdim=None, *, axis=None, keepdims: bool = False):
        """The max over ``axis`` (numpy); over ``dim``, (values, indices): :func:`max`."""
        return max(self, dim, keepdim, axis=axis, keepdims=keepdims)

    @overload
    def min(
        self, dim: None = None, keepdim=None, *, axis=None, keepdims: bool = False
    ) -> Tensor: ...

    @overload
    def min(
        self, dim: int, keepdim=None, *, axis=None, keepdims: bool = False
    ) -> ValuesIndices: ...

    def min(self, dim=None, keepdim=None, *, axis=None, keepdims: bool = False):
        """The min over ``axis`` (numpy); over ``dim``, (values, indices): :func:`min`."""
        return min(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def argmax(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None) -> Tensor:
        """Where the max is along ``axis`` (``dim``): :func:`tinygrad_xent.tensor.argmax`."""
        return argmax(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def argmin(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None) -> Tensor:
        """Where the min is along ``axis`` (``dim``): :func:`tinygrad_xent.tensor.argmin`."""
        return argmin(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def reshape(self, *shape) -> Tensor:
        """The values in a new shape (ints or a tuple): :func:`tinygrad_xent.tensor.reshape`."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return reshape(self, shape)

    def view(self, *shape) -> Tensor:
        """PyTorch's name for :meth:`reshape` (here always allowed: no memory layout rules)."""
        return self.reshape(*shape)

    def transpose(self, *axes) -> Tensor:
        """Two ints swap those two axes (PyTorch); a tuple permutes them (numpy).

        ``x.transpose(0, 1)`` swaps axes 0 and 1, as ``torch.transpose`` does, whatever the
        number of axes. ``x.transpose((1, 0, 2))`` (a tuple, or three or more ints) is numpy's
        permutation: axis i of the result is axis ``axes[i]`` of x. No argument reverses the
        axes, as ``x.T`` does. See :func:`tinygrad_xent.tensor.transpose`.
        """
        if len(axes) == 2 and all(_is_int(a) for a in axes):
            return swapaxes(self, axes[0], axes[1])
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return transpose(self, axes or None)

    def permute(self, *dims) -> Tensor:
        """The axes permuted: axis i of the result is axis ``dims[i]`` of x (ints or a tuple)."""
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = tuple(dims[0])
        return transpose(self, dims)

    def t(self) -> Tensor:
        """The transpose of a matrix (PyTorch's ``t()``); 0-d and 1-D tensors as they are."""
        if self.ndim > 2:
            raise ValueError(
                f"t: x has shape {self.shape}, more than 2 axes; say which to swap with "
                f"x.transpose(dim0, dim1), or permute them all with x.permute(...)"
            )
        return transpose(self, None)

    @property
    def T(self) -> Tensor:
        return transpose(self, None)

    def squeeze(self, axis=None, *, dim=None) -> Tensor:
        """Without axes of size 1 (only ``axis``): :func:`tinygrad_xent.tensor.squeeze`."""
        return squeeze(self, axis, dim=dim)

    def unsqueeze(self, axis=None, *, dim=None) -> Tensor:
        """A new axis of size 1 at ``axis``: :func:`tinygrad_xent.tensor.unsqueeze`."""
        return unsqueeze(self, axis, dim=dim)

    def flatten(self, start_axis: int = 0, end_axis: int = -1) -> Tensor:
        """Axes start..end merged into one: :func:`tinygrad_xent.tensor.flatten`."""
        return flatten(self, start_axis, end_axis)

    def relu(self) -> Tensor:
        """max(x, 0): :func:`tinygrad_xent.tensor.relu`, gradient 0 at 0."""
        return relu(self)

    def sigmoid(self) -> Tensor:
        """1 / (1 + exp(-x)): :func:`tinygrad_xent.tensor.sigmoid`."""
        return sigmoid(self)

    def tanh(self) -> Tensor:
        """The hyperbolic tangent: :func:`tinygrad_xent.tensor.tanh`."""
        return tanh(self)

    # softmax and log_softmax are composed from the ops above in functional.py, a layer up,
    # which this module does not import (imports point one way, down): the methods say where.
    def softmax(self, axis=None, *, dim=None) -> Tensor:
        """Not a method here: raises, naming :func:`tinygrad_xent.functional.softmax`."""
        raise _in_functional("softmax")

    def log_softmax(self, axis=None, *, dim=None) -> Tensor:
        """Not a method here: raises, naming :func:`tinygrad_xent.functional.log_softmax`."""
        raise _in_functional("log_softmax")


def _in_functional(name: str) -> AttributeError:
    return AttributeError(
        f"Tensor.{name}: {name} is composed from ops in tinygrad_xent.functional, so that "
        f"its backward can be watched step by step; call F.{name}(x, dim=...) after "
        f"import tinygrad_xent.functional as F"
    )


# What an op accepts as an operand: a Tensor, a numpy array or scalar, or a Python number or
# (nested) list of numbers.
Operand: TypeAlias = Tensor | np.ndarray | np.number | float | int | Sequence


# For the type checker: an array-like operand gives an array, a number may stay a number.
@overload
def _value(x: Tensor | np.ndarray | Sequence) -> np.ndarray: ...


@overload
def _value(x: Operand) -> np.ndarray | np.number | float: ...


def _value(x: Operand) -> np.ndarray | np.number | float:
    """The numpy value of an operand: a Tensor's data, an array, or a Python number as is.

    Python numbers stay Python numbers so that numpy treats them as weak: float32 * 2.0 is
    still float32.
    """
    if isinstance(x, Tensor):
        return x.data
    if isinstance(x, (int, float, np.ndarray, np.generic)):
        return x
    return _from_python("Tensor: an operand", x).astype(np.float64, copy=False)


def _from_python(what: str, x) -> np.ndarray:
    """A number or a rectangular nested list of numbers as an array; anything else refused.

    numpy would turn None into nan and "1.5" into 1.5 without a word, and a ragged list into
    an error that does not say where it came from.
    """
    expected = "must be a number or a rectangular (nested) list of numbers"
    try:
        data = np.asarray(x)
    except ValueError:  # numpy >= 1.24 refuses a ragged nested list
        raise ValueError(
            f"{what} {expected}, got a nested {type(x).__name__} whose rows differ in length"
        ) from None
    if data.dtype == object and all(isinstance(v, numbers.Real) for v in data.flat):
        data = data.astype(np.float64)  # ints beyond int64, e.g. 2**70, are still numbers
    if data.dtype.kind not in "fiub":
        shown = repr(x) if len(repr(x)) <= 40 else repr(x)[:37] + "..."
        raise TypeError(f"{what} {expected}, got {shown} of type {type(x).__name__}")
    return data


def _values(a, b) -> tuple:
    """The numpy values of two operands; a Python number meeting a float array becomes a 0-d
    array of that array's dtype.

    That is what numpy does with the number anyway (NEP 50: float32 * 2.0 is float32, the 2.0
    taken as a float32), but numpy pays for the conversion on every use of the number: once
    in the forward and again in the backward (``g * 2.0``). Converted once here, both are
    products of two arrays, about twice as fast. It also keeps numpy 1.x in line with numpy
    2, where a 0-d float32 times 2.0 would otherwise become float64.
    """
    # (a Tensor's data read here, not through _value: this runs for every binary op)
    av = a.data if isinstance(a, Tensor) else _value(a)
    if isinstance(b, Tensor):
        bv = b.data
        if type(av) in _NUMBERS and bv.dtype.kind == "f":  # 1 - p
            av = np.asarray(av, bv.dtype)
        return av, bv
    # type(), not isinstance: np.float64 subclasses float but is not weak in numpy 2 either.
    if type(b) in _NUMBERS and type(av) is np.ndarray and av.dtype.kind == "f":  # x * 2
        return av, np.asarray(b, av.dtype)
    bv = _value(b)
    if type(av) in _NUMBERS and type(bv) is np.ndarray and bv.dtype.kind == "f":
        av = np.asarray(av, bv.dtype)
    return av, bv


_NUMBERS = (float, int)


def _shape(x) -> tuple:
    """The shape of an operand (a Python number has shape ())."""
    if isinstance(x, Tensor):
        return x.data.shape
    return () if isinstance(x, (int, float)) else np.shape(x)


def _needs_grad(x) -> bool:
    return isinstance(x, Tensor) and x.requires_grad


def _record(op: Op, data: np.ndarray | np.generic | float, inputs: tuple, saved: tuple = ()):
    """Wrap ``data`` as the output of ``op`` and, if any input needs a gradient, record a node.

    ``inputs`` are the op's operands in the order its rule returns their gradients; non-Tensor
    operands are constants and get no gradient. ``saved`` is what the rule reads, exactly
    that and no more: ``op.backward(g, *saved)`` gives one gradient per input.
    """
    if type(data) is not np.ndarray:  # numpy answers a 0-d input with a scalar: keep arrays
        data = np.asarray(data)
    # Some thread is inside no_grad or detect_anomaly: is this one?
    if autograd.modes_in_use and not _recording_in_this_thread(op, inputs, data):
        return Tensor._from_op(data, None)
    # Where each input's gradient goes: the node that made it, the leaf itself, or nowhere.
    parents: list[Tensor | Node | None] = []
    shapes: list[tuple] = []
    wanted = 0  # how many inputs want a gradient
    shown = {}  # position -> a constant explain may show: a reference, no copy
    for x in inputs:
        if isinstance(x, Tensor):
            shapes.append(x.data.shape)
            if x.requires_grad:
                parents.append(x if x.node is None else x.node)
                wanted += 1
                continue
            if x.name is not None:  # a named constant (the row max); unnamed: not looked at
                shown[len(parents)] = _shown_constant(x)
        elif type(x) in _NUMBERS:  # x * 2, 1 - p: the constant learners write most
            shapes.append(())
            shown[len(parents)] = x
        else:
            shapes.append(np.shape(x))
            if np.size(x) <= autograd.KEEP_VALUE_SIZE:
                shown[len(parents)] = x
        parents.append(None)
    if not wanted:
        return Tensor._from_op(data, None)
    node = Node(op, tuple(parents), wanted, saved, tuple(shapes), data, shown or None)
    return Tensor._from_op(data, node)


def _shown_constant(x: Tensor) -> Tensor | str:
    """A named constant as explain keeps it: whole while it can show its values, else only its
    name, so that the graph does not keep a big array alive."""
    return x if x.data.size <= autograd.EXPLAIN_MAX_SIZE else str(x.name)


def _recording_in_this_thread(op: Op, inputs: tuple, data: np.ndarray) -> bool:
    """detect_anomaly's check of the op's output, then whether this thread records at all."""
    modes = autograd.modes
    if modes.anomaly is not None:
        modes.anomaly.check_forward(op, [np.asarray(_value(x)) for x in inputs], data)
    return modes.grad_enabled


# ---- elementwise arithmetic -----------------------------------------------------------------
# Each op: its forward, its rule right below it (``g`` arrives at the output; the rule returns
# one gradient per input), and its declaration, which the tape, explain and the tests read.
def add(a: Operand, b: Operand) -> Tensor:
    """y = a + b;  da = g,  db = g  (each summed back to its input's shape)"""
    av, bv = _values(a, b)
    return _record(ADD, av + bv, (a, b))


def _add_backward(g):
    return g, g  # the walk hands each to its input only if that input wants a gradient


ADD = Op(add, _add_backward, ("a", "b"))


def sub(a: Operand, b: Operand) -> Tensor:
    """y = a - b;  da = g,  db = -g"""
    av, bv = _values(a, b)
    return _record(SUB, av - bv, (a, b), (_needs_grad(b),))


def _sub_backward(g, b_needs):
    return g, (-g if b_needs else None)  # x - m with a constant m: no -g computed


SUB = Op(sub, _sub_backward, ("a", "b"))


def mul(a: Operand, b: Operand) -> Tensor:
    """y = a * b;  da = g * b,  db = g * a"""
    av, bv = _values(a, b)
    # da needs b and db needs a: save each operand only if the other's gradient is wanted.
    saved = (av if _needs_grad(b) else None, bv if _needs_grad(a) else None)
    return _record(MUL, av * bv, (a, b), saved)


def _mul_backward(g, a, b):
    return (None if b is None else g * b), (None if a is None else g * a)


MUL = Op(mul, _mul_backward, ("a", "b"))


def div(a: Operand, b: Operand) -> Tensor:
    """y = a / b;  da = g / b,  db = -g * y / b"""
    av, bv = _values(a, b)
    y = av / bv
    saved = (bv, y if _needs_grad(b) else None)  # only db needs y
    return _record(DIV, y, (a, b), saved)


def _div_backward(g, b, y):
    g_over_b = g / b
    return g_over_b, (None if y is None else -g_over_b * y)


DIV = Op(
    div,
    _div_backward,
    ("a", "b"),
    forward_hint="a division by 0 gives inf (or nan for 0 / 0): keep the divisor away from 0",
    backward_hint="db = -g * y / b is infinite where b is 0: keep the divisor away from 0",
)


def neg(x: Operand) -> Tensor:
    """y = -x;  dx = -g"""
    # mypy is right here: for a Python number x, -x is a float, not the array a Tensor holds
    # (add(2.0, 3) does the same; mypy cannot see it there, _values returns a plain tuple).
    return _record(NEG, -_value(x), (x,))


def _neg_backward(g):
    return (-g,)


NEG = Op(neg, _neg_backward, ("x",))


def pow(x: Operand, exponent: Operand) -> Tensor:
    """y = x ** p;  dx = g * p * x ** (p - 1)  (0 at p = 0),  dp = g * y * log(x)  (0 at x = 0)

    The exponent may be a number (``x ** 2``), or a Tensor or array (``x ** y``, ``2 ** x``),
    and then gets its gradient too. dx = 0 where p = 0, and dp = 0 where x = 0 and p >= 0:
    the true derivatives at points where the general formula computes 0 * inf. x ** 0 = 1 is
    flat, so dx = 0 even at x = 0 (where x ** -1 is inf); 0 ** p = 0 for every p > 0, so
    dp = 0 at x = 0 (where log(0) = -inf), and PyTorch takes 0 at p = 0 as well. For x < 0,
    log(x) is nan and so is dp: a negative base has a real power only at integer p.
    """
    xv, pv = _values(x, exponent)
    with _named_errors("pow"):  # numpy refuses integers to negative integer powers
        y = xv**pv
    if isinstance(exponent, Tensor) or np.ndim(pv) != 0:
        # dp needs y, and only dp does.
        saved = (xv, pv, _needs_grad(x), y if _needs_grad(exponent) else None)
        return _record(POW, y, (x, exponent), saved)
    # A number exponent is a constant: the tape shows pow with one input, x.
    return _record(POW, y, (x,), (xv, pv, True, None))


def _pow_backward(g, x, p, x_needs, y):
    dx = dp = None
    if x_needs:
        if np.any(p == 0):  # x ** 0 = 1 is flat, even at x = 0 where p * x ** (p - 1) = 0 * inf
            with np.errstate(divide="ignore", invalid="ignore"):
                dx = np.where(p == 0, 0, g * (p * x ** (p - 1)))
        else:
            dx = g * (p * x ** (p - 1))
    if y is not None:
        with np.errstate(divide="ignore", invalid="ignore"):  # log(0) = -inf is replaced below
            dp = g * (y * np.log(x))
        dp = np.where((x == 0) & (p >= 0), 0, dp)
    return dx, dp


POW = Op(
    pow,
    _pow_backward,
    ("x", "p"),
    backward_hint="x ** p with p < 1 has an infinite slope at x = 0: keep x away from 0, "
    "e.g. tx.maximum(x, 1e-12)",
)


def sqrt(x: Operand) -> Tensor:
    """y = sqrt(x);  dx = g / (2 y)  (inf at x = 0, where the slope is infinite)"""
    y = np.sqrt(_value(x))
    return _record(SQRT, y, (x,), (y,))


def _sqrt_backward(g, y):
    return (g / (2 * y),)


SQRT = Op(
    sqrt,
    _sqrt_backward,
    ("x",),
    forward_hint="sqrt of a negative number is nan",
    backward_hint="sqrt has an infinite slope at 0: keep its input away from 0, "
    "e.g. tx.sqrt(x + 1e-12)",
)


def abs(x: Operand) -> Tensor:
    """y = |x|;  dx = g * sign(x)  (0 at x = 0, as in PyTorch)

    At x = 0 the slope jumps from -1 to 1; 0, the average of the two sides, is what PyTorch
    and JAX use. It is exactly 0 there, even when g holds an inf.
    """
    xv = _value(x)
    return _record(ABS, np.abs(xv), (x,), (xv,))


def _abs_backward(g, x):
    return (_scaled(g, np.sign(x)),)


ABS = Op(abs, _abs_backward, ("x",))


def clip(x: Operand, low=None, high=None) -> Tensor:
    """y = min(max(x, low), high);  dx = g where low <= x <= high, else 0

    ``low`` and ``high`` are numbers or arrays (constants, no gradient); either may be None
    for no bound. A point on a bound passes its gradient, as in PyTorch's ``clamp``.
    """
    if low is None and high is None:
        raise ValueError("clip: low and high are both None; give at least one bound")
    xv = _value(x)
    lo = -np.inf if low is None else _value(low)
    hi = np.inf if high is None else _value(high)
    inside = (xv >= lo) & (xv <= hi)
    return _record(CLIP, np.clip(xv, lo, hi), (x,), (inside,))


def _clip_backward(g, inside):
    return (_scaled(g, inside),)


CLIP = Op(clip, _clip_backward, ("x",))


def exp(x: Operand) -> Tensor:
    """y = exp(x);  dx = g * y  (exp is its own derivative: backward reuses the output)"""
    y = np.exp(_value(x))
    return _record(EXP, y, (x,), (y,))


def _exp_backward(g, y):
    return (g * y,)


EXP = Op(
    exp,
    _exp_backward,
    ("x",),
    forward_hint="exp overflows to inf above 88.7 in float32 (709.8 in float64): subtract the "
    "max first (log-sum-exp),\n  as F.softmax and F.log_softmax do",
)


def log(x: Operand) -> Tensor:
    """y = log(x);  dx = g / x"""
    xv = _value(x)
    return _record(LOG, np.log(xv), (x,), (xv,))


def _log_backward(g, x):
    return (g / x,)


LOG = Op(
    log,
    _log_backward,
    ("x",),
    forward_hint="log of zero (or of a negative number): the usual cure is F.log_softmax(x) "
    "instead of log(softmax(x)),\n  or clamping the input first, tx.maximum(x, 1e-12)",
    backward_hint="an input at 0 makes dx = g / x divide by 0 (log has an infinite slope "
    "there): keep the input\n  away from 0, e.g. tx.maximum(x, 1e-12)",
)


def maximum(a: Operand, b: Operand) -> Tensor:
    """y = maximum(a, b);  da = g * [a > b],  db = g * [b > a]; a tie sends g/2 to each

    Splitting a tie half and half is the average of the two one-sided derivatives (as
    ``torch.maximum`` does). The losing side gets exactly 0, even where g holds an inf.
    """
    av, bv = _values(a, b)
    saved = (av, bv, _needs_grad(a), _needs_grad(b))
    return _record(MAXIMUM, np.maximum(av, bv), (a, b), saved)


def _maximum_backward(g, a, b, a_needs, b_needs):
    ties = a == b
    if ties.any():  # rare for real numbers: only then pay for the half shares
        a_share = (a > b) + 0.5 * ties
        da = _scaled(g, a_share) if a_needs else None
        db = _scaled(g, 1.0 - a_share) if b_needs else None
    else:
        da = _scaled(g, a > b) if a_needs else None
        db = _scaled(g, b > a) if b_needs else None
    return da, db


MAXIMUM = Op(maximum, _maximum_backward, ("a", "b"))


def minimum(a: Operand, b: Operand) -> Tensor:
    """y = minimum(a, b);  da = g * [a < b],  db = g * [b < a]; a tie sends g/2 to each

    The rule is maximum's with its two gradients swapped: a gets what maximum would send b.
    """
    av, bv = _values(a, b)
    saved = (av, bv, _needs_grad(a), _needs_grad(b))
    return _record(MINIMUM, np.minimum(av, bv), (a, b), saved)


def _minimum_backward(g, a, b, a_needs, b_needs):
    db, da = _maximum_backward(g, a, b, b_needs, a_needs)
    return da, db


MINIMUM = Op(minimum, _minimum_backward, ("a", "b"))


def where(condition, a: Operand, b: Operand) -> Tensor:
    """y = a where condition else b;  da = g where condition else 0,  db = the rest of g

    ``condition`` is a boolean array (or Tensor) and gets no gradient. The branch not taken
    gets exactly 0, whatever g holds (an inf in g must not become inf * 0 = nan there):
    functional.py relies on it to feed a stand-in to a log or an exp.
    """
    cond = np.asarray(_value(condition), dtype=bool)
    av, bv = _values(a, b)
    saved = (cond, _needs_grad(a), _needs_grad(b))
    return _record(WHERE, np.where(cond, av, bv), (a, b), saved)


def _where_backward(g, cond, a_needs, b_needs):
    return (_scaled(g, cond) if a_needs else None), (_scaled(g, ~cond) if b_needs else None)


WHERE = Op(where, _where_backward, ("a", "b"))


def relu(x: Operand) -> Tensor:
    """y = max(x, 0);  dx = g where x > 0, else 0  (0 at x = 0, as PyTorch, JAX, tinygrad)

    One op, so the tape shows one readable ``relu`` node. ``maximum(x, 0)`` would split the
    tie at 0 half and half, and ``where(x > 0, x, 0)`` selects element by element, several
    times slower than the product a rule can use here.
    """
    xv = _value(x)
    return _record(RELU, np.maximum(xv, 0), (x,), (xv > 0,))


def _relu_backward(g, positive):
    return (_scaled(g, positive),)


RELU = Op(relu, _relu_backward, ("x",))


def sigmoid(x: Operand) -> Tensor:
    """y = 1 / (1 + exp(-x));  dx = g * y * (1 - y)

    Computed without overflow: with e = exp(-|x|), which lies in (0, 1], y = 1 / (1 + e) for
    x >= 0 and e / (1 + e) below, so x = 1e4 gives 1 and x = -1e4 gives 0 instead of
    exp(1e4) = inf, and sigmoid(+-inf) is 1 and 0 exactly. The rule reuses e:
    y (1 - y) = e / (1 + e)^2, the same number without 1 - y rounding to 0 at large x
    (at x = 40 the slope is 4.2e-18, not 0). ``F.sigmoid`` is this op.
    """
    xv = np.asarray(_value(x))
    e = np.exp(-np.abs(xv))
    y = np.where(xv >= 0, 1 / (1 + e), e / (1 + e)).astype(e.dtype, copy=False)
    return _record(SIGMOID, y, (x,), (e,))


def _sigmoid_backward(g, e):
    return (g * (e / (1 + e) ** 2),)


SIGMOID = Op(sigmoid, _sigmoid_backward, ("x",))


def tanh(x: Operand) -> Tensor:
    """y = tanh(x);  dx = g * (1 - y ** 2)

    numpy's tanh is finite everywhere, tanh(+-inf) = +-1. The rule computes 1 - y^2 as
    4 e / (1 + e)^2 with e = exp(-2|x|), the same number without 1 - y^2 rounding to 0 at
    large |x|. ``F.tanh`` is this op.
    """
    xv = _value(x)
    e = np.exp(-np.abs(xv))
    e *= e  # exp(-2|x|), without the overflow of 2|x| at |x| near the largest float
    return _record(TANH, np.tanh(xv), (x,), (e,))


def _tanh_backward(g, e):
    return (g * (4 * e / (1 + e) ** 2),)


TANH = Op(tanh, _tanh_backward, ("x",))


def _scaled(g: np.ndarray, w) -> np.ndarray:
    """g * w, and exactly 0 where w is 0 whatever g holds there (an inf in g times 0 is nan).

    How the routing ops (where, maximum, relu, max, abs, clip) send g to some positions and
    nothing to the others. A product is several times faster than a select, which branches on
    every element, so the select is used only when g holds an inf or a nan.
    """
    if np.isfinite(g).all():
        return g * w
    with np.errstate(invalid="ignore"):  # inf * 0 = nan, replaced by the select
        return np.where(w != 0, g * w, 0).astype(g.dtype, copy=False)


# ---- reductions -----------------------------------------------------------------------------
def sum(x: Operand, axis=None, keepdims: bool = False, *, dim=None, keepdim=None) -> Tensor:
    """y = sum of x over axis;  dx = g copied back along the summed axes"""
    if keepdim is not None:  # PyTorch's spelling of keepdims
        keepdims = _keepdims_arg("sum", keepdims, keepdim)
    xv = np.asarray(_value(x))
    axes = _axes("sum", _axis_arg("sum", axis, dim), xv.shape)
    y = xv.sum(axis=axes, keepdims=True)  # the summed axes kept with size 1, for backward
    out = y if keepdims else y.reshape(_dropped(y.shape, axes))
    return _record(SUM, out, (x,), (y.shape, xv.shape))  # shapes, no arrays


def _sum_backward(g, kept_shape, x_shape):
    return (np.broadcast_to(g.reshape(kept_shape), x_shape),)


SUM = Op(sum, _sum_backward, ("x",))


# A dim (positional, as torch.max(x, 1), or dim=) gives PyTorch's (values, indices);
# axis= gives numpy's values alone.
@overload
def max(
    x: Operand, dim: None = None, keepdim=None, *, axis=None, keepdims: bool = False
) -> Tensor: ...


@overload
def max(
    x: Operand, dim: int, keepdim=None, *, axis=None, keepdims: bool = False
) -> ValuesIndices: ...


def max(x: Operand, dim=None, keepdim=None, *, axis=None, keepdims: bool = False):
    """y = max of x over axis;  dx = g at the maximum, 0 elsewhere; tied maxima share g equally

    With a ``dim`` (PyTorch's spelling, or the second positional argument, as in
    ``torch.max(x, 1)``) the result is PyTorch's pair ``(values, indices)``, a
    :class:`ValuesIndices`; with ``axis=`` (numpy's) it is the values alone.
    """
    if keepdim is not None:  # PyTorch's spelling of keepdims
        keepdims = _keepdims_arg("max", keepdims, keepdim)
    if dim is not None:
        return _values_indices("max", x, axis, dim, keepdims)
    xv = np.asarray(_value(x))
    axes = _axes("max", _axis_arg("max", axis, dim), xv.shape)
    with _named_errors("max"):  # the max of nothing
        y = xv.max(axis=axes, keepdims=True)  # the reduced axes kept with size 1, for backward
    out = y if keepdims else y.reshape(_dropped(y.shape, axes))
    return _record(MAX, out, (x,), (xv, y, axes))


def _max_backward(g, x, y, axes):
    winners = x == y
    if np.isnan(y).any():  # a nan is the max of its row (as in numpy and PyTorch): it gets g
        winners |= np.isnan(x) & np.isnan(y)
    share = g.reshape(y.shape) / winners.sum(axis=axes, keepdims=True)
    return (_scaled(share, winners),)  # exactly 0 off the maximum, whatever g holds


MAX = Op(max, _max_backward, ("x",))


# A dim (positional, as torch.min(x, 1), or dim=) gives PyTorch's (values, indices);
# axis= gives numpy's values alone.
@overload
def min(
    x: Operand, dim: None = None, keepdim=None, *, axis=None, keepdims: bool = False
) -> Tensor: ...


@overload
def min(
    x: Operand, dim: int, keepdim=None, *, axis=None, keepdims: bool = False
) -> ValuesIndices: ...


def min(x: Operand, dim=None, keepdim=None, *, axis=None, keepdims: bool = False):
    """y = min of x over axis = -max(-x);  dx = g at the minimum, tied minima share g equally

    With a ``dim`` the result is PyTorch's pair ``(values, indices)``, as for :func:`max`.
    """
    if keepdim is not None:
        keepdims = _keepdims_arg("min", keepdims, keepdim)
    if dim is not None:
        return _values_indices("min", x, axis, dim, keepdims)
    with _renamed_errors("max", "min"):
        return neg(max(neg(x), axis=axis, keepdims=keepdims))


def argmax(x: Operand, axis=None, keepdims: bool = False, *, dim=None, keepdim=None) -> Tensor:
    """The index of the largest entry along ``axis`` (of the flattened x when None).

    Not differentiable (an index does not move when x moves a little): returns an int64
    Tensor that records nothing. Ties give the first index, as in numpy and PyTorch.
    """
    return _arg("argmax", np.argmax, x, _axis_arg("argmax", axis, dim), keepdims, keepdim)


def argmin(x: Operand, axis=None, keepdims: bool = False, *, dim=None, keepdim=None) -> Tensor:
    """The index of the smallest entry along ``axis``: as :func:`argmax`, for the min."""
    return _arg("argmin", np.argmin, x, _axis_arg("argmin", axis, dim), keepdims, keepdim)


def _arg(name: str, find, x: Operand, axis, keepdims: bool, keepdim) -> Tensor:
    """argmax or argmin (``find``) along one axis, as an int64 Tensor that records nothing."""
    xv = np.asarray(_value(x))
    axes = _axes(name, axis, xv.shape)
    if axes is not None and len(axes) != 1:
        raise TypeError(f"{name}: axis must be one int or None, got {axis!r}")
    keepdims = _keepdims_arg(name, keepdims, keepdim)
    with _named_errors(name):
        index = find(xv, axis=None if axes is None else axes[0], keepdims=keepdims)
    return Tensor(np.asarray(index, dtype=np.int64))


# (The fields are declared with the Tensor class itself, not the name "Tensor" that class
# syntax would keep as text under `from __future__ import annotations`.)
class ValuesIndices(NamedTuple("ValuesIndices", [("values", Tensor), ("indices", Tensor)])):
    """What ``x.max(dim=k)`` and ``x.min(dim=k)`` return, as PyTorch's ``torch.return_types``:
    ``values`` (on the graph) and ``indices`` (int64, no gradient), unpacked ``v, i = ...``."""

    __slots__ = ()


def _values_indices(name: str, x: Operand, axis, dim, keepdims: bool) -> ValuesIndices:
    """PyTorch's max or min along ``dim``: the values and where they are."""
    if axis is not None:
        raise TypeError(
            f"{name}: got both axis={axis!r} and dim={dim!r}, two spellings of the axis: "
            f"dim= gives PyTorch's (values, indices), axis= numpy's values alone; pass one"
        )
    if not _is_int(dim):
        raise TypeError(
            f"{name}: dim must be one int, as in PyTorch, got {dim!r}; for the values over "
            f"several axes use numpy's spelling, {name}(x, axis={dim!r})"
        )
    if name == "max":
        return ValuesIndices(max(x, axis=dim, keepdims=keepdims), argmax(x, dim, keepdims))
    return ValuesIndices(min(x, axis=dim, keepdims=keepdims), argmin(x, dim, keepdims))


def _keepdims_arg(op_name: str, keepdims: bool, keepdim) -> bool:
    """``keepdims`` (numpy's spelling) or ``keepdim`` (PyTorch's), not both."""
    if keepdim is None:
        return bool(keepdims)
    if keepdims is not False:
        raise TypeError(
            f"{op_name}: got both keepdims={keepdims!r} and keepdim={keepdim!r}, two "
            f"spellings of the same argument; pass one"
        )
    return bool(keepdim)


def _is_int(a) -> bool:
    return isinstance(a, (int, np.integer)) and not isinstance(a, bool)


class _Count(int):
    """``x.size``: numpy's element count, an int that answers PyTorch's ``x.size(0)`` with
    the spelling meant instead of "'int' object is not callable"."""

    def __call__(self, dim=None):
        raise TypeError(
            f"Tensor.size is numpy's element count, the int {int(self)}, not PyTorch's "
            f"method: for the shape use x.shape, for one axis x.shape[{dim or 0}], for "
            f"the count x.numel()"
        )


def _dropped(kept_shape: tuple, axes: tuple | None) -> tuple:
    """The shape of a reduction without keepdims: ``kept_shape`` minus the reduced axes."""
    if axes is None:
        return ()
    return tuple(n for i, n in enumerate(kept_shape) if i not in axes)


def _axis_arg(op_name: str, axis, dim, default=None):
    """``axis`` (numpy's spelling) or ``dim`` (PyTorch's): at most one of them, else ``default``."""
    if dim is None:
        return default if axis is None else axis
    if axis is not None:
        raise TypeError(
            f"{op_name}: got both axis={axis!r} and dim={dim!r}, two spellings of "
            f"the same argument; pass one"
        )
    return dim


# For the type checker: with new_axis, x has at least one axis, so the result is never None.
@overload
def _axes(op_name: str, axis: object, shape: tuple, new_axis: Literal[True]) -> tuple[int, ...]: ...


@overload
def _axes(
    op_name: str, axis: object, shape: tuple, new_axis: bool = False
) -> tuple[int, ...] | None: ...


def _axes(op_name: str, axis, shape: tuple, new_axis: bool = False) -> tuple[int, ...] | None:
    """``axis`` (an int, a tuple of ints or None) as a tuple of axes of ``shape`` counted from 0.

    Negative axes count from the end, as in numpy. None means every axis, and so does axis 0
    or -1 of a 0-d tensor (as in PyTorch: summing a number over its one "axis" gives it back).
    ``new_axis`` counts the axes of x with one more appended (where unsqueeze may put one).
    """
    if axis is None:
        return None
    ndim = len(shape) + new_axis
    n = ndim or 1  # a 0-d tensor takes axis 0 and -1
    if type(axis) is int and -n <= axis < n:  # the usual case, checked in one line
        return None if ndim == 0 else (axis % n,)
    axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    for a in axes:
        if isinstance(a, bool) or not isinstance(a, (int, np.integer)):
            raise TypeError(
                f"{op_name}: axis (x has shape {shape}) must be an integer or a tuple of "
                f"integers, got {axis!r}"
            )
        if not -n <= a < n:
            raise _AxisError(
                f"{op_name}: axis (x has shape {shape}) must be an integer in "
                f"[{-n}, {n - 1}], got {a}"
            )
    normal = tuple(int(a) % n for a in axes)
    if len(set(normal)) != len(normal):
        raise ValueError(f"{op_name}: axis (x has shape {shape}) names an axis twice: {axis!r}")
    return None if ndim == 0 else normal


# numpy's own error for an axis out of range; catching IndexError or ValueError catches it
_AxisError = getattr(np, "exceptions", np).AxisError


# ---- matrix product -------------------------------------------------------------------------
def matmul(a: Operand, b: Operand) -> Tensor:
    """y = a @ b  (as np.matmul);  da = g @ b^T,  db = a^T @ g  (batch axes summed back)

    A 1-D ``a`` acts as a row (1, n) and a 1-D ``b`` as a column (n, 1); the gradients are
    computed in that 2-D form and brought back to the operands' shapes.
    """
    av, bv = np.asarray(_value(a)), np.asarray(_value(b))
    if av.ndim == 0 or bv.ndim == 0:
        raise ValueError(
            f"matmul: both operands need at least 1 dimension, got shapes "
            f"{av.shape} and {bv.shape}; use * for a number"
        )
    inner = bv.shape[-2] if bv.ndim > 1 else bv.shape[0]
    if av.shape[-1] != inner:
        raise ValueError(
            f"matmul: shapes {av.shape} and {bv.shape} do not fit: a's last axis "
            f"has length {av.shape[-1]}, b's contracted axis {inner}"
        )
    # The 2-D forms; da needs only b and db only a, so save an operand only if it is used.
    a2 = (av if av.ndim > 1 else av[None, :]) if _needs_grad(b) else None
    b2 = (bv if bv.ndim > 1 else bv[:, None]) if _needs_grad(a) else None
    saved = (a2, b2, av.ndim == 1, bv.shape if bv.ndim == 1 else None)
    return _record(MATMUL, np.matmul(av, bv), (a, b), saved)


def _matmul_backward(g, a2, b2, a_is_row, b_column_shape):
    if b_column_shape is not None:
        g = g[..., None]
    if a_is_row:
        g = g[..., None, :]
    # b2 is saved only when a wants its gradient, and a2 only when b does.
    da = None if b2 is None else g @ np.swapaxes(b2, -1, -2)  # the walk sums batch axes
    db = None if a2 is None else np.swapaxes(a2, -1, -2) @ g
    if db is not None and b_column_shape is not None:  # from the column (n, 1) back to (n,)
        db = unbroadcast(db, b_column_shape + (1,)).reshape(b_column_shape)
    return da, db


MATMUL = Op(matmul, _matmul_backward, ("a", "b"))


# ---- indexing and shape ops ------------------------------------------------------------------
def getitem(x: Tensor | np.ndarray | Sequence, index) -> Tensor:
    """y = x[index];  dx = zeros of x's shape with g added at the indexed positions

    Basic slicing and integer-array indexing (``logits[np.arange(n), target]``) both work. An
    integer array may pick the same element twice; its gradient is then the sum of both picks.
    dx travels as a :class:`~.autograd.Scatter` (g and the index, no array of zeros), which
    the walk adds straight into x's other gradient.
    """
    if isinstance(index, Tensor):
        index = index.data
    elif isinstance(index, tuple):
        index = tuple(i.data if isinstance(i, Tensor) else i for i in index)
    xv = _value(x)
    with _named_errors("getitem"):
        y = xv[index]
    return _record(GETITEM, y, (x,), (index, np.shape(xv)))


def _getitem_backward(g, index, x_shape):
    return (Scatter(index, g, x_shape),)


GETITEM = Op(getitem, _getitem_backward, ("x",))


def reshape(x: Operand, shape: tuple) -> Tensor:
    """y = x with a new shape;  dx = g reshaped back to x's shape"""
    xv = _value(x)
    with _named_errors("reshape"):
        y = np.reshape(xv, shape)
    return _record(RESHAPE, y, (x,), (np.shape(xv),))


def _reshape_backward(g, x_shape):
    return (g.reshape(x_shape),)


RESHAPE = Op(reshape, _reshape_backward, ("x",))


def transpose(x: Operand, axes=None) -> Tensor:
    """y = x with its axes permuted (reversed by default);  dx = g permuted back"""
    xv = _value(x)
    if axes is not None:
        axes = _permutation("transpose", axes, np.ndim(xv))
    inverse = None if axes is None else tuple(np.argsort(axes))
    y = np.transpose(xv, axes)
    return _record(TRANSPOSE, y, (x,), (inverse,))


def _transpose_backward(g, inverse):
    return (np.transpose(g, inverse),)


TRANSPOSE = Op(transpose, _transpose_backward, ("x",))


def _permutation(op_name: str, axes, ndim: int) -> tuple:
    """``axes`` with negative axes counted from the end, checked to be a permutation."""
    ints = all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in axes)
    normal = tuple(int(a) % ndim if ints and -ndim <= a < ndim else a for a in axes)
    if not ints or sorted(normal) != list(range(ndim)):
        raise ValueError(
            f"{op_name}: axes {tuple(axes)} is not a permutation of the {ndim} "
            f"axes {tuple(range(ndim))} (negative axes count from the end)"
        )
    return normal


def squeeze(x: Operand, axis=None, *, dim=None) -> Tensor:
    """y = x without its axes of size 1 (only ``axis``, if given): a reshape on the tape

    Each spelling keeps its library's meaning for an axis whose size is not 1: ``dim=``
    leaves it alone, as PyTorch does; ``axis=`` (or a positional axis) is numpy's error.
    """
    shape = _shape(x)
    axes = _axes("squeeze", _axis_arg("squeeze", axis, dim), shape)
    if axes is None:
        axes = tuple(i for i, n in enumerate(shape) if n == 1)
    if dim is not None:
        axes = tuple(a for a in axes if shape[a] == 1)
    for a in axes:
        if shape[a] != 1:
            raise ValueError(
                f"squeeze: axis {a} has size {shape[a]}, not 1 (shape {shape}); "
                f"PyTorch's squeeze(dim={a}) leaves such an axis alone: pass dim= for that"
            )
    return reshape(x, tuple(n for i, n in enumerate(shape) if i not in axes))


def unsqueeze(x: Operand, axis=None, *, dim=None) -> Tensor:
    """y = x with a new axis of size 1 at ``axis`` (-1 appends it): a reshape on the tape"""
    shape = _shape(x)
    axis = _axis_arg("unsqueeze", axis, dim)
    if axis is None:
        raise TypeError("unsqueeze: missing the axis where the new axis goes (axis= or dim=)")
    position = _axes("unsqueeze", axis, shape, new_axis=True)[0]
    return reshape(x, shape[:position] + (1,) + shape[position:])


def flatten(x: Operand, start_axis: int = 0, end_axis: int = -1) -> Tensor:
    """y = x with the axes start_axis..end_axis (inclusive) merged into one: a reshape

    As PyTorch's ``flatten(start_dim, end_dim)``; a 0-d x becomes shape (1,).
    """
    shape = _shape(x)
    if not shape:
        return reshape(x, (1,))
    # (shape is not empty, so _axes gives a tuple: the "or ()" only tells the type checker)
    first = (_axes("flatten", start_axis, shape) or ())[0]
    last = (_axes("flatten", end_axis, shape) or ())[0]
    if first > last:
        raise ValueError(
            f"flatten: start_axis {start_axis} comes after end_axis {end_axis} for shape {shape}"
        )
    merged = math.prod(shape[first : last + 1])
    return reshape(x, shape[:first] + (merged,) + shape[last + 1 :])


def concatenate(tensors: Sequence[Operand], axis: int | None = None, *, dim=None) -> Tensor:
    """y = the inputs joined along axis (0 by default);  dx_i = the slice of g that x_i filled"""
    axis = _axis_arg("concatenate", axis, dim, default=0)
    values = [_value(t) for t in _nonempty("concatenate", tensors)]
    with _named_errors("concatenate"):
        y = np.concatenate(values, axis=axis)
    ends = np.cumsum([np.shape(v)[axis] for v in values])[:-1]
    return _record(CONCATENATE, y, tuple(tensors), (ends, axis))


def _concatenate_backward(g, ends, axis):
    return tuple(np.split(g, ends, axis=axis))  # views: nothing computed for a constant


CONCATENATE = Op(concatenate, _concatenate_backward, None)


def stack(tensors: Sequence[Operand], axis: int | None = None, *, dim=None) -> Tensor:
    """y = the inputs stacked along a new axis (0 by default);  dx_i = g at position i of it"""
    axis = _axis_arg("stack", axis, dim, default=0)
    with _named_errors("stack"):
        y = np.stack([_value(t) for t in _nonempty("stack", tensors)], axis=axis)
    return _record(STACK, y, tuple(tensors), (axis,))


def _stack_backward(g, axis):
    return tuple(np.moveaxis(g, axis, 0))  # views: nothing computed for a constant


STACK = Op(stack, _stack_backward, None)


def _nonempty(op_name: str, tensors: Sequence) -> Sequence:
    if len(tensors) == 0:
        raise ValueError(f"{op_name}: tensors is empty; pass a list of at least one tensor")
    return tensors


@contextlib.contextmanager
def _named_errors(op_name: str) -> Iterator[None]:
    """Put the op's name in front of an error numpy raises inside the block."""
    try:
        yield
    except (ValueError, IndexError) as err:
        raise type(err)(f"{op_name}: {err}") from None


@contextlib.contextmanager
def _renamed_errors(inner: str, outer: str) -> Iterator[None]:
    """Errors raised by op ``inner`` while running as part of ``outer`` name ``outer``."""
    try:
        yield
    except (ValueError, IndexError, TypeError) as err:
        message = str(err)
        if message.startswith(inner + ":"):
            raise type(err)(outer + message[len(inner) :]) from None
        raise


# ---- composed from the ops: PyTorch's spellings ----------------------------------------------
cat = concatenate  # PyTorch's name: tx.cat([a, b], dim=1)


def swapaxes(x: Operand, axis1: int, axis2: int) -> Tensor:
    """y = x with axes axis1 and axis2 swapped: a transpose on the tape

    What PyTorch's ``x.transpose(dim0, dim1)`` means, whatever the number of axes.
    """
    shape = _shape(x)
    if not shape:
        raise ValueError("transpose: x is 0-d and has no axes to swap")
    first, second = _axes("transpose", (axis1, axis2), shape) or ()
    order = list(range(len(shape)))
    order[first], order[second] = second, first
    return transpose(x, tuple(order))


def var(
    x: Operand,
    dim=None,
    *,
    keepdim=None,
    correction=None,
    unbiased=None,
    axis=None,
    keepdims: bool = False,
    ddof=None,
) -> Tensor:
    """y = sum over dim of (x - mean)^2 / (N - correction): composed, so the tape shows it

    N is the number of elements in each reduction. PyTorch's meaning by default:
    correction=1 (Bessel's correction, the unbiased estimate from a sample; ``unbiased=False``
    or ``correction=0`` divide by N). numpy's spelling keeps numpy's meaning: with ``axis=``
    and no ``ddof=`` the division is by N, as ``np.var`` does.

    Parameters
    ----------
    x : Tensor or array-like
        The values, any shape.
    dim, axis : int or tuple of int, optional
        The axes to reduce (default all); one of the two spellings.
    keepdim, keepdims : bool
        Keep the reduced axes with size 1; one of the two spellings.
    correction, unbiased, ddof : int, bool, int
        What N is reduced by: PyTorch's two spellings and numpy's; at most one.

    Returns
    -------
    Tensor
        Of x's shape without the reduced axes (with size 1 under keepdim).
    """
    x = x if isinstance(x, Tensor) else Tensor(_value(x))
    axes = _axes("var", _axis_arg("var", axis, dim), x.shape)
    keep = _keepdims_arg("var", keepdims, keepdim)
    c = _correction(correction, unbiased, ddof, default=0 if axis is not None else 1)
    n = x.data.size if axes is None else math.prod(x.shape[a] for a in axes)
    deviation = x - x.mean(axes, keepdims=True)  # x's shape
    return sum(deviation * deviation, axes, keep) / builtins.max(n - c, 0)


def _correction(correction, unbiased, ddof, default: int):
    """The one of var's three spellings given, or ``default``."""
    given = {"correction": correction, "unbiased": unbiased, "ddof": ddof}
    named = [f"{k}={v!r}" for k, v in given.items() if v is not None]
    if len(named) > 1:
        raise TypeError(f"var: got {' and '.join(named)}, spellings of one argument; pass one")
    if unbiased is not None:
        return int(bool(unbiased))
    if correction is not None:
        return correction
    return default if ddof is None else ddof


def norm(x: Operand, p=2, dim=None, keepdim: bool = False) -> Tensor:
    """y = (sum over dim of |x|^p)^(1/p): composed from the ops (sqrt of a sum of squares at p=2)

    p may be 1, 2 (the default, also spelled "fro"), inf (the largest |x|) or any number
    > 0. At p=2 a tensor of zeros has a nan gradient: sqrt's slope at 0 is infinite, so add
    a small constant before the norm where that can happen.
    """
    if p == "fro":
        p = 2
    if isinstance(p, str) or not p > 0:
        raise ValueError(f"norm: p must be a number > 0, inf or 'fro', got {p!r}")
    axes = _axes("norm", dim, _shape(x))
    if p == 2:
        return sqrt(sum(mul(x, x), axes, keepdim))
    if p == 1:
        return sum(abs(x), axes, keepdim)
    if p == np.inf:
        return max(abs(x), axis=axes, keepdims=keepdim)
    return pow(sum(pow(abs(x), p), axes, keepdim), 1 / p)


# ---- numpy's functions on Tensors --------------------------------------------------------------
# numpy calls Tensor.__array_ufunc__ for its ufuncs (np.exp(t), and arr * t, which is
# np.multiply(arr, t)) and Tensor.__array_function__ for the rest (np.sum(t)). The ones that
# mean what a package op means become that op, on the graph. Those that only read values
# (comparisons, np.allclose, np.shape) read the data. Any other numpy function is refused when
# a Tensor argument requires grad (its plain array would cut the graph without a word), and
# computed by numpy on the data otherwise.
def _numpy_ufunc(ufunc, method: str, inputs: tuple, kwargs: dict):
    """A numpy ufunc called on a Tensor: the package's op, a read of the data, or refused."""
    name = f"np.{ufunc.__name__}"
    if method != "__call__":
        raise TypeError(
            f"{name}.{method}: numpy's ufunc methods have no Tensor counterpart; use the "
            f"reductions t.sum(), t.max(), t.min() and the ops"
        )
    if kwargs.get("out") is not None or "where" in kwargs:
        use = _NUMPY_NAMES.get(ufunc.__name__, "the Tensor's own methods")
        raise TypeError(
            f"{name}: out= and where= write into a numpy array, which cannot keep a Tensor's "
            f"graph; compute a new Tensor instead, with {use}"
        )
    op = _UFUNC_OPS.get(ufunc.__name__)
    if op is not None and not kwargs:
        return op(*inputs)
    if ufunc.__name__ in _UFUNC_READS or not _any_needs_grad(inputs):
        return ufunc(*_plain(inputs), **kwargs)
    raise _cuts_the_graph(name, ufunc.__name__)


def _numpy_function(func, args: tuple, kwargs: dict):
    """A numpy function called on a Tensor: the package's call, a read, or refused."""
    name = func.__name__
    own = _FUNCTIONS.get(name)
    if own is not None and getattr(np, name, None) is func:
        return own(*args, **kwargs)
    if name in _FUNCTION_READS or not _any_needs_grad((args, kwargs)):
        return func(*_plain(args), **_plain(kwargs))
    raise _cuts_the_graph(f"np.{name}", name)


def _cuts_the_graph(name: str, short: str) -> TypeError:
    use = _NUMPY_NAMES.get(short)
    if use is None:
        use = (
            "an op composed from the package's, one written with tx.Function "
            "(docs/your-own-op.md), or numpy on t.detach().numpy() for values without a gradient"
        )
    return TypeError(
        f"{name}: on a Tensor that requires grad it would return a plain numpy array and "
        f"cut the graph; tinygrad_xent's call: {use}"
    )


def _any_needs_grad(args) -> bool:
    """Whether a Tensor that requires grad is in ``args`` (looked into lists, tuples, dicts)."""
    if isinstance(args, Tensor):
        return args.requires_grad
    if isinstance(args, dict):
        args = tuple(args.values())
    if isinstance(args, (list, tuple)):
        return any(_any_needs_grad(a) for a in args)
    return False


def _plain(args):
    """``args`` with every Tensor replaced by its data (looked into lists, tuples, dicts)."""
    if isinstance(args, Tensor):
        return args.data
    if isinstance(args, dict):
        return {k: _plain(v) for k, v in args.items()}
    if isinstance(args, (list, tuple)):
        return type(args)(_plain(a) for a in args)
    return args


def _no_extras(name: str, use: str, **extras) -> None:
    """Refuse numpy's arguments that the package's call has no meaning for (out=, dtype=)."""
    given = [k for k, v in extras.items() if v is not None and v is not np._NoValue]
    if given:
        raise TypeError(f"{name}: {', '.join(given)}= is numpy's alone; use {use}")


def _np_reduction(tx_name: str):
    """np.sum, np.mean, np.max, np.min (amax, amin) on a Tensor: the package's reduction."""

    def reduction(a, axis=None, dtype=None, out=None, keepdims=False, **extras):
        _no_extras(f"np.{tx_name}", f"t.{tx_name}(axis, keepdims)", dtype=dtype, out=out, **extras)
        if not isinstance(a, Tensor):
            a = Tensor(_value(a))
        return getattr(a, tx_name)(axis=axis, keepdims=bool(keepdims))  # numpy's meaning

    return reduction


def _np_dot(a, b, out=None) -> Tensor:
    """np.dot: a product for a number, matmul for vectors and matrices."""
    _no_extras("np.dot", "a @ b", out=out)
    if np.ndim(_value(a)) == 0 or np.ndim(_value(b)) == 0:
        return mul(a, b)
    if np.ndim(_value(a)) > 2 or np.ndim(_value(b)) > 2:
        raise TypeError("np.dot: for more than 2 axes np.dot is not matmul; use tx.matmul(a, b)")
    return matmul(a, b)


def _np_join(join):
    """np.concatenate and np.stack: tx.concatenate and tx.stack (axis=None flattens first)."""

    def joined(arrays, axis=0, out=None, **extras):
        _no_extras(f"np.{join.__name__}", f"tx.{join.__name__}(tensors, axis)", out=out, **extras)
        if axis is None and join is concatenate:
            return concatenate([reshape(a, (-1,)) for a in arrays], 0)
        return join(arrays, axis)

    return joined


def _np_reshape(a, *shape, newshape=None, order="C", **extras) -> Tensor:
    """np.reshape: tx.reshape (C order only: the package's tensors have no other)."""
    _no_extras("np.reshape", "t.reshape(shape)", order=None if order == "C" else order, **extras)
    return reshape(a, shape[0] if shape else newshape if newshape is not None else extras["shape"])


def _np_where(condition, *branches) -> Tensor | tuple:
    """np.where(c, a, b) is tx.where; np.where(c) alone, the indices, reads the data."""
    if not branches:
        return np.where(_plain(condition))
    return where(condition, *branches)


def _np_clip(a, a_min=None, a_max=None, out=None, **extras) -> Tensor:
    """np.clip: tx.clip (numpy 2.1's min=, max= spellings too)."""
    low = extras.pop("min", a_min)
    high = extras.pop("max", a_max)
    _no_extras("np.clip", "t.clip(low, high)", out=out, **extras)
    return clip(a, low, high)


_FUNCTIONS: dict[str, Callable] = {
    "sum": _np_reduction("sum"),
    "mean": _np_reduction("mean"),
    "max": _np_reduction("max"),
    "amax": _np_reduction("max"),
    "min": _np_reduction("min"),
    "amin": _np_reduction("min"),
    "dot": _np_dot,
    "concatenate": _np_join(concatenate),
    "stack": _np_join(stack),
    "reshape": _np_reshape,
    "transpose": lambda a, axes=None: transpose(a, axes),
    "where": _np_where,
    "clip": _np_clip,
}
# numpy functions that only read values: the same answer whether or not there is a graph.
_FUNCTION_READS = {
    "shape", "ndim", "size", "allclose", "isclose", "array_equal", "array_equiv", "argmax",
    "argmin", "argsort", "nonzero", "count_nonzero", "any", "all", "result_type", "can_cast",
    "array2string", "array_repr", "array_str", "isfinite", "isnan", "isinf", "sort", "unique",
    "zeros_like", "ones_like", "empty_like", "full_like",  # x's shape and dtype, not its values
}  # fmt: skip
_UFUNC_OPS: dict[str, Callable[..., Tensor]] = {
    "add": add,
    "subtract": sub,
    "multiply": mul,
    "divide": div,
    "true_divide": div,
    "negative": neg,
    "power": pow,
    "square": lambda x: pow(x, 2),
    "matmul": matmul,
    "maximum": maximum,
    "minimum": minimum,
    "exp": exp,
    "log": log,
    "sqrt": sqrt,
    "absolute": abs,
    "tanh": tanh,
}
_UFUNC_READS = {
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal", "isfinite",
    "isnan", "isinf", "signbit", "logical_and", "logical_or", "logical_not", "logical_xor",
}  # fmt: skip
# The package's call for a numpy function, named in the errors.
_NUMPY_NAMES = {
    "add": "a + b",
    "subtract": "a - b",
    "multiply": "a * b",
    "true_divide": "a / b",
    "divide": "a / b",
    "power": "t ** p",
    "exp": "t.exp()",
    "log": "t.log()",
    "sqrt": "t.sqrt()",
    "absolute": "t.abs()",
    "tanh": "t.tanh()",
    "maximum": "tx.maximum(a, b)",
    "minimum": "tx.minimum(a, b)",
    "sum": "t.sum(axis)",
    "mean": "t.mean(axis)",
    "var": "t.var(axis=...)",
    "std": "t.std(axis=...)",
    "dot": "a @ b",
    "matmul": "a @ b",
    "exp2": "2 ** t",
    "log1p": "(1 + t).log()",
    "expm1": "t.exp() - 1",
    "sign": "t.detach().numpy() (its gradient is 0 everywhere)",
    "norm": "t.norm()",
    "squeeze": "t.squeeze(axis)",
    "expand_dims": "t.unsqueeze(axis)",
    "swapaxes": "t.transpose(a, b)",
    "moveaxis": "t.permute(...)",
    "ravel": "t.reshape(-1)",
    "copy": "t + 0 (a new Tensor on the graph) or t.detach().numpy().copy()",
}


# ---- the registry -----------------------------------------------------------------------------
# Every primitive op, once. The tests over every op, the README's op list, the anomaly hints and
# the benchmarks read this; an op added here is covered by all of them.
PRIMITIVES: dict[str, Op] = {
    op.name: op
    for op in (
        ADD,
        SUB,
        MUL,
        DIV,
        NEG,
        POW,
        SQRT,
        ABS,
        CLIP,
        EXP,
        LOG,
        MAXIMUM,
        MINIMUM,
        WHERE,
        RELU,
        SIGMOID,
        TANH,
        SUM,
        MAX,
        MATMUL,
        GETITEM,
        RESHAPE,
        TRANSPOSE,
        CONCATENATE,
        STACK,
    )
}
