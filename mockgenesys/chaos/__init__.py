r"""Chaos runs: scenarios (YAML) of many guests under faults, judged from the server's state.

``Scenario`` is the validated model, ``run_scenario`` runs one (in-process on a ``SimClock``
or against a live URL: guests through ``GuestAdapter`` objects, and a platform workload through one
``PlatformAdapter`` when the scenario has a ``platform`` section) and returns a typed ``ScenarioResult``, ``write_reports`` writes
``report.json``, ``junit.xml`` and ``report.html``. Runs drive the mock through ``MockControl``
(``InProcessControl`` or ``AdminControl``). The ``mockgenesys chaos`` command wraps them.

Errors (``mockgenesys.chaos.errors``)::

    MockGenesysError
    └── ChaosError               anything mockgenesys.chaos refuses or cannot do
        ├── ScenarioError        (also a ConfigError) a scenario is invalid: file, field path, bad value
        ├── OptionsError         (also a ConfigError) run options that cannot work; nothing ran
        │   └── AdapterError     an adapter factory cannot be imported, or builds no GuestAdapter
        └── ControlError         the live target's admin API is unreachable or refused
"""

from __future__ import annotations

from mockgenesys.chaos.actors import Actors, RunEnv
from mockgenesys.chaos.adapters import (
    AdapterFactory,
    GuestContext,
    PlatformContext,
    PlatformFactory,
    core_adapter_factory,
    core_platform_factory,
    load_factory,
)
from mockgenesys.chaos.control import Evidence, Firing, MockControl, MockFacts, Occupation, SessionInfo
from mockgenesys.chaos.errors import AdapterError, ChaosError, ControlError, OptionsError, ScenarioError
from mockgenesys.chaos.inprocess import InProcessControl
from mockgenesys.chaos.invariants import INVARIANTS, InvariantResult
from mockgenesys.chaos.library import builtin_paths, builtin_scenarios, load_builtin, resolve
from mockgenesys.chaos.metrics import Metrics
from mockgenesys.chaos.records import (
    GuestRecord,
    PlatformCall,
    PlatformRecord,
    Raised,
    RestoreRecord,
    RunRecords,
    SendRecord,
    ServerView,
)
from mockgenesys.chaos.remote import AdminControl
from mockgenesys.chaos.report import write_reports
from mockgenesys.chaos.result import AdapterErrors, AppliedEvent, ScenarioResult
from mockgenesys.chaos.runner import run_scenario, run_scenario_async
from mockgenesys.chaos.scenario import Scenario
from mockgenesys.chaos.simclock import SimClock, SimulationLimit

__all__ = [
    "INVARIANTS",
    "Actors",
    "AdapterError",
    "AdapterErrors",
    "AdapterFactory",
    "AdminControl",
    "AppliedEvent",
    "ChaosError",
    "ControlError",
    "Evidence",
    "Firing",
    "GuestContext",
    "GuestRecord",
    "InProcessControl",
    "InvariantResult",
    "Metrics",
    "MockControl",
    "MockFacts",
    "Occupation",
    "OptionsError",
    "PlatformCall",
    "PlatformContext",
    "PlatformFactory",
    "PlatformRecord",
    "Raised",
    "RestoreRecord",
    "RunEnv",
    "RunRecords",
    "Scenario",
    "ScenarioError",
    "ScenarioResult",
    "SendRecord",
    "ServerView",
    "SessionInfo",
    "SimClock",
    "SimulationLimit",
    "builtin_paths",
    "builtin_scenarios",
    "core_adapter_factory",
    "core_platform_factory",
    "load_builtin",
    "load_factory",
    "resolve",
    "run_scenario",
    "run_scenario_async",
    "write_reports",
]
