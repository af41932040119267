"""The runner: one skeleton, run in-process and live (the ``target`` fixture) with the same checks."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from chaos_adapters import DoubleSender, Forgetful, WsGuest

from mockgenesys.chaos import (
    AdapterError,
    OptionsError,
    Scenario,
    ScenarioError,
    load_builtin,
    run_scenario,
    run_scenario_async,
)
from mockgenesys.chaos.runner import prepare

INVARIANTS: list[Any] = [
    "no_lost_message",
    "no_duplicate",
    "order_kept",
    "retry_after_honoured",
    {"bounded_reauth": {"max_sessions": 1}},
    {"recovery_within": {"seconds": 30}},
]


def scenario(**extra: Any) -> Scenario:
    """Four guests, six texts each, no rate limits (as the live target): quick enough in real time."""
    data = {
        "name": "unit",
        "seed": 3,
        "guests": 4,
        "world": {"limits": {"enabled": False}},
        "workload": {"messages": 6, "pacing": 0.15, "start_spread": 0.05, "restore_every": 3},
        "invariants": INVARIANTS,
    }
    data.update(extra)
    return Scenario.from_dict(data)


def test_runner_passes_a_careful_client_and_counts_from_the_server(target: str | None) -> None:
    result = run_scenario(scenario(), target=target, adapter_factory=WsGuest)
    assert result.passed, [r.evidence for r in result.invariants]
    metrics = result.metrics
    assert metrics["messages"] == {"planned": 24, "sent_ok": 24, "send_errors": 0, "stored": 24}
    assert metrics["endpoints"]["guest.ws.onMessage"] == {"200": 24}
    assert metrics["reauth"]["totals"]["configure_session"] == 4
    assert metrics["restores"] == {"ok": 12, "failed": 0}  # after m2, m5 and at the end
    assert result.target == target and result.adapter == "chaos_adapters:WsGuest" and not result.adapter_errors


def test_runner_catches_duplicates_and_names_the_guests_with_replay_commands(target: str | None) -> None:
    result = run_scenario(scenario(), target=target, adapter_factory=DoubleSender)
    dup = next(r for r in result.invariants if r.name == "no_duplicate")
    assert not dup.passed and dup.guests == [0, 1, 2, 3]
    assert "stored 2 times" in dup.evidence[0]
    where = f" --target {target}" if target else ""
    assert result.replay_command(2) == (
        f"mockgenesys chaos run unit --seed 3 --guests 4 --guest 2{where} --adapter chaos_adapters:DoubleSender"
    )


def test_runner_catches_messages_the_client_claimed_but_never_sent(target: str | None) -> None:
    result = run_scenario(scenario(), target=target, adapter_factory=Forgetful)
    lost = next(r for r in result.invariants if r.name == "no_lost_message")
    assert not lost.passed and len(lost.evidence) == 4  # m3 of each of 4 guests
    assert "the client reported it sent, but the server has no such message" in lost.evidence[0]


def test_runner_timeline_events_act_on_the_mock(target: str | None) -> None:
    data = scenario(
        timeline=[
            {
                "at": 0.3,
                "fault": {
                    "match": {"endpoint": "guest.ws.onMessage"},
                    "when": {"times": 3},
                    "then": {"status": 429, "retry_after": 1},
                },
            },
            {"at": 0.35, "advance": 100},
            {"at": 0.4, "expire_sessions": {"fraction": 0.5}},
        ],
        invariants=["no_lost_message", "retry_after_honoured", {"recovery_within": {"seconds": 10}}],
    )
    result = run_scenario(data, target=target, adapter_factory=WsGuest)
    assert result.passed, [r.evidence for r in result.invariants]
    summaries = [e["summary"] for e in result.metrics["timeline"]]
    assert summaries[:2] == ["armed rule-1", "clock +100 s"]
    if target is None:
        assert summaries[2] == "expired 2 guest session(s)"  # half of the 4 sessions
    else:  # half of the sessions already open: on a busy machine a guest may start late
        assert re.fullmatch(r"expired [12] guest session\(s\)", summaries[2]), summaries[2]
    assert result.metrics["faults"]["fired"] == {"rule-1": 3}
    assert result.metrics["endpoints"]["guest.ws.onMessage"]["429"] == 3


def test_runner_isolate_runs_only_the_chosen_guest(target: str | None) -> None:
    result = run_scenario(scenario(), target=target, guest=1, isolate=True, adapter_factory=WsGuest)
    assert result.passed and result.metrics["messages"]["planned"] == 6
    assert result.metrics["reauth"]["totals"]["configure_session"] == 1
    assert result.replay_command().endswith(
        "--guest 1 --isolate" + (f" --target {target}" if target else "") + (" --adapter chaos_adapters:WsGuest")
    )


def test_runner_default_adapter_is_the_client_core(target: str | None) -> None:
    data = scenario(guests=3, workload={"messages": 3, "pacing": 0.15, "start_spread": 0.05, "restore_every": 3})
    result = run_scenario(data, target=target)
    assert result.passed, [r.evidence for r in result.invariants]
    assert result.adapter is None and "--adapter" not in result.replay_command(0)


def test_runner_drops_and_occupies_connections_in_process_and_live(target: str | None) -> None:
    # live, the events wait a second and the guests keep sending for about three: on a busy machine
    # the guests need a while to connect, and an event that comes first finds nobody to act on
    at = 0.4 if target is None else 1.0
    data = scenario(
        timeline=[
            {"at": at, "occupy_connections": {"count": 2, "hold": 0.2}},
            {"at": at + 0.05, "drop_sockets": {"fraction": 0.5}},
        ],
        invariants=["no_lost_message", "order_kept"],
        **({} if target is None else {"workload": {"messages": 20, "pacing": 0.15, "start_spread": 0.05}}),
    )
    result = run_scenario(data, target=target, adapter_factory=WsGuest)
    assert result.passed, [r.evidence for r in result.invariants]
    occupied, dropped = [e["summary"] for e in result.metrics["timeline"]]
    if target is None:  # virtual time: exactly this
        assert occupied == "occupied 8 connection slot(s) on 4 session(s) for 0.2 s"
        assert dropped == "dropped 6 guest socket(s)"  # 2 of 4 sessions: each guest's socket and its 2 tabs
    else:  # real time: the guests that were connected when the events came (on a busy machine, not all)
        match = re.fullmatch(r"occupied (\d+) connection slot\(s\) on (\d+) session\(s\) for 0.2 s", occupied)
        assert match is not None and int(match[1]) == 2 * int(match[2]) >= 2, occupied
        assert re.fullmatch(r"dropped [1-9]\d* guest socket\(s\)", dropped), dropped
    assert result.metrics["reauth"]["totals"]["configure_session"] >= 4  # the guests' own, not the tabs'


def test_runner_secure_sessions_in_process_and_live(target: str | None) -> None:
    data = scenario(
        guests=3,
        workload={
            "messages": 2,
            "pacing": 0.05,
            "start_spread": 0.05,
            "secure_session": {"kms_delay": {"fixed": 0.3}, "kms_timeout": 0.1},
        },
        invariants=[{"secure_session_created": {"within": 2}}, "no_lost_message"],
    )
    result = run_scenario(data, target=target, adapter_factory=WsGuest)
    assert result.passed, [r.evidence for r in result.invariants]
    outcomes = [r.secure for r in result.records]
    assert all(o is not None and o.kms_synced is False and o.webhook_calls == 1 for o in outcomes)


def test_runner_slow_kms_webhook_does_not_hold_up_the_broker() -> None:
    result = run_scenario(load_builtin("slow-kms-webhook"), guests=6)
    assert result.passed, [r.evidence for r in result.invariants]
    synced = [r.secure.kms_synced for r in result.records if r.secure is not None]
    assert False in synced and True in synced  # some webhooks answered in time, some were too slow


def test_runner_is_deterministic_per_seed() -> None:
    data = load_builtin("soak-mixed-faults")
    first = run_scenario(data, guests=6, adapter_factory=WsGuest).to_dict()
    second = run_scenario(data, guests=6, adapter_factory=WsGuest).to_dict()
    for report in (first, second):
        report.pop("wall_seconds")
        report["metrics"].pop("latency")  # holds server time in wall milliseconds
    assert first == second
    assert first["metrics"]["faults"]["total"] > 0


def test_runner_focus_on_one_guest_reproduces_that_guests_failure() -> None:
    full = run_scenario(load_builtin("socket-drops-reconnect"), guests=8, adapter_factory=WsGuest)
    assert not full.passed and full.failing_guests
    guest = full.failing_guests[0]
    replay = run_scenario(load_builtin("socket-drops-reconnect"), guests=8, guest=guest, adapter_factory=WsGuest)
    assert replay.failing_guests == [guest]
    mine = [line for r in full.invariants for line in r.evidence if line.startswith(f"guest {guest}:")]
    assert [line for r in replay.invariants for line in r.evidence] == mine


def test_runner_aborts_at_the_virtual_time_limit() -> None:
    data = scenario(workload={"messages": 5, "pacing": 100}, limits={"max_virtual_seconds": 50})
    result = run_scenario(data, adapter_factory=WsGuest)
    assert not result.passed and result.aborted == "the run went past 50 virtual seconds"
    lost = next(r for r in result.invariants if r.name == "no_lost_message")
    assert "never sent" in lost.evidence[-1]


def test_runner_names_what_the_adapter_raised() -> None:
    class Broken(WsGuest):
        async def send(self, text: str) -> None:
            raise RuntimeError("the adapter's own bug")

    result = run_scenario(scenario(), adapter_factory=Broken)
    assert [str(e) for e in result.adapter_errors] == [
        "send raised RuntimeError: the adapter's own bug (24 time(s) in 4 guest(s))"
    ]
    assert result.to_dict()["adapter_errors"][0]["guests"] == [0, 1, 2, 3]
    assert any("no importable module:name" in note for note in result.notes)  # a local class cannot be replayed


def test_runner_refuses_an_adapter_without_the_protocol_before_it_starts() -> None:
    class NoSend:
        def __init__(self, context: Any) -> None:
            pass

        async def start(self) -> None:
            raise AssertionError("never started")

    with pytest.raises(AdapterError, match="built a NoSend without send, restore, close") as info:
        run_scenario(scenario(), adapter_factory=NoSend)  # type: ignore[arg-type]
    assert info.value.missing == ("send", "restore", "close")


def test_runner_refuses_an_adapter_with_a_sync_method() -> None:
    class SyncSend(WsGuest):
        def send(self, text: str) -> None:  # type: ignore[override]
            return None

    with pytest.raises(AdapterError, match=r"SyncSend.send returned NoneType, not an awaitable"):
        run_scenario(scenario(), adapter_factory=SyncSend)


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"guest": 4}, OptionsError, "--guest must be from 0 to 3 (scenario unit has 4 guests), got 4."),
        ({"isolate": True}, OptionsError, "isolate needs a guest"),
        ({"target": "127.0.0.1:8765"}, OptionsError, "--target must be the base URL of a running mock"),
        ({"guests": 0}, ScenarioError, "guests: must be from 1"),
        ({"seed": -1}, ScenarioError, "seed: must be from 0"),
    ],
)
def test_runner_refuses_bad_options_before_anything_runs(options: dict[str, Any], error: type, message: str) -> None:
    with pytest.raises(error) as info:
        prepare(scenario(), **options)
    assert message in str(info.value)


def test_runner_refuses_an_unreachable_target_with_a_sentence() -> None:
    with pytest.raises(Exception, match=r"Cannot reach the mock's admin API at http://127.0.0.1:9/__admin"):
        run_scenario(scenario(), target="http://127.0.0.1:9")


async def test_runner_async_form_runs_in_the_callers_loop_and_cancels_cleanly() -> None:
    result = await run_scenario_async(scenario(guests=2), adapter_factory=WsGuest)
    assert result.passed
    started = asyncio.Event()

    class Waiting(WsGuest):
        async def start(self) -> None:
            started.set()
            await asyncio.Event().wait()

    task = asyncio.ensure_future(run_scenario_async(scenario(guests=2), adapter_factory=Waiting))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task  # cancelling the async form cancels it; only run_scenario turns Ctrl-C into a partial result


def test_one_process_carries_a_thousand_client_core_guests() -> None:
    result = run_scenario(load_builtin("baseline"), guests=1000)
    assert result.passed, [r.evidence for r in result.invariants if not r.passed]
    messages = result.metrics["messages"]
    assert messages["stored"] == messages["planned"] == messages["sent_ok"] >= 1000
