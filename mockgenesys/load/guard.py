"""Where load may go: loopback targets only, unless the user says otherwise explicitly.

A load generator pointed at the wrong URL is a denial-of-service tool. ``check_target`` accepts
an http(s) base URL whose host is this machine (``is_loopback``: ``localhost``, 127.0.0.0/8,
``::1``); any other host needs ``allow_remote=True`` (the CLI's ``--allow-remote``), and names
resolve only when that flag is given, since a name can point anywhere.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from mockgenesys.load.errors import TargetError
from mockgenesys.serving import is_loopback


def check_target(url: str, *, allow_remote: bool = False, flag: str = "--host") -> str:
    """``url`` without a trailing slash if load may be sent there; ``TargetError`` otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise TargetError(f"{flag} must be the base URL of a server, like http://127.0.0.1:8765; got {url!r}.")
    try:
        parts.port  # noqa: B018  (raises on a port that is not a number or out of range)
    except ValueError:
        raise TargetError(f"{flag} {url!r} has an invalid port; give a number from 1 to 65535.") from None
    if not allow_remote and not is_loopback(parts.hostname):
        raise TargetError(
            f"{flag} {url} is not on this machine; load goes to loopback addresses (127.0.0.1, ::1, localhost) "
            "unless you pass --allow-remote, and only point it at servers you are allowed to load."
        )
    return url.rstrip("/")


def check_bind_host(host: str, *, allow_remote: bool, flag: str) -> str:
    """``host`` if a Locust listener (master port, web UI) may bind it; loopback unless ``allow_remote``."""
    if not allow_remote and not is_loopback(host):
        raise TargetError(
            f"{flag} {host} would listen beyond this machine; pass --allow-remote to let workers on other "
            "machines connect (keep it on a trusted network), or bind 127.0.0.1."
        )
    return host
