"""The harness counts a mutant as caught only by what sets it apart from a correct client."""

from __future__ import annotations

import pytest

from .catalogue import CORRECT, MUTANTS
from .judges import Budget, HarnessError
from .matrix import main, rows, run_matrix
from .verdicts import Finding, Matrix, Row, Verdict

GUEST = Row("BaselineGuest", "guest", "", "BaselineGuest")
MUTANT = Row("RetryStormGuest", "guest", MUTANTS["RetryStormGuest"].bug_class, "BaselineGuest")
FALSE_ALARM = Finding("the_client_follows_the_rules", "assert[duplicate_message]")


def matrix_of(*verdicts: Verdict) -> Matrix:
    matrix = Matrix([GUEST, MUTANT], judges=("machine",))
    for verdict in verdicts:
        matrix.add(verdict)
    return matrix


def test_a_mutant_failing_only_as_the_baseline_does_is_not_caught() -> None:
    matrix = matrix_of(
        Verdict("machine", GUEST.subject, [FALSE_ALARM]), Verdict("machine", MUTANT.subject, [FALSE_ALARM])
    )

    assert not matrix.caught(MUTANT, "machine")
    assert matrix.cell(GUEST, "machine").startswith("**FALSE ALARM**")
    assert matrix.cell(MUTANT, "machine").startswith("missed (only the baseline's false alarm")


def test_a_finding_the_baseline_does_not_get_catches_the_mutant() -> None:
    own = Finding("every_sent_message_is_stored_exactly_once_and_in_order", "assert")
    matrix = matrix_of(Verdict("machine", GUEST.subject, [FALSE_ALARM]), Verdict("machine", MUTANT.subject, [own]))

    assert matrix.new_findings(MUTANT, "machine") == [own]
    assert "**caught** `every_sent_message_is_stored_exactly_once_and_in_order:assert`" in matrix.to_markdown()
    assert matrix.to_markdown().endswith("| **caught** | | | 1/1 |")


def test_a_failure_no_rule_explains_is_reported_but_not_counted() -> None:
    raised = Finding("session-expires-mid-send", "raised MessageFailedError", counts=False)
    matrix = matrix_of(Verdict("machine", GUEST.subject), Verdict("machine", MUTANT.subject, [raised]))

    assert not matrix.caught(MUTANT, "machine")
    assert (
        matrix.cell(MUTANT, "machine")
        == "missed (fails, no rule: `session-expires-mid-send: raised MessageFailedError`)"
    )


def test_rows_put_the_correct_clients_first_and_refuse_an_unknown_name() -> None:
    assert [r.subject for r in rows(["Retries403Platform"])] == [*CORRECT, "Retries403Platform"]
    with pytest.raises(HarnessError, match="unknown client"):
        rows(["NoSuchMutant"])


def test_the_correct_clients_pass_a_small_matrix() -> None:
    budget = Budget(chaos_guests=2, machine_examples=5)

    matrix = run_matrix([], judges=("chaos", "machine"), budget=budget)

    assert [row.subject for row in matrix.rows] == list(CORRECT)
    assert {matrix.cell(row, judge) for row in matrix.rows for judge in ("chaos", "machine")} == {"passes"}


def test_the_cli_refuses_an_unknown_mutant(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--only", "NoSuchMutant", "--judge", "chaos"]) == 2
    assert "unknown client(s) ['NoSuchMutant']" in capsys.readouterr().err
