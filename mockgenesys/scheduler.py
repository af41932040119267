"""Timers on the mock's clock: agent replies, routing delays and held-back frames."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import threading
from collections.abc import Callable

from mockgenesys.clock import Clock

Callback = Callable[[], None]


class Scheduler:
    """Runs callbacks when the mock's clock reaches their time.

    On a ``VirtualClock`` due timers fire as the clock advances (``advance`` or ``sleep``).
    On the system clock they fire from the event loop that scheduled them (``call_later``),
    and anything overdue also fires on the next ``run_due()`` (every request and frame).
    """

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._heap: list[tuple[float, int, Callback]] = []
        self._counter = itertools.count()
        self._lock = threading.RLock()
        self._running = False
        clock.listeners.append(self._on_move)

    def _on_move(self, now: float) -> None:
        self.run_due()

    def __len__(self) -> int:
        return len(self._heap)

    def call_at(self, when: float, callback: Callback) -> None:
        with self._lock:
            heapq.heappush(self._heap, (when, next(self._counter), callback))
        if self.clock.is_virtual:
            if when <= self.clock.now():
                self.run_due()
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        loop.call_later(max(0.0, when - self.clock.now()), self.run_due)

    def call_later(self, delay: float, callback: Callback) -> None:
        self.call_at(self.clock.now() + max(0.0, delay), callback)

    def next_due(self) -> float | None:
        """When the earliest pending callback is due (clock seconds), or None when none is pending."""
        with self._lock:
            return self._heap[0][0] if self._heap else None

    def run_due(self) -> int:
        """Run every callback whose time has come, in time order; returns how many ran."""
        if self._running:
            return 0
        ran = 0
        self._running = True
        try:
            while True:
                with self._lock:
                    if not self._heap or self._heap[0][0] > self.clock.now():
                        break
                    _, _, callback = heapq.heappop(self._heap)
                callback()
                ran += 1
        finally:
            self._running = False
        return ran

    def clear(self) -> None:
        with self._lock:
            self._heap.clear()
