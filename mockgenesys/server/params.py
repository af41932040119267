"""Query-string and body validation that answers Genesys ``400 invalid.value`` bodies."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mockgenesys.server.http import ApiError, MockRequest


def invalid(field: str, message: str) -> ApiError:
    """A 400 ``invalid.value`` naming ``field``."""
    return ApiError(
        400,
        "invalid.value",
        message,
        details=[{"errorCode": "invalid.value", "fieldName": field}],
        params={"field": field},
    )


def int_param(req: MockRequest, name: str, default: int, low: int, high: int | None = None) -> int:
    raw = req.query_one(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid(name, f"Value [{raw}] is not valid for field type [int] of {name}.") from None
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise invalid(name, f"{name} must be {bound}, got {value}.")
    return value


def bool_param(req: MockRequest, name: str, default: bool = False) -> bool:
    raw = req.query_one(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    raise invalid(name, f"Value [{raw}] is not valid for field type [boolean] of {name}; use true or false.")


def choice_param(req: MockRequest, name: str, choices: Iterable[str], default: str) -> str:
    raw = req.query_one(name)
    if raw is None or raw == "":
        return default
    valid = list(choices)
    if raw not in valid:
        raise invalid(name, f"{name} must be one of {', '.join(valid)}, got {raw!r}.")
    return raw


def multi_param(req: MockRequest, name: str, choices: Iterable[str]) -> frozenset[str]:
    """A repeatable or comma-separated parameter, each value checked against ``choices``."""
    valid = set(choices)
    values: set[str] = set()
    for raw in req.query.get(name, []):
        for value in raw.split(","):
            value = value.strip()
            if not value:
                continue
            if value not in valid:
                raise invalid(name, f"{name} value {value!r} is not supported; use any of {', '.join(sorted(valid))}.")
            values.add(value)
    return frozenset(values)


def json_body(req: MockRequest) -> dict[str, Any]:
    """The body as a required JSON object (a 400 for anything else)."""
    data = json_object(req)
    if data is None:
        raise invalid("body", "A JSON request body is required.")
    return data


def json_object(req: MockRequest, *, allow_null: bool = False) -> dict[str, Any] | None:
    """The body as a JSON object (a 400 for anything else)."""
    if not req.body.strip():
        if allow_null:
            return None
        raise invalid("body", "A JSON request body is required.")
    data = req.json()
    if data is None and allow_null:
        return None
    if not isinstance(data, dict):
        raise invalid("body", f"The request body must be a JSON object, got {type(data).__name__}.")
    return data


def page_count(total: int, page_size: int) -> int:
    return (total + page_size - 1) // page_size if total else 0
