"""``SimClock``: a virtual clock for many concurrent guests (discrete-event time).

A plain ``VirtualClock`` advances the moment anyone sleeps, so a hundred guests each pausing
one second would move time a hundred seconds. Here ``sleep`` waits for a deadline instead, and
``drive`` moves time to the earliest deadline only once every task is blocked: a hundred guests
pausing one second take one virtual second together, so per-second rate limits really bite.
Everything stays deterministic: no wall time is read.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
from collections.abc import Callable, Coroutine
from typing import Any

from mockgenesys.clock import DEFAULT_EPOCH, VirtualClock
from mockgenesys.errors import MockGenesysError

MAX_SPINS = 100_000
FALLBACK_SPINS = 64  # event loops without a visible ready queue (uvloop)
STALL_STEP = 1.0
MAX_STALL_STEP = 60.0


class SimulationLimit(MockGenesysError):
    """The run passed its virtual-time bound (``limits.max_virtual_seconds``)."""


class SimClock(VirtualClock):
    """A ``VirtualClock`` whose ``sleep`` blocks until ``drive`` reaches the deadline."""

    def __init__(self, start: float = DEFAULT_EPOCH) -> None:
        super().__init__(start)
        self._waiters: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        #: Other sources of deadlines (the mock's scheduler): each returns the next one or None.
        self.deadline_sources: list[Callable[[], float | None]] = []

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        # a pause too short to move a clock this far from zero still moves it by the least step,
        # or a caller that waits out a remainder (Timing.wait_for) would ask again forever
        deadline = max(self._now + seconds, math.nextafter(self._now, math.inf))
        heapq.heappush(self._waiters, (deadline, next(self._order), future))
        await future

    def _moved(self) -> None:
        super()._moved()
        while self._waiters and self._waiters[0][0] <= self._now:
            _, _, future = heapq.heappop(self._waiters)
            if not future.done():
                future.set_result(None)

    def next_deadline(self) -> float | None:
        """The earliest time anything waits for (a sleeper or a scheduled mock timer)."""
        while self._waiters and self._waiters[0][2].done():  # cancelled sleepers
            heapq.heappop(self._waiters)
        found = [self._waiters[0][0]] if self._waiters else []
        for source in self.deadline_sources:
            when = source()
            if when is not None:
                found.append(when)
        return min(found) if found else None

    async def drive(self, main: Coroutine[Any, Any, Any], *, max_seconds: float) -> Any:
        """Run ``main`` to completion, moving time whenever every task is blocked.

        Raises ``SimulationLimit`` (after cancelling ``main``) once ``max_seconds`` of virtual
        time have passed. When nothing waits on a deadline yet tasks are still blocked, time moves
        in growing steps so real timers and scheduled frames get their chance.
        """
        loop = asyncio.get_running_loop()
        task = asyncio.ensure_future(main)
        limit = self._now + max_seconds
        stall = STALL_STEP
        try:
            while not task.done():
                await _settle(loop)
                if task.done():
                    break
                deadline = self.next_deadline()
                if deadline is None:
                    deadline = self._now + stall
                    stall = min(stall * 2, MAX_STALL_STEP)
                    await asyncio.sleep(0.001)  # give real I/O or real timers a moment
                else:
                    stall = STALL_STEP
                if deadline > limit:
                    task.cancel()
                    raise SimulationLimit(f"the run went past {max_seconds:g} virtual seconds")
                self.advance(max(0.0, deadline - self._now))
            return task.result()
        finally:
            if not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)


async def _settle(loop: asyncio.AbstractEventLoop) -> None:
    """Yield until no other callback is ready to run (every task is blocked)."""
    ready = getattr(loop, "_ready", None)
    for _ in range(MAX_SPINS if ready is not None else FALLBACK_SPINS):
        await asyncio.sleep(0)
        if ready is not None and not ready:
            return
    if ready is None:
        return
    raise RuntimeError("the event loop never went idle; a task is busy-looping without awaiting the clock")
