"""Invariants of the bot workload (``bot:`` in a scenario), judged from the server's side.

=====================  ==========================================================  ===================
name                   passes when                                                 parameters
=====================  ==========================================================  ===================
bot_answered           every customer text of the run (guests' and open users')    within (120)
                       has the bot's answer in its conversation, at most
                       ``within`` seconds later (timeline clock jumps excluded)
webhooks_delivered     every agent message on an Open Messaging conversation       —
                       reached the integration's webhook (a 2xx, retries and
                       late copies included) and none ended ``Failed``; no
                       forged delivery was accepted
=====================  ==========================================================  ===================
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from mockgenesys.chaos.botload import ANSWER_PREFIX

if TYPE_CHECKING:
    from mockgenesys.chaos.records import GuestRecord, ServerView

_TEXT = re.compile(r"^chaos (\S+) ([gu])(\d+) m(\d+)(?: |$)")


class Verdict(NamedTuple):
    """One invariant's verdict, field for field an ``InvariantResult`` (``InvariantResult(*verdict)``)."""

    name: str
    params: dict[str, Any]
    passed: bool
    summary: str
    evidence: list[str]
    guests: list[int]


def _verdict(name: str, params: dict[str, Any], failures: dict[int, list[str]], other: list[str], ok: str) -> Verdict:
    evidence = [line for guest in sorted(failures) for line in failures[guest]] + other
    if not evidence:
        return Verdict(name, params, True, ok, [], [])
    return Verdict(name, params, False, f"{len(evidence)} failure(s)", evidence, sorted(failures))


def bot_answered(view: ServerView, guests: list[GuestRecord], params: dict[str, Any]) -> Verdict:
    within = float(params["within"])
    failures: dict[int, list[str]] = defaultdict(list)
    other: list[str] = []
    for conversation in view.conversations:
        messages = conversation.get("messages", [])
        answers = {
            str(m.get("text"))[len(ANSWER_PREFIX) :]: float(m.get("timestamp", 0.0))
            for m in messages
            if m.get("direction") == "outbound" and str(m.get("text") or "").startswith(ANSWER_PREFIX)
        }
        for message in messages:
            text = str(message.get("text") or "")
            match = _TEXT.match(text)
            if message.get("direction") != "inbound" or match is None or match.group(1) != view.tag:
                continue
            sent = float(message.get("timestamp", 0.0))
            answered = answers.get(text)
            if answered is None:
                line = f"{text!r} got no answer from the bot"
            elif view.waited(sent, answered) > within:
                line = f"{text!r} was answered {view.waited(sent, answered):.1f} s later (over {within:g} s)"
            else:
                continue
            if match.group(2) == "g":
                failures[int(match.group(3))].append(f"guest {match.group(3)}: {line}")
            else:
                other.append(f"open user {match.group(3)}: {line}")
    return _verdict("bot_answered", params, failures, other, "the bot answered every customer text in time")


def webhooks_delivered(view: ServerView, guests: list[GuestRecord], params: dict[str, Any]) -> Verdict:
    accepted: set[str] = set()
    forged: list[str] = []
    attempts: dict[str, list[str]] = defaultdict(list)
    for entry in view.entries:
        if entry.endpoint != "openmessaging.webhook" or entry.detail is None:
            continue
        if entry.code == "forged":
            if 200 <= entry.status < 300:
                forged.append(f"a forged delivery of {entry.detail} was accepted ({entry})")
            continue
        attempts[entry.detail].append(f"{entry.status}{' ' + entry.code if entry.code else ''}")
        if 200 <= entry.status < 300:  # a late copy reached the connector too
            accepted.add(entry.detail)
    other = list(forged)
    for conversation in view.conversations:
        if conversation.get("messenger_type") != "open":
            continue
        for message in conversation.get("messages", []):
            if message.get("direction") == "outbound" and message.get("id") not in accepted:
                tried = ", ".join(attempts.get(str(message.get("id")), [])) or "no attempt"
                other.append(
                    f"agent message {message.get('id')} ({message.get('text')!r}) never reached the webhook: {tried}"
                )
    return _verdict("webhooks_delivered", params, {}, other, "every agent message reached the webhook")


BotCheck = Callable[["ServerView", "list[GuestRecord]", dict[str, Any]], Verdict]
BOT_INVARIANTS: dict[str, BotCheck] = {"bot_answered": bot_answered, "webhooks_delivered": webhooks_delivered}
BOT_PARAMS: dict[str, tuple[str, ...]] = {"bot_answered": ("within",)}


def validate_bot_params(name: str, params: dict[str, Any]) -> dict[str, Any]:
    """Check a bot invariant's parameters; ``ValueError`` says what is wrong."""
    valid = BOT_PARAMS.get(name, ())
    unknown = sorted(set(params) - set(valid))
    if unknown:
        raise ValueError(f"unknown parameter(s) {unknown}; valid: {', '.join(valid) or 'none'}")
    out = dict(params)
    if name == "bot_answered":
        within = out.setdefault("within", 120.0)
        if isinstance(within, bool) or not isinstance(within, (int, float)) or within <= 0:
            raise ValueError(f"within must be a number of seconds > 0, got {within!r}")
        out["within"] = float(within)
    return out
