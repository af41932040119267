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


# ---------------------------------------------------------------------- hardening (issue 17)
@pytest.mark.parametrize("seconds", ["Infinity", "1e400", "NaN", "1.1e16", '"90"', "null", "true"])
async def test_admin_clock_advance_takes_only_a_sane_finite_number(
    mock: MockGenesys, admin: httpx.AsyncClient, seconds: str
) -> None:
    before = mock.clock.now()
    response = await admin.post("/__admin/clock/advance", content=f'{{"seconds": {seconds}}}'.encode())
    assert response.status_code == 400 and response.headers["content-type"] == "application/json"
    assert mock.clock.now() == before
    token = mock.issue_token()
    session = await admin.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(mock.client_id, mock.client_secret)
    )
    assert session.status_code == 200 and token


@pytest.mark.parametrize(
    ("then", "field"),
    [
        ({"delay": 1e308}, "then.delay"),
        ({"delay": {"uniform": [0, 1e9]}}, "then.delay.uniform[1]"),
        ({"delay": {"lognormal": {"median": 1, "sigma": 1000}}}, "then.delay.lognormal.sigma"),
        ({"ws": {"hold": 1e12}}, "then.ws.hold"),
        ({"status": 503, "headers": {"X-Bad\r\nInjected": "1"}}, "then.headers.X-Bad\r\nInjected"),
        ({"status": 503, "headers": {"X-Ok": "a\r\nb"}}, "then.headers.X-Ok"),
        ({"status": 503, "headers": {"Content-Length": "5"}}, "then.headers.Content-Length"),
        ({"status": 4006}, "then.status"),
        ({"status": 429, "retry_after": 10**12}, "then.retry_after"),
    ],
)
async def test_admin_fault_rules_are_bounded_like_every_other_input(
    mock: MockGenesys, admin: httpx.AsyncClient, then: dict[str, object], field: str
) -> None:
    response = await admin.post("/__admin/faults", json={"then": then})
    assert response.status_code == 400, response.text
    assert response.json()["details"][0]["fieldName"].startswith(field.split("\r")[0])
    assert not mock.faults


async def test_admin_a_refused_world_changes_nothing(mock: MockGenesys, admin: httpx.AsyncClient) -> None:
    before = mock.world.snapshot_json()
    for body in (
        {"version": 1},
        {"version": 1, "orgs": "x"},
        {"version": 1, "seed": "x"},
        {"version": 1, "orgs": None, "clients": [{}], "deployments": [{}]},  # found by schemathesis: was a 500
        [],
        None,
    ):
        response = await admin.post("/__admin/world", content=json.dumps(body).encode())
        assert response.status_code == 400 and response.json()["code"] in ("invalid.value", "bad.request"), body
    assert mock.world.snapshot_json() == before
    assert (await admin.get("/__admin/clock")).status_code == 200
    assert (
        await admin.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, auth=(mock.client_id, mock.client_secret)
        )
    ).status_code == 200


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/__admin/world/expire-tokens", {"clientId": 5}),
        ("/__admin/world/expire-sessions", {"sessionId": ["x"]}),
        ("/__admin/world/conversations", {"guestName": {"a": 1}}),
        ("/__admin/world/conversations", {"messages": [None]}),
        ("/__admin/agent/{conversation}/typing", {"durationMs": "abc"}),
        ("/__admin/agent/{conversation}/typing", {"durationMs": 10**12}),
        ("/__admin/agent/{conversation}/reply", {"text": "hi", "bot": "yes"}),
        ("/__admin/agent/{conversation}/assign", {"name": 7}),
        ("/__admin/agent/{conversation}/assign", {"image": ["x"]}),
        ("/__admin/agent/{conversation}/reply", {"content": "not a list"}),
        ("/__admin/agent/{conversation}/reply", {"content": [{"contentType": "Nope"}]}),
        ("/__admin/agent/{conversation}/reply", {"text": "hi", "name": 7}),
        ("/__admin/agent/{conversation}/reply", {}),
        ("/__admin/agent/{conversation}/attach", {"filename": 7, "mime": "text/plain", "data": "aGk="}),
        ("/__admin/agent/{conversation}/attach", {"filename": "a", "mime": "plain", "data": "aGk="}),
        ("/__admin/agent/{conversation}/attach", {"filename": "a", "mime": "text/plain", "data": 5}),
        ("/__admin/agent/{conversation}/attach", {"filename": "a", "mime": "text/plain", "url": "u", "size": -1}),
        ("/__admin/agent/{conversation}/attach", {"filename": "a", "mime": "text/plain", "bot": "yes"}),
        ("/__admin/world/contacts", None),
        ("/__admin/guests/drop", {"sessions": None}),
        ("/__admin/guests/occupy", {"session": "x", "count": 0}),
    ],
)
async def test_admin_wrong_types_and_nulls_are_json_400s(
    mock: MockGenesys, admin: httpx.AsyncClient, path: str, body: object
) -> None:
    url = path.format(conversation=next(iter(mock.world.conversations)))
    response = await admin.post(url, content=json.dumps(body).encode())
    assert response.status_code in (400, 404) and response.headers["content-type"] == "application/json", response.text
    assert mock.server.error_count == 0


async def test_admin_unknown_paths_methods_and_deep_bodies_are_json(admin: httpx.AsyncClient) -> None:
    missing = await admin.get("/__admin/nope")
    assert missing.status_code == 404 and missing.json()["code"] == "not.found"
    wrong = await admin.put("/__admin/clock")
    assert wrong.status_code == 405 and "use GET" in wrong.json()["message"]
    odd = await admin.request("BREW", "/__admin/faults")
    assert odd.status_code == 405 and odd.json()["code"] == "method.not.allowed"
    deep = await admin.post("/__admin/faults", content=b"[" * 100_000)
    assert deep.status_code == 400 and "deeper" in deep.json()["message"]
    asset = await admin.get("/__admin/assets/" + "x" * 5000)
    assert asset.status_code == 404 and len(asset.json()["message"]) < 300
    feed = await admin.get("/__admin/events", params={"after": "-1"})
    assert feed.status_code == 400 and feed.json()["code"] == "invalid.value"
    assert (await admin.post("/__admin/events")).status_code == 405


async def test_admin_a_bug_inside_an_operation_is_a_genesys_500_without_its_text(
    mock: MockGenesys, admin: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(mock.agent, "disconnect", broken)
    response = await admin.post(f"/__admin/agent/{next(iter(mock.world.conversations))}/disconnect")
    assert response.status_code == 500 and response.json()["code"] == "internal.server.error"
    assert "secret" not in response.text and mock.server.error_count == 1


async def test_admin_world_names_guest_secrets_by_fingerprint_and_loads_back(
    mock: MockGenesys, admin: httpx.AsyncClient
) -> None:
    from mockgenesys.journal import fingerprint

    async with mock.connect_guest() as socket:
        await socket.send(
            json.dumps({"action": "configureSession", "token": "secret-tok", "deploymentId": mock.deployment_id})
        )
    with httpx.Client(transport=mock.transport(), base_url="http://m") as http:
        token = mock.issue_token()
        created = http.post(
            f"/api/v2/webmessaging/organizations/{mock.org_id}/sessions",
            json={},
            headers={"Authorization": f"Bearer {token}"},
        )
    response = await admin.get("/__admin/world")
    assert "secret-tok" not in response.text and created.json()["sessionToken"] not in response.text
    snapshot = response.json()
    guest = next(s for s in snapshot["guest_sessions"] if s["token_fingerprint"] == fingerprint("secret-tok"))
    conversation_id = guest["conversation_id"]
    assert (await admin.post("/__admin/world", json=snapshot)).status_code == 200
    restored = mock.world.guest_sessions[guest["id"]]
    assert restored.token != "secret-tok" and mock.world.guest_session("secret-tok") is None
    assert mock.world.conversations[conversation_id].guest_token == restored.token


async def test_admin_token_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    from mockgenesys.admin import guard

    compared: list[tuple[bytes, bytes]] = []
    real = guard.hmac.compare_digest

    def spy(given: bytes, expected: bytes) -> bool:
        compared.append((given, expected))
        return real(given, expected)

    monkeypatch.setattr(guard.hmac, "compare_digest", spy)
    secured = MockGenesys(seed=1, admin_token="s3cret")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=secured.app), base_url="http://m") as client:
        assert (await client.get("/__admin/clock", headers={"Authorization": "Bearer nope"})).status_code == 401
        assert (await client.get("/__admin/clock", headers={"Authorization": "Bearer s3cret"})).status_code == 200
        assert (
            await client.get("/__admin/clock", headers={"Authorization": "Bearer s\u00e9cret".encode("latin-1")})
        ).status_code == 401
    assert [expected for _, expected in compared] == [b"Bearer s3cret"] * 3


async def test_admin_occupy_attaches_connections_until_released(mock: MockGenesys, admin: httpx.AsyncClient) -> None:
    async with mock.connect_guest() as socket:
        await socket.send(
            json.dumps({"action": "configureSession", "token": "tok", "deploymentId": mock.deployment_id})
        )
        session = mock.world.guest_session("tok")
        assert session is not None
        taken = await admin.post("/__admin/guests/occupy", json={"session": session.id, "count": 5})
        assert taken.status_code == 201 and taken.json()["opened"] == 2  # the cap of three connections
        assert (await admin.get("/__admin/connections")).json() == {"sessions": {session.id: 3}}
        name = taken.json()["occupation"]
        assert (await admin.delete(f"/__admin/guests/occupy/{name}")).status_code == 204
        assert (await admin.delete(f"/__admin/guests/occupy/{name}")).status_code == 404
        assert (await admin.get("/__admin/connections")).json() == {"sessions": {session.id: 1}}
    assert (await admin.post("/__admin/guests/occupy", json={"session": "nope"})).status_code == 404


async def test_admin_fault_ids_that_are_not_strings_or_taken_are_refused(admin: httpx.AsyncClient) -> None:
    odd = await admin.post("/__admin/faults", json=[{"id": {}, "then": {"status": 503}}])  # schemathesis: was a 500
    assert odd.status_code == 400 and odd.json()["details"][0]["fieldName"] == "id"
    assert (await admin.post("/__admin/faults", json={"id": "mine", "then": {"status": 503}})).status_code == 201
    taken = await admin.post("/__admin/faults", json={"id": "mine", "then": {"status": 502}})
    assert taken.status_code == 409 and taken.json()["code"] == "conflict"
