"""``ScenarioResult``: the outcome of one scenario, typed, with the commands that replay it.

A replay command carries everything that decides the run: the scenario (a built-in by name, a
file by absolute path), seed, guests, the focused guest and ``--isolate``, ``--target`` and
``--adapter``. Pasted anywhere, it reruns the same run. (An ``--admin-token`` is never written
into reports; pass it again.)
"""

from __future__ import annotations

import shlex
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from mockgenesys.chaos.invariants import InvariantResult
from mockgenesys.chaos.metrics import Metrics
from mockgenesys.chaos.records import GuestRecord, PlatformRecord
from mockgenesys.chaos.scenario import Scenario


@dataclass(frozen=True)
class AppliedEvent:
    """One timeline event as the run applied it: when (seconds into the run), what, and its summary."""

    t: float
    kind: str
    summary: str

    def to_dict(self) -> dict[str, Any]:
        return {"t": self.t, "kind": self.kind, "summary": self.summary}


@dataclass(frozen=True)
class AdapterErrors:
    """One error the adapter raised, with how often and in which guests."""

    method: str
    error: str
    count: int
    guests: list[int]

    def __str__(self) -> str:
        return f"{self.method} raised {self.error} ({self.count} time(s) in {len(self.guests)} guest(s))"

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "error": self.error, "count": self.count, "guests": self.guests}


@dataclass
class ScenarioResult:
    """The outcome of one scenario: verdicts, figures and how to replay each failing guest.

    ``interrupted`` marks a run cut short by Ctrl-C: its verdicts judge only what ran.
    ``adapter`` and ``platform_adapter`` are the ``module:factory`` of the adapters (None for the
    client core); ``platform`` is what the platform workload recorded (None without one).
    """

    scenario: Scenario
    target: str | None
    invariants: list[InvariantResult]
    metrics: Metrics
    records: list[GuestRecord]
    aborted: str | None = None
    wall_seconds: float = 0.0
    focus: int | None = None
    notes: list[str] = field(default_factory=list)
    adapter: str | None = None
    isolate: bool = False
    interrupted: bool = False
    platform_adapter: str | None = None
    platform: PlatformRecord | None = None

    @property
    def seed(self) -> int:
        return self.scenario.seed

    @property
    def guests(self) -> int:
        return self.scenario.guests

    @property
    def passed(self) -> bool:
        return self.aborted is None and not self.interrupted and all(r.passed for r in self.invariants)

    @property
    def failing_guests(self) -> list[int]:
        return sorted({g for r in self.invariants if not r.passed for g in r.guests})

    @property
    def adapter_errors(self) -> list[AdapterErrors]:
        """What the adapter raised, grouped by method and error, most frequent first."""
        counts: dict[tuple[str, str], int] = defaultdict(int)
        guests: dict[tuple[str, str], set[int]] = defaultdict(set)
        for record in self.records:
            for raised in record.raised:
                key = (raised.method, raised.error)
                counts[key] += 1
                guests[key].add(record.index)
        ordered = sorted(counts, key=lambda key: (-counts[key], key))
        return [AdapterErrors(m, e, counts[(m, e)], sorted(guests[(m, e)])) for m, e in ordered]

    def replay_command(self, guest: int | None = None) -> str:
        """The one command that reruns this scenario identically (focused on ``guest``, else on this run's focus)."""
        source = self.scenario.source
        reference = self.scenario.name if source.startswith(("builtin:", "<")) else source
        parts = ["mockgenesys", "chaos", "run", reference, "--seed", str(self.seed), "--guests", str(self.guests)]
        focus = self.focus if guest is None else guest
        if focus is not None:
            parts += ["--guest", str(focus)]
            if self.isolate:
                parts.append("--isolate")
        if self.target:
            parts += ["--target", self.target]
        if self.adapter:
            parts += ["--adapter", self.adapter]
        if self.platform_adapter:
            parts += ["--platform-adapter", self.platform_adapter]
        return shlex.join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario.name,
            "description": self.scenario.description,
            "source": self.scenario.source,
            "seed": self.seed,
            "guests": self.guests,
            "target": self.target,
            "adapter": self.adapter,
            "platform_adapter": self.platform_adapter,
            "isolate": self.isolate,
            "focus_guest": self.focus,
            "passed": self.passed,
            "aborted": self.aborted,
            "interrupted": self.interrupted,
            "wall_seconds": round(self.wall_seconds, 3),
            "notes": self.notes,
            "invariants": [r.to_dict() for r in self.invariants],
            "failing_guests": self.failing_guests,
            "adapter_errors": [e.to_dict() for e in self.adapter_errors],
            "replay": {str(g): self.replay_command(g) for g in self.failing_guests},
            "replay_all": self.replay_command(),
            "metrics": self.metrics,
            "platform": None
            if self.platform is None
            else {
                "callers": self.platform.callers,
                "calls": len(self.platform.calls),
                "failed_calls": sum(1 for c in self.platform.calls if c.error is not None),
                "raised": [{"method": r.method, "error": r.error} for r in self.platform.raised],
                "finished": self.platform.finished,
            },
        }
