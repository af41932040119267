"""The reports of a chaos run: ``report.json``, ``junit.xml`` and ``report.html``."""

from __future__ import annotations

import json
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mockgenesys.chaos.errors import OptionsError
from mockgenesys.chaos.html import render_html

if TYPE_CHECKING:
    from mockgenesys.chaos.result import ScenarioResult

REPORT_VERSION = 1
REPORT_FILES = {"json": "report.json", "junit": "junit.xml", "html": "report.html"}


def report_dict(
    results: Sequence[ScenarioResult],
    *,
    not_run: Sequence[str] = (),
    shard: dict[str, int] | None = None,
    sweep: Sequence[Sequence[Any]] | None = None,
) -> dict[str, Any]:
    """The machine-readable report of one ``chaos run`` (what ``report.json`` holds).

    ``incomplete`` is true when the run was cut short (Ctrl-C, or a live target that went away):
    a scenario was interrupted (``interrupted``) or never started (listed in ``not_run``). A run
    with ``--shard i/N`` also names its ``shard`` (``index``, ``count``) and the whole ``sweep``
    (``[scenario, seed]`` in order), which ``chaos merge`` puts back together.
    """
    from mockgenesys import __version__

    incomplete = bool(not_run) or any(r.interrupted for r in results)
    report: dict[str, Any] = {
        "report_version": REPORT_VERSION,
        "tool": f"mockgenesys {__version__}",
        "passed": all(r.passed for r in results) and not incomplete,
        "incomplete": incomplete,
        "not_run": list(not_run),
        "scenarios": [r.to_dict() for r in results],
    }
    if shard is not None:
        report["shard"] = dict(shard)
        report["sweep"] = [list(unit) for unit in sweep or []]
    return report


def junit_xml(report: dict[str, Any]) -> str:
    """One ``testsuite`` per scenario and one ``testcase`` per invariant, as CI systems read it."""
    suites = ET.Element("testsuites", name="mockgenesys chaos")
    total = failures = 0
    for scenario in report["scenarios"]:
        cases = scenario["invariants"]
        failed = sum(1 for c in cases if not c["passed"]) + (1 if scenario["aborted"] else 0)
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=f"chaos.{scenario['scenario']}",
            tests=str(len(cases) + (1 if scenario["aborted"] else 0)),
            failures=str(failed),
            errors="0",
            time=f"{scenario['wall_seconds']:.3f}",
        )
        props = ET.SubElement(suite, "properties")
        for key in ("seed", "guests", "target", "source"):
            ET.SubElement(props, "property", name=key, value=str(scenario[key]))
        if scenario["aborted"]:
            case = ET.SubElement(suite, "testcase", classname=f"chaos.{scenario['scenario']}", name="completes")
            ET.SubElement(case, "failure", message=scenario["aborted"]).text = scenario["replay_all"]
        for invariant in cases:
            case = ET.SubElement(
                suite, "testcase", classname=f"chaos.{scenario['scenario']}", name=invariant["name"], time="0"
            )
            if not invariant["passed"]:
                replays = [scenario["replay"][str(g)] for g in invariant["failing_guests"][:5]]
                lines = [*invariant["evidence"], "", "Replay:", *(replays or [scenario["replay_all"]])]
                ET.SubElement(case, "failure", message=invariant["summary"]).text = "\n".join(lines)
        total += len(cases) + (1 if scenario["aborted"] else 0)
        failures += failed
    for name in report.get("not_run", []):
        suite = ET.SubElement(suites, "testsuite", name=f"chaos.{name}", tests="1", failures="1", errors="0", time="0")
        case = ET.SubElement(suite, "testcase", classname=f"chaos.{name}", name="completes")
        ET.SubElement(case, "failure", message="not run: the run stopped (Ctrl-C or an error) before this scenario")
        total += 1
        failures += 1
    for shard in report.get("missing_shards", []):
        name = f"chaos.shard-{shard}"
        suite = ET.SubElement(suites, "testsuite", name=name, tests="1", failures="1", errors="0", time="0")
        case = ET.SubElement(suite, "testcase", classname=name, name="completes")
        ET.SubElement(case, "failure", message=f"shard {shard} of the sweep has no report in the merge")
        total += 1
        failures += 1
    suites.set("tests", str(total))
    suites.set("failures", str(failures))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def check_report_dir(directory: str | Path) -> Path:
    """Make sure the three reports can be written into ``directory`` (created if missing), before a run.

    ``OptionsError`` says what is in the way: a file where the directory should be, a file on the
    way to it, a report name taken by a directory, or a directory that cannot be written.
    """
    folder = Path(directory)
    if folder.exists() and not folder.is_dir():
        raise OptionsError(
            f"--report {folder} is a file; give a directory (report.json, junit.xml and report.html go into it)."
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OptionsError(f"--report {folder} cannot be created ({exc.strerror}); give another directory.") from None
    for name in REPORT_FILES.values():
        if (folder / name).is_dir():
            raise OptionsError(
                f"--report {folder}: {folder / name} is a directory; remove it or give another directory."
            )
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise OptionsError(f"--report {folder} is not writable ({exc.strerror}); give another directory.") from None
    return folder


def write_reports(
    results: Sequence[ScenarioResult],
    directory: str | Path,
    *,
    not_run: Sequence[str] = (),
    shard: dict[str, int] | None = None,
    sweep: Sequence[Sequence[Any]] | None = None,
) -> dict[str, Path]:
    """Write ``report.json``, ``junit.xml`` and ``report.html`` into ``directory``; returns the paths.

    ``not_run`` names scenarios a cut-short run never started (the report is then incomplete);
    ``shard`` and ``sweep`` mark the report of one shard of a sweep (see ``report_dict``).
    """
    return write_report_dict(report_dict(results, not_run=not_run, shard=shard, sweep=sweep), directory)


def write_report_dict(report: dict[str, Any], directory: str | Path) -> dict[str, Path]:
    """Write the three reports of ``report`` (a ``report_dict``, or merged shards) into ``directory``."""
    folder = check_report_dir(directory)
    paths = {kind: folder / name for kind, name in REPORT_FILES.items()}
    paths["json"].write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    paths["junit"].write_text(junit_xml(report), encoding="utf-8")
    paths["html"].write_text(render_html(report), encoding="utf-8")
    return paths
