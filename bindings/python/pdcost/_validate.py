"""Field checks shared by the config dataclasses (private).

Every check names the class, the field and the value, in the library's style:
``ModelConfig.hidden_size=-1 must be >= 1``. Wrong Python types raise :class:`TypeError`;
values of the right type but out of range raise :class:`ValueError`.
"""

from __future__ import annotations

import math
import operator
from typing import Any, Iterable

#: Largest integer a config field may hold (the library's counts are signed 64-bit).
MAX_INT = 2**63 - 1


def _where(obj: Any, name: str) -> str:
    return f"{type(obj).__name__}.{name}"


def integer(obj: Any, name: str, *, minimum: int = 0, optional: bool = False) -> None:
    """An int in [minimum, 2**63-1] (bool rejected; __index__ types normalised to int)."""
    value = getattr(obj, name)
    if value is None and optional:
        return
    if isinstance(value, bool) or not hasattr(type(value), "__index__"):
        raise TypeError(f"{_where(obj, name)} must be int{' or None' if optional else ''}, "
                        f"not {type(value).__name__} ({value!r})")
    number = operator.index(value)
    if number < minimum or number > MAX_INT:
        bound = f">= {minimum}" if number < minimum else "<= 2**63-1"
        raise ValueError(f"{_where(obj, name)}={number!r} must be {bound}")
    if type(value) is not int:
        object.__setattr__(obj, name, number)


def real(obj: Any, name: str, *, minimum: float = 0.0, positive: bool = False,
         maximum: float | None = None) -> None:
    """A finite float >= minimum (> 0 when positive); ints are converted to float."""
    value = getattr(obj, name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{_where(obj, name)} must be a number, not {type(value).__name__} "
                        f"({value!r})")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{_where(obj, name)}={value!r} must be finite")
    if positive and number <= 0:
        raise ValueError(f"{_where(obj, name)}={value!r} must be > 0")
    if number < minimum:
        raise ValueError(f"{_where(obj, name)}={value!r} must be >= {minimum}")
    if maximum is not None and number > maximum:
        raise ValueError(f"{_where(obj, name)}={value!r} must be <= {maximum}")
    if type(value) is not float:
        object.__setattr__(obj, name, number)


def boolean(obj: Any, name: str, *, optional: bool = False) -> None:
    value = getattr(obj, name)
    if value is None and optional:
        return
    if not isinstance(value, bool):
        raise TypeError(f"{_where(obj, name)} must be bool{' or None' if optional else ''}, "
                        f"not {type(value).__name__} ({value!r})")


def string(obj: Any, name: str, *, optional: bool = False, nonempty: bool = False) -> None:
    value = getattr(obj, name)
    if value is None and optional:
        return
    if not isinstance(value, str):
        raise TypeError(f"{_where(obj, name)} must be str{' or None' if optional else ''}, "
                        f"not {type(value).__name__} ({value!r})")
    if "\x00" in value:
        raise ValueError(f"{_where(obj, name)}={value!r} must not contain NUL characters")
    if nonempty and not value.strip():
        raise ValueError(f"{_where(obj, name)}={value!r} must not be empty")


def choice(obj: Any, name: str, choices: Iterable[str], *, optional: bool = False) -> None:
    """A str among `choices` (the arguments of a Literal)."""
    value = getattr(obj, name)
    if value is None and optional:
        return
    allowed = tuple(choices)
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{_where(obj, name)}={value!r} must be one of "
                         + ", ".join(repr(c) for c in allowed))
