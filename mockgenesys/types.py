"""Shared vocabulary of the package: the guest socket protocol clients use and its errors.

Both the simulated server and the client core import these; neither imports the other.

``WebSocketLike`` is what both a live ``websockets`` connection (through the client core's
connector) and the in-process ``mock.connect_guest()`` socket look like to a client.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from mockgenesys.errors import MockGenesysError


class WebSocketClosed(MockGenesysError):
    """The guest socket is closed; ``code`` and ``reason`` are the close frame's."""

    def __init__(self, code: int = 1000, reason: str = "") -> None:
        super().__init__(f"WebSocket closed with code {code}{': ' + reason if reason else ''}")
        self.code = code
        self.reason = reason


class HandshakeRejected(MockGenesysError):
    """The server refused the WebSocket upgrade (Genesys answers 403 for an unknown deployment)."""

    def __init__(self, status: int, reason: str = "") -> None:
        super().__init__(f"WebSocket handshake rejected with HTTP {status}{': ' + reason if reason else ''}")
        self.status = status
        self.reason = reason


@runtime_checkable
class WebSocketLike(Protocol):
    """A text WebSocket from the client's side."""

    async def send(self, message: str) -> None:
        """Send one text frame."""

    async def recv(self) -> str:
        """The next text frame; raises ``WebSocketClosed`` once the socket is closed."""

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the socket."""
