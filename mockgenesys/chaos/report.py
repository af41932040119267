"""The reports of a chaos run: ``report.json``, ``junit.xml`` and ``report.html``."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mockgenesys.chaos.html import render_html

if TYPE_CHECKING:
    from mockgenesys.chaos.runner import ScenarioResult

REPORT_VERSION = 1


def report_dict(results: Sequence[ScenarioResult]) -> dict[str, Any]:
    """The machine-readable report of one ``chaos run`` (what ``report.json`` holds)."""
    from mockgenesys import __version__

    return {
        "report_version": REPORT_VERSION,
        "tool": f"mockgenesys {__version__}",
        "passed": all(r.passed for r in results),
        "scenarios": [r.to_dict() for r in results],
    }


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
        total += len(cases)
        failures += failed
    suites.set("tests", str(total))
    suites.set("failures", str(failures))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def write_reports(results: Sequence[ScenarioResult], directory: str | Path) -> dict[str, Path]:
    """Write ``report.json``, ``junit.xml`` and ``report.html`` into ``directory``; returns the paths."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    report = report_dict(results)
    paths = {
        "json": folder / "report.json",
        "junit": folder / "junit.xml",
        "html": folder / "report.html",
    }
    paths["json"].write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    paths["junit"].write_text(junit_xml(report), encoding="utf-8")
    paths["html"].write_text(render_html(report), encoding="utf-8")
    return paths
