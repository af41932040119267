"""``BaselinePlatform`` does what "correct" means, checked on the server's state and journal."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator

import pytest

from mockgenesys import MockGenesys
from mockgenesys.client import AuthenticationError, PermissionDeniedError, ServerError

from .baseline_platform import BaselinePlatform
from .policy import BACKOFF_BASE, BACKOFF_CAP, MAX_ATTEMPTS
from .protocols import PlatformAdapter


@pytest.fixture
async def platform(mock: MockGenesys) -> AsyncIterator[BaselinePlatform]:
    client = BaselinePlatform.for_mock(mock, 3)
    await client.start()
    yield client
    await client.close()


def test_baseline_platform_is_a_platform_adapter(mock: MockGenesys) -> None:
    assert isinstance(BaselinePlatform.for_mock(mock), PlatformAdapter)


async def test_baseline_platform_reads_every_page(mock: MockGenesys, platform: BaselinePlatform) -> None:
    texts = [f"line {n}" for n in range(60)]
    conversation = mock.add_conversation(messages=texts)
    contacts = {mock.add_contact(firstName=f"Paged{n}", lastName="Everyone").id for n in range(30)}

    assert await platform.history(conversation.id) == texts
    assert set(await platform.search_contacts("everyone")) == contacts
    assert await platform.organization() == mock.org_id


async def test_baseline_platform_refreshes_its_token_before_expiry(
    mock: MockGenesys, platform: BaselinePlatform
) -> None:
    mock.clock.advance(mock.world.default_client.token_ttl - 30)  # inside the margin, not yet expired

    await platform.organization()

    assert len(mock.journal.calls("oauth.token")) == 2
    assert not mock.journal.calls("organizations.me", status=401)


async def test_baseline_platform_shares_one_refresh_between_concurrent_callers(
    mock: MockGenesys, platform: BaselinePlatform
) -> None:
    mock.clock.advance(mock.world.default_client.token_ttl)

    assert await asyncio.gather(*(platform.organization() for _ in range(8))) == [mock.org_id] * 8

    assert len(mock.journal.calls("oauth.token")) == 2


async def test_baseline_platform_replaces_a_refused_token_once(mock: MockGenesys, platform: BaselinePlatform) -> None:
    mock.add_fault({"match": {"endpoint": "organizations.me"}, "when": {"times": 1}, "then": {"expire_token": True}})

    await platform.organization()
    await platform.organization()

    (refused,) = mock.journal.calls("organizations.me", status=401)
    assert len(mock.journal.calls("oauth.token")) == 2
    assert not [
        e for e in mock.journal.calls("organizations.me") if e.seq > refused.seq and e.principal == refused.principal
    ]


async def test_baseline_platform_gives_up_after_a_second_401(mock: MockGenesys, platform: BaselinePlatform) -> None:
    mock.add_fault(
        {
            "match": {"endpoint": "organizations.me"},
            "when": {"times": 5},
            "then": {"status": 401, "code": "bad.credentials"},
        }
    )

    with pytest.raises(AuthenticationError):
        await platform.organization()

    assert len(mock.journal.calls("oauth.token")) == 2  # the first token and one refresh, no more


async def test_baseline_platform_waits_retry_after(mock: MockGenesys, platform: BaselinePlatform) -> None:
    mock.add_fault(
        {"match": {"endpoint": "organizations.me"}, "when": {"times": 1}, "then": {"status": 429, "retry_after": 9}}
    )

    await platform.organization()

    first, second = mock.journal.calls("organizations.me")
    assert second.time - first.time >= 9


async def test_baseline_platform_gives_up_after_bounded_attempts_with_growing_waits(
    mock: MockGenesys, platform: BaselinePlatform
) -> None:
    mock.add_fault({"match": {"endpoint": "organizations.me"}, "then": {"status": 503}})

    with pytest.raises(ServerError):
        await platform.organization()

    times = [e.time for e in mock.journal.calls("organizations.me")]
    assert len(times) == MAX_ATTEMPTS
    for attempt, (before, after) in enumerate(itertools.pairwise(times), start=1):
        ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1))
        assert ceiling / 2 <= after - before <= ceiling


async def test_baseline_platform_does_not_retry_a_403(mock: MockGenesys, platform: BaselinePlatform) -> None:
    mock.add_fault(
        {"match": {"endpoint": "externalcontacts.search"}, "then": {"status": 403, "code": "missing.any.permissions"}}
    )

    with pytest.raises(PermissionDeniedError):
        await platform.search_contacts("anyone")

    assert len(mock.journal.calls("externalcontacts.search")) == 1
