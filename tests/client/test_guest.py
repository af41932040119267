from __future__ import annotations

import asyncio

import pytest
import websockets

from mockgenesys import MockGenesys, VirtualClock
from mockgenesys.client import GuestError, GuestMessagingClient, MessageFailedError, NotConnectedError, RetryPolicy

from .client_helpers import conversation_of, guest_texts, timing_for


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


async def test_calls_before_login_say_what_to_do(guest: GuestMessagingClient) -> None:
    with pytest.raises(MessageFailedError, match=r"call 'await client.login_guest\(\)' first"):
        await guest.send("hello")


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
