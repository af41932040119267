"""The dashboard's live feed: server-sent events that tail the journal for one open page.

The journal has no subscribers, so nothing on the mock's hot path knows a page is open. Each
connected page gets its own loop on the server's event loop that wakes every ``TICK`` seconds
and sends the rows numbered after the last one it sent (``Journal.rows_after`` costs the rows
it returns), the mock's state when it changed, and the conformance report when the journal moved.
With no page open there is no loop, and the mock does no work for the dashboard at all.

Buffers are bounded at both ends. The journal is the server's buffer: a page that falls behind
(a slow browser, a stalled connection) is not queued for; when it catches up, rows beyond
``MAX_BATCH`` are skipped and the page is told how many (``rows.skipped``). The page keeps its own
capped buffer.

Events (``event: <name>`` with one JSON ``data:`` line each)::

    hello  {fields, total, maxlen, endpoints, then, match, when}   once, first
    rows   {rows: [[field, ...], ...], skipped, total, size}   journal rows, fields in ``hello.fields`` order
    reset  {}                                          the journal was cleared (the mock was reset)
    state  {clock, faults, connections, journal, limits}   when any of it changed
    check  {ok, checked, rules: {rule: count}, violations: [{rule, message, entries, omitted}]}
                                                       the conformance report, bounded (``findings``),
           or {error} when grading raised
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import fields
from typing import TYPE_CHECKING, Any

import orjson

from mockgenesys.conformance import ConformanceReport, check
from mockgenesys.dashboard.views import clock_view, faults_view, limits_view
from mockgenesys.faults.actions import valid_then_keys
from mockgenesys.faults.rules import MATCH_FIELDS, WHEN_FIELDS
from mockgenesys.journal import Entry
from mockgenesys.server.routes import all_routes
from mockgenesys.server.websocket.actions import ACTIONS

if TYPE_CHECKING:
    from mockgenesys.mock import MockGenesys

#: Seconds between two looks at the journal.
TICK = 0.1
#: Most rows one event carries; a page further behind skips the older ones.
MAX_BATCH = 5000
#: Rows a page gets at the start (the newest), when it does not say where it stopped.
BACKLOG = 5000
#: Seconds between two looks at the mock's state (clock, faults, limits, connections).
STATE_EVERY = 0.5
#: The conformance report is recomputed at most this often, and never more often than
#: ``CHECK_SPACING`` times its last computing time (grading a full journal takes a while).
CHECK_EVERY = 1.0
CHECK_SPACING = 50.0
#: Per rule, the newest violations a ``check`` event carries, and the entries shown per violation.
MAX_FINDINGS = 50
MAX_PROOF = 10
#: A comment line after this many quiet seconds, so proxies and the page see a live connection.
KEEPALIVE = 15.0


def event(name: str, data: Any) -> bytes:
    """One server-sent event: ``event: <name>`` and its data as one line of JSON."""
    return b"event: " + name.encode() + b"\ndata: " + orjson.dumps(data) + b"\n\n"


def endpoint_ids() -> list[str]:
    """Every endpoint id a fault rule or a journal row may name: REST routes, then the guest socket's."""
    return [
        *sorted({route.endpoint for route in all_routes()}),
        "guest.ws.connect",
        *(f"guest.ws.{a}" for a in ACTIONS),
    ]


def grade(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    """The conformance report of journal rows as the ``check`` event carries it (see ``findings``).

    Safe off the event loop: it reads only ``rows``.
    """
    return findings(check([Entry(*row) for row in rows]))


def findings(report: ConformanceReport) -> dict[str, Any]:
    """``report`` bounded for a page: every rule's count, its newest ``MAX_FINDINGS`` violations,
    each with at most ``MAX_PROOF`` entries (the first two and the last ones; ``omitted`` counts the rest).

    A full report can be huge (a re-login storm of n requests names O(n²) entries).
    """
    counts = Counter(violation.rule for violation in report.violations)
    seen: Counter[str] = Counter()
    shown = []
    for violation in report.violations:
        seen[violation.rule] += 1
        if seen[violation.rule] <= counts[violation.rule] - MAX_FINDINGS:
            continue  # an older one of a rule with more than MAX_FINDINGS
        entries = violation.entries
        if len(entries) > MAX_PROOF:
            entries = (*entries[:2], *entries[2 - MAX_PROOF :])
        shown.append(
            {
                "rule": violation.rule,
                "message": violation.message,
                "entries": [entry.to_dict() for entry in entries],
                "omitted": len(violation.entries) - len(entries),
            }
        )
    return {"ok": report.ok, "checked": report.checked, "rules": dict(counts), "violations": shown}


class Feed:
    """What one open page has been sent, and what to send it next.

    ``tick()`` is synchronous and does a bounded amount of work; ``stream()`` drives it. Pass
    ``after`` (a journal sequence number) to resume where a dropped connection stopped.
    """

    def __init__(
        self, mock: MockGenesys, *, after: int | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        journal = mock.journal
        self.mock = mock
        self._clock = clock
        if after is None or after > journal.total:  # beyond the end: a page of an earlier server
            self.last_seq = max(0, journal.total - BACKLOG)
        else:
            self.last_seq = after
        self._expected_size = len(journal)
        self._seen_total = journal.total
        self._state_at = -float("inf")
        self._state = b""
        self._check_at = -float("inf")
        self._check_cost = 0.0
        self._checked_total = -1

    def hello(self) -> bytes:
        """The first event: the row layout and what the fault form needs to offer."""
        journal = self.mock.journal
        return event(
            "hello",
            {
                "fields": [f.name for f in fields(Entry)],
                "total": journal.total,
                "maxlen": journal.maxlen,
                "endpoints": endpoint_ids(),
                "then": valid_then_keys(),
                "match": list(MATCH_FIELDS),
                "when": list(WHEN_FIELDS),
            },
        )

    def tick(self) -> list[bytes]:
        """The events due now: a reset, new rows, the state if it changed."""
        journal = self.mock.journal
        out: list[bytes] = []
        total, size = journal.total, len(journal)
        # Rows only leave a ring from the front as new ones arrive: fewer than that means cleared.
        if size < min(journal.maxlen, self._expected_size + total - self._seen_total):
            out.append(event("reset", {}))
            self.last_seq = total - size
        self._expected_size, self._seen_total = size, total
        pending = total - self.last_seq
        if pending > 0:
            rows = journal.rows_after(self.last_seq, MAX_BATCH)
            skipped = pending - len(rows)
            self.last_seq = total
            out.append(event("rows", {"rows": rows, "skipped": skipped, "total": total, "size": size}))
        now = self._clock()
        if now - self._state_at >= STATE_EVERY:
            self._state_at = now
            state = event("state", self.state())
            if state != self._state:
                self._state = state
                out.append(state)
        return out

    def state(self) -> dict[str, Any]:
        """The clock, fault rules, open connections, journal size and rate-limit windows."""
        journal = self.mock.journal
        connections = {sid: len(peers) for sid, peers in sorted(self.mock.hub.connections.items()) if peers}
        return {
            "clock": clock_view(self.mock),
            "faults": faults_view(self.mock),
            "connections": connections,
            "journal": {"total": journal.total, "size": len(journal), "maxlen": journal.maxlen},
            "limits": limits_view(self.mock),
        }

    def check_due(self) -> bool:
        """Whether to grade the journal again: it moved, and enough time passed since the last time."""
        wait = max(CHECK_EVERY, CHECK_SPACING * self._check_cost)
        return self.mock.journal.total != self._checked_total and self._clock() - self._check_at >= wait

    def check_rows(self) -> list[tuple[Any, ...]]:
        """Take the rows to grade (the whole journal) and note when and up to where."""
        journal = self.mock.journal
        self._check_at = self._clock()
        self._checked_total = journal.total
        return journal.rows_after(0, len(journal))

    def checked(self, grading: asyncio.Future[dict[str, Any]]) -> bytes:
        """The ``check`` event for a finished ``grade``, noting how long it took since ``check_rows``.

        Grading that raised is reported to the page (``{"error": ...}``) rather than ending the feed.
        """
        self._check_cost = self._clock() - self._check_at
        error = grading.exception()
        if error is not None:
            return event("check", {"error": f"The conformance check failed: {error!r}."})
        return event("check", grading.result())

    async def stream(self, closing: Callable[[], bool] = lambda: False) -> AsyncIterator[bytes]:
        """The page's event stream: ``hello``, then ticks until the page goes away or ``closing()``
        says the server is shutting down (the page then reconnects to whatever serves next)."""
        yield self.hello()
        grading: asyncio.Future[dict[str, Any]] | None = None
        quiet_since = self._clock()
        try:
            while not closing():
                out = self.tick()
                if grading is not None and grading.done():
                    out.append(self.checked(grading))
                    grading = None
                if grading is None and self.check_due():
                    # Off the event loop: grading a full journal would stall the requests it serves.
                    grading = asyncio.ensure_future(asyncio.to_thread(grade, self.check_rows()))
                if out:
                    quiet_since = self._clock()
                    yield b"".join(out)
                elif self._clock() - quiet_since >= KEEPALIVE:
                    quiet_since = self._clock()
                    yield b": keepalive\n\n"
                await asyncio.sleep(TICK)
        finally:
            if grading is not None:  # the thread finishes on its own; nobody waits for its report
                grading.cancel()
