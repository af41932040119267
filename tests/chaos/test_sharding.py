"""Sweeps: ``--seeds``, ``--shard i/N`` and ``--jobs N``, and ``chaos merge`` of the shards' reports."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from mockgenesys.chaos import OptionsError, load_builtin
from mockgenesys.chaos.sharding import Shard, Unit, merge_reports, parse_seeds, split, sweep
from mockgenesys.cli import main

DOUBLE = "chaos_adapters:DoubleSender"
SWEEP = ["chaos", "run", "baseline", "storm-429-retry-after", "--guests", "3", "--seeds", "1-3", "--adapter", DOUBLE]


def test_sharding_parses_shards_and_seeds() -> None:
    assert Shard.parse("2/3") == Shard(2, 3) and str(Shard.parse(" 1 / 1 ")) == "1/1"
    for bad in ("0/3", "4/3", "3", "a/b", "1/0"):
        with pytest.raises(OptionsError, match="--shard takes i/N with 1 <= i <= N"):
            Shard.parse(bad)
    assert parse_seeds("1-3,7,10-11") == [1, 2, 3, 7, 10, 11]
    for bad, message in (("3-1", "must go up"), ("x", "takes seeds and ranges"), ("1,1", "names a seed twice")):
        with pytest.raises(OptionsError, match=message):
            parse_seeds(bad)


def test_sharding_split_gives_every_unit_to_one_shard_balanced_by_guest_work() -> None:
    scenarios = [load_builtin(name) for name in ("baseline", "org-rate-limit-many-guests", "storm-429-retry-after")]
    units = sweep(scenarios, list(range(1, 11)), None)
    plans = [split(units, Shard(i, 4)) for i in range(1, 5)]
    assert sorted(p for plan in plans for p in plan) == list(range(len(units)))
    assert plans == [split(units, Shard(i, 4)) for i in range(1, 5)]  # every runner computes the same plan
    work = [sum(units[p].work for p in plan) for plan in plans]
    assert max(work) - min(work) <= max(u.work for u in units)
    assert units[0].key == ["baseline", 1] and isinstance(units[0], Unit)
    assert split(units[:2], Shard(3, 3)) == []  # more runners than runs: the last ones have nothing to do


def _verdicts(report: dict[str, Any]) -> list[Any]:
    return [
        (
            s["scenario"],
            s["seed"],
            s["passed"],
            [(i["name"], i["passed"], i["summary"], i["failing_guests"]) for i in s["invariants"]],
            s["replay"],
            s["replay_all"],
            s["metrics"]["messages"],
        )
        for s in report["scenarios"]
    ]


def test_sharding_three_shards_merged_equal_the_unsharded_sweep(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*SWEEP, "--report", str(tmp_path / "full")]) == 1
    for index in (1, 2, 3):
        assert main([*SWEEP, "--shard", f"{index}/3", "--report", str(tmp_path / f"shard{index}")]) == 1
    capsys.readouterr()
    shards = [str(tmp_path / f"shard{index}") for index in (3, 1, 2)]  # any order
    assert main(["chaos", "merge", *shards, "--report", str(tmp_path / "merged")]) == 1
    out = capsys.readouterr().out
    assert "merged 3 report(s): 0 of 6 run(s) passed." in out
    full = json.loads((tmp_path / "full" / "report.json").read_text())
    merged = json.loads((tmp_path / "merged" / "report.json").read_text())
    assert _verdicts(merged) == _verdicts(full) and len(merged["scenarios"]) == 6
    assert merged["incomplete"] is False and merged["missing_shards"] == []
    replay = merged["scenarios"][0]["replay_all"]
    assert replay == f"mockgenesys chaos run baseline --seed 1 --guests 3 --adapter {DOUBLE}" and replay in out
    junit = ET.parse(tmp_path / "merged" / "junit.xml").getroot()
    assert len(junit.findall("testsuite")) == 6 and int(junit.get("failures", "0")) >= 6
    assert "merged from 3 report(s)" in (tmp_path / "merged" / "report.html").read_text()


def test_sharding_jobs_run_on_local_processes_with_the_same_verdicts(tmp_path: Path) -> None:
    assert main([*SWEEP, "--report", str(tmp_path / "one")]) == 1
    assert main([*SWEEP, "--jobs", "2", "--report", str(tmp_path / "two")]) == 1
    one = json.loads((tmp_path / "one" / "report.json").read_text())
    two = json.loads((tmp_path / "two" / "report.json").read_text())
    assert _verdicts(two) == _verdicts(one)


def test_sharding_a_missing_shard_makes_the_merge_incomplete(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["chaos", "run", "baseline", "--guests", "2", "--seeds", "1-2"]
    for index in (1, 2):
        assert main([*base, "--shard", f"{index}/2", "--report", str(tmp_path / f"s{index}")]) == 0
    assert main(["chaos", "merge", str(tmp_path / "s1" / "report.json"), "--report", str(tmp_path / "m")]) == 1
    assert "incomplete: no report from shard(s) 2 of the sweep." in capsys.readouterr().out
    merged = json.loads((tmp_path / "m" / "report.json").read_text())
    assert merged["incomplete"] and merged["missing_shards"] == [2] and not merged["passed"]
    assert "chaos.shard-2" in (tmp_path / "m" / "junit.xml").read_text()
    with pytest.raises(OptionsError, match="are both shard 1/2"):
        merge_reports([tmp_path / "s1", tmp_path / "s1" / "report.json"])
    assert main([*base[:3], "storm-429-retry-after", *base[3:], "--shard", "1/2", "--report", str(tmp_path / "o")]) == 0
    with pytest.raises(OptionsError, match="different sweeps"):
        merge_reports([tmp_path / "s2", tmp_path / "o"])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--seed", "3", "--seeds", "1-2"], "--seed and --seeds exclude each other"),
        (["--jobs", "0"], "--jobs must be 1 or more"),
        (["--shard", "4/3"], "--shard takes i/N"),
        (["--jobs", "2", "--target", "http://127.0.0.1:1"], "against --target, run one job"),
    ],
)
def test_sharding_bad_options_are_one_sentence(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["chaos", "run", "baseline", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_sharding_merge_refuses_what_is_not_a_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "report.json").write_text("[]", encoding="utf-8")
    assert main(["chaos", "merge", str(tmp_path), "--report", str(tmp_path / "m")]) == 2
    assert "is not a report.json written by 'mockgenesys chaos run --report'" in capsys.readouterr().err
    assert main(["chaos", "merge", str(tmp_path / "nothing"), "--report", str(tmp_path / "m")]) == 2
    assert "is not a report.json (nor a folder holding one)" in capsys.readouterr().err
