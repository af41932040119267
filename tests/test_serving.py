from __future__ import annotations

import pytest

from mockgenesys.serving import LOOPBACK, guest_ws_url, is_loopback


@pytest.mark.parametrize("host", [LOOPBACK, "127.0.0.2", "127.255.255.254", "::1", "::ffff:127.0.0.1", "localhost"])
def test_serving_loopback_is_all_of_127_8_and_ipv6_one(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["10.0.0.1", "0.0.0.0", "::", "::ffff:10.0.0.1", "example.com", "", "testclient"])
def test_serving_other_hosts_are_not_loopback(host: str) -> None:
    assert not is_loopback(host)


def test_serving_guest_ws_url_swaps_the_scheme() -> None:
    assert guest_ws_url("http://127.0.0.1:8765", "dep") == "ws://127.0.0.1:8765/v1?deploymentId=dep"
