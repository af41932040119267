from __future__ import annotations

import socket

import pytest

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
