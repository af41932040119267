"""The gate in front of every ``/__admin`` operation: who may call, and how every answer looks.

Only loopback peers (the socket's address: forwarded headers are never read) and, with an admin
token, only requests that carry it (compared in constant time). Every refusal, unknown path,
wrong method and even a bug in the mock answers with a Genesys error body and is journaled.
"""

from __future__ import annotations

import hmac
import re
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from mockgenesys.admin.endpoints import ENDPOINTS
from mockgenesys.admin.inputs import AdminError
from mockgenesys.admin.openapi import PREFIX
from mockgenesys.errors import MockGenesysError
from mockgenesys.faults.rules import FaultRuleError
from mockgenesys.server.errors import platform_error
from mockgenesys.serving import is_loopback

if TYPE_CHECKING:
    from starlette.types import Receive, Scope, Send

    from mockgenesys.mock import MockGenesys

#: The client host Starlette's ``TestClient`` reports for in-process requests.
TEST_CLIENT_HOST = "testclient"
Operation = Callable[["MockGenesys", Request], Awaitable[Response]]


def admin_routes(mock: MockGenesys) -> list[BaseRoute]:
    """The ``/__admin`` mount for ``mock``: every entry of ``ENDPOINTS``, behind the guard, and a
    fallback that answers unknown paths (404) and methods (405) in the same shape."""
    routes: list[BaseRoute] = [
        Route(
            endpoint.path,
            _guarded(mock, endpoint.endpoint_id, endpoint.handler, is_public=endpoint.is_public),
            methods=[endpoint.method],
        )
        for endpoint in ENDPOINTS
    ]
    fallback = Mount("", app=_Fallback(mock))
    mount = Mount(PREFIX, routes=[*routes, fallback])
    # A path with a newline in it (``%0A``) defeats the mounts' ``.*``: let them match any path,
    # so such a request gets the fallback's JSON answer instead of Starlette's plain-text 404.
    for mounted in (mount, fallback):
        mounted.path_regex = re.compile(mounted.path_regex.pattern, re.DOTALL)
    return [mount, Route(PREFIX, _to_dashboard, methods=["GET"])]


async def _to_dashboard(request: Request) -> Response:
    return RedirectResponse(PREFIX + "/")  # the dashboard's page is /__admin/, with the slash


def _guarded(
    mock: MockGenesys, endpoint_id: str, handler: Operation, *, is_public: bool = False
) -> Callable[[Request], Awaitable[Response]]:
    """``handler`` behind the loopback and (unless ``is_public``) admin-token checks, with Genesys
    error bodies and a journal line."""

    async def wrapped(request: Request) -> Response:
        started = time.perf_counter()
        correlation = mock.server.correlation_id()
        try:
            check_caller(mock, request, is_public=is_public)
            response = await handler(mock, request)
        except AdminError as exc:
            details = [{"errorCode": exc.code or "invalid.value", "fieldName": exc.field}] if exc.field else []
            response = _error(exc.status, exc.code, exc.message, correlation, details)
            response.headers.update(exc.headers)
        except MockGenesysError as exc:
            field = exc.path if isinstance(exc, FaultRuleError) else None
            details = [{"errorCode": "invalid.value", "fieldName": field}] if field else []
            response = _error(400, "invalid.value", str(exc), correlation, details)
        except Exception as exc:  # a bug in the mock: keep it for the test, answer like Genesys
            mock.server.state.record_error(exc)
            response = _error(500, "internal.server.error", None, correlation, [])
        response.headers["inin-correlation-id"] = correlation
        mock.journal.record(
            time=mock.clock.now(),
            wall=time.time(),
            kind="http",
            endpoint=endpoint_id,
            method=request.method,
            path=request.url.path,
            status=response.status_code,
            latency_ms=(time.perf_counter() - started) * 1000.0,
        )
        return response

    return wrapped


def check_caller(mock: MockGenesys, request: Request, *, is_public: bool = False) -> None:
    """``AdminError`` unless ``request`` comes from loopback (or ``admin_remote``) with the admin token."""
    host = request.client.host if request.client else ""
    if not mock.admin_remote and host != TEST_CLIENT_HOST and not is_loopback(host):
        raise AdminError(403, f"The admin API answers loopback clients only (you are {host}).", "not.authorized")
    if mock.admin_token is not None and not is_public:
        given = request.headers.get("authorization", "").encode("latin-1")
        if not hmac.compare_digest(given, f"Bearer {mock.admin_token}".encode()):
            raise AdminError(401, "The admin API needs Authorization: Bearer <admin token>.", "authentication.required")


def _error(
    status: int, code: str | None, message: str | None, correlation: str, details: list[dict[str, Any]]
) -> Response:
    error = platform_error(status, code, message, correlation, details=details)
    return Response(error.body, status_code=status, media_type="application/json")


class _Fallback:
    """Answers what no admin route took: a known path with another method (405), or no such path (404)."""

    def __init__(self, mock: MockGenesys) -> None:
        self.mock = mock
        self.templates = [(re.compile("^" + re.sub(r"\{\w+\}", "[^/]+", PREFIX + e.path) + "$"), e) for e in ENDPOINTS]
        self.handle = _guarded(mock, "admin.unmatched", self._refuse)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        response = await self.handle(Request(scope, receive))
        await response(scope, receive, send)

    async def _refuse(self, mock: MockGenesys, request: Request) -> Response:
        path = request.url.path
        allowed = sorted({e.method for pattern, e in self.templates if pattern.match(path)})
        if allowed:
            raise AdminError(
                405,
                f"HTTP method {request.method} is not supported for {path}; use {', '.join(allowed)}.",
                "method.not.allowed",
                headers={"allow": ", ".join(allowed)},
            )
        raise AdminError(404, f"No admin operation at {path}; GET {PREFIX}/openapi.json lists them.", "not.found")
