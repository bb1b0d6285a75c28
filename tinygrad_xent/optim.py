"""Optimizers: SGD (with momentum, dampening, Nesterov, weight decay) and Adam.

An optimizer holds a list of parameters (leaf Tensors with ``requires_grad=True``) and, on
``step()``, moves each one against its ``.grad``. The update is plain numpy on ``p.data``, in
place: it is not part of any model's computation, so it records nothing on the tape (as if
under ``no_grad()``), and a model that holds the same tensors sees the new values at once.
Parameters whose ``.grad`` is None (no gradient reached them) are left alone.

The usual loop::

    for step in range(steps):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .tensor import Tensor


class Optimizer:
    """What SGD and Adam share: the parameter list, ``zero_grad``, a checked learning rate and
    weight decay, and the gradients with the decay added."""

    def __init__(self, params: Iterable[Tensor], lr: float, weight_decay: float = 0.0):
        name = type(self).__name__
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{name}: params is empty; pass model.parameters()")
        for i, p in enumerate(self.params):
            if not isinstance(p, Tensor) or not p.requires_grad or p.node is not None:
                raise TypeError(f"{name}: params[{i}] must be a leaf Tensor with "
                                f"requires_grad=True, got {p!r}")
        if not np.isfinite(lr) or lr <= 0:
            raise ValueError(f"{name}: lr must be a positive number, got {lr}")
        if weight_decay < 0:
            raise ValueError(f"{name}: weight_decay must be >= 0, got {weight_decay}")
        self.lr = float(lr)
        self.weight_decay = float(weight_decay)
        self.steps = 0  # how many times step() has run

    def _gradients(self):
        """(index, parameter, g) for each parameter that has a gradient, where
        g = grad + weight_decay * p: the gradient of the loss plus an L2 penalty
        (weight_decay / 2) * |p|^2."""
        for i, p in enumerate(self.params):
            if p.grad is not None:
                yield i, p, p.grad + self.weight_decay * p.data if self.weight_decay else p.grad

    def zero_grad(self) -> None:
        """Forget every parameter's gradient before the next backward (they accumulate)."""
        for p in self.params:
            p.zero_grad()

    def step(self) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, with the same semantics as the common frameworks.

    For each parameter p with gradient g, at step t (counting from 1)::

        g = g + weight_decay * p                     # L2 penalty (weight_decay / 2) * |p|^2
        b = g                          if t == 1     # the momentum buffer starts as g
        b = momentum * b + (1 - dampening) * g       otherwise
        d = g + momentum * b           if nesterov   # look ahead along the buffer
        d = b                          if momentum > 0, else d = g
        p = p - lr * d

    Parameters
    ----------
    params : iterable of leaf Tensors, usually ``model.parameters()``.
    lr : learning rate, > 0.
    momentum : μ in [0, 1); 0 is plain gradient descent.
    dampening : how much of the new gradient the buffer takes, (1 - dampening); in [0, 1].
    nesterov : Nesterov momentum; needs momentum > 0 and dampening == 0.
    weight_decay : ≥ 0.

    Raises
    ------
    ValueError naming the argument when a value is out of range.
    """

    def __init__(self, params: Iterable[Tensor], lr: float, momentum: float = 0.0,
                 dampening: float = 0.0, nesterov: bool = False, weight_decay: float = 0.0):
        super().__init__(params, lr, weight_decay)
        if not 0 <= momentum < 1:
            raise ValueError(f"SGD: momentum must be in [0, 1), got {momentum}")
        if not 0 <= dampening <= 1:
            raise ValueError(f"SGD: dampening must be in [0, 1], got {dampening}")
        if nesterov and (momentum == 0 or dampening != 0):
            raise ValueError(f"SGD: nesterov needs momentum > 0 and dampening == 0, got "
                             f"momentum={momentum}, dampening={dampening}")
        self.momentum = float(momentum)
        self.dampening = float(dampening)
        self.nesterov = bool(nesterov)
        self.buffers: list[np.ndarray | None] = [None] * len(self.params)

    def step(self) -> None:
        """Update every parameter that has a gradient, in place."""
        self.steps += 1
        for i, p, g in self._gradients():
            if self.momentum:
                if self.buffers[i] is None:
                    self.buffers[i] = np.array(g)  # a copy: the buffer outlives this grad
                else:
                    self.buffers[i] = self.momentum * self.buffers[i] + (1 - self.dampening) * g
                b = self.buffers[i]
                g = g + self.momentum * b if self.nesterov else b
            p.data -= self.lr * g


class Adam(Optimizer):
    """Adam: a per-coordinate step from running averages of the gradient and its square.

    For each parameter p with gradient g, at step t (counting from 1)::

        g = g + weight_decay * p
        m = beta1 * m + (1 - beta1) * g          # first moment, m starts at 0
        v = beta2 * v + (1 - beta2) * g**2       # second moment, v starts at 0
        m_hat = m / (1 - beta1**t)               # bias correction: m and v started at 0,
        v_hat = v / (1 - beta2**t)               # so early averages are too small
        p = p - lr * m_hat / (sqrt(v_hat) + eps)

    Parameters
    ----------
    params : iterable of leaf Tensors.
    lr : learning rate, > 0.
    betas : (beta1, beta2), each in [0, 1).
    eps : ≥ 0, keeps the division finite where v_hat is 0.
    weight_decay : ≥ 0, added to the gradient (L2, not the decoupled AdamW form).
    """

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0):
        super().__init__(params, lr, weight_decay)
        if len(betas) != 2 or not all(0 <= b < 1 for b in betas):
            raise ValueError(f"Adam: betas must be two numbers in [0, 1), got {betas}")
        if eps < 0:
            raise ValueError(f"Adam: eps must be >= 0, got {eps}")
        self.betas = (float(betas[0]), float(betas[1]))
        self.eps = float(eps)
        self.m = [np.zeros_like(p.data) for p in self.params]
        self.v = [np.zeros_like(p.data) for p in self.params]
        self.t = [0] * len(self.params)  # per parameter: one that got no grad has not stepped

    def step(self) -> None:
        """Update every parameter that has a gradient, in place."""
        self.steps += 1
        beta1, beta2 = self.betas
        for i, p, g in self._gradients():
            self.t[i] += 1
            self.m[i] = beta1 * self.m[i] + (1 - beta1) * g
            self.v[i] = beta2 * self.v[i] + (1 - beta2) * g * g
            m_hat = self.m[i] / (1 - beta1 ** self.t[i])
            v_hat = self.v[i] / (1 - beta2 ** self.t[i])
            p.data -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
