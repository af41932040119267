"""A guest socket that talks to the hub directly: no network, works on virtual time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mockgenesys.server.inprocess import InProcessSocket

if TYPE_CHECKING:
    from mockgenesys.server.websocket.connection import GuestConnection
    from mockgenesys.server.websocket.hub import GuestHub


class InProcessGuestSocket(InProcessSocket["GuestConnection"]):
    """The client end of an in-process guest connection (a ``WebSocketLike``)."""

    def __init__(self, hub: GuestHub, connection: GuestConnection) -> None:
        super().__init__(connection)
        self.hub = hub

    def deliver(self, message: str) -> None:
        errors_before = self.hub.state.error_count
        self.hub.receive(self.connection, message)
        if self.hub.state.error_count > errors_before:  # a bug in the mock: raise it in the test
            raise self.hub.state.errors[-1]

    async def hang_up(self, code: int, reason: str) -> None:
        self.connection.close(code, reason)
