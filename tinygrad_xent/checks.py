"""The one check every numeric setting goes through: type, finiteness, range.

A learning rate of nan, a batch size of -5 or a temperature given as the string "0.1" would
otherwise surface far away (a hang, every parameter nan, an error inside numpy), so each
public function checks its settings on entry with :func:`check_number`, and the error names
the function, the argument, the value given and what is allowed::

    SGD: lr must be a finite number > 0, got nan

This module imports nothing from the package, so every layer can use it.
"""

from __future__ import annotations

import math
import numbers
from typing import Literal, overload


# What check_number returns follows ``integer``: an int when it is True, a float when it is
# False, either when it is only known at run time.
@overload
def check_number(
    caller: str,
    arg: str,
    value: object,
    low: float | None = None,
    high: float | None = None,
    *,
    integer: Literal[True],
    low_open: bool = False,
    high_open: bool = False,
) -> int: ...


@overload
def check_number(
    caller: str,
    arg: str,
    value: object,
    low: float | None = None,
    high: float | None = None,
    *,
    integer: Literal[False] = False,
    low_open: bool = False,
    high_open: bool = False,
) -> float: ...


@overload
def check_number(
    caller: str,
    arg: str,
    value: object,
    low: float | None = None,
    high: float | None = None,
    *,
    integer: bool,
    low_open: bool = False,
    high_open: bool = False,
) -> float | int: ...


def check_number(
    caller: str,
    arg: str,
    value: object,
    low: float | None = None,
    high: float | None = None,
    *,
    integer: bool = False,
    low_open: bool = False,
    high_open: bool = False,
) -> float | int:
    """``value`` as a Python float (or int), after checking it is a finite number in range.

    Parameters
    ----------
    caller : str
        The public function's name, for the message.
    arg : str
        The argument's name, for the message.
    value : object
        What was given. bool is refused, although Python counts it as an int: True is never
        meant as a learning rate or a size.
    low, high : float or None
        The bounds, None for none.
    integer : bool
        Require an int (numpy integers too); 2.5 and 2.0 are both refused.
    low_open, high_open : bool
        Exclude the bound itself (``> low`` instead of ``>= low``).

    Returns
    -------
    float or int
        float(value), or int(value) when ``integer``.

    Raises
    ------
    TypeError
        If ``value`` is not a number (or not an integer when one is needed).
    ValueError
        If it is nan, infinite or out of range.
    """
    number: float | int
    # A Python int or float first: the ABC checks below cost ten times more (and bool, which
    # subclasses int, is not type int).
    if type(value) is int:
        number = value if integer else float(value)
    elif type(value) is float and not integer:
        number = value
    elif not isinstance(value, bool) and integer and isinstance(value, numbers.Integral):
        number = int(value)
    elif not isinstance(value, bool) and not integer and isinstance(value, numbers.Real):
        number = float(value)
    else:
        allowed = _allowed(low, high, integer, low_open, high_open)
        raise TypeError(f"{caller}: {arg} must be {allowed}, got {_given(value)}")
    too_low = low is not None and (number <= low if low_open else number < low)
    too_high = high is not None and (number >= high if high_open else number > high)
    if not math.isfinite(number) or too_low or too_high:
        allowed = _allowed(low, high, integer, low_open, high_open)
        raise ValueError(f"{caller}: {arg} must be {allowed}, got {_given(value)}")
    return number


def _allowed(
    low: float | None, high: float | None, integer: bool, low_open: bool, high_open: bool
) -> str:
    """'an integer >= 1', 'a finite number > 0', 'in [0, 1)', ... for the message."""
    if low is not None and high is not None:
        left, right = "(" if low_open else "[", ")" if high_open else "]"
        interval = f"{left}{_bound(low)}, {_bound(high)}{right}"
        return f"an integer in {interval}" if integer else f"in {interval}"
    what = "an integer" if integer else "a finite number"
    if low is not None:
        return f"{what} {'>' if low_open else '>='} {_bound(low)}"
    if high is not None:
        return f"{what} {'<' if high_open else '<='} {_bound(high)}"
    return what


def _bound(x: float) -> str:
    """A bound as a person writes it: 0, 1, 0.5, 4294967295 (never 4.29497e+09)."""
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _given(value: object) -> str:
    """A number as it reads (nan, 2.5, 1e+300); anything else with its type ('0.1', a str)."""
    if not isinstance(value, bool) and isinstance(value, numbers.Real):
        return str(value)
    text = repr(value)
    text = text if len(text) <= 40 else text[:37] + "..."
    return f"{text} (a {type(value).__name__})"
