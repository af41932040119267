"""The bot workload: a bot and Open Messaging users beside the guests, and its invariants."""

from __future__ import annotations

from typing import Any

import pytest

from mockgenesys.chaos import Scenario, ScenarioError, load_builtin, run_scenario


def scenario(**changes: Any) -> Scenario:
    data: dict[str, Any] = {
        "name": "bots",
        "seed": 4,
        "guests": 2,
        "workload": {"messages": 2, "pacing": 1, "restore_at_end": False},
        "bot": {"open_users": 2, "messages": 2, "pacing": 1, "grace": 30},
        "invariants": ["no_lost_message", {"bot_answered": {"within": 10}}, "webhooks_delivered"],
        **changes,
    }
    return Scenario.from_dict(data)


def failures(result: Any) -> dict[str, list[str]]:
    return {r.name: r.evidence for r in result.invariants if not r.passed}


def test_bots_answer_guests_and_open_users(target: str | None) -> None:
    # live, time is real: the bot stops after 3 quiet seconds instead of 10
    result = run_scenario(scenario(bot={"open_users": 2, "messages": 2, "pacing": 0.2, "grace": 3}), target=target)
    assert result.passed, failures(result)


@pytest.mark.parametrize("name", ["bot-beside-guests", "bot-under-faults", "channel-expiry-backend"])
def test_bots_builtin_scenarios_pass_with_the_client_core(name: str) -> None:
    result = run_scenario(load_builtin(name), guests=2)
    assert result.passed, failures(result)


def test_bots_bot_answered_blames_each_unanswered_customer() -> None:
    refuse = {"match": {"endpoint": "conversations.message.send"}, "then": {"status": 403}}
    result = run_scenario(scenario(timeline=[{"at": 0, "fault": refuse}]))
    evidence = failures(result)["bot_answered"]
    assert any(line.startswith("guest 0: ") and "got no answer" in line for line in evidence)
    assert any(line.startswith("open user 1: ") for line in evidence)
    (verdict,) = [r for r in result.invariants if r.name == "bot_answered"]
    assert verdict.guests == [0, 1]


def test_bots_webhooks_delivered_fails_when_every_attempt_fails() -> None:
    failing = {"match": {"endpoint": "openmessaging.webhook"}, "then": {"status": 503}}
    result = run_scenario(
        scenario(timeline=[{"at": 0, "fault": failing}], bot={"open_users": 1, "messages": 1, "grace": 120})
    )
    evidence = failures(result)["webhooks_delivered"]
    assert evidence and "never reached the webhook: 503, 503, 503, 503, 503, 503" in evidence[0]


@pytest.mark.parametrize(
    ("bot", "path"),
    [
        ({"open_users": -1}, "bot.open_users"),
        ({"users": 2}, "bot.users"),
        ({"pacing": {"uniform": [3, 1]}}, "bot.pacing.uniform"),
        ({"grace": 0}, "bot.grace"),
        ("many", "bot"),
    ],
)
def test_bots_section_errors_name_the_field(bot: Any, path: str) -> None:
    with pytest.raises(ScenarioError, match=f"{path}: "):
        scenario(bot=bot)


def test_bots_invariant_parameters_are_checked() -> None:
    with pytest.raises(ScenarioError, match="within"):
        scenario(invariants=[{"bot_answered": {"within": 0}}])
    with pytest.raises(ScenarioError, match="none"):
        scenario(invariants=[{"webhooks_delivered": {"within": 3}}])
