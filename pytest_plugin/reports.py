"""What the plugin tells you about a test's mocks: report files and failure sections."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mockgenesys import MockGenesys
    from mockgenesys.conformance import ConformanceReport

JOURNAL_TAIL = 15


def file_stem(nodeid: str, index: int) -> str:
    """A file name for one test's mock: the node id made safe, plus ``-N`` for the Nth extra mock."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.replace("::", "__")).strip("_") or "test"
    return stem[:180] + (f"-{index}" if index else "")


def write(directory: Path, nodeid: str, index: int, mock: MockGenesys, report: ConformanceReport) -> list[Path]:
    """Write ``<test>.journal.jsonl``, ``<test>.conformance.json`` and ``<test>.conformance.txt``."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = file_stem(nodeid, index)
    journal = directory / f"{stem}.journal.jsonl"
    journal.write_text(mock.journal.to_jsonl(), encoding="utf-8")
    data = {"test": nodeid, "seed": mock.seed, "faults": mock.faults.to_list(), **report.to_dict()}
    conformance = directory / f"{stem}.conformance.json"
    conformance.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    text = directory / f"{stem}.conformance.txt"
    text.write_text(f"{nodeid}\n{report}\n", encoding="utf-8")
    return [journal, conformance, text]


def section(mock: MockGenesys, report: ConformanceReport, *, with_report: bool = True) -> str:
    """A failing test's mockgenesys section: seed, fault rules, conformance, the journal's tail."""
    lines = [f"seed={mock.seed} clock={mock.clock!r}"]
    rules = mock.faults.to_list()
    lines.append(f"fault rules: {json.dumps(rules)}" if rules else "fault rules: none")
    if with_report:
        lines.append(str(report))
    entries = list(mock.journal)
    lines.append(f"journal: {mock.journal.total} entries, last {min(len(entries), JOURNAL_TAIL)}:")
    lines += [f"  {entry}" for entry in entries[-JOURNAL_TAIL:]] or ["  (empty)"]
    return "\n".join(lines)
