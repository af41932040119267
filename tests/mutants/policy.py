"""What both baselines share: backoff with jitter, Retry-After, pacing and typed REST errors.

Written against public names only (``mockgenesys.client``'s error classes, httpx), so the
baselines stay independent of the client core they are meant to check the judges against.
"""

from __future__ import annotations

import email.utils
import random
from collections import deque
from typing import TYPE_CHECKING, Any

import httpx

from mockgenesys.client import (
    ApiError,
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
)

if TYPE_CHECKING:
    from mockgenesys.clock import Clock

#: Attempts one operation may make (the first try included) before it raises a typed error: as the
#: client core, enough to ride out ten refusals in a row (``mock.check``'s ``max_attempts`` is 12).
MAX_ATTEMPTS = 12
#: The first backoff step and the ceiling, in seconds (no Retry-After given).
BACKOFF_BASE = 0.5
BACKOFF_CAP = 30.0
#: HTTP statuses worth another attempt; every other 4xx is final.
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
#: Guest WebSocket limits (per session and per connection): at most ``n`` frames per ``period`` s.
GUEST_MESSAGE_PACE = (2, 1.0)
GUEST_FRAME_PACE = (60, 60.0)


def backoff(attempt: int, rng: random.Random) -> float:
    """Seconds to wait after failed attempt ``attempt`` (1-based) when no Retry-After was given.

    Exponential with "equal jitter": half of ``min(cap, base * 2**(attempt - 1))`` is fixed and
    the other half random, so callers spread out while every wait still grows with the attempt.
    """
    ceiling: float = min(BACKOFF_CAP, BACKOFF_BASE * 2.0 ** (attempt - 1))
    return ceiling / 2 + rng.uniform(0.0, ceiling / 2)


def retry_after(response: httpx.Response, now: float) -> float | None:
    """The response's ``Retry-After`` in seconds (delta-seconds or an HTTP date), or ``None``."""
    raw = response.headers.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


def json_object(response: httpx.Response, *required: str) -> dict[str, Any] | None:
    """The response's JSON object when it has every ``required`` key, else ``None`` (a garbled
    or empty body: worth another attempt, like a dropped connection)."""
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict) or any(key not in body for key in required):
        return None
    return body


def api_error(response: httpx.Response) -> ApiError:
    """The typed error for a Genesys error response (platform or OAuth body)."""
    code: str | None = None
    detail: str | None = None
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        raw_code = body.get("code") or body.get("error")
        code = str(raw_code) if raw_code else None
        raw_detail = body.get("message") or body.get("error_description") or body.get("description")
        detail = str(raw_detail) if raw_detail else None
    status = response.status_code
    kind: type[ApiError] = ApiError
    if status == 401 or (status == 400 and code in ("invalid_client", "unauthorized_client")):
        kind = AuthenticationError
    elif status == 403:
        kind = PermissionDeniedError
    elif status == 404:
        kind = NotFoundError
    elif status == 429:
        kind = RateLimitedError
    elif status >= 500:
        kind = ServerError
    return kind(status, code, detail, correlation_id=response.headers.get("inin-correlation-id"), body=body)


class Gate:
    """Retry-After deadlines per endpoint: nothing goes to an endpoint before its deadline, even a
    request of another operation, or one sent after the operation that got the 429 gave up."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._until: dict[str, float] = {}

    def hold(self, key: str, seconds: float) -> None:
        """Keep ``key`` closed for ``seconds`` from now (never shortening a longer hold)."""
        self._until[key] = max(self._until.get(key, 0.0), self.clock.now() + seconds)

    async def wait(self, key: str) -> None:
        """Sleep until ``key`` is open."""
        while (left := self._until.get(key, 0.0) - self.clock.now()) > 0:
            await self.clock.sleep(left)


class Pacer:
    """Keeps a caller under "at most ``n`` events in any ``period`` seconds" on its clock."""

    def __init__(self, clock: Clock, *limits: tuple[int, float]) -> None:
        self.clock = clock
        self.limits = limits
        self._times: deque[float] = deque(maxlen=max((n for n, _ in limits), default=1))

    async def wait(self) -> None:
        """Sleep until one more event fits every limit, then count it."""
        while True:
            now = self.clock.now()
            wait = max(
                (self._times[-n] + period - now for n, period in self.limits if len(self._times) >= n),
                default=0.0,
            )
            if wait <= 0:
                self._times.append(now)
                return
            await self.clock.sleep(wait)
