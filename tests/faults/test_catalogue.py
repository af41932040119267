from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from mockgenesys import MockGenesys, VirtualClock
from mockgenesys.faults import FaultPlan, FaultRule, FaultRuleError
from mockgenesys.faults.catalogue import EndpointCatalogue
from mockgenesys.server.endpoints import endpoint_catalogue

SMALL = EndpointCatalogue(
    {
        "oauth.token": frozenset({"POST"}),
        "organizations.me": frozenset({"GET"}),
        "guest.ws.onMessage": frozenset({"WS"}),
    },
    frozenset({"onMessage"}),
    {"guest.ws.connect": "the handshake takes none."},
)


def rule(match: dict[str, str]) -> FaultRule:
    return FaultRule.from_dict({"match": match, "then": {"status": 503}})


@pytest.mark.parametrize(
    ("match", "path", "says"),
    [
        ({"endpoint": "oauht.token"}, "match.endpoint", "did you mean 'oauth.token'?"),
        ({"endpoint": "organization.me"}, "match.endpoint", "did you mean 'organizations.me'?"),
        ({"endpoint": "no.such.endpoint"}, "match.endpoint", "unknown endpoint id 'no.such.endpoint'. Valid ids:"),
        ({"endpoint": "conversations.*"}, "match.endpoint", "the glob 'conversations.*' matches no endpoint id"),
        ({"endpoint": "guest.ws.connect"}, "match.endpoint", "journaled but takes no fault rule"),
        ({"action": "onMesage"}, "match.action", "did you mean 'onMessage'?"),
        ({"endpoint": "oauth.token", "action": "onMessage"}, "match.action", "never comes to endpoint 'oauth.token'"),
        ({"endpoint": "oauth.token", "method": "GET"}, "match.method", "answers POST"),
        ({"action": "onMessage", "method": "POST"}, "match.method", "never reaches action 'onMessage'"),
    ],
)
def test_catalogue_refuses_names_that_can_never_fire(match: dict[str, str], path: str, says: str) -> None:
    with pytest.raises(FaultRuleError) as caught:
        SMALL.check(rule(match))
    assert caught.value.path == path
    assert says in str(caught.value)


def test_catalogue_lists_the_valid_ids_and_points_at_the_command() -> None:
    with pytest.raises(FaultRuleError, match=r"Valid ids: guest.ws.onMessage, oauth.token, organizations.me \("):
        SMALL.check(rule({"endpoint": "x"}))
    with pytest.raises(FaultRuleError, match="mockgenesys endpoints lists them"):
        SMALL.check(rule({"endpoint": "x"}))


@pytest.mark.parametrize(
    "match",
    [
        {},
        {"endpoint": "oauth.token", "method": "POST"},
        {"endpoint": "*.me"},
        {"endpoint": "guest.ws.*", "action": "onMessage", "method": "WS"},
        {"principal": "anyone"},
    ],
)
def test_catalogue_accepts_rules_that_can_fire(match: dict[str, str]) -> None:
    checked = rule(match)
    assert SMALL.check(checked) is checked


def test_catalogue_error_paths_carry_the_rule_index() -> None:
    plan = FaultPlan(catalogue=SMALL)
    with pytest.raises(FaultRuleError) as caught:
        plan.add({"then": {"status": 500}}, {"match": {"endpoint": "oauht.token"}, "then": {"status": 500}})
    assert caught.value.path == "[1].match.endpoint"
    assert list(plan) == []  # nothing of a refused batch is installed


def test_a_plan_without_a_catalogue_checks_only_the_format() -> None:
    assert FaultPlan().add(rule({"endpoint": "anything.at.all"}))[0].id == "rule-1"


def test_catalogue_checks_rule_objects_built_elsewhere() -> None:
    built = rule({"endpoint": "organization.me"})
    with pytest.raises(FaultRuleError, match=r"did you mean 'organizations\.me'"):
        FaultPlan(catalogue=SMALL).add(built)


# ---------------------------------------------------------------------- every way in
TYPO = {"match": {"endpoint": "oauht.token"}, "then": {"status": 503}}


def test_mock_python_api_refuses_an_unknown_endpoint() -> None:
    with pytest.raises(FaultRuleError, match=r"did you mean 'oauth\.token'"):
        MockGenesys(faults=[TYPO])
    mock = MockGenesys(clock=VirtualClock())
    with pytest.raises(FaultRuleError, match=r"did you mean 'organizations\.me'"):
        mock.add_fault({"match": {"endpoint": "organization.me"}, "then": {"status": 503}})
    assert not mock.faults


async def test_admin_api_refuses_an_unknown_endpoint_with_a_400() -> None:
    mock = MockGenesys(clock=VirtualClock())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=mock.app), base_url="http://mock") as admin:
        answer = await admin.post("/__admin/faults", json=TYPO)
    assert answer.status_code == 400
    body = answer.json()
    assert "did you mean 'oauth.token'" in body["message"]
    assert body["details"] == [{"errorCode": "invalid.value", "fieldName": "match.endpoint"}]
    assert not mock.faults


def test_faults_file_names_the_file_and_the_field(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("- {then: {status: 500}}\n- {match: {endpoint: organization.me}, then: {status: 503}}\n")
    with pytest.raises(FaultRuleError) as caught:
        FaultPlan.load_file(rules, catalogue=endpoint_catalogue())
    assert caught.value.path == "[1].match.endpoint"
    assert str(rules) in str(caught.value) and "did you mean 'organizations.me'" in str(caught.value)
