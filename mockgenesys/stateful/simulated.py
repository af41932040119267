"""What both state machines stand on: a mock on discrete-event time and an event loop to drive it."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from hypothesis.stateful import RuleBasedStateMachine

from mockgenesys.chaos.simclock import SimClock
from mockgenesys.conformance import RULES
from mockgenesys.mock import MockGenesys

T = TypeVar("T")

#: Virtual seconds one step may take before the machine calls the client stuck.
MAX_STEP_SECONDS = 7 * 86400.0
#: Conformance rules a correct client never breaks (``limit_breach``: the machines' 429s are injected).
GRADED_RULES = tuple(rule for rule in RULES if rule != "limit_breach")


class SimulatedMachine(RuleBasedStateMachine):
    """A ``MockGenesys`` on a ``SimClock`` (concurrent tasks that sleep wait together, as in a chaos
    run) and the loop that ``run`` drives it on; ``close_loop`` ends every task left behind."""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.clock = SimClock()
        self.mock = MockGenesys(seed=7, clock=self.clock, conversations=2, contacts=2)
        self.clock.deadline_sources.append(self.mock.scheduler.next_due)

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        result: T = self.loop.run_until_complete(self.clock.drive(coroutine, max_seconds=MAX_STEP_SECONDS))
        return result

    def close_loop(self) -> None:
        leftover = asyncio.all_tasks(self.loop)
        for task in leftover:
            task.cancel()
        if leftover:
            self.loop.run_until_complete(asyncio.wait(leftover))
        self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        self.loop.close()
