"""Activations and losses, composed from the engine's primitive ops: no backward code here.

    import tinygrad_xent.functional as F

Every function below is a few lines of tensor arithmetic (exp, log, max, sum, matmul,
indexing, maximum, where, concatenate), so ``loss.backward()`` flows through softmax step by
step and ``print(tx.tape(loss))`` shows each step. The numerical tricks are named where they
happen; the derivations of the gradients are in ``docs/losses/``.

Three rules keep every value and every gradient on the tape finite for finite inputs:

1. log-sum-exp subtracts the row max first, so exp never overflows;
2. sigmoid, softplus and their relatives shift by the constant max(x, 0) the same way, so
   exp only ever sees numbers at most 0;
3. a log that would see 0, an exp whose unused branch would overflow, or a shift that would
   compute inf - inf at an infinite input, is fed a harmless stand-in through ``where``
   (whose backward sends exactly 0 to the branch not taken), and ``where`` puts the true
   value, or the limit at an infinite input, in its place.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np

from . import tensor as tensor_ops
from .checks import check_number
from .tensor import Tensor, _axes, _axis_arg, concatenate, maximum, where

REDUCTIONS = ("mean", "sum", "none")
BCE_LOG_FLOOR = -100.0  # binary_cross_entropy clamps each log term here, as the frameworks do


# ---- helpers: inputs, checks, reductions ------------------------------------------------------
def _as_tensor(name: str, arg: str, x) -> Tensor:
    """A Tensor as is; an array or list as a (constant) Tensor, integers promoted to float64."""
    if isinstance(x, Tensor):
        return x
    data = _as_array(name, arg, x)
    if data.dtype.kind != "f":
        data = data.astype(np.float64)
    return Tensor(data)


def _as_array(name: str, arg: str, x, numeric: bool = True) -> np.ndarray:
    """The numpy value of an argument: a Tensor's data, or an array made from a list.

    Refuses, naming ``name`` and ``arg``, a ragged nested list and (when ``numeric``) anything
    that does not hold numbers: strings, None, objects.
    """
    if isinstance(x, Tensor):
        return x.data
    try:
        data = np.asarray(x)
    except ValueError:  # numpy >= 1.24 refuses a ragged nested list
        raise ValueError(
            f"{name}: {arg} must be a rectangular array, got a nested "
            f"{type(x).__name__} whose rows differ in length"
        ) from None
    if numeric and data.dtype.kind not in "fiub":
        raise TypeError(
            f"{name}: {arg} must hold numbers, got {type(x).__name__} of dtype {data.dtype}"
        )
    return data


def _check_reduction(name: str, reduction: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{name}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _reduce(loss: Tensor, reduction: str, count: float | None = None) -> Tensor:
    """Sum, average (over ``count`` items, or all of them) or keep the per-item losses.

    The average over no item at all (every sample ignored or weighted 0, or an empty batch)
    is 0/0 = nan, as in PyTorch, with a gradient of exactly 0: ``where`` takes nan and sends
    nothing to the sum, where dividing by 0 would send it 1/0 and every gradient would be nan.
    """
    if reduction == "none":
        return loss
    total = loss.sum()
    if reduction == "sum":
        return total
    count = float(loss.size if count is None else count)
    if count == 0:
        return where(True, np.full((), np.nan, total.dtype), total)
    return total / Tensor(np.asarray(count, dtype=loss.dtype), name="count N")


def _reduce_samples(loss: Tensor, reduction: str, count: float | None, unbatched: bool) -> Tensor:
    """:func:`_reduce` for a per-sample loss; an unbatched (C,) input's one loss has shape ()."""
    if unbatched and reduction == "none":
        loss = loss.reshape(())
    return _reduce(loss, reduction, count)


def _weighted(loss: Tensor, w) -> Tensor:
    """loss * w, or the loss as it is when there is no weight.

    A weight of 0 removes its item (an ignored sample, a class weighted 0) even where the
    item's loss is inf, at an infinite logit: 0 * inf would be nan, so (rule 3) ``where``
    puts 0 there first, which also sends that loss a gradient of exactly 0.
    """
    if w is None:
        return loss
    zero = np.asarray(w) == 0
    if zero.any() and np.isinf(loss.data).any():
        loss = where(zero, 0.0, loss)
    return loss * w


def _check_weight(name: str, arg: str, w: np.ndarray) -> None:
    """Weights multiply losses: a nan, an infinity or a negative weight is refused."""
    bad = ~(w >= 0) | (w == np.inf)  # written so that nan counts as bad
    if bad.any():
        raise ValueError(f"{name}: {arg} must hold finite numbers >= 0, got {w[bad].flat[0]}")


def _class_weight(name: str, weight, n_classes: int, dtype: np.dtype) -> np.ndarray | None:
    """``weight`` as a (C,) constant in the input's dtype (so float32 stays float32)."""
    if weight is None:
        return None
    w = _as_array(name, "weight", weight)
    if w.shape != (n_classes,):
        raise ValueError(
            f"{name}: weight has shape {w.shape} but there are {n_classes} "
            f"classes, so it needs shape ({n_classes},)"
        )
    _check_weight(name, "weight", w)
    return w.astype(dtype, copy=False)


def _shift(x: Tensor) -> tuple[Tensor, Tensor]:
    """The shift m = max(x, 0) of sigmoid and softplus, and e^-m: two constants, no gradient.

    Both e^-m and e^(x - m) lie in (0, 1], so neither overflows for any x.
    """
    m = np.maximum(x.data, 0)
    # A new array even for a 0-d x (for which numpy returns a scalar, which cannot be written
    # into), then exp in place: one array as big as x, not two.
    exp_minus_m = np.negative(m, out=np.empty_like(m))
    np.exp(exp_minus_m, out=exp_minus_m)
    return Tensor(m, name="shift m = max(x, 0)"), Tensor(exp_minus_m, name="e^-m")


def _softplus(x: Tensor) -> Tensor:
    """softplus(x) = log(1 + exp(x)), computed with the log-sum-exp shift.

    softplus(x) is logsumexp([0, x]), so for any constant m,
    log(1 + e^x) = m + log(e^-m + e^(x - m)). Taking m = max(x, 0) makes both exponents
    non-positive: nothing overflows and the log sees a number in [1, 2]. As in logsumexp, the
    value does not depend on m, so m is a constant for the gradient, which comes out as
    e^(x - m) / (e^-m + e^(x - m)) = sigmoid(x).
    """
    m, _, log_term = _softplus_halves(x)
    return log_term + m


def _softplus_halves(x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """The shift m = max(x, 0) (a constant), x - m <= 0, and log(e^-m + e^(x - m)) in
    [0, log 2]: softplus(x) is m plus that log, and none of the three overflows or cancels.

    e^-m, as big as x, is freed when this returns, before the caller makes arrays of its own.
    """
    m, exp_minus_m = _shift(x)
    shifted = x - m
    return m, shifted, (exp_minus_m + shifted.exp()).log()


def _with_limits(x: Tensor, f: Callable[[Tensor], Tensor], limits: Callable[[], tuple]) -> Tensor:
    """f(x) for an elementwise f, with f's limits at x = +inf and x = -inf put in there.

    The shift m = max(x, 0) makes x - m = inf - inf = nan at x = +inf, so (rule 3) f is fed
    0 at the infinite entries instead, and ``where`` puts in the limits ``limits()`` gives
    (at +inf, at -inf), which may be arrays broadcasting against x. Those entries get a
    gradient of exactly 0. A finite x costs one sum (finite exactly when every entry is, but
    for an overflow, which then takes the careful path) and nothing on the tape.
    """
    with np.errstate(over="ignore", invalid="ignore"):  # inf + -inf: the careful path below
        finite = np.isfinite(x.data.sum())
    if finite:
        return f(x)
    infinite = np.isinf(x.data)
    if not infinite.any():  # nan, or a sum that overflowed: nothing to put in
        return f(x)
    at_plus_inf, at_minus_inf = limits()
    limit = np.where(x.data > 0, at_plus_inf, at_minus_inf).astype(x.dtype, copy=False)
    return where(infinite, limit, f(where(infinite, 0.0, x)))


# ---- activations ------------------------------------------------------------------------------
def relu(x) -> Tensor:
    """ReLU: y = max(x, 0), with gradient 1 where x > 0 and 0 where x <= 0.

    The engine's ``relu`` op (tensor.py), one readable node on the tape, with every edge as
    PyTorch, JAX and tinygrad have it: the gradient at exactly 0 is 0 (the ``maximum`` op
    would split that tie, 1/2), relu(-inf) = 0, relu(nan) = nan, and an inf arriving from
    above never reaches a negative input as nan.

    Parameters
    ----------
    x : array-like or Tensor
        Any shape.

    Returns
    -------
    Tensor
        Of x's shape.
    """
    return tensor_ops.relu(_as_tensor("relu", "x", x))


def sigmoid(x) -> Tensor:
    """Logistic sigmoid: y = 1 / (1 + exp(-x)), computed without overflow.

    The engine's ``sigmoid`` op (tensor.py), one node on the tape whose rule reuses its
    output, dx = g * y * (1 - y), as exp's does. Its forward lets exp see only -|x|:
    1 / (1 + e^-x) for x >= 0 and e^x / (1 + e^x) below, so x = 1e4 gives 1 and x = -1e4
    gives 0, each with a zero gradient, instead of exp(1e4) = inf. The limits
    sigmoid(+inf) = 1 and sigmoid(-inf) = 0 hold exactly.

    Parameters
    ----------
    x : array-like or Tensor
        Any shape.

    Returns
    -------
    Tensor
        Of x's shape, values in [0, 1]; dy/dx = y (1 - y).
    """
    return tensor_ops.sigmoid(_as_tensor("sigmoid", "x", x))


def _minus_softplus_of_minus(x: Tensor) -> Tensor:
    """log sigma(x) = -softplus(-x), for finite x."""
    return -_softplus(-x)


def log_sigmoid(x) -> Tensor:
    """log(sigmoid(x)), computed without overflow or log(0).

    log sigma(x) = -log(1 + exp(-x)) = -softplus(-x), and softplus is computed with the
    log-sum-exp shift, so the log never sees 0 and exp never overflows:
    log_sigmoid(-1e4) is -1e4 exactly, where log(sigmoid(-1e4)) = -inf. The limits
    log_sigmoid(+inf) = 0 and log_sigmoid(-inf) = -inf hold (rule 3).

    Parameters
    ----------
    x : array-like or Tensor
        Any shape.

    Returns
    -------
    Tensor
        Of x's shape, values <= 0; dy/dx = 1 - sigmoid(x).
    """
    return _with_limits(
        _as_tensor("log_sigmoid", "x", x), _minus_softplus_of_minus, lambda: (0.0, -np.inf)
    )


def tanh(x) -> Tensor:
    """Hyperbolic tangent: y = (e^x - e^-x) / (e^x + e^-x), computed without overflow.

    The engine's ``tanh`` op (tensor.py): numpy's tanh never overflows, tanh(+-inf) = +-1,
    and its rule reuses the output, dx = g * (1 - y^2).

    Parameters
    ----------
    x : array-like or Tensor
        Any shape.

    Returns
    -------
    Tensor
        Of x's shape, values in [-1, 1]; dy/dx = 1 - y^2.
    """
    return tensor_ops.tanh(_as_tensor("tanh", "x", x))


# ---- softmax and log-sum-exp ------------------------------------------------------------------
def _class_axes(name: str, x: Tensor, axis, dim) -> tuple | None:
    """The axes to normalize over (-1 by default), counted from 0, refused if one holds no
    entries: a softmax over no classes."""
    axes = _axes(name, _axis_arg(name, axis, dim, default=-1), x.shape)
    for a in range(x.ndim) if axes is None else axes:
        if x.shape[a] == 0:
            raise ValueError(
                f"{name}: x has shape {x.shape}, no entries along axis {a}; "
                f"there must be at least one class"
            )
    return axes


def _row_max(x: Tensor, axes: tuple | None, shift: np.ndarray | None = None) -> np.ndarray:
    """The max along ``axes`` (kept as size-1 axes), as a constant for the gradient.

    log-sum-exp is unchanged by any shift c, LSE(x) = c + LSE(x - c), so its gradient does
    not depend on c: c can be any number, and treating it as a constant (detach) is exact.
    Choosing c = max makes the largest term exp(0) = 1, so exp never overflows and the sum is
    at least 1. A row that is entirely -inf is shifted by 0 instead (-inf - -inf is nan).
    """
    if shift is None:  # (the caller may have it already)
        shift = x.data.max(axis=axes, keepdims=True)  # on the data, off the tape: a constant
    if (shift == -np.inf).any():
        shift = np.where(shift == -np.inf, 0.0, shift)
    return shift


def _with_row_limits(
    x: Tensor,
    axes,
    keepdims: bool,
    f: Callable[..., Tensor],
    limit: Callable[[np.ndarray, np.ndarray], np.ndarray | float],
) -> Tensor:
    """f(x) for f normalizing along ``axes``, with its limit put in for rows holding +inf.

    x - max is inf - inf = nan at a +inf entry, so (rule 3) f is fed 0 there instead, and
    ``where`` puts in ``limit(top, count)`` for those rows, where ``top`` marks the +inf
    entries and ``count`` how many a row holds: the limit as they grow together. Every entry
    of such a row gets a gradient of exactly 0. A row without +inf costs nothing on the tape.
    """
    row_max = x.data.max(axis=axes, keepdims=True)  # a row holding +inf has it as its max
    if not (row_max == np.inf).any():
        return f(x, shift=row_max)  # f shifts by the row max: computed once
    top = x.data == np.inf
    count = top.sum(axis=axes, keepdims=True)
    rows = count > 0 if keepdims else (count > 0).reshape(_dropped_shape(x.shape, axes))
    limits = np.asarray(limit(top, count), dtype=x.dtype)
    return where(rows, limits, f(where(top, 0.0, x)))


def _dropped_shape(shape: tuple, axes: tuple | None) -> tuple:
    return () if axes is None else tuple(n for i, n in enumerate(shape) if i not in axes)


# The shift that the tape as taught (lse = m + log sum exp(x - m), then x_k - lse) leaves exact
# to a few ulps of max(1, |result|): its rounding is about ulp(|m|). Beyond it the taught form
# cancels (1e15 + log 2 - 1e15 keeps only 1e15's ulp, 0.125), and the shifted form takes over.
TAUGHT_SHIFT_MAX = 8.0


def _largest_shift(raw_max: np.ndarray) -> float:
    """max |m| over the rows: inf if a row holds an infinite max, nan if one holds a nan."""
    return float(np.abs(raw_max).max(initial=0.0))


def _taught_form(largest: float) -> bool:
    """True when every row max is finite and at most TAUGHT_SHIFT_MAX in size (nan: False)."""
    return largest <= TAUGHT_SHIFT_MAX


def _shifted_log_total(
    x: Tensor, axes, keepdims: bool, shift: np.ndarray | None = None
) -> tuple[Tensor, Tensor, np.ndarray]:
    """(x - m, log sum exp(x - m), m): the two halves of log-sum-exp, with m the row max.

    x - m <= 0 is exact where x is near m, and log sum exp(x - m) lies in [0, log C], so
    anything computed from these two parts alone never cancels. A row that is entirely -inf
    has the total 0, whose log -inf stands in (``where``) with a zero gradient.
    """
    shift = _row_max(x, axes, shift)  # (..., 1, ...)
    shifted = x - Tensor(shift, name="row max")  # x's shape, <= 0
    total = shifted.exp().sum(axes, keepdims=keepdims)  # >= 1
    empty = total.data == 0  # rows that were entirely -inf
    if empty.any():
        # log(0) = -inf is the right value, but its gradient 1/0 would meet exp's 0 and make
        # nan; log(1) stands in on the tape and where puts -inf in the output, sending 0 back.
        return shifted, where(empty, -np.inf, where(empty, 1.0, total).log()), shift
    return shifted, total.log(), shift


def _logsumexp(x: Tensor, axes, keepdims: bool, shift: np.ndarray | None = None) -> Tensor:
    _, log_total, shift = _shifted_log_total(x, axes, keepdims, shift)
    return log_total + Tensor(shift.reshape(log_total.shape), name="row max")


def logsumexp(x, axis=None, keepdims: bool = False, *, dim=None) -> Tensor:
    """log-sum-exp: y = log(sum_k exp(x_k)) along ``axis``, for logits of any magnitude.

    Computed as m + log(sum_k exp(x_k - m)) with m the row max (the log-sum-exp trick), so it
    is finite and exact for logits of 1e4 or -1e4. dy/dx_k = softmax(x)_k. A row that is
    entirely -inf (fully masked) gives -inf with a zero gradient, never nan; a row holding
    +inf gives +inf (rule 3).

    Parameters
    ----------
    x : array-like or Tensor
        The logits.
    axis : int or tuple of int, optional
        The axis (or axes) to reduce, -1 by default; ``dim`` is another spelling.
    keepdims : bool
        Keep the reduced axis with size 1.

    Returns
    -------
    Tensor
        Of x's shape without ``axis`` (or with it of size 1 when ``keepdims``).

    Raises
    ------
    ValueError
        Naming logsumexp, for an axis of length 0.
    IndexError
        Naming logsumexp, for an axis out of range.
    """
    x = _as_tensor("logsumexp", "x", x)
    axes = _class_axes("logsumexp", x, axis, dim)
    return _with_row_limits(
        x,
        axes,
        keepdims,
        functools.partial(_logsumexp, axes=axes, keepdims=keepdims),
        _logsumexp_limit,
    )


def _logsumexp_limit(top: np.ndarray, count: np.ndarray) -> float:
    return np.inf


def _log_softmax(x: Tensor, axes, shift: np.ndarray | None = None) -> Tensor:
    """x - logsumexp(x) while the row max is small, else (x - m) - log sum exp(x - m).

    The two are the same number; the second never cancels (logits [1e4, 1e4, 0] in float32
    give -0.693147 for log 1/2, where x - lse gives -0.69336). A row that is entirely -inf
    gets -inf everywhere, the log of softmax's all-zero row, with a zero gradient.
    """
    raw_max = x.data.max(axis=axes, keepdims=True) if shift is None else shift
    if _taught_form(_largest_shift(raw_max)):
        return x - _logsumexp(x, axes, keepdims=True, shift=raw_max)
    shifted, log_total, _ = _shifted_log_total(x, axes, True, raw_max)
    masked = raw_max == -np.inf  # (..., 1, ...): -inf - -inf would be nan
    if masked.any():
        return where(masked, -np.inf, shifted - where(masked, 0.0, log_total))
    return shifted - log_total


def log_softmax(x, axis=None, *, dim=None) -> Tensor:
    """log softmax: y_k = x_k - logsumexp(x), along ``axis``.

    Never takes the log of a probability, so a probability that underflows to 0 still has its
    true log (-200 for logits [0, 200], where log(softmax) gives -inf). The gradient is
    dx = g - softmax(x) * sum(g). A row holding +inf gets its limit: -log(number of +inf
    entries) at those, -inf elsewhere (rule 3). A row that is entirely -inf (fully masked)
    gets -inf everywhere, the log of softmax's all-zero row, with a zero gradient.

    The value is right to a few ulps at any finite logit: with m the row max, y is computed as
    x - (m + log sum exp(x - m)) while |m| <= 8 (the tape the tutorial reads), and as
    (x - m) - log sum exp(x - m) beyond, where x - (m + ...) would cancel: logits
    [1e4, 1e4, 0] in float32 give log 1/2 = -0.693147, not -0.69336.

    Parameters
    ----------
    x : array-like or Tensor
        The logits.
    axis : int, optional
        The class axis, -1 by default; ``dim`` is another spelling.

    Returns
    -------
    Tensor
        Of x's shape.

    Raises
    ------
    ValueError
        Naming log_softmax, for an axis of length 0.
    IndexError
        Naming log_softmax, for an axis out of range.
    """
    x = _as_tensor("log_softmax", "x", x)
    axes = _class_axes("log_softmax", x, axis, dim)
    return _with_row_limits(
        x, axes, True, functools.partial(_log_softmax, axes=axes), _log_softmax_limit
    )


def _log_softmax_limit(top: np.ndarray, count: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):  # log(0) = -inf for the entries that are not +inf
        return np.log(top / np.maximum(count, 1))


def _softmax(x: Tensor, axes, shift: np.ndarray | None = None) -> Tensor:
    e = (x - Tensor(_row_max(x, axes, shift), name="row max")).exp()  # each row's max: exp(0)
    total = e.sum(axes, keepdims=True)  # (..., 1, ...)
    empty = total.data == 0
    if empty.any():
        total = where(empty, 1.0, total)  # a fully masked row: 0 / 1 instead of 0 / 0
    return e / total


def softmax(x, axis=None, *, dim=None) -> Tensor:
    """softmax: y_k = exp(x_k) / sum_j exp(x_j), along ``axis``.

    The row max is subtracted first (it cancels between numerator and denominator), so
    exp never overflows. Entries of -inf get probability 0; a row that is entirely -inf gets
    all zeros (and a zero gradient) instead of 0/0; a row holding +inf gets its limit, the
    +inf entries sharing probability 1 (rule 3). The Jacobian is
    dy_k/dx_j = y_k ([k = j] - y_j).

    Parameters
    ----------
    x : array-like or Tensor
        The logits.
    axis : int, optional
        The axis to normalize over, -1 by default; ``dim`` is another spelling.

    Returns
    -------
    Tensor
        Of x's shape; each slice along ``axis`` sums to 1.

    Raises
    ------
    ValueError
        Naming softmax, for an axis of length 0.
    IndexError
        Naming softmax, for an axis out of range.
    """
    x = _as_tensor("softmax", "x", x)
    axes = _class_axes("softmax", x, axis, dim)
    return _with_row_limits(x, axes, True, functools.partial(_softmax, axes=axes), _softmax_limit)


def _softmax_limit(top: np.ndarray, count: np.ndarray) -> np.ndarray:
    return top / np.maximum(count, 1)


# ---- cross-entropy and negative log-likelihood ------------------------------------------------
def _batched(name: str, x: Tensor, target: np.ndarray, what: str) -> tuple[Tensor, np.ndarray]:
    """Give an unbatched (C,) input and its target a batch axis of size 1."""
    if x.ndim == 0:
        raise ValueError(f"{name}: {what} must have a class axis, got a 0-d tensor")
    if x.ndim == 1:
        return x.reshape(1, x.shape[0]), target[None]
    return x, target


def _n_classes(name: str, what: str, x: Tensor) -> int:
    """The size C of class axis 1, refused if 0: a softmax over no classes."""
    if x.shape[1] == 0:
        raise ValueError(
            f"{name}: {what} has shape {x.shape}, no classes along axis 1; "
            f"there must be at least one class"
        )
    return x.shape[1]


def _target_kind(name: str, what: str, shape: tuple, target: np.ndarray, allow_probs: bool) -> str:
    """'index' or 'probs', after checking the target's shape and dtype against ``shape``."""
    index_shape = shape[:1] + shape[2:]
    kind = target.dtype.kind
    expected = f"{index_shape} (class indices)"
    if allow_probs:
        expected += f" or {shape} (class probabilities)"
    if target.shape == index_shape and kind in "iu":
        return "index"
    if target.shape == shape and kind == "f" and allow_probs:
        return "probs"
    if target.shape == index_shape and kind == "f":
        raise TypeError(
            f"{name}: target has the shape {index_shape} of class indices but "
            f"dtype {target.dtype}; class indices must be integers, e.g. "
            f"np.array([...]) of ints or Tensor(..., dtype=np.int64)"
        )
    if target.shape == shape and kind in "iub" and allow_probs:
        raise TypeError(
            f"{name}: target has the shape {shape} of class probabilities but "
            f"dtype {target.dtype}; probabilities must be floating point "
            f"(or give class indices of shape {index_shape})"
        )
    if target.shape == shape and not allow_probs:
        raise ValueError(
            f"{name}: target has shape {target.shape} but {what} {shape} need "
            f"{expected}; for class probabilities use cross_entropy"
        )
    if target.shape in (index_shape, shape):
        raise TypeError(
            f"{name}: target of dtype {target.dtype} is neither integer class "
            f"indices nor floating-point probabilities"
        )
    raise ValueError(f"{name}: target has shape {target.shape} but {what} {shape} need {expected}")


def _index_target(
    name: str,
    target: np.ndarray,
    n_classes: int,
    weight: np.ndarray | None,
    ignore_index: int | None,
    dtype: np.dtype,
):
    """Check class indices; return (safe target, per-sample weights or None, their sum).

    The per-sample weight is w[y_i], or 1 without ``weight``, and 0 for an ignored sample;
    the sum of them is what "mean" divides by. Ignored samples get index 0 in the safe target
    so that indexing works; their weight of 0 removes them.
    """
    low, high = target.min(initial=0), target.max(initial=0)
    if (
        0 <= low
        and high < n_classes
        and not (ignore_index is not None and low <= ignore_index <= high)
    ):
        # the usual batch: every index a class, none ignored (two reductions instead of six)
        sample_weight = None if weight is None else weight[target]
        total = target.size if sample_weight is None else sample_weight.sum(dtype=np.float64)
        return target, sample_weight, float(total)
    keep = np.ones(target.shape, bool) if ignore_index is None else target != ignore_index
    bad = keep & ((target < 0) | (target >= n_classes))
    if bad.any():
        also = "" if ignore_index is None else f" and not ignore_index={ignore_index}"
        raise IndexError(
            f"{name}: target holds class index {int(target[bad][0])}, outside "
            f"[0, {n_classes}){also}"
        )
    if keep.all():
        safe = target
        sample_weight = None if weight is None else weight[target]
    else:
        safe = np.where(keep, target, 0)
        ones = np.ones((), dtype) if weight is None else weight[safe]
        sample_weight = np.where(keep, ones, np.zeros((), dtype)).astype(dtype, copy=False)
    denominator = target.size if sample_weight is None else sample_weight.sum(dtype=np.float64)
    return safe, sample_weight, float(denominator)


def _pick(x: Tensor, safe_target: np.ndarray) -> Tensor:
    """x[i, y_i, d1, ...]: the entry of each sample's target class (class axis 1)."""
    # arange for each non-class axis. Annotated because numpy's stubs read a shape of unknown
    # length as () and type the result an empty tuple.
    grids: tuple[np.ndarray, ...] = np.indices(safe_target.shape, sparse=True)
    return x[(grids[0], safe_target) + tuple(grids[1:])]  # (N, d1, ...)


def _class_axis_view(weight: np.ndarray, ndim: int) -> np.ndarray:
    """(C,) weights shaped (C, 1, ...) so they broadcast along class axis 1 of (N, C, d...)."""
    return weight.reshape((-1,) + (1,) * (ndim - 2))


def cross_entropy(
    logits,
    target,
    weight=None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy of softmax(logits) against class indices or class probabilities.

    The class axis is 1: logits (N, C) or (N, C, d1, ...), or an unbatched (C,) with a
    scalar target. With p = softmax(logits) along the class axis, w the class weights
    (1 when absent) and eps = ``label_smoothing``:

    - integer targets y (the logits' shape without the class axis):
      loss_i = -(1 - eps) w[y_i] log p_i,y_i - (eps / C) sum_c w_c log p_i,c;
      samples with y_i = ``ignore_index`` contribute 0, and "mean" divides the sum by
      sum_i w[y_i] over the samples not ignored; if that is 0 (every sample ignored or
      weighted 0) the mean is nan and the gradient exactly 0, as in PyTorch;
    - probability targets t (the logits' shape, one-hot or soft):
      loss_i = -sum_c w_c t'_i,c log p_i,c with t' = (1 - eps) t + eps / C, and "mean"
      divides by the number of samples.

    -log p_y is computed as logsumexp(logits) - logits_y (the log-sum-exp trick), never as
    log of a probability, so logits [0, 200] with target 0 give 200, not inf. The gradient
    with respect to the logits is (softmax - y) times the sample's weight.

    Parameters
    ----------
    logits : (N, C), (N, C, d1, ...) or (C,) array-like or Tensor
        The scores, class axis 1 (or 0 when unbatched).
    target : integer array of shape (N,), (N, d1, ...) or (), or float array of logits' shape
        Class indices, or class probabilities.
    weight : (C,) array, optional
        Class weights, finite and >= 0, a constant (no gradient flows to it).
    ignore_index : int
        The class index that marks a sample to skip (integer targets only).
    reduction : {"mean", "sum", "none"}
        "none" gives the per-sample losses, in the target's shape.
    label_smoothing : float
        eps in [0, 1].

    Returns
    -------
    Tensor
        A scalar, or per-sample losses for reduction="none".

    Raises
    ------
    ValueError
        Naming the argument, for mismatched shapes, an unknown reduction or label_smoothing
        outside [0, 1].
    TypeError
        Naming the argument, for wrong dtypes.
    IndexError
        Naming the argument, for class indices out of range.
    """
    name = "cross_entropy"
    eps = check_number(name, "label_smoothing", label_smoothing, 0, 1)
    ignore_index = check_number(name, "ignore_index", ignore_index, integer=True)
    x, target, w, unbatched = _class_inputs(
        name, "logits", logits, target, weight, reduction, allow_probs=True
    )
    n_classes = x.shape[1]
    if isinstance(target, Tensor) or target.dtype.kind == "f":  # probabilities, (N, C, d...)
        t = _smoothed_target(target, eps, w, x.ndim)  # t' = w ((1 - eps) t + eps / C)
        loss = -_log_p_times(log_softmax(x, axis=1), t).sum(axis=1)  # (N, d...)
        return _reduce_samples(loss, reduction, None, unbatched)  # "mean" over the samples
    # class indices y, (N, d...); the weight w_y is 0 for an ignored sample
    safe, w_y, denominator = _index_target(name, target, n_classes, w, ignore_index, x.dtype)
    minus_log_p_y, minus_log_p_all = _minus_log_probs(x, safe, w, eps)  # (N, d...) each
    loss = _weighted(minus_log_p_y, w_y)  # -w_y log p_y
    if eps > 0:  # (1 - eps) (-w_y log p_y) + (eps / C) sum_c w_c (-log p_c)
        kept = target != ignore_index
        assert minus_log_p_all is not None  # (eps > 0 asks for it)
        if not kept.all():
            minus_log_p_all = _weighted(minus_log_p_all, kept.astype(x.dtype))  # ignored: 0
        loss = loss * (1.0 - eps) + minus_log_p_all * (eps / n_classes)
    return _reduce_samples(loss, reduction, denominator, unbatched)


def _class_inputs(
    name: str, what: str, x, target, weight, reduction: str, allow_probs: bool
) -> tuple:
    """The checks of a loss over a class axis: (x (N, C, d...), target, w, unbatched).

    An unbatched (C,) input gets a batch axis of size 1. ``target`` comes back as integer
    class indices (N, d...), or, when ``allow_probs``, as probabilities of x's shape: a
    float Tensor as it is (so a gradient can reach it), anything else as x's dtype.
    """
    _check_reduction(name, reduction)
    x = _as_tensor(name, what, x)
    probs = target if isinstance(target, Tensor) and target.dtype.kind == "f" else None
    target = _as_array(name, "target", target)
    unbatched = x.ndim == 1
    x, target = _batched(name, x, target, what)
    if probs is not None and unbatched:
        probs = probs.reshape(target.shape)  # batched with the logits, (1, C)
    kind = _target_kind(name, what, x.shape, target, allow_probs)
    w = _class_weight(name, weight, _n_classes(name, what, x), x.dtype)
    if kind == "probs":
        target = probs if probs is not None else target.astype(x.dtype, copy=False)
    return x, target, w, unbatched


def _log_p_times(log_p: Tensor, t) -> Tensor:
    """log p * t, with 0 log 0 = 0: a class the target gives probability 0 costs nothing.

    Its log-probability may be -inf (a masked class, or the limit at a +inf logit), and
    0 * -inf is nan, so (rule 3) ``where`` feeds 0 in its place; such an entry sends a gradient
    of exactly 0 to both. Logits [inf, 1, 0] then give the limits: 0 for the target
    [1, 0, 0], inf for [0.5, 0.5, 0].
    """
    t_data = t.data if isinstance(t, Tensor) else t
    unused = (t_data == 0) & (log_p.data == -np.inf)
    if unused.any():
        log_p = where(unused, 0.0, log_p)
    return log_p * t


def _smoothed_target(t, eps: float, w: np.ndarray | None, ndim: int):
    """Label smoothing and class weights on probability targets: w ((1 - eps) t + eps / C)."""
    if eps > 0:
        t = t * (1.0 - eps) + eps / t.shape[1]  # mix in the uniform distribution
    return t if w is None else t * _class_axis_view(w, ndim)


def _minus_log_probs(
    x: Tensor, safe_target: np.ndarray, w: np.ndarray | None, eps: float
) -> tuple[Tensor, Tensor | None]:
    """-log p_y for each sample, and sum_c w_c (-log p_c) when label smoothing needs it.

    -log p_y = logsumexp(x) - x_y (the log-sum-exp trick): only the picked logits are needed,
    never an (N, C) matrix of log-probabilities, and never the log of a probability, so
    logits [0, 200] with target 0 give 200, not inf. Summed over the classes,
    sum_c w_c (lse - x_c) = lse sum(w) - sum_c w_c x_c. A row max beyond TAUGHT_SHIFT_MAX
    would make lse - x_y cancel, so the same numbers come from the shifted halves of
    log-sum-exp (:func:`_shifted_minus_log_probs`). A logit of +inf makes lse - x_y
    inf - inf, and a row entirely -inf makes it -inf - -inf; log_softmax then gives the
    limits instead (rule 3): 0 or inf.
    """
    row_max = x.data.max(axis=1, keepdims=True)  # (N, 1, d...)
    largest = _largest_shift(row_max)  # one number answers both questions below
    if largest == np.inf:
        log_p = log_softmax(x, axis=1)  # (N, C, d...), with the limits at +-inf
        weighted = _weighted(log_p, None if w is None else _class_axis_view(w, x.ndim))
        return -_pick(log_p, safe_target), (-weighted.sum(axis=1) if eps > 0 else None)
    if not _taught_form(largest):  # (a nan takes the shifted form too)
        return _shifted_minus_log_probs(x, safe_target, w, eps, row_max)
    lse = _logsumexp(x, (1,), keepdims=False, shift=row_max)  # (N, d...)
    minus_log_p_y = lse - _pick(x, safe_target)  # (N, d...)
    if eps == 0:
        return minus_log_p_y, None
    if w is None:
        return minus_log_p_y, lse * float(x.shape[1]) - x.sum(axis=1)
    weighted = _weighted(x, _class_axis_view(w, x.ndim)).sum(axis=1)  # sum_c w_c x_c
    return minus_log_p_y, lse * float(w.sum()) - weighted


def _shifted_minus_log_probs(
    x: Tensor, safe_target: np.ndarray, w: np.ndarray | None, eps: float, row_max: np.ndarray
) -> tuple[Tensor, Tensor | None]:
    """:func:`_minus_log_probs` at large logits: -log p_y = log sum exp(x - m) - (x_y - m).

    Both halves are computed without cancelling (x - m <= 0, the log in [0, log C]), so
    logits [1e15, 1e15, 5e14, -1e15] with target 0 give log 2, where lse - x_y gives 0.75.
    """
    shifted, log_total, _ = _shifted_log_total(x, (1,), False, row_max)  # (N, C, d...), (N, d...)
    minus_log_p_y = log_total - _pick(shifted, safe_target)  # (N, d...)
    if eps == 0:
        return minus_log_p_y, None
    if w is None:
        return minus_log_p_y, log_total * float(x.shape[1]) - shifted.sum(axis=1)
    weighted = _weighted(shifted, _class_axis_view(w, x.ndim)).sum(axis=1)  # sum w_c (x_c - m)
    return minus_log_p_y, log_total * float(w.sum()) - weighted


def nll_loss(
    log_probs, target, weight=None, ignore_index: int = -100, reduction: str = "mean"
) -> Tensor:
    """Negative log-likelihood of class indices given log-probabilities.

    loss_i = -w[y_i] log_probs[i, y_i], class axis 1 as in :func:`cross_entropy`, so that
    cross_entropy(x, y) = nll_loss(log_softmax(x, axis=1), y). Samples whose target is
    ``ignore_index`` contribute 0; "mean" divides by sum_i w[y_i] over the samples kept.

    Parameters
    ----------
    log_probs : (N, C), (N, C, d1, ...) or (C,) array-like or Tensor
        Log-probabilities, class axis 1 (or 0 when unbatched).
    target : integer array of shape (N,), (N, d1, ...) or ()
        Class indices.
    weight : (C,) array, optional
        Class weights, finite and >= 0 (a constant).
    ignore_index : int
        The class index that marks a sample to skip.
    reduction : {"mean", "sum", "none"}
        How the per-sample losses are combined.

    Returns
    -------
    Tensor
        A scalar, or per-sample losses for reduction="none".

    Raises
    ------
    ValueError
        Naming the argument, as :func:`cross_entropy` does.
    TypeError
        Naming the argument, as :func:`cross_entropy` does.
    IndexError
        Naming the argument, as :func:`cross_entropy` does.
    """
    name = "nll_loss"
    ignore_index = check_number(name, "ignore_index", ignore_index, integer=True)
    x, target, w, unbatched = _class_inputs(
        name, "log_probs", log_probs, target, weight, reduction, allow_probs=False
    )
    safe, w_y, denominator = _index_target(name, target, x.shape[1], w, ignore_index, x.dtype)
    loss = _weighted(-_pick(x, safe), w_y)  # -w_y log_probs_y, (N, d...)
    return _reduce_samples(loss, reduction, denominator, unbatched)


# ---- binary cross-entropy ---------------------------------------------------------------------
def _binary_target(name: str, what: str, x: Tensor, target) -> Tensor | np.ndarray:
    """The target as a constant of x's dtype (or a Tensor as is), checked to match x's shape."""
    value = _as_array(name, "target", target, numeric=False)
    if value.shape != x.shape:
        raise ValueError(
            f"{name}: target has shape {value.shape} but {what} has shape "
            f"{x.shape}; they must match"
        )
    if value.dtype.kind not in "fiub":
        raise TypeError(f"{name}: target must be numeric, got dtype {value.dtype}")
    if isinstance(target, Tensor) and value.dtype.kind == "f":
        return target
    return value.astype(x.dtype, copy=False)


def _elementwise_weight(name: str, weight, shape: tuple, dtype: np.dtype) -> np.ndarray | None:
    if weight is None:
        return None
    w = _as_array(name, "weight", weight)
    try:
        np.broadcast_shapes(w.shape, shape)
    except ValueError:
        raise ValueError(
            f"{name}: weight has shape {w.shape}, which does not broadcast to "
            f"the input's shape {shape}"
        ) from None
    _check_weight(name, "weight", w)
    return w.astype(dtype, copy=False)


def _clamped_log(p: Tensor) -> Tensor:
    """max(log p, -100), with a gradient of 0 (not nan) where p = 0.

    log(0) = -inf would be clamped to -100 in the forward pass, but backward would still
    divide by p = 0 on the way through log: 0 * (1/0) = nan. So where p = 0 the log is fed
    1 instead, and where(., -100, .) sends it a gradient of exactly 0.
    """
    positive = p.data > 0
    floor = Tensor(BCE_LOG_FLOOR, dtype=p.dtype, name="clamp: log floor")
    if positive.all():
        return maximum(p.log(), floor)
    safe_log = where(positive, p, 1.0).log()
    return where(positive, maximum(safe_log, floor), floor)


def binary_cross_entropy(probs, target, weight=None, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of probabilities: -w [y log p + (1 - y) log(1 - p)], elementwise.

    Each log is clamped at -100, as the frameworks do, so p = 0 or 1 gives a finite loss
    (at most 100). The clamp has a price: where log p < -100 the loss is flat, so its gradient
    is 0. A sigmoid that has saturated to exactly 0 or 1 (|logit| beyond about 17 in float32,
    37 in float64) therefore gets no gradient at all, however wrong it is. To train, use
    :func:`binary_cross_entropy_with_logits`, which never forms the probability.

    Parameters
    ----------
    probs : array-like or Tensor
        Probabilities in [0, 1], any shape.
    target : array-like
        Labels (0/1, or soft labels) of probs' shape.
    weight : array-like, optional
        Weights, finite and >= 0, broadcast against probs (a constant).
    reduction : {"mean", "sum", "none"}
        "mean" is over all elements.

    Returns
    -------
    Tensor
        A scalar, or elementwise losses for reduction="none".
        dloss/dp = -w (y / p - (1 - y) / (1 - p)) away from the clamp.

    Raises
    ------
    ValueError
        If a probability lies outside [0, 1], for mismatched shapes or an unknown reduction.
    """
    name = "binary_cross_entropy"
    p, y, w = _bce_arguments(name, probs, target, weight, reduction)
    loss = -(y * _clamped_log(p) + (1 - y) * _clamped_log(1 - p))  # elementwise, p's shape
    return _reduce(_weighted(loss, w), reduction)


def _bce_arguments(name: str, probs, target, weight, reduction: str) -> tuple:
    """(p, y, w) checked: probabilities in [0, 1], a target and weights that fit them."""
    _check_reduction(name, reduction)
    p = _as_tensor(name, "probs", probs)
    outside = ~((p.data >= 0) & (p.data <= 1))  # written so that nan counts as outside
    if outside.any():
        raise ValueError(
            f"{name}: probs must lie in [0, 1], got {float(p.data[outside][0])}; "
            f"for logits use binary_cross_entropy_with_logits"
        )
    y = _binary_target(name, "probs", p, target)
    return p, y, _elementwise_weight(name, weight, p.shape, p.dtype)


def binary_cross_entropy_with_logits(
    logits, target, weight=None, pos_weight=None, reduction: str = "mean"
) -> Tensor:
    """Binary cross-entropy of sigmoid(logits), in the stable form that never forms sigmoid.

    loss = -w [pos_weight y log sigma(x) + (1 - y) log(1 - sigma(x))]. Since
    log(1 - sigma(x)) = log sigma(x) - x, this is w [(1 - y) x - (pos_weight y + 1 - y)
    log sigma(x)], which without pos_weight is softplus(x) - x y. softplus is computed as
    m + log(e^-m + e^(x - m)) with m = max(x, 0), the familiar stable form
    max(x, 0) + log(1 + exp(-|x|)), and the loss is summed from terms that are never
    negative (:func:`_bce_with_logits_terms`): right to a few ulps at any finite logit. The
    gradient is w (sigmoid(x) - y) without pos_weight.

    Each element is its own binary problem, which is multi-label classification: logits (N, L)
    with labels (N, L) in {0, 1}.

    Parameters
    ----------
    logits : array-like or Tensor
        Any shape.
    target : array-like
        Labels of logits' shape (0/1 or soft).
    weight : array-like, optional
        Weights, finite and >= 0, broadcast against logits (a constant).
    pos_weight : (L,) array-like, optional
        The weight (finite, >= 0) of the positive term, broadcast over the last axis (one
        per label); > 1 raises recall, < 1 precision.
    reduction : {"mean", "sum", "none"}
        "mean" is over all elements.

    Returns
    -------
    Tensor
        A scalar, or elementwise losses for reduction="none".

    Raises
    ------
    ValueError
        For mismatched shapes or an unknown reduction.
    """
    name = "binary_cross_entropy_with_logits"
    x, y, w, pw = _bce_with_logits_arguments(name, logits, target, weight, pos_weight, reduction)
    terms = functools.partial(_bce_with_logits_terms, y=y, pw=pw)
    loss = _with_limits(x, terms, functools.partial(_bce_with_logits_limits, y, pw))  # x's shape
    return _reduce(_weighted(loss, w), reduction)


def _bce_with_logits_terms(x: Tensor, y, pw) -> Tensor:
    """The elementwise loss of binary_cross_entropy_with_logits, for finite logits x.

    With c = pos_weight y + 1 - y, the loss is c softplus(x) - pos_weight y x, and with the
    shift m = max(x, 0) (a constant), softplus(x) = m + log(e^-m + e^(x - m)), so

        loss = c log(e^-m + e^(x - m)) + m (1 - y) - pos_weight y (x - m).

    For targets in [0, 1] each of the three terms is >= 0 (the log lies in [0, log 2], m and
    1 - y are >= 0, x - m <= 0): their sum never cancels, at any logit, where
    softplus(x) - x y would (x = 1e15, y = 0.999 subtracts two numbers near 1e15). The
    gradient is c sigmoid(x) - pos_weight y, which is sigmoid(x) - y without pos_weight.
    """
    m, shifted, log_term = _softplus_halves(x)  # m, x - m, log(e^-m + e^(x - m))
    linear = _shift_times_complement(m, y)  # m (1 - y) >= 0
    del m  # (as big as x and no longer needed: freed before the rest makes its arrays)
    pw_y = y if pw is None else pw * y
    if pw is not None:
        log_term = log_term * (pw_y + (1 - y))  # c
    positive = log_term + linear
    del log_term, linear  # (each as big as x: freed before the product makes its array)
    return positive - shifted * pw_y


def _shift_times_complement(m: Tensor, y) -> Tensor:
    """m (1 - y) >= 0, the constant that takes the place of softplus's + m: computed in numpy,
    in one buffer, unless the target is a Tensor that wants a gradient."""
    if isinstance(y, Tensor) and y.requires_grad:
        return m * (1 - y)
    product = np.subtract(1, y.data if isinstance(y, Tensor) else y, dtype=m.dtype)
    product *= m.data
    return Tensor(product, name="m (1 - y)")


def _bce_with_logits_limits(y, pw) -> tuple[np.ndarray, np.ndarray]:
    """The loss at logits of +inf and -inf: (1 - y) inf and pos_weight y inf, 0 times inf
    being 0 (a sample on the right side of an infinite logit costs nothing)."""
    y = y.data if isinstance(y, Tensor) else y
    pw = 1.0 if pw is None else pw
    return np.where(y == 1, 0.0, np.inf), np.where(pw * y == 0, 0.0, np.inf)


def _bce_with_logits_arguments(
    name: str, logits, target, weight, pos_weight, reduction: str
) -> tuple:
    """(x, y, w, pos_weight) checked: a target and weights that fit the logits."""
    _check_reduction(name, reduction)
    x = _as_tensor(name, "logits", logits)
    y = _binary_target(name, "logits", x, target)
    w = _elementwise_weight(name, weight, x.shape, x.dtype)
    if pos_weight is None:
        return x, y, w, None
    pw = _as_array(name, "pos_weight", pos_weight)
    if pw.shape not in ((), (1,) * x.ndim, x.shape[-1:]):
        raise ValueError(
            f"{name}: pos_weight has shape {pw.shape} but logits "
            f"{x.shape} need one per label, shape {x.shape[-1:]}"
        )
    _check_weight(name, "pos_weight", pw)
    return x, y, w, pw.astype(x.dtype, copy=False)


# ---- contrastive losses -----------------------------------------------------------------------
def _normalize_rows(z: Tensor) -> Tensor:
    """u_i = z_i / ||z_i||, with u_i = 0 and a zero gradient for a zero row.

    The squared norm is floored at 1e-24 (norm 1e-12) so that a tiny row stays finite. A row
    of zeros (or one whose squared norm underflows to 0) has no direction: dividing it by the
    floor would give 0 but a gradient of 1e12 times g. So (rule 3) its row is fed ones instead
    and ``where`` puts 0 in its place, sending it a gradient of exactly 0.
    """
    squared = (z * z).sum(axis=1, keepdims=True)  # (M, 1)
    zero = squared.data == 0
    if zero.any():
        z = where(zero, 1.0, z)  # (M, d); a stand-in direction for the zero rows
        squared = (z * z).sum(axis=1, keepdims=True)
        return where(zero, 0.0, z / maximum(squared, 1e-24) ** 0.5)
    return z / maximum(squared, 1e-24) ** 0.5


def _similarities(u: Tensor, temperature: float) -> Tensor:
    """s_ik = u_i . u_k / tau with the diagonal k = i pushed to the most negative float.

    exp of that entry is exactly 0 after the log-sum-exp shift, which removes k = i from
    every denominator; unlike -inf it keeps every value on the tape finite (detect_anomaly
    stays quiet). The push is an added constant, so the gradient reaching s_ii is what the
    loss sends it: exactly 0, since exp(s_ii - shift) = 0.
    """
    # Scale the (M, d) factor rather than the (M, M) product: fewer elements, and two
    # different operands take the general matrix product, faster here than u @ u.T.
    s = (u * Tensor(1.0 / temperature, dtype=u.dtype, name="1 / temperature")) @ u.T  # (M, M)
    return s + Tensor(_diagonal_push(s.shape[0], s.dtype), name="diagonal push")


CACHED_PUSH_BYTES = 1 << 20  # diagonal pushes up to 1 MiB are kept: m <= 362 in float64


def _diagonal_push(m: int, dtype: np.dtype) -> np.ndarray:
    """An (m, m) constant: the most negative float on the diagonal, 0 elsewhere.

    u_i . u_i / tau >= 0, so adding it never overflows. A small one is kept for the next
    batch of the same size (read-only), since writing the diagonal of a fresh array costs a
    page per row; a large one is made for each call, so that memory returns to where it was
    after the call (8 sizes of at most 1 MiB each are kept, never a 128 MiB one).
    """
    dtype = np.dtype(dtype)
    if m * m * dtype.itemsize <= CACHED_PUSH_BYTES:
        return _cached_diagonal_push(m, dtype)
    return _make_diagonal_push(m, dtype)


@functools.lru_cache(maxsize=8)
def _cached_diagonal_push(m: int, dtype: np.dtype) -> np.ndarray:
    return _make_diagonal_push(m, dtype)


def _make_diagonal_push(m: int, dtype: np.dtype) -> np.ndarray:
    push = np.zeros((m, m), dtype=dtype)
    np.fill_diagonal(push, np.finfo(dtype).min)
    push.flags.writeable = False
    return push


def nt_xent(z_a, z_b, temperature: float = 0.5, reduction: str = "mean") -> Tensor:
    """NT-Xent, SimCLR's normalized temperature-scaled cross-entropy.

    z = concatenate(z_a, z_b) of shape (2N, d), each row L2-normalized; s = z z^T / tau.
    Anchor i's positive is its other view p(i) = (i + N) mod 2N, and

        loss_i = -log( exp(s_i,p(i)) / sum_{k != i} exp(s_ik) )
               = logsumexp_{k != i}(s_ik) - s_i,p(i),

    a (2N - 1)-way classification of the positive among the other 2N - 1 rows. Identical
    embeddings give log(2N - 1), chance level. Nothing depends on a batch size fixed in
    advance: any N >= 1 works, a short last batch included.

    Parameters
    ----------
    z_a, z_b : (N, d) array-like or Tensor
        Embeddings of two views of the same N samples.
    temperature : float
        tau > 0.
    reduction : {"mean", "sum", "none"}
        "mean" over the 2N anchors, or "none" for the (2N,) per-anchor losses.

    Returns
    -------
    Tensor
        A scalar, or (2N,) for reduction="none".

    Raises
    ------
    ValueError
        If z_a and z_b differ in shape or are not 2-D, if temperature <= 0 (or so small that
        1 / temperature overflows), or for an unknown reduction.
    """
    z_a, z_b, tau = _nt_xent_arguments(z_a, z_b, temperature, reduction)
    n = z_a.shape[0]
    u = _normalize_rows(concatenate([z_a, z_b], axis=0))  # (2N, d)
    s = _similarities(u, tau)  # (2N, 2N), diagonal removed
    positive = (np.arange(2 * n) + n) % (2 * n)  # the other view of each anchor
    loss, _ = _minus_log_probs(s, positive, None, 0.0)  # logsumexp(s_i) - s_i,p(i), (2N,)
    return _reduce(loss, reduction)


def _nt_xent_arguments(z_a, z_b, temperature, reduction: str) -> tuple:
    """(z_a, z_b, tau) checked: two views of the same shape (N, d), N >= 1, tau > 0."""
    name = "nt_xent"
    _check_reduction(name, reduction)
    tau = check_number(name, "temperature", temperature, 0, low_open=True)
    z_a, z_b = _as_tensor(name, "z_a", z_a), _as_tensor(name, "z_b", z_b)
    if z_a.shape != z_b.shape:
        raise ValueError(
            f"{name}: z_a has shape {z_a.shape} but z_b has shape {z_b.shape}; "
            f"the two views must have the same shape (N, d)"
        )
    if z_a.ndim != 2 or z_a.shape[0] == 0:
        raise ValueError(f"{name}: z_a and z_b must be (N, d) with N >= 1, got {z_a.shape}")
    _check_reciprocal(name, tau, np.result_type(z_a.dtype, z_b.dtype))
    return z_a, z_b, tau


def _check_reciprocal(name: str, tau: float, dtype: np.dtype) -> None:
    """Refuse a temperature so small that 1 / tau overflows the embeddings' dtype: every
    similarity would be inf, and the loss nan."""
    dtype = np.dtype(dtype) if np.dtype(dtype).kind == "f" else np.dtype(np.float64)
    smallest = 2.0 / float(np.finfo(dtype).max)  # u_i . u_k may round a little above 1
    if tau < smallest:
        raise ValueError(
            f"{name}: temperature must be at least {smallest:.3g} for {dtype} embeddings "
            f"(1 / temperature overflows below it, and the loss would be nan), got {tau:g}"
        )


def supcon(features, labels, temperature: float = 0.07, reduction: str = "mean") -> Tensor:
    """Supervised contrastive loss (Khosla et al. 2020, the L_out form).

    features (M, d) are L2-normalized to u; s = u u^T / tau. Anchor i's positives are
    P(i) = {p != i : labels[p] = labels[i]}, and

        loss_i = -(1 / |P(i)|) sum_{p in P(i)} log( exp(s_ip) / sum_{k != i} exp(s_ik) ).

    Anchors with no positive are left out of the mean (some implementations count them as 0
    instead, which lowers the mean); reduction="none" gives them 0. With two views of each of
    N samples, |P(i)| = 2 N_y - 1 where N_y counts the samples of i's class; with every class
    of size one (two views each) supcon equals :func:`nt_xent`.

    Parameters
    ----------
    features : (M, d) array-like or Tensor
        Embeddings.
    labels : (M,) array-like
        Class labels (compared for equality).
    temperature : float
        tau > 0.
    reduction : {"mean", "sum", "none"}
        "mean" over anchors with a positive, or "none" for the (M,) losses.

    Returns
    -------
    Tensor
        A scalar, or (M,) for reduction="none".

    Raises
    ------
    ValueError
        For features not (M, d), labels not (M,), temperature <= 0 (or so small that
        1 / temperature overflows), a batch where no anchor has a positive, or an unknown
        reduction.
    """
    f, labels, tau = _supcon_arguments(features, labels, temperature, reduction)
    same = labels[:, None] == labels[None, :]  # (M, M)
    np.fill_diagonal(same, False)  # an anchor is not its own positive
    n_positives = same.sum(axis=1)  # |P(i)|, (M,)
    _check_some_positive(labels, n_positives)
    s = _similarities(_normalize_rows(f), tau)  # (M, M), diagonal removed
    log_prob = _log_softmax(s, (1,))  # s - logsumexp(s): log softmax over k != i, (M, M)
    # The diagonal's log_prob is a huge finite negative number; the mask's 0 there keeps it out.
    mask = same.astype(f.dtype) / np.maximum(n_positives, 1)[:, None].astype(f.dtype)
    mask = Tensor(mask, name="positives / |P(i)|")
    loss = -(log_prob * mask).sum(axis=1)  # (M,), 0 for anchors without a positive
    return _reduce(loss, reduction, count=int((n_positives > 0).sum()))


def _supcon_arguments(features, labels, temperature, reduction: str) -> tuple:
    """(features, labels, tau) checked: features (M, d), one label per row, tau > 0."""
    name = "supcon"
    _check_reduction(name, reduction)
    tau = check_number(name, "temperature", temperature, 0, low_open=True)
    f = _as_tensor(name, "features", features)
    labels = _as_array(name, "labels", labels, numeric=False)
    if f.ndim != 2:
        raise ValueError(f"{name}: features must be (M, d), got shape {f.shape}")
    _check_reciprocal(name, tau, f.dtype)
    if labels.shape != (f.shape[0],):
        raise ValueError(
            f"{name}: labels has shape {labels.shape} but features "
            f"{f.shape} need ({f.shape[0]},), one label per row"
        )
    return f, labels, tau


def _check_some_positive(labels: np.ndarray, n_positives: np.ndarray) -> None:
    if not (n_positives > 0).any():
        raise ValueError(
            f"supcon: no anchor has a positive (all {labels.size} labels "
            f"differ), so the loss is undefined; each class needs >= 2 rows"
        )


# ---- hinge and entropy ------------------------------------------------------------------------
def multi_margin_loss(scores, target, margin: float = 1.0, reduction: str = "mean") -> Tensor:
    """Multi-class hinge (SVM) loss: loss_i = (1/C) sum_{j != y_i} max(0, margin - s_y + s_j).

    Divided by C as in the common framework definition; the CS231n multiclass SVM loss is
    this times C. A class contributes while it scores within ``margin`` of the correct one.

    Parameters
    ----------
    scores : (N, C) or unbatched (C,) array-like or Tensor
        The class scores.
    target : integer array of shape (N,), or () for (C,) scores
        Class indices.
    margin : float
        The required gap.
    reduction : {"mean", "sum", "none"}
        How the per-sample losses are combined.

    Returns
    -------
    Tensor
        A scalar, or (N,) for reduction="none".

    Raises
    ------
    ValueError
        For bad shapes or an unknown reduction.
    TypeError
        For bad dtypes.
    IndexError
        For class indices out of range.
    """
    x, target, margin, unbatched = _multi_margin_arguments(scores, target, margin, reduction)
    n, n_classes = x.shape
    correct = _pick(x, target).reshape(n, 1)  # s_y, (N, 1)
    others = np.ones(x.shape, dtype=bool)
    others[np.arange(n), target] = False  # the sum skips j = y
    # where, not a product with a 0/1 mask: for s_y = +inf the skipped term j = y is
    # inf - inf = nan, which where drops (sending it a gradient of exactly 0).
    with np.errstate(invalid="ignore"):
        hinge = where(others, maximum(x - correct + margin, 0.0), 0.0)  # (N, C)
    loss = hinge.sum(axis=1) / float(n_classes)  # (N,)
    return _reduce_samples(loss, reduction, None, unbatched)


def _multi_margin_arguments(scores, target, margin, reduction: str) -> tuple:
    """(scores (N, C), class indices (N,), margin, unbatched) checked."""
    name = "multi_margin_loss"
    _check_reduction(name, reduction)
    margin = check_number(name, "margin", margin)
    x = _as_tensor(name, "scores", scores)
    target = _as_array(name, "target", target)
    unbatched = x.ndim == 1
    x, target = _batched(name, x, target, "scores")
    if x.ndim != 2:
        raise ValueError(f"{name}: scores must be (N, C) or (C,), got shape {x.shape}")
    _target_kind(name, "scores", x.shape, target, allow_probs=False)
    safe, _, _ = _index_target(name, target, _n_classes(name, "scores", x), None, None, x.dtype)
    return x, safe, margin, unbatched


def entropy(p, axis=None, base: float | None = None, *, dim=None) -> Tensor:
    """Shannon entropy H(p) = -sum_k p_k log p_k along ``axis``, with 0 log 0 = 0.

    In nats by default, in bits with base=2 (divided by log(base)). The gradient is
    -(log p_k + 1) / log(base) for p_k > 0; where p_k = 0 it is taken as 0 (the true slope is
    +inf), so a distribution with zeros still gets finite gradients everywhere.

    Parameters
    ----------
    p : array-like or Tensor
        Probabilities >= 0.
    axis : int or tuple of int, optional
        The axis (or axes) holding each distribution, -1 by default; ``dim`` is another
        spelling.
    base : float, optional
        The log base (None for e, 2 for bits).

    Returns
    -------
    Tensor
        Of p's shape without ``axis``.

    Raises
    ------
    ValueError
        If p has negative entries or base is not a positive number other than 1.
    """
    p, axes, log_base = _entropy_arguments(p, axis, dim, base)
    # 0 log 0 = 0: log sees 1 where p = 0, so the term is 0 * log 1 = 0 with no -inf on the tape.
    plogp = p * where(p.data > 0, p, 1.0).log()  # p's shape
    h = -plogp.sum(axes)  # p's shape without the axes
    return h if log_base is None else h / log_base


def _entropy_arguments(p, axis, dim, base) -> tuple:
    """(p, axes, log(base) or None) checked: p >= 0, a log base > 0 other than 1."""
    name = "entropy"
    log_base = None
    if base is not None:
        b = check_number(name, "base", base, 0, low_open=True)
        if b == 1.0:
            raise ValueError(f"{name}: base must be a positive number other than 1, got {base}")
        log_base = math.log(b)
    p = _as_tensor(name, "p", p)
    axes = _axes(name, _axis_arg(name, axis, dim, default=-1), p.shape)
    if (p.data < 0).any():
        raise ValueError(
            f"{name}: p has a negative entry {float(p.data[p.data < 0][0])}; "
            f"probabilities must be >= 0"
        )
    return p, axes, log_base


# ---- regression -------------------------------------------------------------------------------
def mse_loss(input, target, reduction: str = "mean") -> Tensor:
    """Mean squared error: (input - target)^2, elementwise, then reduced.

    The gradient is 2 (input - target) / N for "mean" over N elements. A Tensor target that
    requires grad gets the opposite gradient, as in PyTorch.

    Parameters
    ----------
    input : array-like or Tensor
        Predictions, any shape.
    target : array-like or Tensor
        Of input's shape.
    reduction : {"mean", "sum", "none"}
        "mean" is over all elements.

    Returns
    -------
    Tensor
        A scalar, or elementwise losses for reduction="none".

    Raises
    ------
    ValueError
        For mismatched shapes or an unknown reduction.
    """
    name = "mse_loss"
    _check_reduction(name, reduction)
    x = _as_tensor(name, "input", input)
    y = _binary_target(name, "input", x, target)
    loss = (x - y) ** 2  # input's shape
    return _reduce(loss, reduction)
