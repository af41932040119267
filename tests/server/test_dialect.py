"""``dialect``: the tutorials' seed paths marked in the journal, graded, and switched off by ``real``."""

from __future__ import annotations

import httpx
import pytest

from mockgenesys import ConfigError, MockGenesys, VirtualClock
from mockgenesys.cli import build_parser
from mockgenesys.conformance import SEED_DIALECT

BASE = "https://api.mypurecloud.com"


def _seed_history(mock: MockGenesys) -> httpx.Response:
    conversation_id = next(iter(mock.world.conversations))
    with httpx.Client(transport=mock.transport(), base_url=BASE) as http:
        headers = {"Authorization": f"Bearer {mock.issue_token()}"}
        return http.get(f"/api/v2/conversations/messaging/{conversation_id}/messages", headers=headers)


def test_both_serves_seed_paths_and_marks_every_call() -> None:
    mock = MockGenesys(seed=1, clock=VirtualClock())
    assert _seed_history(mock).status_code == 200
    (entry,) = mock.journal.calls("conversations.history")
    assert entry.detail == SEED_DIALECT
    report = mock.check()
    assert report.ok  # listed, not failing: the dialect is "both"
    (notice,) = report.notices
    assert notice.rule == "nonexistent_endpoint"
    assert "does not exist on Genesys Cloud" in notice.message and "/api/v2/webmessaging/messages" in notice.message
    assert "Notice: [nonexistent_endpoint]" in str(report)
    assert report.to_dict()["notices"][0]["rule"] == "nonexistent_endpoint"


def test_real_answers_seed_paths_with_genesys_404_and_fails_the_check() -> None:
    mock = MockGenesys(seed=1, clock=VirtualClock(), dialect="real")
    response = _seed_history(mock)
    body = response.json()
    assert (response.status_code, body["code"]) == (404, "not.found")
    assert body["message"].startswith("No resource at /api/v2/conversations/messaging/")
    (entry,) = mock.journal.calls("conversations.history", status=404)
    assert entry.detail == SEED_DIALECT
    report = mock.check()
    assert not report.ok and [v.rule for v in report.violations] == ["nonexistent_endpoint"]


def test_seed_answers_real_only_paths_with_404() -> None:
    mock = MockGenesys(seed=1, clock=VirtualClock(), dialect="seed")
    assert _seed_history(mock).status_code == 200
    with httpx.Client(transport=mock.transport(), base_url=BASE) as http:
        headers = {"Authorization": f"Bearer {mock.issue_token()}"}  # the token endpoint is in both dialects
        assert http.get("/api/v2/externalcontacts/contacts", headers=headers).status_code == 404
        assert http.get("/api/v2/organizations/me", headers=headers).status_code == 404


def test_dialect_is_validated_everywhere() -> None:
    with pytest.raises(ConfigError, match="dialect must be one of real, seed, both"):
        MockGenesys(dialect="genesys")
    args = build_parser({}).parse_args(["serve", "--dialect", "real"])
    assert args.dialect == "real"
    assert build_parser({}).parse_args(["serve"]).dialect == "both"
