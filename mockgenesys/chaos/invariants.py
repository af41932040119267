"""Invariants of a chaos run, computed from the SERVER's state, never from what the client says.

The evidence is the world's conversations and contacts (every guest text is unique:
``chaos <tag> g<K> m<i>``), the guest sessions, the journal, and what the workloads asked for.
Each check returns an ``InvariantResult`` whose failures are attributed to guests (or to the
platform workload), so the runner can print one replay command per failing guest.

======================  ==========================================================  ====================
name                    passes when                                                 parameters
======================  ==========================================================  ====================
no_lost_message         every workload text is stored in one of the guest's          —
                        conversations
no_duplicate            no workload text is stored twice                            —
order_kept              each guest's texts are stored in the order it sent them      —
                        (with ``workload.pipelined``: across offline windows too)
history_complete        every restore returned, oldest first, each message its      —
                        conversation held when the restore began
retry_after_honoured    no request before a 429's Retry-After (``mock.check``)       —
retries_bounded         ``mock.check`` rules bounded_attempts, backoff and          ``mock.check`` settings
                        retried_client_error find nothing                           (max_attempts, ...)
bounded_reauth          per guest: configureSession ≤ max_sessions, getJwt ≤         max_sessions (3),
                        max_jwt; oauth.token for the run ≤ max_token_requests       max_jwt, max_token_requests
recovery_within         every text reaches the server within ``seconds`` of the     seconds (60)
                        workload asking for it (timeline clock jumps excluded)
conformance             ``mock.check(rules=...)`` finds nothing                     rules (all but
                                                                                    nonexistent_endpoint),
                                                                                    settings
secure_session_created  one seed session per guest on the server (its metadata      within (10)
                        names the guest), and the broker returned within ``within``
                        seconds despite a slow KMS webhook (the server's Retry-After
                        waits excluded)
platform_answers        every platform call that returned gave the server's whole   —
                        answer (org id, every message, every contact)
platform_recovered      every platform call returned, or raised an ``allow``-ed      allow (none)
                        error (by class name, e.g. PermissionDeniedError)
======================  ==========================================================  ====================
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mockgenesys.chaos.answers import platform_answers, platform_recovered
from mockgenesys.chaos.botchecks import BOT_INVARIANTS, BotCheck, validate_bot_params
from mockgenesys.chaos.delivery import (
    history_complete,
    no_duplicate,
    no_lost_message,
    order_kept,
    recovery_within,
    secure_session_created,
)
from mockgenesys.chaos.grading import (
    DEFAULT_RULES,
    SETTINGS,
    bounded_reauth,
    conformance,
    retries_bounded,
    retry_after_honoured,
)
from mockgenesys.chaos.records import GuestRecord, PlatformRecord, RunRecords, ServerView
from mockgenesys.chaos.verdicts import Check, InvariantResult
from mockgenesys.conformance import RULES, Settings

__all__ = ["INVARIANTS", "Check", "InvariantResult", "evaluate", "validate_params"]


def _judged(bot: BotCheck) -> Check:
    return lambda view, run, params: InvariantResult(*bot(view, run.guests, params))


INVARIANTS: dict[str, Check] = {
    "no_lost_message": no_lost_message,
    "no_duplicate": no_duplicate,
    "order_kept": order_kept,
    "history_complete": history_complete,
    "retry_after_honoured": retry_after_honoured,
    "retries_bounded": retries_bounded,
    "bounded_reauth": bounded_reauth,
    "recovery_within": recovery_within,
    "conformance": conformance,
    "secure_session_created": secure_session_created,
    "platform_answers": platform_answers,
    "platform_recovered": platform_recovered,
    # the bot workload's (chaos.botchecks): a verdict there is an InvariantResult field for field
    **{name: _judged(bot) for name, bot in BOT_INVARIANTS.items()},
}

_PARAMS: dict[str, tuple[str, ...]] = {
    "bounded_reauth": ("max_sessions", "max_jwt", "max_token_requests"),
    "recovery_within": ("seconds",),
    "conformance": ("rules", *SETTINGS),
    "retries_bounded": SETTINGS,
    "secure_session_created": ("within",),
    "platform_recovered": ("allow",),
}


def validate_params(name: str, params: dict[str, Any]) -> dict[str, Any]:
    """Check an invariant's parameters; ``ValueError`` says what is wrong and what is valid."""
    if name in BOT_INVARIANTS:
        return validate_bot_params(name, params)
    valid = _PARAMS.get(name, ())
    unknown = sorted(set(params) - set(valid))
    if unknown:
        raise ValueError(f"unknown parameter(s) {unknown}; valid: {', '.join(valid) or 'none'}")
    out = dict(params)
    if name == "bounded_reauth":
        out.setdefault("max_sessions", 3)
        for key, value in out.items():
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise ValueError(f"{key} must be a whole number >= 0, got {value!r}")
    elif name == "recovery_within":
        out["seconds"] = _positive(out.setdefault("seconds", 60.0), "seconds")
    elif name == "secure_session_created":
        out["within"] = _positive(out.setdefault("within", 10.0), "within")
    elif name == "platform_recovered":
        allow = out.setdefault("allow", [])
        if not isinstance(allow, list) or not all(isinstance(a, str) and a for a in allow):
            raise ValueError(f"allow must be a list of error class names (like PermissionDeniedError), got {allow!r}")
    if name == "conformance":
        rules = out.setdefault("rules", list(DEFAULT_RULES))
        if not isinstance(rules, list) or any(r not in RULES for r in rules):
            raise ValueError(f"rules must be a list drawn from {', '.join(RULES)}; got {rules!r}")
    if name in ("conformance", "retries_bounded"):
        try:
            Settings(**{k: v for k, v in out.items() if k in SETTINGS})
        except Exception as exc:  # MockGenesysError naming the setting and the bad value
            raise ValueError(str(exc)) from None
    return out


def _positive(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ValueError(f"{name} must be a number of seconds > 0, got {value!r}")
    return float(value)


def evaluate(
    specs: Iterable[tuple[str, dict[str, Any]]],
    view: ServerView,
    guests: list[GuestRecord],
    platform: PlatformRecord | None = None,
    bot_principals: frozenset[str] = frozenset(),
) -> list[InvariantResult]:
    """Run every invariant of a scenario against the server's view of the run and the workloads' records."""
    run = RunRecords(guests, platform, bot_principals)
    return [INVARIANTS[name](view, run, params) for name, params in specs]
