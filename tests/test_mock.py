from __future__ import annotations

import pytest

from mockgenesys import MockGenesys, VirtualClock


def test_mock_check_takes_typed_keywords() -> None:
    mock = MockGenesys(seed=1, clock=VirtualClock())
    assert mock.check(rules=["retry_after"], storm_count=2, storm_window=30.0, refresh_margin=10.0).ok
    with pytest.raises(TypeError):
        mock.check(storm_cuont=2)  # type: ignore[call-arg]


def test_mock_builds_each_part_with_what_it_uses() -> None:
    mock = MockGenesys(seed=1, clock=VirtualClock())
    state = mock.server.state
    assert mock.hub.state is state and mock.agent.state is state and mock.hub.agent is mock.agent
    assert mock.server.hub is mock.hub and mock.hub.sockets is mock.agent.sockets
    assert mock.server.faults is mock.faults is mock.hub.faults


def test_mock_reset_and_load_world_reach_every_part() -> None:
    mock = MockGenesys(seed=1, clock=VirtualClock())
    before = mock.world
    mock.reset()
    assert mock.world is not before and mock.server.world is mock.world is mock.hub.world is mock.agent.world
    mock.load_world(before.snapshot())
    assert mock.hub.world is mock.world is mock.agent.world


def test_mock_refuses_a_clock_that_is_not_a_clock() -> None:
    from mockgenesys import ConfigError

    class Half:
        def now(self) -> float:
            return 0.0

    with pytest.raises(ConfigError, match="is_virtual"):
        MockGenesys(clock=Half())  # type: ignore[arg-type]
