"""Retry with exponential backoff and full jitter, honouring Retry-After; one loop, never recursive.

Every retried operation of the client core (an HTTP call, connecting the guest socket, fetching a
guest JWT, delivering a message) runs through ``RetryPolicy.run``: one attempt answers with its
result or with a ``Retry`` saying why it may be repeated and what the server asked to wait.
"""

from __future__ import annotations

import email.utils
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from random import Random
from typing import TypeVar

import httpx

from mockgenesys.client.errors import ClientConfigError, ConnectionFailedError
from mockgenesys.client.timing import Timing

#: Statuses worth another attempt: rate limited, or a gateway/server that may come back.
RETRY_STATUSES = frozenset({429, 502, 503, 504})
#: Attempts per operation: enough to ride out ten consecutive refusals; ``max_elapsed`` bounds the time.
DEFAULT_MAX_ATTEMPTS = 12

T = TypeVar("T")


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
class Retry:
    """An attempt's answer when it may be repeated.

    ``reason`` says what went wrong (for the error raised when no attempt is left);
    ``retry_after`` is the wait the server asked for, ``None`` when the policy's backoff applies.
    """

    reason: str
    retry_after: float | None = None


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry.

    Attempt ``n`` (1-based) that failed waits ``uniform(0, min(max_delay, base_delay * 2**(n-1)))``
    (full jitter), or exactly the server's ``Retry-After`` plus up to ``retry_after_jitter``
    seconds. It stops after ``max_attempts`` attempts or once its waits would add up to more
    than ``max_elapsed`` seconds. The time attempts themselves take is bounded by their own
    timeouts, so a clock that jumps while an attempt runs (a suspended laptop, a test moving
    virtual time) does not use up the budget. Only ``retry_statuses`` and connection errors are
    retried; every other status is returned to the caller at once.
    """

    max_attempts: int = DEFAULT_MAX_ATTEMPTS
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
        """Whether another attempt may follow attempt ``attempt`` after ``elapsed`` s of waits and ``wait`` more."""
        return attempt < self.max_attempts and elapsed + wait <= self.max_elapsed

    async def run(
        self,
        attempt: Callable[[], Awaitable[T | Retry]],
        timing: Timing,
        *,
        give_up: Callable[[Retry, int], T],
        gate: RetryGate | None = None,
        on_retry: Callable[[Retry], None] | None = None,
    ) -> T:
        """Call ``attempt`` until it returns a result, or the policy allows no more attempts.

        When the policy gives up, the operation ends with ``give_up(last_retry, attempts)``, which
        returns a value or raises the caller's typed error. A ``gate`` shared by one client's calls
        keeps every later call behind a ``Retry-After`` too; ``on_retry`` hears of each wait.
        """
        waited = 0.0
        attempts = 0
        while True:
            attempts += 1
            if gate is not None:
                await gate.wait(timing)
            outcome = await attempt()
            if not isinstance(outcome, Retry):
                return outcome
            if outcome.retry_after is not None and gate is not None:
                gate.hold(timing.clock.monotonic() + outcome.retry_after)
            wait = self.delay(attempts, outcome.retry_after, timing.rng)
            if not self.allows(attempts, waited, wait):
                return give_up(outcome, attempts)
            if on_retry is not None:
                on_retry(outcome)
            waited += wait
            await timing.pause(wait)

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
        last: httpx.Response | None = None
        failure: httpx.TransportError | None = None

        async def attempt() -> httpx.Response | Retry:
            nonlocal last, failure
            try:
                response = await request()
            except httpx.TransportError as exc:
                last, failure = None, exc
                return Retry(f"{type(exc).__name__} (last: {exc})")
            if response.status_code not in self.retry_statuses:
                return response
            last = response
            return Retry(
                f"HTTP {response.status_code}", parse_retry_after(response.headers.get("Retry-After"), timing.now())
            )

        def give_up(retry: Retry, attempts: int) -> httpx.Response:
            if last is not None:
                return last
            raise ConnectionFailedError(
                f"{type(failure).__name__} on all {attempts} attempts (last: {failure})"
            ) from failure

        return await self.run(attempt, timing, give_up=give_up, gate=gate)
