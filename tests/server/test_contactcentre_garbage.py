"""Bad input on the contact-centre routes gets a Genesys 4xx, never a 500."""

from __future__ import annotations

import json
import random
from typing import Any

import httpx
import pytest

from mockgenesys import MockGenesys
from mockgenesys.world.openmessaging import communication_id

GARBAGE: list[Any] = [None, 0, -1, 1.5, True, "", "x", [], [None], [1, "a"], {}, {"a": []}, [{"id": []}], {"id": {}}]


def bodies(rng: random.Random, keys: list[str]) -> list[Any]:
    """Garbage, and objects with the route's own keys set to garbage."""
    made: list[Any] = list(GARBAGE)
    for _ in range(40):
        made.append({key: rng.choice(GARBAGE) for key in rng.sample(keys, rng.randint(1, len(keys)))})
    return made


def test_contactcentre_routes_answer_garbage_with_4xx(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str]
) -> None:
    rng = random.Random(19)
    conversation = mock.add_conversation(messages=["hi"])
    agent = mock.agent.assign(conversation.id)
    channel = http.post("/api/v2/notifications/channels", headers=auth).json()["id"]
    integration = http.post(
        "/api/v2/conversations/messaging/integrations/open",
        headers=auth,
        json={
            "name": "x",
            "outboundNotificationWebhookUrl": "http://127.0.0.1:9/x",
            "outboundNotificationWebhookSignatureSecretToken": "0123456789abcdef",
        },
    ).json()["id"]
    contact = next(iter(mock.world.contacts))
    comm = communication_id(agent.id)
    messages = f"/api/v2/conversations/messages/{conversation.id}"
    routes: list[tuple[str, str, list[str]]] = [
        ("POST", f"{messages}/communications/{comm}/messages", ["textBody", "mediaIds", "messagingTemplate"]),
        ("POST", f"{messages}/communications/{comm}/typing", ["typing", "dateSent"]),
        ("POST", f"{messages}/communications/{comm}/messages/media/uploads", ["fileName", "contentLengthBytes"]),
        ("PATCH", f"{messages}/participants/{agent.id}", ["state", "wrapup", "wrapupSkipped"]),
        ("POST", f"{messages}/participants/{agent.id}/communications/{comm}/wrapup", ["code", "notes", "tags"]),
        ("PUT", f"/api/v2/notifications/channels/{channel}/subscriptions", ["id"]),
        ("POST", f"/api/v2/notifications/channels/{channel}/subscriptions", ["id"]),
        (
            "POST",
            "/api/v2/conversations/messaging/integrations/open",
            ["name", "outboundNotificationWebhookUrl", "webhookHeaders", "supportedContent"],
        ),
        ("PATCH", f"/api/v2/conversations/messaging/integrations/open/{integration}", ["name", "webhookHeaders"]),
        ("POST", "/api/v2/conversations/messaging/supportedcontent", ["name", "mediaTypes"]),
        (
            "POST",
            f"/api/v2/conversations/messages/{integration}/inbound/open/message",
            ["channel", "text", "content", "metadata"],
        ),
        (
            "POST",
            f"/api/v2/conversations/messages/{integration}/inbound/open/receipt",
            ["id", "channel", "status", "reasons"],
        ),
        ("POST", f"/api/v2/conversations/messages/{integration}/inbound/open/event", ["channel", "events"]),
        (
            "POST",
            "/api/v2/externalcontacts/contacts",
            [
                "firstName",
                "lastName",
                "workPhone",
                "address",
                "customFields",
                "homePhone",
                "externalIds",
                "twitterId",
                "surveyOptOut",
            ],
        ),
        ("PUT", f"/api/v2/externalcontacts/contacts/{contact}", ["firstName", "lastName", "cellPhone", "otherEmail"]),
        ("POST", "/api/v2/externalcontacts/contacts/search", ["pageSize", "pageNumber", "expand", "operation"]),
        ("POST", "/api/v2/externalcontacts/identifierlookup/contacts", ["type", "value"]),
        ("POST", "/api/v2/externalcontacts/contacts/merge", ["contactIds", "valueOverride"]),
        ("POST", "/api/v2/externalcontacts/merge/contacts", ["sourceContactId", "targetContactId"]),
    ]
    for method, path, keys in routes:
        for body in [b"{", b"\xff", *(json.dumps(b).encode() for b in bodies(rng, keys))]:
            response = http.request(method, path, headers={**auth, "content-type": "application/json"}, content=body)
            assert response.status_code < 500, (method, path, body, response.text)
            if response.status_code >= 400:
                assert {"message", "code", "status"} <= set(response.json())
    assert mock.server.errors == []


@pytest.mark.parametrize(
    "channel", [{"from": {"id": "u", "idType": "Opaque"}, "time": "2026-01-01T00:00:00Z", "messageId": 7}]
)
def test_contactcentre_inbound_tolerates_odd_but_valid_channels(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str], channel: dict[str, Any]
) -> None:
    integration = http.post(
        "/api/v2/conversations/messaging/integrations/open",
        headers=auth,
        json={
            "name": "x",
            "outboundNotificationWebhookUrl": "http://[::1]:9/x",
            "outboundNotificationWebhookSignatureSecretToken": "0123456789abcdef",
        },
    ).json()["id"]
    path = f"/api/v2/conversations/messages/{integration}/inbound/open/message"
    assert http.post(path, headers=auth, json={"channel": channel, "text": "hi"}).status_code == 200
