"""Shared vocabulary of the guest WebSocket: the socket protocol clients use, its errors,
and the interceptor seam the fault engine plugs into.

``WebSocketLike`` is what both a live ``websockets`` connection (through the client core's
connector) and the in-process ``mock.connect_guest()`` socket look like to a client.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


class WebSocketClosed(Exception):
    """The guest socket is closed; ``code`` and ``reason`` are the close frame's."""

    def __init__(self, code: int = 1000, reason: str = "") -> None:
        super().__init__(f"WebSocket closed with code {code}{': ' + reason if reason else ''}")
        self.code = code
        self.reason = reason


class HandshakeRejected(Exception):
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


class WsInterceptor(Protocol):
    """Hooks the fault engine installs on the guest WebSocket server.

    ``inbound`` sees every parsed client frame before it is handled; returning True means a
    fault consumed it (answered, dropped the socket…) and normal handling is skipped.
    ``outbound`` sees every frame the server is about to deliver to one connection and returns
    what to deliver instead, as ``(delay_seconds, frame)`` pairs on the mock's clock: ``[]``
    drops it, two entries duplicate it, a positive delay holds it back.
    ``finished`` is called once the server is done with an inbound frame.
    """

    def inbound(self, connection: Any, action: str, frame: dict[str, Any]) -> bool: ...

    def outbound(self, connection: Any, frame: dict[str, Any]) -> list[tuple[float, dict[str, Any]]]: ...

    def finished(self, connection: Any) -> None:
        """The inbound frame last passed to ``inbound`` has been fully handled."""
