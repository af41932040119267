from __future__ import annotations

import httpx

from mockgenesys import MockGenesys


def test_guest_messages_newest_first_paged(mock: MockGenesys, http: httpx.Client) -> None:
    conversation = next(iter(mock.world.conversations.values()))
    headers = {"Authorization": f"Bearer {mock.guest_jwt(conversation.id)}"}
    body = http.get("/api/v2/webmessaging/messages", headers=headers, params={"pageSize": 10}).json()
    assert set(body) == {"entities", "pageSize", "pageNumber", "total", "pageCount"}
    assert body["total"] == len(conversation.messages)
    assert [e["id"] for e in body["entities"]] == [m.id for m in conversation.messages[::-1][:10]]
    entity = body["entities"][0]
    assert entity["direction"] in ("Inbound", "Outbound") and entity["type"] == "Text"
    assert entity["channel"]["messageId"] == entity["id"]
    collected = []
    for page in range(1, body["pageCount"] + 1):
        data = http.get("/api/v2/webmessaging/messages", headers=headers, params={"pageSize": 10, "pageNumber": page})
        collected += [e["id"] for e in data.json()["entities"]]
    assert collected == [m.id for m in conversation.messages[::-1]]


def test_guest_messages_need_a_valid_jwt(mock: MockGenesys, http: httpx.Client, token: str) -> None:
    assert http.get("/api/v2/webmessaging/messages").json()["code"] == "authentication.required"
    for bad in (token, "a.b.c", mock.guest_jwt()[:-3] + "abc"):
        response = http.get("/api/v2/webmessaging/messages", headers={"Authorization": f"Bearer {bad}"})
        assert response.status_code == 401
        assert response.json()["code"] == "bad.credentials"


def test_guest_jwt_expires_after_its_ttl(mock: MockGenesys, http: httpx.Client) -> None:
    headers = {"Authorization": f"Bearer {mock.guest_jwt()}"}
    assert http.get("/api/v2/webmessaging/messages", headers=headers).json()["total"] == 0
    mock.clock.advance(mock.world.default_deployment.jwt_ttl)
    assert http.get("/api/v2/webmessaging/messages", headers=headers).status_code == 401
