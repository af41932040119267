"""Build a ``MockGenesys`` from the marker's options: seed, limits, fault rules, scenario.

Imported lazily by the fixtures, never at plugin import.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mockgenesys import MockGenesys, VirtualClock
from mockgenesys.errors import ConfigError
from mockgenesys.faults.plan import FaultPlan, read_document
from mockgenesys.faults.rules import FaultRule
from mockgenesys.pytest_plugin.settings import MarkerError, MarkerOptions

FILE_SUFFIXES = (".yaml", ".yml", ".json")


def build_mock(options: MarkerOptions, base_dir: Path) -> MockGenesys:
    """A fresh in-process mock on a ``VirtualClock`` with the marker's faults installed."""
    try:
        mock = MockGenesys(seed=options.seed, clock=VirtualClock(), limits=options.limits, dialect=options.dialect)
    except ConfigError as exc:
        raise MarkerError(f"genesys(limits=...): {exc}") from None
    install_faults(mock, options, base_dir)
    return mock


def install_faults(mock: MockGenesys, options: MarkerOptions, base_dir: Path) -> None:
    """Install the scenario's fault timeline, then the marker's ``faults`` rules."""
    rules: list[FaultRule | dict[str, Any]] = []
    if options.scenario is not None:
        rules.extend(scenario_faults(options.scenario, base_dir))
    rules.extend(options.faults)
    if not rules:
        return
    try:
        mock.add_fault(*rules)
    except ConfigError as exc:
        raise MarkerError(f"genesys(faults=...) has an invalid rule: {exc}") from None


def scenario_faults(scenario: str, base_dir: Path) -> list[FaultRule]:
    """The fault rules of ``scenario``: a file of fault rules, a chaos scenario file, or a built-in name.

    A chaos scenario (a YAML file with a ``timeline``, or a name from ``scenarios/``) contributes
    its ``fault`` events; a fault armed at ``at`` seconds becomes a rule whose window starts at
    ``at``. Its other events (clock moves, expiries, agent actions) are the chaos runner's.
    """
    from mockgenesys.chaos.library import load_builtin
    from mockgenesys.chaos.scenario import Scenario
    from mockgenesys.server.endpoints import endpoint_catalogue

    path = _as_path(scenario, base_dir)
    try:
        if path is None:
            loaded = load_builtin(scenario)
        else:
            data = read_document(path)  # read once: a chaos scenario has a timeline, a faults file has not
            if not (isinstance(data, dict) and "timeline" in data):
                return FaultPlan.rules_from_document(data, path, catalogue=endpoint_catalogue())
            loaded = Scenario.from_dict(data, str(path))
    except ConfigError as exc:
        raise MarkerError(
            f"genesys(scenario={scenario!r}): {exc} Pass a built-in scenario name or a path to a YAML/JSON file, "
            "relative to the test file or the current directory."
        ) from None
    rules: list[FaultRule] = []
    for event in loaded.timeline:
        if event.kind != "fault":
            continue
        rule = _armed_at(dict(event.args), event.at)
        if rule is not None:
            rules.append(FaultRule.from_dict(rule))
    return rules


def _armed_at(rule: dict[str, Any], at: float) -> dict[str, Any] | None:
    """``rule`` as if armed at ``at`` seconds: its window starts no earlier; ``None`` if it never opens."""
    when = dict(rule.get("when") or {})
    start = max(float(when.get("start") or 0.0), at)
    end = when.get("end")
    if end is not None and end <= start:
        return None
    if start > 0:
        when["start"] = start
    if when:
        rule["when"] = when
    return rule


def _as_path(scenario: str, base_dir: Path) -> Path | None:
    raw = Path(scenario).expanduser()
    for candidate in (raw, base_dir / raw) if not raw.is_absolute() else (raw,):
        if candidate.is_file():
            return candidate
    if raw.suffix in FILE_SUFFIXES:
        raise MarkerError(
            f"genesys(scenario={scenario!r}): no such file (looked in {base_dir} and the current directory)."
        )
    return None
