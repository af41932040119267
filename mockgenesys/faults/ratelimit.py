"""Rate limits on the mock's clock, with Genesys' documented defaults."""

from __future__ import annotations

import itertools
import math
from collections import OrderedDict
from dataclasses import dataclass, fields, replace
from typing import Any

from mockgenesys.bounded import forget_one
from mockgenesys.errors import ConfigError


@dataclass(frozen=True)
class RateLimits:
    """Every limit the mock enforces; ``None`` switches one off, ``enabled=False`` all.

    Defaults are Genesys' documented values (``token.rate.per.minute`` = 300 per token,
    ``org.app.user.rate.per.minute`` = 3000 (``client_per_minute``) per org, OAuth client and
    user: every call with a token counts against both; the token endpoint counts per OAuth
    client, a guest-JWT call per guest session, a call with no credential per address) and the
    seeds' figures (30 req/s per org on history, 100 req/s per org on session creation),
    and the guest WebSocket limits (``messages.per.session.rate.per.second`` = 2,
    ``requests.per.connection.rate.per.minute`` = 60, ``configure.per.session.rate.per.minute``
    = 60, ``health.check.per.connection.rate.per.minute`` = 2, ``session.connections.max`` = 3).
    """

    enabled: bool = True
    token_per_minute: int | None = 300
    client_per_minute: int | None = 3000
    org_history_per_second: int | None = 30
    org_sessions_per_second: int | None = 100
    ws_messages_per_second: int | None = 2
    ws_requests_per_minute: int | None = 60
    ws_configure_per_minute: int | None = 60
    ws_echo_per_minute: int | None = 2
    ws_connections_per_session: int | None = 3

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> RateLimits:
        if not data:
            return cls()
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ConfigError(f"Unknown rate limit(s) {unknown}; valid names: {sorted(names)}.")
        for name, value in data.items():
            if name == "enabled":
                if not isinstance(value, bool):
                    raise ConfigError(f"limits.enabled must be true or false, got {value!r}.")
            elif value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
                raise ConfigError(f"limits.{name} must be a whole number >= 1 or null (off), got {value!r}.")
        return replace(cls(), **data)

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


class Window:
    """A fixed window counter: ``limit`` hits per ``period`` seconds, starting at first use."""

    __slots__ = ("count", "limit", "period", "start")

    def __init__(self, limit: int, period: float, now: float) -> None:
        self.limit = limit
        self.period = period
        self.start = now
        self.count = 0

    def hit(self, now: float) -> int | None:
        """Count one request; ``None`` if allowed, else whole seconds until it would be."""
        if now - self.start >= self.period:
            self.start = now
            self.count = 0
        if self.count >= self.limit:
            return max(1, math.ceil(self.start + self.period - now))
        self.count += 1
        return None

    def reset_in(self, now: float) -> int:
        return max(0, math.ceil(self.start + self.period - now))


class Limiter:
    """Keeps one ``Window`` per (limit name, key), at most ``MAX_WINDOWS``.

    Every new window also looks at the ``SWEEP_STEPS`` oldest: an ended one is forgotten (the
    next request of its key starts a fresh window, as it would have anyway), a running one moves
    to the back. So the table holds about the windows running now, not the last ``MAX_WINDOWS``
    keys ever seen. When it is full, every new window pushes out one old one: of the oldest, the
    first that has ended; running ones get a second chance at the back; if eight in a row are
    running, the next oldest goes anyway (its key starts counting afresh).
    """

    MAX_WINDOWS = 100_000
    SWEEP_STEPS = 2

    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits
        self._windows: OrderedDict[tuple[str, str], Window] = OrderedDict()

    def window(self, name: str, key: str, limit: int, period: float, now: float) -> Window:
        slot = (name, key)
        found = self._windows.get(slot)
        if found is None:
            windows = self._windows
            for _ in range(min(self.SWEEP_STEPS, len(windows))):
                oldest, old = windows.popitem(last=False)
                if now - old.start < old.period:
                    windows[oldest] = old
            while self._windows and len(self._windows) >= self.MAX_WINDOWS:
                forget_one(self._windows, lambda _, old: now - old.start < old.period)
            found = self._windows[slot] = Window(limit, period, now)
        return found

    def windows(self, limit: int) -> list[tuple[tuple[str, str], Window]]:
        """The ``limit`` most recently opened windows, newest first, as ((limit name, key), window).

        One C-level copy, so a reader on another thread never sees the table change under it.
        """
        return list(itertools.islice(reversed(self._windows.items()), limit))

    def is_active(self, name: str, key: str, now: float) -> bool:
        """Whether ``key`` was counted under ``name`` in a window that has not ended yet."""
        found = self._windows.get((name, key))
        return found is not None and now - found.start < found.period

    def reset(self) -> None:
        self._windows.clear()
