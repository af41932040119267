"""One guest WebSocket connection as the server sees it: an outgoing queue and its choke point."""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from typing import TYPE_CHECKING

from mockgenesys.server.websocket.frames import Frame

if TYPE_CHECKING:
    from mockgenesys.server.websocket.hub import GuestHub
    from mockgenesys.world.models import Deployment, GuestSession

_ids = itertools.count(1)
DROPPED = 1006


class GuestConnection:
    """Server side of one socket. Every outgoing frame goes through ``deliver``."""

    def __init__(
        self, hub: GuestHub, deployment: Deployment, *, base_url: str, loop: asyncio.AbstractEventLoop | None = None
    ) -> None:
        self.id = next(_ids)
        self.hub = hub
        self.deployment = deployment
        self.base_url = base_url
        self.session: GuestSession | None = None
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.closed = False
        self.close_code = 1000
        self.close_reason = ""
        self.last_code = 0
        self.last_retry_after: int | None = None
        self._loop = loop
        self._thread = threading.get_ident()

    def deliver(self, frame: Frame) -> None:
        """Send ``frame``, through the fault interceptor when one is installed."""
        if self.closed:
            return
        if frame.get("type") == "response":
            self.last_code = int(frame.get("code", 0))
            body = frame.get("body")
            if frame.get("class") == "TooManyRequestsErrorMessage" and isinstance(body, dict):
                retry = body.get("retryAfter")
                self.last_retry_after = retry if isinstance(retry, int) else None
        interceptor = self.hub.interceptor
        plan = [(0.0, frame)] if interceptor is None else interceptor.outbound(self, frame)
        for delay, item in plan:
            if delay > 0:
                self.hub.scheduler.call_later(delay, lambda item=item: self.put_now(item))  # type: ignore[misc]
            else:
                self.put_now(item)

    def put_now(self, frame: Frame) -> None:
        """Deliver ``frame`` now, bypassing the interceptor (for frames it already handled)."""
        if self.closed:
            return
        self.hub.journal_out(self, frame)
        self._enqueue(json.dumps(frame, separators=(",", ":"), ensure_ascii=False))

    def _enqueue(self, item: str | None) -> None:
        if self._loop is not None and threading.get_ident() != self._thread and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.queue.put_nowait, item)
        else:
            self.queue.put_nowait(item)

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the socket after what is already queued."""
        if self.closed:
            return
        self.closed = True
        self.close_code = code
        self.close_reason = reason
        self.hub.detach(self)
        self._enqueue(None)

    def drop(self) -> None:
        """Close abruptly, as a network failure would."""
        self.close(DROPPED, "connection dropped")

    def __repr__(self) -> str:
        return (
            f"GuestConnection(id={self.id}, session={self.session.id if self.session else None}, closed={self.closed})"
        )
