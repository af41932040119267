"""Live mock servers for tests: ``GenesysServer`` and the session-scoped ``ServerFactory``.

Each server listens on a free loopback port chosen by the OS, so parallel pytest-xdist
workers never clash; each worker has its own factory and its own servers.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from mockgenesys import MockGenesys
from mockgenesys.serving import LOOPBACK, guest_ws_url


@dataclass
class GenesysServer:
    """A ``MockGenesys`` served live: ``url``, ``ws_url``, the ``mock`` and its credentials.

    ``mock`` is the same object the server answers from, so faults, the journal and the
    world are reachable in-process while any HTTP client (another language, the official
    SDK) talks to ``url``.
    """

    mock: MockGenesys
    url: str

    @property
    def ws_url(self) -> str:
        """The guest WebSocket URL of the default deployment."""
        return guest_ws_url(self.url, self.mock.deployment_id)

    @property
    def client_id(self) -> str:
        return self.mock.client_id

    @property
    def client_secret(self) -> str:
        return self.mock.client_secret

    @property
    def org_id(self) -> str:
        return self.mock.org_id

    @property
    def deployment_id(self) -> str:
        return self.mock.deployment_id

    def reset(self) -> None:
        """World, journal, faults, limits, sockets and the clock offset back to the start."""
        self.mock.reset()

    def __repr__(self) -> str:
        return f"GenesysServer(url={self.url!r}, seed={self.mock.seed!r})"


class ServerFactory:
    """Starts live mock servers on free loopback ports and stops them all at ``close()``.

    ``factory(**kwargs)`` starts a new server; the keyword arguments are ``MockGenesys``'s.
    ``factory.shared(seed=..., limits=..., dialect=...)`` returns one server per seed, limits and dialect, started
    on first use and reused (the ``genesys_server`` fixture resets it between tests).
    """

    def __init__(self, host: str = LOOPBACK) -> None:
        self.host = host
        self._stack = ExitStack()
        self._shared: dict[tuple[int, str, str], GenesysServer] = {}

    def __call__(self, **kwargs: Any) -> GenesysServer:
        mock = MockGenesys(**kwargs)
        url = self._stack.enter_context(mock.serve(self.host, 0))
        return GenesysServer(mock=mock, url=url)

    def shared(self, *, seed: int, limits: dict[str, Any] | None = None, dialect: str = "both") -> GenesysServer:
        key = (seed, repr(sorted((limits or {}).items())), dialect)
        server = self._shared.get(key)
        if server is None:
            server = self._shared[key] = self(seed=seed, limits=limits, dialect=dialect)
        return server

    def close(self) -> None:
        """Stop every server this factory started."""
        self._shared.clear()
        self._stack.close()
