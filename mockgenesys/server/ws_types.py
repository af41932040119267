"""The interceptor seam the fault engine plugs into on the guest WebSocket server."""

from __future__ import annotations

from typing import Any, Protocol

from mockgenesys.types import HandshakeRejected, WebSocketClosed, WebSocketLike

__all__ = ["HandshakeRejected", "WebSocketClosed", "WebSocketLike", "WsInterceptor"]


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
