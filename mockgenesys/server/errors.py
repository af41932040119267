"""Genesys-shaped error bodies: the platform error and the OAuth error."""

from __future__ import annotations

import json
from typing import Any

from mockgenesys.server.http import MockResponse

DEFAULT_MESSAGES: dict[int, str] = {
    400: "The request could not be understood by the server due to malformed syntax.",
    401: "No authentication bearer token specified in authorization header.",
    403: "You are not authorized to perform the requested action.",
    404: "The requested resource was not found.",
    405: "The requested HTTP method is not supported for this resource.",
    408: "The client did not produce a request within the server timeout limit.",
    409: "The request conflicts with the current state of the resource.",
    413: "The request is over the size limit. Maximum bytes: 512000",
    415: "Unsupported Media Type - Unsupported or incorrect media type, such as an incorrect Content-Type value in the header.",
    429: "Rate limit exceeded the maximum. Retry the request in [%s] seconds",
    500: "The server encountered an unexpected condition which prevented it from fulfilling the request.",
    502: "The server received an invalid response from an upstream server.",
    503: "Service Unavailable - The server is currently unavailable (because it is overloaded or down for maintenance).",
    504: "The request timed out.",
}

DEFAULT_CODES: dict[int, str] = {
    400: "bad.request",
    401: "bad.credentials",
    403: "not.authorized",
    404: "not.found",
    405: "method.not.allowed",
    408: "client.timeout",
    409: "conflict",
    413: "request.entity.too.large",
    415: "unsupported.media.type",
    429: "too.many.requests.retry.after",
    500: "internal.server.error",
    502: "bad.gateway",
    503: "service.unavailable",
    504: "request.timeout",
}


def platform_error_body(
    status: int,
    code: str,
    message: str,
    correlation_id: str,
    *,
    details: list[dict[str, Any]] | None = None,
    params: dict[str, str] | None = None,
) -> bytes:
    """``{message, code, status, messageParams, contextId, details, errors}`` as JSON bytes."""
    return json.dumps(
        {
            "message": message,
            "code": code,
            "status": status,
            "messageParams": params or {},
            "contextId": correlation_id,
            "details": details or [],
            "errors": [],
        },
        separators=(",", ":"),
    ).encode("utf-8")


def platform_error(
    status: int,
    code: str | None,
    message: str | None,
    correlation_id: str,
    *,
    details: list[dict[str, Any]] | None = None,
    params: dict[str, str] | None = None,
    retry_after: int | None = None,
) -> MockResponse:
    """A Genesys platform error response; ``retry_after`` also sets the header and ``[N]``."""
    code = code or DEFAULT_CODES.get(status, "bad.request" if status < 500 else "internal.server.error")
    if message is None:
        message = DEFAULT_MESSAGES.get(status, "The request failed.")
    headers: list[tuple[bytes, bytes]] = []
    if retry_after is not None:
        message = message.replace("%s", str(retry_after))
        headers.append((b"retry-after", str(retry_after).encode()))
    body = platform_error_body(status, code, message, correlation_id, details=details, params=params)
    return MockResponse(status, body, headers)


def oauth_error_body(error: str, description: str) -> bytes:
    return json.dumps(
        {"error": error, "description": description, "error_description": description},
        separators=(",", ":"),
    ).encode("utf-8")


def too_many_requests(retry_after: int, correlation_id: str) -> MockResponse:
    """The normalized Genesys 429 with a ``Retry-After`` that matches the message."""
    message = f"Rate limit exceeded the maximum. Retry the request in [{retry_after}] seconds"
    body = json.dumps(
        {
            "message": message,
            "code": "too.many.requests.retry.after",
            "status": 429,
            "contextId": correlation_id,
            "details": [],
            "errors": [],
        },
        separators=(",", ":"),
    ).encode("utf-8")
    return MockResponse(429, body, [(b"retry-after", str(retry_after).encode())])
