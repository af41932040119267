"""``InProcessControl``: a fresh mock per scenario, on the run's ``SimClock``."""

from __future__ import annotations

from mockgenesys.chaos import InProcessControl, Scenario
from mockgenesys.chaos.inprocess import MIN_JOURNAL_ROWS, mock_for


def test_inprocess_mock_takes_the_scenarios_seed_world_and_deployment_overrides() -> None:
    data = Scenario.from_dict(
        {
            "name": "w",
            "seed": 9,
            "guests": 3,
            "world": {"jwt_ttl": 120, "routing_delay": 0.5, "limits": {"ws_messages_per_second": 7}},
        }
    )
    control = InProcessControl.for_scenario(data)
    mock = control.mock
    assert mock.seed == 9 and mock.clock is control.clock is control.facts.clock
    assert mock.world.default_deployment.jwt_ttl == 120
    assert mock.limits.ws_messages_per_second == 7
    assert mock.journal.maxlen >= MIN_JOURNAL_ROWS
    assert mock_for(data, control.clock).world.snapshot() == mock.world.snapshot()  # same seed, same world


async def test_inprocess_drive_sees_the_mocks_timers() -> None:
    control = InProcessControl.for_scenario(Scenario.from_dict({"name": "t"}))
    fired: list[float] = []
    control.mock.scheduler.call_later(30, lambda: fired.append(control.now()))
    start = control.now()

    async def wait() -> None:
        await control.sleep(60)

    await control.drive(wait(), max_seconds=100)
    assert fired == [start + 30] and control.now() == start + 60
