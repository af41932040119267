"""``mockgenesys chaos``: runs, replays that replay, and every mistake refused before work starts."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from mockgenesys.chaos import ControlError, ScenarioResult, builtin_paths
from mockgenesys.chaos.cli import ProgressPrinter, interactive
from mockgenesys.chaos.runner import PreparedRun
from mockgenesys.cli import main

ADAPTER = "chaos_adapters:WsGuest"
DOUBLE = "chaos_adapters:DoubleSender"
ROOT = Path(__file__).resolve().parents[2]


def test_chaos_list_shows_every_builtin(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["chaos", "list"]) == 0
    out = capsys.readouterr().out
    assert "storm-429-retry-after" in out and "slow-kms-webhook" in out and len(out.splitlines()) >= 14


def test_chaos_run_passes_and_writes_three_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["chaos", "run", "baseline", "--guests", "3", "--adapter", ADAPTER, "--report", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0 and out.startswith("PASS baseline: 3 guests, seed 1")
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["passed"] and report["incomplete"] is False
    assert report["scenarios"][0]["metrics"]["messages"]["stored"] == 30
    suite = ET.parse(tmp_path / "junit.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("name") == "chaos.baseline"
    assert [case.get("name") for case in suite.iter("testcase")][:3] == [
        "no_lost_message",
        "no_duplicate",
        "order_kept",
    ]
    html = (tmp_path / "report.html").read_text()
    assert "<svg" in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_chaos_run_exits_one_and_prints_replay_commands_with_the_adapter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["chaos", "run", "baseline", "--guests", "2", "--adapter", DOUBLE, "--report", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 1 and out.startswith("FAIL baseline")
    assert f"  replay: mockgenesys chaos run baseline --seed 1 --guests 2 --guest 0 --adapter {DOUBLE}\n" in out
    failures = [c for c in ET.parse(tmp_path / "junit.xml").getroot().iter("testcase") if c.find("failure") is not None]
    assert {c.get("name") for c in failures} == {"no_duplicate", "conformance"}
    assert "--guest 1" in (failures[0].find("failure").text or "")  # type: ignore[union-attr]


def test_chaos_printed_replay_commands_carry_isolate_and_an_absolute_scenario_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "mine.yaml").write_text(builtin_paths()["baseline"].read_text().replace("name: baseline", "name: mine"))
    monkeypatch.chdir(tmp_path)
    code = main(["chaos", "run", "mine.yaml", "--guests", "3", "--guest", "1", "--isolate", "--adapter", DOUBLE])
    out = capsys.readouterr().out
    path = tmp_path / "mine.yaml"
    assert code == 1
    assert f"  replay: mockgenesys chaos run {path} --seed 1 --guests 3 --guest 1 --isolate --adapter {DOUBLE}\n" in out
    replay = shlex.split(out.split("replay: ")[1].splitlines()[0])[1:]
    monkeypatch.chdir(ROOT)  # pasted as printed, from another folder, it fails the same way
    assert main(replay) == 1
    assert f"replay: mockgenesys chaos run {path} --seed 1 --guests 3 --guest 1 --isolate" in capsys.readouterr().out


def test_chaos_replay_reruns_every_failing_guest_from_another_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "mine.yaml"
    scenario.write_text(builtin_paths()["baseline"].read_text().replace("name: baseline", "name: mine"))
    monkeypatch.chdir(tmp_path)
    main(["chaos", "run", "mine.yaml", "--guests", "3", "--adapter", DOUBLE, "--report", "out"])
    report = json.loads((tmp_path / "out" / "report.json").read_text())["scenarios"][0]
    assert report["source"] == str(scenario) and report["adapter"] == DOUBLE and report["failing_guests"] == [0, 1, 2]
    capsys.readouterr()
    monkeypatch.chdir(ROOT)
    code = main(["chaos", "replay", str(tmp_path / "out" / "report.json")])  # the adapter comes from the report
    out = capsys.readouterr().out
    assert code == 1 and out.count("FAIL mine") == 3 and "0 of 3 scenario(s) passed." in out
    for guest in (0, 1, 2):
        assert f"replay: mockgenesys chaos run {scenario} --seed 1 --guests 3 --guest {guest} --adapter {DOUBLE}" in out


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
    assert main(["chaos", "run", "all", "baseline"]) == 2
    assert "'all' runs the whole library on its own" in capsys.readouterr().err


def test_chaos_run_refuses_options_one_scenario_cannot_take_before_any_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # baseline has 20 guests, jwt-expiry-during-history-pagination 10: guest 12 fits only the first
    code = main(
        [
            "chaos",
            "run",
            "baseline",
            "jwt-expiry-during-history-pagination",
            "--guest",
            "12",
            "--report",
            str(tmp_path / "r"),
        ]
    )
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""  # baseline did not run first
    assert captured.err == (
        "mockgenesys: --guest must be from 0 to 9 (scenario jwt-expiry-during-history-pagination has 10 guests), "
        "got 12.\n"
    )
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--target", "localhost:8765"], "--target must be the base URL of a running mock, like http://127.0.0.1:8765"),
        (["--seed", "-1"], "seed: must be from 0 to"),
        (["--isolate"], "isolate needs a guest: pass --guest K with --isolate."),
        (["--adapter", "nocolon"], "--adapter must look like package.module:factory, got 'nocolon'."),
        (["--adapter", "no_such_module_xyz:make"], "Cannot import 'no_such_module_xyz' for --adapter"),
    ],
)
def test_chaos_run_refuses_bad_options_in_one_sentence(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["chaos", "run", "baseline", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and message in captured.err and captured.err.count("\n") == 1


def test_chaos_run_checks_the_report_directory_before_it_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    existing = tmp_path / "report.json"
    existing.write_text("{}")
    assert main(["chaos", "run", "baseline", "--guests", "2", "--report", str(existing)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == (
        f"mockgenesys: --report {existing} is a file; give a directory "
        "(report.json, junit.xml and report.html go into it).\n"
    )
    assert main(["chaos", "run", "baseline", "--report", str(existing / "sub")]) == 2
    assert f"--report {existing / 'sub'} cannot be created" in capsys.readouterr().err
    (tmp_path / "out" / "junit.xml").mkdir(parents=True)
    assert main(["chaos", "run", "baseline", "--report", str(tmp_path / "out")]) == 2
    assert "out/junit.xml is a directory; remove it or give another directory." in capsys.readouterr().err


def test_chaos_run_refuses_an_unwritable_report_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if os.geteuid() == 0:  # root writes anywhere a plain chmod forbids; /sys refuses even root
        folder = Path("/sys/mockgenesys-chaos-report")
    else:
        folder = tmp_path / "locked"
        folder.mkdir(mode=0o500)
    assert main(["chaos", "run", "baseline", "--report", str(folder)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and f"--report {folder}" in captured.err and "give another directory" in captured.err


def write_adapter(folder: Path, body: str) -> None:
    (folder / "my_guest.py").write_text(textwrap.dedent(body))


def test_chaos_adapter_without_send_is_refused_before_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_adapter(
        tmp_path,
        """
        class Guest:
            def __init__(self, context):
                pass

            async def start(self):
                pass

            async def restore(self):
                return []

            async def close(self):
                pass


        def make(context):
            return Guest(context)
        """,
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    monkeypatch.delitem(sys.modules, "my_guest", raising=False)
    assert main(["chaos", "run", "baseline", "--adapter", "my_guest:Guest"]) == 2
    captured = capsys.readouterr()
    assert (
        captured.out == ""
        and "Guest has no send; a GuestAdapter needs async start, send, restore, close" in captured.err
    )
    assert main(["chaos", "run", "baseline", "--guests", "2", "--adapter", "my_guest:make"]) == 2  # checked when built
    assert "make built a Guest without send" in capsys.readouterr().err


def test_chaos_adapter_from_the_current_folder_whose_send_raises_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_adapter(
        tmp_path,
        """
        from mockgenesys.chaos import core_adapter_factory


        class Guest:
            def __init__(self, context):
                self.inner = core_adapter_factory(context)

            async def start(self):
                await self.inner.start()

            async def send(self, text):
                raise TypeError("send() got an unexpected keyword argument 'txt'")

            async def restore(self):
                return await self.inner.restore()

            async def close(self):
                await self.inner.close()
        """,
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    monkeypatch.delitem(sys.modules, "my_guest", raising=False)
    assert main(["chaos", "run", "baseline", "--guests", "2", "--adapter", "my_guest:Guest"]) == 1
    out = capsys.readouterr().out
    assert (
        "  adapter error: send raised TypeError: send() got an unexpected keyword argument 'txt' "
        "(20 time(s) in 2 guest(s))\n" in out
    )


def test_chaos_ctrl_c_says_so_and_writes_a_partial_report(tmp_path: Path) -> None:
    write_adapter(
        tmp_path,
        """
        import time
        from pathlib import Path

        from mockgenesys.chaos import core_adapter_factory


        class Slow:
            def __init__(self, context):
                self.inner = core_adapter_factory(context)

            async def start(self):
                Path("started").touch()
                await self.inner.start()

            async def send(self, text):
                time.sleep(0.02)  # wall time, so there is a run to interrupt
                await self.inner.send(text)

            async def restore(self):
                return await self.inner.restore()

            async def close(self):
                await self.inner.close()
        """,
    )
    command = [sys.executable, "-m", "mockgenesys", "chaos", "run", "baseline", "storm-429-retry-after"]
    command += ["--guests", "20", "--adapter", "my_guest:Slow", "--report", "out"]
    env = {**os.environ, "CI": "1", "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 30
    while not (tmp_path / "started").exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, (out, err)
    assert "interrupted: Ctrl-C stopped the run after 1 of 2 scenario(s)" in err and "20/20" not in err
    assert "aborted: interrupted by Ctrl-C" in out and "Traceback" not in err
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["incomplete"] is True and report["passed"] is False and report["not_run"] == ["storm-429-retry-after"]
    assert report["scenarios"][0]["interrupted"] is True
    assert "not run: the run stopped (Ctrl-C or an error)" in (tmp_path / "out" / "junit.xml").read_text()


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


def test_chaos_progress_bar_is_wiped_when_done_or_cut_short(tmp_path: Path) -> None:
    with (tmp_path / "bar.txt").open("w+", newline="") as stream:
        printer = ProgressPrinter(stream, bar=True)
        printer("s", 1, 4)
        line = "  s [#######.......................] 1/4 guests"
        printer.clear()  # Ctrl-C: the next message starts on a clean line
        printer.clear()  # nothing left to wipe
        stream.seek(0)
        assert stream.read() == "\r" + line + "\r" + " " * len(line) + "\r"


def test_chaos_a_target_that_goes_away_mid_run_still_leaves_the_report_of_what_ran(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real_run = PreparedRun.run

    def run_once_then_lose_the_target(self: PreparedRun) -> ScenarioResult:
        if self.scenario.name != "baseline":
            raise ControlError("Cannot reach the mock's admin API at http://127.0.0.1:1/__admin; start the server.")
        return real_run(self)

    monkeypatch.setattr(PreparedRun, "run", run_once_then_lose_the_target)
    code = main(["chaos", "run", "baseline", "storm-429-retry-after", "--guests", "2", "--report", str(tmp_path)])
    captured = capsys.readouterr()
    assert code == 2 and captured.out.startswith("PASS baseline")
    assert captured.err.splitlines()[-1] == (
        "mockgenesys: Cannot reach the mock's admin API at http://127.0.0.1:1/__admin; start the server."
    )
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["incomplete"] is True and report["not_run"] == ["storm-429-retry-after"]
    assert [s["scenario"] for s in report["scenarios"]] == ["baseline"]
