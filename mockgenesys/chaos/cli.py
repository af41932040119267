"""``mockgenesys chaos run|list|replay|merge``: the command-line face of the chaos runner.

Everything a run needs is checked before the first scenario starts: the scenarios, every
option against every scenario, the adapter and the ``--report`` directory. A bad one is one
sentence on stderr and exit 2, with nothing run. Ctrl-C stops the run, says so, writes a report
marked incomplete (with ``--report``) and exits 130.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from mockgenesys.chaos.adapters import AdapterFactory, load_factory
from mockgenesys.chaos.errors import ChaosError, OptionsError
from mockgenesys.chaos.library import builtin_paths, builtin_scenarios, resolve
from mockgenesys.chaos.report import check_report_dir, write_report_dict, write_reports
from mockgenesys.chaos.result import ScenarioResult
from mockgenesys.chaos.runner import PreparedRun, prepare
from mockgenesys.chaos.scenario import Scenario
from mockgenesys.chaos.sharding import Shard, merge_reports, parse_seeds, run_jobs, split, sweep

MAX_REPLAYS_SHOWN = 10
MAX_ADAPTER_ERRORS_SHOWN = 3
BAR_WIDTH = 30
EXIT_FAILED = 1
EXIT_INTERRUPTED = 130


def interactive(stream: IO[str], environ: Mapping[str, str] | None = None) -> bool:
    """A progress bar on a terminal; plain lines in CI (``CI`` set) or when piped."""
    env = os.environ if environ is None else environ
    return stream.isatty() and not env.get("CI")


class ProgressPrinter:
    """Shows guests finishing: a redrawn bar on a terminal, a line per quarter otherwise."""

    def __init__(self, stream: IO[str], *, bar: bool) -> None:
        self.stream = stream
        self.bar = bar
        self.shown: dict[str, int] = {}
        self.drawn = 0  # characters of the bar now on the terminal line

    def __call__(self, scenario: str, done: int, total: int) -> None:
        if self.bar:
            filled = BAR_WIDTH * done // max(total, 1)
            line = f"  {scenario} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} guests"
            self.stream.write("\r" + line)
            self.drawn = len(line)
            if done == total:
                self.clear()
            self.stream.flush()
            return
        quarter = 4 * done // max(total, 1)
        if quarter > self.shown.get(scenario, 0):
            self.shown[scenario] = quarter
            print(f"  {scenario}: {done}/{total} guests done", file=self.stream, flush=True)

    def clear(self) -> None:
        """Wipe the bar, so the next line starts clean (a run done, or cut short)."""
        if self.drawn:
            self.stream.write("\r" + " " * self.drawn + "\r")
            self.stream.flush()
            self.drawn = 0


def _summary(result: ScenarioResult, out: IO[str]) -> None:
    mark = "PASS" if result.passed else "FAIL"
    m = result.metrics
    print(
        f"{mark} {result.scenario.name}: {result.guests} guests, seed {result.seed}, "
        f"{m['virtual_seconds']:.0f} virtual s in {result.wall_seconds:.2f} s, {m['requests']} requests, "
        f"{m['faults']['total']} fault firings",
        file=out,
    )
    if result.aborted:
        print(f"  aborted: {result.aborted}", file=out)
    for note in result.notes:
        print(f"  note: {note}", file=out)
    errors = result.adapter_errors
    for error in errors[:MAX_ADAPTER_ERRORS_SHOWN]:
        print(f"  adapter error: {error}", file=out)
    if len(errors) > MAX_ADAPTER_ERRORS_SHOWN:
        print(f"  … and {len(errors) - MAX_ADAPTER_ERRORS_SHOWN} more adapter errors (see report.json)", file=out)
    for invariant in result.invariants:
        if not invariant.passed:
            print(f"  {invariant.name}: {invariant.summary}", file=out)
            for line in invariant.evidence[:3]:
                print(f"    {line}", file=out)
    failing = result.failing_guests
    for guest in failing[:MAX_REPLAYS_SHOWN]:
        print(f"  replay: {result.replay_command(guest)}", file=out)
    if len(failing) > MAX_REPLAYS_SHOWN:
        print(f"  … and {len(failing) - MAX_REPLAYS_SHOWN} more failing guests (see report.json)", file=out)
    if not result.passed and not failing and not result.interrupted:
        print(f"  replay: {result.replay_command()}", file=out)


def _scenarios(references: list[str]) -> list[Scenario]:
    if references == ["all"]:
        return builtin_scenarios()
    if "all" in references:
        raise OptionsError("'all' runs the whole library on its own; do not mix it with scenario names.")
    return [resolve(ref) for ref in references]


def _execute(
    runs: list[PreparedRun],
    report: Path | None,
    out: IO[str],
    err: IO[str],
    progress: ProgressPrinter,
    *,
    jobs: int = 1,
    shard: dict[str, Any] | None = None,
) -> int:
    """Run every prepared run (in turn, or on ``jobs`` processes); exit 0, 1 (a scenario failed) or 130 (Ctrl-C).

    A run that cannot go on (the live target went away: ``ChaosError``) stops the rest; the report
    of what ran is still written, marked incomplete, before the error is raised for exit 2.
    ``shard`` (``index``, ``count``, ``sweep``) marks the report as one shard of a sweep.
    """
    results: list[ScenarioResult] = []
    interrupted = False
    stopped: ChaosError | None = None

    def done(result: ScenarioResult) -> None:
        nonlocal interrupted
        _summary(result, out)
        out.flush()
        results.append(result)
        if result.interrupted:
            interrupted = True
            raise KeyboardInterrupt

    try:
        if jobs > 1 and len(runs) > 1:
            run_jobs(runs, jobs, done)
        else:
            for run in runs:
                done(run.run())
    except KeyboardInterrupt:  # between two scenarios, or a second Ctrl-C
        interrupted = True
    except ChaosError as exc:
        if not results:
            raise
        stopped = exc
    not_run = [run.scenario.name for run in runs[len(results) :]]
    progress.clear()
    if interrupted:
        print(
            f"interrupted: Ctrl-C stopped the run after {len(results)} of {len(runs)} scenario(s); "
            "the verdicts cover what ran" + ("; the report is marked incomplete." if report else "."),
            file=err,
        )
    if report is not None:
        where = {"shard": {"index": shard["index"], "count": shard["count"]}, "sweep": shard["sweep"]} if shard else {}
        paths = write_reports(results, report, not_run=not_run, **where)
        print(f"reports: {paths['json']}, {paths['junit']}, {paths['html']}", file=out)
    if stopped is not None:
        raise stopped
    failed = [r for r in results if not r.passed]
    print(f"{len(results) - len(failed)} of {len(runs)} scenario(s) passed.", file=out)
    return EXIT_INTERRUPTED if interrupted else EXIT_FAILED if failed else 0


def _adapter(spec: str | None) -> AdapterFactory | None:
    return load_factory(spec) if spec else None


def cmd_chaos(args: argparse.Namespace, out: IO[str] | None = None, err: IO[str] | None = None) -> int:
    """Dispatch ``mockgenesys chaos ...``; returns the exit status (1 when an invariant failed)."""
    out = out or sys.stdout
    err = err or sys.stderr
    if args.chaos_command == "list":
        for name, path in builtin_paths().items():
            scenario = Scenario.load(path)
            first = scenario.description.strip().split(". ")[0].rstrip(".")
            print(f"{name:40s} {scenario.guests:4d} guests  {first}.", file=out)
        return 0
    if args.chaos_command == "run":
        return _run(args, out, err)
    if args.chaos_command == "merge":
        return _merge(args, out)
    return _replay(args, out, err)


def _merge(args: argparse.Namespace, out: IO[str]) -> int:
    report = merge_reports(args.reports)
    check_report_dir(args.report)
    paths = write_report_dict(report, args.report)
    failed = [s for s in report["scenarios"] if not s.get("passed")]
    total = len(report["scenarios"])
    print(f"merged {len(report['merged_from'])} report(s): {total - len(failed)} of {total} run(s) passed.", file=out)
    for entry in failed[:MAX_REPLAYS_SHOWN]:
        print(f"FAIL {entry['scenario']} seed {entry['seed']}: replay: {entry['replay_all']}", file=out)
    if report["missing_shards"]:
        shards = ", ".join(str(s) for s in report["missing_shards"])
        print(f"incomplete: no report from shard(s) {shards} of the sweep.", file=out)
    print(f"reports: {paths['json']}, {paths['junit']}, {paths['html']}", file=out)
    return 0 if report["passed"] else EXIT_FAILED


def _run(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    scenarios = _scenarios(args.scenarios)
    seeds = parse_seeds(args.seeds) if args.seeds is not None else None
    if seeds is not None and args.seed is not None:
        raise OptionsError("--seed and --seeds exclude each other; give one seed or a sweep of them.")
    shard = Shard.parse(args.shard) if args.shard is not None else None
    jobs = args.jobs
    if jobs < 1:
        raise OptionsError(f"--jobs must be 1 or more (processes on this machine), got {jobs}.")
    if jobs > 1 and args.target is not None:
        raise OptionsError("--jobs runs in-process sweeps on local cores; against --target, run one job.")
    factory = _adapter(args.adapter)
    progress = ProgressPrinter(err, bar=interactive(err) and jobs == 1)
    units = sweep(scenarios, seeds, args.guests)
    chosen = split(units, shard) if shard is not None else list(range(len(units)))
    runs = [
        prepare(
            units[position].scenario,
            guests=args.guests,
            seed=units[position].seed if seeds is not None else args.seed,
            target=args.target,
            guest=args.guest,
            isolate=args.isolate,
            adapter_factory=factory,
            progress=progress if jobs == 1 else None,
            admin_token=args.admin_token,
        )
        for position in chosen
    ]
    if args.report is not None:
        check_report_dir(args.report)
    if shard is not None:
        print(f"shard {shard}: {len(runs)} of {len(units)} run(s) of the sweep.", file=out)
    where = None if shard is None else {"index": shard.index, "count": shard.count, "sweep": [u.key for u in units]}
    return _execute(runs, args.report, out, err, progress, jobs=jobs, shard=where)


def _replay(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    try:
        report = json.loads(args.report_file.read_text(encoding="utf-8"))
        entries = report["scenarios"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise OptionsError(
            f"{args.report_file} is not a report.json written by 'mockgenesys chaos run --report': {exc}"
        ) from exc
    chosen = [
        s for s in entries if (args.scenario is None and not s.get("passed")) or s.get("scenario") == args.scenario
    ]
    if not chosen:
        what = f"no scenario {args.scenario!r}" if args.scenario else "no failing scenario"
        print(f"{args.report_file}: {what} to replay.", file=out)
        return 0 if args.scenario is None else 2
    progress = ProgressPrinter(err, bar=interactive(err))
    factories: dict[str | None, AdapterFactory | None] = {}
    runs = []
    for entry in chosen:
        scenario = resolve(str(entry["source"]).removeprefix("builtin:"))
        spec = args.adapter or entry.get("adapter")
        if spec not in factories:
            factories[spec] = _adapter(spec)
        isolate = args.isolate or bool(entry.get("isolate"))
        for focus in _replayed_guests(args.guest, entry):
            runs.append(
                prepare(
                    scenario,
                    guests=entry["guests"],
                    seed=entry["seed"],
                    target=entry.get("target"),
                    guest=focus,
                    isolate=isolate and focus is not None,
                    adapter_factory=factories[spec],
                    progress=progress,
                    admin_token=args.admin_token,
                )
            )
    if args.report is not None:
        check_report_dir(args.report)
    return _execute(runs, args.report, out, err, progress)


def _replayed_guests(guest: int | None, entry: dict[str, Any]) -> list[int | None]:
    """``--guest K``; else every failing guest of the entry; else its focus (None: the whole run)."""
    if guest is not None:
        return [guest]
    failing = [int(g) for g in entry.get("failing_guests", [])]
    focus = entry.get("focus_guest")
    return list(failing) if failing else [int(focus) if focus is not None else None]
