"""One guest WebSocket connection as the server sees it: an outgoing queue and its state."""

from __future__ import annotations

import asyncio
import itertools
import threading
from typing import TYPE_CHECKING

from mockgenesys.server.inprocess import DROPPED

if TYPE_CHECKING:
    from mockgenesys.server.websocket.frames import Frame
    from mockgenesys.server.websocket.outbound import Outbound
    from mockgenesys.server.websocket.sockets import GuestSockets
    from mockgenesys.world.models import Deployment, GuestSession

_ids = itertools.count(1)
#: The most frames queued for a client that does not read them; past it the socket closes
#: (``SLOW_READER``) and the queued frames are let go, so an idle reader cannot hold memory.
MAX_QUEUED_FRAMES = 5_000
SLOW_READER = 1008


class GuestConnection:
    """Server side of one socket. Every outgoing frame goes through ``deliver``.

    A ``None`` on ``queue`` marks the close; ``close_code`` and ``close_reason`` say how.
    """

    def __init__(
        self,
        deployment: Deployment,
        *,
        outbound: Outbound,
        sockets: GuestSockets,
        base_url: str,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self.id = next(_ids)
        self.deployment = deployment
        self.base_url = base_url
        self.session: GuestSession | None = None
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.closed = False
        self.close_code = 1000
        self.close_reason = ""
        #: Frames the connection's request limit refused in a row (the hub closes a flood).
        self.refused_in_a_row = 0
        self._outbound = outbound
        self._sockets = sockets
        self._loop = loop
        self._thread = threading.get_ident()

    def deliver(self, frame: Frame) -> None:
        """Send ``frame`` through the outbound fault rules and transforms."""
        if not self.closed:
            self._outbound.send(self, frame)

    def enqueue(self, text: str | None) -> None:
        """Queue one encoded frame (``None``: the close) for the socket, from any thread."""
        if self._loop is not None and threading.get_ident() != self._thread and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._put, text)
        else:
            self._put(text)

    def _put(self, text: str | None) -> None:
        if text is not None and self.queue.qsize() >= MAX_QUEUED_FRAMES:
            self._overflow()
            return
        self.queue.put_nowait(text)

    def _overflow(self) -> None:
        """The client has not read ``MAX_QUEUED_FRAMES`` frames: forget them and close."""
        while not self.queue.empty():
            self.queue.get_nowait()
        if not self.closed:
            self.closed = True
            self.close_code = SLOW_READER
            self.close_reason = f"the client left {MAX_QUEUED_FRAMES} frames unread"
            self._sockets.detach(self)
        self.queue.put_nowait(None)

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the socket after what is already queued."""
        if self.closed:
            return
        self.closed = True
        self.close_code = code
        self.close_reason = reason
        self._sockets.detach(self)
        self.enqueue(None)

    def drop(self) -> None:
        """Close abruptly, as a network failure would."""
        self.close(DROPPED, "connection dropped")

    def __repr__(self) -> str:
        return (
            f"GuestConnection(id={self.id}, session={self.session.id if self.session else None}, closed={self.closed})"
        )
