"""Pacing: the guest's frames go out under the documented guest limits and behind a Retry-After."""

from __future__ import annotations

from collections import deque

from mockgenesys.client.errors import ClientConfigError
from mockgenesys.client.retry import RetryGate
from mockgenesys.client.timing import Timing

#: The documented guest limits the client paces itself under: (requests, per seconds).
GUEST_PACE = ((2, 1.0), (60, 60.0))

Limits = tuple[tuple[int, float], ...]


class Pacer:
    """At most ``n`` frames in any ``period`` seconds for each ``(n, period)`` of ``limits``.

    A burst of sends never earns a 429 in the first place; when the server still refused one,
    ``gate`` (held until its ``retryAfter``) keeps every later frame back as well.
    """

    def __init__(self, timing: Timing, *, limits: Limits = GUEST_PACE, gate: RetryGate | None = None) -> None:
        for count, period in limits:
            if count < 1 or period <= 0:
                raise ClientConfigError(
                    f"A pace limit is (frames >= 1, per seconds > 0), got ({count}, {period}); "
                    f"the documented guest limits are {GUEST_PACE}."
                )
        self.timing = timing
        self.limits = limits
        self.gate = gate or RetryGate()
        self._sent_at: deque[float] = deque(maxlen=max((n for n, _ in limits), default=1))

    async def wait(self) -> None:
        """Return when the next frame may go, and count it as gone."""
        await self.gate.wait(self.timing)
        while True:
            now = self.timing.clock.monotonic()
            wait = 0.0
            for count, period in self.limits:
                if len(self._sent_at) >= count:
                    wait = max(wait, self._sent_at[-count] + period - now)
            if wait <= 0:
                self._sent_at.append(now)
                return
            await self.timing.pause(wait)
