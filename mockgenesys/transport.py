"""In-process httpx transports that call the mock directly: no sockets, no ASGI."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import httpx

from mockgenesys.server.http import MockRequest, MockResponse

if TYPE_CHECKING:
    from mockgenesys.server.core import Server


class MockTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """An httpx transport for both ``httpx.Client`` and ``httpx.AsyncClient``.

    It hands each request to the same ``Server.handle`` the live app uses, so routes,
    auth, limits and the journal behave identically, only without sockets or ASGI.

    >>> from mockgenesys import MockGenesys
    >>> mock = MockGenesys(seed=7)
    >>> with httpx.Client(transport=mock.transport(), base_url="https://api.mypurecloud.com") as http:
    ...     http.post("/oauth/token", data={"grant_type": "client_credentials"},
    ...               auth=(mock.client_id, mock.client_secret)).status_code
    200
    """

    def __init__(self, server: Server, *, raise_server_errors: bool = True, client: str = "127.0.0.1") -> None:
        self.server = server
        self.raise_server_errors = raise_server_errors
        self.client = client

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._handle(request, request.read())
        if response.delay > 0:
            time.sleep(response.delay)
        return self._finish(request, response)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = self._handle(request, await request.aread())
        if response.delay > 0:
            await asyncio.sleep(response.delay)
        return self._finish(request, response)

    def _handle(self, request: httpx.Request, body: bytes) -> MockResponse:
        url = request.url
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in request.headers.raw}
        errors_before = self.server.error_count
        response: MockResponse = self.server.handle(
            MockRequest(request.method, url.path, url.query.decode("latin-1"), headers, body, self.client)
        )
        if self.raise_server_errors and self.server.error_count > errors_before:
            raise self.server.errors[-1]
        return response

    @staticmethod
    def _finish(request: httpx.Request, response: MockResponse) -> httpx.Response:
        if response.reset:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
        raw_headers = list(response.headers)
        if response.content_type is not None:
            raw_headers.append((b"content-type", response.content_type))
        return httpx.Response(response.status, headers=raw_headers, content=response.body, request=request)
