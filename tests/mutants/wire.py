"""One guest WebSocket connection, in-process or live: send a request, read until its answer.

The baseline guest keeps one request on the wire at a time, so a connection simply reads
frames until the one carrying the request's ``tracingId``; every frame read on the way (agent
messages, events, late echoes) goes to the owner's ``on_frame`` first.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Any

import websockets

from mockgenesys.client import ClientConfigError
from mockgenesys.types import HandshakeRejected, WebSocketClosed, WebSocketLike

Frame = dict[str, Any]
Connector = Callable[[], AbstractAsyncContextManager[WebSocketLike]]


class Lost(Exception):
    """The connection closed (or stayed silent) before a request was answered.

    ``sent`` tells whether the request left the client: if it did, its fate is unknown.
    ``frame`` is the request.
    """

    def __init__(self, reason: str, *, sent: bool, frame: Frame | None = None) -> None:
        super().__init__(reason)
        self.sent = sent
        self.frame = frame or {}


class _LiveSocket:
    """A ``websockets`` connection as a ``WebSocketLike`` (its close error becomes ``WebSocketClosed``)."""

    def __init__(self, connection: websockets.ClientConnection) -> None:
        self.connection = connection

    async def send(self, message: str) -> None:
        try:
            await self.connection.send(message)
        except websockets.ConnectionClosed as exc:
            raise WebSocketClosed(exc.rcvd.code if exc.rcvd else 1006, str(exc)) from None

    async def recv(self) -> str:
        try:
            data = await self.connection.recv()
        except websockets.ConnectionClosed as exc:
            raise WebSocketClosed(exc.rcvd.code if exc.rcvd else 1006, str(exc)) from None
        return data if isinstance(data, str) else data.decode("utf-8")

    async def close(self, code: int = 1000, reason: str = "") -> None:
        await self.connection.close(code, reason)


def live_connector(base_url: str, deployment_id: str) -> Connector:
    """Connect to ``ws://<host>/v1?deploymentId=...`` of the live mock at ``base_url``."""
    url = base_url.replace("https://", "wss://").replace("http://", "ws://").rstrip("/")
    url += f"/v1?deploymentId={deployment_id}"

    @asynccontextmanager
    async def connect() -> AsyncIterator[WebSocketLike]:
        async with websockets.connect(url, open_timeout=10) as connection:
            yield _LiveSocket(connection)

    return connect


def _refused(status: int) -> ClientConfigError:
    return ClientConfigError(
        f"The server refused the guest WebSocket (HTTP {status}): check the deployment id and that this "
        "origin is among the deployment's allowed domains."
    )


class Connection:
    """An open guest socket; ``request`` sends one frame and returns the frame answering it."""

    def __init__(
        self, socket: WebSocketLike, stack: AsyncExitStack, on_frame: Callable[[Frame], None], timeout: float | None
    ) -> None:
        self.socket = socket
        self.stack = stack
        self.on_frame = on_frame
        self.timeout = timeout
        self.closed = False

    @classmethod
    async def open(cls, connect: Connector, on_frame: Callable[[Frame], None], timeout: float | None) -> Connection:
        """Open a socket; ``Lost`` when the network fails, ``ClientConfigError`` for a refused handshake."""
        stack = AsyncExitStack()
        try:
            socket = await stack.enter_async_context(connect())
        except HandshakeRejected as exc:
            await stack.aclose()
            raise _refused(exc.status) from None
        except websockets.InvalidStatus as exc:
            await stack.aclose()
            if 400 <= exc.response.status_code < 500:
                raise _refused(exc.response.status_code) from None
            raise Lost(f"could not connect: {exc}", sent=False) from None
        except (OSError, TimeoutError, websockets.InvalidHandshake, WebSocketClosed) as exc:
            await stack.aclose()
            raise Lost(f"could not connect: {exc}", sent=False) from None
        return cls(socket, stack, on_frame, timeout)

    async def request(self, frame: Frame) -> Frame:
        """Send ``frame`` and read until the frame with its ``tracingId``; ``Lost`` if the socket goes."""
        tracing = frame["tracingId"]
        try:
            await self.socket.send(json.dumps(frame))
        except (WebSocketClosed, OSError) as exc:
            self.closed = True
            raise Lost(f"send failed: {exc}", sent=False, frame=frame) from None
        while True:
            try:
                if self.timeout is None:
                    text = await self.socket.recv()
                else:
                    text = await asyncio.wait_for(self.socket.recv(), self.timeout)
            except TimeoutError:
                raise Lost(
                    f"no answer to {frame['action']} within {self.timeout:g} s", sent=True, frame=frame
                ) from None
            except (WebSocketClosed, OSError) as exc:
                self.closed = True
                raise Lost(f"the socket closed: {exc}", sent=True, frame=frame) from None
            try:
                answer = json.loads(text)
            except ValueError:
                continue  # an unreadable frame answers nothing
            if not isinstance(answer, dict):
                continue
            self.on_frame(answer)
            if answer.get("tracingId") == tracing:
                return answer

    async def close(self) -> None:
        self.closed = True
        # closing a socket that already failed may fail again; it is gone either way
        with contextlib.suppress(OSError, WebSocketClosed, websockets.WebSocketException):
            await self.stack.aclose()
