from __future__ import annotations

import httpx

from mockgenesys import MockGenesys


def test_organizations_me(mock: MockGenesys, http: httpx.Client, auth: dict[str, str]) -> None:
    body = http.get("/api/v2/organizations/me", headers=auth).json()
    assert body["id"] == mock.org_id and body["state"] == "active"
    assert body["defaultSiteId"] == mock.world.default_org.default_site_id
    assert body["selfUri"] == f"/api/v2/organizations/{mock.org_id}"
