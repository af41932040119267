"""The parts of a scenario: pacing, the guest workload, the platform workload, the timeline, limits.

Plain frozen values; ``scenario.py`` validates the YAML into them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from mockgenesys.faults.actions import draw_seconds

#: What a platform caller can do, each through one ``PlatformAdapter`` method.
PLATFORM_OPERATIONS = ("organization", "history", "search")
DEFAULT_MAX_VIRTUAL_SECONDS = 6 * 3600.0
DEFAULT_MAX_WALL_SECONDS = 120.0


@dataclass(frozen=True)
class Pacing:
    """Virtual seconds between one guest's messages: fixed, uniform or lognormal."""

    kind: str = "fixed"
    a: float = 1.0
    b: float = 0.0

    def sample(self, rng: random.Random) -> float:
        return draw_seconds(self.kind, self.a, self.b, rng)


@dataclass(frozen=True)
class SecureStep:
    """``workload.secure_session``: the KMS webhook's delay and the broker's timeout."""

    kms_delay: Pacing
    kms_timeout: float


@dataclass(frozen=True)
class Workload:
    """What every guest does: ``messages`` texts with ``pacing``, history restores on the way."""

    messages: int = 10
    pacing: Pacing = field(default_factory=Pacing)
    start_spread: float = 1.0
    restore_every: int = 0
    restore_at_end: bool = True
    text_bytes: int = 0
    secure_session: SecureStep | None = None
    pipelined: bool = False


@dataclass(frozen=True)
class PlatformLoad:
    """The platform workload: ``callers`` concurrent callers sharing one ``PlatformAdapter``, each
    making ``calls`` calls (cycling through ``operations``, a caller ``k`` starting at the k-th)
    with ``pacing`` between them. ``history`` reads each of the world's conversations in turn;
    ``search`` lists every contact of the org."""

    callers: int = 4
    calls: int = 6
    pacing: Pacing = field(default_factory=Pacing)
    start_spread: float = 0.0
    operations: tuple[str, ...] = PLATFORM_OPERATIONS


@dataclass(frozen=True)
class TimelineEvent:
    """One timeline entry: at virtual second ``at`` (since the run started) do ``kind`` with ``args``."""

    at: float
    kind: str
    args: dict[str, Any]
    index: int = 0


@dataclass(frozen=True)
class InvariantSpec:
    """An invariant by name, with its parameters."""

    name: str
    params: dict[str, Any]


@dataclass(frozen=True)
class Limits:
    """Bounds on one run: virtual seconds and wall seconds."""

    max_virtual_seconds: float = DEFAULT_MAX_VIRTUAL_SECONDS
    max_wall_seconds: float = DEFAULT_MAX_WALL_SECONDS
