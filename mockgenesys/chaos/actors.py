"""The seam for kinds of workload: what a run gives each one, and what it asks of it.

A run drives every registered kind beside the timeline: the guests (``guests.GuestWorkload``)
today; a platform workload (a backend or bot on OAuth client credentials and REST) is one more
module that implements ``Actors`` and is registered in ``runner.py``.
"""

from __future__ import annotations

from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, Protocol

from mockgenesys.chaos.control import MockControl
from mockgenesys.chaos.scenario import Scenario


@dataclass(frozen=True)
class RunEnv:
    """What every workload of one run shares: the scenario, the control and the run's text tag."""

    scenario: Scenario
    control: MockControl
    tag: str


class Actors(Protocol):
    """One kind of workload: a set of actors, each a coroutine the runner runs concurrently.

    ``plan`` is called once per run and returns the actors that run (a focused, isolated run
    returns fewer); each actor records what it asked for and what it got on the workload object,
    for the invariants. An actor catches what its adapter raises and records it; it raises only
    ``AdapterError`` (the adapter is unusable), which stops the run.
    """

    kind: str

    def plan(self, env: RunEnv) -> list[Coroutine[Any, Any, None]]:
        """The actors of this run, not yet started."""
