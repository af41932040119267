"""The false-alarm sweep: correct clients through the whole chaos library, many seeds, many guests.

A correct client must pass every scenario at every seed; a failure here is a false alarm of a
judge (or a bug of the client, to be fixed with a test). The clients: the client core (the
reference), ``BaselineGuest`` as every guest, and ``BaselinePlatform`` as the platform adapter.

    python -m tests.mutants.matrix --sweep                        # seeds 0-20, 200 guests, 2 processes
    python -m tests.mutants.matrix --sweep --seeds 0-3 --guests 20 --jobs 4

``sweep_slice`` is the deterministic slice the suite keeps (``test_sweep.py``).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from mockgenesys.chaos import builtin_paths, load_builtin, run_scenario

from .catalogue import BASELINES

#: The correct clients of the sweep: the client core, and each baseline in its own role.
CLIENTS = ("reference", "BaselineGuest", "BaselinePlatform")
DEFAULT_SEEDS = range(21)
DEFAULT_GUESTS = 200


@dataclass(frozen=True)
class Run:
    """One correct client on one scenario at one seed: passed, or the failed invariants' first lines."""

    client: str
    scenario: str
    seed: int
    guests: int
    failures: tuple[str, ...] = ()
    aborted: str | None = None
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.failures and self.aborted is None

    @property
    def replay(self) -> str:
        adapter = {"BaselineGuest": " --adapter tests.mutants.catalogue:BaselineGuest"}.get(self.client, "")
        if self.client == "BaselinePlatform":
            adapter = " --platform-adapter tests.mutants.catalogue:BaselinePlatform"
        return f"mockgenesys chaos run {self.scenario} --seed {self.seed} --guests {self.guests}{adapter}"


@dataclass
class Sweep:
    """Every run of a sweep, and how long it took."""

    runs: list[Run] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def false_alarms(self) -> list[Run]:
        return [run for run in self.runs if not run.passed]

    def summary(self) -> str:
        lines = []
        for client in CLIENTS:
            mine = [r for r in self.runs if r.client == client]
            if mine:
                bad = [r for r in mine if not r.passed]
                lines.append(f"{client}: {len(mine) - len(bad)}/{len(mine)} runs passed")
        for run in self.false_alarms:
            lines.append(f"FALSE ALARM {run.client} {run.scenario} seed {run.seed}: {run.aborted or run.failures[0]}")
            lines.append(f"  replay: {run.replay}")
        lines.append(f"{len(self.runs)} runs in {self.seconds:.1f} s")
        return "\n".join(lines)


def run_one(client: str, scenario: str, seed: int, guests: int) -> Run:
    """One correct client through one built-in scenario (a picklable unit of work)."""
    loaded = load_builtin(scenario)
    count = min(guests, loaded.guests) if client == "BaselinePlatform" else guests
    started = time.perf_counter()
    if client == "BaselineGuest":
        result = run_scenario(loaded, seed=seed, guests=count, adapter_factory=BASELINES["BaselineGuest"])
    elif client == "BaselinePlatform":
        result = run_scenario(loaded, seed=seed, guests=count, platform_factory=BASELINES["BaselinePlatform"])
    else:
        result = run_scenario(loaded, seed=seed, guests=count)
    failures = tuple(
        f"{r.name}: {r.evidence[0] if r.evidence else r.summary}" for r in result.invariants if not r.passed
    )
    return Run(client, scenario, seed, count, failures, result.aborted, time.perf_counter() - started)


def plan(
    clients: Sequence[str] = CLIENTS, seeds: Iterable[int] = DEFAULT_SEEDS, guests: int = DEFAULT_GUESTS
) -> list[tuple[str, str, int, int]]:
    """Every (client, scenario, seed, guests) of a sweep; the platform baseline only where a platform runs."""
    work = []
    for name in builtin_paths():
        has_platform = load_builtin(name).platform is not None
        for client in clients:
            if client == "BaselinePlatform" and not has_platform:
                continue
            work += [(client, name, seed, guests) for seed in seeds]
    return work


def sweep(
    clients: Sequence[str] = CLIENTS, seeds: Iterable[int] = DEFAULT_SEEDS, guests: int = DEFAULT_GUESTS, jobs: int = 2
) -> Sweep:
    """Run the sweep in ``jobs`` processes (the biggest scenarios first, so no process waits on one at the end)."""
    started = time.perf_counter()
    work = plan(clients, seeds, guests)
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            runs = list(pool.map(run_one, *zip(*work, strict=True)))
    else:
        runs = [run_one(*item) for item in work]
    return Sweep(runs, time.perf_counter() - started)


def sweep_slice() -> list[tuple[str, str, int, int]]:
    """The suite's deterministic slice of the sweep: every scenario, each correct client, two seeds, 12 guests."""
    return plan(CLIENTS, (0, 3), 12)
