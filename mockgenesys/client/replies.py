"""Request/reply matching on the guest socket: a reply names its request by ``tracingId``."""

from __future__ import annotations

import asyncio
from typing import Any

Frame = dict[str, Any]


class Replies:
    """The requests waiting for their reply, and echoes that came after their request gave up.

    ``expect()`` hands out a tracing id and the future its reply resolves; ``resolve(frame)``
    routes each incoming frame. A ``StructuredMessage`` echo whose request already timed out or
    lost its socket is kept (``late_echo``) so the outbox can learn that the message arrived.
    """

    def __init__(self) -> None:
        self._pending: dict[str, asyncio.Future[Frame]] = {}
        self._late: dict[str, Frame] = {}
        self._count = 0

    def expect(self, prefix: str) -> tuple[str, asyncio.Future[Frame]]:
        """A new tracing id (``prefix-n``) and the future that its reply will resolve."""
        self._count += 1
        tracing = f"{prefix}-{self._count}"
        future: asyncio.Future[Frame] = asyncio.get_running_loop().create_future()
        self._pending[tracing] = future
        return tracing, future

    def forget(self, tracing: str) -> None:
        """Stop waiting for the reply to ``tracing``."""
        self._pending.pop(tracing, None)

    def resolve(self, frame: Frame) -> bool:
        """Hand ``frame`` to the request it answers; False when it answers none (it is an event)."""
        tracing = frame.get("tracingId")
        if not isinstance(tracing, str):
            return False
        future = self._pending.get(tracing)
        if future is not None and not future.done():
            future.set_result(frame)
            return True
        if frame.get("class") == "StructuredMessage":
            self._late[tracing] = frame
            return True
        return False

    def late_echo(self, tracing: str) -> Frame | None:
        """The echo of ``tracing`` if it came after its request gave up (each is handed out once)."""
        return self._late.pop(tracing, None)

    def forget_late(self) -> None:
        """Drop the kept echoes (once a message is settled, older echoes cannot matter)."""
        self._late.clear()

    @property
    def late(self) -> int:
        """How many late echoes are kept."""
        return len(self._late)

    def fail_all(self, exc: Exception) -> None:
        """Every waiting request fails with ``exc`` (the socket closed)."""
        for future in self._pending.values():
            if not future.done():
                future.set_exception(exc)
                future.exception()  # its waiter may be gone (timed out): do not log it as never retrieved
