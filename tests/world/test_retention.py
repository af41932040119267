"""``Retention`` and ``World.tidy``: what a running mock gains stays bounded and expires on its clock."""

from __future__ import annotations

import json

import pytest

from mockgenesys import MockGenesys, VirtualClock
from mockgenesys.errors import ConfigError
from mockgenesys.server.guests import open_session, start_conversation
from mockgenesys.world import World
from mockgenesys.world.models import Message, RefreshToken, SeedSession
from mockgenesys.world.retention import CappedDict, Retention


def _world(**bounds: float) -> World:
    world = World.generate(seed=3)
    world.retention = Retention.from_dict(bounds)
    return world


def _tidy(world: World, now: float, busy: set[str] | None = None, times: int = 50) -> None:
    for _ in range(times):
        world.tidy(now, busy=(busy or set()).__contains__)


def test_retention_guest_sessions_past_the_bound_go_oldest_idle_first() -> None:
    world = _world(guest_sessions=5)
    deployment = world.default_deployment
    sessions = [open_session(world, deployment, f"tok-{n}", 0.0) for n in range(12)]
    busy = {sessions[0].id}  # an open socket: never forgotten
    _tidy(world, 1.0, busy)
    kept = set(world.guest_sessions) & {s.id for s in sessions}
    assert len(kept) == 5 and sessions[0].id in kept and sessions[-1].id in kept
    assert world.guest_session("tok-1") is None and world.guest_session("tok-11") is sessions[-1]
    for session in sessions:  # a kept session's conversation is kept; a forgotten one's may go
        if session.id in kept:
            assert session.conversation_id in world.conversations


def test_retention_ended_sessions_are_forgotten_after_the_grace_on_the_mocks_clock() -> None:
    world = _world(expired_grace=60)
    session = open_session(world, world.default_deployment, "tok", 0.0)
    session.closed = True
    _tidy(world, session.expires_at - 1)
    assert world.guest_session("tok") is session  # not ended by time, but cleared: kept for the grace
    _tidy(world, session.expires_at + 59)
    assert world.guest_session("tok") is session
    _tidy(world, session.expires_at + 60)
    assert world.guest_session("tok") is None and session.id not in world.guest_sessions


def test_retention_conversations_and_messages_are_bounded_but_never_one_a_guest_is_on() -> None:
    world = _world(conversations=3, messages=1000)
    deployment = world.default_deployment
    seeded = set(world.conversations)
    started = [start_conversation(world, deployment, 0.0) for _ in range(6)]
    guest = open_session(world, deployment, "tok", 0.0)  # a seventh, with a guest on it
    _tidy(world, 1.0)
    assert seeded <= set(world.conversations)  # the seed's records are never forgotten
    assert guest.conversation_id in world.conversations
    assert len(set(world.conversations) - seeded) == 3
    assert started[0].id not in world.conversations and started[-1].id in world.conversations


def test_retention_a_long_history_loses_its_oldest_tenth() -> None:
    world = _world(messages_per_conversation=100)
    conversation = start_conversation(world, world.default_deployment, 0.0)
    for n in range(101):
        world.add_message(conversation, Message(f"m{n}", conversation.id, "inbound", f"t{n}", float(n), "s"))
    assert [m.id for m in conversation.messages][:2] == ["m11", "m12"] and len(conversation.messages) == 90
    assert world.message("m10") is None and world.message("m11") is not None


def test_retention_refresh_tokens_and_seed_sessions_expire_and_are_bounded() -> None:
    world = _world(refresh_tokens=4, seed_sessions=4)
    for n in range(10):
        world.refresh_tokens[f"r{n}"] = RefreshToken(f"r{n}", "s", expires_at=100.0 + n)
        world.seed_sessions[f"s{n}"] = SeedSession(f"s{n}", "o", f"t{n}", "web", 300, created_at=float(n))
    _tidy(world, 0.0)
    assert set(world.refresh_tokens) == {"r6", "r7", "r8", "r9"}  # the oldest went
    assert set(world.seed_sessions) == {"s6", "s7", "s8", "s9"}
    _tidy(world, 308.5)  # s6..s8 expired (created + 300 s), r* expired
    assert set(world.refresh_tokens) == set() and set(world.seed_sessions) == {"s9"}


def test_retention_rejects_nonsense_bounds() -> None:
    with pytest.raises(ConfigError, match="guest_sessions"):
        Retention(guest_sessions=0)
    with pytest.raises(ConfigError, match="valid: guest_sessions"):
        Retention.from_dict({"sessions": 5})


def test_retention_capped_dict_forgets_the_oldest() -> None:
    capped: CappedDict[str, int] = CappedDict(2)
    for n, key in enumerate("abc"):
        capped[key] = n
    assert dict(capped) == {"b": 1, "c": 2}


async def test_retention_a_mock_under_guest_load_keeps_its_bound_and_its_connected_guests() -> None:
    mock = MockGenesys(seed=1, clock=VirtualClock(), limits={"enabled": False})
    mock.world.retention = Retention(guest_sessions=20, conversations=20)
    seeded = len(mock.world.conversations)
    async with mock.connect_guest() as keeper:

        def configure(token: str) -> str:
            return json.dumps({"action": "configureSession", "token": token, "deploymentId": mock.deployment_id})

        def say(token: str, text: str) -> str:
            return json.dumps({"action": "onMessage", "token": token, "message": {"type": "Text", "text": text}})

        await keeper.send(configure("keeper"))
        for n in range(200):
            async with mock.connect_guest() as socket:
                await socket.send(configure(f"guest-{n}"))
                await socket.send(say(f"guest-{n}", "hi"))
        assert len(mock.world.guest_sessions) <= 20 + 2
        assert len(mock.world.conversations) <= seeded + 20 + 2
        await keeper.send(say("keeper", "still here"))
        assert any('"still here"' in frame for frame in keeper.pending())
    assert mock.server.error_count == 0
