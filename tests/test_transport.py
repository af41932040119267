from __future__ import annotations

import httpx
import pytest

from mockgenesys import MockGenesys


async def test_transport_works_with_async_client(mock: MockGenesys) -> None:
    async with httpx.AsyncClient(transport=mock.transport(), base_url="https://api.mypurecloud.com") as http:
        response = await http.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, auth=(mock.client_id, mock.client_secret)
        )
        assert response.status_code == 200
        me = await http.get(
            "/api/v2/organizations/me", headers={"Authorization": f"Bearer {response.json()['access_token']}"}
        )
        assert me.json()["id"] == mock.org_id


@pytest.mark.live
def test_serve_runs_live_on_loopback(mock: MockGenesys) -> None:
    with mock.serve() as url:
        assert url.startswith("http://127.0.0.1:")
        response = httpx.get(
            f"{url}/api/v2/organizations/me", headers={"Authorization": f"Bearer {mock.issue_token()}"}
        )
        assert response.status_code == 200
        assert response.headers["inin-correlation-id"]
        big = httpx.post(f"{url}/oauth/token", content=b"x" * 600_000)
        assert big.status_code == 413
    assert mock.journal.calls("organizations.me", status=200)
