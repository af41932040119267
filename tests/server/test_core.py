from __future__ import annotations

import json
from urllib.parse import parse_qs

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockgenesys import MockGenesys
from mockgenesys.server.http import parse_query

ENUM_FIELDS = {"type", "state", "direction", "status", "messageStatus", "messengerType", "originatingEntity"}


def _no_null_enums(value: object) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            assert not (key in ENUM_FIELDS and item is None), f"null enum field {key}"
            _no_null_enums(item)
    elif isinstance(value, list):
        for item in value:
            _no_null_enums(item)


def test_core_missing_bearer_is_authentication_required(http: httpx.Client) -> None:
    for headers in ({}, {"Authorization": "Bearer"}, {"Authorization": "Bearer "}, {"Authorization": "Basic abc"}):
        response = http.get("/api/v2/organizations/me", headers=headers)
        assert response.status_code == 401
        assert response.json()["code"] == "authentication.required"


def test_core_unknown_token_is_bad_credentials(http: httpx.Client) -> None:
    response = http.get("/api/v2/organizations/me", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    body = response.json()
    assert body == {
        "message": "Invalid login credentials.",
        "code": "bad.credentials",
        "status": 401,
        "messageParams": {},
        "contextId": response.headers["inin-correlation-id"],
        "details": [],
        "errors": [],
    }


def test_core_expired_token_is_bad_credentials(mock: MockGenesys, http: httpx.Client, auth: dict[str, str]) -> None:
    assert http.get("/api/v2/organizations/me", headers=auth).status_code == 200
    mock.clock.advance(86399)
    assert http.get("/api/v2/organizations/me", headers=auth).status_code == 200
    mock.clock.advance(1)
    response = http.get("/api/v2/organizations/me", headers=auth)
    assert response.status_code == 401
    assert response.json()["code"] == "bad.credentials"


def test_core_revoked_by_expire_tokens(mock: MockGenesys, http: httpx.Client, auth: dict[str, str]) -> None:
    assert mock.world.expire_tokens(now=mock.clock.now()) == 1
    assert http.get("/api/v2/organizations/me", headers=auth).status_code == 401


def test_core_missing_permission_is_403_naming_it(mock: MockGenesys, http: httpx.Client) -> None:
    client = mock.world.add_client(permissions=["organization:profile:view"])
    token = mock.issue_token(client.id)
    response = http.get("/api/v2/externalcontacts/contacts", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "missing.any.permissions"
    assert "externalContacts:contact:view" in body["message"]


def test_core_unknown_path_404_and_wrong_method_405(http: httpx.Client, auth: dict[str, str]) -> None:
    missing = http.get("/api/v2/nothing/here", headers=auth)
    assert missing.status_code == 404
    assert missing.json()["code"] == "not.found"
    wrong = http.delete("/api/v2/organizations/me", headers=auth)
    assert wrong.status_code == 405
    assert wrong.json()["status"] == 405
    wrong_dynamic = http.put("/api/v2/conversations/messaging/any-id/messages", headers=auth)
    assert wrong_dynamic.status_code == 405 and wrong_dynamic.json()["code"] == "method.not.allowed"
    assert http.get("/api/v2/conversations/messaging/any-id/nothing", headers=auth).status_code == 404


def test_core_oversized_body_is_413(mock: MockGenesys, http: httpx.Client, auth: dict[str, str]) -> None:
    response = http.post(
        f"/api/v2/webmessaging/organizations/{mock.org_id}/sessions", headers=auth, content=b"x" * 512_001
    )
    assert response.status_code == 413
    assert response.json()["code"] == "request.entity.too.large"


def test_core_every_response_has_correlation_and_ratelimit_headers(http: httpx.Client, auth: dict[str, str]) -> None:
    for response in (
        http.get("/api/v2/organizations/me", headers=auth),
        http.get("/api/v2/organizations/me"),
        http.post("/oauth/token", data={}),
        http.get("/nowhere"),
    ):
        assert response.headers["inin-correlation-id"]
        for name in ("inin-ratelimit-allowed", "inin-ratelimit-count", "inin-ratelimit-reset"):
            assert response.headers[name].isdigit()
        assert response.headers["cache-control"] == "no-cache, no-store, must-revalidate"


def test_core_ratelimit_headers_count_per_token(http: httpx.Client, auth: dict[str, str]) -> None:
    counts = [int(http.get("/api/v2/organizations/me", headers=auth).headers["inin-ratelimit-count"]) for _ in range(3)]
    assert counts == [1, 2, 3]
    assert http.get("/api/v2/organizations/me", headers=auth).headers["inin-ratelimit-allowed"] == "300"


def test_core_token_limit_429_with_truthful_retry_after(http: httpx.Client, mock: MockGenesys) -> None:
    limited = MockGenesys(seed=7, clock=mock.clock, limits={"token_per_minute": 2})
    with httpx.Client(transport=limited.transport(), base_url="https://api.mypurecloud.com") as client:
        auth = {"Authorization": f"Bearer {limited.issue_token()}"}
        assert client.get("/api/v2/organizations/me", headers=auth).status_code == 200
        limited.clock.advance(10)
        assert client.get("/api/v2/organizations/me", headers=auth).status_code == 200
        blocked = client.get("/api/v2/organizations/me", headers=auth)
        assert blocked.status_code == 429
        retry_after = int(blocked.headers["retry-after"])
        assert retry_after == 50
        assert (
            blocked.json()["message"]
            == f"Rate limit exceeded the maximum. Retry the request in [{retry_after}] seconds"
        )
        assert blocked.json()["code"] == "too.many.requests.retry.after"
        limited.clock.advance(retry_after)
        assert client.get("/api/v2/organizations/me", headers=auth).status_code == 200


def test_core_limits_can_be_switched_off(mock: MockGenesys) -> None:
    free = MockGenesys(seed=7, clock=mock.clock, limits={"enabled": False, "token_per_minute": 1})
    with httpx.Client(transport=free.transport(), base_url="https://x") as client:
        auth = {"Authorization": f"Bearer {free.issue_token()}"}
        assert {client.get("/api/v2/organizations/me", headers=auth).status_code for _ in range(5)} == {200}


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("GET", "/api/v2/externalcontacts/contacts?pageSize=abc", {}),
        ("GET", "/api/v2/externalcontacts/contacts?pageSize=0", {}),
        ("GET", "/api/v2/externalcontacts/contacts?sortOrder=nope:up", {}),
        ("GET", "/api/v2/externalcontacts/contacts/x?expand=everything", {}),
        ("POST", "/api/v2/webmessaging/organizations/{org}/sessions", {"content": b"{not json"}),
        ("POST", "/api/v2/webmessaging/organizations/{org}/sessions", {"content": b"[1,2]"}),
        ("POST", "/api/v2/webmessaging/organizations/{org}/sessions", {"content": b"\xff\xfe"}),
        ("POST", "/api/v2/webmessaging/organizations/{org}/sessions", {"json": {"channel": 5}}),
        ("POST", "/api/v2/webmessaging/organizations/{org}/sessions", {"json": {"expirationSeconds": "1h"}}),
        ("POST", "/api/v2/webdeployments/token/oauthcodegrantjwtexchange", {"content": b"null"}),
        ("POST", "/api/v2/webdeployments/token/refresh", {"content": b"\x00"}),
        (
            "POST",
            "/oauth/token",
            {"content": b"\xff", "headers": {"content-type": "application/x-www-form-urlencoded"}},
        ),
    ],
)
def test_core_bad_input_is_a_4xx_never_a_500(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str], method: str, path: str, kwargs: dict[str, object]
) -> None:
    headers = {**auth, **kwargs.pop("headers", {})}  # type: ignore[dict-item]
    response = http.request(method, path.format(org=mock.org_id), headers=headers, **kwargs)  # type: ignore[arg-type]
    assert 400 <= response.status_code < 500, response.text
    body = response.json()
    assert ("code" in body and body["contextId"] == response.headers["inin-correlation-id"]) or "error" in body
    assert mock.server.errors == []


def test_core_no_null_enum_fields_anywhere(mock: MockGenesys, http: httpx.Client, auth: dict[str, str]) -> None:
    conversation_id = next(iter(mock.world.conversations))
    contact_id = next(iter(mock.world.contacts))
    message_id = mock.world.conversations[conversation_id].messages[0].id
    jwt = mock.guest_jwt(conversation_id)
    bodies = [
        http.get(f"/api/v2/conversations/messages/{conversation_id}", headers=auth).json(),
        http.post(
            f"/api/v2/conversations/messages/{conversation_id}/messages/bulk?useNormalizedMessage=true",
            headers=auth,
            json=[message_id],
        ).json(),
        http.get(f"/api/v2/externalcontacts/contacts/{contact_id}?expand=identifiers,division", headers=auth).json(),
        http.get(f"/api/v2/conversations/messaging/{conversation_id}/messages", headers=auth).json(),
        http.get("/api/v2/webmessaging/messages", headers={"Authorization": f"Bearer {jwt}"}).json(),
    ]
    for body in bodies:
        _no_null_enums(body)
    assert json.dumps(bodies).count("null") == 0


def test_core_server_bug_is_raised_in_process(mock: MockGenesys, http: httpx.Client, auth: dict[str, str]) -> None:
    def broken(server: object, req: object) -> object:
        raise RuntimeError("boom")

    from mockgenesys.server.http import Route, Router

    mock.server.router = Router([Route("GET", "/api/v2/organizations/me", "organizations.me", broken)])  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="boom"):
        http.get("/api/v2/organizations/me", headers=auth)
    with httpx.Client(transport=mock.transport(raise_server_errors=False), base_url="https://x") as quiet:
        response = quiet.get("/api/v2/organizations/me", headers=auth)
    assert response.status_code == 500
    assert response.json()["code"] == "internal.server.error"


def test_core_journal_records_endpoint_ids(mock: MockGenesys, http: httpx.Client, auth: dict[str, str]) -> None:
    http.get("/api/v2/organizations/me", headers=auth)
    http.get("/api/v2/externalcontacts/contacts", headers=auth)
    http.get("/nowhere", headers=auth)
    assert [e.endpoint for e in mock.journal] == ["organizations.me", "externalcontacts.search", "unmatched"]
    token = auth["Authorization"].split()[1]
    assert token not in mock.journal.to_jsonl()


def test_core_limiter_stays_bounded_forgetting_ended_windows_first(monkeypatch: pytest.MonkeyPatch) -> None:
    from mockgenesys.faults.ratelimit import Limiter, RateLimits

    monkeypatch.setattr(Limiter, "MAX_WINDOWS", 10)
    limiter = Limiter(RateLimits())
    running = limiter.window("token", "running", 5, 60.0, 0.0)
    running.hit(0.0)
    for n in range(9):
        limiter.window("token", f"short-{n}", 5, 1.0, 0.0)  # ended by t=2
    for n in range(9):
        limiter.window("token", f"new-{n}", 5, 60.0, 2.0)
    assert set(limiter._windows) == {("token", "running")} | {("token", f"new-{n}") for n in range(9)}
    assert limiter.window("token", "running", 5, 60.0, 2.0) is running  # kept, still counting
    for n in range(9, 40):  # every window running: still bounded
        limiter.window("token", f"new-{n}", 5, 60.0, 3.0)
    assert len(limiter._windows) == 10 and ("token", "new-39") in limiter._windows


@given(st.lists(st.sampled_from(["a", "b", "=", "&", "%20", "+", "%", "é", ";", ""]), max_size=12).map("".join))
def test_core_query_parsing_matches_the_stdlib(text: str) -> None:
    assert parse_query(text) == parse_qs(text, keep_blank_values=True)


def test_core_journal_credential_is_the_exact_bearer(mock: MockGenesys, http: httpx.Client, token: str) -> None:
    from mockgenesys.journal import fingerprint

    jwt = mock.guest_jwt()
    session = next(iter(mock.world.guest_sessions.values()))
    http.get("/api/v2/organizations/me", headers={"Authorization": f"Bearer {token}"})
    http.get("/api/v2/webmessaging/messages", headers={"Authorization": f"Bearer {jwt}"})
    http.get("/api/v2/organizations/me")
    oauth, guest, anonymous = mock.journal
    assert (oauth.principal, oauth.credential) == (fingerprint(token), fingerprint(token))
    assert (guest.principal, guest.credential) == (fingerprint(session.token), fingerprint(jwt))
    assert (anonymous.principal, anonymous.credential) == (None, None)


def test_core_journal_names_the_guest_session_whether_a_fault_or_the_route_answers(
    mock: MockGenesys, http: httpx.Client
) -> None:
    from mockgenesys.journal import fingerprint

    jwt = mock.guest_jwt()
    session = next(iter(mock.world.guest_sessions.values()))
    mock.add_fault({"match": {"endpoint": "webmessaging.messages"}, "when": {"times": 1}, "then": {"status": 503}})
    headers = {"Authorization": f"Bearer {jwt}"}
    assert [http.get("/api/v2/webmessaging/messages", headers=headers).status_code for _ in range(2)] == [503, 200]
    assert [(e.status, e.fault, e.principal) for e in mock.journal] == [
        (503, "rule-1", fingerprint(session.token)),
        (200, None, fingerprint(session.token)),
    ]


def test_core_journal_guest_jwt_issuance_carries_fingerprint_and_expiry(mock: MockGenesys, http: httpx.Client) -> None:
    from mockgenesys.journal import fingerprint

    tokens = http.post(
        "/api/v2/webdeployments/token/oauthcodegrantjwtexchange",
        json={"deploymentId": mock.deployment_id, "oauth": {"code": "c"}},
    ).json()
    refreshed = http.post("/api/v2/webdeployments/token/refresh", json={"refreshToken": tokens["refreshToken"]}).json()
    exchange, refresh = mock.journal
    ttl = mock.world.default_deployment.jwt_ttl
    assert (exchange.detail, exchange.expires_at) == (fingerprint(tokens["jwt"]), int(mock.clock.now()) + ttl)
    assert (refresh.detail, refresh.expires_at) == (fingerprint(refreshed["jwt"]), int(mock.clock.now()) + ttl)


@pytest.mark.parametrize("then", [{"reset": True}, {"status": 503, "reset": True}])
def test_core_journal_a_reset_request_as_status_0(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str], then: dict[str, object]
) -> None:
    mock.add_fault({"match": {"endpoint": "organizations.me"}, "then": then})
    with pytest.raises(httpx.RemoteProtocolError):
        http.get("/api/v2/organizations/me", headers=auth)
    entry = mock.journal.calls("organizations.me")[0]
    assert (entry.status, entry.code, entry.fault) == (0, "reset", "rule-1")


def test_core_journal_received_only_when_earlier_than_handling(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str]
) -> None:
    from mockgenesys.server.http import MockRequest

    http.get("/api/v2/organizations/me", headers=auth)
    mock.server.handle(MockRequest("GET", "/api/v2/organizations/me", "", {}, b"", received=mock.clock.now() - 2))
    mock.server.handle(MockRequest("GET", "/api/v2/organizations/me", "", {}, b"", received=mock.clock.now()))
    assert [e.received for e in mock.journal] == [None, mock.clock.now() - 2, None]


@pytest.mark.live
def test_core_journal_received_on_a_live_request() -> None:
    mock = MockGenesys(seed=7)
    with mock.serve() as url, httpx.Client(base_url=url) as live:
        live.get("/api/v2/organizations/me", headers={"Authorization": f"Bearer {mock.issue_token()}"})
    (entry,) = mock.journal.calls("organizations.me")
    assert entry.received is not None and entry.received <= entry.time


def test_core_a_request_asks_the_faults_once_and_checks_a_guest_jwt_once(
    mock: MockGenesys, http: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mockgenesys.server import jwt

    calls = {"decide": 0, "decode": 0}
    decide, decode = mock.faults.decide, jwt.decode

    def counting_decide(*args: object) -> object:
        calls["decide"] += 1
        return decide(*args)  # type: ignore[arg-type]

    def counting_decode(*args: object) -> object:
        calls["decode"] += 1
        return decode(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(mock.faults, "decide", counting_decide)
    monkeypatch.setattr(jwt, "decode", counting_decode)
    jwt.read.cache_clear()  # a seeded mock mints the same JWT in every test
    mock.add_fault({"match": {"principal": "someone-else"}, "then": {"status": 500}})  # a rule on every endpoint
    response = http.get("/api/v2/webmessaging/messages", headers={"Authorization": f"Bearer {mock.guest_jwt()}"})
    assert response.status_code == 200 and calls == {"decide": 1, "decode": 1}


# ---------------------------------------------------------------------- hardening (issue 17)
DEEP = b"[" * 250_000
BASE = "https://api.mypurecloud.com"


@pytest.mark.parametrize(
    ("method", "path", "authorized"),
    [
        ("POST", "/api/v2/webdeployments/token/refresh", False),
        ("POST", "/api/v2/webdeployments/token/oauthcodegrantjwtexchange", False),
        ("POST", "/api/v2/conversations/messages/{conversation}/messages/bulk", True),
        ("POST", "/api/v2/webmessaging/organizations/{org}/sessions", True),
    ],
)
def test_core_deep_json_is_a_400_not_a_kept_500(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str], method: str, path: str, authorized: bool
) -> None:
    url = path.format(conversation=next(iter(mock.world.conversations)), org=mock.org_id)
    response = http.request(method, url, content=DEEP, headers=auth if authorized else {})
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "bad.request" and "deeper than 64" in response.json()["message"]
    assert mock.server.errors == [] and mock.server.error_count == 0


def _bug_mock() -> MockGenesys:
    from mockgenesys.server.http import Route, Router

    def explode(server: object, req: object) -> object:
        raise ValueError("secret detail from inside the mock")

    mock = MockGenesys(seed=7)
    mock.server.router = Router([Route("POST", "/boom", "boom", explode, auth="none")])  # type: ignore[arg-type]
    return mock


def test_core_internal_error_answers_a_genesys_500_without_the_exception_text() -> None:
    mock = _bug_mock()
    with httpx.Client(transport=mock.transport(raise_server_errors=False), base_url=BASE) as client:
        response = client.post("/boom", content=b"x")
    assert response.status_code == 500
    body = response.json()
    assert body["code"] == "internal.server.error" and body["details"] == []
    assert "secret" not in response.text and "ValueError" not in response.text
    entry = mock.journal.calls("boom")[0]
    assert (entry.status, entry.code, entry.detail) == (500, "internal.server.error", "internal error: ValueError")


def test_core_kept_errors_are_bounded_and_hold_no_request_body() -> None:
    from mockgenesys.server.http import MockRequest
    from mockgenesys.server.state import MAX_KEPT_ERRORS

    mock = _bug_mock()
    with httpx.Client(transport=mock.transport(raise_server_errors=False), base_url=BASE) as client:
        for _ in range(MAX_KEPT_ERRORS + 30):
            assert client.post("/boom", content=b"b" * 400_000).status_code == 500
    assert mock.server.error_count == MAX_KEPT_ERRORS + 30
    assert len(mock.server.errors) == MAX_KEPT_ERRORS
    for error in mock.server.errors:
        tb = error.__traceback__
        while tb is not None:
            held = tb.tb_frame.f_locals.values()
            assert not any(isinstance(v, MockRequest) or (isinstance(v, bytes) and len(v) > 1000) for v in held)
            tb = tb.tb_next


def test_core_in_process_transport_still_raises_the_mocks_own_bugs_in_the_test() -> None:
    mock = _bug_mock()
    with httpx.Client(transport=mock.transport(), base_url=BASE) as client, pytest.raises(ValueError, match="secret"):
        client.post("/boom")
