"""Outbound transforms of fault rules (duplicate, hold, reorder) on the frames of many sockets.

The guest and the notification sockets share it; each decides what a frame is and how it is put
on its connection's queue.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from mockgenesys.faults.outcome import Transform
    from mockgenesys.scheduler import Scheduler

#: How long a frame held back for reordering waits at most for the next one (mock clock).
REORDER_TIMEOUT = 2.0

T = TypeVar("T")


class FrameShaper(Generic[T]):
    """Turns one outgoing item into ``(delay, item)`` pairs; a ``reorder`` holds the item back
    until the next one for the same connection overtakes it (or ``REORDER_TIMEOUT`` passes)."""

    def __init__(self, scheduler: Scheduler) -> None:
        self.scheduler = scheduler
        self._held: dict[int, T] = {}

    def holds(self, key: int) -> bool:
        """Whether an item of connection ``key`` waits to be overtaken."""
        return key in self._held

    def take(self, key: int) -> T | None:
        """The item connection ``key`` holds back, no longer held (None if there is none)."""
        return self._held.pop(key, None)

    def clear(self) -> None:
        self._held.clear()

    def shape(
        self, key: int, item: T, transforms: tuple[Transform, ...], release: Callable[[], None]
    ) -> list[tuple[float, T]]:
        """What to send for ``item`` and after how long; ``release`` sends a held item at its timeout."""
        result: list[tuple[float, T]] = [(0.0, item)]
        for transform in transforms:
            if transform.kind == "duplicate":
                result = [pair for pair in result for pair in (pair, pair)]
            elif transform.kind == "hold":
                result = [(delay + transform.seconds, frame) for delay, frame in result]
            elif key not in self._held:  # reorder: the next frame overtakes this one
                self._held[key] = item
                self.scheduler.call_later(REORDER_TIMEOUT, release)
                return []
        held = self._held.pop(key, None)
        if held is not None:
            result.append((0.0, held))
        return result
