"""Invariants judge from the server's state: texts stored, journal rows, sessions."""

from __future__ import annotations

import pytest

from mockgenesys.chaos import INVARIANTS, GuestRecord, RestoreRecord, SendRecord, ServerView
from mockgenesys.chaos.invariants import evaluate, validate_params
from mockgenesys.chaos.records import message_text
from mockgenesys.journal import Entry, fingerprint

TAG = "inv/1"


def view(*stored: tuple[int, int, float], entries: list[Entry] | None = None) -> ServerView:
    messages = [{"direction": "inbound", "text": message_text(TAG, g, i), "timestamp": at} for g, i, at in stored]
    sessions = [{"id": "s0", "token": "tok0", "conversation_id": "c0"}]
    return ServerView(TAG, [{"id": "c0", "messages": messages}], sessions, entries or [])


def guest(planned: int, sends: int, error: str | None = None) -> GuestRecord:
    texts = [message_text(TAG, 0, i) for i in range(planned)]
    record = GuestRecord(0, "g0", 1, texts)
    record.sends = [SendRecord(i, texts[i], float(i), done=float(i) + 1, error=error) for i in range(sends)]
    return record


def judged(name: str, server: ServerView, record: GuestRecord, **params: object) -> tuple[bool, list[str]]:
    [result] = evaluate([(name, validate_params(name, dict(params)))], server, [record])
    return result.passed, result.evidence


def test_invariants_lost_says_why_each_text_is_missing() -> None:
    passed, evidence = judged("no_lost_message", view((0, 0, 1.0)), guest(3, 2))
    assert not passed
    assert evidence[0].endswith("the client reported it sent, but the server has no such message")
    assert "never sent: the guest stopped before it (run limit)" in evidence[1]


def test_invariants_duplicates_and_order() -> None:
    server = view((0, 0, 1.0), (0, 2, 2.0), (0, 1, 3.0), (0, 1, 4.0))
    assert judged("no_duplicate", server, guest(3, 3))[1] == ["guest 0: message m1 is stored 2 times (c0@2, c0@3)"]
    assert judged("order_kept", server, guest(3, 3))[1][0].startswith("guest 0: m1 is stored after m2")


def test_invariants_bounded_reauth_counts_per_guest_from_the_journal() -> None:
    rows = [
        Entry(n, float(n), 0.0, "ws.in", "guest.ws.configureSession", "WS", "/v1", 200, principal=fingerprint("tok0"))
        for n in range(1, 5)
    ]
    server = view((0, 0, 1.0), entries=rows)
    assert judged("bounded_reauth", server, guest(1, 1))[0] is False  # 4 > the default 3
    assert judged("bounded_reauth", server, guest(1, 1), max_sessions=4)[0] is True


def test_invariants_parameters_are_checked() -> None:
    assert set(INVARIANTS) >= {"no_lost_message", "recovery_within", "secure_session_created"}
    assert validate_params("recovery_within", {}) == {"seconds": 60.0}
    with pytest.raises(ValueError, match=r"unknown parameter\(s\) \['secs'\]; valid: seconds"):
        validate_params("recovery_within", {"secs": 1})
    with pytest.raises(ValueError, match="rules must be a list drawn from"):
        validate_params("conformance", {"rules": ["nope"]})
    with pytest.raises(ValueError, match=r"max_attempts=...\) must be a whole number >= 1, got 0"):
        validate_params("retries_bounded", {"max_attempts": 0})
    with pytest.raises(ValueError, match="allow must be a list of error class names"):
        validate_params("platform_recovered", {"allow": "PermissionDeniedError"})


def test_invariants_history_complete_compares_each_restore_with_the_server() -> None:
    texts = [message_text(TAG, 0, i) for i in range(3)]
    server = view((0, 0, 1.0), (0, 1, 2.0), (0, 2, 3.0))
    record = guest(3, 3)
    record.restored = [RestoreRecord(2.5, 2.6, texts[:2]), RestoreRecord(3.5, 3.6, [texts[0], texts[2]])]
    [result] = evaluate([("history_complete", {})], server, [record])
    assert not result.passed and len(result.evidence) == 1
    assert result.evidence[0].startswith(
        "guest 0: the restore at t=3.500 returned 2 text(s), but the conversation held 3"
    )
    record.restored = [RestoreRecord(3.5, 3.6, texts), RestoreRecord(3.6, None, None, "GuestError: 403")]
    assert evaluate([("history_complete", {})], server, [record])[0].passed


def test_invariants_retries_bounded_attributes_a_storm_to_its_guest() -> None:
    session = fingerprint("tok0")
    rows = [
        Entry(n, float(n) * 0.1, 0.0, "http", "webmessaging.messages", "GET", "/m", 503, principal=session)
        for n in range(1, 11)
    ]
    passed, evidence = judged("retries_bounded", view((0, 0, 1.0), entries=rows), guest(1, 1))
    assert not passed and evidence[0].startswith("guest 0: [backoff]")
    assert judged("retries_bounded", view((0, 0, 1.0), entries=rows), guest(1, 1), backoff_after=20)[0]
