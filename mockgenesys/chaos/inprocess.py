"""``InProcessControl``: the ``MockControl`` of a ``MockGenesys`` in this process, on a ``SimClock``.

The mock and every actor share the run's ``SimClock``, so a run is deterministic per seed and
virtual waits cost no wall time.
"""

from __future__ import annotations

from collections.abc import Coroutine, Sequence
from typing import TYPE_CHECKING, Any

from mockgenesys.admin import public_snapshot
from mockgenesys.chaos.control import Evidence, Firing, MockFacts, SessionInfo
from mockgenesys.chaos.simclock import SimClock
from mockgenesys.journal import fingerprint
from mockgenesys.mock import MockGenesys

if TYPE_CHECKING:
    from mockgenesys.chaos.scenario import Scenario
    from mockgenesys.server.websocket.connection import GuestConnection

DEPLOYMENT_OVERRIDES = ("jwt_ttl", "guest_session_ttl", "read_only_after_disconnect")
MIN_JOURNAL_ROWS = 200_000
JOURNAL_ROWS_PER_MESSAGE = 40


def mock_for(scenario: Scenario, clock: SimClock) -> MockGenesys:
    """A fresh mock for ``scenario``: its seed and ``world`` overrides, a journal that holds the run."""
    world = dict(scenario.world)
    overrides = {k: world.pop(k) for k in DEPLOYMENT_OVERRIDES if k in world}
    rows = max(MIN_JOURNAL_ROWS, scenario.guests * max(1, scenario.workload.messages) * JOURNAL_ROWS_PER_MESSAGE)
    # Seeded secrets: a replay of the run sees the very tokens the run saw.
    mock = MockGenesys(seed=scenario.seed, clock=clock, journal_size=rows, deterministic_secrets=True, **world)
    deployment = mock.world.default_deployment
    for name, value in overrides.items():
        setattr(deployment, name, value)
    return mock


class _Connections:
    """Hub connections attached to one session by ``occupy``."""

    def __init__(self, connections: list[GuestConnection]) -> None:
        self.connections = connections

    @property
    def opened(self) -> int:
        return len(self.connections)

    async def release(self) -> None:
        for conn in self.connections:
            conn.close(1000, "released")


class InProcessControl:
    """Drives ``mock`` directly; ``clock`` must be the mock's ``SimClock``."""

    def __init__(self, mock: MockGenesys, clock: SimClock) -> None:
        if mock.clock is not clock:
            raise ValueError("InProcessControl needs the mock's own SimClock (MockGenesys(clock=clock)).")
        self.mock = mock
        self.clock = clock
        clock.deadline_sources.append(mock.scheduler.next_due)
        self._facts = MockFacts(
            org_id=mock.org_id,
            deployment_id=mock.deployment_id,
            client_id=mock.client_id,
            client_secret=mock.client_secret,
            clock=clock,
            mock=mock,
        )

    @classmethod
    def for_scenario(cls, scenario: Scenario) -> InProcessControl:
        """A fresh mock on a fresh ``SimClock``, configured as ``scenario`` says."""
        clock = SimClock()
        return cls(mock_for(scenario, clock), clock)

    @property
    def facts(self) -> MockFacts:
        return self._facts

    @property
    def is_live(self) -> bool:
        return False

    def now(self) -> float:
        return self.clock.now()

    async def sleep(self, seconds: float) -> None:
        await self.clock.sleep(seconds)

    async def drive(self, main: Coroutine[Any, Any, None], *, max_seconds: float) -> None:
        await self.clock.drive(main, max_seconds=max_seconds)

    # ------------------------------------------------------------------ faults and clock
    async def add_fault(self, rule: dict[str, Any]) -> str:
        return str(self.mock.add_fault(rule)[0].id)

    async def remove_fault(self, rule_id: str) -> bool:
        return self.mock.faults.remove(rule_id)

    async def clear_faults(self) -> None:
        self.mock.faults.clear()

    async def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)

    async def expire_tokens(self, client_id: str | None) -> int:
        return self.mock.world.expire_tokens(client_id=client_id, now=self.clock.now())

    # ------------------------------------------------------------------ guests and agent
    async def sessions(self) -> list[SessionInfo]:
        world = self.mock.world
        found = [
            SessionInfo(
                s.id,
                fingerprint(s.token),
                s.deployment_id,
                s.conversation_id,
                world.conversations[s.conversation_id].is_active,
            )
            for s in world.guest_sessions.values()
            if not s.closed and not s.expired
        ]
        return sorted(found, key=lambda s: s.id)

    async def expire_session(self, session_id: str) -> None:
        self.mock.hub.expire_session(self.mock.world.guest_sessions[session_id])

    async def agent_reply(self, conversation_id: str, text: str) -> None:
        self.mock.agent.reply(conversation_id, text)

    async def agent_disconnect(self, conversation_id: str) -> None:
        self.mock.agent.disconnect(conversation_id)

    async def connections(self) -> dict[str, int]:
        return {sid: len(peers) for sid, peers in sorted(self.mock.hub.connections.items()) if peers}

    async def drop(self, session_ids: Sequence[str]) -> int:
        dropped = 0
        for session_id in session_ids:
            for conn in list(self.mock.hub.connections.get(session_id, [])):
                conn.drop()
                dropped += 1
        return dropped

    async def occupy(self, session: SessionInfo, count: int) -> _Connections:
        hub = self.mock.hub
        target = self.mock.world.guest_sessions[session.id]
        opened = []
        for _ in range(count):
            conn = hub.open(session.deployment_id)
            if not hub.attach(conn, target):
                break
            opened.append(conn)
        return _Connections(opened)

    # ------------------------------------------------------------------ evidence
    async def world(self) -> dict[str, Any]:
        return self.mock.world.snapshot()

    async def evidence(self) -> Evidence:
        snapshot = public_snapshot(self.mock.world)  # what a live run sees: no guest tokens
        return Evidence(
            conversations=snapshot["conversations"],
            guest_sessions=snapshot["guest_sessions"],
            seed_sessions=snapshot["seed_sessions"],
            entries=list(self.mock.journal),
            firings=[Firing(f.time, f.rule_id, f.endpoint) for f in self.mock.faults.firings],
            contacts=snapshot["contacts"],
        )
