"""Guest messages: stored once (by identity and by content), never dropped when the session ends."""

from __future__ import annotations

from mockgenesys.conformance import check

from .journals import Rows


def echo(rows: Rows, t: float) -> None:
    rows.add(t, "guest.ws.out.StructuredMessage", 0, kind="ws.out")


def rules(rows: Rows, *names: str) -> list[str]:
    return [v.rule for v in check(rows.entries, rules=names).violations]


def test_duplicate_by_content_after_a_lost_echo_but_not_a_repeated_text() -> None:
    rows = Rows()
    echo(rows, 0.0)
    rows.add(0.0, "guest.ws.onMessage", 200, detail="m1", content="h:1")
    echo(rows, 1.0)
    rows.add(1.0, "guest.ws.onMessage", 200, detail="m2", content="h:1")  # "ok" twice: the user's choice
    assert rules(rows, "duplicate_message") == []
    rows.add(2.0, "guest.ws.onMessage", 200, detail="m3", content="h:3")  # stored, echo lost
    rows.add(3.0, "guest.ws.configureSession", 200)
    rows.add(3.0, "guest.ws.onMessage", 200, detail="m4", content="h:3")  # resent blind, new id
    [violation] = check(rows.entries, rules=["duplicate_message"]).violations
    assert "resent as 'm4'" in violation.message


def test_duplicate_by_identity_only_counts_stored_frames() -> None:
    rows = Rows()
    rows.add(0.0, "guest.ws.onMessage", 0, code="reset", detail="m1", content="h:1")
    rows.add(1.0, "guest.ws.onMessage", 200, detail="m1", content="h:1")
    assert rules(rows, "duplicate_message") == []
    rows.add(2.0, "guest.ws.onMessage", 200, detail="m1", content="h:1")
    assert rules(rows, "duplicate_message") == ["duplicate_message"]


def test_dropped_message_unless_resent_in_the_new_session() -> None:
    rows = Rows()
    rows.add(0.0, "guest.ws.onMessage", 4006, detail="m1", content="h:1")
    assert rules(rows, "dropped_message") == ["dropped_message"]
    rows.add(1.0, "guest.ws.onMessage", 200, detail="m1", content="h:1", principal="fp:new-session")
    assert rules(rows, "dropped_message") == []


def test_dropped_message_not_blamed_when_the_refusal_answered_the_last_allowed_try() -> None:
    rows = Rows()
    for n in range(11):  # a new tracing id per try, one content: the client core's way
        rows.add(float(n), "guest.ws.onMessage", 503, detail=f"t{n}", content="h:1")
    rows.add(11.0, "guest.ws.onMessage", 403, detail="t11", content="h:1")  # the 12th: read-only
    assert check(rows.entries, rules=["dropped_message"], max_attempts=13).violations
    assert rules(rows, "dropped_message") == []  # out of attempts at 12: the client reports the failure
