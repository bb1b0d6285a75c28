"""Layers: Module, Linear, ReLU, Tanh, Sequential and MLP, composed from the engine's ops; the
losses as modules (CrossEntropyLoss, NLLLoss, BCELoss, BCEWithLogitsLoss, MSELoss).

A layer owns leaf Tensors with ``requires_grad=True`` (its parameters) and a ``forward`` that
computes with ops, so backward needs nothing from this file: the tape already knows how to send
gradients through ``x @ W + b``.

Linear layers are initialised as the big frameworks do: every weight and bias uniform in
``[-1/sqrt(in_features), +1/sqrt(in_features)]``, so that a unit's output starts with a variance
that does not grow with the number of inputs. :class:`MLP` then scales its last layer down
(``out_scale``) so the logits start near zero: a softmax of near-equal logits is uniform over the
C classes, and the cross-entropy of a uniform guess is exactly ``log C``. Training starts at
chance and the loss curve shows every bit the model learns.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TypeVar

import numpy as np

from . import functional as F
from .checks import check_number
from .factories import _rng
from .factories import manual_seed as manual_seed  # nn.manual_seed, where it was first
from .tensor import Tensor

M = TypeVar("M", bound="Module")


class Module:
    """Base class of layers and models: parameters found by walking the attributes.

    A parameter is any attribute that is a Tensor with ``requires_grad=True``; attributes that
    are Modules (or lists of Modules) are walked in turn, so names read like paths:
    ``encoder.weight``, ``blocks.1.bias``; a Sequential names its layers by position, as
    PyTorch does: ``0.weight``, ``2.bias``. Subclasses write ``forward``; calling the module
    calls it.

    Attributes
    ----------
    training : bool
        True (the default) in training mode, False after :meth:`eval`.
    """

    training: bool = True

    def forward(self, x: Tensor) -> Tensor:
        """The layer's output for input ``x``; each subclass writes it with ops."""
        raise NotImplementedError(f"{type(self).__name__} must define forward(x)")

    def __call__(self, x) -> Tensor:
        return self.forward(x)

    def train(self: M, mode: bool = True) -> M:
        """Set ``training`` to ``mode`` in this module and every module inside it.

        PyTorch's spelling. No layer here computes differently in the two modes (there is no
        dropout or batch norm), so the flag records the mode for code that asks for it.

        Parameters
        ----------
        mode : bool
            True for training mode, False for evaluation mode.

        Returns
        -------
        Module
            This module, so that ``model = MLP(...).eval()`` reads as in PyTorch.
        """
        self.training = bool(mode)
        for value in vars(self).values():
            for item in value if isinstance(value, (list, tuple)) else (value,):
                if isinstance(item, Module):
                    item.train(mode)
        return self

    def eval(self: M) -> M:
        """Evaluation mode: ``train(False)``. Returns this module."""
        return self.train(False)

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        """Yield ``(name, tensor)`` for every parameter, in the order the attributes were set.

        A tensor shared by two layers is yielded once, under its first name, so an optimizer
        does not update it twice.
        """
        seen = set()
        for name, tensor in self._walk(prefix):
            if id(tensor) not in seen:
                seen.add(id(tensor))
                yield name, tensor

    def _walk(self, prefix: str) -> Iterator[tuple[str, Tensor]]:
        for attr, value in vars(self).items():
            yield from _parameters_in(prefix + attr, value)

    def __setattr__(self, attr: str, value) -> None:
        """Set the attribute, and name the parameters it holds by their path from here.

        Models are built inside out (the layers first), so the outermost module names a
        parameter last, with its full path: ``tx.explain`` and ``tx.draw`` then show
        ``0.weight`` where they would show ``leaf 3``.
        """
        object.__setattr__(self, attr, value)
        for name, tensor in self._walk(""):
            tensor.name = name

    def parameters(self) -> list[Tensor]:
        """The parameter tensors, the list an optimizer takes."""
        return [tensor for _, tensor in self.named_parameters()]

    def zero_grad(self) -> None:
        """Forget every parameter's accumulated gradient."""
        for tensor in self.parameters():
            tensor.zero_grad()

    def state_dict(self) -> dict[str, np.ndarray]:
        """A copy of every parameter's values, by name: what ``tx.save`` writes."""
        return {name: tensor.data.copy() for name, tensor in self.named_parameters()}

    def load_state_dict(self, state: Mapping) -> None:
        """Copy the values in ``state`` into the parameters of the same names, atomically.

        Every parameter must be present with its exact shape, a real numeric dtype and finite
        values, and nothing else may be there; the values are cast to each parameter's dtype
        (and must stay finite in it). Everything is checked before anything is assigned, so
        nothing is changed unless all of it fits.

        Parameters
        ----------
        state : Mapping of str to array or Tensor
            Names to values, e.g. ``tx.load(path)``.

        Raises
        ------
        TypeError
            If ``state`` is not a mapping.
        ValueError
            Naming every missing or unexpected key, every key whose shape differs (with its
            shape in the state and in the model), and every value that is not a finite number.
        """
        name = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state, Mapping):
            raise TypeError(
                f"{name}: state must be a mapping of parameter names to arrays "
                f"(e.g. tx.load(path)), got {type(state).__name__}"
            )
        params = dict(self.named_parameters())
        problems, values = [], {}
        for key, tensor in params.items():
            if key not in state:
                problems.append(
                    f"'{key}' is missing from the state (shape {tensor.shape} in the model)"
                )
                continue
            values[key], problem = _fitted(key, state[key], tensor)
            if problem:
                problems.append(problem)
        for key in state:
            if key not in params:
                extra = _as_array(state[key])
                shape = "" if extra is None else f" (shape {extra.shape} in the state)"
                problems.append(f"'{key}'{shape} is not a parameter of the model")
        if problems:
            raise ValueError(
                f"{name}: the state does not fit this {type(self).__name__}: " + "; ".join(problems)
            )
        for key, tensor in params.items():
            # In place, so an optimizer that already holds these tensors keeps working.
            tensor.data[...] = values[key]

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _fitted(key: str, given, tensor: Tensor) -> tuple[np.ndarray | None, str | None]:
    """``given`` as a new array of ``tensor``'s dtype, or what keeps it from fitting."""
    value = _as_array(given)
    if value is None:
        return None, f"'{key}' is not an array ({type(given).__name__})"
    if value.shape != tensor.shape:
        return None, (
            f"'{key}' has shape {value.shape} in the state but {tensor.shape} in the model"
        )
    if value.dtype.kind not in "fiu":
        return None, (
            f"'{key}' has dtype {value.dtype} in the state; a parameter needs real numbers"
        )
    with np.errstate(over="ignore"):  # an overflow shows as inf, refused below
        value = value.astype(tensor.dtype)  # a copy: the state stays unshared
    if not np.isfinite(value).all():
        return None, f"'{key}' holds nan or inf (as {tensor.dtype})"
    return value, None


def _as_array(value) -> np.ndarray | None:
    """A state value as an array (a Tensor's data), or None if numpy cannot make one."""
    try:
        return np.asarray(value.data if isinstance(value, Tensor) else value)
    except (ValueError, TypeError):  # a ragged list, or an object numpy refuses
        return None


def _parameters_in(name: str, value) -> Iterator[tuple[str, Tensor]]:
    """The parameters an attribute called ``name`` holds: itself, or those of its modules."""
    if isinstance(value, Tensor) and value.requires_grad:
        yield name, value
    elif isinstance(value, Module):
        yield from value._walk(name + ".")
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            if isinstance(item, Module):
                yield from item._walk(f"{name}.{i}.")


def _float_dtype(name: str, dtype) -> np.dtype:
    """float32 or float64, the dtypes a parameter can have."""
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        dtype = None
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"{name}: dtype must be np.float32 or np.float64, got {dtype!r}")
    return dtype


class Linear(Module):
    """y = x @ W + b, with W of shape (in_features, out_features) and b of shape (out_features,).

    W is stored inputs-by-outputs so the forward pass reads left to right like the math
    (frameworks that store (out, in) compute ``x @ W.T`` instead; the numbers are the same).
    Both W and b start uniform in [-1/sqrt(in_features), 1/sqrt(in_features)].

    Parameters
    ----------
    in_features, out_features : int
        Sizes of the input and output feature axes, each >= 1.
    bias : bool
        Add the learnable bias b.
    rng : None, int or numpy.random.Generator
        The initial values' source: None (the Generator :func:`manual_seed` seeds), an
        int seed, or a numpy Generator.
    dtype : numpy dtype
        float64 (default) or float32; the parameters and outputs keep it.

    Raises
    ------
    TypeError
        Naming the argument, for a size that is not an integer, a bias that is not a bool, or
        an rng or dtype of the wrong type.
    ValueError
        Naming the argument, for a size < 1 or a negative seed.
    """

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True, rng=None, dtype=np.float64
    ):
        in_features = check_number("Linear", "in_features", in_features, 1, integer=True)
        out_features = check_number("Linear", "out_features", out_features, 1, integer=True)
        if not isinstance(bias, (bool, np.bool_)):
            raise TypeError(f"Linear: bias must be True or False, got {bias!r}")
        dtype = _float_dtype("Linear", dtype)
        rng = _rng("Linear", rng)
        bound = 1.0 / np.sqrt(in_features)
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        w = rng.uniform(-bound, bound, size=(in_features, out_features))
        self.weight = Tensor(w.astype(dtype), requires_grad=True)
        self.bias = None
        if bias:
            b = rng.uniform(-bound, bound, size=(out_features,))
            self.bias = Tensor(b.astype(dtype), requires_grad=True)

    def forward(self, x) -> Tensor:
        """y = x @ W + b for x of shape (..., in_features); y is (..., out_features).

        Raises
        ------
        ValueError
            If the last axis of ``x`` is not ``in_features`` long.
        """
        x = x if isinstance(x, Tensor) else Tensor(x)
        if x.shape[-1:] != (self.in_features,):
            raise ValueError(
                f"Linear: input has shape {x.shape} but this layer needs "
                f"(..., {self.in_features}) features"
            )
        y = x @ self.weight  # (N, in) @ (in, out) -> (N, out)
        return y if self.bias is None else y + self.bias

    def __repr__(self) -> str:
        return f"Linear({self.in_features}, {self.out_features}, bias={self.bias is not None})"


class ReLU(Module):
    """y = max(x, 0), elementwise."""

    def forward(self, x: Tensor) -> Tensor:
        """max(x, 0), elementwise."""
        return F.relu(x)

    def __repr__(self) -> str:
        return "ReLU()"


class Tanh(Module):
    """y = tanh(x), elementwise."""

    def forward(self, x: Tensor) -> Tensor:
        """tanh(x), elementwise."""
        return F.tanh(x)

    def __repr__(self) -> str:
        return "Tanh()"


class Sequential(Module):
    """Apply ``layers`` one after the other: y = layers[-1](... layers[0](x))."""

    def __init__(self, *layers: Module):
        for i, layer in enumerate(layers):
            if not isinstance(layer, Module):
                raise TypeError(
                    f"Sequential: layer {i} must be a Module, got {type(layer).__name__}"
                )
        self.layers = list(layers)

    def _walk(self, prefix: str) -> Iterator[tuple[str, Tensor]]:
        # By position alone, as torch.nn.Sequential names them: 0.weight, 2.bias.
        for i, layer in enumerate(self.layers):
            yield from layer._walk(f"{prefix}{i}.")

    def forward(self, x) -> Tensor:
        """Each layer's output fed to the next, the last one's returned."""
        for layer in self.layers:
            x = layer(x)
        return x

    def __getitem__(self, index: int | slice) -> Module:
        """``model[i]`` is layer i (from the end if negative); ``model[a:b]`` is a Sequential
        of those layers, sharing their parameters (as in PyTorch)."""
        if isinstance(index, slice):
            return Sequential(*self.layers[index])
        if not isinstance(index, (int, np.integer)):
            raise TypeError(
                f"Sequential: index must be an int or a slice, got {type(index).__name__}"
            )
        if not -len(self.layers) <= index < len(self.layers):
            raise IndexError(
                f"Sequential: index {index} is out of range for {len(self.layers)} layers"
            )
        return self.layers[index]

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self) -> Iterator[Module]:
        return iter(self.layers)

    def __repr__(self) -> str:
        inner = ",\n".join(f"  ({i}) {layer!r}" for i, layer in enumerate(self.layers))
        return f"{type(self).__name__}(\n{inner}\n)"


ACTIVATIONS = {"relu": ReLU, "tanh": Tanh}


class MLP(Sequential):
    """A multi-layer perceptron: Linear, activation, Linear, ..., Linear (no final activation).

    Parameters
    ----------
    sizes : list of int
        Feature sizes from input to output, e.g. ``[2, 100, 3]`` for 2 inputs, one hidden
        layer of 100 units and 3 outputs (logits). ``[2, 3]`` is a linear model.
    activation : str
        "relu" or "tanh", between the Linear layers.
    rng : None, int or numpy.random.Generator
        The initial values' source: None (the Generator :func:`manual_seed` seeds), an
        int seed, or a numpy Generator.
    out_scale : float
        Factor (a finite number > 0) on the last layer's initial weight and bias. Small
        (0.01) makes the logits near zero, so the softmax is near uniform and the first
        cross-entropy is near log C, the loss of guessing; 1.0 keeps the plain framework
        initialisation.
    dtype : numpy dtype
        float64 (default) or float32.

    Raises
    ------
    TypeError
        Naming the argument, for sizes that are not a list of integers, or an out_scale, rng or
        dtype of the wrong type.
    ValueError
        Naming the argument, for fewer than two sizes, a size < 1, an unknown activation, an
        out_scale that is not > 0 or a negative seed.
    """

    def __init__(
        self, sizes, activation: str = "relu", rng=None, out_scale: float = 0.01, dtype=np.float64
    ):
        if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__iter__"):
            raise TypeError(f"MLP: sizes must be a list of integers, got {sizes!r}")
        sizes = [
            check_number("MLP", f"sizes[{i}]", size, 1, integer=True)
            for i, size in enumerate(sizes)
        ]
        if len(sizes) < 2:
            raise ValueError(f"MLP: sizes needs at least an input and an output size, got {sizes}")
        if not isinstance(activation, str) or activation not in ACTIVATIONS:
            raise ValueError(
                f"MLP: activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}"
            )
        out_scale = check_number("MLP", "out_scale", out_scale, 0, low_open=True)
        rng = _rng("MLP", rng)
        layers: list[Module] = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            if i > 0:
                layers.append(ACTIVATIONS[activation]())
            last = Linear(n_in, n_out, rng=rng, dtype=dtype)
            layers.append(last)
        for tensor in last.parameters():  # the last layer's weight and bias
            tensor.data *= out_scale
        super().__init__(*layers)
        self.sizes = sizes


# ---- PyTorch's layout -------------------------------------------------------------------------
def _transposed_in_torch(model: Module) -> Iterator[tuple[str, Tensor, bool]]:
    """(name, tensor, stored transposed in PyTorch) for every parameter.

    The names are PyTorch's too (a Sequential's layers by position, ``0.weight``; a list of
    modules is a ``ModuleList`` there, ``blocks.0.weight``); only the layout differs: PyTorch
    stores a Linear weight as (out_features, in_features).
    """
    linear_weights = {id(module.weight) for module in _modules(model) if isinstance(module, Linear)}
    for name, tensor in model.named_parameters():
        yield name, tensor, id(tensor) in linear_weights


def _modules(module: Module) -> Iterator[Module]:
    """The module and every module inside it."""
    yield module
    for value in vars(module).values():
        for item in value if isinstance(value, (list, tuple)) else (value,):
            if isinstance(item, Module):
                yield from _modules(item)


def _check_ours(caller: str, model: object) -> None:
    """Refuse anything but this package's modules, a PyTorch module first of all.

    A ``torch.nn.Module`` has ``named_parameters`` too, so without this check
    ``torch_state_dict(torch_model)`` would return the PyTorch model's own weights, looking
    like an export that worked.
    """
    if not isinstance(model, Module):
        kind = f"{type(model).__module__}.{type(model).__qualname__}"
        hint = (
            "; a PyTorch model has its own state_dict() already in PyTorch's layout"
            if kind.startswith("torch.")
            else ""
        )
        raise TypeError(
            f"{caller}: model must be one of this package's modules (nn.MLP, nn.Sequential, "
            f"a nn.Module subclass), got {kind}{hint}"
        )


def torch_state_dict(model: Module) -> dict[str, np.ndarray]:
    """The parameters in PyTorch's names and layout, for ``torch_model.load_state_dict``.

    ``MLP([2, 100, 3])`` gives ``0.weight`` (100, 2), ``0.bias`` (100,), ``2.weight`` (3, 100)
    and ``2.bias`` (3,): the keys and shapes of ``torch.nn.Sequential(nn.Linear(2, 100),
    nn.ReLU(), nn.Linear(100, 3))``. Each Linear weight is transposed, since PyTorch computes
    ``y = x @ W.T + b`` with W of shape (out, in). In PyTorch::

        torch_model.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()})

    Parameters
    ----------
    model : Module
        Any model built from this package's layers.

    Returns
    -------
    dict of str to np.ndarray
        A fresh contiguous copy of every parameter, in the order PyTorch lists them.

    Raises
    ------
    TypeError
        If ``model`` is not one of this package's modules (a PyTorch module, say).
    """
    _check_ours("torch_state_dict", model)
    return {
        name: np.array(tensor.data.T if transposed else tensor.data, order="C")
        for name, tensor, transposed in _transposed_in_torch(model)
    }


def load_torch_state_dict(model: Module, state: dict) -> None:
    """Load a state in PyTorch's names and layout (see :func:`torch_state_dict`).

    Each Linear weight is transposed back to (in, out) and every key renamed, then
    ``model.load_state_dict`` checks the shapes and copies. Nothing changes unless all of it
    fits.

    Parameters
    ----------
    model : Module
        The model to load into.
    state : dict of str to array
        From :func:`torch_state_dict` or from PyTorch's ``state_dict()``, with each tensor
        turned into a numpy array (``.numpy()``).

    Raises
    ------
    TypeError
        If ``model`` is not one of this package's modules (a PyTorch module, say).
    ValueError
        Naming, in PyTorch's names, every key the model needs that ``state`` lacks and every
        key of ``state`` the model does not have; or, from ``load_state_dict``, a shape that
        differs (in this package's names and layout).
    """
    _check_ours("load_torch_state_dict", model)
    transposed = {name: flag for name, _, flag in _transposed_in_torch(model)}
    missing = [key for key in transposed if key not in state]
    unexpected = [key for key in state if key not in transposed]
    if missing or unexpected:
        raise ValueError(
            f"load_torch_state_dict: the state does not fit this "
            f"{type(model).__name__}: missing {missing}, unexpected {unexpected} "
            f"(PyTorch's names, e.g. {list(transposed)[:2]})"
        )
    model.load_state_dict(
        {key: np.asarray(state[key]).T if flag else state[key] for key, flag in transposed.items()}
    )


# ---- the losses as modules, PyTorch's form: loss_fn = nn.CrossEntropyLoss(); loss_fn(x, y) ----
class Loss:
    """A loss with its settings fixed: ``loss_fn(input, target)`` calls the function of
    :mod:`tinygrad_xent.functional` named by ``function`` with them.

    Not a :class:`Module`: it has no parameters, and it takes two inputs where a layer takes
    one. Each subclass keeps PyTorch's name, arguments and defaults.
    """

    function: str = ""

    def __init__(self, **settings) -> None:
        self.settings = settings

    def __call__(self, input, target) -> Tensor:
        return self.forward(input, target)

    def forward(self, input, target) -> Tensor:
        """The loss of ``input`` against ``target``: ``F.<function>(input, target, ...)``."""
        return getattr(F, self.function)(input, target, **self.settings)

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.settings.items() if v is not None)
        return f"{type(self).__name__}({shown})"


class CrossEntropyLoss(Loss):
    """:func:`tinygrad_xent.functional.cross_entropy` as a module (logits and class targets)."""

    function = "cross_entropy"

    def __init__(
        self,
        weight=None,
        ignore_index: int = -100,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(
            weight=weight,
            ignore_index=ignore_index,
            reduction=reduction,
            label_smoothing=label_smoothing,
        )


class NLLLoss(Loss):
    """:func:`tinygrad_xent.functional.nll_loss` as a module (log-probabilities, classes)."""

    function = "nll_loss"

    def __init__(self, weight=None, ignore_index: int = -100, reduction: str = "mean") -> None:
        super().__init__(weight=weight, ignore_index=ignore_index, reduction=reduction)


class BCELoss(Loss):
    """:func:`tinygrad_xent.functional.binary_cross_entropy` as a module (probabilities)."""

    function = "binary_cross_entropy"

    def __init__(self, weight=None, reduction: str = "mean") -> None:
        super().__init__(weight=weight, reduction=reduction)


class BCEWithLogitsLoss(Loss):
    """:func:`tinygrad_xent.functional.binary_cross_entropy_with_logits` as a module."""

    function = "binary_cross_entropy_with_logits"

    def __init__(self, weight=None, reduction: str = "mean", pos_weight=None) -> None:
        super().__init__(weight=weight, pos_weight=pos_weight, reduction=reduction)


class MSELoss(Loss):
    """:func:`tinygrad_xent.functional.mse_loss` as a module: the mean squared error."""

    function = "mse_loss"

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__(reduction=reduction)
