from __future__ import annotations

from mockgenesys.chaos import SimClock
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
