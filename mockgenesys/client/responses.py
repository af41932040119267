"""Turning a Genesys error response into the client core's typed exception."""

from __future__ import annotations

from typing import Any

import httpx

from mockgenesys.client.errors import (
    ApiError,
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
)

_BY_STATUS: dict[int, type[ApiError]] = {
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: RateLimitedError,
    502: ServerError,
    503: ServerError,
    504: ServerError,
}

_OAUTH_CREDENTIAL_ERRORS = frozenset({"invalid_client", "unauthorized_client"})


def body_of(response: httpx.Response) -> Any:
    """The decoded JSON body, or the text when it is not JSON."""
    try:
        return response.json()
    except ValueError:
        return response.text


def api_error(response: httpx.Response) -> ApiError:
    """The typed error for a failed ``response``: Genesys platform or OAuth error bodies alike."""
    body = body_of(response)
    code = detail = None
    if isinstance(body, dict):
        code = body.get("code") or body.get("error")
        detail = body.get("message") or body.get("error_description") or body.get("description")
    elif isinstance(body, str) and body.strip():
        detail = body.strip()[:200]
    cls = _BY_STATUS.get(response.status_code, ServerError if response.status_code >= 500 else ApiError)
    if code in _OAUTH_CREDENTIAL_ERRORS:
        cls = AuthenticationError  # Genesys answers a bad client secret with 400 invalid_client
    correlation = response.headers.get("ININ-Correlation-Id")
    return cls(
        response.status_code,
        str(code) if code is not None else None,
        str(detail) if detail is not None else None,
        correlation_id=correlation,
        body=body,
    )


def json_or_raise(response: httpx.Response) -> Any:
    """The JSON body of a 2xx response; the typed error otherwise."""
    if response.is_success:
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise ApiError(
                response.status_code,
                "malformed.body",
                "the response body is not JSON",
                correlation_id=response.headers.get("ININ-Correlation-Id"),
                body=response.text[:200],
                hint="The server sent a broken body; retry the call.",
            ) from None
    raise api_error(response)
