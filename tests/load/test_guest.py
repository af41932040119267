"""``GuestSession`` against a live mock (plain threads, no gevent): the protocol and exactly-once sends."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from mockgenesys import MockGenesys
from mockgenesys.load import GuestSession, Ledger, SocketLost, judge, stored_texts

pytestmark = pytest.mark.live


class Recorded:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str | None]] = []

    def __call__(
        self, kind: str, name: str, started: float, *, length: int = 0, error: BaseException | None = None
    ) -> None:
        assert started <= time.perf_counter()
        self.calls.append((kind, name, None if error is None else type(error).__name__))

    def names(self, error: str | None = None) -> list[str]:
        return [name for _, name, raised in self.calls if raised == error]


Live = tuple[MockGenesys, str, Callable[..., GuestSession]]


@pytest.fixture
def live() -> Iterator[Live]:
    """A served mock, its URL, and a factory of guests (closed at the end) that read history with httpx."""
    mock = MockGenesys(seed=3)
    opened: list[GuestSession] = []
    with mock.serve() as base, httpx.Client() as http:

        def make(ledger: Ledger, record: Recorded, url: str = base) -> GuestSession:
            def get(path: str, params: dict[str, Any], headers: dict[str, str], name: str) -> tuple[int, Any]:
                response = http.get(url + path, params=params, headers=headers)
                record("GET", name, time.perf_counter())
                return response.status_code, response.json() if response.status_code == 200 else None

            guest = GuestSession(
                url, mock.deployment_id, "load t1 g1", ledger=ledger, record=record, http_get=get, timeout=5
            )
            opened.append(guest)
            return guest

        yield mock, base, make
        for guest in opened:
            guest.close()


def test_guest_sends_reads_history_refreshes_and_resumes(live: Live) -> None:
    mock, _, make = live
    ledger, record = Ledger(), Recorded()
    guest = make(ledger, record)
    guest.start()
    assert guest.send() and guest.send()
    assert guest.history_texts() == ["load t1 g1 m0", "load t1 g1 m1"]
    guest.refresh_jwt()
    guest.reconnect()
    assert guest.send()
    guest.close()
    verdict = judge(ledger, stored_texts(mock.world.snapshot()))
    assert verdict.passed and verdict.stored_once == 3
    assert ledger.reauth == {"get_jwt": 2, "resume": 1}
    assert record.names().count("message round trip") == 3 and record.names(error="SocketLost") == []
    assert {"connect", "configureSession", "onMessage", "getJwt", "GET /api/v2/webmessaging/messages"} <= set(
        record.names()
    )


def test_guest_a_lost_echo_is_found_in_the_history_not_sent_again(live: Live) -> None:
    mock, _, make = live
    ledger, record = Ledger(), Recorded()
    guest = make(ledger, record)
    guest.start()
    # The server stores the message, then the socket drops instead of the echo going out.
    mock.add_fault(
        {"match": {"endpoint": "guest.ws.out.StructuredMessage"}, "when": {"times": 1}, "then": {"ws": {"drop": True}}}
    )
    assert guest.send()
    assert judge(ledger, stored_texts(mock.world.snapshot())).stored_once == 1
    assert "SocketLost" in [raised for _, _, raised in record.calls]
    assert ledger.reauth["resume"] == 1


def test_guest_a_frame_dropped_before_the_server_is_sent_again(live: Live) -> None:
    mock, _, make = live
    ledger, record = Ledger(), Recorded()
    guest = make(ledger, record)
    guest.start()
    mock.add_fault({"match": {"endpoint": "guest.ws.onMessage"}, "when": {"times": 1}, "then": {"reset": True}})
    assert guest.send()
    verdict = judge(ledger, stored_texts(mock.world.snapshot()))
    assert verdict.passed and verdict.stored_once == 1


def test_guest_waits_out_a_429_and_a_gone_session_starts_anew(live: Live) -> None:
    mock, _, make = live
    ledger, record = Ledger(), Recorded()
    slept: list[float] = []
    guest = make(ledger, record)
    guest.sleep = slept.append
    guest.start()
    mock.add_fault(
        {"match": {"endpoint": "guest.ws.onMessage"}, "when": {"times": 1}, "then": {"status": 429, "retry_after": 2}}
    )
    assert guest.send()
    assert slept == [2.0]
    first = guest.token
    mock.add_fault(
        {"match": {"endpoint": "guest.ws.onMessage"}, "when": {"times": 1}, "then": {"expire_session": True}}
    )
    assert guest.send()
    assert guest.token != first and ledger.reauth["new_session"] == 1
    assert judge(ledger, stored_texts(mock.world.snapshot())).stored_once == 2


def test_guest_abandons_a_send_whose_fate_it_cannot_learn(live: Live) -> None:
    mock, _, make = live
    ledger, record = Ledger(), Recorded()
    guest = make(ledger, record)
    guest.start()
    mock.add_fault(
        {"match": {"endpoint": "guest.ws.out.StructuredMessage"}, "when": {"times": 1}, "then": {"ws": {"drop": True}}}
    )
    mock.add_fault({"match": {"endpoint": "webmessaging.messages"}, "then": {"status": 500}})
    assert not guest.send()
    assert ledger.abandoned == {"load t1 g1": [0]}
    verdict = judge(ledger, stored_texts(mock.world.snapshot()))
    assert verdict.passed and verdict.abandoned == 1 and verdict.stored_once == 1


def test_guest_connect_failure_is_a_socket_lost(live: Live) -> None:
    _, url, make = live
    guest = make(Ledger(), Recorded(), url=url.rsplit(":", 1)[0] + ":1")
    with pytest.raises(SocketLost, match="could not connect"):
        guest.start()
