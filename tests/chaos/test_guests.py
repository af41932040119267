"""The guest workload: texts and seeds from the scenario's seed alone, everything the adapter raises kept."""

from __future__ import annotations

import random
from typing import Any

from chaos_adapters import WsGuest

from mockgenesys.chaos import InProcessControl, RunEnv, Scenario, core_adapter_factory
from mockgenesys.chaos.guests import GuestWorkload, describe, guest_seed, plan_texts
from mockgenesys.chaos.records import TEXT_PATTERN


def scenario(**workload: Any) -> Scenario:
    return Scenario.from_dict({"name": "g", "seed": 4, "guests": 3, "workload": {"messages": 3, **workload}})


def test_guests_texts_are_unique_padded_and_follow_the_seed() -> None:
    data = scenario(text_bytes=80)
    texts = plan_texts(data, "g/4", 2, random.Random("x"))
    assert texts == plan_texts(data, "g/4", 2, random.Random("x")) and len(set(texts)) == 3
    assert all(len(t) == 80 for t in texts)
    match = TEXT_PATTERN.match(texts[1])
    assert match is not None and match.groups() == ("g/4", "2", "1")
    assert guest_seed(4, 2) == guest_seed(4, 2) != guest_seed(5, 2)


def test_guests_an_isolated_run_plans_one_guest_with_the_full_runs_texts() -> None:
    full = GuestWorkload(scenario(), "tag", WsGuest)
    alone = GuestWorkload(scenario(), "tag", WsGuest, only=1)
    assert [r.planned for r in alone.records] == [r.planned for r in full.records]
    assert [r.index for r in alone.running] == [1] and len(full.running) == 3
    env = RunEnv(scenario(), InProcessControl.for_scenario(scenario()), "tag")
    planned = alone.plan(env)
    assert len(planned) == 1
    planned[0].close()  # never started


async def test_guests_record_what_the_adapter_raised_and_restores_that_are_no_list() -> None:
    class Odd(WsGuest):
        async def restore(self) -> Any:
            return None

        async def close(self) -> None:
            await super().close()
            raise OSError("socket already gone")

    data = scenario(pacing=1, restore_every=2)
    control = InProcessControl.for_scenario(data)
    workload = GuestWorkload(data, "g/4", Odd, only=0)
    [actor] = workload.plan(RunEnv(data, control, "g/4"))
    await control.drive(actor, max_seconds=600)
    record = workload.records[0]
    assert [(r.method, r.error) for r in record.raised] == [
        ("restore", "returned NoneType, not a list of texts"),
        ("restore", "returned NoneType, not a list of texts"),
        ("close", "OSError: socket already gone"),
    ]
    assert [r[1:] for r in record.restores] == [(0, "returned NoneType, not a list of texts")] * 2
    assert record.errors == ["close failed: OSError: socket already gone"] and record.finished
    assert [s.done is not None for s in record.sends] == [True, True, True]


def test_guests_describe_is_one_line() -> None:
    assert describe(ValueError("first line\nsecond")) == "ValueError: first line"
    assert describe(KeyError()) == "KeyError"
    assert len(describe(RuntimeError("x" * 1000))) == 300


async def test_guests_pipelined_sends_do_not_wait_for_each_other() -> None:
    data = scenario(pacing=0.5, pipelined=True, restore_at_end=False)
    control = InProcessControl.for_scenario(data)
    control.mock.add_fault(
        {"match": {"endpoint": "guest.ws.onMessage"}, "when": {"times": 1}, "then": {"delay": 5}}
    )  # the first send is slow
    workload = GuestWorkload(data, "g/4", core_adapter_factory, only=0)  # the client core queues them
    [actor] = workload.plan(RunEnv(data, control, "g/4"))
    await control.drive(actor, max_seconds=600)
    sends = workload.records[0].sends
    assert [s.issued - sends[0].issued for s in sends] == [0.0, 0.5, 1.0]  # each on schedule
    assert all(s.done is not None for s in sends) and workload.records[0].finished
