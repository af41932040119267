"""The ASGI side: a lean REST adapter over ``Server`` and the Starlette app around it."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount, WebSocketRoute

from mockgenesys.errors import MockGenesysError
from mockgenesys.server.http import MAX_REQUEST_BYTES, MockRequest

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, MutableMapping

    from mockgenesys.server.core import Server

    Scope = MutableMapping[str, Any]
    Message = MutableMapping[str, Any]
    Receive = Callable[[], Awaitable[Message]]
    Send = Callable[[Message], Awaitable[None]]


class ConnectionReset(MockGenesysError):
    """Raised inside the ASGI app to make the server drop a connection (a reset fault)."""


class _QuietResets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], ConnectionReset))


logging.getLogger("uvicorn.error").addFilter(_QuietResets())


class RestApp:
    """ASGI app serving every REST route through ``Server.handle``."""

    def __init__(self, server: Server) -> None:
        self.server = server

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan and stray websockets: nothing to do here
            return
        received = self.server.clock.now()  # before the body: a slow upload is the client's time
        body = b""
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            if len(body) <= MAX_REQUEST_BYTES:
                body += chunk
            more = message.get("more_body", False)
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
        client = scope.get("client")
        request = MockRequest(
            scope["method"],
            scope["path"],
            scope["query_string"].decode("latin-1"),
            headers,
            body,
            client[0] if client else "127.0.0.1",
            received,
        )
        response = self.server.handle(request)
        if response.delay > 0:
            await asyncio.sleep(response.delay)
        if response.reset:
            # Promise a body that never comes: the server closes the connection mid-response,
            # which clients see as a reset / "peer closed connection" (no status to read).
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1")]})
            raise ConnectionReset()
        raw_headers = [(b"content-length", str(len(response.body)).encode())]
        if response.content_type is not None:
            raw_headers.append((b"content-type", response.content_type))
        raw_headers.extend(response.headers)
        await send({"type": "http.response.start", "status": response.status, "headers": raw_headers})
        await send({"type": "http.response.body", "body": response.body})


class MockApp(Starlette):
    """The mock's Starlette app with a short path for REST calls.

    An HTTP request whose path no extra route (admin, ...) could claim goes straight to the
    REST adapter, skipping Starlette's middleware and router, which would end there anyway.
    Everything else (WebSocket, lifespan, ``/__admin``) takes the full Starlette path.
    """

    def __init__(self, routes: list[BaseRoute], rest: RestApp, claimed: tuple[str, ...]) -> None:
        super().__init__(routes=routes)
        self.rest = rest
        self._claimed = claimed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith(self._claimed):
            await self.rest(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def build_app(server: Server, extra_routes: list[BaseRoute] | None = None) -> tuple[MockApp, RestApp]:
    """The Starlette app (extra routes first, REST last) and its REST adapter."""
    rest = RestApp(server)
    extra = list(extra_routes or [])
    # Path prefixes the extra routes could answer over HTTP (a WebSocket route never does).
    claimed = tuple(
        str(getattr(route, "path", "")).split("{", 1)[0] or "/"
        for route in extra
        if not isinstance(route, WebSocketRoute)
    )
    routes: list[BaseRoute] = [*extra, Mount("", app=rest)]
    return MockApp(routes, rest, claimed), rest
