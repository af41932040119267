"""The agent side of message conversations: read, send as the agent, type, disconnect, wrap up."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mockgenesys import MockGenesys
from mockgenesys.world.models import Conversation, Participant
from mockgenesys.world.openmessaging import communication_id

MESSAGES = "/api/v2/conversations/messages"


@pytest.fixture
def live_conversation(mock: MockGenesys) -> tuple[Conversation, Participant]:
    conversation = mock.add_conversation(messages=["Where is my parcel?"])
    return conversation, mock.agent.assign(conversation.id, name="Dana Scully")


def send(
    http: httpx.Client, auth: dict[str, str], conversation: Conversation, agent: Participant, body: Any
) -> httpx.Response:
    path = f"{MESSAGES}/{conversation.id}/communications/{communication_id(agent.id)}/messages"
    return http.post(path, headers=auth, json=body)


def test_agentside_conversation_model_names_each_communication(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str], live_conversation: tuple[Conversation, Participant]
) -> None:
    conversation, agent = live_conversation
    body = http.get(f"/api/v2/conversations/{conversation.id}", headers=auth).json()
    assert body["state"] == "connected" and body["selfUri"] == f"/api/v2/conversations/{conversation.id}"
    customer, agent_view = body["participants"]
    assert (customer["purpose"], agent_view["purpose"], agent_view["userId"]) == ("customer", "agent", agent.user_id)
    assert agent_view["messages"][0]["id"] == communication_id(agent.id)
    assert customer["messages"][0]["messages"][0]["messageId"] == conversation.messages[0].id
    assert agent_view["queueId"] == mock.world.queue_of(mock.org_id)


def test_agentside_listings_need_a_user_context(http: httpx.Client, auth: dict[str, str]) -> None:
    response = http.get("/api/v2/conversations", headers=auth)
    assert response.status_code == 400 and "requires a user context" in response.json()["message"]


def test_agentside_send_as_the_agent_reaches_the_guest_history(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str], live_conversation: tuple[Conversation, Participant]
) -> None:
    conversation, agent = live_conversation
    response = send(http, auth, conversation, agent, {"textBody": "It left the depot."})
    assert response.status_code == 200, response.text
    sent = response.json()
    assert (sent["direction"], sent["normalizedMessage"]["text"], sent["status"]) == (
        "outbound",
        "It left the depot.",
        "delivery-success",
    )
    stored = conversation.messages[-1]
    assert (stored.id, stored.sender_id, stored.sender["nickname"]) == (sent["id"], agent.id, "Dana Scully")
    details = http.get(f"{MESSAGES}/{sent['id']}/details", headers=auth).json()
    assert details["normalizedMessage"]["direction"] == "Outbound"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "textBody"),
        ({"textBody": "x" * 2001}, "textBody"),
        ({"textBody": "hi", "messagingTemplate": {"responseId": "r"}}, "messagingTemplate"),
        ({"textBody": "hi", "quickReplies": []}, "quickReplies"),
        ({"textBody": "hi", "mediaIds": ["a", "b"]}, "mediaIds"),
    ],
)
def test_agentside_send_refuses_bad_bodies_naming_the_field(
    http: httpx.Client,
    auth: dict[str, str],
    live_conversation: tuple[Conversation, Participant],
    body: dict[str, Any],
    field: str,
) -> None:
    conversation, agent = live_conversation
    response = send(http, auth, conversation, agent, body)
    assert response.status_code == 400
    assert response.json()["details"][0]["fieldName"] == field


def test_agentside_send_on_the_customers_communication_is_refused(
    http: httpx.Client, auth: dict[str, str], live_conversation: tuple[Conversation, Participant]
) -> None:
    conversation, _ = live_conversation
    customer = conversation.participants[0]
    response = send(http, auth, conversation, customer, {"textBody": "hi"})
    assert response.status_code == 400 and "customer's" in response.json()["message"]


def test_agentside_send_needs_the_create_permission(
    mock: MockGenesys, http: httpx.Client, live_conversation: tuple[Conversation, Participant]
) -> None:
    conversation, agent = live_conversation
    viewer = mock.world.add_client(permissions=["conversation:message:view"])
    response = send(
        http, {"Authorization": f"Bearer {mock.issue_token(viewer.id)}"}, conversation, agent, {"textBody": "x"}
    )
    assert response.status_code == 403 and response.json()["code"] == "missing.any.permissions"
    assert "conversation:message:create" in response.json()["message"]


def test_agentside_typing_goes_to_the_guest(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str], live_conversation: tuple[Conversation, Participant]
) -> None:
    conversation, agent = live_conversation
    path = f"{MESSAGES}/{conversation.id}/communications/{communication_id(agent.id)}/typing"
    assert http.post(path, headers=auth, json={"typing": {"type": "On", "duration": 3000}}).status_code == 202
    assert http.post(path, headers=auth, json={"typing": {"type": "Off"}}).status_code == 400


def test_agentside_wrapup_and_disconnect(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str], live_conversation: tuple[Conversation, Participant]
) -> None:
    conversation, agent = live_conversation
    participant = f"{MESSAGES}/{conversation.id}/participants/{agent.id}"
    codes = http.get(participant + "/wrapupcodes", headers=auth).json()
    assert [c["name"] for c in codes] == ["Resolved", "Follow-up required", "Not resolved", "Spam"]
    bad = http.patch(participant, headers=auth, json={"wrapup": {"code": "nope"}})
    assert bad.status_code == 400 and bad.json()["details"][0]["fieldName"] == "wrapup.code"
    done = http.patch(
        participant, headers=auth, json={"state": "disconnected", "wrapup": {"code": codes[0]["id"], "notes": "ok"}}
    )
    assert done.status_code == 202
    assert conversation.state == "disconnected"
    assert http.get(participant + "/wrapup", headers=auth).json()["notes"] == "ok"
    assert http.patch(participant, headers=auth, json={"muted": True}).status_code == 400


def test_agentside_wrapup_endpoint_and_conversation_disconnect(
    http: httpx.Client, auth: dict[str, str], live_conversation: tuple[Conversation, Participant]
) -> None:
    conversation, agent = live_conversation
    comm = communication_id(agent.id)
    codes = http.get(f"{MESSAGES}/{conversation.id}/participants/{agent.id}/wrapupcodes", headers=auth).json()
    wrapup = f"{MESSAGES}/{conversation.id}/participants/{agent.id}/communications/{comm}/wrapup"
    assert http.post(wrapup, headers=auth, json={"code": codes[1]["id"], "tags": ["vip"]}).status_code == 202
    assert agent.wrapup["tags"] == ["vip"]
    ended = http.patch(f"{MESSAGES}/{conversation.id}", headers=auth, json={"state": "disconnected"})
    assert ended.status_code == 200 and ended.json()["state"] == "disconnected"


def test_agentside_media_upload_then_send(
    http: httpx.Client, auth: dict[str, str], live_conversation: tuple[Conversation, Participant]
) -> None:
    conversation, agent = live_conversation
    base = f"{MESSAGES}/{conversation.id}/communications/{communication_id(agent.id)}/messages"
    upload = http.post(base + "/media/uploads", headers=auth, json={"fileName": "label.png", "contentLengthBytes": 4})
    assert upload.status_code == 200
    info = upload.json()
    refused = send(http, auth, conversation, agent, {"textBody": "early", "mediaIds": [info["id"]]})
    assert refused.status_code == 400 and "uploadUrl" in refused.json()["message"]
    assert http.put(info["uploadUrl"], content=b"\x89PNG", headers=info["uploadHeaders"]).status_code == 200
    sent = send(http, auth, conversation, agent, {"textBody": "Your label", "mediaIds": [info["id"]]}).json()
    item = sent["normalizedMessage"]["content"][0]["attachment"]
    assert (item["mediaType"], item["filename"], item["mime"]) == ("Image", "label.png", "image/png")
    assert http.get(item["url"]).content == b"\x89PNG"
    assert http.get(f"{base}/media/{info['id']}", headers=auth).json()["status"] == "valid"


def test_agentside_queue_is_found_by_name(mock: MockGenesys, http: httpx.Client, auth: dict[str, str]) -> None:
    listing = http.get("/api/v2/routing/queues", headers=auth, params={"name": "Messag*"}).json()
    (queue,) = listing["entities"]
    assert queue["id"] == mock.world.queue_of(mock.org_id)
    assert http.get(f"/api/v2/routing/queues/{queue['id']}", headers=auth).json()["name"] == "Messaging"
    assert http.get("/api/v2/routing/queues", headers=auth, params={"name": "Sales"}).json()["entities"] == []
