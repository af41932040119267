"""The official Python SDK, unmodified, on the contact-centre side of a live mock: the
``NotificationsApi`` (and the socket at ``connectUri``), ``ConversationsApi`` agent calls and Open
Messaging, ``ExternalContactsApi`` writes. Every answer must deserialise into the SDK's models."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
import websockets

from mockgenesys import MockGenesys
from mockgenesys.client import WebhookReceiver
from mockgenesys.serving import serve_in_thread

pytestmark = [pytest.mark.sdk, pytest.mark.live]
SECRET = "0123456789abcdef-sdk-secret"


@pytest.fixture(scope="module")
def gc() -> ModuleType:
    import PureCloudPlatformClientV2

    PureCloudPlatformClientV2.configuration.live_reload_config = False
    return PureCloudPlatformClientV2


@pytest.fixture(scope="module")
def live() -> Iterator[tuple[MockGenesys, str, str, WebhookReceiver]]:
    mock = MockGenesys(seed=7, routing_delay=0)
    receiver = WebhookReceiver(SECRET)
    with mock.serve() as url, serve_in_thread(receiver, "127.0.0.1", 0) as hook:
        yield mock, url, hook, receiver


@pytest.fixture(scope="module")
def api(gc: ModuleType, live: tuple[MockGenesys, str, str, WebhookReceiver]) -> Any:
    mock, url, _, _ = live
    return gc.api_client.ApiClient(host=url).get_client_credentials_token(mock.client_id, mock.client_secret)


def test_sdk_notifications_channel_subscriptions_and_socket(
    gc: ModuleType, api: Any, live: tuple[MockGenesys, str, str, WebhookReceiver]
) -> None:
    mock = live[0]
    notifications = gc.NotificationsApi(api)
    channel = notifications.post_notifications_channels()
    assert channel.id.startswith("streaming-") and channel.connect_uri.endswith(channel.id)
    assert isinstance(channel.expires, dt.datetime)
    topic = gc.ChannelTopic()
    topic.id = f"v2.routing.queues.{mock.world.queue_of(mock.org_id)}.conversations.messages"
    listing = notifications.put_notifications_channel_subscriptions(channel.id, [topic])
    assert [(t.id, t.state) for t in listing.entities] == [(topic.id, "Permitted")]
    assert notifications.head_notifications_channel(channel.id) is None
    assert channel.id in [c.id for c in notifications.get_notifications_channels().entities]

    async def hear_a_conversation() -> dict[str, Any]:
        async with websockets.connect(channel.connect_uri) as socket:
            conversation = mock.add_conversation(messages=["hello"])
            mock.agent.assign(conversation.id)
            frame: dict[str, Any] = json.loads(await asyncio.wait_for(socket.recv(), 5))
            return frame

    frame = asyncio.run(hear_a_conversation())
    assert frame["topicName"] == topic.id and frame["eventBody"]["participants"]
    assert notifications.delete_notifications_channel_subscriptions(channel.id) is None


def test_sdk_open_messaging_and_agent_calls(
    gc: ModuleType, api: Any, live: tuple[MockGenesys, str, str, WebhookReceiver]
) -> None:
    _, _, hook, receiver = live
    conversations = gc.ConversationsApi(api)
    request = gc.OpenIntegrationRequest()
    request.name = "SDK connector"
    request.outbound_notification_webhook_url = hook + "/webhook"
    request.outbound_notification_webhook_signature_secret_token = SECRET
    integration = conversations.post_conversations_messaging_integrations_open(request)
    assert integration.create_status == "Completed"
    body = gc.OpenInboundNormalizedMessage()
    body.channel = gc.OpenInboundMessageMessagingChannel()
    sender = gc.OpenMessagingFromRecipient()
    sender.id, sender.id_type, sender.nickname = "sdk-user", "Opaque", "Sam"
    body.channel.pcFrom = sender
    body.channel.time = dt.datetime.now(dt.UTC)
    body.text = "hi from the SDK"
    inbound = conversations.post_conversations_message_inbound_open_message(
        integration.id, body, prefetch_conversation_id=True
    )
    conversation = conversations.get_conversation(inbound.conversation_id)
    agent = next(p for p in conversation.participants if p.purpose == "agent")
    details = conversations.get_conversations_message_details(inbound.id)
    assert (details.normalized_message.text, details.normalized_message.channel.platform) == ("hi from the SDK", "Open")
    message = gc.AdditionalMessage()
    message.text_body = "Hello Sam"
    sent = conversations.post_conversations_message_communication_messages(
        inbound.conversation_id, agent.messages[0].id, message
    )
    assert (sent.status, sent.messenger_type, sent.direction) == ("sent", "open", "outbound")
    for _ in range(50):  # the live server delivers the webhook in the background
        if receiver.texts():
            break
        time.sleep(0.05)
    assert receiver.texts() == ["Hello Sam"] and receiver.rejected == 0
    codes = conversations.get_conversations_message_participant_wrapupcodes(inbound.conversation_id, agent.id)
    wrapup = gc.WrapupInput()
    wrapup.code, wrapup.notes = codes[0].id, "answered"
    conversations.post_conversations_message_participant_communication_wrapup(
        inbound.conversation_id, agent.id, agent.messages[0].id, body=wrapup
    )
    assigned = conversations.get_conversations_message_participant_wrapup(inbound.conversation_id, agent.id)
    assert (assigned.code, assigned.notes) == (codes[0].id, "answered")
    leave = gc.MediaParticipantRequest()
    leave.state = "disconnected"
    conversations.patch_conversations_message_participant(inbound.conversation_id, agent.id, body=leave)
    assert conversations.get_conversation(inbound.conversation_id).state == "disconnected"
    assert conversations.get_conversations_messaging_supportedcontent().entities[0].media_types.allow.inbound
    from PureCloudPlatformClientV2.rest import ApiException

    with pytest.raises(ApiException) as listing:
        conversations.get_conversations()
    assert listing.value.status == 400


def test_sdk_external_contact_writes(
    gc: ModuleType, api: Any, live: tuple[MockGenesys, str, str, WebhookReceiver]
) -> None:
    mock = live[0]
    contacts = gc.ExternalContactsApi(api)
    new = gc.ExternalContact()
    new.first_name, new.last_name, new.work_email = "Zed", "Zulu", "zed@zulu.example"
    new.home_phone = gc.PhoneNumber()
    new.home_phone.e164 = "+15555550100"
    created = contacts.post_externalcontacts_contacts(new)
    assert (created.type, created.home_phone.e164) == ("Curated", "+15555550100")
    created.title = "Boss"
    assert contacts.put_externalcontacts_contact(created.id, created).title == "Boss"
    search = gc.ContactSearchRequest()
    search.operation = gc.ContactSearchOperation()
    search.operation.simple_search = gc.ContactSimpleSearch()
    search.operation.simple_search.query = "zed zulu"
    assert [c.id for c in contacts.post_externalcontacts_contacts_search(search).entities] == [created.id]
    identifier = gc.ContactIdentifier()
    identifier.type, identifier.value = "Email", "zed@zulu.example"
    assert contacts.post_externalcontacts_identifierlookup_contacts(identifier).id == created.id
    merge = gc.MergeContactsRequest()
    merge.contact_ids = [created.id, next(iter(mock.world.contacts))]
    merged = contacts.post_externalcontacts_contacts_merge(merge)
    assert {c.id for c in merged.merged_from} == set(merge.contact_ids)
    assert contacts.delete_externalcontacts_contact(merged.id) == {}
