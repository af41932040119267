"""Grade a client from the journal: what it did that real Genesys would punish.

``mock.check()`` (or ``check(journal)``) returns a ``ConformanceReport`` of ``Violation``\\ s, each
naming its rule, its level, the caller, a sentence saying how to fix it and the journal entries
that prove it. ``RULES`` (all graded by default, tuned by the keywords of ``Settings``):

- ``retry_after``: a request sent after a 429 (or ``TooManyRequestsErrorMessage``) with a
  Retry-After was answered and before its deadline, by the same caller to the same endpoint,
  even one that then succeeded;
- ``bounded_attempts``: more than ``max_attempts`` attempts at one operation in a row;
- ``backoff``: failures without Retry-After retried faster than any exponential backoff;
- ``retried_client_error``: a 4xx other than 401, 408 and 429 sent again at once;
- ``token_reuse_after_401``: a token or guest JWT sent again after a 401 refused it;
- ``expired_token``: a token or guest JWT sent past the expiry it was issued with;
- ``relied_on_401`` (warning): a credential kept until refused although its expiry was known;
- ``no_reauth_after_401``: a 401 never followed by fetching a new credential;
- ``relogin_storm``: several credential fetches where single flight needs one, or a loop of them;
- ``limit_breach``: a request refused by a documented rate limit (not by an injected fault);
- ``duplicate_message``: a guest message stored twice in one session (by identity, or its
  content resent under a new identity after a failure);
- ``dropped_message``: a guest message refused as its session ended and never sent again;
- ``nonexistent_endpoint``: a call to a path that does not exist on Genesys Cloud (the seed
  dialect the tutorials invented; the server marks those entries ``detail == SEED_DIALECT``).
  ``mock.check()`` lists these as ``notices`` (which do not fail) unless the mock serves only
  the real dialect;
- ``notification_storm``, ``unverified_webhook``, ``missed_events``: the contact-centre side's
  clients (see ``mockgenesys.conformance_cc``).

The defaults are ``DEFAULT_STORM_COUNT``, ``DEFAULT_STORM_WINDOW``, ``DEFAULT_REFRESH_MARGIN``,
``DEFAULT_MAX_RELOGINS``, ``DEFAULT_MAX_ATTEMPTS``, ``DEFAULT_QUIET_GAP``, ``DEFAULT_BACKOFF_AFTER``, ``DEFAULT_BACKOFF_BASE``,
``DEFAULT_BACKOFF_CAP``, ``DEFAULT_BACKOFF_FRACTION``, ``DEFAULT_IN_FLIGHT`` and ``DEFAULT_RETRY_PAUSE``; ``CheckOptions`` types the keywords,
``WARNING_RULES`` names the rules whose violations are warnings (``LEVELS``), and
``client_requests`` picks a journal's client requests; ``SEED_DIALECT`` marks seed-dialect calls and ``REAL_EQUIVALENTS`` names what to call instead. Requests are graded by when they were sent: one already on its way when a 401 or 429 was
answered is not blamed for it.
"""

from __future__ import annotations

from mockgenesys.conformance.dialect import REAL_EQUIVALENTS, SEED_DIALECT
from mockgenesys.conformance.facts import client_requests
from mockgenesys.conformance.grading import (
    DEFAULT_BACKOFF_AFTER,
    DEFAULT_BACKOFF_BASE,
    DEFAULT_BACKOFF_CAP,
    DEFAULT_BACKOFF_FRACTION,
    DEFAULT_IN_FLIGHT,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_MAX_RELOGINS,
    DEFAULT_QUIET_GAP,
    DEFAULT_REFRESH_MARGIN,
    DEFAULT_RETRY_PAUSE,
    DEFAULT_STORM_COUNT,
    DEFAULT_STORM_WINDOW,
    RULES,
    WARNING_RULES,
    CheckOptions,
    Settings,
    check,
)
from mockgenesys.conformance.report import LEVELS, ConformanceError, ConformanceReport, Violation

__all__ = [
    "DEFAULT_BACKOFF_AFTER",
    "DEFAULT_BACKOFF_BASE",
    "DEFAULT_BACKOFF_CAP",
    "DEFAULT_BACKOFF_FRACTION",
    "DEFAULT_IN_FLIGHT",
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_MAX_RELOGINS",
    "DEFAULT_QUIET_GAP",
    "DEFAULT_REFRESH_MARGIN",
    "DEFAULT_RETRY_PAUSE",
    "DEFAULT_STORM_COUNT",
    "DEFAULT_STORM_WINDOW",
    "LEVELS",
    "REAL_EQUIVALENTS",
    "RULES",
    "SEED_DIALECT",
    "WARNING_RULES",
    "CheckOptions",
    "ConformanceError",
    "ConformanceReport",
    "Settings",
    "Violation",
    "check",
    "client_requests",
]
