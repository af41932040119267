"""What the plugin tells you about a test's mocks: report files and failure sections."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mockgenesys import MockGenesys
    from mockgenesys.conformance import ConformanceReport

JOURNAL_TAIL = 15


def file_stem(nodeid: str, index: int) -> str:
    """A file name for one test's mock: the node id made safe, plus ``-N`` for the Nth extra mock."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.replace("::", "__")).strip("_") or "test"
    return stem[:180] + (f"-{index}" if index else "")


def unfired_rules(mock: MockGenesys) -> list[dict[str, Any]]:
    """The mock's installed fault rules that never fired, each as its dict plus ``matches``."""
    return [
        {**rule.to_dict(), "matches": mock.faults.stats(rule.id)["matches"]}
        for rule in mock.faults
        if rule.id is not None and mock.faults.stats(rule.id)["fired"] == 0
    ]


def unfired_text(unfired: list[dict[str, Any]]) -> str:
    """One line per rule that never fired: its id, how often it matched, the rule, and what to check."""
    lines = []
    for data in unfired:
        rule = {key: value for key, value in data.items() if key not in ("id", "matches")}
        why = (
            "its when (after, every, probability, start/end) never came due"
            if data["matches"]
            else "no request or frame matched it (check endpoint, method, principal, action)"
        )
        lines.append(f"  {data['id']} never fired: matched {data['matches']} time(s); {why}: {json.dumps(rule)}")
    return "\n".join(lines)


def strict_failure(report: ConformanceReport, unfired: list[dict[str, Any]]) -> str:
    """Why a test that passed fails under ``genesys(strict=True)``: violations, rules that never fired, or both."""
    parts = []
    if not report.ok:
        parts.append(f"mockgenesys: the test passed, but genesys(strict=True) found conformance violations.\n{report}")
    if unfired:
        head = "mockgenesys: the test passed, but" if report.ok else "mockgenesys: and"
        parts.append(
            f"{head} genesys(strict=True) found {len(unfired)} fault rule(s) that never fired, so the test never "
            f"exercised them:\n{unfired_text(unfired)}"
        )
    return "\n".join(parts)


def write(directory: Path, nodeid: str, index: int, mock: MockGenesys, report: ConformanceReport) -> list[Path]:
    """Write ``<test>.journal.jsonl``, ``<test>.conformance.json`` and ``<test>.conformance.txt``.

    The JSON and the text also list the fault rules that never fired.
    """
    directory.mkdir(parents=True, exist_ok=True)
    stem = file_stem(nodeid, index)
    journal = directory / f"{stem}.journal.jsonl"
    journal.write_text(mock.journal.to_jsonl(), encoding="utf-8")
    unfired = unfired_rules(mock)
    data = {"test": nodeid, "seed": mock.seed, "faults": mock.faults.to_list(), "unfired": unfired, **report.to_dict()}
    conformance = directory / f"{stem}.conformance.json"
    conformance.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    text = directory / f"{stem}.conformance.txt"
    never = f"\nFault rules that never fired:\n{unfired_text(unfired)}" if unfired else ""
    text.write_text(f"{nodeid}\n{report}{never}\n", encoding="utf-8")
    return [journal, conformance, text]


def section(mock: MockGenesys, report: ConformanceReport, *, with_report: bool = True) -> str:
    """A failing test's mockgenesys section: seed, fault rules, conformance, the journal's tail."""
    lines = [f"seed={mock.seed} clock={mock.clock!r}"]
    rules = mock.faults.to_list()
    lines.append(f"fault rules: {json.dumps(rules)}" if rules else "fault rules: none")
    unfired = unfired_rules(mock)
    if unfired:
        lines.append(unfired_text(unfired).strip())
    if with_report:
        lines.append(str(report))
    entries = list(mock.journal)
    lines.append(f"journal: {mock.journal.total} entries, last {min(len(entries), JOURNAL_TAIL)}:")
    lines += [f"  {entry}" for entry in entries[-JOURNAL_TAIL:]] or ["  (empty)"]
    return "\n".join(lines)
