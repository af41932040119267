"""A guest socket that talks to the hub directly: no network, works on virtual time."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from mockgenesys.types import WebSocketClosed

if TYPE_CHECKING:
    from mockgenesys.server.websocket.connection import GuestConnection
    from mockgenesys.server.websocket.hub import GuestHub


class InProcessGuestSocket:
    """The client end of an in-process guest connection (a ``WebSocketLike``)."""

    def __init__(self, hub: GuestHub, connection: GuestConnection) -> None:
        self.hub = hub
        self.connection = connection

    @property
    def closed(self) -> bool:
        return self.connection.closed and self.connection.queue.empty()

    async def send(self, message: str) -> None:
        if self.connection.closed:
            raise WebSocketClosed(self.connection.close_code, self.connection.close_reason)
        errors_before = self.hub.state.error_count
        self.hub.receive(self.connection, message)
        if self.hub.state.error_count > errors_before:  # a bug in the mock: raise it in the test
            raise self.hub.state.errors[-1]
        await asyncio.sleep(0)

    async def recv(self) -> str:
        item = await self.connection.queue.get()
        if item is None:
            self.connection.queue.put_nowait(None)  # every later recv() fails the same way
            raise WebSocketClosed(self.connection.close_code, self.connection.close_reason)
        return item

    def pending(self) -> list[str]:
        """Every frame already waiting, without blocking (handy in tests)."""
        frames: list[str] = []
        while not self.connection.queue.empty():
            item = self.connection.queue.get_nowait()
            if item is None:
                self.connection.queue.put_nowait(None)
                break
            frames.append(item)
        return frames

    async def close(self, code: int = 1000, reason: str = "") -> None:
        self.connection.close(code, reason)
