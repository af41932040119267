"""``MockControl``: the one way the chaos layer drives a mock, whether in-process or live.

Like httpx's transports, there are two implementations of one small protocol:
``InProcessControl`` acts on a ``MockGenesys`` on a ``SimClock`` (virtual time, deterministic),
``AdminControl`` acts on a live server through its ``/__admin`` API (real time). Timeline events
and workloads are written once against this protocol. The control only reports and acts; every
random choice (which sessions expire, which sockets drop) is made by the chaos layer from what
the control reports, so one seed picks the same set in-process and live.
"""

from __future__ import annotations

from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from mockgenesys.clock import Clock
    from mockgenesys.journal import Entry
    from mockgenesys.mock import MockGenesys


@dataclass(frozen=True)
class MockFacts:
    """What actors need to reach the mock: its ids and credentials, and where it is.

    Exactly one of ``mock`` (in-process) and ``base_url`` (live) is set. ``clock`` is the clock
    the actors run on: the run's ``SimClock`` in-process, the system clock live.
    """

    org_id: str
    deployment_id: str
    client_id: str
    client_secret: str
    clock: Clock
    mock: MockGenesys | None = None
    base_url: str | None = None


@dataclass(frozen=True)
class SessionInfo:
    """One open guest session (neither closed nor expired) as the control reports it."""

    id: str
    #: The journal's fingerprint of the session token (the control never sees the token itself).
    fingerprint: str
    deployment_id: str
    conversation_id: str
    conversation_active: bool


@dataclass(frozen=True)
class Firing:
    """One fault rule firing, at ``time`` on the mock's clock."""

    time: float
    rule: str
    endpoint: str


@dataclass
class Evidence:
    """The server's side of a run, read once at its end: what the invariants judge."""

    conversations: list[dict[str, Any]]
    guest_sessions: list[dict[str, Any]]
    seed_sessions: list[dict[str, Any]]
    entries: list[Entry]
    firings: list[Firing] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)


class Occupation(Protocol):
    """Connection slots the chaos layer holds on one guest session until ``release``."""

    @property
    def opened(self) -> int:
        """How many connections were attached (the session's cap may stop it early)."""

    async def release(self) -> None:
        """Close every connection of this occupation (again: nothing happens)."""


class MockControl(Protocol):
    """How a chaos run drives one mock: its clock, its faults, its guests, its evidence.

    Every action is a coroutine, so one timeline event works against both implementations.
    """

    @property
    def facts(self) -> MockFacts:
        """Ids, credentials and the location of the mock."""

    @property
    def is_live(self) -> bool:
        """True against a live server (real time), False in-process (virtual time)."""

    def now(self) -> float:
        """The mock's clock now (what its journal timestamps are measured against)."""

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` on the run's time (virtual in-process, real live)."""

    async def drive(self, main: Coroutine[Any, Any, None], *, max_seconds: float) -> None:
        """Run ``main`` to its end; ``SimulationLimit`` past ``max_seconds`` of virtual time."""

    async def add_fault(self, rule: dict[str, Any]) -> str:
        """Arm a fault rule; returns its id."""

    async def remove_fault(self, rule_id: str) -> bool:
        """Remove one rule; False when no rule has that id."""

    async def clear_faults(self) -> None:
        """Remove every fault rule."""

    async def advance(self, seconds: float) -> None:
        """Move the mock's clock forward."""

    async def expire_tokens(self, client_id: str | None) -> int:
        """Expire every live OAuth access token (of one client); returns how many."""

    async def sessions(self) -> list[SessionInfo]:
        """The open guest sessions, sorted by id."""

    async def expire_session(self, session_id: str) -> None:
        """Expire one guest session now (``SessionExpiredEvent``, then 4006)."""

    async def agent_reply(self, conversation_id: str, text: str) -> None:
        """The agent answers in a conversation."""

    async def agent_disconnect(self, conversation_id: str) -> None:
        """The agent leaves a conversation (it becomes disconnected)."""

    async def connections(self) -> dict[str, int]:
        """Open guest connections per guest session id (sessions without one left out)."""

    async def drop(self, session_ids: Sequence[str]) -> int:
        """Drop every open connection of those sessions as a network failure would; returns how many."""

    async def occupy(self, session: SessionInfo, count: int) -> Occupation:
        """Attach up to ``count`` more connections to ``session`` (other tabs of the same guest)."""

    async def world(self) -> dict[str, Any]:
        """The world as a snapshot (``World.snapshot()``: conversations, contacts, sessions...)."""

    async def evidence(self) -> Evidence:
        """The world and the journal of this run, for the invariants."""
