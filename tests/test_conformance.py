from __future__ import annotations

import json

import httpx
import pytest

from mockgenesys import MockGenesys, VirtualClock
from mockgenesys.conformance import ConformanceError, check

BASE = "https://api.mypurecloud.com"


@pytest.fixture
def mock() -> MockGenesys:
    return MockGenesys(seed=7, clock=VirtualClock())


def login(http: httpx.Client, mock: MockGenesys) -> str:
    response = http.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(mock.client_id, mock.client_secret)
    )
    token: str = response.json()["access_token"]
    return token


def test_retry_after_ignored_vs_honoured(mock: MockGenesys) -> None:
    mock.add_fault(
        {
            "match": {"endpoint": "externalcontacts.search"},
            "when": {"times": 1},
            "then": {"status": 429, "retry_after": 5},
        }
    )
    with httpx.Client(transport=mock.transport(), base_url=BASE) as http:
        headers = {"Authorization": f"Bearer {login(http, mock)}"}
        assert http.get("/api/v2/externalcontacts/contacts", headers=headers).status_code == 429
        mock.clock.advance(1)
        http.get("/api/v2/externalcontacts/contacts", headers=headers)  # too early
    report = mock.check()
    assert [v.rule for v in report.violations] == ["retry_after"]
    assert "4.0 s before the Retry-After of 5 s" in str(report)

    polite = MockGenesys(seed=7, clock=VirtualClock())
    polite.add_fault(
        {
            "match": {"endpoint": "externalcontacts.search"},
            "when": {"times": 1},
            "then": {"status": 429, "retry_after": 5},
        }
    )
    with httpx.Client(transport=polite.transport(), base_url=BASE) as http:
        headers = {"Authorization": f"Bearer {login(http, polite)}"}
        http.get("/api/v2/externalcontacts/contacts", headers=headers)
        polite.clock.advance(5)
        assert http.get("/api/v2/externalcontacts/contacts", headers=headers).status_code == 200
    polite.check().assert_ok()


def test_retry_after_on_the_token_call_is_graded_per_oauth_client(mock: MockGenesys) -> None:
    mock.add_fault(
        {"match": {"endpoint": "oauth.token"}, "when": {"times": 1}, "then": {"status": 429, "retry_after": 3}}
    )
    with httpx.Client(transport=mock.transport(), base_url=BASE) as http:
        credentials = {"data": {"grant_type": "client_credentials"}, "auth": (mock.client_id, mock.client_secret)}
        assert http.post("/oauth/token", **credentials).status_code == 429  # type: ignore[arg-type]
        assert http.post("/oauth/token", **credentials).status_code == 200  # type: ignore[arg-type]
    report = mock.check()
    assert [v.rule for v in report.violations] == ["retry_after"]
    assert report.violations[0].entries[0].principal == f"client:{mock.client_id}"


def test_token_reuse_after_401(mock: MockGenesys) -> None:
    with httpx.Client(transport=mock.transport(), base_url=BASE) as http:
        token = login(http, mock)
        mock.world.expire_tokens(now=mock.clock.now())
        headers = {"Authorization": f"Bearer {token}"}
        assert http.get("/api/v2/organizations/me", headers=headers).status_code == 401
        http.get("/api/v2/organizations/me", headers=headers)
        fresh = {"Authorization": f"Bearer {login(http, mock)}"}
        assert http.get("/api/v2/organizations/me", headers=fresh).status_code == 200
    report = mock.check(rules=["token_reuse_after_401"])
    assert len(report.violations) == 1
    assert "rejected with 401" in report.violations[0].message


def test_expired_token_use(mock: MockGenesys) -> None:
    with httpx.Client(transport=mock.transport(), base_url=BASE) as http:
        headers = {"Authorization": f"Bearer {login(http, mock)}"}
        mock.clock.advance(86400)
        http.get("/api/v2/organizations/me", headers=headers)
    report = mock.check(rules=["expired_token"])
    assert len(report.violations) == 1 and "after it expired" in report.violations[0].message
    assert report.violations[0].entries[0].endpoint == "oauth.token"


def test_relogin_storm_vs_cached_token(mock: MockGenesys) -> None:
    with httpx.Client(transport=mock.transport(), base_url=BASE) as http:
        for _ in range(3):
            login(http, mock)
    assert [v.rule for v in mock.check().violations] == ["relogin_storm"]
    cached = MockGenesys(seed=7, clock=VirtualClock())
    with httpx.Client(transport=cached.transport(), base_url=BASE) as http:
        token = login(http, cached)
        for _ in range(3):
            http.get("/api/v2/organizations/me", headers={"Authorization": f"Bearer {token}"})
        cached.clock.advance(86400 - 30)  # refreshing shortly before expiry is fine
        login(http, cached)
        login(http, cached)
    cached.check().assert_ok()


def test_limit_breach_is_reported_but_injected_429_is_not(mock: MockGenesys) -> None:
    limited = MockGenesys(seed=7, clock=VirtualClock(), limits={"token_per_minute": 1})
    with httpx.Client(transport=limited.transport(), base_url=BASE) as http:
        headers = {"Authorization": f"Bearer {login(http, limited)}"}
        http.get("/api/v2/organizations/me", headers=headers)
        assert http.get("/api/v2/organizations/me", headers=headers).status_code == 429
    assert [v.rule for v in limited.check(rules=["limit_breach"]).violations] == ["limit_breach"]
    mock.add_fault(
        {"match": {"endpoint": "organizations.me"}, "when": {"times": 1}, "then": {"status": 429, "retry_after": 1}}
    )
    with httpx.Client(transport=mock.transport(), base_url=BASE) as http:
        http.get("/api/v2/organizations/me", headers={"Authorization": f"Bearer {login(http, mock)}"})
    assert mock.check(rules=["limit_breach"]).ok


async def test_duplicate_guest_messages(mock: MockGenesys) -> None:
    async with mock.connect_guest() as ws:
        await ws.send(json.dumps({"action": "configureSession", "token": "g", "deploymentId": mock.deployment_id}))
        message = {"type": "Text", "text": "once", "metadata": {"id": "client-msg-1"}}
        await ws.send(json.dumps({"action": "onMessage", "token": "g", "message": message}))
        mock.clock.advance(1)
        await ws.send(json.dumps({"action": "onMessage", "token": "g", "message": message}))
        await ws.send(
            json.dumps(
                {"action": "onMessage", "token": "g", "message": {**message, "metadata": {"id": "client-msg-2"}}}
            )
        )
    report = mock.check()
    assert [v.rule for v in report.violations] == ["duplicate_message"]
    with pytest.raises(ConformanceError, match="client-msg-1"):
        report.assert_ok()


def test_ws_retry_after_violation(mock: MockGenesys) -> None:
    import asyncio

    async def run() -> None:
        async with mock.connect_guest() as ws:
            await ws.send(json.dumps({"action": "configureSession", "token": "g", "deploymentId": mock.deployment_id}))
            for n in range(4):
                await ws.send(
                    json.dumps({"action": "onMessage", "token": "g", "message": {"type": "Text", "text": str(n)}})
                )

    asyncio.run(run())
    rules = {v.rule for v in mock.check().violations}
    assert {"retry_after", "limit_breach"} <= rules


def test_unknown_rule_is_a_clear_error(mock: MockGenesys) -> None:
    with pytest.raises(Exception, match="valid rules"):
        check(mock.journal, rules=["nope"])
    assert str(mock.check()).startswith("Conformance: OK")
