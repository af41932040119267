from __future__ import annotations

import re

import httpx
import pytest

from mockgenesys import MockGenesys


def url(mock: MockGenesys) -> str:
    return f"/api/v2/webmessaging/organizations/{mock.org_id}/sessions"


def test_sessions_create_success_shape(mock: MockGenesys, http: httpx.Client, auth: dict[str, str]) -> None:
    response = http.post(
        url(mock), headers=auth, json={"channel": "mobile", "expirationSeconds": 7200, "metadata": {"a": "b"}}
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"id", "sessionToken", "expirationSeconds", "expirationTimestamp", "channel", "metadata"}
    assert re.fullmatch(r"[A-Za-z0-9_-]{20,256}", body["sessionToken"])
    assert body["channel"] == "mobile" and body["expirationSeconds"] == 7200 and body["metadata"] == {"a": "b"}
    assert body["expirationTimestamp"].endswith("Z")
    fetched = http.get(f"{url(mock)}/{body['id']}", headers=auth).json()
    assert fetched == body


def test_sessions_defaults(mock: MockGenesys, http: httpx.Client, auth: dict[str, str]) -> None:
    body = http.post(url(mock), headers=auth, json={}).json()
    assert body["channel"] == "web" and body["expirationSeconds"] == 3600 and body["metadata"] == {}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"channel": "sms"}, "channel"),
        ({"expirationSeconds": 299}, "expirationSeconds"),
        ({"expirationSeconds": 86401}, "expirationSeconds"),
        ({"expirationSeconds": True}, "expirationSeconds"),
        ({"metadata": {"k": "v" * 2100}}, "metadata"),
        ({"metadata": {"k": 1}}, "metadata"),
        ({"bogus": 1}, "bogus"),
    ],
)
def test_sessions_validation_errors(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str], payload: dict[str, object], field: str
) -> None:
    response = http.post(url(mock), headers=auth, json=payload)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid.value"
    assert body["details"][0]["fieldName"] == field


def test_sessions_metadata_limit_message_matches_tutorial(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str]
) -> None:
    response = http.post(url(mock), headers=auth, json={"metadata": {"k": "v" * 2100}})
    assert response.json()["message"] == "Metadata exceeds maximum key size limit (2KB). Reduce custom attributes."


def test_sessions_nonce_replay_is_409(mock: MockGenesys, http: httpx.Client, auth: dict[str, str]) -> None:
    headers = {**auth, "X-Genesys-Request-Nonce": "n-1"}
    assert http.post(url(mock), headers=headers, json={}).status_code == 200
    replay = http.post(url(mock), headers=headers, json={})
    assert replay.status_code == 409
    assert replay.json()["code"] == "conflict"
    assert http.post(url(mock), headers={**auth, "X-Genesys-Request-Nonce": "n-2"}, json={}).status_code == 200


def test_sessions_other_or_unknown_org(mock: MockGenesys, http: httpx.Client, auth: dict[str, str]) -> None:
    assert http.post("/api/v2/webmessaging/organizations/nope/sessions", headers=auth, json={}).status_code == 404
    from mockgenesys.world import Org

    other = mock.world.add_org(Org(id="other-org", name="Other", domain="o.example", default_site_id="s"))
    response = http.post(f"/api/v2/webmessaging/organizations/{other.id}/sessions", headers=auth, json={})
    assert response.status_code == 403


def test_sessions_need_permission(mock: MockGenesys, http: httpx.Client) -> None:
    client = mock.world.add_client(permissions=[])
    headers = {"Authorization": f"Bearer {mock.issue_token(client.id)}"}
    response = http.post(url(mock), headers=headers, json={})
    assert response.status_code == 403
    assert "webmessaging:session:create" in response.json()["message"]


def test_sessions_org_rate_limit(mock: MockGenesys) -> None:
    limited = MockGenesys(seed=7, clock=mock.clock, limits={"org_sessions_per_second": 2})
    with httpx.Client(transport=limited.transport(), base_url="https://x") as client:
        headers = {"Authorization": f"Bearer {limited.issue_token()}"}
        path = f"/api/v2/webmessaging/organizations/{limited.org_id}/sessions"
        statuses = [client.post(path, headers=headers, json={}).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
        limited.clock.advance(1)
        assert client.post(path, headers=headers, json={}).status_code == 200
