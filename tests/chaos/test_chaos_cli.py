from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from mockgenesys.chaos.cli import ProgressPrinter, interactive
from mockgenesys.cli import main

ADAPTER = "chaos_adapters:WsGuest"
DOUBLE = "chaos_adapters:DoubleSender"


def test_chaos_list_shows_every_builtin(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["chaos", "list"]) == 0
    out = capsys.readouterr().out
    assert "storm-429-retry-after" in out and "slow-kms-webhook" in out and len(out.splitlines()) >= 14


def test_chaos_run_passes_and_writes_three_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["chaos", "run", "baseline", "--guests", "3", "--adapter", ADAPTER, "--report", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0 and out.startswith("PASS baseline: 3 guests, seed 1")
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["passed"] and report["scenarios"][0]["metrics"]["messages"]["stored"] == 30
    suite = ET.parse(tmp_path / "junit.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("name") == "chaos.baseline"
    assert [case.get("name") for case in suite.iter("testcase")][:3] == [
        "no_lost_message",
        "no_duplicate",
        "order_kept",
    ]
    html = (tmp_path / "report.html").read_text()
    assert "<svg" in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_chaos_run_exits_one_and_prints_replay_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["chaos", "run", "baseline", "--guests", "2", "--adapter", DOUBLE, "--report", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 1 and out.startswith("FAIL baseline")
    assert "  replay: mockgenesys chaos run baseline --seed 1 --guests 2 --guest 0" in out
    failures = [c for c in ET.parse(tmp_path / "junit.xml").getroot().iter("testcase") if c.find("failure") is not None]
    assert {c.get("name") for c in failures} == {"no_duplicate", "conformance"}
    assert "--guest 1" in (failures[0].find("failure").text or "")  # type: ignore[union-attr]


def test_chaos_replay_reruns_the_failing_guest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["chaos", "run", "baseline", "--guests", "2", "--adapter", DOUBLE, "--report", str(tmp_path)])
    capsys.readouterr()
    code = main(["chaos", "replay", str(tmp_path / "report.json"), "--adapter", DOUBLE])
    out = capsys.readouterr().out
    assert code == 1 and "replay: mockgenesys chaos run baseline --seed 1 --guests 2 --guest 0" in out
    assert "--guest 1" not in out  # judged only the first failing guest


def test_chaos_run_bad_input_is_a_clear_error_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nworkload: {messages: -1}\n")
    assert main(["chaos", "run", str(bad)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"mockgenesys: {bad}: workload.messages: must be a whole number from 0 to 100000, got -1"
    )
    assert main(["chaos", "run", "no-such-scenario"]) == 2
    assert "no built-in scenario of that name; known: baseline" in capsys.readouterr().err


def test_chaos_progress_is_a_bar_on_a_terminal_and_lines_in_ci(tmp_path: Path) -> None:
    class Tty:
        def isatty(self) -> bool:
            return True

    assert interactive(Tty(), {}) is True  # type: ignore[arg-type]
    assert interactive(Tty(), {"CI": "true"}) is False  # type: ignore[arg-type]
    with (tmp_path / "out.txt").open("w+") as stream:
        printer = ProgressPrinter(stream, bar=False)
        for done in range(1, 9):
            printer("s", done, 8)
        stream.seek(0)
        assert stream.read().splitlines() == [f"  s: {n}/8 guests done" for n in (2, 4, 6, 8)]
