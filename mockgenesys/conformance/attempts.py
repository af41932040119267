"""Rules on how a client retries: Retry-After, bounded attempts, backoff, 4xx never retried, real limits.

A **run** is one operation of one caller (``facts.operation``) tried again and again: it starts
with an attempt and goes on while attempts fail, ending at a success, at a pause longer than
``quiet_gap`` (and longer than the last Retry-After): after such a pause the caller is starting
over, not retrying; or at a refusal that ends the session or conversation (4006, 4007, the
read-only 403 on ``onMessage``): the cure is a new session or conversation, where it starts over. Concurrent callers of one operation (several tasks sharing one token) are
told apart by what they sent before the run's first failure was answered: each of those starts
its own chain of retries, and each chain gets the attempt budget.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mockgenesys.conformance.facts import (
    ON_MESSAGE,
    SESSION_GONE,
    Facts,
    failed,
    is_client_error,
    operation,
    sent_after,
    sent_at,
)
from mockgenesys.conformance.report import Violation
from mockgenesys.journal import Entry

#: How many times a refused 4xx must be sent again to count as retried.
RETRIED_TWICE = 2
#: Retry statuses that ask for backoff when no Retry-After comes with them (0: no answer at all).
BACKOFF_STATUSES = frozenset({0, 408, 429, 500, 502, 503, 504})
#: The refusal of a message to a conversation the agent left (a new conversation is the cure).
READ_ONLY = 403


@dataclass
class Run:
    """One caller's attempts at one operation, from its first try to a success or a long pause."""

    caller: str
    operation: str
    attempts: list[Entry] = field(default_factory=list)

    @property
    def chains(self) -> int:
        """How many callers run this operation at once: attempts sent before the first failure was answered."""
        first_failure = next((a for a in self.attempts if failed(a)), None)
        if first_failure is None:
            return 1
        return max(1, sum(1 for a in self.attempts if sent_at(a) <= first_failure.time))


def runs(facts: Facts, quiet_gap: float) -> list[Run]:
    """Every run of every caller, in the order their first attempts were made."""
    found: list[Run] = []
    open_runs: dict[tuple[str, str], Run] = {}
    for entry in facts.requests:
        who = facts.caller(entry)
        if who is None:
            continue
        key = (who, operation(entry))
        run = open_runs.get(key)
        if run is not None:
            last = run.attempts[-1]
            pause = sent_at(entry) - last.time
            if not failed(last) or pause > max(quiet_gap, float(last.retry_after or 0)) or _ends_session(last):
                run = None
        if run is None:
            run = open_runs[key] = Run(who, key[1])
            found.append(run)
        run.attempts.append(entry)
    return found


def _ends_session(entry: Entry) -> bool:
    return entry.status in SESSION_GONE or (entry.endpoint == ON_MESSAGE and entry.status == READ_ONLY)


def bounded_attempts(all_runs: list[Run], max_attempts: int) -> list[Violation]:
    """Runs of more than ``max_attempts`` tries per concurrent caller (401s left out: re-authenticating
    is judged by the credential rules)."""
    found = []
    for run in all_runs:
        limit = max_attempts * run.chains
        tries = sum(1 for a in run.attempts if a.status != 401)  # a 401 and its new credential: re-authentication
        if tries <= limit:
            continue
        chains = f" ({run.chains} concurrent callers, {max_attempts} each)" if run.chains > 1 else ""
        ended = "then succeeded" if not failed(run.attempts[-1]) else "and never succeeded"
        found.append(
            Violation(
                "bounded_attempts",
                f"{run.caller} tried {run.operation} {tries} times in a row {ended}, more than "
                f"{limit}{chains}; cap the attempts per operation (and the time spent) and report the failure.",
                tuple(run.attempts),
                caller=run.caller,
            )
        )
    return found


def backoff_floor(failures: int, base: float, cap: float, fraction: float) -> float:
    """The least time ``failures`` backed-off failures must have been waited out: ``fraction`` of the
    exponential schedule's ceilings ``min(cap, base * 2**(n-1))``, n = 1..failures."""
    return fraction * sum(min(cap, base * 2.0 ** (n - 1)) for n in range(1, failures + 1))


def backoff(all_runs: list[Run], *, after: int, base: float, cap: float, fraction: float) -> list[Violation]:
    """Runs whose failures without Retry-After were retried faster than any backoff would.

    Over consecutive failures without Retry-After, the time from the first failure's answer to
    the attempt after the k-th failure (k >= ``after``, per concurrent caller) must reach
    ``backoff_floor(k)``. A full-jitter client (``uniform(0, ceiling)``) falls below it with a
    probability under one in a million at the defaults; a fixed short interval falls below it at once.
    """
    found = []
    for run in all_runs:
        streak: list[Entry] = []
        for attempt, following in zip(run.attempts, run.attempts[1:], strict=False):
            if not (failed(attempt) and attempt.status in BACKOFF_STATUSES and attempt.retry_after is None):
                streak = []
                continue
            streak.append(attempt)
            per_chain = len(streak) // run.chains
            if per_chain < after:
                continue
            waited = sent_at(following) - streak[0].time
            floor = backoff_floor(per_chain, base, cap, fraction)
            if waited < floor:
                found.append(
                    Violation(
                        "backoff",
                        f"{run.caller} retried {run.operation} {len(streak)} times in {waited:.1f} s after failures "
                        f"without Retry-After; back off exponentially (with jitter), e.g. "
                        f"min({cap:g}, {base:g} * 2**n) s after the n-th failure (at least {floor:.1f} s in total "
                        "by now).",
                        (*streak, following),
                        caller=run.caller,
                    )
                )
                break
    return found


def retried_client_error(facts: Facts, quiet_gap: float, retry_pause: float) -> list[Violation]:
    """A 4xx no retry can cure (not 401/408/429) sent again and again: the caller's very next
    requests repeat it at least ``RETRIED_TWICE`` times, each after the pause of a retry loop (at
    least ``retry_pause``, at most ``quiet_gap`` seconds). Sent again once, or at once, it may be
    the caller's next call after it gave up, so that is not counted."""
    found = []
    for who, requests in facts.by_caller.items():
        streak: list[Entry] = []  # a refused request and its repeats so far
        for entry in requests:
            last = streak[-1] if streak else None
            repeats = last is not None and operation(entry) == operation(last)
            if last is not None and repeats and retry_pause <= sent_at(entry) - last.time <= quiet_gap:
                streak.append(entry)
                if is_client_error(entry.status) and entry.status == last.status:
                    continue  # refused again: the streak goes on
            if len(streak) > RETRIED_TWICE:
                found.append(_retried(who, streak))
            streak = [entry] if is_client_error(entry.status) else []
        if len(streak) > RETRIED_TWICE:
            found.append(_retried(who, streak))
    return found


def _retried(who: str, streak: list[Entry]) -> Violation:
    first = streak[0]
    return Violation(
        "retried_client_error",
        f"{who} sent {operation(first)} {len(streak) - 1} more time(s) after it was refused with {first.status} "
        f"{first.code or ''}".rstrip()
        + "; a 4xx other than 401, 408 and 429 is final: raise it (after a read-only 403 on onMessage, start a "
        "new conversation first).",
        tuple(streak),
        caller=who,
    )


def retry_after(facts: Facts) -> list[Violation]:
    """Requests sent after a 429 with Retry-After was answered and before its deadline, per caller and
    endpoint (live, a request that arrived once the 429 was answered counts: nothing tells a retry
    from a request still on its way, and a retry at once is the common mistake)."""
    deadlines: dict[tuple[str, str], tuple[float, Entry]] = {}
    found = []
    for entry in facts.requests:
        who = facts.caller(entry)
        if who is None:
            continue
        key = (who, entry.endpoint)
        if key in deadlines:
            deadline, cause = deadlines[key]
            sent = sent_at(entry)
            if sent_after(entry, cause, 0.0) and sent < deadline:
                outcome = "and succeeded anyway" if not failed(entry) else f"(answered {entry.status})"
                found.append(
                    Violation(
                        "retry_after",
                        f"{entry.endpoint} was called {deadline - sent:.1f} s before the Retry-After of "
                        f"{cause.retry_after} s given by #{cause.seq} had passed {outcome}; wait Retry-After "
                        "seconds before retrying.",
                        (cause, entry),
                        caller=who,
                    )
                )
            elif sent >= deadline:
                del deadlines[key]
        if entry.status == 429 and entry.retry_after is not None:
            deadlines[key] = (entry.time + entry.retry_after, entry)
    return found


def limit_breach(facts: Facts) -> list[Violation]:
    """Requests refused by a documented rate limit (not by an injected fault)."""
    found = []
    for entry in facts.requests:
        if entry.status != 429 or entry.fault is not None:
            continue
        who = facts.caller(entry)
        found.append(
            Violation(
                "limit_breach",
                f"{entry.endpoint} was refused by a Genesys rate limit; pace requests below the documented limits.",
                (entry,),
                caller=who,
            )
        )
    return found
