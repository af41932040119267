"""Cached credentials: early refresh, single flight, invalidation, and the token endpoint's Retry-After."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx
import pytest

from mockgenesys import MockGenesys, VirtualClock
from mockgenesys.client import ClientConfigError, RateLimitedError, Timing, TokenProvider
from mockgenesys.client.platform import MOCK_BASE_URL
from mockgenesys.client.tokens import TokenCache, call_with_bearer

from .client_helpers import timing_for, token_calls


async def test_token_provider_keeps_later_requests_behind_the_token_endpoints_retry_after(mock: MockGenesys) -> None:
    mock.add_fault(
        {"match": {"endpoint": "oauth.token"}, "when": {"times": 1}, "then": {"status": 429, "retry_after": 600}}
    )
    async with httpx.AsyncClient(transport=mock.transport(), base_url=MOCK_BASE_URL) as http:
        tokens = TokenProvider(http, mock.client_id, mock.client_secret, timing=timing_for(mock))
        with pytest.raises(RateLimitedError):  # waiting 600 s would break the policy's 300 s budget
            await tokens.token()
        await tokens.token()  # the next caller waits out the deadline instead of asking again at once
    first, second = mock.journal.calls("oauth.token")
    assert second.time - first.time >= 600
    mock.check().assert_ok()


async def test_the_token_is_cached_until_shortly_before_it_expires(mock: MockGenesys) -> None:
    mock.world.clients[mock.client_id].token_ttl = 600
    async with httpx.AsyncClient(transport=mock.transport(), base_url=MOCK_BASE_URL) as http:
        tokens = TokenProvider(http, mock.client_id, mock.client_secret, timing=timing_for(mock))
        first = await tokens.token()
        mock.clock.advance(538)  # expires_in is 599: refresh from 539 s on
        assert await tokens.token() == first and token_calls(mock) == 1
        mock.clock.advance(2)  # 540 s: inside the 60 s margin
        assert await tokens.token() != first and token_calls(mock) == 2
    mock.check().assert_ok()


async def test_a_hundred_concurrent_callers_cause_one_token_request(mock: MockGenesys) -> None:
    async with httpx.AsyncClient(transport=mock.transport(), base_url=MOCK_BASE_URL) as http:
        tokens = TokenProvider(http, mock.client_id, mock.client_secret, timing=timing_for(mock))
        got = await asyncio.gather(*(tokens.token() for _ in range(100)))
    assert len(set(got)) == 1 and token_calls(mock) == 1 and tokens.requests == 1


class Issuer:
    """Hands out ``t1``, ``t2``, … valid for ``life`` seconds, after ``delay`` seconds of work each."""

    def __init__(self, clock: VirtualClock, life: float = 100.0, delay: float = 0.0) -> None:
        self.clock = clock
        self.life = life
        self.delay = delay
        self.issued = 0

    async def __call__(self) -> tuple[str, float]:
        self.issued += 1
        value = f"t{self.issued}"
        await self.clock.sleep(self.delay)
        return value, self.clock.now() + self.life


async def test_token_cache_refreshes_a_margin_before_expiry_at_most_half_the_life() -> None:
    clock = VirtualClock()
    issuer = Issuer(clock, life=100)
    cache = TokenCache(issuer, Timing(clock=clock), margin=60)
    assert await cache.token() == "t1"
    clock.advance(49)
    assert await cache.token() == "t1"
    clock.advance(1)  # half of a 100 s life: a 60 s margin would refresh it at once
    assert await cache.token() == "t2"


async def test_token_cache_invalidate_drops_only_the_refused_credential() -> None:
    clock = VirtualClock()
    cache = TokenCache(Issuer(clock), Timing(clock=clock))
    await cache.token()
    cache.invalidate("someone else's")
    assert await cache.token() == "t1"
    cache.invalidate("t1")
    assert await cache.token() == "t2"


async def test_token_cache_does_not_keep_a_credential_fetched_before_clear() -> None:
    clock = VirtualClock()
    issuer = Issuer(clock, delay=1)
    cache = TokenCache(issuer, Timing(clock=clock))
    fetching = asyncio.ensure_future(cache.token())
    await asyncio.sleep(0)
    cache.clear()  # the session it belonged to ended while it was being fetched
    assert await fetching == "t1"
    assert cache.current is None and await cache.token() == "t2"


async def test_call_with_bearer_retries_a_401_once_with_a_fresh_credential() -> None:
    clock = VirtualClock()
    cache = TokenCache(Issuer(clock), Timing(clock=clock))
    used: list[str] = []

    async def call(credential: Callable[[], Awaitable[str]]) -> httpx.Response:
        token = await credential()
        used.append(token)
        return httpx.Response(401 if token == "t1" else 200)

    assert (await call_with_bearer(cache, call)).status_code == 200
    assert used == ["t1", "t2"]


async def test_call_with_bearer_never_reuses_a_refused_credential() -> None:
    clock = VirtualClock()
    cache = TokenCache(Issuer(clock), Timing(clock=clock))
    used: list[str] = []

    async def refuse(credential: Callable[[], Awaitable[str]]) -> httpx.Response:
        used.append(await credential())
        return httpx.Response(401)

    assert (await call_with_bearer(cache, refuse)).status_code == 401
    assert (await call_with_bearer(cache, refuse)).status_code == 401
    assert used == ["t1", "t2", "t3", "t4"]


def test_token_cache_refuses_a_negative_margin() -> None:
    clock = VirtualClock()
    with pytest.raises(ClientConfigError, match=r"margin must be >= 0"):
        TokenCache(Issuer(clock), Timing(clock=clock), margin=-1)


async def test_call_with_bearer_reads_the_credential_again_for_each_attempt() -> None:
    """An attempt after a retry wait sends the credential cached then: not one another call found refused."""
    clock = VirtualClock()
    cache = TokenCache(Issuer(clock), Timing(clock=clock))
    used: list[str] = []

    async def retried(credential: Callable[[], Awaitable[str]]) -> httpx.Response:
        used.append(await credential())  # 503, then a retry wait during which another call...
        cache.invalidate(used[0])  # ...got a 401 for the same credential
        used.append(await credential())
        return httpx.Response(200)

    assert (await call_with_bearer(cache, retried)).status_code == 200
    assert used == ["t1", "t2"]
