"""Field checks shared by the config dataclasses (private).

Every check names the class, the field and the value, in the library's style:
``ModelConfig.hidden_size=-1 must be >= 1``. Wrong Python types raise :class:`TypeError`;
values of the right type but out of range raise :class:`ValueError`.
"""

from __future__ import annotations

import json
import math
import operator
from typing import Any, Iterable

from . import _native

#: Largest integer a config field may hold (the library's counts are signed 64-bit).
MAX_INT = 2**63 - 1

#: The library's limits table (pdcost_limits_json), read once at import: name →
#: {"minimum", "maximum", "range", "unit", "fields", "why"}. Every bounded config field, the
#: CLI and the messages read it; nothing here retypes a bound.
LIMITS: dict[str, dict[str, Any]] = json.loads(_native.limits_json())["limits"]


def limit_range(limit: str, minimum: int | None = None) -> str:
    """The table's range text (``[1, 2^31]``), with ``minimum`` in place of the table's when
    a field has a stricter or looser one of its own."""
    entry = LIMITS[limit]
    text: str = entry["range"]
    if minimum is None or minimum == entry["minimum"]:
        return text
    return f"[{minimum}, {text.split(', ', 1)[1]}"


def in_limit(where: str, value: int, limit: str, minimum: int | None = None) -> None:
    """ValueError ``<where>=<value> must be in [lo, hi]`` unless value lies in the table's
    range for ``limit`` (``minimum`` overrides the table's lower bound)."""
    entry = LIMITS[limit]
    low = entry["minimum"] if minimum is None else minimum
    if not low <= value <= entry["maximum"]:
        raise ValueError(f"{where}={value!r} must be in {limit_range(limit, minimum)}")


def _where(obj: Any, name: str) -> str:
    return f"{type(obj).__name__}.{name}"


def integer(obj: Any, name: str, *, minimum: int | None = None, optional: bool = False,
            limit: str | None = None) -> None:
    """An int in [minimum, 2**63-1], or in the range of the limits-table entry ``limit`` (its
    maximum, and its minimum unless ``minimum`` is given) (bool rejected; __index__ types
    normalised to int)."""
    value = getattr(obj, name)
    if value is None and optional:
        return
    if isinstance(value, bool) or not hasattr(type(value), "__index__"):
        raise TypeError(f"{_where(obj, name)} must be int{' or None' if optional else ''}, "
                        f"not {type(value).__name__} ({value!r})")
    number = operator.index(value)
    if limit is not None:
        in_limit(_where(obj, name), number, limit, minimum)
        minimum = LIMITS[limit]["minimum"] if minimum is None else minimum
    if minimum is None:
        minimum = 0
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
