"""WebSocket connectors: how a ``GuestMessagingClient`` opens its socket, live or in-process."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any

import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatus, InvalidURI, WebSocketException

from mockgenesys.client.errors import ClientConfigError
from mockgenesys.types import HandshakeRejected, WebSocketClosed, WebSocketLike

if TYPE_CHECKING:
    from mockgenesys.mock import MockGenesys

#: Opens a guest socket for a deployment; raises ``HandshakeRejected``, ``ClientConfigError`` (a
#: broken URL) or ``OSError`` (worth another attempt) on failure.
Connector = Callable[[str], Awaitable[WebSocketLike]]


class _LiveSocket:
    """A ``websockets`` connection with the ``WebSocketLike`` error contract."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection

    async def send(self, message: str) -> None:
        try:
            await self._connection.send(message)
        except ConnectionClosed as exc:
            raise _closed(exc) from None

    async def recv(self) -> str:
        try:
            frame = await self._connection.recv()
        except ConnectionClosed as exc:
            raise _closed(exc) from None
        return frame if isinstance(frame, str) else frame.decode()

    async def close(self, code: int = 1000, reason: str = "") -> None:
        await self._connection.close(code, reason)


def _closed(exc: ConnectionClosed) -> WebSocketClosed:
    frame = exc.rcvd or exc.sent
    return WebSocketClosed(frame.code if frame is not None else 1006, frame.reason if frame is not None else "")


def websocket_connector(ws_url: str, *, origin: str | None = None, open_timeout: float = 10.0) -> Connector:
    """A connector for a live server: ``ws_url`` is e.g. ``wss://webmessaging.mypurecloud.com/v1``."""

    async def connect(deployment_id: str) -> WebSocketLike:
        separator = "&" if "?" in ws_url else "?"
        url = f"{ws_url}{separator}deploymentId={deployment_id}"
        headers = {"Origin": origin} if origin else None
        try:
            connection = await websockets.connect(
                url, additional_headers=headers, open_timeout=open_timeout, max_size=2**20
            )
        except InvalidStatus as exc:
            raise HandshakeRejected(exc.response.status_code, exc.response.reason_phrase) from None
        except InvalidURI:
            raise ClientConfigError(
                f"{ws_url!r} is not a WebSocket URL: give ws_url as ws://host:port/v1 or wss://webmessaging.<region>/v1."
            ) from None
        except WebSocketException as exc:  # a garbled handshake: worth another attempt, like a network error
            raise ConnectionError(f"the WebSocket handshake with {ws_url} failed ({exc})") from None
        return _LiveSocket(connection)

    return connect


def mock_connector(mock: MockGenesys, *, origin: str | None = None) -> Connector:
    """A connector that opens in-process sockets on ``mock`` (no network, works on virtual time)."""

    async def connect(deployment_id: str) -> WebSocketLike:
        opened = contextlib.AsyncExitStack()
        socket = await opened.enter_async_context(mock.connect_guest(deployment_id, origin=origin))
        return _MockSocket(socket, opened)

    return connect


class _MockSocket:
    """A socket of ``mock.connect_guest()`` kept open past the ``async with``; ``close`` ends it."""

    def __init__(self, socket: WebSocketLike, opened: contextlib.AsyncExitStack) -> None:
        # bound straight to the in-process socket: no extra coroutine per frame
        self.send: Callable[[str], Coroutine[Any, Any, None]] = socket.send
        self.recv: Callable[[], Coroutine[Any, Any, str]] = socket.recv
        self._socket = socket
        self._opened = opened

    async def close(self, code: int = 1000, reason: str = "") -> None:
        await self._socket.close(code, reason)
        await self._opened.aclose()
