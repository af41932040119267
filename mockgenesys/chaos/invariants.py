"""Invariants of a chaos run, computed from the SERVER's state, never from what the client says.

The evidence is the world's conversations (every guest text is unique: ``chaos <tag> g<K> m<i>``),
the guest sessions, and the journal. Each check returns an ``InvariantResult`` whose failures
are attributed to guests, so the runner can print one replay command per failing guest.

=====================  ==========================================================  ===================
name                   passes when                                                 parameters
=====================  ==========================================================  ===================
no_lost_message        every workload text is stored in one of the guest's          —
                       conversations
no_duplicate           no workload text is stored twice                            —
order_kept             each guest's texts are stored in the order it sent them     —
retry_after_honoured   no request before a 429's Retry-After (``mock.check``)       —
bounded_reauth         per guest: configureSession ≤ max_sessions, getJwt ≤          max_sessions (3),
                       max_jwt; oauth.token for the run ≤ max_token_requests       max_jwt, max_token_requests
recovery_within        every text reaches the server within ``seconds`` of the     seconds (60)
                       workload asking for it (timeline clock jumps excluded)
conformance            ``mock.check(rules=...)`` finds nothing                     rules (all)
secure_session_created one seed session per guest on the server (its metadata      within (10)
                       names the guest), and the broker returned within ``within``
                       seconds despite a slow KMS webhook
=====================  ==========================================================  ===================
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from mockgenesys.chaos.botchecks import BOT_INVARIANTS, BotCheck, validate_bot_params
from mockgenesys.chaos.records import GuestRecord, ServerView
from mockgenesys.conformance import RULES, check

MAX_EVIDENCE = 20


@dataclass
class InvariantResult:
    """One invariant's verdict with its evidence, failures attributed to guests where possible."""

    name: str
    params: dict[str, Any]
    passed: bool
    summary: str
    evidence: list[str] = field(default_factory=list)
    guests: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "params": self.params,
            "passed": self.passed,
            "summary": self.summary,
            "evidence": self.evidence[:MAX_EVIDENCE],
            "evidence_total": len(self.evidence),
            "failing_guests": self.guests,
        }


Check = Callable[[ServerView, list[GuestRecord], dict[str, Any]], InvariantResult]


def _result(name: str, params: dict[str, Any], failures: dict[int, list[str]], ok: str, bad: str) -> InvariantResult:
    evidence = [line for guest in sorted(failures) for line in failures[guest]]
    if not evidence:
        return InvariantResult(name, params, True, ok)
    return InvariantResult(
        name, params, False, bad.format(n=len(evidence), g=len(failures)), evidence, sorted(failures)
    )


def no_lost_message(view: ServerView, guests: list[GuestRecord], params: dict[str, Any]) -> InvariantResult:
    failures: dict[int, list[str]] = defaultdict(list)
    for record in guests:
        present = {s.index for s in view.stored.get(record.index, [])}
        sends = {s.index: s for s in record.sends}
        for index, text in enumerate(record.planned):
            if index in present:
                continue
            send = sends.get(index)
            if send is None:
                why = "never sent: the guest stopped before it (" + ("; ".join(record.errors[-1:]) or "run limit") + ")"
            elif send.error is not None:
                why = f"send raised {send.error}"
            else:
                why = "the client reported it sent, but the server has no such message"
            failures[record.index].append(f"guest {record.index}: {text!r} is not on the server: {why}")
    return _result(
        "no_lost_message",
        params,
        failures,
        "every workload text is on the server",
        "{n} message(s) of {g} guest(s) lost",
    )


def no_duplicate(view: ServerView, guests: list[GuestRecord], params: dict[str, Any]) -> InvariantResult:
    failures: dict[int, list[str]] = defaultdict(list)
    for guest, items in view.stored.items():
        counts = Counter(s.index for s in items)
        for index, count in sorted(counts.items()):
            if count > 1:
                where = ", ".join(f"{s.conversation_id}@{s.position}" for s in items if s.index == index)
                failures[guest].append(f"guest {guest}: message m{index} is stored {count} times ({where})")
    return _result(
        "no_duplicate", params, failures, "no text is stored twice", "{n} duplicated message(s) in {g} guest(s)"
    )


def order_kept(view: ServerView, guests: list[GuestRecord], params: dict[str, Any]) -> InvariantResult:
    failures: dict[int, list[str]] = defaultdict(list)
    for guest, items in view.stored.items():
        seen: set[int] = set()
        last = -1
        for stored in items:
            if stored.index in seen:
                continue
            seen.add(stored.index)
            if stored.index < last:
                failures[guest].append(
                    f"guest {guest}: m{stored.index} is stored after m{last} (t={stored.time:.3f}, {stored.conversation_id})"
                )
            last = max(last, stored.index)
    return _result(
        "order_kept",
        params,
        failures,
        "every guest's texts are in send order",
        "{n} out-of-order message(s) in {g} guest(s)",
    )


def _violations(name: str, view: ServerView, params: dict[str, Any], rules: Iterable[str], ok: str) -> InvariantResult:
    report = check(view.entries, rules=rules)
    failures: dict[int, list[str]] = defaultdict(list)
    unattributed = []
    for violation in report.violations:
        guests = {g for g in (view.guest_of(e) for e in violation.entries) if g is not None}
        line = f"[{violation.rule}] {violation.message} " + "; ".join(str(e) for e in violation.entries[:3])
        if not guests:
            unattributed.append(line)
        for guest in sorted(guests):
            failures[guest].append(f"guest {guest}: {line}")
    result = _result(name, params, failures, ok, "{n} violation(s) by {g} guest(s)")
    if unattributed:
        result.passed = False
        result.evidence.extend(unattributed)
        result.summary = f"{len(result.evidence)} violation(s)"
    return result


def retry_after_honoured(view: ServerView, guests: list[GuestRecord], params: dict[str, Any]) -> InvariantResult:
    return _violations("retry_after_honoured", view, params, ["retry_after"], "every Retry-After was waited out")


def conformance(view: ServerView, guests: list[GuestRecord], params: dict[str, Any]) -> InvariantResult:
    return _violations("conformance", view, params, params.get("rules", RULES), "mock.check() found nothing")


def bounded_reauth(view: ServerView, guests: list[GuestRecord], params: dict[str, Any]) -> InvariantResult:
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
    result = _result(
        "bounded_reauth", params, failures, "re-authentication stayed within bounds", "{n} guest bound(s) exceeded"
    )
    limit = params.get("max_token_requests")
    if limit is not None and tokens > limit:
        result.passed = False
        result.evidence.append(f"{tokens} oauth.token requests in the run, more than max_token_requests={limit}")
        result.summary = f"{len(result.evidence)} bound(s) exceeded"
    return result


def recovery_within(view: ServerView, guests: list[GuestRecord], params: dict[str, Any]) -> InvariantResult:
    limit = params["seconds"]
    failures: dict[int, list[str]] = defaultdict(list)
    for record in guests:
        first: dict[int, float] = {}
        for stored in view.stored.get(record.index, []):
            first.setdefault(stored.index, stored.time)
        for send in record.sends:
            waited = view.waited(send.issued, first[send.index]) if send.index in first else 0.0
            if waited > limit:
                failures[record.index].append(
                    f"guest {record.index}: m{send.index} reached the server {waited:.1f} s "
                    f"after it was asked for (limit {limit:g} s)"
                )
    return _result(
        "recovery_within",
        params,
        failures,
        f"every text arrived within {limit:g} s",
        "{n} slow recoveries in {g} guest(s)",
    )


def secure_session_created(view: ServerView, guests: list[GuestRecord], params: dict[str, Any]) -> InvariantResult:
    owned = Counter(
        int(s["metadata"]["chaosGuest"])
        for s in view.seed_sessions
        if (s.get("metadata") or {}).get("chaosTag") == view.tag and "chaosGuest" in s["metadata"]
    )
    failures: dict[int, list[str]] = defaultdict(list)
    for record in guests:
        count = owned.get(record.index, 0)
        if count != 1:
            failures[record.index].append(f"guest {record.index}: {count} secure sessions on the server, expected 1")
        outcome = record.secure
        if outcome is None:
            continue
        if outcome.error is not None:
            failures[record.index].append(f"guest {record.index}: the broker raised {outcome.error}")
        elif outcome.done is not None and view.waited(outcome.issued, outcome.done) > params["within"]:
            failures[record.index].append(
                f"guest {record.index}: the broker took {outcome.done - outcome.issued:.1f} s "
                f"(limit {params['within']:g} s; a slow KMS webhook must not hold it up)"
            )
    return _result(
        "secure_session_created",
        params,
        failures,
        "every guest got one secure session in time",
        "{n} problem(s) in {g} guest(s)",
    )


def _judged(bot: BotCheck) -> Check:
    return lambda view, guests, params: InvariantResult(*bot(view, guests, params))


INVARIANTS: dict[str, Check] = {
    "no_lost_message": no_lost_message,
    "no_duplicate": no_duplicate,
    "order_kept": order_kept,
    "retry_after_honoured": retry_after_honoured,
    "bounded_reauth": bounded_reauth,
    "recovery_within": recovery_within,
    "conformance": conformance,
    "secure_session_created": secure_session_created,
    # the bot workload's (chaos.botchecks): a verdict there is an InvariantResult field for field
    **{name: _judged(bot) for name, bot in BOT_INVARIANTS.items()},
}

_PARAMS: dict[str, tuple[str, ...]] = {
    "bounded_reauth": ("max_sessions", "max_jwt", "max_token_requests"),
    "recovery_within": ("seconds",),
    "conformance": ("rules",),
    "secure_session_created": ("within",),
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
        seconds = out.setdefault("seconds", 60.0)
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds <= 0:
            raise ValueError(f"seconds must be a number > 0, got {seconds!r}")
        out["seconds"] = float(seconds)
    elif name == "secure_session_created":
        within = out.setdefault("within", 10.0)
        if isinstance(within, bool) or not isinstance(within, (int, float)) or within <= 0:
            raise ValueError(f"within must be a number of seconds > 0, got {within!r}")
        out["within"] = float(within)
    elif name == "conformance":
        rules = out.setdefault("rules", list(RULES))
        if not isinstance(rules, list) or any(r not in RULES for r in rules):
            raise ValueError(f"rules must be a list drawn from {', '.join(RULES)}; got {rules!r}")
    return out


def evaluate(
    specs: Iterable[tuple[str, dict[str, Any]]], view: ServerView, guests: list[GuestRecord]
) -> list[InvariantResult]:
    """Run every invariant of a scenario against the server's view of the run."""
    return [INVARIANTS[name](view, guests, params) for name, params in specs]
