from __future__ import annotations

import asyncio

import pytest

from mockgenesys import MockGenesys
from mockgenesys.client import (
    AuthenticationError,
    ClientConfigError,
    NotFoundError,
    PermissionDeniedError,
    PlatformClient,
    RateLimitedError,
    RetryPolicy,
)
from mockgenesys.client.platform import MOCK_BASE_URL

from .client_helpers import timing_for, token_calls


async def test_a_hundred_callers_refused_at_once_refresh_once(mock: MockGenesys, platform: PlatformClient) -> None:
    contact_id = next(iter(mock.world.contacts))
    await platform.external_contact(contact_id)
    mock.add_fault(
        {"match": {"endpoint": "externalcontacts.get"}, "when": {"times": 1}, "then": {"expire_token": True}}
    )
    await asyncio.gather(*(platform.external_contact(contact_id) for _ in range(100)))
    assert token_calls(mock) == 2
    mock.check().assert_ok()


async def test_a_bad_secret_is_an_authentication_error_that_says_what_to_check(mock: MockGenesys) -> None:
    client = PlatformClient(MOCK_BASE_URL, mock.client_id, "wrong", transport=mock.transport(), timing=timing_for(mock))
    async with client:
        with pytest.raises(
            AuthenticationError, match=r"invalid_client.*Check the OAuth client id and secret"
        ) as caught:
            await client.organization()
    assert caught.value.correlation_id
    assert "wrong" not in repr(client.tokens)


def test_empty_credentials_are_refused_before_any_request() -> None:
    with pytest.raises(ClientConfigError, match=r"needs an OAuth client id and secret"):
        PlatformClient(MOCK_BASE_URL, "", "")


async def test_401_during_history_fetch_reauthenticates_once_and_finishes(
    mock: MockGenesys, platform: PlatformClient
) -> None:
    conversation = max(mock.world.conversations.values(), key=lambda c: len(c.messages))
    mock.add_fault(
        {
            "match": {"endpoint": "conversations.history"},
            "when": {"after": 1, "times": 1},
            "then": {"expire_token": True},
        }
    )
    history = await platform.history(conversation.id, page_size=10)
    assert [m["id"] for m in history] == [m.id for m in conversation.messages]
    assert token_calls(mock) == 2
    mock.check().assert_ok()


async def test_a_401_with_a_fresh_token_too_is_reported(mock: MockGenesys, platform: PlatformClient) -> None:
    mock.add_fault({"match": {"endpoint": "conversations.history"}, "then": {"status": 401, "code": "bad.credentials"}})
    with pytest.raises(AuthenticationError, match=r"A fresh token was refused too"):
        await platform.history(next(iter(mock.world.conversations)))
    assert token_calls(mock) == 2  # exactly one re-authentication, no storm


async def test_403_on_history_names_the_missing_permission(mock: MockGenesys, platform: PlatformClient) -> None:
    mock.world.clients[mock.client_id].permissions = []
    with pytest.raises(PermissionDeniedError, match=r"conversation.*Grant the missing permission") as caught:
        await platform.history(next(iter(mock.world.conversations)))
    assert caught.value.status == 403 and caught.value.code == "missing.any.permissions"


@pytest.mark.parametrize("retry_after", [None, 4])
async def test_429_on_history_with_and_without_retry_after(
    mock: MockGenesys, platform: PlatformClient, retry_after: int | None
) -> None:
    then: dict[str, object] = {"status": 429}
    if retry_after is not None:
        then["retry_after"] = retry_after
    mock.add_fault({"match": {"endpoint": "conversations.history"}, "when": {"times": 3}, "then": then})
    conversation = next(iter(mock.world.conversations.values()))
    started = mock.clock.now()
    history = await platform.history(conversation.id)
    assert len(history) == len(conversation.messages)
    if retry_after is not None:
        assert mock.clock.now() - started >= 3 * retry_after
    mock.check().assert_ok()


async def test_a_429_storm_longer_than_the_policy_raises_rate_limited(mock: MockGenesys) -> None:
    mock.add_fault({"match": {"endpoint": "conversations.history"}, "then": {"status": 429, "retry_after": 2}})
    client = PlatformClient.for_mock(mock, timing=timing_for(mock), retry=RetryPolicy(max_attempts=3))
    async with client:
        with pytest.raises(RateLimitedError, match=r"raise RetryPolicy.max_attempts"):
            await client.history(next(iter(mock.world.conversations)))
    assert len(mock.journal.calls("conversations.history")) == 3
    mock.check().assert_ok()


async def test_external_contacts_get_and_search_every_page(mock: MockGenesys, platform: PlatformClient) -> None:
    contact = next(iter(mock.world.contacts.values()))
    fetched = await platform.external_contact(contact.id, expand=["externalOrganization"])
    assert fetched["id"] == contact.id
    everyone = await platform.search_external_contacts(page_size=7)
    assert sorted(c["id"] for c in everyone) == sorted(mock.world.contacts)
    assert len({c["id"] for c in everyone}) == len(everyone)
    with pytest.raises(NotFoundError, match=r"Check the id"):
        await platform.external_contact("00000000-0000-0000-0000-000000000000")


async def test_conversation_messages_use_the_bulk_call(mock: MockGenesys, platform: PlatformClient) -> None:
    conversation = max(mock.world.conversations.values(), key=lambda c: len(c.messages))
    messages = await platform.conversation_messages(conversation.id)
    assert sorted(m["id"] for m in messages) == sorted(m.id for m in conversation.messages)
    assert mock.journal.calls("conversations.messages.bulk")


async def test_create_guest_session_sends_a_nonce(mock: MockGenesys, platform: PlatformClient) -> None:
    body = await platform.create_guest_session(mock.org_id, expiration_seconds=600, nonce="n-1")
    assert body["expirationSeconds"] == 600
    with pytest.raises(Exception, match=r"409|400"):
        await platform.create_guest_session(mock.org_id, nonce="n-1")
