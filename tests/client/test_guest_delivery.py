"""Exactly-once sending across what a single client cannot see: sessions it resumed, stray echoes."""

from __future__ import annotations

from client_helpers import conversation_of, guest_texts, timing_for

from mockgenesys import MockGenesys
from mockgenesys.client import GuestMessagingClient


async def test_a_resumed_session_does_not_take_an_earlier_message_for_a_lost_resend(mock: MockGenesys) -> None:
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


async def test_duplicated_echoes_are_not_kept(mock: MockGenesys) -> None:
    guest = GuestMessagingClient.for_mock(mock, timing=timing_for(mock))
    await guest.login_guest()
    mock.add_fault({"match": {"endpoint": "guest.ws.onMessage"}, "then": {"ws": {"duplicate": True}}})
    for n in range(20):
        await guest.send(f"message {n}")
    assert guest_texts(conversation_of(mock, guest)) == [f"message {n}" for n in range(20)]
    assert guest._late_echoes == {}  # each send's stray echoes are forgotten once it completes
    await guest.aclose()
