from __future__ import annotations

import base64

import httpx

from mockgenesys import MockGenesys


def basic(client_id: str, secret: str) -> dict[str, str]:
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def new_token(http: httpx.Client, client_id: str, secret: str) -> httpx.Response:
    return http.post("/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(client_id, secret))


def test_token_basic_header_success_shape(mock: MockGenesys, http: httpx.Client) -> None:
    response = new_token(http, mock.client_id, mock.client_secret)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 86399
    assert body["access_token"] in mock.world.tokens


def test_token_form_body_with_region_seed_dialect(mock: MockGenesys, http: httpx.Client) -> None:
    response = http.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": mock.client_id,
            "client_secret": mock.client_secret,
            "region": "us-east-1",
        },
    )
    assert response.status_code == 200
    assert response.json()["token_type"] == "bearer"


def test_token_wrong_secret_is_invalid_client(mock: MockGenesys, http: httpx.Client) -> None:
    response = new_token(http, mock.client_id, "nope")
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_client",
        "description": "authentication failed",
        "error_description": "authentication failed",
    }


def test_token_unknown_client_is_client_not_found(http: httpx.Client) -> None:
    response = new_token(http, "who", "x")
    assert response.status_code == 400
    assert response.json()["description"] == "client not found"


def test_token_grant_not_allowed_is_unauthorized_client(mock: MockGenesys, http: httpx.Client) -> None:
    client = mock.world.add_client(grants=["authorization_code"])
    response = new_token(http, client.id, client.secret)
    assert response.status_code == 400
    assert response.json()["error"] == "unauthorized_client"
    assert response.json()["description"] == "client is not authorized to use the client_credential grant type"


def test_token_missing_grant_and_unknown_grant(mock: MockGenesys, http: httpx.Client) -> None:
    creds = basic(mock.client_id, mock.client_secret)
    assert http.post("/oauth/token", data={}, headers=creds).json()["error"] == "invalid_request"
    assert (
        http.post("/oauth/token", data={"grant_type": "magic"}, headers=creds).json()["error"]
        == "unsupported_grant_type"
    )


def test_token_unknown_region_is_rejected(mock: MockGenesys, http: httpx.Client) -> None:
    response = http.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": mock.client_id,
            "client_secret": mock.client_secret,
            "region": "mars-1",
        },
    )
    assert response.status_code == 400
    assert "unknown region" in response.json()["description"]


def test_token_is_journaled_without_the_secret(mock: MockGenesys, http: httpx.Client) -> None:
    token = new_token(http, mock.client_id, mock.client_secret).json()["access_token"]
    entry = mock.journal.assert_called("oauth.token", status=200, times=1)[0]
    assert token not in mock.journal.to_jsonl()
    assert mock.client_secret not in mock.journal.to_jsonl()
    assert entry.principal == f"client:{mock.client_id}"


def test_token_store_stays_bounded_forgetting_oldest(mock: MockGenesys, http: httpx.Client) -> None:
    mock.world.max_tokens = 10
    issued = [new_token(http, mock.client_id, mock.client_secret).json()["access_token"] for _ in range(25)]
    assert len(mock.world.tokens) <= 10
    oldest = http.get("/api/v2/organizations/me", headers={"Authorization": f"Bearer {issued[0]}"})
    newest = http.get("/api/v2/organizations/me", headers={"Authorization": f"Bearer {issued[-1]}"})
    assert (oldest.status_code, newest.status_code) == (401, 200)


def test_token_store_forgets_expired_before_live(mock: MockGenesys, http: httpx.Client) -> None:
    mock.world.max_tokens = 4
    expired = [mock.issue_token() for _ in range(3)]
    mock.world.expire_tokens(now=mock.clock.now())
    live = mock.issue_token()
    for _ in range(3):
        assert new_token(http, mock.client_id, mock.client_secret).status_code == 200
    assert not any(token in mock.world.tokens for token in expired)
    assert live in mock.world.tokens


def test_token_store_keeps_tokens_in_use(mock: MockGenesys, http: httpx.Client) -> None:
    mock.world.max_tokens = 10
    busy = new_token(http, mock.client_id, mock.client_secret).json()["access_token"]
    bearer = {"Authorization": f"Bearer {busy}"}
    assert http.get("/api/v2/organizations/me", headers=bearer).status_code == 200
    for _ in range(30):  # another caller logs in for every call
        assert new_token(http, mock.client_id, mock.client_secret).status_code == 200
    assert len(mock.world.tokens) <= 10
    assert http.get("/api/v2/organizations/me", headers=bearer).status_code == 200
