"""One notification WebSocket as the server sees it, and its in-process client end."""

from __future__ import annotations

import asyncio
import itertools
import threading
from typing import TYPE_CHECKING

from mockgenesys.server.inprocess import InProcessSocket

if TYPE_CHECKING:
    from mockgenesys.server.notifications.hub import NotificationHub

_ids = itertools.count(1)
#: The most frames queued for a client that does not read them; past it the socket closes with
#: ``SLOW_READER`` and the queued frames are let go, so an idle reader cannot hold memory.
MAX_QUEUED_FRAMES = 5_000
SLOW_READER = 1008


class NotificationConnection:
    """Server side of one notification socket: an outgoing queue (``None`` marks the close).

    ``generation`` changes whenever the channel's life changes, so timers armed for an earlier
    expiry know they are stale.
    """

    def __init__(self, channel_id: str, *, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self.id = next(_ids)
        self.channel_id = channel_id
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.closed = False
        self.close_code = 1000
        self.close_reason = ""
        self.generation = 0
        self._loop = loop
        self._thread = threading.get_ident()

    def enqueue(self, text: str | None) -> None:
        """Queue one encoded frame (``None``: the close) for the socket, from any thread."""
        if self._loop is not None and threading.get_ident() != self._thread and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._put, text)
        else:
            self._put(text)

    def _put(self, text: str | None) -> None:
        if text is not None and self.queue.qsize() >= MAX_QUEUED_FRAMES:
            while not self.queue.empty():  # the client has not read them: forget them and close
                self.queue.get_nowait()
            if not self.closed:
                self.closed = True
                self.close_code = SLOW_READER
                self.close_reason = f"the client left {MAX_QUEUED_FRAMES} frames unread"
            text = None
        self.queue.put_nowait(text)

    def close(self, code: int = 1000, reason: str = "") -> bool:
        """Close after what is already queued; False when it was closed before."""
        if self.closed:
            return False
        self.closed = True
        self.close_code = code
        self.close_reason = reason
        self.enqueue(None)
        return True

    def __repr__(self) -> str:
        return f"NotificationConnection(id={self.id}, channel={self.channel_id!r}, closed={self.closed})"


class InProcessNotificationSocket(InProcessSocket["NotificationConnection"]):
    """The client end of an in-process notification socket (a ``WebSocketLike``)."""

    def __init__(self, hub: NotificationHub, connection: NotificationConnection) -> None:
        super().__init__(connection)
        self.hub = hub

    def deliver(self, message: str) -> None:
        self.hub.receive(self.connection, message)

    async def hang_up(self, code: int, reason: str) -> None:
        self.hub.disconnect(self.connection, code, reason)
