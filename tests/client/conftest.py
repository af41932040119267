from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from mockgenesys import MockGenesys
from mockgenesys.client import PlatformClient

from .client_helpers import timing_for


@pytest.fixture
async def platform(mock: MockGenesys) -> AsyncIterator[PlatformClient]:
    client = PlatformClient.for_mock(mock, timing=timing_for(mock))
    yield client
    await client.aclose()
