"""What a judge said about a client, and the detection matrix built from those verdicts.

A judge returns a ``Verdict``: the ``Finding``\\ s it made against one client (a scenario's
failed invariant, a state-machine check that broke, a strict test that failed). A mutant
counts as *caught* by a judge only by findings the correct baseline of its kind does not also
get: a judge that blames the baseline (a false alarm) proves nothing about a mutant that fails
the same way.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

JUDGES = ("chaos", "machine", "strict")
JUDGE_TITLES = {"chaos": "chaos library", "machine": "state machine", "strict": "strict pytest"}
MAX_CELL_FINDINGS = 3


@dataclass(frozen=True)
class Finding:
    """One thing a judge held against a client.

    ``where`` is the scenario, case or state-machine step; ``what`` the invariant or rule that
    fired (``"conformance[retry_after]"``); ``counts`` is False for a failure that no rule
    explains (a strict test that failed only because the client raised); ``evidence`` is the
    judge's first line about it.
    """

    where: str
    what: str
    evidence: str = ""
    counts: bool = True

    @property
    def key(self) -> str:
        return f"{self.where}:{self.what}"


@dataclass
class Verdict:
    """One judge on one client: its findings, or why it does not apply."""

    judge: str
    subject: str
    findings: list[Finding] = field(default_factory=list)
    applicable: bool = True
    note: str = ""
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return bool(self.findings)


@dataclass(frozen=True)
class Row:
    """A client of the matrix: a baseline (``bug_class`` empty) or a mutant."""

    subject: str
    kind: str
    bug_class: str
    baseline: str  # the baseline of the same kind (itself for a baseline)


@dataclass
class Matrix:
    """Every verdict of a run, by (client, judge), and the table they make."""

    rows: list[Row]
    verdicts: dict[tuple[str, str], Verdict] = field(default_factory=dict)
    judges: tuple[str, ...] = JUDGES

    def add(self, verdict: Verdict) -> None:
        self.verdicts[(verdict.subject, verdict.judge)] = verdict

    def new_findings(self, row: Row, judge: str) -> list[Finding]:
        """The counting findings against ``row`` that its baseline does not also get."""
        verdict = self.verdicts.get((row.subject, judge))
        if verdict is None:
            return []
        reference = self.verdicts.get((row.baseline, judge))
        known = {f.key for f in reference.findings} if reference is not None and row.subject != row.baseline else set()
        return [f for f in verdict.findings if f.counts and f.key not in known]

    def caught(self, row: Row, judge: str) -> bool:
        return bool(self.new_findings(row, judge))

    def cell(self, row: Row, judge: str) -> str:
        verdict = self.verdicts.get((row.subject, judge))
        if verdict is None:
            return "not run"
        if not verdict.applicable:
            return "—"
        if row.subject == row.baseline:
            if not verdict.failed:
                return "passes"
            return "**FALSE ALARM** " + _listing(verdict.findings)
        found = self.new_findings(row, judge)
        if found:
            return "**caught** " + _listing(found)
        if not verdict.failed:
            return "missed"
        unexplained = [f for f in verdict.findings if not f.counts]
        shared = [f for f in verdict.findings if f.counts]
        notes = ["fails, no rule: " + _listing(unexplained)] if unexplained else []
        notes += ["only the baseline's false alarm: " + _listing(shared)] if shared else []
        return "missed (" + "; ".join(notes) + ")"

    def to_markdown(self) -> str:
        titles = [JUDGE_TITLES[j] for j in self.judges]
        lines = [
            "| client | kind | bug class | " + " | ".join(titles) + " |",
            "|---|---|---|" + "---|" * len(titles),
        ]
        for row in self.rows:
            cells = [self.cell(row, judge) for judge in self.judges]
            bug = row.bug_class or "(correct client)"
            lines.append(f"| {row.subject} | {row.kind} | {bug} | " + " | ".join(cells) + " |")
        mutants = [r for r in self.rows if r.subject != r.baseline]
        counts = []
        for judge in self.judges:
            applicable = [r for r in mutants if self._applies(r, judge)]
            caught = sum(self.caught(r, judge) for r in applicable)
            counts.append(f"{caught}/{len(applicable)}")
        lines.append("| **caught** | | | " + " | ".join(counts) + " |")
        return "\n".join(lines)

    def _applies(self, row: Row, judge: str) -> bool:
        verdict = self.verdicts.get((row.subject, judge))
        return verdict is not None and verdict.applicable

    def to_dict(self) -> dict[str, Any]:
        return {
            "judges": list(self.judges),
            "rows": [asdict(r) for r in self.rows],
            "verdicts": [asdict(v) for v in self.verdicts.values()],
            "caught": {r.subject: [j for j in self.judges if self.caught(r, j)] for r in self.rows},
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)


def _listing(findings: list[Finding]) -> str:
    keys = list(dict.fromkeys(f.key if f.counts else f"{f.where}: {f.what}" for f in findings))
    shown = ", ".join(f"`{k}`" for k in keys[:MAX_CELL_FINDINGS])
    return shown + (f" (+{len(keys) - MAX_CELL_FINDINGS} more)" if len(keys) > MAX_CELL_FINDINGS else "")
