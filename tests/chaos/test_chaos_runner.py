from __future__ import annotations

from typing import Any

import pytest
from chaos_adapters import DoubleSender, Forgetful, WsGuest

from mockgenesys import MockGenesys
from mockgenesys.chaos import ChaosError, Scenario, load_builtin, run_scenario

INVARIANTS: list[Any] = [
    "no_lost_message",
    "no_duplicate",
    "order_kept",
    "retry_after_honoured",
    {"bounded_reauth": {"max_sessions": 1}},
    {"recovery_within": {"seconds": 30}},
]


def scenario(**extra: Any) -> Scenario:
    data = {"name": "unit", "seed": 3, "guests": 4, "workload": {"messages": 6, "pacing": 1, "restore_every": 3}}
    data["invariants"] = INVARIANTS
    data.update(extra)
    return Scenario.from_dict(data)


def test_runner_passes_a_careful_client_and_counts_from_the_server() -> None:
    result = run_scenario(scenario(), adapter_factory=WsGuest)
    assert result.passed, [r.evidence for r in result.invariants]
    metrics = result.metrics
    assert metrics["messages"] == {"planned": 24, "sent_ok": 24, "send_errors": 0, "stored": 24}
    assert metrics["endpoints"]["guest.ws.onMessage"] == {"200": 24}
    assert metrics["reauth"]["totals"]["configure_session"] == 4
    assert metrics["restores"] == {"ok": 12, "failed": 0}  # after m2, m5 and at the end


def test_runner_catches_duplicates_and_names_the_guests_with_replay_commands() -> None:
    result = run_scenario(scenario(), adapter_factory=DoubleSender)
    dup = next(r for r in result.invariants if r.name == "no_duplicate")
    assert not dup.passed and dup.guests == [0, 1, 2, 3]
    assert "stored 2 times" in dup.evidence[0]
    assert result.replay_command(2) == "mockgenesys chaos run unit --seed 3 --guests 4 --guest 2"


def test_runner_catches_messages_the_client_claimed_but_never_sent() -> None:
    result = run_scenario(scenario(), adapter_factory=Forgetful)
    lost = next(r for r in result.invariants if r.name == "no_lost_message")
    assert not lost.passed and len(lost.evidence) == 4  # m3 of each of 4 guests
    assert "the client reported it sent, but the server has no such message" in lost.evidence[0]


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


def test_runner_isolate_runs_only_the_chosen_guest() -> None:
    result = run_scenario(scenario(), guest=1, isolate=True, adapter_factory=WsGuest)
    assert result.passed and result.metrics["messages"]["planned"] == 6
    assert result.metrics["reauth"]["totals"]["configure_session"] == 1


def test_runner_timeline_events_act_on_the_mock() -> None:
    data = scenario(
        timeline=[
            {
                "at": 2,
                "fault": {
                    "match": {"endpoint": "guest.ws.onMessage"},
                    "when": {"times": 3},
                    "then": {"status": 429, "retry_after": 2},
                },
            },
            {"at": 3, "advance": 100},
            {"at": 4, "expire_sessions": {"fraction": 0.5}},
        ],
        invariants=["no_lost_message", "retry_after_honoured", {"recovery_within": {"seconds": 10}}],
    )
    result = run_scenario(data, adapter_factory=WsGuest)
    assert result.passed, [r.evidence for r in result.invariants]
    summaries = [e["summary"] for e in result.metrics["timeline"]]
    assert summaries == ["armed rule-1", "clock +100 s", "expired 2 guest session(s)"]
    assert result.metrics["faults"]["fired"] == {"rule-1": 3}
    assert result.metrics["endpoints"]["guest.ws.onMessage"]["429"] == 3


def test_runner_slow_kms_webhook_does_not_hold_up_the_broker() -> None:
    result = run_scenario(load_builtin("slow-kms-webhook"), guests=6)
    assert result.passed, [r.evidence for r in result.invariants]
    synced = [r.secure.kms_synced for r in result.records]
    assert False in synced and True in synced  # some webhooks answered in time, some were too slow


def test_runner_default_adapter_is_the_client_core() -> None:
    result = run_scenario(load_builtin("baseline"), guests=3)
    assert result.passed, [r.evidence for r in result.invariants]


def test_runner_aborts_at_the_virtual_time_limit() -> None:
    data = scenario(workload={"messages": 5, "pacing": 100}, limits={"max_virtual_seconds": 50})
    result = run_scenario(data, adapter_factory=WsGuest)
    assert not result.passed and result.aborted == "the run went past 50 virtual seconds"
    lost = next(r for r in result.invariants if r.name == "no_lost_message")
    assert "never sent" in lost.evidence[-1]


def test_runner_refuses_in_process_only_events_against_a_live_target() -> None:
    with pytest.raises(ChaosError, match="drop_sockets"):
        run_scenario(load_builtin("connection-limit"), target="http://127.0.0.1:9", adapter_factory=WsGuest)


def test_runner_rejects_a_guest_outside_the_scenario() -> None:
    with pytest.raises(Exception, match="--guest must be from 0 to 3"):
        run_scenario(scenario(), guest=4, adapter_factory=WsGuest)


@pytest.mark.live
def test_runner_against_a_live_server_in_real_time() -> None:
    mock = MockGenesys(seed=5)
    data = scenario(
        guests=3,
        workload={"messages": 3, "pacing": 0.05, "start_spread": 0.05, "restore_every": 3},
        timeline=[
            {
                "at": 0.05,
                "fault": {
                    "match": {"endpoint": "guest.ws.onMessage"},
                    "when": {"times": 1},
                    "then": {"status": 429, "retry_after": 1},
                },
            }
        ],
        invariants=["no_lost_message", "no_duplicate", "order_kept", "retry_after_honoured"],
    )
    with mock.serve() as url:
        result = run_scenario(data, target=url, adapter_factory=WsGuest)
    assert result.passed, [r.evidence for r in result.invariants]
    assert result.metrics["messages"]["stored"] == 9 and result.metrics["faults"]["total"] == 1
    assert [e["summary"] for e in result.metrics["timeline"]] == ["armed rule-1"]
    assert result.replay_command(0).endswith(f"--guest 0 --target {url}")


def test_one_process_carries_a_thousand_client_core_guests() -> None:
    result = run_scenario(load_builtin("baseline"), guests=1000)
    assert result.passed, [r.evidence for r in result.invariants if not r.passed]
    messages = result.metrics["messages"]
    assert messages["stored"] == messages["planned"] == messages["sent_ok"] >= 1000
