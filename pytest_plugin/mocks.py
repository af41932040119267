"""Build a ``MockGenesys`` from the marker's options: seed, limits, fault rules, scenario.

Imported lazily by the fixtures, never at plugin import.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from mockgenesys import MockGenesys, VirtualClock
from mockgenesys.errors import ConfigError
from mockgenesys.faults.plan import FaultPlan
from mockgenesys.faults.rules import FaultRule
from pytest_plugin.settings import MarkerError, MarkerOptions

FILE_SUFFIXES = (".yaml", ".yml", ".json")


def build_mock(options: MarkerOptions, base_dir: Path) -> MockGenesys:
    """A fresh in-process mock on a ``VirtualClock`` with the marker's faults installed."""
    try:
        mock = MockGenesys(seed=options.seed, clock=VirtualClock(), limits=options.limits)
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
    """The fault rules of ``scenario``: a YAML/JSON file path, or a built-in chaos scenario name."""
    path = _as_path(scenario, base_dir)
    if path is not None:
        chaos = _chaos_faults(path)
        if chaos is not None:
            return chaos
        try:
            return FaultPlan.load_file(path)
        except ConfigError as exc:
            raise MarkerError(f"genesys(scenario={scenario!r}): {exc}") from None
    chaos = _chaos_faults(scenario)
    if chaos is None:
        raise MarkerError(
            f"genesys(scenario={scenario!r}) is not a file (looked in {base_dir} and the current directory) and "
            "scenario names need the mockgenesys.chaos package; pass a path to a YAML/JSON fault-rule file."
        )
    return chaos


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


def _chaos_faults(source: str | Path) -> list[FaultRule] | None:
    """The fault timeline of a chaos scenario, if ``mockgenesys.chaos`` exists and knows it."""
    if importlib.util.find_spec("mockgenesys.chaos") is None:
        return None
    import mockgenesys.chaos as chaos

    loader = getattr(chaos, "scenario_faults", None)
    if loader is None:
        return None
    try:
        found = loader(source)
    except ConfigError as exc:
        raise MarkerError(f"genesys(scenario={str(source)!r}): {exc}") from None
    return None if found is None else list(found)
