from __future__ import annotations

import json
import re
import socket
import time

import httpx
import pytest

from mockgenesys import MockGenesys, serving
from mockgenesys.serving import LOOPBACK, bind, guest_ws_url, is_loopback


@pytest.mark.parametrize("host", [LOOPBACK, "127.0.0.2", "127.255.255.254", "::1", "::ffff:127.0.0.1", "localhost"])
def test_serving_loopback_is_all_of_127_8_and_ipv6_one(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["10.0.0.1", "0.0.0.0", "::", "::ffff:10.0.0.1", "example.com", "", "testclient"])
def test_serving_other_hosts_are_not_loopback(host: str) -> None:
    assert not is_loopback(host)


def test_serving_guest_ws_url_swaps_the_scheme() -> None:
    assert guest_ws_url("http://127.0.0.1:8765", "dep") == "ws://127.0.0.1:8765/v1?deploymentId=dep"


def test_bind_accepted_sockets_say_tcp_so_the_event_loop_disables_nagle() -> None:
    # asyncio and uvloop set TCP_NODELAY on an accepted socket only when its proto is IPPROTO_TCP;
    # with proto 0 every keep-alive request after the first stalled on delayed ACKs.
    listener = bind()
    with listener, socket.create_connection(listener.getsockname()[:2]):
        accepted, _ = listener.accept()
        with accepted:
            assert accepted.proto == socket.IPPROTO_TCP


# ---------------------------------------------------------------------- the guarded protocol (issue 17)
def _exchange(url: str, *parts: bytes, pause: float = 0.0, wait: float = 3.0) -> bytes:
    """Send ``parts`` on one raw connection (``pause`` seconds apart); everything read until it closes."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    received = b""
    with socket.create_connection((host, int(port)), timeout=wait) as raw:
        for part in parts:
            try:
                raw.sendall(part)
            except OSError:  # the server closed the connection: read what it said
                break
            time.sleep(pause)
        try:
            while chunk := raw.recv(65536):
                received += chunk
        except (TimeoutError, ConnectionResetError):
            pass
    return received


def _statuses(received: bytes) -> list[int]:
    return [int(status) for status in re.findall(rb"HTTP/1\.1 (\d{3}) ", received)]


def _bodies(received: bytes) -> list[dict[str, object]]:
    return [json.loads(body) for body in re.findall(rb"\r\n\r\n(\{.*?\})(?=HTTP/1\.1 |$)", received, re.S)]


@pytest.mark.live
def test_serving_a_slow_request_head_is_answered_408_and_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(serving, "HEAD_TIMEOUT", 0.3)
    with MockGenesys(seed=1).serve() as url:
        received = _exchange(url, b"GET /api/v2/organizations/me HTTP/1.1\r\nHost: x\r\nX-Slow:")
    assert _statuses(received) == [408]
    assert _bodies(received)[0]["code"] == "client.timeout"


@pytest.mark.live
def test_serving_a_slow_request_body_is_answered_408_and_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(serving, "BODY_TIMEOUT", 0.3)
    with MockGenesys(seed=1).serve() as url:
        received = _exchange(url, b"POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\ngrant_type")
    assert _statuses(received) == [408]


@pytest.mark.live
def test_serving_a_connection_that_never_sends_is_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(serving, "IDLE_TIMEOUT", 1)
    started = time.monotonic()
    with MockGenesys(seed=1).serve() as url:
        assert _exchange(url, wait=5.0) == b""
    assert time.monotonic() - started < 4


@pytest.mark.live
def test_serving_refusals_below_the_app_are_genesys_json() -> None:
    with MockGenesys(seed=1).serve() as url:
        garbage = _exchange(url, b"\x16\x03\x01 not http\r\n\r\n")
        huge = _exchange(
            url, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (serving.MAX_HEAD_BYTES + 1) + b"\r\n\r\n"
        )
    assert _statuses(garbage) == [400] and _bodies(garbage)[0]["code"] == "bad.request"
    assert _statuses(huge) == [431] and b"text/plain" not in garbage + huge


@pytest.mark.live
def test_serving_connect_with_a_body_is_answered_once_then_the_connection_closes() -> None:
    request = b"CONNECT /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
    follow = b"GET /api/v2/organizations/me HTTP/1.1\r\nHost: x\r\n\r\n"
    with MockGenesys(seed=1).serve() as url:
        together = _exchange(url, request + follow)
        apart = _exchange(url, request, follow, pause=0.3)  # the next request after the answer
    for received in (together, apart):
        assert _statuses(received) == [405] and b"text/plain" not in received


@pytest.mark.live
def test_serving_pipelining_past_the_cap_closes_the_connection() -> None:
    request = b"GET /api/v2/organizations/me HTTP/1.1\r\nHost: x\r\n\r\n"
    with MockGenesys(seed=1).serve() as url:
        received = _exchange(url, request * 5)
        assert _statuses(received)[:5] == [401] * 5  # within the cap, every request is answered in turn
        flood = _exchange(url, request * (serving.MAX_PIPELINED * 4))
    assert len(_statuses(flood)) <= serving.MAX_PIPELINED + 1


@pytest.mark.live
def test_serving_never_trusts_forwarded_headers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "*")  # what made uvicorn believe X-Forwarded-For
    with MockGenesys(seed=1).serve() as url, httpx.Client(base_url=url) as http:
        answer = http.get("/__admin/clock", headers={"X-Forwarded-For": "10.9.9.9", "Forwarded": "for=10.9.9.9"})
    assert answer.status_code == 200  # the peer is loopback, whatever a header says
