"""``mockgenesys chaos run|list|replay``: the command-line face of the chaos runner."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from mockgenesys.chaos.library import builtin_paths, builtin_scenarios, resolve
from mockgenesys.chaos.runner import AdapterFactory, ScenarioResult, load_factory, run_scenario
from mockgenesys.chaos.scenario import Scenario
from mockgenesys.errors import ConfigError

MAX_REPLAYS_SHOWN = 10
BAR_WIDTH = 30


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

    def __call__(self, scenario: str, done: int, total: int) -> None:
        if self.bar:
            filled = BAR_WIDTH * done // max(total, 1)
            self.stream.write(f"\r  {scenario} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} guests")
            if done == total:
                self.stream.write("\r" + " " * (len(scenario) + BAR_WIDTH + 30) + "\r")
            self.stream.flush()
            return
        quarter = 4 * done // max(total, 1)
        if quarter > self.shown.get(scenario, 0):
            self.shown[scenario] = quarter
            print(f"  {scenario}: {done}/{total} guests done", file=self.stream, flush=True)


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
    if not result.passed and not failing:
        print(f"  replay: {result.replay_command()}", file=out)


def _scenarios(references: list[str]) -> list[Scenario]:
    if references == ["all"]:
        return builtin_scenarios()
    if "all" in references:
        raise ConfigError("'all' runs the whole library on its own; do not mix it with scenario names.")
    return [resolve(ref) for ref in references]


def _execute(
    scenarios: list[Scenario], options: dict[str, Any], report: Path | None, out: IO[str], err: IO[str]
) -> int:
    from mockgenesys.chaos.report import write_reports

    progress = ProgressPrinter(err, bar=interactive(err))
    results = []
    for scenario in scenarios:
        result = run_scenario(scenario, progress=progress, **options)
        _summary(result, out)
        out.flush()
        results.append(result)
    if report is not None:
        paths = write_reports(results, report)
        print(f"reports: {paths['json']}, {paths['junit']}, {paths['html']}", file=out)
    failed = [r for r in results if not r.passed]
    print(f"{len(results) - len(failed)} of {len(results)} scenario(s) passed.", file=out)
    return 1 if failed else 0


def _options(args: argparse.Namespace, **fixed: Any) -> dict[str, Any]:
    factory: dict[str, AdapterFactory] = {"adapter_factory": load_factory(args.adapter)} if args.adapter else {}
    return {"isolate": args.isolate, "admin_token": args.admin_token, **factory, **fixed}


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
        options = _options(args, guests=args.guests, seed=args.seed, target=args.target, guest=args.guest)
        return _execute(_scenarios(args.scenarios), options, args.report, out, err)
    return _replay(args, out, err)


def _replay(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    try:
        report = json.loads(args.report_file.read_text(encoding="utf-8"))
        entries = report["scenarios"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"{args.report_file} is not a report.json written by 'mockgenesys chaos run --report': {exc}"
        ) from exc
    chosen = [
        s for s in entries if (args.scenario is None and not s.get("passed")) or s.get("scenario") == args.scenario
    ]
    if not chosen:
        what = f"no scenario {args.scenario!r}" if args.scenario else "no failing scenario"
        print(f"{args.report_file}: {what} to replay.", file=out)
        return 0 if args.scenario is None else 2
    code = 0
    for entry in chosen:
        source = str(entry["source"])
        scenario = resolve(source.removeprefix("builtin:"))
        failing = [int(g) for g in entry.get("failing_guests", [])]
        focus: int | None = args.guest if args.guest is not None else (failing[0] if failing else None)
        options = _options(args, guests=entry["guests"], seed=entry["seed"], target=entry.get("target"), guest=focus)
        code = max(code, _execute([scenario], options, args.report, out, err))
    return code
