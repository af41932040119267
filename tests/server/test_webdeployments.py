from __future__ import annotations

import httpx

from mockgenesys import MockGenesys

TOKEN = "/api/v2/webdeployments/token"


def exchange(mock: MockGenesys, http: httpx.Client) -> dict[str, str]:
    response = http.post(
        f"{TOKEN}/oauthcodegrantjwtexchange",
        json={"deploymentId": mock.deployment_id, "oauth": {"code": "abc", "redirectUri": "https://app/cb"}},
    )
    assert response.status_code == 200
    body: dict[str, str] = response.json()
    return body


def test_exchange_refresh_revoke_flow(mock: MockGenesys, http: httpx.Client) -> None:
    tokens = exchange(mock, http)
    assert set(tokens) == {"refreshToken", "jwt"}
    jwt = {"Authorization": f"Bearer {tokens['jwt']}"}
    assert http.get("/api/v2/webmessaging/messages", headers=jwt).status_code == 200
    refreshed = http.post(
        f"{TOKEN}/refresh", json={"refreshToken": tokens["refreshToken"], "deploymentId": mock.deployment_id}
    )
    assert refreshed.status_code == 200 and set(refreshed.json()) == {"jwt"}
    revoked = http.delete(f"{TOKEN}/revoke", headers={"Authorization": f"Bearer {refreshed.json()['jwt']}"})
    assert revoked.status_code == 204 and revoked.content == b""
    assert http.get("/api/v2/webmessaging/messages", headers=jwt).status_code == 401
    assert http.post(f"{TOKEN}/refresh", json={"refreshToken": tokens["refreshToken"]}).status_code == 401


def test_exchange_validation(mock: MockGenesys, http: httpx.Client) -> None:
    bad = [
        {"oauth": {"code": "x"}},
        {"deploymentId": mock.deployment_id},
        {"deploymentId": mock.deployment_id, "oauth": {}},
        {"deploymentId": mock.deployment_id, "oauth": {"code": "x", "bogus": 1}},
    ]
    for body in bad:
        response = http.post(f"{TOKEN}/oauthcodegrantjwtexchange", json=body)
        assert response.status_code == 400, body
        assert response.json()["code"] == "invalid.value"
    unknown = http.post(f"{TOKEN}/oauthcodegrantjwtexchange", json={"deploymentId": "nope", "oauth": {"code": "x"}})
    assert unknown.status_code == 404


def test_refresh_null_and_unknown(http: httpx.Client) -> None:
    assert http.post(f"{TOKEN}/refresh", content=b"null").json()["details"][0]["fieldName"] == "refreshToken"
    assert http.post(f"{TOKEN}/refresh", json={"refreshToken": "nope"}).status_code == 401


def test_refresh_token_expires_after_a_day(mock: MockGenesys, http: httpx.Client) -> None:
    tokens = exchange(mock, http)
    mock.clock.advance(86400)
    assert http.post(f"{TOKEN}/refresh", json={"refreshToken": tokens["refreshToken"]}).status_code == 401


def test_revoke_needs_guest_jwt(http: httpx.Client, auth: dict[str, str]) -> None:
    assert http.delete(f"{TOKEN}/revoke").status_code == 401
    assert http.delete(f"{TOKEN}/revoke", headers=auth).status_code == 401


def test_public_deployment_config(mock: MockGenesys, http: httpx.Client) -> None:
    body = http.get(f"/webdeployments/v1/deployments/{mock.deployment_id}/config.json").json()
    assert body["id"] == mock.deployment_id and body["status"] == "Active"
    conversations = body["messenger"]["apps"]["conversations"]
    assert conversations["conversationDisconnect"] == {"enabled": True, "type": "ReadOnly"}
    assert http.get("/webdeployments/v1/deployments/nope/config.json").status_code == 404
