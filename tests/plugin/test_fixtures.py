from __future__ import annotations

import pytest


def test_genesys_mock_is_fresh_per_test_on_a_virtual_clock(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        from mockgenesys import MockGenesys

        def test_first(genesys_mock):
            assert isinstance(genesys_mock, MockGenesys) and genesys_mock.clock.is_virtual
            genesys_mock.add_fault({"then": {"status": 503}})
            genesys_mock.clock.advance(3600)
            genesys_mock.issue_token()

        def test_second(genesys_mock):
            assert len(genesys_mock.faults) == 0
            assert genesys_mock.clock.monotonic() == 0
            assert genesys_mock.seed == 0
        """
    )
    project.runpytest().assert_outcomes(passed=2)


def test_genesys_mock_takes_seed_faults_and_limits_from_the_marker(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import httpx, pytest
        from mockgenesys import MockGenesys

        RULE = {"match": {"endpoint": "oauth.token"}, "when": {"times": 1}, "then": {"status": 503}}

        @pytest.mark.genesys(seed=11, faults=[RULE], limits={"enabled": False})
        def test_configured(genesys_mock):
            assert genesys_mock.seed == 11
            assert genesys_mock.world.snapshot_json() == MockGenesys(seed=11).world.snapshot_json()
            assert genesys_mock.limits.enabled is False
            with httpx.Client(transport=genesys_mock.transport(), base_url="https://api.mypurecloud.com") as http:
                auth = (genesys_mock.client_id, genesys_mock.client_secret)
                codes = [http.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=auth).status_code
                         for _ in range(2)]
            assert codes == [503, 200]

        @pytest.mark.genesys(seed=3)
        class TestClassMarker:
            def test_inherits(self, genesys_mock):
                assert genesys_mock.seed == 3
        """
    )
    project.runpytest().assert_outcomes(passed=2)


@pytest.mark.parametrize("project", ["genesys_seed = 5"], indirect=True)
def test_genesys_seed_option_overrides_the_ini_key(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import os, pytest

        def test_seed(genesys_mock):
            assert genesys_mock.seed == int(os.environ["EXPECTED_SEED"])

        @pytest.mark.genesys(seed=1)
        def test_marker_wins(genesys_mock):
            assert genesys_mock.seed == 1
        """
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EXPECTED_SEED", "5")
        project.runpytest().assert_outcomes(passed=2)
        patch.setenv("EXPECTED_SEED", "9")
        project.runpytest("--genesys-seed", "9").assert_outcomes(passed=2)


def test_genesys_server_serves_live_and_resets_between_tests(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import httpx, pytest
        from mockgenesys.serving import LOOPBACK

        def test_live(genesys_server):
            assert genesys_server.url.startswith(f"http://{LOOPBACK}:")
            assert genesys_server.ws_url == (
                genesys_server.url.replace("http", "ws", 1) + f"/v1?deploymentId={genesys_server.deployment_id}"
            )
            response = httpx.post(
                genesys_server.url + "/oauth/token",
                data={"grant_type": "client_credentials"},
                auth=(genesys_server.client_id, genesys_server.client_secret),
            )
            assert response.status_code == 200
            genesys_server.mock.add_conversation(guest_name="Left over")
            genesys_server.mock.add_fault({"then": {"status": 500}})
            genesys_server.mock.clock.advance(86400)
            assert len(genesys_server.mock.journal) == 1

        def test_reset(genesys_server):
            assert len(genesys_server.mock.journal) == 0
            assert len(genesys_server.mock.faults) == 0
            assert genesys_server.mock.clock.offset == 0
            names = [c.participant("customer").name for c in genesys_server.mock.world.conversations.values()]
            assert "Left over" not in names
            me = httpx.get(genesys_server.url + "/api/v2/organizations/me",
                           headers={"Authorization": "Bearer " + genesys_server.mock.issue_token()})
            assert me.json()["id"] == genesys_server.org_id

        @pytest.mark.genesys(seed=4, faults=[{"match": {"endpoint": "organizations.me"}, "then": {"status": 418}}])
        def test_marker(genesys_server, make_genesys_server):
            assert genesys_server.mock.seed == 4
            assert genesys_server is make_genesys_server.shared(seed=4)
            me = httpx.get(genesys_server.url + "/api/v2/organizations/me",
                           headers={"Authorization": "Bearer " + genesys_server.mock.issue_token()})
            assert me.status_code == 418

        def test_factory(make_genesys_server):
            one, two = make_genesys_server(seed=1), make_genesys_server(seed=1)
            assert one.url != two.url and one.client_id == two.client_id
        """
    )
    project.runpytest().assert_outcomes(passed=4)
