"""The outbox: every message exactly once, in order, across drops, expiries and refusals."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest

from mockgenesys import MockGenesys, VirtualClock
from mockgenesys.client import (
    GuestMessagingClient,
    MessageFailedError,
    RateLimitedError,
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


async def test_outbox_a_drop_during_the_history_check_before_a_resend_is_survived(
    mock: MockGenesys, guest: GuestMessagingClient
) -> None:
    # chaos socket-drops-reconnect --seed 3: the echo is lost with the socket, so the message's fate
    # is unknown; the history check needs a JWT and the socket drops again on getJwt.
    await guest.login_guest()
    mock.add_fault(
        {"match": {"endpoint": "guest.ws.out.StructuredMessage"}, "when": {"times": 1}, "then": {"ws": {"drop": True}}},
        {"match": {"endpoint": "guest.ws.getJwt"}, "when": {"times": 1}, "then": {"ws": {"drop": True}}},
    )
    message = await guest.send("did it arrive?")
    assert message.text == "did it arrive?"
    assert guest_texts(conversation_of(mock, guest)) == ["did it arrive?"]
    assert guest.stats.resends == 0  # found in the history, not sent again
    mock.check().assert_ok()


async def test_outbox_a_drop_when_starting_a_new_conversation_is_retried(
    mock: MockGenesys, guest: GuestMessagingClient
) -> None:
    await guest.login_guest()
    await guest.send("hi")
    old = conversation_of(mock, guest)
    mock.world.deployments[mock.deployment_id].read_only_after_disconnect = True
    mock.agent.disconnect(old.id)
    mock.add_fault(
        {"match": {"endpoint": "guest.ws.configureSession"}, "when": {"times": 1}, "then": {"ws": {"drop": True}}}
    )
    await guest.send("anyone?")
    new = conversation_of(mock, guest)
    assert new.id != old.id and guest_texts(new) == ["anyone?"]


async def test_outbox_ten_refusals_with_retry_after_are_ridden_out(
    mock: MockGenesys, guest: GuestMessagingClient
) -> None:
    await guest.login_guest()
    mock.add_fault(
        {
            "match": {"endpoint": "guest.ws.onMessage"},
            "when": {"times": 10},
            "then": {"ws": {"too_many": {"retry_after": 2}}},
        }
    )
    await guest.send("patient")
    assert [e.status for e in mock.journal.calls("guest.ws.onMessage")] == [429] * 10 + [200]
    assert guest_texts(conversation_of(mock, guest)) == ["patient"]
    mock.check().assert_ok()


async def test_outbox_attempts_per_message_are_bounded(mock: MockGenesys) -> None:
    guest = GuestMessagingClient.for_mock(mock, timing=timing_for(mock), retry=RetryPolicy(max_attempts=4))
    async with guest:
        await guest.login_guest()
        mock.add_fault({"match": {"endpoint": "guest.ws.onMessage"}, "then": {"ws": {"too_many": {"retry_after": 1}}}})
        with pytest.raises(MessageFailedError) as caught:
            await guest.send("never stored")
        assert isinstance(caught.value.cause, RateLimitedError)
        assert len(mock.journal.calls("guest.ws.onMessage")) == 4
    mock.check().assert_ok()


async def test_outbox_too_many_requests_without_retry_after_backs_off_with_full_jitter() -> None:
    clock = VirtualClock()
    log: list[dict[str, Any]] = []
    refusals = 3

    def answer(frame: dict[str, Any]) -> list[dict[str, Any]]:
        nonlocal refusals
        if frame.get("action") == "onMessage" and refusals:
            refusals -= 1
            body = {"errorCode": 4029, "errorMessage": "Request rate too high"}  # no retryAfter
            return [{"type": "response", "class": "TooManyRequestsErrorMessage", "code": 429, "body": body,
                     "tracingId": frame["tracingId"]}]  # fmt: skip
        return genesys_answer(frame)

    times: list[float] = []
    original = answer

    def timed(frame: dict[str, Any]) -> list[dict[str, Any]]:
        if frame.get("action") == "onMessage":
            times.append(clock.monotonic())
        return original(frame)

    guest = scripted_guest(timed, log, clock=clock, retry=RetryPolicy(base_delay=8, max_delay=8, retry_after_jitter=0))
    async with guest:
        await guest.login_guest()
        await guest.send("backing off")
    waits = [b - a for a, b in itertools.pairwise(times)]
    assert len(waits) == 3 and all(0 <= w <= 8 for w in waits)
    assert len({round(w, 6) for w in waits}) == 3  # drawn from the jitter, not one fixed wait


async def test_outbox_an_offline_backlog_is_flushed_in_order(mock: MockGenesys, guest: GuestMessagingClient) -> None:
    await guest.login_guest()
    mock.add_fault(
        {"match": {"endpoint": "guest.ws.configureSession"}, "when": {"times": 3}, "then": {"ws": {"drop": True}}}
    )
    drop_connections(mock, guest)
    sends = [asyncio.ensure_future(guest.send(f"queued {n}")) for n in range(5)]
    await settle()
    await asyncio.gather(*sends)
    assert guest_texts(conversation_of(mock, guest)) == [f"queued {n}" for n in range(5)]
    mock.check().assert_ok()


async def test_outbox_a_resumed_session_does_not_take_an_earlier_message_for_a_lost_resend(mock: MockGenesys) -> None:
    first = GuestMessagingClient.for_mock(mock, timing=timing_for(mock, 1))
    await first.login_guest()
    await first.send("hi")
    token = first.session_token
    await first.aclose()

    resumed = GuestMessagingClient.for_mock(mock, timing=timing_for(mock, 2), token=token)
    body = await resumed.login_guest()
    assert body["newSession"] is False
    # The server drops the socket before storing the message: its fate is unknown to the client,
    # and the conversation already holds a "hi" that this client did not send.
    mock.add_fault({"match": {"endpoint": "guest.ws.onMessage"}, "when": {"times": 1}, "then": {"ws": {"drop": True}}})
    await resumed.send("hi")
    assert guest_texts(conversation_of(mock, resumed)) == ["hi", "hi"]
    assert resumed.stats.resends == 1
    await resumed.aclose()
    mock.check().assert_ok()


async def test_outbox_duplicated_echoes_are_not_kept(mock: MockGenesys) -> None:
    guest = GuestMessagingClient.for_mock(mock, timing=timing_for(mock))
    await guest.login_guest()
    mock.add_fault({"match": {"endpoint": "guest.ws.onMessage"}, "then": {"ws": {"duplicate": True}}})
    for n in range(20):
        await guest.send(f"message {n}")
    assert guest_texts(conversation_of(mock, guest)) == [f"message {n}" for n in range(20)]
    assert guest.channel.replies.late == 0  # each send's stray echoes are forgotten once it completes
    await guest.aclose()


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


@pytest.mark.parametrize("code", [4006, 4007])
async def test_outbox_a_message_refused_with_session_gone_is_delivered_in_a_new_session(
    mock: MockGenesys, guest: GuestMessagingClient, code: int
) -> None:
    await guest.login_guest()
    await guest.send("before")
    old = conversation_of(mock, guest)
    mock.add_fault(
        {"match": {"endpoint": "guest.ws.onMessage"}, "when": {"times": 1}, "then": {"ws": {"error": {"code": code}}}}
    )
    await guest.send("after")
    new = conversation_of(mock, guest)
    assert new.id != old.id and guest_texts(new) == ["after"]
    assert [e.status for e in mock.journal.calls("guest.ws.configureSession")] == [200, 200]
    mock.check().assert_ok()


async def test_outbox_a_server_error_frame_is_retried_with_backoff(
    mock: MockGenesys, guest: GuestMessagingClient
) -> None:
    await guest.login_guest()
    mock.add_fault({"match": {"endpoint": "guest.ws.onMessage"}, "when": {"times": 4}, "then": {"status": 503}})
    await guest.send("after four 503s")
    assert guest_texts(conversation_of(mock, guest)) == ["after four 503s"]
    assert [e.status for e in mock.journal.calls("guest.ws.onMessage")] == [503, 503, 503, 503, 200]
    mock.check().assert_ok()
