"""``ServerState``: what the HTTP server, the guest hub and the agent share.

One instance per mock, built first and handed to each of them in its constructor: the current
world (replaced on reset or load), the clock, the timers, the journal, the rate-limit windows,
the key that signs guest JWTs and the mock's own errors.
"""

from __future__ import annotations

import itertools
import random
import traceback
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from mockgenesys.faults.ratelimit import Limiter, RateLimits
from mockgenesys.server import jwt

if TYPE_CHECKING:
    from mockgenesys.clock import Clock
    from mockgenesys.journal import Journal
    from mockgenesys.scheduler import Scheduler
    from mockgenesys.world.models import GuestSession
    from mockgenesys.world.store import World

#: How many of the mock's own errors are kept for a test to read (the newest); ``error_count`` counts all.
MAX_KEPT_ERRORS = 20


class ServerState:
    """The mutable state behind every front end of one mock."""

    def __init__(
        self,
        world: World,
        clock: Clock,
        journal: Journal,
        limits: RateLimits,
        scheduler: Scheduler,
        *,
        jwt_key: bytes,
    ) -> None:
        self.world = world
        self.clock = clock
        self.journal = journal
        self.limits = limits
        self.limiter = Limiter(limits)
        self.scheduler = scheduler
        self.jwt_key = jwt_key
        #: Exceptions raised inside the mock while answering (its own bugs), the newest
        #: ``MAX_KEPT_ERRORS``, without the variables of their frames (no request bodies).
        self.errors: list[BaseException] = []
        #: How many such exceptions there were since the last reset.
        self.error_count = 0
        self._correlation = _correlation_ids(world.seed)

    def reset(self, world: World) -> None:
        """Serve ``world`` as new state would: no rate-limit windows or kept errors, correlation ids from the start."""
        self.world = world
        self.limiter.reset()
        self.errors.clear()
        self.error_count = 0
        self._correlation = _correlation_ids(world.seed)

    def record_error(self, exc: BaseException) -> None:
        """Keep ``exc``, a bug in the mock, for the test to see; memory stays bounded.

        The frame that caught it is cut from its traceback and the others lose their local
        variables, so no request body or frame text is kept alive by it.
        """
        tb = exc.__traceback__
        exc.__traceback__ = tb.tb_next if tb is not None else None
        traceback.clear_frames(exc.__traceback__)
        self.error_count += 1
        self.errors.append(exc)
        if len(self.errors) > MAX_KEPT_ERRORS:
            del self.errors[0]

    def correlation_id(self) -> str:
        """The next ``ININ-Correlation-Id`` (deterministic per seed)."""
        return next(self._correlation)

    def hit(self, name: str, key: str, limit: int | None, period: float) -> int | None:
        """Count one request against limit ``name`` for ``key``: ``None`` when allowed (or the
        limit is off), else the whole seconds until it would be."""
        if limit is None or not self.limits.enabled:
            return None
        now = self.clock.now()
        return self.limiter.window(name, key, limit, period, now).hit(now)

    def mint_guest_jwt(self, session: GuestSession, ttl: int) -> tuple[str, int]:
        """A signed guest JWT for ``session`` and its ``exp`` (epoch seconds)."""
        now = self.clock.now()
        exp = int(now) + ttl
        claims: dict[str, Any] = {
            "iss": "mockgenesys",
            "aud": session.deployment_id,
            "sub": session.id,
            "org": session.org_id,
            "iat": now,
            "exp": exp,
            "jti": self.world.new_hex_id(),
            "gen": session.jwt_generation,
        }
        return jwt.sign(claims, self.jwt_key), exp


def _correlation_ids(seed: int) -> Iterator[str]:
    """UUID-shaped correlation ids: a per-seed prefix, then a counter from 1."""
    prefix = f"{random.Random(seed).getrandbits(32):08x}"
    # A version-4-shaped UUID around the counter n: its 12 hex digits h give the middle groups
    # (bits 16-31, 4-15 and 0-3 of n) by slicing, which costs half of formatting each group.
    return (f"{prefix}-{h[4:8]}-4{h[8:11]}-800{h[11]}-{h}" for h in (f"{n:012x}" for n in itertools.count(1)))
