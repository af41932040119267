"""The platform workload: concurrent callers sharing one PlatformAdapter, every call recorded."""

from __future__ import annotations

from typing import Any

import pytest
from chaos_adapters import FirstPageBackend

from mockgenesys.chaos import AdapterError, InProcessControl, PlatformContext, RunEnv, Scenario, run_scenario
from mockgenesys.chaos.platform import PlatformWorkload, platform_seed
from mockgenesys.client import CorePlatformAdapter

INVARIANTS = ["platform_answers", "platform_recovered", {"conformance": {"rules": ["relogin_storm"]}}]


def scenario(**platform: Any) -> Scenario:
    return Scenario.from_dict(
        {
            "name": "p",
            "seed": 3,
            "guests": 1,
            "workload": {"messages": 0},
            "platform": {"callers": 3, "calls": 4, "pacing": 1.0, **platform},
            "invariants": INVARIANTS,
        }
    )


def test_platform_callers_share_one_adapter_and_cycle_through_the_operations() -> None:
    built: list[PlatformContext] = []

    def factory(context: PlatformContext) -> CorePlatformAdapter:
        built.append(context)
        assert context.mock is not None
        return CorePlatformAdapter.for_mock(context.mock, seed=context.seed, clock=context.clock)

    result = run_scenario(scenario(), platform_factory=factory)
    assert result.passed, [r.evidence for r in result.invariants]
    assert len(built) == 1 and built[0].seed == platform_seed(3)
    assert result.platform is not None and result.platform.finished
    calls = result.platform.calls
    assert len(calls) == 12 and all(c.error is None and c.done is not None for c in calls)
    assert [c.operation for c in calls if c.caller == 1] == ["history", "search", "organization", "history"]
    assert result.metrics["endpoints"]["oauth.token"] == {"200": 1}  # one token for the three callers


def test_platform_answers_compares_every_answer_with_the_server() -> None:
    result = run_scenario(
        scenario(callers=1, calls=3, operations=["history", "search"]), platform_factory=FirstPageBackend
    )
    [answers] = [r for r in result.invariants if r.name == "platform_answers"]
    assert not answers.passed
    assert any("read every page" in line and line.startswith("platform: caller 0") for line in answers.evidence)


def test_platform_recovered_allows_only_the_errors_named() -> None:
    refused = Scenario.from_dict(
        {
            "name": "p",
            "guests": 1,
            "workload": {"messages": 0},
            "platform": {"callers": 1, "calls": 2, "operations": ["search"]},
            "timeline": [
                {"at": 0, "fault": {"match": {"endpoint": "externalcontacts.search"}, "then": {"status": 403}}}
            ],
            "invariants": ["platform_recovered", {"platform_recovered": {"allow": ["PermissionDeniedError"]}}],
        }
    )
    failing, allowed = run_scenario(refused).invariants
    assert not failing.passed and "raised PermissionDeniedError" in failing.evidence[0]
    assert allowed.passed


async def test_platform_an_adapter_without_the_protocol_stops_the_run() -> None:
    class Half:
        def __init__(self, context: PlatformContext) -> None:
            pass

        async def start(self) -> None:
            pass

    data = scenario()
    control = InProcessControl.for_scenario(data)
    workload = PlatformWorkload(data, Half)  # type: ignore[arg-type]
    [actor] = workload.plan(RunEnv(data, control, "p/3"))
    with pytest.raises(AdapterError, match=r"without organization, history, search_contacts, close; a PlatformAdapter"):
        await control.drive(actor, max_seconds=60)


def test_platform_a_scenario_without_the_section_plans_nothing() -> None:
    data = Scenario.from_dict({"name": "g"})
    workload = PlatformWorkload(data, FirstPageBackend)
    assert workload.record is None
    assert workload.plan(RunEnv(data, InProcessControl.for_scenario(data), "g/0")) == []
