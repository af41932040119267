"""``check``: every rule over one reading of the journal, tuned by ``CheckOptions``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from typing import TypedDict, Unpack

from mockgenesys.conformance import attempts, credentials, messages
from mockgenesys.conformance.dialect import nonexistent_endpoint
from mockgenesys.conformance.facts import Facts
from mockgenesys.conformance.report import ConformanceReport, Violation
from mockgenesys.conformance_cc import CC_RULES, contact_centre_findings
from mockgenesys.errors import MockGenesysError
from mockgenesys.journal import Entry, Journal

#: Every rule, in the order a report lists them.
RULES = (
    "retry_after",
    "bounded_attempts",
    "backoff",
    "retried_client_error",
    "token_reuse_after_401",
    "expired_token",
    "relied_on_401",
    "no_reauth_after_401",
    "relogin_storm",
    "limit_breach",
    "duplicate_message",
    "dropped_message",
    "nonexistent_endpoint",
    *CC_RULES,  # the contact-centre side's rules (mockgenesys.conformance_cc)
)
#: Rules whose violations are warnings (``ConformanceReport.assert_ok(warnings=False)`` lets them pass).
WARNING_RULES = ("relied_on_401",)

DEFAULT_STORM_COUNT = 3
DEFAULT_STORM_WINDOW = 60.0
DEFAULT_REFRESH_MARGIN = 60.0
DEFAULT_MAX_RELOGINS = 4
DEFAULT_MAX_ATTEMPTS = 12
DEFAULT_QUIET_GAP = 60.0
DEFAULT_BACKOFF_AFTER = 7
DEFAULT_BACKOFF_BASE = 0.5
DEFAULT_BACKOFF_CAP = 30.0
DEFAULT_BACKOFF_FRACTION = 0.025
DEFAULT_IN_FLIGHT = 0.5
DEFAULT_RETRY_PAUSE = 0.1


class CheckOptions(TypedDict, total=False):
    """The keyword arguments that tune ``check`` (and ``MockGenesys.check``); see ``Settings``."""

    storm_count: int
    storm_window: float
    refresh_margin: float
    max_relogins: int
    max_attempts: int
    quiet_gap: float
    backoff_after: int
    backoff_base: float
    backoff_cap: float
    backoff_fraction: float
    in_flight: float
    retry_pause: float


@dataclass(frozen=True)
class Settings:
    """How strictly the rules grade; every field is a keyword of ``check``.

    - ``storm_count``, ``storm_window``, ``refresh_margin``, ``max_relogins`` (``relogin_storm``):
      ``storm_count`` credential fetches by one caller within the window while one was valid (a
      credential is valid until ``refresh_margin`` s before its expiry), or more than
      ``max_relogins`` in a row each refused on its first use (one call refreshes once, so two
      calls in a row against a persistent refusal fetch four);
    - ``max_attempts``, ``quiet_gap``, ``retry_pause`` (``bounded_attempts``, ``retried_client_error``,
      ``dropped_message``): attempts per operation (a message refused at its last one may end there); a pause longer than ``quiet_gap`` s starts a new operation, and a
      refused request sent again sooner than ``retry_pause`` s is a new call, not a retry;
    - ``backoff_after``, ``backoff_base``, ``backoff_cap``, ``backoff_fraction`` (``backoff``): from
      the ``backoff_after``-th consecutive failure without Retry-After, the waits so far must add up
      to ``backoff_fraction`` of the schedule ``min(backoff_cap, backoff_base * 2**(n-1))``;
    - ``in_flight`` (``token_reuse_after_401``): live, where the server cannot see when a request
      left its client, one arriving within this many seconds of the 401 (before the client used a
      newer credential) was already on its way (in-process the journal's order is exact).
    """

    storm_count: int = DEFAULT_STORM_COUNT
    storm_window: float = DEFAULT_STORM_WINDOW
    refresh_margin: float = DEFAULT_REFRESH_MARGIN
    max_relogins: int = DEFAULT_MAX_RELOGINS
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    quiet_gap: float = DEFAULT_QUIET_GAP
    backoff_after: int = DEFAULT_BACKOFF_AFTER
    backoff_base: float = DEFAULT_BACKOFF_BASE
    backoff_cap: float = DEFAULT_BACKOFF_CAP
    backoff_fraction: float = DEFAULT_BACKOFF_FRACTION
    in_flight: float = DEFAULT_IN_FLIGHT
    retry_pause: float = DEFAULT_RETRY_PAUSE

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            whole = item.type == "int"
            if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)) or not value > 0:
                kind = "a whole number >= 1" if whole else "a number > 0"
                raise MockGenesysError(f"check({item.name}=...) must be {kind}, got {value!r}.")


_Rule = Callable[[Facts, Settings, list[attempts.Run]], list[Violation]]


def _contact_centre(rule: str) -> _Rule:
    return lambda f, s, r: [Violation(*found) for found in contact_centre_findings(f.entries, rule)]


_CHECKS: dict[str, _Rule] = {
    "retry_after": lambda f, s, r: attempts.retry_after(f),
    "bounded_attempts": lambda f, s, r: attempts.bounded_attempts(r, s.max_attempts),
    "backoff": lambda f, s, r: attempts.backoff(
        r, after=s.backoff_after, base=s.backoff_base, cap=s.backoff_cap, fraction=s.backoff_fraction
    ),
    "retried_client_error": lambda f, s, r: attempts.retried_client_error(f, s.quiet_gap, s.retry_pause),
    "token_reuse_after_401": lambda f, s, r: credentials.token_reuse_after_401(f, s.in_flight),
    "expired_token": lambda f, s, r: credentials.expired_token(f),
    "relied_on_401": lambda f, s, r: credentials.relied_on_401(f),
    "no_reauth_after_401": lambda f, s, r: credentials.no_reauth_after_401(f),
    "relogin_storm": lambda f, s, r: credentials.relogin_storm(
        f, count=s.storm_count, window=s.storm_window, margin=s.refresh_margin, max_relogins=s.max_relogins
    ),
    "limit_breach": lambda f, s, r: attempts.limit_breach(f),
    "duplicate_message": lambda f, s, r: messages.duplicate_message(f),
    "dropped_message": lambda f, s, r: messages.dropped_message(f, s.max_attempts),
    "nonexistent_endpoint": lambda f, s, r: nonexistent_endpoint(f),
    **{rule: _contact_centre(rule) for rule in CC_RULES},
}


def check(
    journal: Journal | Iterable[Entry], *, rules: Iterable[str] = RULES, **options: Unpack[CheckOptions]
) -> ConformanceReport:
    """Grade the journal (or entries) against ``rules`` (all by default), tuned by ``options``.

    >>> from mockgenesys import MockGenesys
    >>> check(MockGenesys(seed=1).journal).ok
    True
    """
    selected = list(rules)
    unknown = sorted(set(selected) - set(RULES))
    if unknown:
        raise MockGenesysError(f"Unknown conformance rule(s) {unknown}; valid rules: {', '.join(RULES)}.")
    settings = _settings(options)
    facts = Facts(list(journal))
    all_runs = attempts.runs(facts, settings.quiet_gap) if {"bounded_attempts", "backoff"} & set(selected) else []
    report = ConformanceReport(checked=len(facts.entries))
    for rule in RULES:
        if rule in selected:
            report.violations.extend(_CHECKS[rule](facts, settings, all_runs))
    return report


def _settings(options: CheckOptions) -> Settings:
    valid = {item.name for item in fields(Settings)}
    unknown = sorted(set(options) - valid)
    if unknown:
        # what Python raises for an unknown keyword, with the valid ones named
        raise TypeError(f"check() got unknown option(s) {unknown}; valid: {', '.join(sorted(valid))}.")
    return Settings(**options)
