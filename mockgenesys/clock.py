"""Clocks: every expiry, rate limit and timestamp in the mock reads one of these.

``SystemClock`` follows wall time (plus an offset the admin API can move forward, so a
live server's tokens can be expired from outside). ``VirtualClock`` only moves when told
to: ``advance(seconds)`` or ``await sleep(seconds)``, which advances instead of waiting.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Protocol, runtime_checkable

#: 2026-01-01T00:00:00Z: where a ``VirtualClock`` starts unless told otherwise, and the
#: reference point the seeded world's timestamps are generated before.
DEFAULT_EPOCH = 1767225600.0


@runtime_checkable
class Clock(Protocol):
    """What the mock and the client core need from a clock."""

    def now(self) -> float:
        """Seconds since the Unix epoch."""

    def monotonic(self) -> float:
        """A monotonic reading in seconds, for durations."""

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds``."""

    async def sleep(self, seconds: float) -> None:
        """Let ``seconds`` pass."""

    def sleep_sync(self, seconds: float) -> None:
        """Let ``seconds`` pass, from synchronous code."""

    @property
    def listeners(self) -> list[Callable[[float], None]]:
        """Callbacks run with the new time whenever the clock is moved on purpose."""

    @property
    def is_virtual(self) -> bool:
        """True when time moves only when told to (``advance``, ``sleep``), as on a ``VirtualClock``."""


class SystemClock:
    """Wall-clock time with an adjustable forward offset.

    ``advance`` does not wait: it adds to an offset that ``now`` and ``monotonic``
    include, so ``POST /__admin/clock/advance`` can age tokens on a live server.

    >>> clock = SystemClock()
    >>> before = clock.now(); clock.advance(3600); clock.now() - before >= 3600
    True
    """

    is_virtual = False

    def __init__(self) -> None:
        self.offset = 0.0
        #: Called with the new time after ``advance`` moves the offset.
        self.listeners: list[Callable[[float], None]] = []

    def now(self) -> float:
        return time.time() + self.offset

    def monotonic(self) -> float:
        return time.monotonic() + self.offset

    def advance(self, seconds: float) -> None:
        _check_seconds(seconds)
        self.offset += seconds
        now = self.now()
        for listener in list(self.listeners):
            listener(now)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))

    def sleep_sync(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds))

    def __repr__(self) -> str:
        return f"SystemClock(offset={self.offset!r})"


class VirtualClock:
    """A clock that moves only when told to.

    ``sleep`` advances the clock and yields to the event loop once, so an hour of token
    expiry or a 30 s Retry-After costs no wall time.

    >>> clock = VirtualClock()
    >>> clock.advance(90)
    >>> clock.now() - DEFAULT_EPOCH
    90.0
    """

    is_virtual = True

    def __init__(self, start: float = DEFAULT_EPOCH) -> None:
        self._now = float(start)
        self._start = float(start)
        #: Called with the new time after every move (the mock's scheduler fires due timers).
        self.listeners: list[Callable[[float], None]] = []

    def _moved(self) -> None:
        for listener in list(self.listeners):
            listener(self._now)

    def now(self) -> float:
        return self._now

    def monotonic(self) -> float:
        return self._now - self._start

    def advance(self, seconds: float) -> None:
        _check_seconds(seconds)
        self._now += seconds
        self._moved()

    async def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._now += seconds
            self._moved()
        await asyncio.sleep(0)

    def sleep_sync(self, seconds: float) -> None:
        if seconds > 0:
            self._now += seconds
            self._moved()

    def __repr__(self) -> str:
        return f"VirtualClock(now={self._now!r})"


def _check_seconds(seconds: float) -> None:
    if not isinstance(seconds, (int, float)) or seconds != seconds or seconds < 0:
        raise ValueError(f"A clock only moves forward: advance() needs a number of seconds >= 0, got {seconds!r}.")
