"""The guest JWT: fetched with getJwt, cached, refreshed before exp, one fetch for many callers."""

from __future__ import annotations

import asyncio

import pytest

from mockgenesys import MockGenesys
from mockgenesys.client import GuestError, GuestMessagingClient, RetryPolicy

from .client_helpers import timing_for


@pytest.fixture
async def guest(mock: MockGenesys) -> GuestMessagingClient:
    client = GuestMessagingClient.for_mock(mock, timing=timing_for(mock))
    yield client  # type: ignore[misc]
    await client.aclose()


async def test_jwt_is_reused_then_refreshed_before_exp(mock: MockGenesys, guest: GuestMessagingClient) -> None:
    await guest.login_guest()
    first = await guest.jwt()
    mock.clock.advance(800)  # JWT TTL is 15 min; refreshed 60 s before exp
    assert await guest.jwt() == first
    mock.clock.advance(60)
    assert await guest.jwt() != first
    assert guest.stats.jwt_fetches == 2


async def test_jwt_many_concurrent_callers_share_one_getjwt(mock: MockGenesys, guest: GuestMessagingClient) -> None:
    await guest.login_guest()
    tokens = await asyncio.gather(*(guest.jwt() for _ in range(10)))
    assert len(set(tokens)) == 1
    assert len(mock.journal.calls("guest.ws.getJwt")) == 1 and guest.stats.jwt_fetches == 1


async def test_jwt_of_an_ended_session_is_never_handed_out_again(
    mock: MockGenesys, guest: GuestMessagingClient
) -> None:
    await guest.login_guest()
    first = await guest.jwt()
    mock.add_fault(
        {"match": {"endpoint": "guest.ws.onMessage"}, "when": {"times": 1}, "then": {"expire_session": True}}
    )
    await guest.send("into a new session")
    assert await guest.jwt() != first
    assert guest.stats.jwt_fetches == 2


async def test_jwt_a_drop_on_getjwt_is_retried_after_reconnecting(
    mock: MockGenesys, guest: GuestMessagingClient
) -> None:
    await guest.login_guest()
    mock.add_fault({"match": {"endpoint": "guest.ws.getJwt"}, "when": {"times": 2}, "then": {"ws": {"drop": True}}})
    assert await guest.jwt()
    assert [e.status for e in mock.journal.calls("guest.ws.getJwt")][-1] == 200
    assert guest.stats.reconnects == 2


async def test_jwt_getjwt_dropped_every_time_ends_in_a_typed_error(mock: MockGenesys) -> None:
    guest = GuestMessagingClient.for_mock(mock, timing=timing_for(mock), retry=RetryPolicy(max_attempts=3))
    async with guest:
        await guest.login_guest()
        mock.add_fault({"match": {"endpoint": "guest.ws.getJwt"}, "then": {"ws": {"drop": True}}})
        with pytest.raises(GuestError, match=r"getJwt failed on all 3 attempts"):
            await guest.jwt()


async def test_jwt_a_session_gone_answer_to_getjwt_configures_a_new_session(
    mock: MockGenesys, guest: GuestMessagingClient
) -> None:
    await guest.login_guest()
    old = guest.session_token
    mock.add_fault(
        {"match": {"endpoint": "guest.ws.getJwt"}, "when": {"times": 1}, "then": {"ws": {"error": {"code": 4006}}}}
    )
    assert await guest.jwt()
    assert guest.session_token != old
    assert [e.status for e in mock.journal.calls("guest.ws.configureSession")] == [200, 200]
    assert [e.status for e in mock.journal.calls("guest.ws.getJwt")] == [4006, 200]
