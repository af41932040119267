"""The official Genesys Cloud Python SDK, unmodified, against a live mock (the `sdk` extra)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from mockgenesys import MockGenesys

pytestmark = [pytest.mark.sdk, pytest.mark.live]


@pytest.fixture(scope="module")
def gc() -> ModuleType:
    import PureCloudPlatformClientV2  # the sdk extra is installed by the README's test command

    PureCloudPlatformClientV2.configuration.live_reload_config = False
    return PureCloudPlatformClientV2


@pytest.fixture(scope="module")
def live() -> Iterator[tuple[MockGenesys, str]]:
    mock = MockGenesys(seed=7)
    with mock.serve() as url:
        yield mock, url


def make_client(gc: ModuleType, url: str, **kwargs: Any) -> Any:
    import urllib3

    client = gc.api_client.ApiClient(host=url, **kwargs)
    client.get_http_client().rest_client.pool_manager = urllib3.PoolManager(
        retries=urllib3.util.Retry(total=0, redirect=0, respect_retry_after_header=False),
        timeout=urllib3.util.Timeout(connect=2.0, read=10.0),
    )
    return client


def test_sdk_login_and_external_contact(gc: ModuleType, live: tuple[MockGenesys, str]) -> None:
    mock, url = live
    api = make_client(gc, url).get_client_credentials_token(mock.client_id, mock.client_secret)
    assert api.access_token in mock.world.tokens
    contact_id = next(iter(mock.world.contacts))
    contact = gc.ExternalContactsApi(api).get_externalcontacts_contact(contact_id, expand=["identifiers"])
    expected = mock.world.contacts[contact_id]
    assert (contact.id, contact.first_name, contact.last_name) == (expected.id, expected.first_name, expected.last_name)
    assert contact.type == "Curated"
    assert contact.create_date.year == 2025
    listing = gc.ExternalContactsApi(api).get_externalcontacts_contacts(page_size=5, q=expected.last_name)
    assert contact_id in [c.id for c in listing.entities]


def test_sdk_conversation_messages_through_bulk(gc: ModuleType, live: tuple[MockGenesys, str]) -> None:
    mock, url = live
    api = make_client(gc, url).get_client_credentials_token(mock.client_id, mock.client_secret)
    conversations = gc.ConversationsApi(api)
    conversation_id = next(iter(mock.world.conversations))
    conversation = conversations.get_conversations_message(conversation_id)
    ids = [m.message_id for p in conversation.participants for m in p.messages]
    assert {p.state for p in conversation.participants} == {"connected"}
    listing = conversations.post_conversations_message_messages_bulk(conversation_id, body=ids)
    by_id = {m.id: m for m in mock.world.conversations[conversation_id].messages}
    assert sorted(m.id for m in listing.entities) == sorted(by_id)
    for message in listing.entities:
        assert message.direction == by_id[message.id].direction
        assert message.normalized_message.text == by_id[message.id].text
        assert message.messenger_type == "webmessaging"
    from PureCloudPlatformClientV2.rest import ApiException

    with pytest.raises(ApiException) as listing_error:  # a client-credentials token has no user
        conversations.get_conversations_messages()
    assert listing_error.value.status == 400 and "user context" in listing_error.value.body
    with pytest.raises(ApiException) as me_error:
        gc.UsersApi(api).get_users_me()
    assert me_error.value.status == 400
    empty = conversations.post_conversations_message_messages_bulk(conversation_id)
    assert empty.entities == []


def test_sdk_guest_messages_and_revoke(gc: ModuleType, live: tuple[MockGenesys, str]) -> None:
    mock, url = live
    from PureCloudPlatformClientV2.rest import ApiException

    conversation_id = next(iter(mock.world.conversations))
    guest = make_client(gc, url, header_name="Authorization", header_value=f"Bearer {mock.guest_jwt(conversation_id)}")
    page = gc.WebMessagingApi(guest).get_webmessaging_messages(page_size=25, page_number=1)
    newest = mock.world.conversations[conversation_id].messages[::-1][:25]
    assert [e.id for e in page.entities] == [m.id for m in newest]
    assert {e.direction for e in page.entities} <= {"Inbound", "Outbound"}
    assert page.total == len(mock.world.conversations[conversation_id].messages)
    assert gc.WebDeploymentsApi(guest).delete_webdeployments_token_revoke() is None
    with pytest.raises(ApiException) as info:
        gc.WebMessagingApi(guest).get_webmessaging_messages()
    assert info.value.status == 401


def test_sdk_errors_404_and_bad_secret(gc: ModuleType, live: tuple[MockGenesys, str]) -> None:
    mock, url = live
    from PureCloudPlatformClientV2.rest import ApiException

    api = make_client(gc, url).get_client_credentials_token(mock.client_id, mock.client_secret)
    with pytest.raises(ApiException) as missing:
        gc.ExternalContactsApi(api).get_externalcontacts_contact("missing")
    assert missing.value.status == 404
    body = json.loads(missing.value.body)
    assert body["code"] == "not.found" and body["contextId"] == missing.value.headers["ININ-Correlation-Id"]
    with pytest.raises(ApiException) as bad:
        make_client(gc, url).get_client_credentials_token(mock.client_id, "wrong")
    assert bad.value.status == 400
    assert json.loads(bad.value.body)["error"] == "invalid_client"


def test_sdk_call_api_org(gc: ModuleType, live: tuple[MockGenesys, str]) -> None:
    mock, url = live
    api = make_client(gc, url).get_client_credentials_token(mock.client_id, mock.client_secret)
    org = api.call_api(
        "/api/v2/organizations/me", "GET", {}, [], {}, response_type="object", auth_settings=["PureCloud OAuth"]
    )
    assert org["id"] == mock.org_id


def test_sdk_decodes_rich_content_attachments_and_senders(gc: ModuleType, live: tuple[MockGenesys, str]) -> None:
    from mockgenesys.world.content import attachment, card, carousel, date_picker, postback_action, quick_replies

    mock, url = live
    conversation = mock.add_conversation(messages=["hello"])
    mock.agent.assign(conversation.id, name="Dana Scully", image="https://cdn.example/dana.png")
    mock.agent.reply(conversation.id, "Pick", content=quick_replies("Yes", "No"))
    mock.agent.reply(conversation.id, content=[carousel(card("A", "a", actions=[postback_action("Buy")]))])
    mock.agent.reply(conversation.id, content=[date_picker("Slot", [("2026-01-05T10:00:00.000Z", 30)])])
    pdf = attachment("m.pdf", url="https://cdn.example/m.pdf", mime="application/pdf", size=3)
    mock.agent.reply(conversation.id, "Manual", content=[pdf], bot=True)
    guest = make_client(gc, url, header_name="Authorization", header_value=f"Bearer {mock.guest_jwt(conversation.id)}")
    page = gc.WebMessagingApi(guest).get_webmessaging_messages(page_size=25, page_number=1)
    manual, slot, cards, quick, hello = page.entities
    assert hello.direction == "Inbound" and hello.channel.pcFrom is None
    assert (quick.channel.pcFrom.nickname, quick.channel.pcFrom.first_name) == ("Dana Scully", "Dana")
    assert quick.type == "Structured" and [c.quick_reply.payload for c in quick.content] == ["Yes", "No"]
    assert cards.content[0].carousel.cards[0].actions[0].type == "Postback"
    assert slot.content[0].date_picker.available_times[0].duration == 30
    assert (manual.channel.pcFrom.nickname, manual.originating_entity) == ("Mock Bot", "Bot")
    file = manual.content[0].attachment
    assert (file.media_type, file.filename, file.file_size, file.url) == (
        "File",
        "m.pdf",
        3,
        "https://cdn.example/m.pdf",
    )
    assert all(e.channel.time is not None for e in page.entities)
