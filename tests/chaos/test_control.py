"""The ``MockControl`` protocol, checked against both implementations (the ``setup`` fixture)."""

from __future__ import annotations

import json

import pytest

from mockgenesys.chaos import InProcessControl, MockControl
from mockgenesys.journal import fingerprint
from mockgenesys.server.guests import open_session
from mockgenesys.types import WebSocketClosed

from .conftest import Setup

RULE = {"match": {"endpoint": "oauth.token"}, "then": {"status": 503}}


def test_control_both_implementations_follow_the_protocol(setup: Setup) -> None:
    control: MockControl = setup.control  # mypy checks the assignment; this checks the facts
    facts = control.facts
    assert (facts.org_id, facts.deployment_id, facts.client_id) == (
        setup.mock.org_id,
        setup.mock.deployment_id,
        setup.mock.client_id,
    )
    assert control.is_live is (setup.url is not None)
    assert (facts.mock is setup.mock) if setup.url is None else (facts.base_url == setup.url)


async def test_control_faults_are_armed_removed_and_cleared(setup: Setup) -> None:
    control = setup.control
    first = await control.add_fault(RULE)
    second = await control.add_fault({**RULE, "id": "mine"})
    assert (first, second) == ("rule-1", "mine")
    assert [r.id for r in setup.mock.faults] == ["rule-1", "mine"]
    assert await control.remove_fault("rule-1") is True
    assert await control.remove_fault("rule-1") is False  # already gone: no error, a plain False
    await control.clear_faults()
    assert list(setup.mock.faults) == []


async def test_control_advance_moves_the_mock_clock_and_its_own_view_of_it(setup: Setup) -> None:
    before_mock, before_control = setup.mock.clock.now(), setup.control.now()
    await setup.control.advance(3600)
    assert setup.mock.clock.now() - before_mock == pytest.approx(3600, abs=1)
    assert setup.control.now() - before_control == pytest.approx(3600, abs=1)
    assert abs(setup.control.now() - setup.mock.clock.now()) < 1


async def test_control_expire_tokens_counts_the_live_tokens(setup: Setup) -> None:
    setup.mock.issue_token()
    setup.mock.issue_token()
    assert await setup.control.expire_tokens(None) == 2
    assert await setup.control.expire_tokens(None) == 0
    setup.mock.issue_token()
    assert await setup.control.expire_tokens("no-such-client") == 0


async def test_control_sessions_lists_open_sessions_sorted_with_conversation_state(setup: Setup) -> None:
    mock = setup.mock
    deployment = mock.world.default_deployment
    opened = [open_session(mock.world, deployment, f"token-{i}", mock.clock.now()) for i in range(4)]
    mock.agent.disconnect(opened[1].conversation_id)
    await setup.control.expire_session(opened[2].id)
    sessions = await setup.control.sessions()
    assert [s.id for s in sessions] == sorted(s.id for s in (opened[0], opened[1], opened[3]))
    by_id = {s.id: s for s in sessions}
    assert by_id[opened[1].id].conversation_active is False and by_id[opened[0].id].conversation_active is True
    assert by_id[opened[3].id].fingerprint == fingerprint("token-3")  # the control never sees a token
    assert by_id[opened[3].id].deployment_id == deployment.id
    assert mock.world.guest_sessions[opened[2].id].expired


async def test_control_agent_reply_and_disconnect_act_on_the_conversation(setup: Setup) -> None:
    mock = setup.mock
    session = open_session(mock.world, mock.world.default_deployment, "token-a", mock.clock.now())
    await setup.control.agent_reply(session.conversation_id, "hello from the agent")
    conversation = mock.world.conversations[session.conversation_id]
    assert conversation.messages[-1].text == "hello from the agent"
    await setup.control.agent_disconnect(session.conversation_id)
    assert not mock.world.conversations[session.conversation_id].is_active


async def test_control_connections_and_drop_close_every_socket_of_a_session(setup: Setup) -> None:
    async with setup.guest_socket("token-a") as first, setup.guest_socket("token-b"):
        session_a = setup.mock.world.guest_session("token-a")
        session_b = setup.mock.world.guest_session("token-b")
        assert session_a is not None and session_b is not None
        assert await setup.control.connections() == dict(sorted({session_a.id: 1, session_b.id: 1}.items()))
        assert await setup.control.drop([session_a.id]) == 1
        with pytest.raises((WebSocketClosed, Exception)) as closed:
            await first.recv()
        assert "1006" in str(closed.value) or "1012" in str(closed.value)  # in-process 1006; live says 1012
        assert await setup.control.connections() == {session_b.id: 1}


async def test_control_occupy_attaches_up_to_the_cap_and_release_gives_the_slots_back(setup: Setup) -> None:
    async with setup.guest_socket("token-a"):
        session = next(s for s in await setup.control.sessions() if s.fingerprint == fingerprint("token-a"))
        occupation = await setup.control.occupy(session, 5)
        assert occupation.opened == 2  # the guest's own socket plus two: the cap of three
        assert (await setup.control.connections())[session.id] == 3
        await occupation.release()
        await occupation.release()  # twice is harmless
        for _ in range(50):
            if (await setup.control.connections()).get(session.id) == 1:
                break
        assert (await setup.control.connections())[session.id] == 1


async def test_control_evidence_holds_the_world_the_journal_and_the_firings(setup: Setup) -> None:
    await setup.control.add_fault({"match": {"endpoint": "guest.ws.getJwt"}, "then": {"status": 500}})
    async with setup.guest_socket("token-a") as socket:
        await socket.send(json.dumps({"action": "getJwt", "token": "token-a", "tracingId": "jwt"}))
        assert json.loads(await socket.recv())["code"] == 500
    evidence = await setup.control.evidence()
    assert [s["token_fingerprint"] for s in evidence.guest_sessions] == [fingerprint("token-a")]
    assert all("token" not in s for s in evidence.guest_sessions)
    assert [e.endpoint for e in evidence.entries if e.kind == "ws.in"] == [
        "guest.ws.configureSession",
        "guest.ws.getJwt",
    ]
    assert [(f.rule, f.endpoint) for f in evidence.firings] == [("rule-1", "guest.ws.getJwt")]


def test_control_in_process_needs_the_mocks_own_clock() -> None:
    from mockgenesys import MockGenesys
    from mockgenesys.chaos import SimClock

    with pytest.raises(ValueError, match="the mock's own SimClock"):
        InProcessControl(MockGenesys(seed=1), SimClock())


async def test_control_occupied_slots_leave_no_rows_of_their_own_in_the_evidence(setup: Setup) -> None:
    async with setup.guest_socket("token-a"):
        session = next(s for s in await setup.control.sessions() if s.fingerprint == fingerprint("token-a"))
        occupation = await setup.control.occupy(session, 2)
        await occupation.release()
    rows = [e for e in (await setup.control.evidence()).entries if e.endpoint == "guest.ws.configureSession"]
    assert len(rows) == 1  # the guest's own; the server attached the other tabs without a request
    assert len(setup.mock.journal.calls("guest.ws.configureSession")) == 1
