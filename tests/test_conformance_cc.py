"""The contact-centre rules catch a resubscribing storm, an unverified webhook and events missed
across a channel expiry, and pass the client core that does it right."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from mockgenesys import MockGenesys, VirtualClock
from mockgenesys.client import NotificationClient, PlatformClient, WebhookReceiver, mock_notification_connector
from mockgenesys.conformance_cc import CC_RULES, contact_centre_findings
from mockgenesys.world.openmessaging import communication_id

BASE = "https://api.mypurecloud.com"
SECRET = "0123456789abcdef-rules"


@pytest.fixture
def mock() -> MockGenesys:
    return MockGenesys(seed=2, clock=VirtualClock(), routing_delay=None)


def queue_topic(mock: MockGenesys) -> str:
    return f"v2.routing.queues.{mock.world.queue_of(mock.org_id)}.conversations"


def naive_connect(mock: MockGenesys, http: httpx.Client, auth: dict[str, str]) -> str:
    """What a naive client does on every (re)connect: a new channel, the topics again."""
    channel = http.post("/api/v2/notifications/channels", headers=auth).json()
    subscriptions = f"/api/v2/notifications/channels/{channel['id']}/subscriptions"
    http.put(subscriptions, headers=auth, json=[{"id": queue_topic(mock)}])
    mock.notifications.open(channel["id"])
    return str(channel["id"])


def test_conformance_cc_catches_a_client_that_resubscribes_in_a_storm(mock: MockGenesys) -> None:
    auth = {"Authorization": f"Bearer {mock.issue_token()}"}
    with httpx.Client(transport=mock.transport(), base_url=BASE) as http:
        channel = naive_connect(mock, http, auth)
        for _ in range(4):  # the network drops four times in a minute
            mock.clock.advance(10)
            mock.notifications.drop(channel)
            channel = naive_connect(mock, http, auth)
    (violation,) = mock.check().by_rule("notification_storm")
    assert "created 4 notification channel(s)" in violation.message and len(violation.entries) == 4


async def test_conformance_cc_passes_the_client_core_through_the_same_drops(mock: MockGenesys) -> None:
    async with PlatformClient.for_mock(mock) as platform:
        client = NotificationClient(platform, mock_notification_connector(mock))
        await client.start([queue_topic(mock)])
        for _ in range(5):
            mock.clock.advance(10)
            assert client.channel_id is not None and mock.notifications.drop(client.channel_id)
            for _ in range(20):
                await asyncio.sleep(0)
        await client.aclose()
    assert client.stats.reconnects == 5 and mock.check(rules=list(CC_RULES)).ok


def open_conversation(mock: MockGenesys, http: httpx.Client, auth: dict[str, str]) -> str:
    integration = http.post(
        "/api/v2/conversations/messaging/integrations/open",
        headers=auth,
        json={
            "name": "hook",
            "outboundNotificationWebhookUrl": "http://127.0.0.1:9/hook",
            "outboundNotificationWebhookSignatureSecretToken": SECRET,
        },
    ).json()
    body = {"channel": {"from": {"id": "u", "idType": "Opaque"}, "time": "2026-01-01T00:00:00Z"}, "text": "hi"}
    path = f"/api/v2/conversations/messages/{integration['id']}/inbound/open/message"
    conversation_id = str(
        http.post(path, headers=auth, params={"prefetchConversationId": "true"}, json=body).json()["conversationId"]
    )
    agent = mock.agent.assign(conversation_id)
    send = f"/api/v2/conversations/messages/{conversation_id}/communications/{communication_id(agent.id)}/messages"
    mock.add_fault({"match": {"endpoint": "openmessaging.webhook"}, "then": {"forge_signature": True}})
    http.post(send, headers=auth, json={"textBody": "hello"})
    return conversation_id


def test_conformance_cc_catches_a_webhook_that_does_not_verify_signatures(mock: MockGenesys) -> None:
    mock.webhooks.transport = httpx.MockTransport(lambda request: httpx.Response(200))  # takes anything
    auth = {"Authorization": f"Bearer {mock.issue_token()}"}
    with httpx.Client(transport=mock.transport(), base_url=BASE) as http:
        open_conversation(mock, http, auth)
    (violation,) = mock.check().by_rule("unverified_webhook")
    assert "forged X-Hub-Signature-256" in violation.message and violation.entries[0].code == "forged"


def test_conformance_cc_passes_a_webhook_that_verifies(mock: MockGenesys) -> None:
    mock.webhooks.transport = httpx.ASGITransport(app=WebhookReceiver(SECRET))
    auth = {"Authorization": f"Bearer {mock.issue_token()}"}
    with httpx.Client(transport=mock.transport(), base_url=BASE) as http:
        open_conversation(mock, http, auth)
    assert mock.check(rules=["unverified_webhook"]).ok
    assert [e.status for e in mock.journal.calls("openmessaging.webhook")] == [401, 200]


def test_conformance_cc_catches_a_backend_that_lets_its_channel_lapse(mock: MockGenesys) -> None:
    auth = {"Authorization": f"Bearer {mock.issue_token()}"}
    with httpx.Client(transport=mock.transport(), base_url=BASE) as http:
        naive_connect(mock, http, auth)  # and never subscribes again
    mock.clock.advance(86400 + 1)
    conversation = mock.add_conversation(messages=["anyone?"])
    mock.agent.conversation_started(conversation.id)
    mock.agent.assign(conversation.id)
    (violation,) = mock.check().by_rule("missed_events")
    assert "missed 2 event(s)" in violation.message and "expired" in violation.message
    assert {e.detail for e in violation.entries} == {queue_topic(mock)}


def test_conformance_cc_names_the_valid_rules() -> None:
    with pytest.raises(ValueError, match="notification_storm"):
        contact_centre_findings([], "no_such_rule")
