"""The bot workload: a bot and Open Messaging users beside the guests, and its invariants."""

from __future__ import annotations

from typing import Any

import pytest

from mockgenesys.chaos import Scenario, ScenarioError, load_builtin, run_scenario
from mockgenesys.chaos.botchecks import answer_due, bot_answered
from mockgenesys.chaos.grading import BOT_LABEL
from mockgenesys.chaos.records import ServerView


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


def test_bots_bot_answered_blames_the_bot_for_each_unanswered_customer() -> None:
    refuse = {"match": {"endpoint": "conversations.message.send"}, "then": {"status": 403}}
    result = run_scenario(scenario(timeline=[{"at": 0, "fault": refuse}]))
    evidence = failures(result)["bot_answered"]
    assert any(line.startswith("bot: guest 0's text ") and "got no answer" in line for line in evidence)
    assert any(line.startswith("bot: open user 1's text ") for line in evidence)
    (verdict,) = [r for r in result.invariants if r.name == "bot_answered"]
    assert verdict.guests == []  # the texts are on the server: the guests did their part


@pytest.mark.parametrize("name", ["bot-beside-guests", "bot-under-faults"])
def test_bots_builtin_scenarios_hold_at_fifty_guests(name: str) -> None:
    # 212 customer texts: more than one token may answer in a minute; the bot paces itself
    # under token.rate.per.minute and bot_answered's bound grows with the queue
    result = run_scenario(load_builtin(name), guests=50)
    assert result.passed, failures(result)


def test_bots_a_bot_over_the_rate_limit_is_named_as_the_toolkits_bug() -> None:
    limited = scenario(
        world={"limits": {"token_per_minute": 4}},
        invariants=[{"conformance": {"rules": ["limit_breach"]}}],
    )
    result = run_scenario(limited)
    (verdict,) = [r for r in result.invariants if r.name == "conformance"]
    assert not verdict.passed and verdict.guests == []
    assert all(line.startswith(f"{BOT_LABEL}: [limit_breach]") for line in verdict.evidence)


def view_of(*messages: tuple[str, str, float], jumps: list[tuple[float, float]] | None = None) -> ServerView:
    """A server view of one conversation holding ``(direction, text, timestamp)`` messages."""
    rows = [{"direction": d, "text": t, "timestamp": at} for d, t, at in messages]
    return ServerView("s/1", [{"id": "c1", "messages": rows}], [], [], jumps or [])


PARAMS = {"within": 10.0, "per_minute": 120.0}


def test_bots_bot_answered_fails_a_text_answered_twice() -> None:
    text = "chaos s/1 g0 m0 hello"
    verdict = bot_answered(
        view_of(("inbound", text, 0), ("outbound", "echo: " + text, 1), ("outbound", "echo: " + text, 2)), [], PARAMS
    )
    assert not verdict.passed
    assert verdict.evidence == [f"bot: guest 0's text {text!r} was answered 2 times (answer each text once)"]


def test_bots_bot_answered_allows_the_queue_the_documented_rate_builds() -> None:
    texts = [f"chaos s/1 g{n} m0 hi" for n in range(40)]
    sent = [("inbound", t, 0.0) for t in texts]
    # 40 texts at once: at 120 answers a minute text k is reached after 0.5 (k + 1) s
    assert answer_due([0.0] * 40, 120.0)[39] == 20.0
    in_time = [("outbound", "echo: " + t, 0.5 * (k + 1) + 9.5) for k, t in enumerate(texts)]
    assert bot_answered(view_of(*sent, *in_time), [], PARAMS).passed
    # the last text 29 s later is in time, the first is not: it was due after 0.5 s
    at_once = [("outbound", "echo: " + t, 29.0) for t in texts]
    verdict = bot_answered(view_of(*sent, *at_once), [], PARAMS)
    assert not verdict.passed and verdict.guests == []
    assert verdict.evidence[0].startswith("bot: guest ") and "over 10.5 s" in verdict.evidence[0]
    assert len(verdict.evidence) == 37  # texts 37 to 39 were due 18.5 s or later: 29 s is in time


def test_bots_bot_answered_excludes_clock_jumps_from_the_wait() -> None:
    text = "chaos s/1 g0 m0 hello"
    view = view_of(("inbound", text, 0.0), ("outbound", "echo: " + text, 905.0), jumps=[(1.0, 900.0)])
    assert bot_answered(view, [], PARAMS).passed


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
    with pytest.raises(ScenarioError, match="per_minute"):
        scenario(invariants=[{"bot_answered": {"per_minute": True}}])
    with pytest.raises(ScenarioError, match="none"):
        scenario(invariants=[{"webhooks_delivered": {"within": 3}}])
