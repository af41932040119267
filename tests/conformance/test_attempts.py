"""Retries: attempts bounded per operation, backoff without Retry-After, 4xx never retried, Retry-After."""

from __future__ import annotations

from mockgenesys.conformance import check
from mockgenesys.conformance.attempts import backoff_floor

from .journals import Rows


def storm(waits: list[float], status: int = 503, last: int = 200) -> Rows:
    rows, t = Rows(), 0.0
    for wait in waits:
        rows.add(t, "organizations.me", status)
        t += wait
    rows.add(t, "organizations.me", last)
    return rows


def rules(rows: Rows, *names: str, **options: float) -> list[str]:
    return [v.rule for v in check(rows.entries, rules=names, **options).violations]  # type: ignore[arg-type]


def test_attempts_thirteen_in_a_row_break_the_bound_twelve_do_not() -> None:
    assert rules(storm([1.0] * 11), "bounded_attempts") == []
    assert rules(storm([1.0] * 12), "bounded_attempts") == ["bounded_attempts"]
    assert rules(storm([1.0] * 12), "bounded_attempts", max_attempts=13) == []


def test_attempts_a_long_pause_starts_a_new_operation() -> None:
    waits = [1.0] * 8 + [61.0] + [1.0] * 8  # gave up, came back after more than quiet_gap
    assert rules(storm(waits), "bounded_attempts") == []
    assert rules(storm(waits), "bounded_attempts", quiet_gap=120) == ["bounded_attempts"]


def test_attempts_concurrent_callers_each_get_the_budget() -> None:
    rows = Rows()
    for _ in range(3):  # three callers sent before the first failure was answered
        rows.add(0.0, "organizations.me", 503)
    for n in range(1, 11):
        for _ in range(3):
            rows.add(float(n), "organizations.me", 503 if n < 10 else 200)
    assert rules(rows, "bounded_attempts") == []  # 33 attempts of three callers, 11 each


def run_with_a_401(failures: int) -> Rows:
    rows = Rows()
    for n in range(failures):
        rows.add(float(n), "organizations.me", 503)
    rows.add(float(failures), "organizations.me", 401)  # the token died meanwhile: a new one, then success
    rows.add(float(failures), "organizations.me", 200)
    return rows


def test_attempts_a_401_is_reauthentication_not_an_attempt() -> None:
    assert rules(run_with_a_401(11), "bounded_attempts") == []
    assert rules(run_with_a_401(12), "bounded_attempts") == ["bounded_attempts"]


def refused_then_resent(twelfth: int) -> Rows:
    rows = Rows()
    for n in range(11):
        rows.add(float(n), "guest.ws.onMessage", 503, detail="m1")
    rows.add(11.0, "guest.ws.onMessage", twelfth, detail="m1")
    rows.add(11.0, "guest.ws.configureSession", 200)
    rows.add(11.0, "guest.ws.onMessage", 200, detail="m1")  # the 13th try
    return rows


def test_attempts_a_read_only_conversation_ends_the_run_the_message_starts_over() -> None:
    # the agent left (403 on onMessage): the message starts over in a new conversation
    assert rules(refused_then_resent(403), "bounded_attempts", "dropped_message") == []
    assert rules(refused_then_resent(503), "bounded_attempts") == ["bounded_attempts"]


def test_backoff_a_fixed_short_interval_is_caught_a_growing_one_is_not() -> None:
    assert rules(storm([0.1] * 8), "backoff") == ["backoff"]
    assert rules(storm([min(30.0, 0.25 * 2**n) for n in range(10)]), "backoff") == []
    assert rules(storm([0.1] * 6), "backoff") == []  # too few failures to judge
    assert rules(storm([0.1] * 8, status=429), "backoff") == ["backoff"]


def test_backoff_is_not_asked_when_the_server_said_how_long_to_wait() -> None:
    rows = Rows()
    for n in range(10):
        rows.add(n * 0.1, "organizations.me", 429, retry_after=0)
    rows.add(1.0, "organizations.me", 200)
    assert rules(rows, "backoff") == []


def test_backoff_floor_is_a_fraction_of_the_ceilings() -> None:
    assert backoff_floor(7, 0.5, 30.0, 0.025) == 0.025 * (0.5 + 1 + 2 + 4 + 8 + 16 + 30)


def test_retried_client_error_twice_after_a_pause_but_not_once_or_at_once() -> None:
    again_twice = storm([0.5, 1.0], status=403)
    assert rules(again_twice, "retried_client_error") == ["retried_client_error"]
    assert rules(storm([0.5], status=403), "retried_client_error") == []  # once: maybe the next call
    assert rules(storm([0.0, 0.0], status=403), "retried_client_error") == []  # at once: new calls
    assert rules(storm([0.5, 1.0], status=401), "retried_client_error") == []
    assert rules(storm([0.5, 1.0], status=429), "retried_client_error") == []


def test_retried_client_error_spares_a_403_followed_by_a_new_conversation() -> None:
    rows = Rows()
    rows.add(0.0, "guest.ws.onMessage", 403, detail="m1")
    rows.add(0.0, "guest.ws.configureSession", 200)
    rows.add(0.5, "guest.ws.onMessage", 200, detail="m1")
    assert rules(rows, "retried_client_error") == []


def test_retry_after_early_retry_that_succeeds_is_attributed_to_its_caller() -> None:
    rows = Rows()
    rows.add(0.0, "webmessaging.messages", 429, retry_after=3)
    rows.add(1.0, "webmessaging.messages", 200)
    [violation] = check(rows.entries, rules=["retry_after"]).violations
    assert violation.caller == "fp:guest" and "succeeded anyway" in violation.message


def test_retry_after_spares_a_live_request_that_arrived_before_the_answer() -> None:
    rows = Rows()
    rows.add(10.0, "organizations.me", 429, retry_after=3)
    rows.add(10.2, "organizations.me", 200, received=9.99)  # arrived before the 429 was answered
    assert rules(rows, "retry_after") == []
    rows.add(10.3, "organizations.me", 200, received=10.01)
    assert rules(rows, "retry_after") == ["retry_after"]
