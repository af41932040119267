"""Injectable time and randomness for the client core.

With a ``VirtualClock`` shared with the mock, backoff and Retry-After waits advance virtual
time instead of waiting, and a wait with a timeout moves virtual time forward in small steps
while nothing else happens, so a frame the server holds back on the mock's clock still arrives.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from mockgenesys.clock import Clock, SystemClock

T = TypeVar("T")

#: Virtual seconds a timed wait lets pass per step when the event loop has nothing to do.
VIRTUAL_STEP = 0.25
_IDLE_SPINS = 20


@dataclass
class Timing:
    """The clock, the sleep function and the RNG one client uses.

    ``sleep`` defaults to ``clock.sleep``; pass ``rng=random.Random(seed)`` for repeatable jitter.
    """

    clock: Clock = field(default_factory=SystemClock)
    sleep: Callable[[float], Awaitable[None]] | None = None
    rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        if self.sleep is None:
            self.sleep = self.clock.sleep

    @property
    def virtual(self) -> bool:
        """True when the clock only moves when told to (a ``VirtualClock``)."""
        return bool(getattr(self.clock, "is_virtual", False))

    def now(self) -> float:
        return self.clock.now()

    async def pause(self, seconds: float) -> None:
        """Let ``seconds`` pass on this client's clock."""
        assert self.sleep is not None
        await self.sleep(max(0.0, seconds))

    async def wait_for(self, waiting: Awaitable[T], timeout: float) -> T:
        """``waiting``'s result, or ``TimeoutError`` after ``timeout`` seconds on this clock."""
        if not self.virtual:
            return await asyncio.wait_for(waiting, timeout)
        task = asyncio.ensure_future(waiting)
        deadline = self.clock.monotonic() + timeout
        try:
            while True:
                for _ in range(_IDLE_SPINS):
                    if task.done():
                        return task.result()
                    await asyncio.sleep(0)
                remaining = deadline - self.clock.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"nothing arrived within {timeout:g} s")
                await self.clock.sleep(min(VIRTUAL_STEP, remaining))
        finally:
            if not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
