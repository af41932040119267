from __future__ import annotations

import dataclasses

import httpx
import orjson
import pytest

from mockgenesys import MockGenesys
from mockgenesys.server.views import SeedViewStore, seed_message_views
from mockgenesys.world import Conversation, Participant


def first(mock: MockGenesys) -> Conversation:
    return next(iter(mock.world.conversations.values()))


def history(http: httpx.Client, conversation_id: str, auth: dict[str, str], **params: object) -> httpx.Response:
    return http.get(f"/api/v2/conversations/messaging/{conversation_id}/messages", headers=auth, params=params)


def test_history_default_page_is_newest_first(mock: MockGenesys, http: httpx.Client, auth: dict[str, str]) -> None:
    conversation = first(mock)
    body = history(http, conversation.id, auth).json()
    assert body["total"] == len(conversation.messages)
    assert body["pageSize"] == 25 and body["page"] == 1
    assert [e["id"] for e in body["entities"]] == [m.id for m in conversation.messages[::-1][:25]]
    entity = body["entities"][0]
    assert set(entity) == {"id", "conversationId", "from", "to", "text", "dateCreated", "dateUpdated", "type", "state"}
    assert entity["type"] == "text" and entity["state"] == "DELIVERED"
    assert body["links"]["self"]["href"].startswith(f"/api/v2/conversations/messaging/{conversation.id}/messages?")


def test_history_pages_cover_everything_once_in_both_orders(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str]
) -> None:
    conversation = first(mock)
    for order, expected in (("asc", conversation.messages), ("desc", conversation.messages[::-1])):
        seen: list[str] = []
        page = 1
        while True:
            body = history(http, conversation.id, auth, pageSize=7, pageNumber=page, sortOrder=order).json()
            seen += [e["id"] for e in body["entities"]]
            if "next" not in body["links"]:
                break
            page += 1
        assert seen == [m.id for m in expected]
        assert page == body["pageCount"]
        assert "prev" in body["links"]


def test_history_page_follows_every_change_to_what_it_shows(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str]
) -> None:
    conversation = first(mock)

    def entities() -> list[dict[str, object]]:
        body = history(http, conversation.id, auth, pageSize=100, sortOrder="asc").json()
        assert body["entities"] == seed_message_views(conversation, conversation.messages)  # built afresh
        return list(body["entities"])

    entities()
    customer = conversation.participant("customer")
    assert customer is not None
    customer.name = "Renamed Guest"
    assert {e["from"]["name"] for e in entities() if e["from"]["id"] == customer.id} == {"Renamed Guest"}  # type: ignore[index]
    conversation.participants.append(Participant(id="p-new", purpose="agent", name="New Agent"))
    assert all({"id": "p-new", "name": "New Agent"} in e["to"] for e in entities() if e["from"]["id"] == customer.id)  # type: ignore[index, operator]
    edited = dataclasses.replace(conversation.messages[0], text="edited", status="Read")
    conversation.messages[0] = edited
    oldest = entities()[0]
    assert oldest["text"] == "edited" and oldest["state"] == "READ"


def test_stored_messages_are_frozen(mock: MockGenesys) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        first(mock).messages[0].text = "edited"  # type: ignore[misc]


def test_seed_view_store_stays_bounded(mock: MockGenesys) -> None:
    store = SeedViewStore(limit=10)
    conversations = [c for c in mock.world.conversations.values() if len(c.messages) >= 4][:5]
    assert len(conversations) == 5
    for conversation in conversations * 2:
        page = conversation.messages[:4]
        assert orjson.dumps(store.page(conversation, page)) == orjson.dumps(seed_message_views(conversation, page))
        assert store._size <= 10


def test_history_beyond_last_page_is_empty(mock: MockGenesys, http: httpx.Client, auth: dict[str, str]) -> None:
    body = history(http, first(mock).id, auth, pageSize=100, pageNumber=5).json()
    assert body["entities"] == [] and "next" not in body["links"]


@pytest.mark.parametrize("params", [{"pageSize": 0}, {"pageSize": 101}, {"pageNumber": 0}, {"sortOrder": "up"}])
def test_history_bad_params(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str], params: dict[str, object]
) -> None:
    response = history(http, first(mock).id, auth, **params)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid.value"


def test_history_unknown_conversation_404_and_401(mock: MockGenesys, http: httpx.Client, auth: dict[str, str]) -> None:
    assert history(http, "nope", auth).json()["code"] == "not.found"
    assert history(http, first(mock).id, {}).status_code == 401


def test_history_with_guest_jwt_only_own_conversation(mock: MockGenesys, http: httpx.Client) -> None:
    ids = list(mock.world.conversations)
    jwt = {"Authorization": f"Bearer {mock.guest_jwt(ids[0])}"}
    assert history(http, ids[0], jwt).status_code == 200
    assert history(http, ids[1], jwt).status_code == 403


def test_history_org_rate_limit(mock: MockGenesys) -> None:
    limited = MockGenesys(seed=7, clock=mock.clock, limits={"org_history_per_second": 3})
    with httpx.Client(transport=limited.transport(), base_url="https://x") as client:
        auth = {"Authorization": f"Bearer {limited.issue_token()}"}
        cid = next(iter(limited.world.conversations))
        statuses = [history(client, cid, auth).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]


def test_list_active_needs_a_user_context(mock: MockGenesys, http: httpx.Client, auth: dict[str, str]) -> None:
    # "the logged-in user's active conversations": a client-credentials token has no user
    response = http.get("/api/v2/conversations/messages", headers=auth)
    body = response.json()
    assert (response.status_code, body["code"], body["status"]) == (400, "bad.request", 400)
    assert body["message"].startswith("This request requires a user context.")
    assert mock.journal.calls("conversations.list", status=400)


def test_users_me_needs_a_user_context(http: httpx.Client, auth: dict[str, str]) -> None:
    response = http.get("/api/v2/users/me", headers=auth)
    assert response.status_code == 400
    assert response.json()["message"] == (
        "This request requires a user context. Client credentials cannot be used for requests to this resource."
    )
    assert http.get("/api/v2/users/me").status_code == 401  # no token at all: authentication first


def test_get_conversation_lists_message_ids(mock: MockGenesys, http: httpx.Client, auth: dict[str, str]) -> None:
    conversation = first(mock)
    body = http.get(f"/api/v2/conversations/messages/{conversation.id}", headers=auth).json()
    ids = {m["messageId"] for p in body["participants"] for m in p["messages"]}
    assert ids == {m.id for m in conversation.messages}
    purposes = {p["purpose"]: p for p in body["participants"]}
    assert purposes["customer"]["externalContact"]["id"] == conversation.external_contact_id
    assert purposes["agent"]["state"] == "connected"


def test_bulk_returns_requested_messages(mock: MockGenesys, http: httpx.Client, auth: dict[str, str]) -> None:
    conversation = first(mock)
    ids = [m.id for m in conversation.messages[:3]]
    path = f"/api/v2/conversations/messages/{conversation.id}/messages/bulk"
    body = http.post(path, headers=auth, json=ids).json()
    assert [e["id"] for e in body["entities"]] == ids
    assert [e["textBody"] for e in body["entities"]] == [m.text for m in conversation.messages[:3]]
    assert body["entities"][0]["normalizedMessage"]["text"] == conversation.messages[0].text
    normalized = http.post(path, headers=auth, json=ids, params={"useNormalizedMessage": "true"}).json()
    assert "textBody" not in normalized["entities"][0]
    assert normalized["entities"][0]["normalizedMessage"]["text"] == conversation.messages[0].text


def test_bulk_null_body_and_limits(mock: MockGenesys, http: httpx.Client, auth: dict[str, str]) -> None:
    conversation = first(mock)
    path = f"/api/v2/conversations/messages/{conversation.id}/messages/bulk"
    assert http.post(path, headers=auth, content=b"null").json() == {"entities": []}
    too_many = http.post(path, headers=auth, json=["x"] * 1001)
    assert too_many.status_code == 400 and "1,000" in too_many.json()["message"]
    foreign = http.post(path, headers=auth, json=["not-a-message"])
    assert foreign.status_code == 400 and foreign.json()["details"][0]["fieldName"] == "body[0]"
    assert http.post(path, headers=auth, json={"ids": []}).status_code == 400


def test_get_single_message(mock: MockGenesys, http: httpx.Client, auth: dict[str, str]) -> None:
    conversation = first(mock)
    message = conversation.messages[1]
    body = http.get(f"/api/v2/conversations/messages/{conversation.id}/messages/{message.id}", headers=auth).json()
    assert body["id"] == message.id and body["direction"] == "outbound" and body["messengerType"] == "webmessaging"
    missing = http.get(f"/api/v2/conversations/messages/{conversation.id}/messages/nope", headers=auth)
    assert missing.status_code == 404


def test_conversations_need_view_permission(mock: MockGenesys, http: httpx.Client) -> None:
    client = mock.world.add_client(permissions=["externalContacts:contact:view"])
    headers = {"Authorization": f"Bearer {mock.issue_token(client.id)}"}
    response = history(http, first(mock).id, headers)
    assert response.status_code == 403
    assert response.json()["code"] == "missing.any.permissions"
