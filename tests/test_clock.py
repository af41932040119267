from __future__ import annotations

import pytest

from mockgenesys import DEFAULT_EPOCH, SystemClock, VirtualClock


def test_virtual_clock_moves_only_when_told() -> None:
    clock = VirtualClock()
    assert clock.now() == DEFAULT_EPOCH and clock.monotonic() == 0
    clock.advance(1.5)
    clock.sleep_sync(2)
    assert clock.now() == DEFAULT_EPOCH + 3.5


async def test_virtual_clock_sleep_advances() -> None:
    clock = VirtualClock(start=100)
    await clock.sleep(3600)
    assert clock.now() == 3700


def test_system_clock_advance_is_an_offset() -> None:
    clock = SystemClock()
    before = clock.now()
    clock.advance(3600)
    assert clock.now() - before >= 3600


@pytest.mark.parametrize("bad", [-1, float("nan")])
def test_clock_refuses_to_go_back(bad: float) -> None:
    with pytest.raises(ValueError, match="only moves forward"):
        VirtualClock().advance(bad)


def test_clock_protocol_says_whether_time_is_virtual() -> None:
    from mockgenesys import Clock

    virtual: Clock = VirtualClock()
    system: Clock = SystemClock()
    assert (virtual.is_virtual, system.is_virtual) == (True, False)
    assert isinstance(virtual, Clock) and isinstance(system, Clock)
