from __future__ import annotations

import itertools
import random
from collections.abc import Awaitable, Callable

import httpx
import pytest

from mockgenesys import VirtualClock
from mockgenesys.client import ClientConfigError, ConnectionFailedError, RetryPolicy, Timing, parse_retry_after
from mockgenesys.client.retry import Retry, RetryGate

Request = Callable[[], Awaitable[httpx.Response]]


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def timing(clock: VirtualClock) -> Timing:
    return Timing(clock=clock, rng=random.Random(3))


def answering(
    clock: VirtualClock, *statuses: int, headers: dict[str, str] | None = None
) -> tuple[list[float], Request]:
    """A request function answering ``statuses`` in turn, recording the virtual time of each call."""
    calls: list[float] = []
    answers = list(statuses)

    async def request() -> httpx.Response:
        calls.append(clock.now())
        return httpx.Response(answers.pop(0), headers=headers or {})

    return calls, request


def test_retry_after_in_seconds_and_as_an_http_date() -> None:
    assert parse_retry_after("7", now=0) == 7.0
    assert parse_retry_after(" 1.5 ", now=0) == 1.5
    assert parse_retry_after("Thu, 01 Jan 1970 00:01:00 GMT", now=30) == 30.0
    assert parse_retry_after("Thu, 01 Jan 1970 00:01:00 GMT", now=90) == 0.0  # a date in the past: go now
    assert parse_retry_after("-3", now=0) == 0.0
    for junk in ("soon", "", "nan", "inf", None):
        assert parse_retry_after(junk, now=0) is None


async def test_429_waits_exactly_retry_after_then_succeeds(clock: VirtualClock, timing: Timing) -> None:
    calls, request = answering(clock, 429, 429, 200, headers={"Retry-After": "30"})
    policy = RetryPolicy(retry_after_jitter=0)
    response = await policy.send(request, timing)
    assert response.status_code == 200
    assert [round(b - a, 6) for a, b in itertools.pairwise(calls)] == [30.0, 30.0]


async def test_429_without_retry_after_backs_off_with_full_jitter_under_a_growing_ceiling(
    clock: VirtualClock, timing: Timing
) -> None:
    calls, request = answering(clock, 429, 503, 502, 504, 200)
    policy = RetryPolicy(base_delay=1.0, max_delay=5.0)
    assert (await policy.send(request, timing)).status_code == 200
    waits = [b - a for a, b in itertools.pairwise(calls)]
    for attempt, wait in enumerate(waits, start=1):
        assert 0 <= wait <= min(5.0, 2 ** (attempt - 1))
    assert len(set(waits)) == len(waits)  # jittered, not lock-step


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 413, 500])
async def test_other_statuses_are_returned_at_once(clock: VirtualClock, timing: Timing, status: int) -> None:
    calls, request = answering(clock, status, 200)
    response = await RetryPolicy().send(request, timing)
    assert response.status_code == status and len(calls) == 1


async def test_attempts_are_capped_and_the_last_response_is_returned(clock: VirtualClock, timing: Timing) -> None:
    calls, request = answering(clock, *[429] * 10)
    response = await RetryPolicy(max_attempts=4).send(request, timing)
    assert response.status_code == 429 and len(calls) == 4


async def test_elapsed_time_is_capped_even_when_retry_after_is_long(clock: VirtualClock, timing: Timing) -> None:
    calls, request = answering(clock, *[429] * 10, headers={"Retry-After": "3600"})
    response = await RetryPolicy(max_elapsed=600).send(request, timing)
    assert response.status_code == 429 and len(calls) == 1  # waiting an hour would break the 10-minute cap
    assert clock.now() == calls[0]


async def test_connection_errors_are_retried_then_reported_with_a_fix(clock: VirtualClock, timing: Timing) -> None:
    attempts = 0

    async def request() -> httpx.Response:
        nonlocal attempts
        attempts += 1
        raise httpx.ConnectError("connection refused")

    with pytest.raises(ConnectionFailedError, match=r"ConnectError on all 3 attempts.*Check the base URL"):
        await RetryPolicy(max_attempts=3).send(request, timing)
    assert attempts == 3


async def test_a_connection_error_then_success(clock: VirtualClock, timing: Timing) -> None:
    outcomes: list[Exception | int] = [httpx.ReadError("reset"), 200]

    async def request() -> httpx.Response:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return httpx.Response(outcome)

    assert (await RetryPolicy().send(request, timing)).status_code == 200


@pytest.mark.parametrize(
    ("field", "value"),
    [("max_attempts", 0), ("base_delay", -1), ("max_delay", float("inf")), ("max_elapsed", float("nan"))],
)
def test_impossible_policies_are_refused(field: str, value: float) -> None:
    with pytest.raises(ClientConfigError, match=f"RetryPolicy.{field}"):
        RetryPolicy(**{field: value})


async def test_run_returns_the_first_result_and_counts_attempts(clock: VirtualClock, timing: Timing) -> None:
    outcomes: list[str | Retry] = [Retry("busy"), Retry("busy"), "done"]
    retried: list[str] = []

    async def attempt() -> str | Retry:
        return outcomes.pop(0)

    def give_up(retry: Retry, attempts: int) -> str:
        raise AssertionError("the policy allowed more attempts")

    result = await RetryPolicy().run(attempt, timing, give_up=give_up, on_retry=lambda r: retried.append(r.reason))
    assert result == "done" and retried == ["busy", "busy"]


async def test_run_gives_up_with_the_last_retry_and_the_attempt_count(clock: VirtualClock, timing: Timing) -> None:
    calls = 0

    async def attempt() -> str | Retry:
        nonlocal calls
        calls += 1
        return Retry(f"refusal {calls}")

    result = await RetryPolicy(max_attempts=3).run(attempt, timing, give_up=lambda r, n: f"{r.reason} after {n}")
    assert result == "refusal 3 after 3" and calls == 3


async def test_run_holds_the_gate_for_every_later_call(clock: VirtualClock, timing: Timing) -> None:
    gate = RetryGate()
    answers: list[str | Retry] = [Retry("429", retry_after=20), "ok"]

    async def attempt() -> str | Retry:
        return answers.pop(0)

    started = clock.monotonic()
    await RetryPolicy(retry_after_jitter=0).run(attempt, timing, give_up=lambda r, n: "gave up", gate=gate)
    assert gate.not_before == started + 20 and clock.monotonic() == started + 20


async def test_the_default_policy_rides_out_ten_refusals_with_retry_after(clock: VirtualClock, timing: Timing) -> None:
    calls, request = answering(clock, *[429] * 10, 200, headers={"Retry-After": "3"})
    assert (await RetryPolicy().send(request, timing)).status_code == 200
    assert len(calls) == 11


async def test_run_a_clock_jump_during_an_attempt_does_not_use_up_the_budget(
    clock: VirtualClock, timing: Timing
) -> None:
    answers: list[str | Retry] = [Retry("session expired"), "delivered"]

    async def attempt() -> str | Retry:
        clock.advance(901)  # the process was suspended (or a test jumped the clock) while the attempt ran
        return answers.pop(0)

    assert await RetryPolicy(max_elapsed=300).run(attempt, timing, give_up=lambda r, n: "gave up") == "delivered"


async def test_run_the_waits_add_up_to_at_most_max_elapsed(clock: VirtualClock, timing: Timing) -> None:
    calls, request = answering(clock, *[429] * 10, headers={"Retry-After": "40"})
    response = await RetryPolicy(max_elapsed=100, retry_after_jitter=0).send(request, timing)
    assert response.status_code == 429 and len(calls) == 3  # 40 + 40 s waited; another 40 would pass 100
