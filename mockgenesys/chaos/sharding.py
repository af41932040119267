"""Sweeps split across CI runners and local cores, and their reports merged back into one.

A sweep is every scenario of a ``chaos run`` at every seed of ``--seeds`` (or at its own seed): an
ordered list of units. ``split`` hands a runner (``--shard i/N``) its units deterministically, by
guest work: units are taken largest first (guests × messages, ties by position) and each goes to
the shard with the least work so far (ties to the lowest index), so every runner computes the
same plan from the same command and the shards finish at about the same time. ``run_jobs`` runs
prepared runs on ``--jobs`` local processes, keeping the sweep's order in the results.

Each shard's ``report.json`` names its shard and the whole sweep; ``merge_reports`` puts the
entries of every shard back in sweep order (one JSON, JUnit and HTML report; every replay command
is carried over as written) and says which shards are missing.
"""

from __future__ import annotations

import json
import multiprocessing
import re
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mockgenesys.chaos.errors import OptionsError
from mockgenesys.chaos.scenario import Scenario

MAX_SEEDS = 100_000
MAX_SEED = 2**63 - 1


@dataclass(frozen=True)
class Shard:
    """Runner ``index`` of ``count`` (1-based, as CI matrices number them): ``Shard.parse("2/3")``."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
        if not match or not 1 <= int(match[1]) <= int(match[2]):
            raise OptionsError(
                f"--shard takes i/N with 1 <= i <= N (runner i of N, counted from 1, e.g. 2/3), got {text!r}."
            )
        return cls(int(match[1]), int(match[2]))

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


@dataclass(frozen=True)
class Unit:
    """One run of a sweep: a scenario at one seed (None: the scenario's own) with its guest count."""

    scenario: Scenario
    seed: int | None
    guests: int | None

    @property
    def effective(self) -> Scenario:
        return self.scenario.with_overrides(guests=self.guests, seed=self.seed)

    @property
    def work(self) -> int:
        """Guest work: guests × (messages + 1), the size a runner feels."""
        scenario = self.effective
        return scenario.guests * (scenario.workload.messages + 1)

    @property
    def key(self) -> list[Any]:
        """How reports name the unit: ``[scenario, seed]``."""
        return [self.scenario.name, self.effective.seed]


def parse_seeds(text: str) -> list[int]:
    """``--seeds``: ``1-200`` (inclusive), ``3,5,8`` or a mix; each seed once, in the order given."""
    seeds: list[int] = []
    for part in text.split(","):
        match = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", part)
        if not match:
            raise OptionsError(f"--seeds takes seeds and ranges like 1-200 or 3,5,8; got {text!r}.")
        low, high = int(match[1]), int(match[2] if match[2] is not None else match[1])
        if high < low or high > MAX_SEED:
            raise OptionsError(f"--seeds range {part.strip()} must go up, within 0..2**63-1; got {text!r}.")
        if high - low + len(seeds) >= MAX_SEEDS:
            raise OptionsError(f"--seeds gives more than {MAX_SEEDS} seeds; split the sweep into several runs.")
        seeds.extend(range(low, high + 1))
    unique = list(dict.fromkeys(seeds))
    if len(unique) != len(seeds):
        raise OptionsError(f"--seeds names a seed twice; give each seed once, got {text!r}.")
    return unique


def sweep(scenarios: Sequence[Scenario], seeds: Sequence[int] | None, guests: int | None) -> list[Unit]:
    """Every scenario at every seed, scenario by scenario (at its own seed when ``seeds`` is None)."""
    return [Unit(s, seed, guests) for s in scenarios for seed in (seeds if seeds is not None else [None])]


def split(units: Sequence[Unit], shard: Shard) -> list[int]:
    """The positions in ``units`` that ``shard`` runs, in sweep order (largest-first, least-loaded shard)."""
    load = [0] * shard.count
    mine: list[int] = []
    for position in sorted(range(len(units)), key=lambda p: (-units[p].work, p)):
        target = min(range(shard.count), key=lambda s: (load[s], s))
        load[target] += units[position].work
        if target == shard.index - 1:
            mine.append(position)
    return sorted(mine)


def run_jobs(runs: Sequence[Any], jobs: int, on_result: Callable[[Any], None]) -> None:
    """Run ``runs`` (``PreparedRun``s without a progress callback) on ``jobs`` processes.

    ``on_result`` hears each ``ScenarioResult`` in the runs' order, as soon as it and every one
    before it are done. A Ctrl-C cancels what has not started and propagates.
    """
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = [pool.submit(_run_one, run) for run in runs]
        try:
            for future in futures:
                on_result(future.result())
        except BaseException:
            for future in futures:
                future.cancel()
            raise


def _run_one(run: Any) -> Any:
    return run.run()


# ---------------------------------------------------------------------- merging reports
def _report_files(paths: Sequence[str | Path]) -> Iterator[Path]:
    for path in map(Path, paths):
        if path.is_dir():
            path = path / "report.json"
        if not path.is_file():
            raise OptionsError(f"{path} is not a report.json (nor a folder holding one); give the --report folders.")
        yield path


def merge_reports(paths: Sequence[str | Path]) -> dict[str, Any]:
    """One report from the ``report.json`` of each shard (or of unsharded runs), in sweep order.

    Entries keep everything they hold, replay commands included. ``incomplete`` is true when a
    shard of the sweep is missing (``missing_shards``) or one of the reports was cut short.
    ``OptionsError`` for a file that is no report, for two reports of the same shard, and for
    shards of different sweeps.
    """
    from mockgenesys import __version__

    reports: list[tuple[Path, dict[str, Any]]] = []
    for file in _report_files(paths):
        try:
            report = json.loads(file.read_text(encoding="utf-8"))
            if not isinstance(report, dict) or not isinstance(report["scenarios"], list):
                raise TypeError("no scenarios list")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise OptionsError(
                f"{file} is not a report.json written by 'mockgenesys chaos run --report': {exc}"
            ) from None
        reports.append((file, report))
    if not reports:
        raise OptionsError("chaos merge needs at least one report folder or report.json.")
    sweeps = {json.dumps(r.get("sweep")) for _, r in reports if r.get("shard")}
    if len(sweeps) > 1:
        raise OptionsError(
            "these reports come from different sweeps (other scenarios, seeds or guests); merge one sweep's shards."
        )
    seen: dict[str, Path] = {}
    counts = set()
    for file, report in reports:
        shard = report.get("shard")
        if shard:
            name = f"{shard['index']}/{shard['count']}"
            if name in seen:
                raise OptionsError(f"{seen[name]} and {file} are both shard {name}; give each shard's report once.")
            seen[name] = file
            counts.add(int(shard["count"]))
    order = (
        {json.dumps(unit): position for position, unit in enumerate(json.loads(sweeps.pop()) or [])} if sweeps else {}
    )
    entries = [entry for _, report in reports for entry in report["scenarios"]]
    entries.sort(key=lambda e: order.get(json.dumps([e.get("scenario"), e.get("seed")]), len(order)))
    missing = sorted(index for count in counts for index in range(1, count + 1) if f"{index}/{count}" not in seen)
    incomplete = bool(missing) or any(r.get("incomplete") for _, r in reports)
    return {
        "report_version": reports[0][1].get("report_version", 1),
        "tool": f"mockgenesys {__version__}",
        "passed": all(e.get("passed") for e in entries) and not incomplete,
        "incomplete": incomplete,
        "not_run": [name for _, r in reports for name in r.get("not_run", [])],
        "merged_from": [str(file) for file, _ in reports],
        "missing_shards": missing,
        "scenarios": entries,
    }
