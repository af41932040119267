from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from mockgenesys import MockGenesys, VirtualClock


@pytest.fixture
def mock() -> MockGenesys:
    return MockGenesys(seed=7, clock=VirtualClock())


@pytest.fixture
async def admin(mock: MockGenesys) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=mock.app), base_url="http://mock") as client:
        yield client


async def test_admin_faults_add_list_delete(mock: MockGenesys, admin: httpx.AsyncClient) -> None:
    rule = {
        "match": {"endpoint": "externalcontacts.search"},
        "when": {"times": 2},
        "then": {"status": 429, "retry_after": 2},
    }
    added = await admin.post("/__admin/faults", json=rule)
    assert added.status_code == 201
    assert added.json() == {"faults": [{"id": "rule-1", **rule}]}
    await admin.post("/__admin/faults", json=[{"then": {"status": 500}}, {"id": "x", "then": {"status": 502}}])
    assert [r["id"] for r in (await admin.get("/__admin/faults")).json()["faults"]] == ["rule-1", "rule-2", "x"]
    assert (await admin.delete("/__admin/faults/x")).status_code == 204
    missing = await admin.delete("/__admin/faults/x")
    assert missing.status_code == 404 and missing.json()["code"] == "not.found"
    assert (await admin.delete("/__admin/faults")).status_code == 204
    assert not mock.faults


async def test_admin_invalid_rule_names_the_field(admin: httpx.AsyncClient) -> None:
    response = await admin.post("/__admin/faults", json={"then": {"status": "soon"}})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid.value" and body["details"][0]["fieldName"] == "then.status"
    assert body["contextId"] == response.headers["inin-correlation-id"]
    garbage = await admin.post("/__admin/faults", content=b"{nope")
    assert garbage.status_code == 400


async def test_admin_clock(mock: MockGenesys, admin: httpx.AsyncClient) -> None:
    before = (await admin.get("/__admin/clock")).json()
    assert before["virtual"] is True and before["iso"] == "2026-01-01T00:00:00.000Z"
    after = (await admin.post("/__admin/clock/advance", json={"seconds": 90})).json()
    assert after["now"] - before["now"] == 90 and mock.clock.now() == after["now"]
    assert (await admin.post("/__admin/clock/advance", json={"seconds": -1})).status_code == 400


async def test_admin_world_and_expiry(mock: MockGenesys, admin: httpx.AsyncClient) -> None:
    snapshot = (await admin.get("/__admin/world")).json()
    assert snapshot["version"] == 1
    token = mock.issue_token()
    assert (await admin.post("/__admin/world/expire-tokens", json={})).json() == {"expired": 1}
    assert mock.world.tokens[token].expires_at <= mock.clock.now()
    created = await admin.post("/__admin/world/conversations", json={"guestName": "Ada", "messages": ["hello"]})
    assert created.status_code == 201 and len(created.json()["messages"]) == 1
    contact = await admin.post("/__admin/world/contacts", json={"firstName": "Grace", "lastName": "Hopper"})
    assert mock.world.contacts[contact.json()["id"]].last_name == "Hopper"
    bad = await admin.post("/__admin/world/contacts", json={"shoe": "42"})
    assert bad.status_code == 400
    assert (await admin.post("/__admin/world", json=snapshot)).status_code == 200
    assert contact.json()["id"] not in mock.world.contacts
    assert (await admin.post("/__admin/world/expire-sessions", json={"sessionId": "nope"})).status_code == 404


async def test_admin_agent_actions(mock: MockGenesys, admin: httpx.AsyncClient) -> None:
    conversation_id = next(iter(mock.world.conversations))
    reply = await admin.post(f"/__admin/agent/{conversation_id}/reply", json={"text": "hi from admin"})
    assert reply.status_code == 201
    assert mock.world.conversations[conversation_id].messages[-1].text == "hi from admin"
    assert (await admin.post(f"/__admin/agent/{conversation_id}/disconnect")).status_code == 204
    assert mock.world.conversations[conversation_id].state == "disconnected"
    assert (await admin.post(f"/__admin/agent/{conversation_id}/dance")).status_code == 404
    assert (await admin.post("/__admin/agent/nope/reply", json={"text": "x"})).status_code == 400


async def test_admin_agent_rich_content_attachments_and_names(mock: MockGenesys, admin: httpx.AsyncClient) -> None:
    conversation_id = next(iter(mock.world.conversations))
    path = f"/__admin/agent/{conversation_id}"
    quick = {"contentType": "QuickReply", "quickReply": {"text": "Yes", "payload": "y"}}
    reply = await admin.post(f"{path}/reply", json={"text": "Sure?", "content": [quick], "name": "Dana Scully"})
    assert reply.status_code == 201
    sent = mock.world.conversations[conversation_id].messages[-1]
    assert (sent.type, sent.sender["nickname"], sent.content) == ("Structured", "Dana Scully", [quick])
    attached = await admin.post(f"{path}/attach", json={"filename": "a.txt", "mime": "text/plain", "data": "aGk="})
    assert attached.status_code == 201
    (item,) = mock.world.conversations[conversation_id].messages[-1].content
    assert (await admin.get(item["attachment"]["url"].replace("http://mockgenesys.invalid", ""))).content == b"hi"
    hosted = {"filename": "m.pdf", "mime": "application/pdf", "url": "https://cdn.example/m.pdf"}
    assert (await admin.post(f"{path}/attach", json=hosted)).status_code == 201
    bad = await admin.post(f"{path}/reply", json={"content": [{"contentType": "Card", "card": {}}]})
    assert bad.status_code == 400 and "card.title is required" in bad.json()["message"]
    assert (
        await admin.post(f"{path}/attach", json={"filename": "a", "mime": "text/plain", "data": "%%"})
    ).status_code == 400


async def test_admin_journal_check_reset_openapi(mock: MockGenesys, admin: httpx.AsyncClient) -> None:
    await admin.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(mock.client_id, mock.client_secret)
    )
    lines = (await admin.get("/__admin/journal", params={"endpoint": "oauth.*"})).text.splitlines()
    assert [json.loads(line)["endpoint"] for line in lines] == ["oauth.token"]
    assert (await admin.get("/__admin/check")).json()["ok"] is True
    assert (await admin.post("/__admin/reset")).status_code == 204
    assert mock.journal.calls("oauth.token") == []
    document = (await admin.get("/__admin/openapi.json")).json()
    assert document["openapi"] == "3.1.0" and "/__admin/faults" in document["paths"]
    assert mock.journal.calls("admin.*")
    assert all(
        e.endpoint.startswith("admin.") for e in mock.journal.calls(kind="http") if e.path.startswith("/__admin")
    )


async def test_admin_token_and_loopback_only() -> None:
    secured = MockGenesys(seed=1, admin_token="s3cret")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=secured.app), base_url="http://m") as client:
        assert (await client.get("/__admin/clock")).status_code == 401
        assert (await client.get("/__admin/clock", headers={"Authorization": "Bearer s3cret"})).status_code == 200
    remote = MockGenesys(seed=1)
    transport = httpx.ASGITransport(app=remote.app, client=("10.1.2.3", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://m") as client:
        response = await client.get("/__admin/clock")
        assert response.status_code == 403 and "loopback" in response.json()["message"]


@pytest.mark.live
def test_admin_live_429_storm_and_token_expiry() -> None:
    mock = MockGenesys(seed=7)
    with mock.serve() as url, httpx.Client(base_url=url) as http:
        token = http.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, auth=(mock.client_id, mock.client_secret)
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        http.post(
            "/__admin/faults",
            json={
                "match": {"endpoint": "externalcontacts.search"},
                "when": {"times": 3},
                "then": {"status": 429, "retry_after": 1},
            },
        )
        statuses = [http.get("/api/v2/externalcontacts/contacts", headers=headers).status_code for _ in range(4)]
        assert statuses == [429, 429, 429, 200]
        http.post("/__admin/clock/advance", json={"seconds": 86400})
        assert http.get("/api/v2/organizations/me", headers=headers).status_code == 401


async def test_admin_openapi_is_generated_from_the_served_table(mock: MockGenesys, admin: httpx.AsyncClient) -> None:
    from starlette.routing import Mount, Route

    from mockgenesys.admin import ENDPOINTS

    document = (await admin.get("/__admin/openapi.json")).json()
    described = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    mount = next(r for r in mock.app.routes if isinstance(r, Mount) and r.path == "/__admin")
    served = {(method, "/__admin" + r.path) for r in mount.routes if isinstance(r, Route) for method in r.methods or ()}
    assert (
        described == {(e.method, "/__admin" + e.path) for e in ENDPOINTS} == served - {("HEAD", p) for _, p in served}
    )
    agent = document["paths"]["/__admin/agent/{conversation_id}/{action}"]["post"]
    assert [(p["name"], p["in"], p["required"]) for p in agent["parameters"]] == [
        ("conversation_id", "path", True),
        ("action", "path", True),
    ]
    assert {o["operationId"] for item in document["paths"].values() for o in item.values()} == {
        e.endpoint_id for e in ENDPOINTS
    }


@pytest.mark.parametrize(("host", "status"), [("127.0.0.2", 200), ("::1", 200), ("192.168.1.9", 403)])
async def test_admin_guard_uses_the_one_loopback_meaning(host: str, status: int) -> None:
    mock = MockGenesys(seed=1)
    transport = httpx.ASGITransport(app=mock.app, client=(host, 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://m") as client:
        assert (await client.get("/__admin/clock")).status_code == status


async def test_admin_bodies_of_the_wrong_shape_are_400(mock: MockGenesys, admin: httpx.AsyncClient) -> None:
    conversation_id = next(iter(mock.world.conversations))
    for path, body in (
        ("/__admin/world/contacts", [1]),
        ("/__admin/world/expire-tokens", "x"),
        (f"/__admin/agent/{conversation_id}/typing", {"durationMs": "abc"}),
        ("/__admin/world/conversations", {"messages": "abc"}),
    ):
        response = await admin.post(path, json=body)
        assert response.status_code == 400 and response.json()["details"][0]["fieldName"], path


async def test_admin_guest_connections_are_counted_and_dropped_as_a_network_failure(
    mock: MockGenesys, admin: httpx.AsyncClient
) -> None:
    frame = {"action": "configureSession", "token": "tok-a", "deploymentId": mock.deployment_id}
    async with mock.connect_guest() as first, mock.connect_guest() as second:
        for socket in (first, second):
            await socket.send(json.dumps(frame))
        session = mock.world.guest_session("tok-a")
        assert session is not None
        assert (await admin.get("/__admin/connections")).json() == {"sessions": {session.id: 2}}
        dropped = await admin.post("/__admin/guests/drop", json={"sessions": [session.id]})
        assert dropped.status_code == 200 and dropped.json() == {"dropped": 2}
        assert [c.close_code for c in (first.connection, second.connection)] == [1006, 1006]
        assert (await admin.get("/__admin/connections")).json() == {"sessions": {}}
    bad = await admin.post("/__admin/guests/drop", json={"sessions": "all"})
    assert bad.status_code == 400 and bad.json()["details"][0]["fieldName"] == "sessions"
    unknown = await admin.post("/__admin/guests/drop", json={"sessions": ["nope"]})
    assert unknown.status_code == 404 and "No guest session 'nope'" in unknown.json()["message"]
    paths = (await admin.get("/__admin/openapi.json")).json()["paths"]
    assert {"/__admin/connections", "/__admin/guests/drop"} <= set(paths)
