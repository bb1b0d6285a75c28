"""Making tensors with PyTorch's names: ``tx.tensor``, ``tx.zeros``, ``tx.randn``, ``tx.arange``.

    import tinygrad_xent as tx
    x = tx.randn(4, 3, requires_grad=True)

Each factory is a small wrapper over numpy that returns a leaf :class:`~.tensor.Tensor`.

The default floating dtype is float64, not PyTorch's float32: it is what ``Tensor([1.0])``
gives, and finite differences (``tx.gradcheck``) agree with backward to about 1e-7 in float64
but only to about 1e-2 in float32. Pass ``dtype=np.float32`` for PyTorch's. Integers stay
integers, as in PyTorch: ``tx.tensor([0, 2, 1])`` and ``tx.arange(3)`` are int64, ready to
be class labels or indices.

The random factories draw from the package's one generator, which :func:`manual_seed` seeds
and the layers of ``tx.nn`` draw their initial values from too; ``rng=`` (a seed or a numpy
Generator) is the explicit way, and wins when given.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .checks import check_number
from .tensor import Tensor

# Where factories and layers given no rng= draw: fresh entropy until manual_seed.
_default_rng = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Seed the package's generator: tx.randn, tx.rand and every layer built without ``rng=``.

    ``tx.manual_seed(0)`` then the same model built twice gives the same parameters, as
    ``torch.manual_seed`` does; ``rng=`` stays the explicit way, and wins when given.

    Parameters
    ----------
    seed : int
        The seed, an integer >= 0.
    """
    global _default_rng
    _default_rng = np.random.default_rng(check_number("manual_seed", "seed", seed, 0, integer=True))


def _rng(name: str, rng) -> np.random.Generator:
    """A numpy Generator: ``rng`` itself, one seeded with the int ``rng`` (>= 0), or for None
    the package's own, which :func:`manual_seed` seeds."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return _default_rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return np.random.default_rng(check_number(name, "rng", rng, 0, integer=True))
    raise TypeError(
        f"{name}: rng must be None, an int seed >= 0 or a numpy Generator, got "
        f"{rng!r} ({type(rng).__name__})"
    )


def tensor(data, dtype=None, requires_grad: bool = False) -> Tensor:
    """A new leaf Tensor holding a copy of ``data`` (PyTorch's ``torch.tensor``).

    Parameters
    ----------
    data : number, (nested) list, numpy array or Tensor
        Floats become float64 and integers int64 (booleans stay boolean), unless ``dtype``.
    dtype : numpy dtype, optional
    requires_grad : bool
        Make it a leaf that receives ``.grad`` (floating-point data only).

    Returns
    -------
    Tensor
        Of data's shape; its memory is its own (``Tensor(array)`` shares the array's).
    """
    if isinstance(data, Tensor):
        data = data.data
    array = np.array(data, dtype=dtype)  # a copy, as torch.tensor makes
    if dtype is None and array.dtype.kind == "i":
        array = array.astype(np.int64)
    return Tensor(array, requires_grad=requires_grad)


def _shape(name: str, size: tuple) -> tuple:
    """``zeros(2, 3)`` and ``zeros((2, 3))`` both mean shape (2, 3)."""
    if len(size) == 1 and isinstance(size[0], Sequence):
        size = tuple(size[0])
    for n in size:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise TypeError(f"{name}: size must be integers >= 0, got {size!r}")
    return tuple(int(n) for n in size)


def _leaf(values: np.ndarray, dtype, requires_grad: bool) -> Tensor:
    return Tensor(values.astype(np.float64 if dtype is None else dtype), requires_grad)


def zeros(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros of shape ``size`` (ints or one tuple), float64 unless ``dtype``."""
    return _leaf(np.zeros(_shape("zeros", size)), dtype, requires_grad)


def ones(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones of shape ``size`` (ints or one tuple), float64 unless ``dtype``."""
    return _leaf(np.ones(_shape("ones", size)), dtype, requires_grad)


def full(size, fill_value: float, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor of shape ``size`` (an int or a tuple) filled with ``fill_value``."""
    size = (size,) if isinstance(size, (int, np.integer)) else size
    return _leaf(np.full(_shape("full", (size,)), fill_value), dtype, requires_grad)


def randn(*size, dtype=None, requires_grad: bool = False, rng=None) -> Tensor:
    """Samples of the standard normal N(0, 1), of shape ``size``, float64 unless ``dtype``."""
    shape = _shape("randn", size)
    return _leaf(_rng("randn", rng).standard_normal(shape), dtype, requires_grad)


def rand(*size, dtype=None, requires_grad: bool = False, rng=None) -> Tensor:
    """Samples uniform in [0, 1), of shape ``size``, float64 unless ``dtype``."""
    return _leaf(_rng("rand", rng).random(_shape("rand", size)), dtype, requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad: bool = False) -> Tensor:
    """The numbers start, start + step, ... below ``end`` (``arange(n)``: 0 to n - 1).

    Integers give int64, as in numpy and PyTorch; any float gives float64.
    """
    values = np.arange(start, end, step) if end is not None else np.arange(start)
    if dtype is None:
        dtype = np.int64 if values.dtype.kind == "i" else np.float64
    return Tensor(values.astype(dtype), requires_grad)


def zeros_like(x, dtype=None, requires_grad: bool = False) -> Tensor:
    """Zeros of x's shape and dtype (or ``dtype``)."""
    return zeros(*np.shape(_data(x)), dtype=dtype or _data(x).dtype, requires_grad=requires_grad)


def ones_like(x, dtype=None, requires_grad: bool = False) -> Tensor:
    """Ones of x's shape and dtype (or ``dtype``)."""
    return ones(*np.shape(_data(x)), dtype=dtype or _data(x).dtype, requires_grad=requires_grad)


def full_like(x, fill_value: float, dtype=None, requires_grad: bool = False) -> Tensor:
    """``fill_value`` in x's shape and dtype (or ``dtype``)."""
    data = _data(x)
    return full(data.shape, fill_value, dtype or data.dtype, requires_grad)


def randn_like(x, dtype=None, requires_grad: bool = False, rng=None) -> Tensor:
    """Standard normal samples of x's shape, in x's dtype (or ``dtype``)."""
    data = _data(x)
    return randn(*data.shape, dtype=dtype or data.dtype, requires_grad=requires_grad, rng=rng)


def rand_like(x, dtype=None, requires_grad: bool = False, rng=None) -> Tensor:
    """Uniform samples in [0, 1) of x's shape, in x's dtype (or ``dtype``)."""
    data = _data(x)
    return rand(*data.shape, dtype=dtype or data.dtype, requires_grad=requires_grad, rng=rng)


def _data(x) -> np.ndarray:
    return x.data if isinstance(x, Tensor) else np.asarray(x)
