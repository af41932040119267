from __future__ import annotations

import gc
import json

import pytest

from mockgenesys import Journal, JournalAssertionError
from mockgenesys.journal import ROWS_PER_COLLECTION


def record(journal: Journal, endpoint: str, status: int = 200, principal: str | None = None) -> None:
    journal.record(
        time=1.0, wall=1.0, kind="http", endpoint=endpoint, method="GET", path="/p", status=status, principal=principal
    )


def test_journal_is_a_bounded_ring() -> None:
    journal = Journal(maxlen=3)
    for _ in range(5):
        record(journal, "oauth.token")
    assert len(journal) == 3 and journal.total == 5
    assert [e.seq for e in journal] == [3, 4, 5]
    with pytest.raises(ValueError, match="at least one"):
        Journal(maxlen=0)


def test_journal_calls_filters_and_globs() -> None:
    journal = Journal()
    record(journal, "guest.ws.onMessage", principal="fp:1")
    record(journal, "guest.ws.echo", status=429)
    record(journal, "oauth.token")
    assert len(journal.calls("guest.ws.*")) == 2
    assert [e.endpoint for e in journal.calls(status=429)] == ["guest.ws.echo"]
    assert len(journal.calls(principal="fp:1")) == 1
    assert len(journal.calls(method="get")) == 3
    assert len(journal.calls(since=2)) == 1


def test_journal_assert_called_shows_near_misses() -> None:
    journal = Journal()
    record(journal, "oauth.token", status=400)
    assert journal.assert_called("oauth.token", status=400, times=1)
    with pytest.raises(JournalAssertionError) as info:
        journal.assert_called("oauth.token", status=200)
    message = str(info.value)
    assert "Expected at least one call with endpoint='oauth.token', status=200" in message
    assert "oauth.token] -> 400" in message


def test_journal_jsonl_export() -> None:
    journal = Journal()
    record(journal, "a")
    record(journal, "b")
    lines = [json.loads(line) for line in journal.to_jsonl().splitlines()]
    assert [line["endpoint"] for line in lines] == ["a", "b"]


def test_journal_rows_do_not_pile_up_in_the_collectors_young_generation() -> None:
    # A full ring frees a row for every row it keeps, so no collection would otherwise run and
    # every row would stay tracked until a pass over all of them (tens of ms at 100,000 rows).
    assert gc.isenabled()
    journal = Journal(maxlen=5 * ROWS_PER_COLLECTION)
    for n in range(20 * ROWS_PER_COLLECTION):
        record(journal, f"endpoint-{n}")
    assert sum(gc.is_tracked(row) for row in journal._rows) <= ROWS_PER_COLLECTION
