"""Type checks for records read from a snapshot: a loaded world holds only what its fields say.

A snapshot is data from outside (a file, ``POST /__admin/world``). ``from_dict`` checks the field
names; ``record_problem`` checks every value against the field's annotation, nested records
included, so a bad value is refused at load time instead of failing inside a later request.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from typing import Any

#: The largest number a record may hold: timestamps up to the year 3000, counts and sizes.
MAX_NUMBER = 32_503_680_000
#: The resolved annotations of each record class (they never change, so computing them once is enough).
_HINTS: dict[type, dict[str, Any]] = {}


def record_problem(record: Any) -> str | None:
    """``"field must be ..., got ..."`` for the first value of ``record`` (a dataclass instance)
    that does not fit its field's annotation, or ``None`` when every value fits."""
    kind = type(record)
    hints = _HINTS.get(kind)
    if hints is None:
        hints = _HINTS[kind] = typing.get_type_hints(kind)
    for item in dataclasses.fields(record):
        value = getattr(record, item.name)
        problem = _value_problem(value, hints[item.name])
        if problem is not None:
            return f"{item.name}{problem}" if problem.startswith((".", "[")) else f"{item.name} {problem}"
    return None


def _value_problem(value: Any, hint: Any) -> str | None:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return None
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        return _value_problem(value, next(arg for arg in args if arg is not type(None)))
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if not isinstance(value, hint):
            return f"must be a {hint.__name__} object, got {value!r:.80}"
        problem = record_problem(value)
        return None if problem is None else f".{problem}"
    if origin is list:
        if not isinstance(value, list):
            return f"must be a list, got {value!r:.80}"
        for index, element in enumerate(value):
            problem = _value_problem(element, args[0])
            if problem is not None:
                return f"[{index}]{problem}" if problem.startswith((".", "[")) else f"[{index}] {problem}"
        return None
    if origin is dict:
        if not isinstance(value, dict) or not all(isinstance(key, str) for key in value):
            return f"must be an object, got {value!r:.80}"
        for key, element in value.items():
            problem = _value_problem(element, args[1])
            if problem is not None:
                return f".{key}{problem}" if problem.startswith((".", "[")) else f".{key} {problem}"
        return None
    return _scalar_problem(value, hint)


def _scalar_problem(value: Any, hint: Any) -> str | None:
    if hint is str:
        return None if isinstance(value, str) else f"must be a string, got {value!r:.80}"
    if hint is bool:
        return None if isinstance(value, bool) else f"must be true or false, got {value!r:.80}"
    if hint in (int, float):
        kinds = (int,) if hint is int else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds):
            return f"must be {'a whole number' if hint is int else 'a number'}, got {value!r:.80}"
        if not (math.isfinite(value) and 0 <= value <= MAX_NUMBER):
            return f"must be from 0 to {MAX_NUMBER}, got {value!r:.80}"
        return None
    return None
