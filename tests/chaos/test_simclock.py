from __future__ import annotations

import pytest

from mockgenesys.chaos import SimClock, SimulationLimit
from mockgenesys.scheduler import Scheduler


def test_simclock_next_deadline_sees_the_earliest_scheduler_timer() -> None:
    clock = SimClock()
    scheduler = Scheduler(clock)
    clock.deadline_sources.append(scheduler.next_due)
    assert scheduler.next_due() is None and clock.next_deadline() is None
    scheduler.call_later(5, lambda: None)
    scheduler.call_later(2, lambda: None)
    assert scheduler.next_due() == clock.next_deadline() == clock.now() + 2
    clock.advance(3)  # the 2 s timer fired
    assert clock.next_deadline() == clock.now() + 2


async def test_simclock_a_pause_too_short_to_register_still_moves_time() -> None:
    # far from zero a float cannot hold now + 1e-12; a caller waiting out such a remainder must
    # still see time pass, or it asks again forever (Timing.wait_for with a virtual clock did)
    clock = SimClock()
    start = clock.now()

    async def tiny() -> None:
        await clock.sleep(1e-12)

    await clock.drive(tiny(), max_seconds=1)
    assert clock.now() > start


async def test_simclock_drive_stops_at_the_virtual_time_limit() -> None:
    clock = SimClock()
    start = clock.now()

    async def forever() -> None:
        while True:
            await clock.sleep(10)

    with pytest.raises(SimulationLimit, match="past 25 virtual seconds"):
        await clock.drive(forever(), max_seconds=25)
    assert clock.now() - start == 20  # it stopped before the step that would pass the limit
