"""Fixtures for the chaos tests: every control-level test runs in-process and live.

``setup`` gives a ``MockGenesys`` and a ``MockControl`` on it: ``InProcessControl`` on a
``SimClock``, or ``AdminControl`` on the same kind of mock served live (``mock.serve()``).
``target`` gives what ``run_scenario(target=...)`` takes: None (in-process) or a live URL.
"""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import websockets

from mockgenesys import MockGenesys
from mockgenesys.chaos import AdminControl, InProcessControl, MockControl, SimClock
from mockgenesys.serving import guest_ws_url

sys.path.insert(0, str(Path(__file__).parent))  # chaos_adapters, as --adapter chaos_adapters:WsGuest names it

SEED = 7
WAYS = ["in-process", pytest.param("live", marks=pytest.mark.live)]


@dataclass
class Setup:
    """One mock and the control that drives it; ``url`` is set when it is served live."""

    mock: MockGenesys
    control: MockControl
    url: str | None = None

    def guest_socket(self, token: str) -> AbstractAsyncContextManager[Any]:
        """A guest socket configured on the session of ``token`` (a new session if it has none)."""
        return _configured(self, token)


@asynccontextmanager
async def _configured(setup: Setup, token: str) -> AsyncIterator[Any]:
    if setup.url is None:
        async with setup.mock.connect_guest() as socket:
            await _configure(socket, token, setup.mock.deployment_id)
            yield socket
    else:
        async with websockets.connect(guest_ws_url(setup.url, setup.mock.deployment_id)) as socket:
            await _configure(socket, token, setup.mock.deployment_id)
            yield socket


async def _configure(socket: Any, token: str, deployment_id: str) -> None:
    await socket.send(json.dumps({"action": "configureSession", "token": token, "deploymentId": deployment_id}))
    answer = json.loads(await socket.recv())
    assert answer["class"] == "SessionResponse", answer


@pytest.fixture(params=WAYS)
async def setup(request: pytest.FixtureRequest) -> AsyncIterator[Setup]:
    if request.param == "in-process":
        clock = SimClock()
        mock = MockGenesys(seed=SEED, clock=clock)
        yield Setup(mock, InProcessControl(mock, clock))
        return
    mock = MockGenesys(seed=SEED)
    with mock.serve() as url:
        async with AdminControl.connect(url) as control:
            yield Setup(mock, control, url)


@pytest.fixture(params=WAYS)
def target(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """None, or the URL of a live mock without rate limits (tests/chaos/test_runner's scenarios have none)."""
    if request.param == "in-process":
        yield None
        return
    with MockGenesys(seed=SEED, limits={"enabled": False}).serve() as url:
        yield url
