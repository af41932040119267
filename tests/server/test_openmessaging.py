"""Open Messaging: integrations, inbound message/receipt/event, and the signed, retried webhook."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import httpx
import pytest

from mockgenesys import MockGenesys
from mockgenesys.client import WebhookReceiver
from mockgenesys.world.openmessaging import communication_id

INTEGRATIONS = "/api/v2/conversations/messaging/integrations/open"
SECRET = "0123456789abcdef-secret"
NOW = "2026-01-01T00:00:00.000Z"


@pytest.fixture
def receiver(mock: MockGenesys) -> WebhookReceiver:
    hook = WebhookReceiver(SECRET)
    mock.webhooks.transport = httpx.ASGITransport(app=hook)
    return hook


@pytest.fixture
def integration(http: httpx.Client, auth: dict[str, str]) -> str:
    response = http.post(
        INTEGRATIONS,
        headers=auth,
        json={
            "name": "Acme chat",
            "outboundNotificationWebhookUrl": "http://127.0.0.1:8080/webhook",
            "outboundNotificationWebhookSignatureSecretToken": SECRET,
            "webhookHeaders": {"X-Connector": "acme"},
        },
    )
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


def inbound(
    http: httpx.Client, auth: dict[str, str], integration: str, text: str = "hi", **channel: Any
) -> httpx.Response:
    body = {
        "channel": {"from": {"id": "ann@example.com", "idType": "Email", "nickname": "Ann"}, "time": NOW, **channel},
        "text": text,
    }
    path = f"/api/v2/conversations/messages/{integration}/inbound/open/message"
    return http.post(path, headers=auth, params={"prefetchConversationId": "true"}, json=body)


def agent_send(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str], conversation_id: str, text: str
) -> dict[str, Any]:
    agent = mock.agent.assign(conversation_id)
    path = f"/api/v2/conversations/messages/{conversation_id}/communications/{communication_id(agent.id)}/messages"
    response = http.post(path, headers=auth, json={"textBody": text})
    assert response.status_code == 200, response.text
    sent: dict[str, Any] = response.json()
    return sent


def test_openmessaging_integration_crud(http: httpx.Client, auth: dict[str, str], integration: str) -> None:
    got = http.get(f"{INTEGRATIONS}/{integration}", headers=auth, params={"expand": "supportedContent"}).json()
    assert (got["name"], got["createStatus"], got["webhookHeaders"]) == (
        "Acme chat",
        "Completed",
        {"X-Connector": "acme"},
    )
    assert "outboundNotificationWebhookSignatureSecretToken" not in got
    assert got["supportedContent"]["mediaTypes"]["allow"]["inbound"] == [{"type": "*/*"}]
    renamed = http.patch(f"{INTEGRATIONS}/{integration}", headers=auth, json={"name": "Acme"})
    assert renamed.json()["name"] == "Acme"
    assert [i["id"] for i in http.get(INTEGRATIONS, headers=auth).json()["entities"]] == [integration]
    assert http.delete(f"{INTEGRATIONS}/{integration}", headers=auth).status_code == 204
    assert http.get(f"{INTEGRATIONS}/{integration}", headers=auth).status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"outboundNotificationWebhookUrl": "https://connector.example.com/webhook"}, "outboundNotificationWebhookUrl"),
        (
            {"outboundNotificationWebhookSignatureSecretToken": "short"},
            "outboundNotificationWebhookSignatureSecretToken",
        ),
        ({"name": ""}, "name"),
        ({"webhookHeaders": {"X-A": "1\r\nX-B: 2"}}, "webhookHeaders"),
        ({"recipientId": "x"}, "recipientId"),
    ],
)
def test_openmessaging_integration_validation(
    http: httpx.Client, auth: dict[str, str], change: dict[str, Any], field: str
) -> None:
    body = {
        "name": "x",
        "outboundNotificationWebhookUrl": "http://localhost:9/hook",
        "outboundNotificationWebhookSignatureSecretToken": SECRET,
        **change,
    }
    response = http.post(INTEGRATIONS, headers=auth, json=body)
    assert response.status_code == 400 and response.json()["details"][0]["fieldName"] == field


def test_openmessaging_inbound_message_starts_a_conversation_and_keeps_it(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str], integration: str
) -> None:
    first = inbound(http, auth, integration, "hello", messageId="p1").json()
    conversation = mock.world.conversations[first["conversationId"]]
    assert (conversation.messenger_type, conversation.deployment_id, conversation.participants[0].name) == (
        "open",
        integration,
        "Ann",
    )
    assert (first["type"], first["direction"], first["channel"]["from"]["id"]) == ("Text", "Inbound", "ann@example.com")
    second = inbound(http, auth, integration, "again", messageId="p2", time="2026-01-01T00:00:01.000Z").json()
    assert second["conversationId"] == conversation.id
    retried = inbound(http, auth, integration, "hello", messageId="p1").json()  # the same platform message
    assert retried["id"] == first["id"] and len(conversation.messages) == 2
    details = http.get(f"/api/v2/conversations/messages/{first['id']}/details", headers=auth).json()
    assert (details["messengerType"], details["normalizedMessage"]["channel"]["platform"]) == ("open", "Open")


def test_openmessaging_inbound_needs_text_or_content(
    http: httpx.Client, auth: dict[str, str], integration: str
) -> None:
    response = inbound(http, auth, integration, "")
    assert response.status_code == 400 and "should match some schema in anyOf" in response.json()["message"]
    bad_time = inbound(http, auth, integration, "x", time="yesterday")
    assert bad_time.status_code == 400 and bad_time.json()["details"][0]["fieldName"] == "channel.time"


def test_openmessaging_inbound_links_the_contact_its_address_identifies(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str], integration: str
) -> None:
    contact = mock.add_contact(firstName="Ann", workEmail="ann@example.com")
    conversation_id = inbound(http, auth, integration).json()["conversationId"]
    assert mock.world.conversations[conversation_id].participants[0].external_contact_id == contact.id


def test_openmessaging_agent_message_reaches_the_webhook_signed(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str], integration: str
) -> None:
    captured: list[httpx.Request] = []

    def hook(request: httpx.Request) -> httpx.Response:
        captured.append(request)
        return httpx.Response(200)

    mock.webhooks.transport = httpx.MockTransport(hook)
    conversation_id = inbound(http, auth, integration).json()["conversationId"]
    sent = agent_send(mock, http, auth, conversation_id, "Thanks, Ann")  # no loop runs: delivered at once
    (request,) = captured
    digest = hmac.new(SECRET.encode(), request.content, hashlib.sha256).digest()
    assert request.headers["X-Hub-Signature-256"] == "sha256=" + base64.b64encode(digest).decode()
    assert request.headers["X-Connector"] == "acme" and request.url == "http://127.0.0.1:8080/webhook"
    body = json.loads(request.content)
    assert (body["id"], body["channel"]["messageId"], body["text"], body["direction"]) == (
        sent["id"],
        sent["id"],
        "Thanks, Ann",
        "Outbound",
    )
    assert body["channel"]["to"] == {"id": "ann@example.com", "idType": "Email"}
    assert body["channel"]["from"]["nickname"] == "Acme chat" and body["conversationId"] == conversation_id
    (delivery,) = mock.webhooks.deliveries
    assert delivery.state == "delivered" and sent["status"] == "sent"


async def test_openmessaging_webhook_retries_5xx_five_times_then_fails_the_message(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str], integration: str, receiver: WebhookReceiver
) -> None:
    mock.add_fault({"match": {"endpoint": "openmessaging.webhook"}, "then": {"status": 503}})
    conversation_id = inbound(http, auth, integration).json()["conversationId"]
    sent = agent_send(mock, http, auth, conversation_id, "lost")
    for _ in range(6):
        mock.clock.advance(5)
    (delivery,) = mock.webhooks.deliveries
    assert [status for _, status, _ in delivery.attempts] == [503] * 6 and delivery.state == "failed"
    assert mock.world.message(sent["id"]).status == "Failed"  # type: ignore[union-attr]
    assert (
        http.get(f"/api/v2/conversations/messages/{sent['id']}/details", headers=auth).json()["status"]
        == "delivery-failed"
    )


async def test_openmessaging_webhook_slow_past_the_timeout_arrives_twice(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str], integration: str, receiver: WebhookReceiver
) -> None:
    mock.add_fault({"match": {"endpoint": "openmessaging.webhook"}, "when": {"times": 1}, "then": {"delay": 12}})
    conversation_id = inbound(http, auth, integration).json()["conversationId"]
    agent_send(mock, http, auth, conversation_id, "slow")
    mock.clock.advance(12)
    await mock.webhooks.drain()  # the late copy arrives, Genesys already gave up on it
    mock.clock.advance(3)
    await mock.webhooks.drain()  # the retry
    assert receiver.texts() == ["slow"] and receiver.duplicates == 1
    codes = [(e.status, e.code) for e in mock.journal.calls("openmessaging.webhook")]
    assert codes == [(0, "timeout"), (200, "late"), (200, None)]
    assert mock.webhooks.deliveries[0].state == "delivered"


async def test_openmessaging_webhook_reset_is_retried_after_the_timeout(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str], integration: str, receiver: WebhookReceiver
) -> None:
    mock.add_fault({"match": {"endpoint": "openmessaging.webhook"}, "when": {"times": 1}, "then": {"reset": True}})
    conversation_id = inbound(http, auth, integration).json()["conversationId"]
    agent_send(mock, http, auth, conversation_id, "dropped once")
    mock.clock.advance(14)
    assert receiver.texts() == []
    mock.clock.advance(1)
    await mock.webhooks.drain()
    assert receiver.texts() == ["dropped once"]


async def test_openmessaging_webhook_4xx_is_final(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str], integration: str
) -> None:
    mock.webhooks.transport = httpx.MockTransport(lambda request: httpx.Response(400))
    conversation_id = inbound(http, auth, integration).json()["conversationId"]
    agent_send(mock, http, auth, conversation_id, "refused")
    await mock.webhooks.drain()
    mock.clock.advance(60)
    assert [status for _, status, _ in mock.webhooks.deliveries[0].attempts] == [400]


async def test_openmessaging_forged_copies_are_journaled_and_refused_by_a_verifying_receiver(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str], integration: str, receiver: WebhookReceiver
) -> None:
    mock.add_fault({"match": {"endpoint": "openmessaging.webhook"}, "then": {"forge_signature": True}})
    conversation_id = inbound(http, auth, integration).json()["conversationId"]
    agent_send(mock, http, auth, conversation_id, "genuine")
    await mock.webhooks.drain()
    assert receiver.texts() == ["genuine"] and receiver.rejected == 1
    assert [(e.status, e.code) for e in mock.journal.calls("openmessaging.webhook")] == [(401, "forged"), (200, None)]
    assert mock.check(rules=["unverified_webhook"]).ok


async def test_openmessaging_receipts_set_the_message_status(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str], integration: str, receiver: WebhookReceiver
) -> None:
    conversation_id = inbound(http, auth, integration).json()["conversationId"]
    sent = agent_send(mock, http, auth, conversation_id, "did you get this?")
    path = f"/api/v2/conversations/messages/{integration}/inbound/open/receipt"
    body = {"id": sent["id"], "channel": {"to": {"id": "ann@example.com"}, "time": NOW}, "status": "Failed",
            "reasons": [{"code": "RecipientOptedOut", "message": "blocked"}]}  # fmt: skip
    answered = http.post(path, headers=auth, json=body).json()
    assert (answered["type"], answered["status"], answered["direction"]) == ("Receipt", "Failed", "Outbound")
    assert mock.world.message(sent["id"]).status == "Failed"  # type: ignore[union-attr]
    assert http.post(path, headers=auth, json={**body, "status": "Read"}).status_code == 400
    assert http.post(path, headers=auth, json={**body, "id": "nope"}).status_code == 400


def test_openmessaging_typing_event_reaches_the_agents_topic(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str], integration: str
) -> None:
    conversation_id = inbound(http, auth, integration).json()["conversationId"]
    agent = mock.agent.assign(conversation_id)
    channel = http.post("/api/v2/notifications/channels", headers=auth).json()
    topic = f"v2.users.{agent.user_id}.conversations.inbound.typing.event"
    http.put(f"/api/v2/notifications/channels/{channel['id']}/subscriptions", headers=auth, json=[{"id": topic}])
    conn = mock.notifications.open(channel["id"])
    event = {
        "channel": {"from": {"id": "ann@example.com", "idType": "Email"}, "time": NOW},
        "events": [{"eventType": "Typing"}],
    }
    answered = http.post(f"/api/v2/conversations/messages/{integration}/inbound/open/event", headers=auth, json=event)
    assert answered.json()["type"] == "Event"
    frame = json.loads(conn.queue.get_nowait())  # type: ignore[arg-type]
    assert frame["topicName"] == topic and frame["eventBody"]["conversationId"] == conversation_id


def test_openmessaging_supported_content_profiles(http: httpx.Client, auth: dict[str, str]) -> None:
    base = "/api/v2/conversations/messaging/supportedcontent"
    default = http.get(base + "/default", headers=auth).json()
    images = {"name": "Images", "mediaTypes": {"allow": {"inbound": [{"type": "image/*"}], "outbound": []}}}
    made = http.post(base, headers=auth, json=images).json()
    assert http.get(f"{base}/{made['id']}", headers=auth).json()["mediaTypes"]["allow"]["inbound"] == [
        {"type": "image/*"}
    ]
    assert {p["id"] for p in http.get(base, headers=auth).json()["entities"]} == {default["id"], made["id"]}
    bad = {"name": "x", "mediaTypes": {"allow": {"inbound": [{"type": "png"}]}}}
    assert http.post(base, headers=auth, json=bad).status_code == 400
