"""The reports: ``report.json`` (complete or not), ``junit.xml``, and the directory checked first."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest
from chaos_adapters import WsGuest

from mockgenesys.chaos import OptionsError, Scenario, ScenarioResult, run_scenario, write_reports
from mockgenesys.chaos.report import check_report_dir, junit_xml, report_dict


@pytest.fixture(scope="module")
def result() -> ScenarioResult:
    data = Scenario.from_dict(
        {"name": "rep", "guests": 2, "workload": {"messages": 2}, "invariants": ["no_lost_message"]}
    )
    return run_scenario(data, adapter_factory=WsGuest)


def test_report_a_complete_run(result: ScenarioResult) -> None:
    report = report_dict([result])
    assert (report["passed"], report["incomplete"], report["not_run"]) == (True, False, [])
    assert report["scenarios"][0]["scenario"] == "rep" and report["report_version"] == 1


def test_report_an_interrupted_run_is_incomplete_and_junit_fails_what_did_not_run(result: ScenarioResult) -> None:
    cut = replace(result, interrupted=True, aborted="interrupted by Ctrl-C: the verdicts judge only what ran")
    report = report_dict([cut], not_run=["later-one"])
    assert (report["passed"], report["incomplete"], report["not_run"]) == (False, True, ["later-one"])
    suites = ET.fromstring(junit_xml(report).split("\n", 1)[1])
    assert suites.get("failures") == "2" and suites.get("tests") == "3"
    names = [(s.get("name"), [c.get("name") for c in s.iter("testcase")]) for s in suites.iter("testsuite")]
    assert names == [("chaos.rep", ["completes", "no_lost_message"]), ("chaos.later-one", ["completes"])]


def test_report_write_reports_writes_three_files(result: ScenarioResult, tmp_path: Path) -> None:
    paths = write_reports([result], tmp_path / "new" / "dir")
    assert sorted(p.name for p in paths.values()) == ["junit.xml", "report.html", "report.json"]
    assert json.loads(paths["json"].read_text())["passed"] is True


def test_report_check_report_dir_names_what_is_in_the_way(tmp_path: Path) -> None:
    assert check_report_dir(tmp_path / "a" / "b") == tmp_path / "a" / "b" and (tmp_path / "a" / "b").is_dir()
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(OptionsError, match=r"is a file; give a directory"):
        check_report_dir(blocker)
    with pytest.raises(OptionsError, match=r"cannot be created \(Not a directory\); give another directory"):
        check_report_dir(blocker / "inside")
    (tmp_path / "c" / "report.html").mkdir(parents=True)
    with pytest.raises(OptionsError, match=r"report\.html is a directory; remove it or give another directory"):
        check_report_dir(tmp_path / "c")
