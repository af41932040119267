"""Invariants read from the journal: ``mock.check()``'s rules over the run, and bounded re-authentication.

A conformance violation is attributed to the guest whose session it names (``Violation.caller``,
else its journal rows), to the toolkit's own bot when its rows carry the bot's tokens, to the
platform workload when it names the run's OAuth client, and is shared evidence otherwise; every
one fails the invariant. The bot's are a bug of mockgenesys, never of the client under test: the
line says so, and no guest is blamed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from mockgenesys.chaos.records import RunRecords, ServerView
from mockgenesys.chaos.verdicts import InvariantResult, verdict
from mockgenesys.conformance import RULES, Settings, check

#: The rules ``retries_bounded`` grades.
RETRY_RULES = ("bounded_attempts", "backoff", "retried_client_error")
#: What ``conformance`` grades unless a scenario lists its ``rules``: every rule but
#: ``nonexistent_endpoint`` (the platform workload reads the seed dialect's paged history on
#: purpose, and ``mock.check()`` lists those calls as notices on a mock that serves it).
DEFAULT_RULES = tuple(rule for rule in RULES if rule != "nonexistent_endpoint")
#: How a violation of the toolkit's own bot (``chaos.bots``) is labelled.
BOT_LABEL = "bot (mockgenesys' own workload, not your client: please report this as a mockgenesys bug)"
#: ``conformance`` and ``retries_bounded`` take these ``mock.check()`` settings as parameters too.
SETTINGS = tuple(Settings.__dataclass_fields__)


def _violations(
    name: str, view: ServerView, run: RunRecords, params: dict[str, Any], rules: Iterable[str], ok: str
) -> InvariantResult:
    options = {k: v for k, v in params.items() if k in SETTINGS}
    report = check(view.entries, rules=rules, **options)
    failures: dict[int, list[str]] = defaultdict(list)
    shared = []
    for violation in report.violations:
        guest = view.guest_of_caller(violation.caller)
        guests = {guest} if guest is not None else {g for g in map(view.guest_of, violation.entries) if g is not None}
        line = f"[{violation.rule}] {violation.message} " + "; ".join(str(e) for e in violation.entries[:3])
        if run.bot_principals and any(e.principal in run.bot_principals for e in violation.entries):
            shared.append(f"{BOT_LABEL}: {line}")
        elif guests:
            for index in sorted(guests):
                failures[index].append(f"guest {index}: {line}")
        elif run.platform is not None and (violation.caller or "").startswith("client:"):
            shared.append(f"platform: {line}")
        else:
            shared.append(line)
    return verdict(name, params, failures, ok, "{n} violation(s) by {g} guest(s)", shared)


def retry_after_honoured(view: ServerView, run: RunRecords, params: dict[str, Any]) -> InvariantResult:
    return _violations("retry_after_honoured", view, run, params, ["retry_after"], "every Retry-After was waited out")


def conformance(view: ServerView, run: RunRecords, params: dict[str, Any]) -> InvariantResult:
    return _violations("conformance", view, run, params, params["rules"], "mock.check() found nothing")


def retries_bounded(view: ServerView, run: RunRecords, params: dict[str, Any]) -> InvariantResult:
    return _violations(
        "retries_bounded", view, run, params, RETRY_RULES, "attempts bounded, backed off, no 4xx retried"
    )


def bounded_reauth(view: ServerView, run: RunRecords, params: dict[str, Any]) -> InvariantResult:
    per_guest: dict[int, Counter[str]] = defaultdict(Counter)
    tokens = 0
    for entry in view.entries:
        if entry.endpoint == "oauth.token" and entry.kind == "http":
            tokens += 1
        elif entry.endpoint in (
            "guest.ws.configureSession",
            "guest.ws.configureAuthenticatedSession",
            "guest.ws.getJwt",
        ):
            guest = view.guest_of(entry)
            if guest is not None:
                per_guest[guest]["jwt" if entry.endpoint.endswith("getJwt") else "sessions"] += 1
    failures: dict[int, list[str]] = defaultdict(list)
    for guest, counts in sorted(per_guest.items()):
        for key, limit_name in (("sessions", "max_sessions"), ("jwt", "max_jwt")):
            limit = params.get(limit_name)
            if limit is not None and counts[key] > limit:
                what = "configureSession requests" if key == "sessions" else "getJwt requests"
                failures[guest].append(f"guest {guest}: {counts[key]} {what}, more than {limit_name}={limit}")
    result = verdict(
        "bounded_reauth", params, failures, "re-authentication stayed within bounds", "{n} guest bound(s) exceeded"
    )
    limit = params.get("max_token_requests")
    if limit is not None and tokens > limit:
        result.passed = False
        result.evidence.append(f"{tokens} oauth.token requests in the run, more than max_token_requests={limit}")
        result.summary = f"{len(result.evidence)} bound(s) exceeded"
    return result
