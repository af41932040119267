"""The detection matrix: every mutant and both baselines through every judge.

``run_matrix()`` returns a ``Matrix`` (``.to_markdown()``, ``.to_json()``, ``.caught(row,
judge)``); ``python -m tests.mutants.matrix`` prints the markdown table. A mutant is caught by
a judge when the judge finds something against it that it does not also find against the
correct baseline of the same kind; a finding against a baseline is a false alarm.

    python -m tests.mutants.matrix                       # the quick budget, every client
    python -m tests.mutants.matrix --thorough --jobs 2   # more guests, a longer hypothesis search
    python -m tests.mutants.matrix --only RetryStormGuest --judge chaos --judge strict
    python -m tests.mutants.matrix --sweep --jobs 2      # the false-alarm sweep (sweep.py)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from pathlib import Path

from .catalogue import CORRECT, MUTANTS, kind_of, subject
from .judges import Budget, HarnessError, finish_strict, judge_chaos, judge_machine, start_strict
from .sweep import DEFAULT_GUESTS, sweep
from .verdicts import JUDGES, Matrix, Row, Verdict

#: Small enough for the project's suite; catches what the judges can catch with little search.
QUICK = Budget()
#: Closer to the scenarios' own sizes and a longer hypothesis search (minutes on one core).
THOROUGH = Budget(chaos_guests=20, machine_examples=200, machine_steps=50)


def rows(only: Iterable[str] | None = None) -> list[Row]:
    """The matrix's clients: the correct ones (both baselines, the client core), then the mutants
    (all, or those named in ``only``)."""
    wanted = list(only) if only is not None else list(MUTANTS)
    unknown = sorted(set(wanted) - set(MUTANTS) - set(CORRECT))
    if unknown:
        raise HarnessError(f"unknown client(s) {unknown}; valid: {', '.join([*CORRECT, *MUTANTS])}.")
    found = [Row(name, kind_of(name), "", name) for name in CORRECT]
    for name in wanted:
        if name in MUTANTS:
            mutant = MUTANTS[name]
            found.append(Row(name, mutant.kind, mutant.bug_class, f"Baseline{mutant.kind.capitalize()}"))
    return found


def run_matrix(
    only: Iterable[str] | None = None,
    *,
    judges: Sequence[str] = JUDGES,
    budget: Budget = QUICK,
    jobs: int = 1,
) -> Matrix:
    """Judge both baselines and the mutants (all, or ``only``) with ``judges`` under ``budget``.

    ``jobs`` > 1 runs the chaos and state-machine judges in that many processes; the strict
    judge always runs in its own pytest subprocess, alongside them.
    """
    bad = sorted(set(judges) - set(JUDGES))
    if bad:
        raise HarnessError(f"unknown judge(s) {bad}; valid: {', '.join(JUDGES)}.")
    matrix = Matrix(rows(only), judges=tuple(j for j in JUDGES if j in judges))
    subjects = [row.subject for row in matrix.rows]
    with tempfile.TemporaryDirectory(prefix="mutants-strict-") as tmp:
        workdir = Path(tmp)
        strict = start_strict(subjects, live=budget.strict_live, workdir=workdir) if "strict" in judges else None
        try:
            tasks = [(judge, s) for judge in ("chaos", "machine") if judge in judges for s in subjects]
            if jobs > 1 and len(tasks) > 1:
                with ProcessPoolExecutor(max_workers=jobs) as pool:
                    for verdict in _in_pool(pool, tasks, budget):
                        matrix.add(verdict)
            else:
                for judge, subject in tasks:
                    matrix.add(judge_one(judge, subject, budget))
        finally:
            if strict is not None:
                for verdict in finish_strict(strict, subjects, workdir).values():
                    matrix.add(verdict)
    return matrix


def judge_one(judge: str, name: str, budget: Budget) -> Verdict:
    """One judge on one client by name (a picklable unit of work for a process pool)."""
    if judge == "chaos":
        return judge_chaos(name, subject(name), guests=budget.chaos_guests)
    return judge_machine(name, examples=budget.machine_examples, steps=budget.machine_steps)


def _in_pool(pool: Executor, tasks: list[tuple[str, str]], budget: Budget) -> list[Verdict]:
    futures: list[Future[Verdict]] = [pool.submit(judge_one, judge, subject, budget) for judge, subject in tasks]
    return [future.result() for future in futures]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.mutants.matrix", description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", metavar="NAME", help="judge only this mutant (repeatable)")
    parser.add_argument("--judge", action="append", choices=JUDGES, help="run only this judge (repeatable)")
    parser.add_argument("--thorough", action="store_true", help="the THOROUGH budget instead of QUICK")
    parser.add_argument("--guests", type=int, metavar="N", help="chaos: at most N guests per scenario")
    parser.add_argument("--examples", type=int, metavar="N", help="state machine: hypothesis max_examples")
    parser.add_argument("--steps", type=int, metavar="N", help="state machine: stateful_step_count")
    parser.add_argument("--no-live", action="store_true", help="strict: skip the cases that need a live server")
    parser.add_argument("--jobs", type=int, default=1, metavar="N", help="processes for chaos and state machine")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write every verdict as JSON")
    parser.add_argument(
        "--sweep", action="store_true", help="instead: the correct clients through every scenario at many seeds"
    )
    parser.add_argument("--seeds", default="0-20", metavar="A-B", help="sweep: the seeds (default 0-20)")
    args = parser.parse_args(argv)
    if args.sweep:
        low, _, high = args.seeds.partition("-")
        result = sweep(
            seeds=range(int(low), int(high or low) + 1), guests=args.guests or DEFAULT_GUESTS, jobs=max(1, args.jobs)
        )
        print(result.summary())
        return 1 if result.false_alarms else 0
    base = THOROUGH if args.thorough else QUICK
    budget = Budget(
        chaos_guests=args.guests or base.chaos_guests,
        machine_examples=args.examples or base.machine_examples,
        machine_steps=args.steps or base.machine_steps,
        strict_live=base.strict_live and not args.no_live,
    )
    started = time.perf_counter()
    try:
        matrix = run_matrix(args.only, judges=args.judge or JUDGES, budget=budget, jobs=max(1, args.jobs))
    except HarnessError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(matrix.to_markdown())
    print(
        f"\n{budget} in {time.perf_counter() - started:.1f} s "
        "(caught: a finding the correct baseline of the same kind does not also get)"
    )
    if args.json is not None:
        args.json.write_text(matrix.to_json() + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
