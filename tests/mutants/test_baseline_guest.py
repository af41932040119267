"""``BaselineGuest`` does what "correct" means, checked on the server's state and journal.

These are the oracle behind the judges: each test is a property a mutant breaks.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator

import pytest

from mockgenesys import MockGenesys
from mockgenesys.chaos import GuestContext
from mockgenesys.client import AuthenticationError, ClientConfigError, GuestAdapter, PermissionDeniedError, ServerError

from .baseline_guest import BaselineGuest
from .policy import BACKOFF_BASE, BACKOFF_CAP, MAX_ATTEMPTS

ECHO_DROP = {
    "match": {"endpoint": "guest.ws.out.StructuredMessage"},
    "when": {"times": 1},
    "then": {"ws": {"drop": True}},
}


def inbound_texts(mock: MockGenesys) -> list[str]:
    """Every guest text the server holds, in storage order, across conversations."""
    return [
        m.text or ""
        for conversation in mock.world.conversations.values()
        for m in conversation.messages
        if m.direction == "inbound" and m.type != "Event"
    ]


@pytest.fixture
async def guest(mock: MockGenesys) -> AsyncIterator[BaselineGuest]:
    client = BaselineGuest.for_mock(mock, 5)
    await client.start()
    yield client
    await client.close()


def test_baseline_guest_is_a_guest_adapter(mock: MockGenesys) -> None:
    assert isinstance(BaselineGuest.for_mock(mock), GuestAdapter)


async def test_baseline_guest_restores_every_page_oldest_first(mock: MockGenesys, guest: BaselineGuest) -> None:
    sent = [f"page test {n}" for n in range(60)]
    for text in sent:
        await guest.send(text)

    restored = await guest.restore()

    assert [t for t in restored if t.startswith("page test")] == sent
    assert mock.journal.calls("webmessaging.messages", status=200)  # read through the REST API
    assert len(mock.journal.calls("webmessaging.messages")) >= 3  # 60 messages are three pages of 25


async def test_baseline_guest_flushes_a_backlog_in_call_order(mock: MockGenesys, guest: BaselineGuest) -> None:
    mock.add_fault(ECHO_DROP)
    texts = [f"backlog {n}" for n in range(5)]

    await asyncio.gather(*(guest.send(text) for text in texts))

    assert [t for t in inbound_texts(mock) if t.startswith("backlog")] == texts
    assert len(mock.journal.calls("guest.ws.configureSession")) == 2  # the drop did force a reconnect


async def test_baseline_guest_checks_delivery_before_resending(mock: MockGenesys, guest: BaselineGuest) -> None:
    mock.add_fault(ECHO_DROP)

    await guest.send("stored, echo lost")

    assert inbound_texts(mock).count("stored, echo lost") == 1
    assert len(mock.journal.calls("guest.ws.onMessage")) == 1  # the history said it arrived: no resend
    assert mock.journal.calls("webmessaging.messages")


async def test_baseline_guest_resends_with_the_same_message_id(mock: MockGenesys, guest: BaselineGuest) -> None:
    mock.add_fault({"match": {"endpoint": "guest.ws.onMessage"}, "when": {"times": 1}, "then": {"ws": {"drop": True}}})

    await guest.send("dropped before it was stored")

    attempts = mock.journal.calls("guest.ws.onMessage")
    assert len(attempts) == 2
    assert attempts[0].detail == attempts[1].detail  # one metadata.id across the resend
    assert inbound_texts(mock).count("dropped before it was stored") == 1


async def test_baseline_guest_resends_a_refused_message_in_a_new_session(
    mock: MockGenesys, guest: BaselineGuest
) -> None:
    await guest.send("before")
    mock.add_fault(
        {"match": {"endpoint": "guest.ws.onMessage"}, "when": {"times": 1}, "then": {"expire_session": True}}
    )

    await guest.send("in flight at expiry")
    await guest.send("after")

    assert inbound_texts(mock).count("in flight at expiry") == 1
    assert await guest.restore() == ["in flight at expiry", "after"]  # the new session's conversation
    assert len(mock.world.guest_sessions) == 2


async def test_baseline_guest_refreshes_its_jwt_before_exp(mock: MockGenesys, guest: BaselineGuest) -> None:
    await guest.send("hello")
    await guest.restore()
    mock.clock.advance(mock.world.default_deployment.jwt_ttl - 30)  # inside the 60 s margin, not yet expired

    await guest.restore()

    assert len(mock.journal.calls("guest.ws.getJwt")) == 2
    assert not mock.journal.calls("webmessaging.messages", status=401)


async def test_baseline_guest_fetches_one_new_jwt_after_a_401(mock: MockGenesys, guest: BaselineGuest) -> None:
    await guest.send("hello")
    mock.add_fault(
        {"match": {"endpoint": "webmessaging.messages"}, "when": {"times": 1}, "then": {"expire_token": True}}
    )

    assert await guest.restore() == ["hello"]

    refused = mock.journal.calls("webmessaging.messages", status=401)
    assert len(refused) == 1
    assert len(mock.journal.calls("guest.ws.getJwt")) == 2
    assert not [
        e
        for e in mock.journal.calls("webmessaging.messages")
        if e.seq > refused[0].seq and e.credential == refused[0].credential
    ]


async def test_baseline_guest_gives_up_after_a_second_401(mock: MockGenesys, guest: BaselineGuest) -> None:
    await guest.send("hello")
    mock.add_fault(
        {
            "match": {"endpoint": "webmessaging.messages"},
            "when": {"times": 5},
            "then": {"status": 401, "code": "bad.credentials"},
        }
    )

    with pytest.raises(AuthenticationError):
        await guest.restore()

    assert len(mock.journal.calls("webmessaging.messages", status=401)) == 2
    assert len(mock.journal.calls("guest.ws.getJwt")) == 2  # the first JWT and one refresh, no more


async def test_baseline_guest_waits_retry_after_on_a_refused_send(mock: MockGenesys, guest: BaselineGuest) -> None:
    mock.add_fault(
        {"match": {"endpoint": "guest.ws.onMessage"}, "when": {"times": 1}, "then": {"status": 429, "retry_after": 7}}
    )

    await guest.send("patient")

    first, second = mock.journal.calls("guest.ws.onMessage")
    assert second.time - first.time >= 7


async def test_baseline_guest_gives_up_after_bounded_attempts_with_growing_waits(
    mock: MockGenesys, guest: BaselineGuest
) -> None:
    await guest.send("hello")
    mock.add_fault({"match": {"endpoint": "webmessaging.messages"}, "then": {"status": 503}})

    with pytest.raises(ServerError):
        await guest.restore()

    times = [e.time for e in mock.journal.calls("webmessaging.messages")]
    assert len(times) == MAX_ATTEMPTS
    for attempt, (before, after) in enumerate(itertools.pairwise(times), start=1):
        ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1))
        assert ceiling / 2 <= after - before <= ceiling  # exponential, with jitter in its upper half


async def test_baseline_guest_does_not_retry_a_403(mock: MockGenesys, guest: BaselineGuest) -> None:
    await guest.send("hello")
    mock.add_fault(
        {"match": {"endpoint": "webmessaging.messages"}, "then": {"status": 403, "code": "missing.any.permissions"}}
    )

    with pytest.raises(PermissionDeniedError):
        await guest.restore()

    assert len(mock.journal.calls("webmessaging.messages")) == 1


async def test_baseline_guest_starts_a_new_conversation_when_read_only(mock: MockGenesys, guest: BaselineGuest) -> None:
    await guest.send("first conversation")
    session = next(iter(mock.world.guest_sessions.values()))
    mock.agent.disconnect(session.conversation_id)

    first = session.conversation_id

    await guest.send("second conversation")

    assert session.conversation_id != first
    held = [m.text for m in mock.world.conversations[session.conversation_id].messages if m.direction == "inbound"]
    assert held == ["second conversation"]
    assert len(mock.world.guest_sessions) == 1  # a new conversation, not a new session


async def test_baseline_guest_retries_an_unreadable_history_page(mock: MockGenesys, guest: BaselineGuest) -> None:
    await guest.send("hello")
    mock.add_fault(
        {"match": {"endpoint": "webmessaging.messages"}, "when": {"times": 2}, "then": {"malformed_json": True}}
    )

    assert await guest.restore() == ["hello"]
    assert len(mock.journal.calls("webmessaging.messages")) == 3


async def test_baseline_guest_refuses_an_unknown_deployment_with_a_typed_error(mock: MockGenesys) -> None:
    context = GuestContext(
        0, "lost", 1, mock.clock, "no-such-deployment", mock.client_id, mock.client_secret, mock=mock
    )
    guest = BaselineGuest(context)

    with pytest.raises(ClientConfigError, match="deployment id"):
        await guest.start()
    await guest.close()
