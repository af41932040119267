"""Reading ``/__admin`` requests: bounded bodies, strict JSON, and checked fields.

Every value the admin API takes passes through here, so a wrong type, a non-finite number, a
value out of its range or an oversized body is a 400 (413) naming the field, never a 500.
"""

from __future__ import annotations

import math
from typing import Any

from starlette.requests import Request

from mockgenesys.errors import MockGenesysError
from mockgenesys.server.http import JsonRefused, parse_json

#: The largest admin request body read (a world snapshot is the big one).
MAX_ADMIN_BODY_BYTES = 32 * 1024 * 1024


class AdminError(MockGenesysError):
    """An admin request the mock refuses; rendered as a Genesys error body with ``status``."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str | None = None,
        field: str | None = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.field = field
        self.headers = headers or {}


def invalid(field: str, message: str) -> AdminError:
    """A 400 ``invalid.value`` naming ``field``."""
    return AdminError(400, message, "invalid.value", field)


async def read_body(request: Request, *, required: bool = True) -> Any:
    """The body as strict JSON (``{}`` when empty and not ``required``); 400 or 413 otherwise."""
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_ADMIN_BODY_BYTES:
            raise AdminError(
                413,
                f"The request is over the size limit. Maximum bytes: {MAX_ADMIN_BODY_BYTES}",
                "request.entity.too.large",
                "body",
            )
    if not raw.strip():
        if required:
            raise AdminError(400, "A JSON request body is required.", "bad.request", "body")
        return {}
    try:
        return parse_json(bytes(raw))
    except JsonRefused as exc:
        raise AdminError(400, f"The request body is not usable JSON: {exc.reason}", "bad.request", "body") from None


async def read_object(request: Request, *, required: bool = True) -> dict[str, Any]:
    """The body as a JSON object (``{}`` when empty and not ``required``)."""
    body = await read_body(request, required=required)
    if not isinstance(body, dict):
        raise invalid("body", f"The request body must be a JSON object, got {_kind(body)}.")
    return body


def optional_string(body: dict[str, Any], name: str, *, max_length: int = 1024) -> str | None:
    """``body[name]``: absent or null is None; anything but a string of 1..``max_length`` is a 400."""
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= max_length:
        raise invalid(name, f"{name} must be a string of 1 to {max_length} characters, got {_show(value)}.")
    return value


def number(value: Any, name: str, low: float, high: float) -> float:
    """A finite number from ``low`` to ``high``; a 400 naming ``name`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise invalid(name, f"{name} must be a finite number, got {_show(value)}.")
    if not low <= value <= high:
        raise invalid(name, f"{name} must be from {low:g} to {high:g}, got {value:g}.")
    return float(value)


def whole(value: Any, name: str, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high``; a 400 naming ``name`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise invalid(name, f"{name} must be a whole number from {low} to {high}, got {_show(value)}.")
    return value


def flag(value: Any, name: str) -> bool:
    """``true`` or ``false``; a 400 naming ``name`` otherwise."""
    if not isinstance(value, bool):
        raise invalid(name, f"{name} must be true or false, got {_show(value)}.")
    return value


def query_int(request: Request, name: str, default: int | None) -> int | None:
    """A whole-number query parameter (0 .. 2**53), or ``default`` when absent."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) > 2**53:
        raise invalid(name, f"{name} must be a whole number >= 0, got {raw[:40]!r}.")
    return int(raw)


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
