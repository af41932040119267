"""Figures of one run for the reports: counts by endpoint and status, latencies, re-auth, faults."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypedDict

from mockgenesys.chaos.control import Firing
from mockgenesys.chaos.records import GuestRecord, ServerView
from mockgenesys.conformance import client_requests
from mockgenesys.journal import Entry

if TYPE_CHECKING:
    from mockgenesys.chaos.result import AppliedEvent

SERIES_BUCKETS = 60
REAUTH_ENDPOINTS = {
    "oauth.token": "oauth_token",
    "guest.ws.configureSession": "configure_session",
    "guest.ws.configureAuthenticatedSession": "configure_session",
    "guest.ws.getJwt": "get_jwt",
    "webdeployments.token.refresh": "jwt_refresh",
}
STATUS_CLASSES = ("2xx", "401/403", "429", "other 4xx", "5xx", "fault")


class Percentiles(TypedDict):
    p50: float | None
    p90: float | None
    p99: float | None
    max: float | None
    count: int


class Histogram(TypedDict):
    edges: list[float]
    counts: list[int]


class Messages(TypedDict):
    planned: int
    sent_ok: int
    send_errors: int
    stored: int


class Restores(TypedDict):
    ok: int
    failed: int


class LogHistogram(TypedDict):
    """Counts on log-spaced bins (``per_decade`` bins per factor of ten); ``under`` counts values below ``edges[0]``."""

    under: int
    edges: list[float]
    counts: list[int]


class Latency(TypedDict):
    send_virtual_seconds: Percentiles
    server_ms: Percentiles
    send_histogram: Histogram
    send_histogram_log: LogHistogram


class Reauth(TypedDict):
    totals: dict[str, int]
    max_per_guest: dict[str, int]
    events: list[dict[str, Any]]


class Faults(TypedDict):
    fired: dict[str, int]
    total: int
    firings: list[dict[str, Any]]


class Series(TypedDict):
    bucket_seconds: float
    buckets: int
    by_status: dict[str, list[int]]


class Metrics(TypedDict):
    """The figures of one run, as ``report.json`` holds them (a plain dict, typed for readers)."""

    virtual_seconds: float
    requests: int
    journal_entries: int
    messages: Messages
    restores: Restores
    endpoints: dict[str, dict[str, int]]
    latency: Latency
    reauth: Reauth
    faults: Faults
    timeline: list[dict[str, Any]]
    series: Series


def percentiles(values: list[float]) -> Percentiles:
    """p50, p90, p99 and max of ``values`` (nearest rank), None when empty."""
    if not values:
        return {"p50": None, "p90": None, "p99": None, "max": None, "count": 0}
    ordered = sorted(values)

    def rank(q: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered) - 1e-9) - 1))]

    return {"p50": rank(0.5), "p90": rank(0.9), "p99": rank(0.99), "max": ordered[-1], "count": len(ordered)}


def status_class(entry: Entry) -> str:
    """The series a request falls in on the requests-over-time chart."""
    if entry.fault:
        return "fault"
    status = entry.status
    if status < 400:
        return "2xx"
    if status in (401, 403):
        return "401/403"
    if status == 429 or status == 4029:
        return "429"
    if status >= 500 and status < 600:
        return "5xx"
    return "other 4xx"


def collect(
    view: ServerView,
    guests: list[GuestRecord],
    *,
    started: float,
    ended: float,
    firings: Sequence[Firing],
    events: Sequence[AppliedEvent],
) -> Metrics:
    """Everything ``report.json`` shows besides the invariants; firing times count from ``started``."""
    requests = client_requests(view.entries)
    by_endpoint: dict[str, Counter[str]] = defaultdict(Counter)
    for entry in requests:
        by_endpoint[entry.endpoint][str(entry.status)] += 1
    first: dict[tuple[int, int], float] = {}
    for guest, items in view.stored.items():
        for stored in items:
            first.setdefault((guest, stored.index), stored.time)
    send_latency = [
        view.waited(s.issued, first[(g.index, s.index)]) for g in guests for s in g.sends if (g.index, s.index) in first
    ]
    reauth: Counter[str] = Counter()
    reauth_events = []
    per_guest: dict[int, Counter[str]] = defaultdict(Counter)
    for entry in requests:
        kind = REAUTH_ENDPOINTS.get(entry.endpoint)
        if kind is None:
            continue
        reauth[kind] += 1
        reauth_events.append({"t": round(entry.time - started, 3), "kind": kind, "status": entry.status})
        owner = view.guest_of(entry)
        if owner is not None:
            per_guest[owner][kind] += 1
    span = max(ended - started, 1e-9)
    width = span / SERIES_BUCKETS
    series = {name: [0] * SERIES_BUCKETS for name in STATUS_CLASSES}
    for entry in requests:
        bucket = min(SERIES_BUCKETS - 1, max(0, int((entry.time - started) / width)))
        series[status_class(entry)][bucket] += 1
    fired = Counter(f.rule for f in firings)
    firing_rows = [{"t": round(f.time - started, 3), "rule": f.rule, "endpoint": f.endpoint} for f in firings]
    sends = [s for g in guests for s in g.sends]
    return {
        "virtual_seconds": round(ended - started, 3),
        "requests": len(requests),
        "journal_entries": len(view.entries),
        "messages": {
            "planned": sum(len(g.planned) for g in guests),
            "sent_ok": sum(1 for s in sends if s.error is None and s.done is not None),
            "send_errors": sum(1 for s in sends if s.error is not None),
            "stored": sum(len(items) for items in view.stored.values()),
        },
        "restores": {
            "ok": sum(1 for g in guests for r in g.restores if r[2] is None),
            "failed": sum(1 for g in guests for r in g.restores if r[2] is not None),
        },
        "endpoints": {name: dict(sorted(counts.items())) for name, counts in sorted(by_endpoint.items())},
        "latency": {
            "send_virtual_seconds": percentiles(send_latency),
            "server_ms": percentiles([e.latency_ms for e in requests]),
            "send_histogram": _histogram(send_latency),
            "send_histogram_log": log_histogram(send_latency),
        },
        "reauth": {
            "totals": dict(sorted(reauth.items())),
            "max_per_guest": {k: max((c[k] for c in per_guest.values()), default=0) for k in sorted(reauth)},
            "events": reauth_events[:5000],
        },
        "faults": {
            "fired": dict(sorted(fired.items())),
            "total": sum(fired.values()),
            "firings": firing_rows[:5000],
        },
        "timeline": [e.to_dict() for e in events],
        "series": {"bucket_seconds": round(width, 6), "buckets": SERIES_BUCKETS, "by_status": series},
    }


def _histogram(values: list[float], bins: int = 24) -> Histogram:
    if not values:
        return {"edges": [], "counts": []}
    low, high = min(values), max(values)
    if high <= low:
        return {"edges": [low, low], "counts": [len(values)]}
    width = (high - low) / bins
    counts = [0] * bins
    for value in values:
        counts[min(bins - 1, int((value - low) / width))] += 1
    return {"edges": [round(low + i * width, 6) for i in range(bins + 1)], "counts": counts}


#: Latencies below this (in virtual seconds) count as instant in the log histogram.
LOG_FLOOR = 0.001
LOG_BINS_PER_DECADE = 4


def log_histogram(values: list[float]) -> LogHistogram:
    """``values`` on log-spaced bins from ``LOG_FLOOR`` up; ``under`` counts the instant ones.

    One bar of instant sends no longer hides a tail of slow ones: every decade gets the same room.
    """
    under = sum(1 for value in values if value < LOG_FLOOR)
    slow = [value for value in values if value >= LOG_FLOOR]
    if not slow:
        return {"under": under, "edges": [], "counts": []}
    low = math.floor(math.log10(min(slow)) * LOG_BINS_PER_DECADE + 1e-9)
    high = max(low + 1, math.ceil(math.log10(max(slow)) * LOG_BINS_PER_DECADE + 1e-9))
    counts = [0] * (high - low)
    for value in slow:
        counts[min(len(counts) - 1, math.floor(math.log10(value) * LOG_BINS_PER_DECADE + 1e-9) - low)] += 1
    edges = [round(10 ** ((low + n) / LOG_BINS_PER_DECADE), 6) for n in range(high - low + 1)]
    return {"under": under, "edges": edges, "counts": counts}
