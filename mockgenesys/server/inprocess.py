"""The client end of a server socket reached in-process: no network, works on virtual time.

The guest and the notification sockets share it; each says how a frame reaches its hub and how
the client hangs up.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from typing import Generic, Protocol, TypeVar

from mockgenesys.types import WebSocketClosed

#: The close code a fault or the admin gives a dropped connection, as a network failure would.
DROPPED = 1006


class QueuedConnection(Protocol):
    """A server-side connection whose outgoing frames wait on ``queue`` (``None`` marks the close)."""

    queue: asyncio.Queue[str | None]
    closed: bool
    close_code: int
    close_reason: str


C = TypeVar("C", bound=QueuedConnection)


class InProcessSocket(ABC, Generic[C]):
    """A ``WebSocketLike`` over a ``QueuedConnection``: ``send`` hands a frame to the server,
    ``recv`` reads what the server queued, ``close`` hangs up the way the subclass says."""

    def __init__(self, connection: C) -> None:
        self.connection = connection

    @property
    def closed(self) -> bool:
        return self.connection.closed and self.connection.queue.empty()

    @abstractmethod
    def deliver(self, message: str) -> None:
        """Hand ``message`` to the server (the subclass's hub)."""

    @abstractmethod
    async def hang_up(self, code: int, reason: str) -> None:
        """Close the server's side of the connection (the subclass's hub)."""

    async def send(self, message: str) -> None:
        if self.connection.closed:
            raise WebSocketClosed(self.connection.close_code, self.connection.close_reason)
        self.deliver(message)
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
        await self.hang_up(code, reason)
