from __future__ import annotations

import random

import httpx
import pytest

from mockgenesys import MockGenesys, VirtualClock
from mockgenesys.chaos.events import EventTarget, apply_event
from mockgenesys.server.guests import open_session


def four_guests_one_ended() -> MockGenesys:
    mock = MockGenesys(seed=7, clock=VirtualClock())
    deployment = mock.world.default_deployment
    sessions = [open_session(mock.world, deployment, f"token-{i}", mock.clock.now()) for i in range(4)]
    mock.agent.disconnect(sessions[0].conversation_id)  # ended: neither form may pick it
    return mock


def touched(mock: MockGenesys) -> list[str]:
    return sorted(c.id for c in mock.world.conversations.values() if c.state == "disconnected" or c.messages)


@pytest.mark.parametrize("kind", ["agent_reply", "close_conversations"])
async def test_events_pick_the_same_conversations_in_process_and_live(kind: str) -> None:
    args = {"fraction": 0.5, "text": "An agent is looking into it."}
    in_process = four_guests_one_ended()
    in_process_summary = await apply_event(EventTarget(random.Random(1), mock=in_process), kind, args)
    live = four_guests_one_ended()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=live.app), base_url="http://mock") as admin:
        live_summary = await apply_event(EventTarget(random.Random(1), admin=admin), kind, args)
    assert live_summary == in_process_summary
    assert in_process_summary.endswith(" 2 conversation(s)")  # half of the 3 still active, rounded up
    assert touched(live) == touched(in_process)


async def test_events_in_process_only_kind_against_an_admin_target_says_so() -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=MockGenesys().app), base_url="http://mock") as admin:
        with pytest.raises(RuntimeError, match="'drop_sockets' works only in-process; run without --target"):
            await apply_event(EventTarget(random.Random(1), admin=admin), "drop_sockets", {"fraction": 1.0})
