from __future__ import annotations

import asyncio
import json
from dataclasses import fields
from typing import Any

import httpx
import pytest

from mockgenesys import MockGenesys, VirtualClock
from mockgenesys.dashboard import Feed, endpoint_ids, event, feed
from mockgenesys.journal import Entry


class Ticker:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def parse(chunks: list[bytes] | bytes) -> list[tuple[str, Any]]:
    """The (event, data) pairs of server-sent event bytes; comment lines are skipped."""
    text = (b"".join(chunks) if isinstance(chunks, list) else chunks).decode()
    found = []
    for block in filter(None, text.split("\n\n")):
        lines = [line for line in block.split("\n") if not line.startswith(":")]
        if lines:
            name = lines[0].removeprefix("event: ")
            found.append((name, json.loads(lines[1].removeprefix("data: "))))
    return found


def token_calls(mock: MockGenesys, n: int) -> None:
    with httpx.Client(transport=mock.transport(), base_url="https://api.mypurecloud.com") as http:
        for _ in range(n):
            http.post(
                "/oauth/token", data={"grant_type": "client_credentials"}, auth=(mock.client_id, mock.client_secret)
            )


def test_feed_event_is_one_line_of_json() -> None:
    assert event("rows", {"rows": [[1, "a"]], "skipped": 0}) == b'event: rows\ndata: {"rows":[[1,"a"]],"skipped":0}\n\n'


def test_feed_hello_describes_the_rows_and_the_fault_vocabulary(mock: MockGenesys) -> None:
    ((name, hello),) = parse(Feed(mock).hello())
    assert name == "hello" and hello["fields"] == [f.name for f in fields(Entry)]
    assert {"oauth.token", "conversations.history", "guest.ws.connect", "guest.ws.onMessage"} <= set(hello["endpoints"])
    assert hello["endpoints"] == endpoint_ids() and "retry_after" in hello["then"] and "after" in hello["when"]
    assert hello["maxlen"] == mock.journal.maxlen


def test_feed_sends_the_backlog_then_only_new_rows(mock: MockGenesys) -> None:
    token_calls(mock, 3)
    page = Feed(mock, clock=Ticker())
    first = dict(parse(page.tick()))
    assert [row[0] for row in first["rows"]["rows"]] == [1, 2, 3] and first["rows"]["skipped"] == 0
    assert first["rows"]["total"] == first["rows"]["size"] == 3
    assert first["state"]["journal"] == {"total": 3, "size": 3, "maxlen": mock.journal.maxlen}
    assert parse(page.tick()) == []  # nothing new, and the state is not due again yet
    token_calls(mock, 1)
    ((name, data),) = parse(page.tick())
    assert name == "rows" and [row[0] for row in data["rows"]] == [4]
    assert Entry(*data["rows"][0]).endpoint == "oauth.token"


def test_feed_resumes_after_a_sequence_number(mock: MockGenesys) -> None:
    token_calls(mock, 5)
    rows = dict(parse(Feed(mock, after=3).tick()))["rows"]["rows"]
    assert [row[0] for row in rows] == [4, 5]


def test_feed_starts_afresh_for_a_page_of_an_earlier_server(mock: MockGenesys) -> None:
    token_calls(mock, 2)
    rows = dict(parse(Feed(mock, after=500).tick()))["rows"]["rows"]
    assert [row[0] for row in rows] == [1, 2]


def test_feed_skips_what_a_page_cannot_keep_up_with(mock: MockGenesys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feed, "MAX_BATCH", 4)
    page = Feed(mock, after=0, clock=Ticker())
    token_calls(mock, 10)
    data = dict(parse(page.tick()))["rows"]
    assert [row[0] for row in data["rows"]] == [7, 8, 9, 10] and data["skipped"] == 6


def test_feed_starts_with_the_newest_backlog(mock: MockGenesys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feed, "BACKLOG", 2)
    token_calls(mock, 5)
    data = dict(parse(Feed(mock).tick()))["rows"]
    assert [row[0] for row in data["rows"]] == [4, 5] and data["skipped"] == 0


def test_feed_says_when_the_journal_was_cleared(mock: MockGenesys) -> None:
    token_calls(mock, 3)
    page = Feed(mock, clock=Ticker())
    page.tick()
    mock.reset()
    token_calls(mock, 2)
    events = parse(page.tick())
    assert [name for name, _ in events] == ["reset", "rows"]
    assert [row[0] for row in events[1][1]["rows"]] == [4, 5]


def test_feed_sends_the_state_when_it_changed_and_is_due(mock: MockGenesys) -> None:
    ticker = Ticker()
    page = Feed(mock, clock=ticker)
    assert [name for name, _ in parse(page.tick())] == ["state"]
    ticker.now += feed.STATE_EVERY
    assert parse(page.tick()) == []  # due, but nothing changed
    mock.add_fault({"then": {"status": 503}})
    assert parse(page.tick()) == []  # changed, but not due
    ticker.now += feed.STATE_EVERY
    ((name, state),) = parse(page.tick())
    assert name == "state" and state["faults"][0]["then"] == {"status": 503}


async def test_feed_grades_again_only_when_the_journal_moved_and_time_passed(mock: MockGenesys) -> None:
    ticker = Ticker()
    page = Feed(mock, clock=ticker)
    assert page.check_due()
    rows = page.check_rows()
    ticker.now += 0.5  # grading took half a second
    ((name, report),) = parse(page.checked(graded(feed.grade(rows))))
    assert name == "check" and report == {"ok": True, "checked": 0, "rules": {}, "violations": []}
    token_calls(mock, 1)
    ticker.now += feed.CHECK_EVERY
    assert not page.check_due()  # the last grading cost 0.5 s: wait CHECK_SPACING times that
    ticker.now = feed.CHECK_SPACING * 0.5
    assert page.check_due()
    page.check_rows()
    ticker.now += 100
    assert not page.check_due()  # the journal did not move since


def graded(result: dict[str, Any] | Exception) -> asyncio.Future[dict[str, Any]]:
    """A finished grading, as ``Feed.stream`` hands it to ``Feed.checked``."""
    done: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
    if isinstance(result, Exception):
        done.set_exception(result)
    else:
        done.set_result(result)
    return done


async def test_feed_reports_grading_that_raised_instead_of_ending(mock: MockGenesys) -> None:
    page = Feed(mock, clock=Ticker())
    page.check_rows()
    ((name, report),) = parse(page.checked(graded(KeyError("rule"))))
    assert name == "check" and report == {"error": "The conformance check failed: KeyError('rule')."}


def test_feed_grade_finds_what_check_finds() -> None:
    mock = MockGenesys(seed=7, clock=VirtualClock(), limits={"token_per_minute": 1})
    token = mock.issue_token()
    with httpx.Client(transport=mock.transport(), base_url="https://api.mypurecloud.com") as http:
        for _ in range(2):
            http.get("/api/v2/organizations/me", headers={"Authorization": f"Bearer {token}"})
    graded = feed.grade(mock.journal.rows_after(0, len(mock.journal)))
    full = mock.check().to_dict()
    assert graded["rules"] == {"limit_breach": 1}
    assert graded["violations"] == [{**violation, "omitted": 0} for violation in full["violations"]]


def test_feed_findings_keep_each_rules_newest_and_bound_their_entries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feed, "MAX_FINDINGS", 3)
    mock = MockGenesys(seed=7, clock=VirtualClock())
    token_calls(mock, 20)  # a re-login storm: each token request after the third is a finding
    report = mock.check()
    storms = report.by_rule("relogin_storm")
    graded = feed.findings(report)
    assert graded["rules"] == {"relogin_storm": len(storms)} and len(storms) == 18
    shown = graded["violations"]
    assert [v["message"] for v in shown] == [v.message for v in storms[-3:]]
    last = shown[-1]
    assert len(last["entries"]) == feed.MAX_PROOF and last["omitted"] == 20 - feed.MAX_PROOF
    seqs = [entry["seq"] for entry in last["entries"]]
    assert seqs == [1, 2, *range(13, 21)]  # the first two and the newest, the offending one last


async def test_feed_stream_says_hello_then_rows_then_the_report(mock: MockGenesys) -> None:
    token_calls(mock, 4)
    stream = Feed(mock).stream()
    seen: list[tuple[str, Any]] = []
    try:
        while not any(name == "check" for name, _ in seen):
            seen += parse(await anext(stream))
    finally:
        await stream.aclose()
    names = [name for name, _ in seen]
    assert names[0] == "hello" and names.index("rows") < names.index("check")
    report = dict(seen)["check"]
    assert report["checked"] == 4 and {v["rule"] for v in report["violations"]} == {"relogin_storm"}


def test_feed_skips_rows_the_ring_already_dropped() -> None:
    mock = MockGenesys(seed=7, clock=VirtualClock(), journal_size=5)
    token_calls(mock, 12)
    data = dict(parse(Feed(mock, after=0, clock=Ticker()).tick()))["rows"]
    assert [row[0] for row in data["rows"]] == [8, 9, 10, 11, 12] and data["skipped"] == 7
