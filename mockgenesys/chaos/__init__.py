"""Chaos runs: scenarios (YAML) of many guests under faults, judged from the server's state.

``Scenario`` is the validated model, ``run_scenario`` runs one (in-process on a ``SimClock``
or against a live URL), ``write_reports`` writes ``report.json``, ``junit.xml`` and
``report.html``. The ``mockgenesys chaos`` command wraps them. Errors::

    MockGenesysError
    ├── ConfigError
    │   └── ScenarioError   a scenario is invalid: file, field path, bad value
    └── ChaosError          a run cannot start (no adapter, unreachable target, event not live)
"""

from __future__ import annotations

from mockgenesys.chaos.invariants import INVARIANTS, GuestRecord, InvariantResult, ServerView
from mockgenesys.chaos.library import builtin_paths, builtin_scenarios, load_builtin, resolve
from mockgenesys.chaos.report import write_reports
from mockgenesys.chaos.runner import (
    AdapterFactory,
    ChaosError,
    GuestContext,
    ScenarioResult,
    core_adapter_factory,
    run_scenario,
    run_scenario_async,
)
from mockgenesys.chaos.scenario import Scenario, ScenarioError
from mockgenesys.chaos.simclock import SimClock

__all__ = [
    "INVARIANTS",
    "AdapterFactory",
    "ChaosError",
    "GuestContext",
    "GuestRecord",
    "InvariantResult",
    "Scenario",
    "ScenarioError",
    "ScenarioResult",
    "ServerView",
    "SimClock",
    "builtin_paths",
    "builtin_scenarios",
    "core_adapter_factory",
    "load_builtin",
    "resolve",
    "run_scenario",
    "run_scenario_async",
    "write_reports",
]
