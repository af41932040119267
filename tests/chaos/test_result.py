"""``ScenarioResult``: typed verdicts, adapter errors grouped, replay commands that replay."""

from __future__ import annotations

import shlex
from dataclasses import replace

import pytest
from chaos_adapters import DoubleSender

from mockgenesys.chaos import GuestRecord, Raised, Scenario, ScenarioResult, run_scenario
from mockgenesys.chaos.result import AppliedEvent


@pytest.fixture(scope="module")
def failed() -> ScenarioResult:
    data = Scenario.from_dict(
        {"name": "r", "seed": 2, "guests": 2, "workload": {"messages": 3}, "invariants": ["no_duplicate"]}
    )
    return run_scenario(data, adapter_factory=DoubleSender)


def test_result_replay_command_names_the_scenario_the_way_it_can_be_found_again(failed: ScenarioResult) -> None:
    assert (
        failed.replay_command(1)
        == "mockgenesys chaos run r --seed 2 --guests 2 --guest 1 --adapter chaos_adapters:DoubleSender"
    )
    builtin = replace(failed, scenario=replace(failed.scenario, source="builtin:baseline", name="baseline"))
    assert builtin.replay_command().startswith("mockgenesys chaos run baseline --seed 2")
    spaced = replace(failed, scenario=replace(failed.scenario, source="/tmp/my runs/r.yaml"), adapter=None)
    assert shlex.split(spaced.replay_command(0))[3] == "/tmp/my runs/r.yaml"


def test_result_replay_command_carries_the_platform_adapter(failed: ScenarioResult) -> None:
    with_backend = replace(failed, platform_adapter="mypackage.chaos:make_backend")
    assert with_backend.replay_command().endswith("--platform-adapter mypackage.chaos:make_backend")
    assert with_backend.to_dict()["platform_adapter"] == "mypackage.chaos:make_backend"


def test_result_replay_command_keeps_the_focus_isolate_and_target(failed: ScenarioResult) -> None:
    focused = replace(failed, focus=1, isolate=True, target="http://127.0.0.1:8765", adapter=None)
    expected = "mockgenesys chaos run r --seed 2 --guests 2 --guest 1 --isolate --target http://127.0.0.1:8765"
    assert focused.replay_command() == focused.replay_command(1) == expected


def test_result_adapter_errors_are_grouped_most_frequent_first(failed: ScenarioResult) -> None:
    records = [
        GuestRecord(0, "g0", 1, [], raised=[Raised("send", "TimeoutError"), Raised("send", "TimeoutError")]),
        GuestRecord(1, "g1", 2, [], raised=[Raised("close", "OSError: gone"), Raised("send", "TimeoutError")]),
    ]
    result = replace(failed, records=records)
    assert [(e.method, e.error, e.count, e.guests) for e in result.adapter_errors] == [
        ("send", "TimeoutError", 3, [0, 1]),
        ("close", "OSError: gone", 1, [1]),
    ]
    assert str(result.adapter_errors[1]) == "close raised OSError: gone (1 time(s) in 1 guest(s))"


def test_result_interrupted_never_passes_and_the_dict_says_why(failed: ScenarioResult) -> None:
    clean = replace(failed, invariants=[], aborted=None)
    assert clean.passed and not replace(clean, interrupted=True).passed
    report = failed.to_dict()
    assert report["failing_guests"] == [0, 1] and report["replay"]["0"] == failed.replay_command(0)
    assert (report["adapter"], report["isolate"], report["interrupted"], report["adapter_errors"]) == (
        "chaos_adapters:DoubleSender",
        False,
        False,
        [],
    )
    assert AppliedEvent(1.5, "advance", "clock +3 s").to_dict() == {
        "t": 1.5,
        "kind": "advance",
        "summary": "clock +3 s",
    }
