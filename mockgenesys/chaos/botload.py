"""``bot:`` in a scenario: a bot and Open Messaging users that run beside the guests.

    bot:
      open_users: 3          # external users posting through an Open Messaging integration
      messages: 4            # texts each of them sends
      pacing: {uniform: [1, 3]}
      grace: 120             # how long the bot keeps answering once every sender is done

The bot (``chaos.bots``) hears of every conversation of the org's queue through a notification
channel and answers each customer text as the agent (``echo: <text>``); answers to open users go
out through the integration's signed webhook to a receiver that checks the signature.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mockgenesys.faults.actions import draw_seconds

BOT_FIELDS = ("open_users", "messages", "pacing", "grace")
MAX_USERS = 1000
MAX_MESSAGES = 10_000
#: What the bot answers to a customer's text.
ANSWER_PREFIX = "echo: "


@dataclass(frozen=True)
class BotLoad:
    """The validated ``bot`` section of a scenario."""

    open_users: int = 0
    messages: int = 3
    pacing_kind: str = "fixed"
    pacing_a: float = 1.0
    pacing_b: float = 0.0
    grace: float = 120.0

    def pause(self, rng: Any) -> float:
        """Seconds between one open user's texts."""
        return draw_seconds(self.pacing_kind, self.pacing_a, self.pacing_b, rng)


Fail = Callable[[str, str], Exception]


def parse_bot(value: Any, fail: Fail) -> BotLoad:
    """The ``bot`` section; ``fail(path, message)`` builds the scenario's load-time error."""
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise fail("bot", f"must be a mapping with any of {', '.join(BOT_FIELDS)}; got {value!r}")
    for key in value:
        if key not in BOT_FIELDS:
            raise fail(f"bot.{key}", f"unknown field {key!r}; valid fields: {', '.join(BOT_FIELDS)}")
    users = _whole(value.get("open_users", 0), "bot.open_users", 0, MAX_USERS, fail)
    messages = _whole(value.get("messages", 3), "bot.messages", 0, MAX_MESSAGES, fail)
    grace = value.get("grace", 120.0)
    if isinstance(grace, bool) or not isinstance(grace, (int, float)) or not 0 < grace < math.inf:
        raise fail("bot.grace", f"must be seconds > 0, got {grace!r}")
    kind, a, b = _pacing(value.get("pacing", 1.0), fail)
    return BotLoad(users, messages, kind, a, b, float(grace))


def _whole(value: Any, path: str, low: int, high: int, fail: Fail) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise fail(path, f"must be a whole number from {low} to {high}, got {value!r}")
    return value


def _pacing(value: Any, fail: Fail) -> tuple[str, float, float]:
    def seconds(v: Any, where: str) -> float:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v < math.inf:
            raise fail(where, f"must be seconds >= 0, got {v!r}")
        return float(v)

    if not isinstance(value, dict):
        return "fixed", seconds(value, "bot.pacing"), 0.0
    if len(value) == 1 and "fixed" in value:
        return "fixed", seconds(value["fixed"], "bot.pacing.fixed"), 0.0
    if len(value) == 1 and "uniform" in value and isinstance(value["uniform"], list) and len(value["uniform"]) == 2:
        low = seconds(value["uniform"][0], "bot.pacing.uniform[0]")
        high = seconds(value["uniform"][1], "bot.pacing.uniform[1]")
        if high < low:
            raise fail("bot.pacing.uniform", f"high must be >= low, got {value['uniform']!r}")
        return "uniform", low, high
    spec = value.get("lognormal") if len(value) == 1 else None
    if isinstance(spec, dict) and set(spec) <= {"median", "sigma"} and "median" in spec:
        median = seconds(spec["median"], "bot.pacing.lognormal.median")
        sigma = seconds(spec.get("sigma", 0.5), "bot.pacing.lognormal.sigma")
        if median <= 0 or sigma > 5:
            raise fail("bot.pacing.lognormal", f"needs median > 0 and sigma from 0 to 5, got {spec!r}")
        return "lognormal", median, sigma
    raise fail(
        "bot.pacing",
        f"must be seconds, {{fixed: s}}, {{uniform: [low, high]}} or {{lognormal: {{median, sigma}}}}; got {value!r}",
    )
