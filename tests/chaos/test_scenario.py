from __future__ import annotations

import json
from pathlib import Path

import pytest

from mockgenesys.chaos import Scenario, ScenarioError, builtin_paths, builtin_scenarios
from mockgenesys.chaos.events import EVENT_KINDS
from mockgenesys.chaos.invariants import INVARIANTS
from mockgenesys.chaos.scenario import SCENARIO_FIELDS, WORKLOAD_FIELDS

SCHEMA = Path(__file__).parents[2] / "mockgenesys" / "chaos" / "scenario.schema.json"


def test_scenario_library_has_at_least_fourteen_valid_scenarios() -> None:
    scenarios = builtin_scenarios()
    assert len(scenarios) >= 14
    assert all(s.invariants and s.description for s in scenarios)
    assert [s.name for s in scenarios] == list(builtin_paths())  # file stem = name
    assert [s.source for s in scenarios] == [f"builtin:{name}" for name in builtin_paths()]


@pytest.mark.parametrize(
    ("data", "path", "bad"),
    [
        ({"name": "x", "guests": 0}, "guests", "0"),
        ({"name": "x", "workload": {"pacing": {"gauss": 1}}}, "workload.pacing", "gauss"),
        (
            {"name": "x", "timeline": [{"at": 1, "fault": {"then": {"status": "soon"}}}]},
            "timeline[0].fault.then.status",
            "soon",
        ),
        ({"name": "x", "timeline": [{"at": -1, "advance": 3}]}, "timeline[0].at", "-1"),
        ({"name": "x", "timeline": [{"at": 1, "explode": True}]}, "timeline[0]", "explode"),
        ({"name": "x", "invariants": ["no_lost"]}, "invariants[0]", "no_lost"),
        (
            {"name": "x", "invariants": [{"bounded_reauth": {"max_session": 2}}]},
            "invariants[0].bounded_reauth",
            "max_session",
        ),
        ({"name": "x", "world": {"limits": {"bogus": 1}}}, "world.limits", "bogus"),
        ({"name": "x", "colour": "red"}, "colour", "colour"),
        ({"name": "has space"}, "name", "has space"),
    ],
)
def test_scenario_errors_name_the_file_the_field_path_and_the_value(data: dict, path: str, bad: str) -> None:
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(data, "my.yaml")
    assert info.value.source == "my.yaml" and info.value.path == path
    assert str(info.value).startswith(f"my.yaml: {path}:") and bad in str(info.value)


def test_scenario_load_reports_a_yaml_syntax_error_with_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"broken\.yaml: not valid YAML"):
        Scenario.load(path)


def test_scenario_timeline_is_sorted_by_time_and_keeps_arguments() -> None:
    scenario = Scenario.from_dict(
        {"name": "t", "timeline": [{"at": 9, "advance": 5}, {"at": 2, "expire_sessions": {"fraction": 0.5}}]}
    )
    assert [(e.at, e.kind, e.args) for e in scenario.timeline] == [
        (2.0, "expire_sessions", {"fraction": 0.5}),
        (9.0, "advance", {"seconds": 5.0}),
    ]


def test_scenario_json_schema_lists_every_field_event_and_invariant() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert set(schema["properties"]) == set(SCENARIO_FIELDS)
    assert set(schema["$defs"]["workload"]["properties"]) == set(WORKLOAD_FIELDS)
    event_kinds = {k for option in schema["$defs"]["event"]["oneOf"] for k in option["required"] if k != "at"}
    assert event_kinds == set(EVENT_KINDS)
    assert set(schema["$defs"]["invariantName"]["enum"]) == set(INVARIANTS)


def test_scenario_overrides_validate_the_guest_count() -> None:
    scenario = Scenario.from_dict({"name": "o", "guests": 3})
    assert scenario.with_overrides(guests=7, seed=9).guests == 7
    with pytest.raises(ScenarioError, match="guests: must be from 1"):
        scenario.with_overrides(guests=0)


def test_scenario_load_keeps_the_absolute_path_but_errors_name_the_file_as_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("ok.yaml").write_text("name: ok\n", encoding="utf-8")
    assert Scenario.load("ok.yaml").source == str(tmp_path / "ok.yaml")
    Path("bad.yaml").write_text("name: bad\nguests: 0\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"^bad\.yaml: guests: must be a whole number from 1"):
        Scenario.load("bad.yaml")


def test_scenario_overrides_validate_the_seed() -> None:
    scenario = Scenario.from_dict({"name": "o"})
    assert scenario.with_overrides(seed=2**63 - 1).seed == 2**63 - 1
    with pytest.raises(ScenarioError, match=r"seed: must be from 0 to \d+, got -1"):
        scenario.with_overrides(seed=-1)


def test_scenario_secure_session_step_is_part_of_the_workload() -> None:
    scenario = Scenario.from_dict({"name": "s", "workload": {"secure_session": {"kms_timeout": 2}}})
    step = scenario.workload.secure_session
    assert step is not None and step.kms_timeout == 2.0 and step.kms_delay.kind == "fixed"
    with pytest.raises(ScenarioError, match=r"workload\.secure_session\.kms_timeout: must be a number > 0"):
        Scenario.from_dict({"name": "s", "workload": {"secure_session": {"kms_timeout": 0}}})


@pytest.mark.parametrize(
    ("timeline", "path", "says"),
    [
        (
            [{"at": 1, "fault": {"match": {"endpoint": "oauht.token"}, "then": {"status": 503}}}],
            "timeline[0].fault.match.endpoint",
            "did you mean 'oauth.token'?",
        ),
        ([{"at": 1, "remove_fault": "rule-9"}], "timeline[0].remove_fault", "no rule 'rule-9' is installed at 1 s"),
        (
            [
                {"at": 5, "remove_fault": "rule-2"},
                {"at": 1, "fault": {"then": {"status": 503}}},
                {"at": 2, "fault": {"id": "mine", "then": {"status": 503}}},
            ],
            "timeline[0].remove_fault",
            "(installed then: rule-1, mine)",
        ),
        (
            [
                {"at": 1, "fault": {"then": {"status": 503}}},
                {"at": 2, "clear_faults": True},
                {"at": 3, "remove_fault": "rule-1"},
            ],
            "timeline[2].remove_fault",
            "installed then: none",
        ),
        (
            [
                {"at": 1, "fault": {"id": "a", "then": {"status": 503}}},
                {"at": 2, "fault": {"id": "a", "then": {"status": 500}}},
            ],
            "timeline[1].fault.id",
            "already installed",
        ),
    ],
)
def test_scenario_rule_names_are_checked_at_load_time(timeline: list[dict], path: str, says: str) -> None:
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict({"name": "x", "timeline": timeline}, "my.yaml")
    assert info.value.path == path and says in str(info.value)


def test_scenario_numbers_unnamed_rules_as_a_fresh_plan_does() -> None:
    timeline = [
        {"at": 1, "fault": {"id": "rule-2", "then": {"status": 503}}},
        {"at": 2, "fault": {"then": {"status": 503}}},  # rule-1
        {"at": 3, "fault": {"then": {"status": 503}}},  # rule-3: rule-2 is taken
        {"at": 4, "remove_fault": "rule-3"},
        {"at": 5, "remove_fault": "rule-2"},
        {"at": 6, "remove_fault": "rule-1"},
    ]
    assert len(Scenario.from_dict({"name": "x", "timeline": timeline}).timeline) == 6
