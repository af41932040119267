"""``InvariantResult``: one invariant's verdict, with its evidence attributed to guests.

Evidence lines start with ``guest K:`` when they belong to a guest (so the runner prints one
replay command per failing guest), ``platform:`` when they belong to the platform workload.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mockgenesys.chaos.records import RunRecords, ServerView

MAX_EVIDENCE = 20


@dataclass
class InvariantResult:
    """One invariant's verdict with its evidence, failures attributed to guests where possible."""

    name: str
    params: dict[str, Any]
    passed: bool
    summary: str
    evidence: list[str] = field(default_factory=list)
    guests: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "params": self.params,
            "passed": self.passed,
            "summary": self.summary,
            "evidence": self.evidence[:MAX_EVIDENCE],
            "evidence_total": len(self.evidence),
            "failing_guests": self.guests,
        }


#: An invariant: the server's view of the run and what the workloads recorded, judged with ``params``.
Check = Callable[[ServerView, RunRecords, dict[str, Any]], InvariantResult]


def verdict(
    name: str,
    params: dict[str, Any],
    failures: dict[int, list[str]],
    ok: str,
    bad: str,
    shared: list[str] | None = None,
) -> InvariantResult:
    """The result from failures by guest (each line already says ``guest K: ...``) and ``shared``
    lines that belong to no guest; ``bad`` may use ``{n}`` (lines) and ``{g}`` (guests)."""
    evidence = [line for guest in sorted(failures) for line in failures[guest]]
    evidence += shared or []
    if not evidence:
        return InvariantResult(name, params, True, ok)
    summary = bad.format(n=len(evidence), g=len(failures)) if failures else f"{len(evidence)} problem(s)"
    return InvariantResult(name, params, False, summary, evidence, sorted(failures))
