from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from client_helpers import timing_for

from mockgenesys import MockGenesys
from mockgenesys.client import PlatformClient


@pytest.fixture
async def platform(mock: MockGenesys) -> AsyncIterator[PlatformClient]:
    client = PlatformClient.for_mock(mock, timing=timing_for(mock))
    yield client
    await client.aclose()
