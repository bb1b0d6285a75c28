"""The training loop: ``fit`` runs forward, loss, backward, step, and remembers every loss.

A classifier that knows nothing spreads its probability evenly over the C classes, and the
cross-entropy of that guess is -log(1/C) = log C. The default models start there (see
``nn.MLP``'s ``out_scale``), so ``fit`` prints the first loss beside log C, and the loss curve
is read against it: everything below the chance line is something the model has learned.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from . import functional as F
from .autograd import no_grad
from .checks import check_number
from .data import batches
from .nn import Module
from .optim import SGD, Optimizer
from .tensor import Tensor


class Diverged(FloatingPointError):
    """The loss became nan or inf; ``step`` is where, ``loss`` the value it took.

    The message names the cause fit can see. At step 0 no update has run yet, so the learning
    rate cannot be the cause: the model's initial values or the loss function gave the nan.
    If a parameter is nan (and none is inf) while the loss before was no higher than at the
    start, an update computed nan out of finite numbers (a 0/0 in the optimizer), which a
    smaller learning rate does not cure; ``cause`` is then "optimizer". Otherwise the updates
    overshot: ``cause`` is "overshoot" and the hint is a smaller learning rate.

    It survives pickling (a run in a process pool reports it as itself), since its arguments
    are kept.
    """

    def __init__(
        self, step: int, loss: float, last_finite: float | None = None, cause: str = "overshoot"
    ):
        self.step = step
        self.loss = loss
        self.last_finite = last_finite
        self.cause = "start" if step == 0 else cause
        super().__init__(self._message())

    def __reduce__(self):
        return type(self), (self.step, self.loss, self.last_finite, self.cause)

    def _message(self) -> str:
        step, loss = self.step, self.loss
        if self.cause == "start":
            return (
                f"the loss is {loss} at step 0, before any update (so not "
                f"because of the learning rate): the model's initial values, "
                f"its output or the loss function give {loss}"
            )
        before = (
            ""
            if self.last_finite is None
            else f" (it was {self.last_finite:.4g} at step {step - 1})"
        )
        if self.cause == "optimizer":
            return (
                f"the loss became {loss} at step {step}{before}: the optimizer's last "
                f"update made a parameter nan while the loss was not growing, a 0/0 in the "
                f"update rather than an overshoot; check the optimizer's settings (a "
                f"smaller learning rate will not help)"
            )
        return (
            f"the loss became {loss} at step {step}{before}: the updates "
            f"overshoot, try a smaller learning rate"
        )


def _cause(model: Module, history: History) -> str:
    """What made the loss nan: "optimizer" if a parameter is nan, none is inf, and the last
    loss was no higher than the first (nothing grew: an update made nan out of finite
    numbers); else "overshoot"."""
    data = [p.data for p in model.parameters()]
    if not any(np.isnan(d).any() for d in data) or any(np.isinf(d).any() for d in data):
        return "overshoot"
    return "optimizer" if history.loss and history.loss[-1] <= history.loss[0] else "overshoot"


@dataclass(repr=False)
class History:
    """What a run of :func:`fit` went through.

    Attributes
    ----------
    loss : list of float
        The loss at each step, of the batch that step saw, before its update.
    accuracy : list of float
        The share of that batch classified right at each step (nan if the targets are not
        class labels).
    chance : float
        log C, the loss of a uniform guess over the C classes.
    n_classes : int
        C, the width of the model's output.
    final_loss, final_accuracy : float
        On all of (x, y) after the last step.
    seconds : float
        Wall-clock time of the steps.
    """

    loss: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)
    chance: float = math.nan
    n_classes: int = 0
    final_loss: float = math.nan
    final_accuracy: float = math.nan
    seconds: float = 0.0

    def __repr__(self) -> str:
        """One line: steps, first and last loss against log C, final accuracy, time."""
        if not self.loss:
            return "History(no steps)"
        accuracy = (
            ""
            if math.isnan(self.final_accuracy)
            else f", final accuracy {100 * self.final_accuracy:.1f}%"
        )
        return (
            f"History({len(self.loss)} steps, loss {self.loss[0]:.4f} -> {self.loss[-1]:.4f} "
            f"(chance log {self.n_classes} = {self.chance:.4f}), final loss "
            f"{self.final_loss:.4f}{accuracy}, {self.seconds:.1f} s)"
        )

    @property
    def initial_loss(self) -> float:
        """The loss before any update: near ``chance`` for a model that starts at chance."""
        return self.loss[0] if self.loss else math.nan

    @property
    def steps_per_second(self) -> float:
        """Steps run per second of wall-clock time (nan before any step)."""
        return len(self.loss) / self.seconds if self.seconds > 0 else math.nan


def accuracy(logits, y) -> float:
    """The share of rows whose largest logit is at the target class: mean(argmax(logits) == y).

    Parameters
    ----------
    logits : (N, C) Tensor or array
        The scores of each row's classes.
    y : (N,) Tensor or array of int
        The class labels.

    Returns
    -------
    float
        In [0, 1], or nan if ``y`` is not (N,) integer labels.
    """
    scores = logits.data if isinstance(logits, Tensor) else np.asarray(logits)
    y = y.data if isinstance(y, Tensor) else np.asarray(y)
    if scores.ndim != 2 or y.shape != scores.shape[:1] or y.dtype.kind not in "iu":
        return math.nan
    return float(np.mean(scores.argmax(axis=1) == y))


@no_grad()
def evaluate(model: Module, x, y, loss: Callable = F.cross_entropy) -> tuple[float, float]:
    """The loss and accuracy of ``model`` on (x, y), with nothing recorded on the tape.

    Parameters
    ----------
    model : Module
        Maps x (N, D) to logits (N, C).
    x : (N, D) array or Tensor
        The inputs.
    y : (N,) array of int
        The class labels (or whatever ``loss`` takes as its second argument).
    loss : callable
        ``loss(logits, y) -> scalar Tensor``; cross-entropy by default.

    Returns
    -------
    loss : float
        The loss over all of (x, y).
    accuracy : float
        As :func:`accuracy` gives it.
    """
    logits = model(Tensor(x))
    return float(loss(logits, y).item()), accuracy(logits, y)


def fit(
    model: Module,
    x,
    y,
    loss: Callable = F.cross_entropy,
    optimizer: Optimizer | None = None,
    steps: int = 1000,
    batch_size: int | None = None,
    seed: int | np.random.Generator = 0,
    log_every: int = 100,
    print_fn: Callable = print,
) -> History:
    """Train ``model`` on (x, y): ``steps`` times, forward, loss, backward, optimizer step.

    Parameters
    ----------
    model : Module
        Maps x (N, D) to logits (N, C).
    x : (N, D) array or Tensor
        The inputs (float32 stays float32).
    y : (N,) array of int
        The class labels (or whatever ``loss`` takes as its second argument).
    loss : callable
        ``loss(logits, y) -> scalar Tensor``; cross-entropy by default.
    optimizer : Optimizer or None
        An optimizer over ``model.parameters()``; None is plain SGD with lr 0.1.
    steps : int
        The number of updates, >= 1.
    batch_size : int or None
        Samples per step, drawn by reshuffling each pass; None or 0 is full batch (and so is
        any size >= N); otherwise an integer >= 1.
    seed : int or numpy.random.Generator
        An integer >= 0 or a Generator, for the batch order (the model's initial values come
        from its own rng).
    log_every : int
        Print a progress line every this many steps (and at the first and last step); 0
        prints nothing.
    print_fn : callable
        Where progress lines go.

    Returns
    -------
    History
        The per-step losses and accuracies, log C, and the final loss and accuracy.

    Raises
    ------
    TypeError
        Naming the argument, for a setting of the wrong type (before step 0).
    ValueError
        Naming the argument, for a setting out of its domain, for x and y of different
        lengths or with no sample, and for nan or inf in x or y (before step 0).
    Diverged
        If the loss becomes nan or inf, naming the step.
    """
    steps = check_number("fit", "steps", steps, 1, integer=True)
    log_every = check_number("fit", "log_every", log_every, 0, integer=True)
    batch_size = (
        0 if batch_size is None else check_number("fit", "batch_size", batch_size, 0, integer=True)
    )
    rng = (
        seed
        if isinstance(seed, np.random.Generator)
        else np.random.default_rng(check_number("fit", "seed", seed, 0, integer=True))
    )
    if optimizer is not None and not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"fit: optimizer must be an Optimizer (e.g. optim.SGD), got {type(optimizer).__name__}"
        )
    x = x if isinstance(x, Tensor) else Tensor(x)
    y = y.data if isinstance(y, Tensor) else np.asarray(y)
    if x.ndim == 0 or y.ndim == 0 or len(y) != len(x) or len(y) == 0:
        raise ValueError(
            f"fit: x has shape {x.shape} and y {y.shape}; they need the same "
            f"number (>= 1) of samples along their first axis"
        )
    for arg, values in (("x", x.data), ("y", y)):
        _check_finite_data(arg, values)
    if optimizer is None:
        optimizer = SGD(model.parameters(), lr=0.1)
    batch_size = batch_size or len(y)
    order = batches(len(y), batch_size, rng)
    history = History()
    start = last_time = time.perf_counter()
    last_step = 0
    # A diverging run overflows on its way to nan. fit reports that itself (Diverged), so
    # numpy's overflow warnings would only say it less clearly.
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(steps):
            index = next(order)
            xb, yb = (x, y) if batch_size >= len(y) else (x[index], y[index])
            optimizer.zero_grad()
            logits = model(xb)  # (B, C)
            value = loss(logits, yb)
            current = float(value.item())
            if not math.isfinite(current):
                last = history.loss[-1] if history.loss else None
                raise Diverged(step, current, last, _cause(model, history))
            history.loss.append(current)
            history.accuracy.append(accuracy(logits, yb))
            if step == 0:
                history.n_classes = logits.shape[-1]
                history.chance = math.log(history.n_classes)
                if log_every:
                    print_fn(
                        f"step 0  loss {current:.4f}  (log {history.n_classes} = "
                        f"{history.chance:.4f}, chance)"
                    )
            value.backward()
            optimizer.step()
            if log_every and step > 0 and (step % log_every == 0 or step == steps - 1):
                now = time.perf_counter()
                rate = (step - last_step) / (now - last_time)
                print_fn(_progress(step, current, history.accuracy[-1], rate))
                last_time, last_step = now, step
    history.seconds = time.perf_counter() - start
    history.final_loss, history.final_accuracy = evaluate(model, x, y, loss)
    return history


def _check_finite_data(arg: str, values: np.ndarray) -> None:
    """Refuse nan or inf in the data before training: it would show as a nan loss at step 0."""
    if values.dtype.kind not in "fc":
        return
    bad = ~np.isfinite(values)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"fit: {arg} holds {bad.sum()} nan or infinite values, the first "
            f"{values[where]} at index {where}; the data must be finite"
        )


def _progress(step: int, loss: float, acc: float, rate: float) -> str:
    acc_text = "" if math.isnan(acc) else f"  accuracy {100 * acc:5.1f}%"
    loss_text = f"{loss:.4f}" if abs(loss) < 1e4 else f"{loss:.4g}"  # a diverging run's loss
    return f"step {step}  loss {loss_text}{acc_text}  {rate:.0f} steps/s"
