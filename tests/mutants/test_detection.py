"""Detection power is a tested property: each judge's verdict on each seeded bug, and no false alarm.

One run of the matrix (``QUICK`` budget: every scenario with up to four guests, 30 state-machine
examples of 20 steps, every strict case) judges the correct clients (both baselines and the client
core) and the seventeen mutants. A correct client must pass every judge; each mutant must be
caught by exactly the judges listed in ``EXPECTED``, each through the rule or invariant named there.
"""

from __future__ import annotations

import pytest

from .catalogue import BUG_CLASSES, CORRECT, MUTANTS
from .matrix import QUICK, run_matrix
from .verdicts import Matrix, Row

#: For each mutant and judge: a rule or invariant that must be among what catches it (``a|b``: either),
#: or None where that judge cannot show the bug (the issue's "missed" cells that remain, each explained).
EXPECTED: dict[str, dict[str, str | None]] = {
    "IgnoresRetryAfterGuest": {"chaos": "retry_after", "machine": "retry_after", "strict": "retry_after"},
    "RetryStormGuest": {"chaos": "backoff", "machine": "bounded_attempts", "strict": "backoff"},
    "ResendsBlindlyGuest": {
        "chaos": "no_duplicate",
        "machine": "every_sent_message_is_stored_exactly_once_and_in_order",
        "strict": "duplicate_message",
    },
    "DropsOnExpiryGuest": {
        "chaos": "no_lost_message",
        "machine": "every_sent_message_is_stored_exactly_once_and_in_order",
        "strict": "dropped_message",
    },
    # the machine's JWT expiries are cured by one refresh: only a persistent refusal shows no cap
    "ReloginStampedeGuest": {"chaos": "relogin_storm", "machine": None, "strict": "relogin_storm"},
    # the machine sees whichever comes first: the JWT's 401 left unanswered or the ended session's message lost
    "NeverReauthenticatesGuest": {
        "chaos": "no_lost_message",
        "machine": "dropped_message|no_reauth_after_401",
        "strict": "no_reauth_after_401",
    },
    # the machine also finds the expired JWT's 401 that was never answered with a fresh JWT
    "NoEarlyRefreshGuest": {
        "chaos": "expired_token",
        "machine": "expired_token|no_reauth_after_401",
        "strict": "expired_token",
    },
    # strict grading reads the journal, which cannot tell a lazy-loading client from a broken one
    "FirstPageOnlyGuest": {"chaos": "history_complete", "machine": "history_restores", "strict": None},
    "Retries403Guest": {
        "chaos": "retried_client_error",
        "machine": "retried_client_error",
        "strict": "retried_client_error",
    },
    # the order a client was asked to send in is not in the journal
    "ReverseFlushGuest": {
        "chaos": "order_kept",
        "machine": "every_sent_message_is_stored_exactly_once_and_in_order",
        "strict": None,
    },
    "IgnoresRetryAfterPlatform": {"chaos": "retry_after", "machine": "retry_after", "strict": "retry_after"},
    "RetryStormPlatform": {"chaos": "backoff", "machine": "backoff", "strict": "backoff"},
    # in-process calls never overlap on the wire, so concurrent 401s need the live strict case
    "ReloginStampedePlatform": {"chaos": "relogin_storm", "machine": None, "strict": "relogin_storm"},
    "NeverReauthenticatesPlatform": {
        "chaos": "platform_recovered",
        "machine": "no_reauth_after_401",
        "strict": "no_reauth_after_401",
    },
    "NoEarlyRefreshPlatform": {"chaos": "expired_token", "machine": "expired_token", "strict": "expired_token"},
    "FirstPageOnlyPlatform": {"chaos": "platform_answers", "machine": "call", "strict": None},
    "Retries403Platform": {
        "chaos": "retried_client_error",
        "machine": "retried_client_error",
        "strict": "retried_client_error",
    },
}
JUDGES = ("chaos", "machine", "strict")


@pytest.fixture(scope="module")
def matrix() -> Matrix:
    return run_matrix(budget=QUICK, jobs=2)


def _row(matrix: Matrix, name: str) -> Row:
    return next(row for row in matrix.rows if row.subject == name)


def test_the_expectations_cover_every_mutant() -> None:
    assert set(EXPECTED) == set(MUTANTS)


@pytest.mark.live
@pytest.mark.parametrize("judge", JUDGES)
@pytest.mark.parametrize("name", sorted(CORRECT))
def test_a_correct_client_passes_the_judge(matrix: Matrix, name: str, judge: str) -> None:
    assert matrix.cell(_row(matrix, name), judge) == "passes"


@pytest.mark.live
@pytest.mark.parametrize("judge", JUDGES)
@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_the_judge_catches_the_mutant_by_its_rule(matrix: Matrix, name: str, judge: str) -> None:
    expected = EXPECTED[name][judge]
    found = matrix.new_findings(_row(matrix, name), judge)
    if expected is None:
        assert not found, f"{judge} now catches {name}: {[f.key for f in found]}; update EXPECTED"
    else:
        alternatives = expected.split("|")
        assert any(a in f.key for f in found for a in alternatives), (
            f"{judge}: {matrix.cell(_row(matrix, name), judge)}"
        )


@pytest.mark.live
def test_chaos_catches_every_class_and_every_class_is_caught_by_two_judges(matrix: Matrix) -> None:
    rows = [row for row in matrix.rows if row.subject in MUTANTS]
    for row in rows:
        judges = [judge for judge in JUDGES if matrix.caught(row, judge)]
        assert "chaos" in judges and len(judges) >= 2, f"{row.subject} is caught by {judges}"
    assert {row.bug_class for row in rows if matrix.caught(row, "chaos")} == set(BUG_CLASSES)
