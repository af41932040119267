"""Retry with exponential backoff and full jitter, honouring Retry-After; never recursive."""

from __future__ import annotations

import email.utils
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from random import Random

import httpx

from mockgenesys.client.errors import ClientConfigError, ConnectionFailedError
from mockgenesys.client.timing import Timing

#: Statuses worth another attempt: rate limited, or a gateway/server that may come back.
RETRY_STATUSES = frozenset({429, 502, 503, 504})


def parse_retry_after(value: str | float | int | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: delta-seconds or an HTTP date.

    >>> parse_retry_after("3", now=0)
    3.0
    >>> parse_retry_after("Thu, 01 Jan 1970 00:00:10 GMT", now=4)
    6.0
    >>> parse_retry_after("soon", now=0) is None
    True
    """
    if value is None:
        return None
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        text = value.strip()
        try:
            seconds = float(text)
        except ValueError:
            try:
                moment = email.utils.parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError):
                return None
            if moment.tzinfo is None:
                return None
            seconds = moment.timestamp() - now
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


class RetryGate:
    """The earliest moment the next request may go, after a server said ``Retry-After``.

    A 429 holds every later request of the same client back, not just the retried one, so a
    new call right after a policy gave up still honours the server's deadline.
    """

    def __init__(self) -> None:
        self.not_before = 0.0

    def hold(self, until: float) -> None:
        """Let nothing through before ``until`` (the client's monotonic clock)."""
        self.not_before = max(self.not_before, until)

    async def wait(self, timing: Timing) -> None:
        """Sleep until the gate opens."""
        remaining = self.not_before - timing.clock.monotonic()
        if remaining > 0:
            await timing.pause(remaining)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry.

    Attempt ``n`` (1-based) that failed waits ``uniform(0, min(max_delay, base_delay * 2**(n-1)))``
    (full jitter), or exactly the server's ``Retry-After`` plus up to ``retry_after_jitter``
    seconds. It stops after ``max_attempts`` attempts or once the next wait would end more than
    ``max_elapsed`` seconds after the first attempt. Only ``retry_statuses`` and connection
    errors are retried; every other status is returned to the caller at once.
    """

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_elapsed: float = 300.0
    retry_after_jitter: float = 0.25
    retry_statuses: frozenset[int] = field(default=RETRY_STATUSES)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ClientConfigError(f"RetryPolicy.max_attempts must be at least 1, got {self.max_attempts}.")
        for name in ("base_delay", "max_delay", "max_elapsed", "retry_after_jitter"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or value < 0 or not math.isfinite(value):
                raise ClientConfigError(f"RetryPolicy.{name} must be a finite number >= 0, got {value!r}.")

    def delay(self, attempt: int, retry_after: float | None, rng: Random) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        if retry_after is not None:
            return retry_after + rng.uniform(0, self.retry_after_jitter)
        ceiling = min(self.max_delay, self.base_delay * 2 ** min(attempt - 1, 60))
        return rng.uniform(0, ceiling)

    def allows(self, attempt: int, elapsed: float, wait: float) -> bool:
        """Whether another attempt may follow attempt ``attempt`` after waiting ``wait`` more seconds."""
        return attempt < self.max_attempts and elapsed + wait <= self.max_elapsed

    async def send(
        self,
        request: Callable[[], Awaitable[httpx.Response]],
        timing: Timing,
        *,
        gate: RetryGate | None = None,
    ) -> httpx.Response:
        """Call ``request`` until it answers with a status not worth retrying, or the policy gives up.

        Returns the last response (a retryable status when the policy gave up, for the caller to
        turn into a typed error); raises ``ConnectionFailedError`` when the network failed every time.
        A ``gate`` shared by one client's calls keeps later calls behind a ``Retry-After`` too.
        """
        started = timing.clock.monotonic()
        attempt = 0
        while True:
            attempt += 1
            response: httpx.Response | None = None
            failure: httpx.TransportError | None = None
            if gate is not None:
                await gate.wait(timing)
            try:
                response = await request()
            except httpx.TransportError as exc:
                failure = exc
            if response is not None and response.status_code not in self.retry_statuses:
                return response
            retry_after = None
            if response is not None:
                retry_after = parse_retry_after(response.headers.get("Retry-After"), timing.now())
                if retry_after is not None and gate is not None:
                    gate.hold(timing.clock.monotonic() + retry_after)
            wait = self.delay(attempt, retry_after, timing.rng)
            elapsed = timing.clock.monotonic() - started
            if not self.allows(attempt, elapsed, wait):
                if response is not None:
                    return response
                raise ConnectionFailedError(
                    f"{type(failure).__name__} on all {attempt} attempts (last: {failure})"
                ) from failure
            await timing.pause(wait)
