"""``AdminControl``: a live server through ``/__admin``, with errors in one sentence."""

from __future__ import annotations

import pytest

from mockgenesys import MockGenesys
from mockgenesys.chaos import AdminControl, ControlError

pytestmark = pytest.mark.live


async def test_remote_an_unreachable_target_is_one_sentence() -> None:
    with pytest.raises(ControlError) as info:
        async with AdminControl.connect("http://127.0.0.1:9"):
            pass
    assert str(info.value).startswith("Cannot reach the mock's admin API at http://127.0.0.1:9/__admin (ConnectError")
    assert str(info.value).endswith("; start the server or fix --target.")


async def test_remote_a_protected_admin_api_asks_for_the_token() -> None:
    mock = MockGenesys(seed=2, admin_token="s3cret")
    with mock.serve() as url:
        with pytest.raises(ControlError, match=r"needs a token; pass --admin-token \(admin_token=\.\.\.\)\."):
            async with AdminControl.connect(url):
                pass
        async with AdminControl.connect(url + "/", admin_token="s3cret") as control:
            assert control.facts.base_url == url and control.facts.client_id == mock.client_id


async def test_remote_judges_only_what_happened_after_it_connected() -> None:
    mock = MockGenesys(seed=2)
    with mock.serve() as url:
        mock.issue_token()
        async with AdminControl.connect(url) as control:
            await control.add_fault({"match": {"endpoint": "oauth.token"}, "then": {"status": 503}})
            await control.advance(60)
            assert abs(control.now() - mock.clock.now()) < 1
            evidence = await control.evidence()
    assert [e.endpoint for e in evidence.entries if not e.endpoint.startswith("admin.")] == []
    assert {e.endpoint for e in evidence.entries} >= {"admin.faults.add", "admin.clock.advance"}
    assert all(e.seq > control.since for e in evidence.entries)


async def test_remote_refuses_a_world_it_cannot_run_against() -> None:
    mock = MockGenesys(seed=2)
    mock.world.deployments.clear()
    with mock.serve() as url, pytest.raises(ControlError, match="lacks an org, an OAuth client or a deployment"):
        async with AdminControl.connect(url):
            pass
