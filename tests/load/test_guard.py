from __future__ import annotations

import pytest

from mockgenesys.load import TargetError, check_target
from mockgenesys.load.guard import check_bind_host


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8765", "http://localhost:8765/", "https://[::1]:8443", "http://127.3.2.1"]
)
def test_guard_accepts_loopback_targets(url: str) -> None:
    assert check_target(url) == url.rstrip("/")


@pytest.mark.parametrize("url", ["http://10.0.0.5:8765", "https://api.mypurecloud.com", "http://192.168.1.2"])
def test_guard_refuses_other_hosts_unless_allowed(url: str) -> None:
    with pytest.raises(TargetError, match=r"is not on this machine; .* unless you pass --allow-remote"):
        check_target(url)
    assert check_target(url, allow_remote=True) == url


@pytest.mark.parametrize("url", ["127.0.0.1:8765", "ftp://127.0.0.1", "http://127.0.0.1:8765/?x=1", "http://:80"])
def test_guard_refuses_what_is_not_a_base_url(url: str) -> None:
    with pytest.raises(TargetError, match="must be the base URL of a server"):
        check_target(url, allow_remote=True)


def test_guard_refuses_a_bad_port() -> None:
    with pytest.raises(TargetError, match="has an invalid port"):
        check_target("http://127.0.0.1:99999")


def test_guard_keeps_listeners_on_loopback_unless_allowed() -> None:
    assert check_bind_host("127.0.0.1", allow_remote=False, flag="--master-bind-host") == "127.0.0.1"
    with pytest.raises(TargetError, match=r"--master-bind-host 0\.0\.0\.0 would listen beyond this machine"):
        check_bind_host("0.0.0.0", allow_remote=False, flag="--master-bind-host")
    assert check_bind_host("0.0.0.0", allow_remote=True, flag="--master-bind-host") == "0.0.0.0"
