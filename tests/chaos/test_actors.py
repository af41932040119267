"""The workload seam: the guests are one ``Actors`` kind among the ones a run may drive."""

from __future__ import annotations

from chaos_adapters import WsGuest

from mockgenesys.chaos import Actors, InProcessControl, RunEnv, Scenario
from mockgenesys.chaos.guests import GuestWorkload


def test_actors_guest_workload_is_one_kind_of_actors() -> None:
    data = Scenario.from_dict({"name": "a", "guests": 2, "workload": {"messages": 1}})
    workload: Actors = GuestWorkload(data, "a/0", WsGuest)
    env = RunEnv(data, InProcessControl.for_scenario(data), "a/0")
    actors = workload.plan(env)
    assert workload.kind == "guests" and len(actors) == 2
    for actor in actors:
        actor.close()
    assert env.control.facts.mock is not None and env.tag == "a/0"
