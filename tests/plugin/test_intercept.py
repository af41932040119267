from __future__ import annotations

import pytest


def test_genesys_intercept_serves_every_region_host_for_sync_and_async_clients(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import httpx, pytest
        from mockgenesys.regions import REGIONS

        def token(http, mock, host):
            return http.post(f"https://{host}/oauth/token", data={"grant_type": "client_credentials"},
                             auth=(mock.client_id, mock.client_secret))

        @pytest.mark.parametrize("domain", sorted(REGIONS.values()))
        def test_sync_every_region(genesys_intercept, domain):
            with httpx.Client() as http:
                for prefix in ("login", "api", "api-cdn"):
                    assert token(http, genesys_intercept, f"{prefix}.{domain}").status_code == 200
            assert len(genesys_intercept.journal.calls("oauth.token", status=200)) == 3

        async def test_async_client(genesys_intercept):
            async with httpx.AsyncClient(base_url="https://api.mypurecloud.de") as http:
                bearer = {"Authorization": "Bearer " + genesys_intercept.issue_token()}
                response = await http.get("/api/v2/organizations/me", headers=bearer)
            assert response.json()["id"] == genesys_intercept.org_id

        @pytest.mark.genesys(faults=[{"match": {"endpoint": "organizations.me"}, "then": {"reset": True}}])
        def test_faults_reach_hard_coded_urls(genesys_intercept):
            bearer = {"Authorization": "Bearer " + genesys_intercept.issue_token()}
            with pytest.raises(httpx.RemoteProtocolError):
                httpx.get("https://api.mypurecloud.com/api/v2/organizations/me", headers=bearer)

        def test_other_hosts_pass_through(genesys_intercept, genesys_server):
            response = httpx.get(genesys_server.url + "/webdeployments/v1/deployments/"
                                 + genesys_server.deployment_id + "/config.json")
            assert response.status_code == 200
            assert genesys_intercept.journal.total == 0 and genesys_server.mock.journal.total == 1
        """
    )
    from mockgenesys.regions import REGIONS

    project.runpytest().assert_outcomes(passed=len(REGIONS) + 3)
