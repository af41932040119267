"""Grade a client from the journal: what it did that real Genesys would punish.

``mock.check()`` returns a ``ConformanceReport`` of ``Violation``\\ s, each with the journal
entries that prove it. Rules:

- ``retry_after``: a request before the deadline a 429 (or ``TooManyRequestsErrorMessage``) set,
  by the same caller to the same endpoint;
- ``token_reuse_after_401``: a token used again after it got ``401 bad.credentials``;
- ``expired_token``: a token used past the expiry the token endpoint announced;
- ``relogin_storm``: several token requests by one client within a minute while an earlier
  token of that client was still valid;
- ``limit_breach``: a request refused by a documented rate limit (not by an injected fault);
- ``duplicate_message``: the same guest message (same ``metadata.id`` or ``tracingId``)
  accepted more than once in one session;
- ``nonexistent_endpoint``: a call to a path that does not exist on Genesys Cloud (the seed
  dialect the tutorials invented; the server marks those entries ``detail == SEED_DIALECT``).
  ``mock.check()`` lists these as ``notices`` (which do not fail) unless the mock serves only
  the real dialect.
- ``notification_storm``, ``unverified_webhook``, ``missed_events``: the contact-centre side's
  clients (see ``mockgenesys.conformance_cc``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from mockgenesys.conformance_cc import CC_RULES, contact_centre_findings
from mockgenesys.errors import MockGenesysError
from mockgenesys.journal import Entry, Journal

RULES = (
    "retry_after",
    "token_reuse_after_401",
    "expired_token",
    "relogin_storm",
    "limit_breach",
    "duplicate_message",
    "nonexistent_endpoint",
    *CC_RULES,  # the contact-centre side's rules (mockgenesys.conformance_cc)
)
#: The journal ``detail`` of every call to a seed-dialect path (one Genesys Cloud does not have).
SEED_DIALECT = "seed-dialect"
#: What a client should call on Genesys Cloud instead of each seed-dialect endpoint.
REAL_EQUIVALENTS = {
    "conversations.history": "GET /api/v2/webmessaging/messages (guest) or "
    "POST /api/v2/conversations/messages/{conversationId}/messages/bulk (agent side)",
    "sessions.create": "the guest WebSocket's configureSession",
    "sessions.get": "the guest WebSocket's configureSession",
}
DEFAULT_STORM_COUNT = 3
DEFAULT_STORM_WINDOW = 60.0
DEFAULT_REFRESH_MARGIN = 60.0


class ConformanceError(MockGenesysError, AssertionError):
    """``ConformanceReport.assert_ok`` found violations; the message explains each one."""


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str
    entries: tuple[Entry, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "message": self.message, "entries": [e.to_dict() for e in self.entries]}

    def __str__(self) -> str:
        lines = [f"[{self.rule}] {self.message}"]
        lines += [f"    {entry}" for entry in self.entries[:6]]
        if len(self.entries) > 6:
            lines.append(f"    … and {len(self.entries) - 6} more")
        return "\n".join(lines)


@dataclass
class ConformanceReport:
    """The violations found; empty means the client behaved."""

    violations: list[Violation] = field(default_factory=list)
    checked: int = 0
    #: Findings that are listed but do not fail the report (see ``nonexistent_endpoint``).
    notices: list[Violation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations

    def by_rule(self, rule: str) -> list[Violation]:
        return [v for v in self.violations if v.rule == rule]

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "violations": [v.to_dict() for v in self.violations],
            "notices": [v.to_dict() for v in self.notices],
        }

    def assert_ok(self) -> None:
        """Raise ``ConformanceError`` explaining every violation, if there is any."""
        if self.violations:
            raise ConformanceError(str(self))

    def __str__(self) -> str:
        notes = [f"Notice: {v}" for v in self.notices]
        if self.ok:
            return "\n".join([f"Conformance: OK ({self.checked} journal entries checked).", *notes])
        head = f"Conformance: {len(self.violations)} violation(s) in {self.checked} journal entries:"
        return "\n".join([head, *(str(v) for v in self.violations), *notes])


def check(
    journal: Journal | Iterable[Entry],
    *,
    rules: Iterable[str] = RULES,
    storm_count: int = DEFAULT_STORM_COUNT,
    storm_window: float = DEFAULT_STORM_WINDOW,
    refresh_margin: float = DEFAULT_REFRESH_MARGIN,
) -> ConformanceReport:
    """Check ``journal`` against ``rules`` (all by default)."""
    selected = list(rules)
    unknown = sorted(set(selected) - set(RULES))
    if unknown:
        raise MockGenesysError(f"Unknown conformance rule(s) {unknown}; valid rules: {', '.join(RULES)}.")
    entries = sorted(journal, key=lambda e: e.seq)
    report = ConformanceReport(checked=len(entries))
    checks = {
        "retry_after": lambda: _retry_after(entries),
        "token_reuse_after_401": lambda: _reuse_after_401(entries),
        "expired_token": lambda: _expired_token(entries),
        "relogin_storm": lambda: _relogin_storm(entries, storm_count, storm_window, refresh_margin),
        "limit_breach": lambda: _limit_breach(entries),
        "duplicate_message": lambda: _duplicates(entries),
        "nonexistent_endpoint": lambda: _nonexistent_endpoint(entries),
    }
    for rule in selected:
        if rule in CC_RULES:
            report.violations.extend(Violation(*found) for found in contact_centre_findings(entries, rule))
        else:
            report.violations.extend(checks[rule]())
    return report


def client_requests(entries: list[Entry]) -> list[Entry]:
    """The requests clients made: HTTP calls and inbound WebSocket frames, admin API calls left out."""
    return [e for e in entries if e.kind in ("http", "ws.in") and not e.endpoint.startswith("admin.")]


def _retry_after(entries: list[Entry]) -> list[Violation]:
    deadlines: dict[tuple[str | None, str], tuple[float, Entry]] = {}
    found = []
    for entry in client_requests(entries):
        key = (entry.principal, entry.endpoint)
        if entry.principal is not None and key in deadlines:
            deadline, cause = deadlines[key]
            if entry.time < deadline:
                early = deadline - entry.time
                found.append(
                    Violation(
                        "retry_after",
                        f"{entry.endpoint} was called {early:.1f} s before the Retry-After of {cause.retry_after} s "
                        f"given by #{cause.seq} had passed; wait Retry-After seconds before retrying.",
                        (cause, entry),
                    )
                )
            else:
                del deadlines[key]
        if entry.status == 429 and entry.retry_after is not None:
            deadlines[key] = (entry.time + entry.retry_after, entry)
    return found


def _reuse_after_401(entries: list[Entry]) -> list[Violation]:
    rejected: dict[str, Entry] = {}
    found = []
    for entry in client_requests(entries):
        credential = _credential(entry)
        if entry.kind != "http" or credential is None:
            continue
        if credential in rejected:
            found.append(
                Violation(
                    "token_reuse_after_401",
                    f"a token rejected with 401 at #{rejected[credential].seq} was sent again to {entry.endpoint}; "
                    "after a 401 fetch a new token before retrying.",
                    (rejected[credential], entry),
                )
            )
            continue
        if entry.status == 401 and entry.code == "bad.credentials":
            rejected[credential] = entry
    return found


def _credential(entry: Entry) -> str | None:
    """The bearer credential an entry presented: ``credential``, or (journals written before it
    existed) a token-fingerprint ``principal``."""
    if entry.credential is not None:
        return entry.credential
    principal = entry.principal
    return principal if principal is not None and principal.startswith("fp:") and entry.kind == "http" else None


def _expired_token(entries: list[Entry]) -> list[Violation]:
    expiry: dict[str, Entry] = {}
    found = []
    for entry in entries:
        credential = _credential(entry)
        if entry.endpoint == "oauth.token" and entry.status == 200 and entry.detail and entry.expires_at is not None:
            expiry[entry.detail] = entry
        elif credential is not None and credential in expiry:
            issued = expiry[credential]
            if issued.expires_at is not None and entry.time >= issued.expires_at:
                found.append(
                    Violation(
                        "expired_token",
                        f"{entry.endpoint} was called with a token {entry.time - issued.expires_at:.0f} s after it expired "
                        f"(expires_in from #{issued.seq}); refresh tokens before expires_in runs out.",
                        (issued, entry),
                    )
                )
    return found


def _relogin_storm(entries: list[Entry], count: int, window: float, margin: float) -> list[Violation]:
    tokens: dict[str, list[Entry]] = defaultdict(list)
    rejected: set[str] = set()
    found = []
    for entry in entries:
        credential = _credential(entry)
        if entry.status == 401 and credential:
            rejected.add(credential)
        if entry.endpoint != "oauth.token" or entry.status != 200 or not entry.principal:
            continue
        issued = tokens[entry.principal]
        redundant = [
            e
            for e in issued
            if e.expires_at is not None
            and e.expires_at - margin > entry.time
            and e.detail not in rejected
            and entry.time - e.time <= window
        ]
        if len(redundant) + 1 >= count:
            found.append(
                Violation(
                    "relogin_storm",
                    f"{entry.principal} requested {len(redundant) + 1} tokens within {window:.0f} s while a valid one "
                    "existed; cache the token and share one refresh between callers.",
                    (*redundant, entry),
                )
            )
        issued.append(entry)
    return found


def _limit_breach(entries: list[Entry]) -> list[Violation]:
    return [
        Violation(
            "limit_breach",
            f"{entry.endpoint} was refused by a Genesys rate limit; pace requests below the documented limits.",
            (entry,),
        )
        for entry in client_requests(entries)
        if entry.status == 429 and entry.fault is None
    ]


def _duplicates(entries: list[Entry]) -> list[Violation]:
    seen: dict[tuple[str | None, str], Entry] = {}
    found = []
    for entry in client_requests(entries):
        if entry.endpoint != "guest.ws.onMessage" or entry.status != 200 or not entry.detail:
            continue
        key = (entry.principal, entry.detail)
        if key in seen:
            found.append(
                Violation(
                    "duplicate_message",
                    f"guest message {entry.detail!r} was accepted twice in one session; check echoes and history "
                    "before resending after a reconnect.",
                    (seen[key], entry),
                )
            )
        else:
            seen[key] = entry
    return found


def _nonexistent_endpoint(entries: list[Entry]) -> list[Violation]:
    """One violation per seed-dialect endpoint the client called, with every such call."""
    calls: dict[str, list[Entry]] = defaultdict(list)
    for entry in client_requests(entries):
        if entry.detail == SEED_DIALECT:
            calls[entry.endpoint].append(entry)
    return [
        Violation(
            "nonexistent_endpoint",
            f"called an endpoint that does not exist on Genesys Cloud: {found[0].method} {found[0].path} "
            f"({endpoint}, the tutorials' seed dialect, {len(found)} call(s)); production answers 404. "
            f"Use {REAL_EQUIVALENTS.get(endpoint, 'the real API')} instead.",
            tuple(found),
        )
        for endpoint, found in calls.items()
    ]
