from __future__ import annotations

import pytest


def test_xdist_workers_get_their_own_servers_and_mocks(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import os, httpx, pytest

        @pytest.mark.parametrize("n", range(8))
        def test_live(genesys_server, genesys_mock, n):
            assert len(genesys_server.mock.journal) == 0 and len(genesys_mock.journal) == 0
            bearer = {"Authorization": "Bearer " + genesys_server.mock.issue_token()}
            me = httpx.get(genesys_server.url + "/api/v2/organizations/me", headers=bearer)
            assert me.status_code == 200
            genesys_server.mock.add_conversation(guest_name=f"guest {n}")
            with open(f"seen-{os.environ['PYTEST_XDIST_WORKER']}-{n}.txt", "w") as out:
                out.write(genesys_server.url)
        """
    )
    # hypothesis' and faker's own plugins are switched off only to save their import time in each worker.
    quiet = ["-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-p", "no:faker"]
    result = project.runpytest_subprocess("-n", "2", *quiet, "--genesys-report", "reports")
    result.assert_outcomes(passed=8)
    seen = {path.name.split("-")[1]: path.read_text() for path in project.path.glob("seen-*.txt")}
    assert sorted(seen) == ["gw0", "gw1"]
    assert len(set(seen.values())) == 2  # one server per worker, each on its own port
    assert len(list((project.path / "reports").glob("*.journal.jsonl"))) == 16  # the server's and the mock's
