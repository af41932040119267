"""Invariants of the bot workload (``bot:`` in a scenario), judged from the server's side.

=====================  ==========================================================  ===================
name                   passes when                                                 parameters
=====================  ==========================================================  ===================
bot_answered           every customer text of the run (guests' and open users')    within (120),
                       has exactly one answer of the bot in its conversation, at   per_minute (120)
                       most ``within`` seconds after a bot answering every text
                       in turn at ``per_minute`` answers a minute could reach it
                       (timeline clock jumps excluded)
webhooks_delivered     every agent message on an Open Messaging conversation       —
                       reached the integration's webhook (a 2xx, retries and
                       late copies included) and none ended ``Failed``; no
                       forged delivery was accepted
=====================  ==========================================================  ===================

``per_minute`` makes the bound hold at any number of guests: Genesys lets one token make 300
calls a minute (``token.rate.per.minute``) and an answer costs the bot two (a read of the
customer's text, the answer); with a fifth of the calls kept for connecting, reading again after
a notification gap and a live server's margin, that is 120 answers a minute. When customers write
faster, the texts queue, and a text's ``within`` counts from the moment that queue, drained at ``per_minute``,
reaches it (``answer_due``). A bot that never answers, answers a text twice, or answers slower
than the documented rate allows still fails. A failure is the bot's, never a guest's: the texts
are on the server, so the guests did their part.
"""

from __future__ import annotations

import math
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


#: Answers a minute a bot can give under ``token.rate.per.minute``: two calls each (a read, the
#: answer) at 240 of the 300 calls a minute Genesys allows a token; the rest is kept for connecting,
#: reading conversations again after a notification gap, and a live server's margin.
DEFAULT_PER_MINUTE = 120.0
DEFAULT_WITHIN = 120.0


def answer_due(sent: list[float], per_minute: float) -> list[float]:
    """When a bot answering every text in turn at ``per_minute`` answers a minute reaches each.

    ``sent`` is in the order the texts were sent; each text waits for the ones before it, and
    takes ``60 / per_minute`` seconds of its own.
    """
    due: list[float] = []
    for at in sent:
        due.append(max(at, due[-1] if due else at) + 60.0 / per_minute)
    return due


def bot_answered(view: ServerView, guests: list[GuestRecord], params: dict[str, Any]) -> Verdict:
    within = float(params["within"])
    per_minute = float(params["per_minute"])
    texts: list[tuple[float, str, str]] = []  # (sent, text, who)
    answers: dict[tuple[str, str], list[float]] = defaultdict(list)
    for conversation in view.conversations:
        messages = conversation.get("messages", [])
        for message in messages:
            text = str(message.get("text") or "")
            at = float(message.get("timestamp", 0.0))
            if message.get("direction") == "outbound" and text.startswith(ANSWER_PREFIX):
                answers[(str(conversation.get("id")), text[len(ANSWER_PREFIX) :])].append(at)
                continue
            match = _TEXT.match(text)
            if message.get("direction") != "inbound" or match is None or match.group(1) != view.tag:
                continue
            who = f"guest {match.group(3)}" if match.group(2) == "g" else f"open user {match.group(3)}"
            texts.append((at, text, f"{who}|{conversation.get('id')}"))
    # texts written at the same moment are reached in the order the bot answered them
    texts.sort(key=lambda t: (t[0], min(answers.get((t[2].split("|", 1)[1], t[1]), [math.inf])), t[1]))
    # on the clock that really passed: a timeline clock jump is nobody's delay
    real = [at - sum(seconds for jump, seconds in view.jumps if jump < at) for at, _, _ in texts]
    due = answer_due(real, per_minute)
    failures: list[str] = []
    for (sent, text, key), sent_real, due_real in zip(texts, real, due, strict=True):
        who, conversation_id = key.split("|", 1)
        got = answers.get((conversation_id, text), [])
        if not got:
            failures.append(f"bot: {who}'s text {text!r} got no answer")
            continue
        if len(got) > 1:
            failures.append(f"bot: {who}'s text {text!r} was answered {len(got)} times (answer each text once)")
        waited = view.waited(sent, min(got))
        allowed = within + (due_real - sent_real)
        if waited > allowed:
            failures.append(
                f"bot: {who}'s text {text!r} was answered {waited:.1f} s later, over {allowed:.1f} s "
                f"({within:g} s after a bot answering every text in turn at {per_minute:g} a minute reaches it)"
            )
    return _verdict("bot_answered", params, {}, failures, "the bot answered every customer text once, in time")


def webhooks_delivered(view: ServerView, guests: list[GuestRecord], params: dict[str, Any]) -> Verdict:
    accepted: set[str] = set()
    attempts: dict[str, list[str]] = defaultdict(list)
    for entry in view.entries:
        # a forged copy is the unverified_webhook conformance rule's to judge, not a delivery
        if entry.endpoint != "openmessaging.webhook" or entry.detail is None or entry.code == "forged":
            continue
        attempts[entry.detail].append(f"{entry.status}{' ' + entry.code if entry.code else ''}")
        if 200 <= entry.status < 300:  # a late copy reached the connector too
            accepted.add(entry.detail)
    other: list[str] = []
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
BOT_PARAMS: dict[str, tuple[str, ...]] = {"bot_answered": ("within", "per_minute")}


def validate_bot_params(name: str, params: dict[str, Any]) -> dict[str, Any]:
    """Check a bot invariant's parameters; ``ValueError`` says what is wrong."""
    valid = BOT_PARAMS.get(name, ())
    unknown = sorted(set(params) - set(valid))
    if unknown:
        raise ValueError(f"unknown parameter(s) {unknown}; valid: {', '.join(valid) or 'none'}")
    out = dict(params)
    if name == "bot_answered":
        for key, default, what in (
            ("within", DEFAULT_WITHIN, "seconds"),
            ("per_minute", DEFAULT_PER_MINUTE, "answers"),
        ):
            value = out.setdefault(key, default)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < math.inf:
                raise ValueError(f"{key} must be a number of {what} > 0, got {value!r}")
            out[key] = float(value)
    return out
