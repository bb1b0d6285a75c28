"""Optimizers: SGD (with momentum, dampening, Nesterov, weight decay) and Adam.

An optimizer holds parameters (leaf Tensors with ``requires_grad=True``) and, on ``step()``,
moves each one against its ``.grad``. The update is plain numpy on ``p.data``, in place: it is
not part of any model's computation, so it records nothing on the tape (as if under
``no_grad()``), and a model that holds the same tensors sees the new values at once.
Parameters whose ``.grad`` is None (no gradient reached them) are left alone.

The usual loop::

    for step in range(steps):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

As in PyTorch, the parameters live in ``param_groups``, a list of dicts each holding
``"params"`` and that group's settings (lr, momentum, ...), so that layers can take different
settings: ``SGD([{"params": body}, {"params": head, "lr": 0.01}], lr=0.1)``; a setting a group
leaves out takes the value given to the constructor. ``state_dict()`` and
``load_state_dict()`` save and restore the settings and what the optimizer remembers between
steps (momentum buffers, Adam's moments and step counts), so a run stopped after N steps and
resumed from a saved state takes exactly the steps an unbroken run would.

A parameter given twice (in one group or in two) is refused, as PyTorch refuses it across
groups: it would be updated twice per step.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping

import numpy as np

from .checks import check_number
from .tensor import Tensor


class Optimizer:
    """What SGD and Adam share: the parameter groups, ``zero_grad``, ``state_dict`` and
    ``load_state_dict``. A subclass checks its settings (``_check``), names what it remembers
    per parameter (``STATE_KEYS``) and writes ``step``."""

    STATE_KEYS: tuple = ()
    NONNEGATIVE_KEYS: tuple = ()  # state arrays that can never be negative (Adam's v)

    def __init__(self, params, defaults: dict):
        name = type(self).__name__
        if isinstance(params, (Tensor, dict)):
            raise TypeError(
                f"{name}: params must be a list of Tensors or of parameter "
                f"groups (dicts), got one {type(params).__name__}; wrap it in "
                f"a list"
            )
        params = list(params)
        if not params:
            raise ValueError(f"{name}: params is empty; pass model.parameters()")
        self.defaults = self._check(defaults, "")
        self.param_groups: list[dict] = []
        self.state: dict[Tensor, dict] = {}  # per parameter, once it has stepped
        self.steps = 0  # how many times step() has run
        if all(isinstance(group, dict) for group in params):
            for group in params:
                self.add_param_group(group)
        else:
            self._add(params, {}, "")

    @property
    def params(self) -> list[Tensor]:
        """Every parameter, group after group: the order ``state_dict`` numbers them in."""
        return [p for group in self.param_groups for p in group["params"]]

    def add_param_group(self, group: dict) -> None:
        """Add ``{"params": [...], setting: value, ...}``; settings left out take the defaults.

        Parameters
        ----------
        group : dict
            ``"params"`` (a Tensor or a list of them) and any of the settings the constructor
            takes.

        Raises
        ------
        TypeError
            Naming the group and the argument, for a group that is not a dict with
            ``"params"``, a parameter that is not a leaf Tensor requiring grad, or a setting of
            the wrong type.
        ValueError
            Naming the group and the argument, for empty params, a parameter already held, an
            unknown setting or one out of its range.
        """
        name = type(self).__name__
        where = f"param_groups[{len(self.param_groups)}]"
        if not isinstance(group, dict) or "params" not in group:
            raise TypeError(
                f"{name}: {where} must be a dict with a 'params' list, got {type(group).__name__}"
            )
        unknown = sorted(set(group) - set(self.defaults) - {"params"})
        if unknown:
            raise ValueError(
                f"{name}: {where} has unknown settings {unknown}; allowed: {sorted(self.defaults)}"
            )
        params = group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        if not params:
            raise ValueError(f"{name}: {where}['params'] is empty")
        settings = {key: value for key, value in group.items() if key != "params"}
        self._add(params, settings, where)

    def _add(self, params: list, settings: dict, where: str) -> None:
        name = type(self).__name__
        label = f"{where}['params']" if where else "params"
        held = {id(p): i for i, p in enumerate(self.params)}
        for i, p in enumerate(params):
            if not isinstance(p, Tensor) or not p.requires_grad or p.node is not None:
                raise TypeError(
                    f"{name}: {label}[{i}] must be a leaf Tensor with requires_grad=True, got {p!r}"
                )
            if not p.data.flags.writeable:
                raise ValueError(_read_only(name, f"{label}[{i}]", p))
            if id(p) in held:
                raise ValueError(
                    f"{name}: {label}[{i}] is given twice (it is also parameter "
                    f"{held[id(p)]}); a step would update it twice"
                )
            held[id(p)] = len(held)
        settings = self._check({**self.defaults, **settings}, where)
        self.param_groups.append({"params": params, **settings})

    def _check(self, settings: dict, where: str) -> dict:
        """The settings, each checked and converted; ``where`` names the group in errors."""
        raise NotImplementedError

    def zero_grad(self) -> None:
        """Forget every parameter's gradient before the next backward (they accumulate)."""
        for p in self.params:
            p.zero_grad()

    def step(self) -> None:
        """Update every parameter that has a gradient, in place (each subclass's rule)."""
        raise NotImplementedError

    # ---- saving and restoring -------------------------------------------------------------
    def state_dict(self) -> dict:
        """A copy of everything that decides the next steps, parameters numbered, not held.

        Returns
        -------
        dict
            "state": ``{i: {key: value}}``, only for parameters that have stepped;
            "param_groups": ``[{setting: value, "params": [i, ...]}]``; "steps": an int. ``i``
            numbers the parameters in the order of :attr:`params`.
        """
        index = {id(p): i for i, p in enumerate(self.params)}
        state = {index[id(p)]: copy.deepcopy(values) for p, values in self.state.items()}
        groups = [
            {
                **{k: v for k, v in group.items() if k != "params"},
                "params": [index[id(p)] for p in group["params"]],
            }
            for group in self.param_groups
        ]
        return {"state": state, "param_groups": groups, "steps": self.steps}

    def load_state_dict(self, state_dict: Mapping) -> None:
        """Restore a :meth:`state_dict` into this optimizer, which holds the same parameters.

        Everything is checked first (the groups and their sizes, every setting, every array's
        shape and finiteness), and nothing changes unless all of it fits. Arrays are copied and
        cast to their parameter's dtype.

        Parameters
        ----------
        state_dict : Mapping
            What :meth:`state_dict` returned, e.g. after a round trip through a file.

        Raises
        ------
        TypeError
            If ``state_dict`` is not a mapping with the keys of :meth:`state_dict`, or a
            setting or step count has the wrong type.
        ValueError
            Naming what does not fit: the number of groups, the parameters of a group, a
            setting, a state's keys, an array's shape or dtype, nan or inf.
        """
        name = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, Mapping) or set(state_dict) != {
            "state",
            "param_groups",
            "steps",
        }:
            raise TypeError(
                f"{name}: expected the dict of state_dict(), with keys 'state', "
                f"'param_groups' and 'steps', got {type(state_dict).__name__}"
                + (
                    f" with keys {sorted(map(str, state_dict))}"
                    if isinstance(state_dict, Mapping)
                    else ""
                )
            )
        settings = self._checked_groups(name, state_dict["param_groups"])
        restored = self._checked_states(name, state_dict["state"])
        steps = check_number(name, "steps", state_dict["steps"], 0, integer=True)
        for group, values in zip(self.param_groups, settings):
            group.update(values)
        self.state = restored
        self.steps = steps

    def _checked_groups(self, name: str, groups: object) -> list[dict]:
        """The settings of each saved group, checked against this optimizer's groups."""
        if not isinstance(groups, (list, tuple)):
            raise TypeError(
                f"{name}: 'param_groups' must be a list of dicts, got {type(groups).__name__}"
            )
        if len(groups) != len(self.param_groups):
            raise ValueError(
                f"{name}: the state has {len(groups)} parameter groups but this "
                f"optimizer has {len(self.param_groups)}"
            )
        settings, start = [], 0
        for k, (saved, group) in enumerate(zip(groups, self.param_groups)):
            if not isinstance(saved, Mapping) or "params" not in saved:
                raise TypeError(
                    f"{name}: param_groups[{k}] must be a dict with 'params', got "
                    f"{type(saved).__name__}"
                )
            numbers = list(range(start, start + len(group["params"])))
            held = saved["params"]
            if not isinstance(held, (list, tuple)) or list(held) != numbers:
                raise ValueError(
                    f"{name}: param_groups[{k}] holds parameters {held!r} in the state but "
                    f"{numbers} here"
                )
            start += len(numbers)
            values = {key: value for key, value in saved.items() if key != "params"}
            if set(values) != set(self.defaults):
                raise ValueError(
                    f"{name}: param_groups[{k}] has settings {sorted(map(str, values))}; "
                    f"expected {sorted(self.defaults)}"
                )
            try:
                settings.append(self._check(values, f"param_groups[{k}]"))
            except (TypeError, ValueError) as err:  # named for load_state_dict, not the class
                message = str(err).removeprefix(f"{type(self).__name__}: ")
                raise type(err)(f"{name}: {message}") from None
        return settings

    def _checked_states(self, name: str, state: object) -> dict:
        """The saved per-parameter states, each checked and copied, keyed by parameter."""
        if not isinstance(state, Mapping):
            raise TypeError(
                f"{name}: 'state' must be a dict of parameter number -> dict, got "
                f"{type(state).__name__}"
            )
        params = self.params
        restored = {}
        for i, values in state.items():
            if (
                isinstance(i, bool)
                or not isinstance(i, (int, np.integer))
                or not 0 <= i < len(params)
            ):
                raise ValueError(
                    f"{name}: state key {i!r} is not a parameter number in [0, {len(params)})"
                )
            restored[params[i]] = self._checked_state(name, i, params[i], values)
        return restored

    def _checked_state(self, name: str, i: int | np.integer, p: Tensor, values: object) -> dict:
        """One parameter's saved state, checked against ``STATE_KEYS`` and p, and copied."""
        if not isinstance(values, Mapping) or set(values) != set(self.STATE_KEYS):
            got = sorted(map(str, values)) if isinstance(values, Mapping) else type(values).__name__
            raise ValueError(
                f"{name}: state[{i}] must have the keys {list(self.STATE_KEYS)}, got {got}"
            )
        out: dict[str, int | np.ndarray] = {}
        for key, value in values.items():
            if key == "step":
                out[key] = check_number(name, f"state[{i}]['step']", value, 1, integer=True)
                continue
            array = _checked_array(f"{name}: state[{i}]['{key}']", value, p)
            if key in self.NONNEGATIVE_KEYS and (array < 0).any():
                raise ValueError(
                    f"{name}: state[{i}]['{key}'] holds {array[array < 0].flat[0]}, "
                    f"but it is an average of squares, >= 0 (a negative one would make "
                    f"the next step nan)"
                )
            out[key] = array
        return out


def _checked_array(where: str, value: object, p: Tensor) -> np.ndarray:
    """``value`` as a finite float array of p's shape, copied in p's dtype; else a ValueError
    starting with ``where``."""
    try:
        array = np.asarray(value)
    except (ValueError, TypeError):  # a ragged nested list, or something numpy cannot read
        raise ValueError(
            f"{where} must be a float array of its parameter's shape {p.shape}, got "
            f"{type(value).__name__} that numpy cannot read as an array"
        ) from None
    if array.shape != p.shape or array.dtype.kind != "f":
        raise ValueError(
            f"{where} must be a float array of its parameter's shape {p.shape}, got "
            f"{array.dtype} {array.shape}"
        )
    if not np.isfinite(array).all():
        raise ValueError(f"{where} holds nan or inf")
    return array.astype(p.dtype)  # a copy, never shared with the dict given


def _weight_decay(group: dict, p: Tensor, grad: np.ndarray) -> np.ndarray:
    """g = grad + weight_decay * p: the gradient of the loss plus the L2 penalty's,
    (weight_decay / 2) * |p|^2."""
    return grad + group["weight_decay"] * p.data if group["weight_decay"] else grad


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
    params : iterable of Tensors or of dicts
        Leaf Tensors, usually ``model.parameters()``, or parameter groups (dicts with
        "params" and any of the settings below).
    lr : float
        The learning rate, a finite number > 0.
    momentum : float
        μ in [0, 1); 0 is plain gradient descent.
    dampening : float
        How much of the new gradient the buffer takes, (1 - dampening); in [0, 1].
    nesterov : bool
        Nesterov momentum; needs momentum > 0 and dampening == 0.
    weight_decay : float
        A finite number ≥ 0.

    Raises
    ------
    TypeError
        Naming the argument, the value given and what is allowed, for a setting of the wrong
        type, params given as one Tensor or dict, or a parameter that is not a leaf Tensor
        requiring grad.
    ValueError
        Naming the argument, the value given and what is allowed, for a setting out of its
        range, no parameters, a parameter given twice or one whose array is read-only.
    """

    STATE_KEYS = ("momentum_buffer",)

    def __init__(
        self,
        params: Iterable,
        lr: float,
        momentum: float = 0.0,
        dampening: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ):
        super().__init__(
            params,
            {
                "lr": lr,
                "momentum": momentum,
                "dampening": dampening,
                "nesterov": nesterov,
                "weight_decay": weight_decay,
            },
        )

    def _check(self, settings: dict, where: str) -> dict:
        name = type(self).__name__
        arg = f"{where}: " if where else ""
        out = {
            "lr": check_number(name, arg + "lr", settings["lr"], 0, low_open=True),
            "momentum": check_number(
                name, arg + "momentum", settings["momentum"], 0, 1, high_open=True
            ),
            "dampening": check_number(name, arg + "dampening", settings["dampening"], 0, 1),
            "weight_decay": check_number(name, arg + "weight_decay", settings["weight_decay"], 0),
        }
        nesterov = settings["nesterov"]
        if not isinstance(nesterov, (bool, np.bool_)):
            raise TypeError(f"{name}: {arg}nesterov must be True or False, got {nesterov!r}")
        if nesterov and (out["momentum"] == 0 or out["dampening"] != 0):
            raise ValueError(
                f"{name}: {arg}nesterov needs momentum > 0 and dampening == 0, "
                f"got momentum={out['momentum']}, dampening={out['dampening']}"
            )
        out["nesterov"] = bool(nesterov)
        return out

    def step(self) -> None:
        """Update every parameter that has a gradient, in place."""
        self.steps += 1
        for group in self.param_groups:
            momentum, dampening = group["momentum"], group["dampening"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = _weight_decay(group, p, p.grad)
                if momentum:
                    state = self.state.setdefault(p, {})
                    if "momentum_buffer" not in state:
                        b = np.array(g)  # a copy: the buffer outlives this grad
                    else:
                        b = momentum * state["momentum_buffer"] + (1 - dampening) * g
                    state["momentum_buffer"] = b
                    g = g + momentum * b if group["nesterov"] else b
                _apply(self, p, group["lr"] * g)


class Adam(Optimizer):
    """Adam: a per-coordinate step from running averages of the gradient and its square.

    For each parameter p with gradient g, at step t (counting from 1)::

        g = g + weight_decay * p
        m = beta1 * m + (1 - beta1) * g          # first moment, m starts at 0
        v = beta2 * v + (1 - beta2) * g**2       # second moment, v starts at 0
        m_hat = m / (1 - beta1**t)               # bias correction: m and v started at 0,
        v_hat = v / (1 - beta2**t)               # so early averages are too small
        p = p - lr * m_hat / (sqrt(v_hat) + eps)

    t counts the steps in which p had a gradient. The state of p is ``step`` (t),
    ``exp_avg`` (m) and ``exp_avg_sq`` (v).

    Parameters
    ----------
    params : iterable of Tensors or of dicts
        Leaf Tensors, or parameter groups (dicts with "params" and any of the settings below).
    lr : float
        The learning rate, a finite number > 0.
    betas : (float, float)
        (beta1, beta2), each in [0, 1).
    eps : float
        A finite number ≥ 0, keeps the division finite where v_hat is 0. With eps = 0 a
        coordinate whose v_hat is 0 (every gradient it had was 0, a dead ReLU unit) takes no
        step, instead of 0/0 = nan.
    weight_decay : float
        A finite number ≥ 0, added to the gradient (L2, not the decoupled AdamW).

    Raises
    ------
    TypeError
        Naming the argument, the value given and what is allowed, for a setting of the wrong
        type, params given as one Tensor or dict, or a parameter that is not a leaf Tensor
        requiring grad.
    ValueError
        Naming the argument, the value given and what is allowed, for a setting out of its
        range, no parameters, a parameter given twice or one whose array is read-only.
    """

    STATE_KEYS = ("step", "exp_avg", "exp_avg_sq")
    NONNEGATIVE_KEYS = ("exp_avg_sq",)

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ):
        super().__init__(
            params, {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay}
        )

    def _check(self, settings: dict, where: str) -> dict:
        name = type(self).__name__
        arg = f"{where}: " if where else ""
        betas = settings["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"{name}: {arg}betas must be two numbers in [0, 1), got {betas!r}")
        return {
            "lr": check_number(name, arg + "lr", settings["lr"], 0, low_open=True),
            "betas": tuple(
                check_number(name, f"{arg}betas[{i}]", beta, 0, 1, high_open=True)
                for i, beta in enumerate(betas)
            ),
            "eps": check_number(name, arg + "eps", settings["eps"], 0),
            "weight_decay": check_number(name, arg + "weight_decay", settings["weight_decay"], 0),
        }

    def step(self) -> None:
        """Update every parameter that has a gradient, in place."""
        self.steps += 1
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = _weight_decay(group, p, p.grad)
                if p not in self.state:  # m and v start at 0
                    self.state[p] = {
                        "step": 0,
                        "exp_avg": np.zeros_like(p.data),
                        "exp_avg_sq": np.zeros_like(p.data),
                    }
                state = self.state[p]
                state["step"] += 1
                t = state["step"]
                state["exp_avg"] = m = beta1 * state["exp_avg"] + (1 - beta1) * g
                state["exp_avg_sq"] = v = beta2 * state["exp_avg_sq"] + (1 - beta2) * g * g
                m_hat = m / (1 - beta1**t)
                v_hat = v / (1 - beta2**t)
                _apply(self, p, group["lr"] * _adam_direction(m_hat, v_hat, group["eps"]))


def _adam_direction(m_hat: np.ndarray, v_hat: np.ndarray, eps: float) -> np.ndarray:
    """m_hat / (sqrt(v_hat) + eps), with 0 where eps = 0 and v_hat = 0.

    v_hat = 0 means every gradient p has had there was 0 (or so small its square underflowed),
    so m_hat is 0 too and the quotient would be 0/0 = nan: a dead ReLU unit would turn its
    weights into nan. No gradient is no step, so the coordinate stays where it is.
    """
    denominator = np.sqrt(v_hat) + eps
    if eps > 0:
        return m_hat / denominator
    return np.divide(m_hat, denominator, out=np.zeros_like(m_hat), where=denominator > 0)


def _read_only(name: str, label: str, p: Tensor) -> str:
    return (
        f"{name}: {label} (shape {p.shape}, {p.dtype}) holds a read-only array, which a "
        f"step cannot update in place; give the parameter a writable copy first "
        f"(p.data = p.data.copy())"
    )


def _apply(optimizer: Optimizer, p: Tensor, step: np.ndarray) -> None:
    """p = p - step, in place; a parameter made read-only since it was added is named."""
    try:
        p.data -= step
    except ValueError:
        if p.data.flags.writeable:
            raise
        index = next(i for i, q in enumerate(optimizer.params) if q is p)
        raise ValueError(_read_only(type(optimizer).__name__, f"params[{index}]", p)) from None
