"""What a run records, and the server's side of it indexed by guest."""

from __future__ import annotations

from mockgenesys.chaos import Evidence, GuestRecord, Raised, ServerView
from mockgenesys.chaos.records import message_text
from mockgenesys.journal import Entry, fingerprint


def conversation(cid: str, *texts: tuple[str, float], start: float = 0.0) -> dict[str, object]:
    messages = [{"direction": "inbound", "text": text, "timestamp": at} for text, at in texts]
    return {"id": cid, "start_time": start, "messages": [{"direction": "outbound", "text": "hi"}, *messages]}


def test_records_server_view_finds_each_guests_texts_of_this_run_only() -> None:
    ours = [(message_text("run/1", 0, 1, "b"), 12.0), (message_text("run/1", 0, 0, "a"), 11.0)]
    other = [(message_text("old/1", 0, 0), 5.0), ("a guest typed this", 6.0)]
    view = ServerView(
        "run/1",
        [conversation("c1", *ours), conversation("c2", *other)],
        [{"id": "s1", "token": "tok", "conversation_id": "c1"}, {"id": "s2", "token": "x", "conversation_id": "c2"}],
        [],
    )
    assert [(s.guest, s.index, s.position) for s in view.stored[0]] == [(0, 0, 2), (0, 1, 1)]  # by time stored
    assert view.principals == {fingerprint("tok"): 0, "s1": 0}
    entry = Entry(1, 0.0, 0.0, "ws.in", "guest.ws.onMessage", "WS", "/v1", 200, principal=fingerprint("tok"))
    assert view.guest_of(entry) == 0


def test_records_waited_leaves_out_clock_jumps_inside_the_interval() -> None:
    view = ServerView("t", [], [], [], jumps=[(10.0, 100.0), (500.0, 900.0)])
    assert view.waited(5.0, 120.0) == 15.0
    assert view.waited(11.0, 20.0) == 9.0


def test_records_from_evidence_keeps_everything_the_control_reported() -> None:
    evidence = Evidence([conversation("c1")], [{"id": "s1", "token": "t", "conversation_id": "c1"}], [{"id": "x"}], [])
    view = ServerView.from_evidence("tag", evidence, [(1.0, 2.0)])
    assert (view.tag, view.seed_sessions, view.jumps) == ("tag", [{"id": "x"}], [(1.0, 2.0)])


def test_records_guest_errors_are_the_start_and_close_failures() -> None:
    record = GuestRecord(0, "g0", 1, [], raised=[Raised("start", "OSError: refused"), Raised("send", "Timeout")])
    assert record.errors == ["start failed: OSError: refused"]
