"""Check a backward pass against finite differences.

The central difference (f(x + eps) - f(x - eps)) / (2 eps) approximates df/dx with an error of
order eps^2, so in float64 with eps = 1e-6 it agrees with an exact gradient to about 1e-9: a
wrong backward shows up as a disagreement far larger than that.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .autograd import no_grad
from .checks import check_number
from .tensor import Tensor


class GradcheckError(AssertionError):
    """A backward gradient disagrees with finite differences."""


def gradcheck(
    fn: Callable[..., Tensor], *inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3
) -> bool:
    """Compare the gradients backward computes for ``fn(*inputs)`` with finite differences.

    Parameters
    ----------
    fn : callable
        A function of the inputs that returns a one-element Tensor.
    *inputs : Tensor, array or number
        Every Tensor with ``requires_grad=True`` is checked; the rest are passed through as
        they are. The check works on float64 copies, so the inputs and their ``.grad`` are
        left untouched.
    eps : float
        The finite-difference step, > 0.
    atol, rtol : float
        Each >= 0; an element passes when ``|backward - numeric| <= atol + rtol * |numeric|``.

    Returns
    -------
    bool
        True when every element of every checked input agrees.

    Raises
    ------
    GradcheckError
        Naming the input, the worst element's index, and both values.
    """
    eps = check_number("gradcheck", "eps", eps, 0, low_open=True)
    atol = check_number("gradcheck", "atol", atol, 0)
    rtol = check_number("gradcheck", "rtol", rtol, 0)
    copies = [
        Tensor(np.array(x.data, dtype=np.float64), requires_grad=True)
        if isinstance(x, Tensor) and x.requires_grad
        else x
        for x in inputs
    ]
    checked = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise ValueError(
            "gradcheck: no input has requires_grad=True, so there is nothing to "
            "check; pass Tensor(..., requires_grad=True) for the inputs to check"
        )
    out = fn(*copies)
    if not isinstance(out, Tensor) or out.data.size != 1:
        shape = out.shape if isinstance(out, Tensor) else type(out).__name__
        raise ValueError(
            f"gradcheck: fn must return a one-element Tensor, got {shape}; "
            f"reduce it first, e.g. (fn(x) * np.random.randn(*shape)).sum()"
        )
    out.backward()

    for i in checked:
        x = copies[i]
        analytic = np.zeros_like(x.data) if x.grad is None else x.grad
        numeric = np.zeros_like(x.data)
        flat = x.data.reshape(-1)  # a view: nudging it nudges x
        with no_grad():
            for k in range(flat.size):
                original = flat[k]
                flat[k] = original + eps
                plus = fn(*copies).item()
                flat[k] = original - eps
                minus = fn(*copies).item()
                flat[k] = original
                numeric.reshape(-1)[k] = (plus - minus) / (2 * eps)
        excess = np.abs(analytic - numeric) - (atol + rtol * np.abs(numeric))
        if not np.all(excess <= 0):  # written so that a nan fails too
            worst = np.unravel_index(
                np.nanargmax(np.where(np.isnan(excess), np.inf, excess)), excess.shape
            )
            index = tuple(int(k) for k in worst)
            raise GradcheckError(
                f"gradcheck: input {i} (shape {x.shape}) disagrees at index {index}: backward "
                f"gives {float(analytic[worst]):.10g}, finite differences give "
                f"{float(numeric[worst]):.10g} (tolerance atol={atol} + rtol={rtol} * |numeric|)"
            )
    return True
