from __future__ import annotations

import asyncio

import pytest
import websockets
from client_helpers import conversation_of, drop_connections, guest_texts, record, settle, timing_for

from mockgenesys import MockGenesys, VirtualClock
from mockgenesys.client import (
    ClientConfigError,
    GuestError,
    GuestMessagingClient,
    MessageFailedError,
    NotConnectedError,
    RetryPolicy,
    SessionExpiredError,
)


@pytest.fixture
async def guest(mock: MockGenesys) -> GuestMessagingClient:
    client = GuestMessagingClient.for_mock(mock, timing=timing_for(mock))
    yield client  # type: ignore[misc]
    await client.aclose()


async def test_login_send_and_history(mock: MockGenesys, guest: GuestMessagingClient) -> None:
    body = await guest.login_guest()
    assert body["newSession"] is True and body["connected"] is True
    sent = [await guest.send(f"message {n}") for n in range(5)]
    assert [m.text for m in sent] == [f"message {n}" for n in range(5)]
    assert all(m.direction == "Inbound" and m.id for m in sent)
    conversation = conversation_of(mock, guest)
    assert guest_texts(conversation) == [f"message {n}" for n in range(5)]
    history = await guest.history()
    assert [m.id for m in history] == [m.id for m in conversation.messages]  # oldest first, every page
    mock.check().assert_ok()


async def test_history_spans_many_pages(mock: MockGenesys) -> None:
    guest = GuestMessagingClient.for_mock(mock, timing=timing_for(mock), page_size=3)
    async with guest:
        await guest.login_guest()
        for n in range(8):
            await guest.send(f"m{n}")
        history = await guest.history()
    assert [m.text for m in history] == [f"m{n}" for n in range(8)]
    assert len(mock.journal.calls("webmessaging.messages")) == 3


async def test_calls_before_login_say_what_to_do(guest: GuestMessagingClient) -> None:
    with pytest.raises(MessageFailedError, match=r"call 'await client.login_guest\(\)' first"):
        await guest.send("hello")


async def test_unknown_deployment_is_a_config_error(mock: MockGenesys) -> None:
    guest = GuestMessagingClient.for_mock(mock, deployment_id="no-such-deployment", timing=timing_for(mock))
    async with guest:
        with pytest.raises(ClientConfigError, match=r"HTTP 403.*allowed domains"):
            await guest.login_guest()


async def test_bad_text_is_refused_locally(guest: GuestMessagingClient, mock: MockGenesys) -> None:
    await guest.login_guest()
    failed = record(guest.events, "message_failed")
    with pytest.raises(MessageFailedError, match=r"4097 bytes; Genesys accepts 4096: split it"):
        await guest.send("x" * 4097)
    with pytest.raises(MessageFailedError, match=r"non-blank"):
        await guest.send("   ")
    assert len(failed) == 1
    assert not mock.journal.calls("guest.ws.onMessage")


async def test_a_lost_echo_is_found_in_history_and_not_sent_twice(
    mock: MockGenesys, guest: GuestMessagingClient
) -> None:
    await guest.login_guest()
    mock.add_fault(
        {"match": {"endpoint": "guest.ws.out.StructuredMessage"}, "when": {"times": 1}, "then": {"ws": {"drop": True}}}
    )
    message = await guest.send("did this arrive?")
    assert message.text == "did this arrive?"
    assert guest_texts(conversation_of(mock, guest)) == ["did this arrive?"]
    assert guest.stats.reconnects == 1 and guest.stats.history_checks == 1 and guest.stats.resends == 0
    mock.check().assert_ok()


async def test_a_drop_before_the_server_stored_it_resends_once(mock: MockGenesys, guest: GuestMessagingClient) -> None:
    await guest.login_guest()
    mock.add_fault({"match": {"endpoint": "guest.ws.onMessage"}, "when": {"times": 1}, "then": {"ws": {"drop": True}}})
    await guest.send("second try")
    assert guest_texts(conversation_of(mock, guest)) == ["second try"]
    assert guest.stats.resends == 1
    mock.check().assert_ok()


async def test_a_held_echo_arrives_late_and_is_still_counted_once(
    mock: MockGenesys, guest: GuestMessagingClient
) -> None:
    await guest.login_guest()
    mock.add_fault(
        {"match": {"endpoint": "guest.ws.out.StructuredMessage"}, "when": {"times": 1}, "then": {"ws": {"hold": 30}}}
    )
    message = await guest.send("slow echo")
    assert message.text == "slow echo"
    assert guest_texts(conversation_of(mock, guest)) == ["slow echo"]
    mock.check().assert_ok()


@pytest.mark.parametrize("retry_after", [1, 5])
async def test_too_many_requests_waits_retry_after_and_resends(
    mock: MockGenesys, guest: GuestMessagingClient, retry_after: int
) -> None:
    await guest.login_guest()
    mock.add_fault(
        {
            "match": {"endpoint": "guest.ws.onMessage"},
            "when": {"times": 2},
            "then": {"ws": {"too_many": {"retry_after": retry_after}}},
        }
    )
    started = mock.clock.now()
    await guest.send("patient")
    assert mock.clock.now() - started >= 2 * retry_after
    assert guest_texts(conversation_of(mock, guest)) == ["patient"]
    mock.check().assert_ok()


async def test_the_client_paces_itself_under_the_documented_guest_limits(
    mock: MockGenesys, guest: GuestMessagingClient
) -> None:
    await guest.login_guest()
    for n in range(70):
        await guest.send(f"burst {n}")
    assert len(guest_texts(conversation_of(mock, guest))) == 70
    assert not [e for e in mock.journal if e.status == 429]
    mock.check().assert_ok()


async def test_session_expired_during_send_starts_a_new_session(mock: MockGenesys, guest: GuestMessagingClient) -> None:
    events = record(guest.events, "session_expired", "session_restarted")
    await guest.login_guest()
    await guest.send("before")
    old = conversation_of(mock, guest)
    mock.add_fault(
        {"match": {"endpoint": "guest.ws.onMessage"}, "when": {"times": 1}, "then": {"expire_session": True}}
    )
    await guest.send("after")
    new = conversation_of(mock, guest)
    assert new.id != old.id
    assert guest_texts(old) == ["before"] and guest_texts(new) == ["after"]
    assert [name for name, _ in events] == ["session_expired", "session_restarted"]
    mock.check().assert_ok()


async def test_without_restart_an_expired_session_is_a_typed_failure(mock: MockGenesys) -> None:
    guest = GuestMessagingClient.for_mock(mock, timing=timing_for(mock), restart_expired=False)
    async with guest:
        failed = record(guest.events, "message_failed")
        await guest.login_guest()
        mock.add_fault({"match": {"endpoint": "guest.ws.onMessage"}, "then": {"expire_session": True}})
        with pytest.raises(MessageFailedError, match=r"Start a new guest session") as caught:
            await guest.send("lost?")
        assert isinstance(caught.value.cause, SessionExpiredError)
        assert [name for name, _ in failed] == ["message_failed"]


async def test_reconnect_keeps_the_session_token(mock: MockGenesys, guest: GuestMessagingClient) -> None:
    states = record(guest.events, "connection_state_change")
    await guest.login_guest()
    token = guest.session_token
    drop_connections(mock, guest)
    await settle(rounds=20)
    assert guest.connected and guest.session_token == token
    assert [s for _, s in states][-2:] == ["disconnected", "connected"]
    await guest.send("still me")
    assert guest_texts(conversation_of(mock, guest)) == ["still me"]


async def test_reconnect_gives_up_after_the_policy(mock: MockGenesys) -> None:
    guest = GuestMessagingClient.for_mock(mock, timing=timing_for(mock), retry=RetryPolicy(max_attempts=3))
    async with guest:
        await guest.login_guest()
        mock.add_fault({"match": {"endpoint": "guest.ws.configureSession"}, "then": {"ws": {"drop": True}}})
        mock.add_fault(
            {"match": {"endpoint": "guest.ws.onMessage"}, "when": {"times": 1}, "then": {"ws": {"drop": True}}}
        )
        with pytest.raises(MessageFailedError, match=r"could not connect after 3 attempts"):
            await guest.send("nobody home")


async def test_jwt_is_reused_then_refreshed_before_exp(mock: MockGenesys, guest: GuestMessagingClient) -> None:
    await guest.login_guest()
    first = await guest.jwt()
    mock.clock.advance(800)  # JWT TTL is 15 min; refreshed 60 s before exp
    assert await guest.jwt() == first
    mock.clock.advance(60)
    assert await guest.jwt() != first
    assert guest.stats.jwt_fetches == 2


async def test_jwt_expiry_during_history_pagination(mock: MockGenesys) -> None:
    guest = GuestMessagingClient.for_mock(mock, timing=timing_for(mock), page_size=2)
    async with guest:
        await guest.login_guest()
        for n in range(6):
            await guest.send(f"page {n}")
        mock.add_fault(
            {
                "match": {"endpoint": "webmessaging.messages"},
                "when": {"after": 1, "times": 1},
                "then": {"expire_token": True},
            }
        )
        history = await guest.history()
    assert [m.text for m in history] == [f"page {n}" for n in range(6)]
    assert guest.stats.jwt_fetches == 2
    mock.check().assert_ok()


async def test_agent_messages_and_disconnect_are_events(mock: MockGenesys, guest: GuestMessagingClient) -> None:
    seen = record(guest.events, "message_received", "conversation_updated")
    await guest.login_guest()
    await guest.send("hi")
    conversation = conversation_of(mock, guest)
    mock.agent.reply(conversation.id, "Hello from the agent")
    mock.agent.disconnect(conversation.id)
    await settle(rounds=5)
    texts = [p.text for name, p in seen if name == "message_received" and p.text]
    assert "Hello from the agent" in texts
    assert ("conversation_updated", {"state": "DISCONNECTED", "token": guest.session_token}) in seen


async def test_a_read_only_conversation_starts_a_new_one(mock: MockGenesys, guest: GuestMessagingClient) -> None:
    await guest.login_guest()
    await guest.send("hi")
    old = conversation_of(mock, guest)
    mock.world.deployments[mock.deployment_id].read_only_after_disconnect = True
    mock.agent.disconnect(old.id)
    await guest.send("anyone?")
    new = conversation_of(mock, guest)
    assert new.id != old.id and guest_texts(new) == ["anyone?"] and guest_texts(old) == ["hi"]
    mock.check().assert_ok()


async def test_read_only_without_restart_fails_the_send_with_a_fix(mock: MockGenesys) -> None:
    guest = GuestMessagingClient.for_mock(mock, timing=timing_for(mock), restart_closed=False)
    async with guest:
        await guest.login_guest()
        await guest.send("hi")
        mock.world.deployments[mock.deployment_id].read_only_after_disconnect = True
        mock.agent.disconnect(conversation_of(mock, guest).id)
        with pytest.raises(MessageFailedError, match=r"closed or read-only.*start_new=True"):
            await guest.send("anyone?")


async def test_health_check_round_trip(mock: MockGenesys, guest: GuestMessagingClient) -> None:
    await guest.login_guest()
    round_trip = await guest.health_check()
    assert round_trip >= 0
    assert round_trip == 0.0  # nothing advances the virtual clock during an in-process echo
    assert [e.status for e in mock.journal.calls("guest.ws.echo")] == [200]


async def test_many_guests_one_clock(mock: MockGenesys) -> None:
    guests = [GuestMessagingClient.for_mock(mock, timing=timing_for(mock, n)) for n in range(20)]

    async def chat(n: int, guest: GuestMessagingClient) -> None:
        await guest.login_guest()
        for k in range(3):
            await guest.send(f"g{n} m{k}")

    await asyncio.gather(*(chat(n, g) for n, g in enumerate(guests)))
    for n, guest in enumerate(guests):
        assert guest_texts(conversation_of(mock, guest)) == [f"g{n} m{k}" for k in range(3)]
        await guest.aclose()
    mock.check().assert_ok()


async def test_after_close_calls_are_refused(guest: GuestMessagingClient) -> None:
    await guest.login_guest()
    await guest.aclose()
    with pytest.raises(MessageFailedError) as caught:
        await guest.send("x")
    assert isinstance(caught.value.cause, NotConnectedError)


async def test_for_mock_runs_the_guest_on_the_mocks_virtual_clock(mock: MockGenesys) -> None:
    assert isinstance(mock.clock, VirtualClock)
    async with GuestMessagingClient.for_mock(mock) as guest:  # no timing given: for_mock picks the clock
        assert guest.timing.clock is mock.clock
        before = guest.timing.clock.monotonic()
        mock.clock.advance(42)
        assert guest.timing.clock.monotonic() == before + 42


async def test_login_with_start_new_opens_a_new_conversation(mock: MockGenesys, guest: GuestMessagingClient) -> None:
    await guest.login_guest()
    await guest.send("first conversation")
    first = conversation_of(mock, guest)
    await guest.login_guest(start_new=True)
    await guest.send("second conversation")
    second = conversation_of(mock, guest)
    assert second.id != first.id and guest_texts(second) == ["second conversation"]
    mock.check().assert_ok()


@pytest.mark.parametrize(
    ("base_url", "ws_url"),
    [
        ("http://127.0.0.1:8765", "ws://127.0.0.1:8765/v1"),
        ("https://api.mypurecloud.de", "wss://webmessaging.mypurecloud.de/v1"),
    ],
)
async def test_for_url_derives_the_websocket_url(base_url: str, ws_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []

    async def fake_connect(url: str, **_: object) -> object:
        seen.append(url)
        raise OSError("no network in this test")

    monkeypatch.setattr(websockets, "connect", fake_connect)
    guest = GuestMessagingClient.for_url(base_url, "dep-1", retry=RetryPolicy(max_attempts=1))
    async with guest:
        with pytest.raises(GuestError, match="could not connect after 1 attempts"):
            await guest.login_guest()
    assert seen == [f"{ws_url}?deploymentId=dep-1"]
