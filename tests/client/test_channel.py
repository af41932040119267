"""The guest socket and session: connect, configure, reconnect, session restarts."""

from __future__ import annotations

from typing import Any

import pytest

from mockgenesys import MockGenesys, VirtualClock
from mockgenesys.client import (
    ClientConfigError,
    ClientError,
    GuestError,
    GuestMessagingClient,
    MessageFailedError,
    RetryPolicy,
    SessionExpiredError,
)

from .client_helpers import (
    conversation_of,
    drop_connections,
    genesys_answer,
    guest_texts,
    record,
    scripted_guest,
    settle,
    timing_for,
)


@pytest.fixture
async def guest(mock: MockGenesys) -> GuestMessagingClient:
    client = GuestMessagingClient.for_mock(mock, timing=timing_for(mock))
    yield client  # type: ignore[misc]
    await client.aclose()


async def test_channel_a_session_refused_on_every_configure_ends_in_a_typed_error(mock: MockGenesys) -> None:
    mock.add_fault({"match": {"endpoint": "guest.ws.configureSession"}, "then": {"ws": {"error": {"code": 4006}}}})
    guest = GuestMessagingClient.for_mock(mock, timing=timing_for(mock), retry=RetryPolicy(max_attempts=4))
    async with guest:
        with pytest.raises(GuestError, match=r"4006.*4 attempts") as caught:
            await guest.login_guest()
    assert isinstance(caught.value, ClientError)
    assert len(mock.journal.calls("guest.ws.configureSession")) == 4


async def test_unknown_deployment_is_a_config_error(mock: MockGenesys) -> None:
    guest = GuestMessagingClient.for_mock(mock, deployment_id="no-such-deployment", timing=timing_for(mock))
    async with guest:
        with pytest.raises(ClientConfigError, match=r"HTTP 403.*allowed domains"):
            await guest.login_guest()


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


async def test_login_with_start_new_opens_a_new_conversation(mock: MockGenesys, guest: GuestMessagingClient) -> None:
    await guest.login_guest()
    await guest.send("first conversation")
    first = conversation_of(mock, guest)
    await guest.login_guest(start_new=True)
    await guest.send("second conversation")
    second = conversation_of(mock, guest)
    assert second.id != first.id and guest_texts(second) == ["second conversation"]
    mock.check().assert_ok()


async def test_channel_a_session_refused_once_is_replaced_by_a_new_one(mock: MockGenesys) -> None:
    mock.add_fault(
        {
            "match": {"endpoint": "guest.ws.configureSession"},
            "when": {"times": 1},
            "then": {"ws": {"error": {"code": 4006}}},
        }
    )
    guest = GuestMessagingClient.for_mock(mock, timing=timing_for(mock))
    async with guest:
        first = guest.session_token
        restarted = record(guest.events, "session_restarted")
        body = await guest.login_guest()
        assert body["newSession"] is True and guest.session_token != first
        assert restarted == [("session_restarted", guest.session_token)]


async def test_channel_without_restart_a_refused_session_is_session_expired(mock: MockGenesys) -> None:
    mock.add_fault({"match": {"endpoint": "guest.ws.configureSession"}, "then": {"ws": {"error": {"code": 4007}}}})
    guest = GuestMessagingClient.for_mock(mock, timing=timing_for(mock), restart_expired=False)
    async with guest:
        with pytest.raises(SessionExpiredError, match=r"4007"):
            await guest.login_guest()
    assert len(mock.journal.calls("guest.ws.configureSession")) == 1


async def test_channel_too_many_requests_on_configure_waits_retry_after(mock: MockGenesys) -> None:
    mock.add_fault(
        {
            "match": {"endpoint": "guest.ws.configureSession"},
            "when": {"times": 2},
            "then": {"ws": {"too_many": {"retry_after": 4}}},
        }
    )
    guest = GuestMessagingClient.for_mock(mock, timing=timing_for(mock))
    async with guest:
        started = mock.clock.now()
        await guest.login_guest()
        assert mock.clock.now() - started >= 8 and guest.stats.rate_limited == 2
    mock.check().assert_ok()


async def test_channel_server_events_become_client_events() -> None:
    log: list[dict[str, Any]] = []
    pushed: list[dict[str, Any]] = [
        {"type": "message", "class": "SessionClearedEvent", "code": 200, "body": {}},
        {"type": "message", "class": "ConnectionClosedEvent", "code": 200, "body": {}},
    ]

    def answer(frame: dict[str, Any]) -> list[Any]:
        replies = genesys_answer(frame)
        if frame.get("action") == "echo":
            return [*pushed, {"type": "response", "class": "StructuredMessage", "code": 200, "body": {},
                              "tracingId": frame["tracingId"]}]  # fmt: skip
        return replies

    guest = scripted_guest(answer, log, clock=VirtualClock())
    seen = record(guest.events, "session_expired", "connection_state_change")
    async with guest:
        await guest.login_guest()
        await guest.health_check()
        await settle()
        assert ("session_expired", {"code": 4007, "cleared": True}) in seen
        assert ("connection_state_change", "closing") in seen
        assert guest.channel.expired


async def test_channel_an_unreadable_frame_is_reported_and_skipped() -> None:
    def answer(frame: dict[str, Any]) -> list[Any]:
        if frame.get("action") == "echo":
            return ["not json", *genesys_answer({**frame, "action": "onMessage", "message": {"text": "ping"}})]
        return genesys_answer(frame)

    guest = scripted_guest(answer, [], clock=VirtualClock())
    errors = record(guest.events, "error")
    async with guest:
        await guest.login_guest()
        assert await guest.health_check() == 0.0
        assert guest.connected
    assert [str(e) for _, e in errors] == ["WebSocket error 0: unreadable frame 'not json'."]


async def test_channel_a_stale_session_gone_reply_does_not_restart_twice(mock: MockGenesys) -> None:
    guest = GuestMessagingClient.for_mock(mock, timing=timing_for(mock))
    async with guest:
        await guest.login_guest()
        old = guest.session_token
        guest.channel.session_gone(4006, "expired", old)
        new = guest.session_token
        guest.channel.session_gone(4006, "expired", old)  # a second reply about the old session
        assert new != old and guest.session_token == new
