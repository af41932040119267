"""Timeline events, written once against ``MockControl``: each runs in-process and live."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any

import pytest

from mockgenesys import MockGenesys
from mockgenesys.chaos import AdminControl, InProcessControl, SimClock
from mockgenesys.chaos.events import EVENT_KINDS, EventContext, apply_event, validate_event
from mockgenesys.server.guests import open_session

from .conftest import SEED, Setup

Later = list[tuple[float, Callable[[], Awaitable[None]]]]


def context(setup: Setup, seed: int = 1) -> tuple[EventContext, Later]:
    scheduled: Later = []
    return EventContext(setup.control, random.Random(seed), lambda s, action: scheduled.append((s, action))), scheduled


def four_guests_one_ended(mock: MockGenesys) -> list[str]:
    deployment = mock.world.default_deployment
    sessions = [open_session(mock.world, deployment, f"token-{i}", mock.clock.now()) for i in range(4)]
    mock.agent.disconnect(sessions[0].conversation_id)  # ended: no event may pick it
    return [s.id for s in sessions]


def touched(mock: MockGenesys) -> list[str]:
    return sorted(c.id for c in mock.world.conversations.values() if c.state == "disconnected" or c.messages)


async def test_events_fault_remove_and_clear_say_what_they_did(setup: Setup) -> None:
    ctx, _ = context(setup)
    rule = {"match": {"endpoint": "oauth.token"}, "then": {"status": 503}}
    assert await apply_event(ctx, "fault", rule) == "armed rule-1"
    assert await apply_event(ctx, "remove_fault", {"id": "rule-1"}) == "removed rule-1"
    assert await apply_event(ctx, "remove_fault", {"id": "rule-1"}) == "no rule rule-1"
    await apply_event(ctx, "fault", rule)
    assert await apply_event(ctx, "clear_faults", {}) == "cleared every fault rule"
    assert list(setup.mock.faults) == []


async def test_events_remove_the_scenarios_own_rule_on_a_mock_that_numbered_others(setup: Setup) -> None:
    setup.mock.add_fault({"then": {"status": 500}}, {"then": {"status": 502}})  # a used server: rule-1, rule-2
    ctx, _ = context(setup)
    rule = {"match": {"endpoint": "oauth.token"}, "then": {"status": 503}}
    assert await apply_event(ctx, "fault", rule) == "armed rule-1 (the mock's rule-3)"
    assert await apply_event(ctx, "remove_fault", {"id": "rule-1"}) == "removed rule-1"
    assert [r.id for r in setup.mock.faults] == ["rule-1", "rule-2"]  # the mock's own rules stay


async def test_events_advance_moves_the_clock_and_records_the_jump(setup: Setup) -> None:
    ctx, _ = context(setup)
    before = setup.control.now()
    assert await apply_event(ctx, "advance", {"seconds": 120.0}) == "clock +120 s"
    assert len(ctx.jumps) == 1 and ctx.jumps[0][1] == 120.0 and ctx.jumps[0][0] == pytest.approx(before, abs=1)
    assert setup.control.now() - before == pytest.approx(120, abs=1)


async def test_events_expire_tokens_and_sessions(setup: Setup) -> None:
    ctx, _ = context(setup)
    setup.mock.issue_token()
    assert await apply_event(ctx, "expire_tokens", {}) == "expired 1 access token(s)"
    ids = four_guests_one_ended(setup.mock)
    assert await apply_event(ctx, "expire_sessions", {"fraction": 0.5}) == "expired 2 guest session(s)"
    assert sum(setup.mock.world.guest_sessions[i].expired for i in ids) == 2


async def test_events_drop_sockets_drops_every_socket_of_the_picked_sessions(setup: Setup) -> None:
    ctx, _ = context(setup)
    async with AsyncExitStack() as stack:
        for n in range(3):
            await stack.enter_async_context(setup.guest_socket(f"token-{n}"))
        assert await apply_event(ctx, "drop_sockets", {"fraction": 0.5}) == "dropped 2 guest socket(s)"
        assert sum((await setup.control.connections()).values()) == 1
        assert await apply_event(ctx, "drop_sockets", {"fraction": 1.0}) == "dropped 1 guest socket(s)"
    assert await apply_event(ctx, "drop_sockets", {"fraction": 1.0}) == "dropped 0 guest socket(s)"


async def test_events_occupy_connections_holds_slots_and_schedules_their_release(setup: Setup) -> None:
    ctx, scheduled = context(setup)
    async with setup.guest_socket("token-0"), setup.guest_socket("token-1"):
        args = validate_event("occupy_connections", {"count": 1, "hold": 30})
        summary = await apply_event(ctx, "occupy_connections", args)
        assert summary == "occupied 2 connection slot(s) on 2 session(s) for 30 s"
        assert sorted((await setup.control.connections()).values()) == [2, 2]
        assert [seconds for seconds, _ in scheduled] == [30.0, 30.0] and len(ctx.occupations) == 2
        for _, release in scheduled:
            await release()
        for _ in range(50):
            if sorted((await setup.control.connections()).values()) == [1, 1]:
                break
        assert sorted((await setup.control.connections()).values()) == [1, 1]


@pytest.mark.live
@pytest.mark.parametrize(
    ("kind", "args"),
    [
        ("agent_reply", {"fraction": 0.5, "text": "An agent is looking into it."}),
        ("close_conversations", {"fraction": 0.5}),
        ("expire_sessions", {"fraction": 0.5}),
    ],
)
async def test_events_pick_the_same_set_in_process_and_live(kind: str, args: dict[str, Any]) -> None:
    clock = SimClock()
    in_process = MockGenesys(seed=SEED, clock=clock)
    four_guests_one_ended(in_process)
    local = EventContext(InProcessControl(in_process, clock), random.Random(1), lambda s, a: None)
    local_summary = await apply_event(local, kind, args)
    live = MockGenesys(seed=SEED)
    four_guests_one_ended(live)
    with live.serve() as url:
        async with AdminControl.connect(url) as control:
            live_summary = await apply_event(EventContext(control, random.Random(1), lambda s, a: None), kind, args)
    assert live_summary == local_summary
    assert local_summary.endswith(" 2 conversation(s)") or local_summary == "expired 2 guest session(s)"
    assert touched(live) == touched(in_process)
    expired = [sorted(s.id for s in m.world.guest_sessions.values() if s.expired) for m in (in_process, live)]
    assert expired[0] == expired[1]


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("expire_sessions", {"fraction": 0}, "fraction must be a number in (0, 1]"),
        ("expire_sessions", {"share": 1}, "unknown field(s) ['share']"),
        ("occupy_connections", {"count": 11}, "count must be a whole number from 1 to 10"),
        ("occupy_connections", {"hold": 0}, "hold must be virtual seconds > 0"),
        ("agent_reply", {"text": ""}, "text must be a non-empty string"),
        ("advance", -1, "must be a number of virtual seconds >= 0"),
        ("remove_fault", "", "must be the id of a fault rule"),
        ("clear_faults", {"now": True}, "takes no arguments"),
        ("expire_tokens", {"client": "x"}, "must be true or {client_id: ID}"),
    ],
)
def test_events_validators_name_the_problem(kind: str, value: Any, message: str) -> None:
    with pytest.raises(ValueError) as info:
        validate_event(kind, value)
    assert message in str(info.value)


def test_events_every_kind_is_registered_with_a_validator_and_an_action() -> None:
    assert list(EVENT_KINDS) == [
        "fault",
        "remove_fault",
        "clear_faults",
        "advance",
        "expire_tokens",
        "expire_sessions",
        "close_conversations",
        "agent_reply",
        "drop_sockets",
        "occupy_connections",
    ]
    assert validate_event("drop_sockets", True) == {"fraction": 1.0}
    assert validate_event("advance", {"seconds": 5}) == {"seconds": 5.0}
