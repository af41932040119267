"""Figures of a run: percentiles, status classes, firing times counted from the start."""

from __future__ import annotations

from mockgenesys.chaos import Firing, GuestRecord, SendRecord, ServerView
from mockgenesys.chaos.metrics import collect, percentiles, status_class
from mockgenesys.chaos.result import AppliedEvent
from mockgenesys.journal import Entry


def entry(seq: int, endpoint: str, status: int, fault: str | None = None, time: float = 100.0) -> Entry:
    return Entry(seq, time, 0.0, "http", endpoint, "GET", "/x", status, fault=fault, latency_ms=1.0)


def test_metrics_percentiles_by_nearest_rank() -> None:
    assert percentiles([]) == {"p50": None, "p90": None, "p99": None, "max": None, "count": 0}
    figures = percentiles([float(n) for n in range(1, 101)])
    assert (figures["p50"], figures["p90"], figures["p99"], figures["max"], figures["count"]) == (50, 90, 99, 100, 100)


def test_metrics_status_classes() -> None:
    assert [status_class(entry(1, "x", s)) for s in (200, 401, 429, 4029, 404, 503)] == [
        "2xx",
        "401/403",
        "429",
        "429",
        "other 4xx",
        "5xx",
    ]
    assert status_class(entry(1, "x", 200, fault="rule-1")) == "fault"


def test_metrics_collect_counts_from_the_server_and_times_firings_from_the_start() -> None:
    text = "chaos t/1 g0 m0"
    conversation = {"id": "c1", "messages": [{"direction": "inbound", "text": text, "timestamp": 103.0}]}
    view = ServerView("t/1", [conversation], [], [entry(1, "oauth.token", 200), entry(2, "admin.clock.get", 200)])
    record = GuestRecord(0, "g0", 1, [text], sends=[SendRecord(0, text, 101.0, done=103.5)])
    metrics = collect(
        view,
        [record],
        started=100.0,
        ended=110.0,
        firings=[Firing(104.5, "rule-1", "oauth.token")],
        events=[AppliedEvent(4.0, "fault", "armed rule-1")],
    )
    assert metrics["requests"] == 1 and metrics["journal_entries"] == 2  # admin calls are not the client's
    assert metrics["messages"] == {"planned": 1, "sent_ok": 1, "send_errors": 0, "stored": 1}
    assert metrics["latency"]["send_virtual_seconds"]["max"] == 2.0
    assert metrics["faults"]["firings"] == [{"t": 4.5, "rule": "rule-1", "endpoint": "oauth.token"}]
    assert metrics["timeline"] == [{"t": 4.0, "kind": "fault", "summary": "armed rule-1"}]
    assert metrics["reauth"]["totals"] == {"oauth_token": 1} and metrics["virtual_seconds"] == 10.0
