from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from ws_driver import Guest

from mockgenesys import MockGenesys, VirtualClock


@pytest.fixture
def mock() -> MockGenesys:
    return MockGenesys(seed=7, clock=VirtualClock())


@pytest.fixture
async def guest(mock: MockGenesys) -> AsyncIterator[Guest]:
    async with mock.connect_guest() as socket:
        yield Guest(socket, "guest-token-1", mock.deployment_id)
