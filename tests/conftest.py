from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, settings

from mockgenesys import MockGenesys, VirtualClock

BASE = "https://api.mypurecloud.com"

# Our own suite stays fast by default; `python -m pytest --hypothesis-profile=deep` searches longer.
settings.register_profile(
    "fast", max_examples=25, stateful_step_count=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "deep", max_examples=1000, stateful_step_count=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("fast")


@pytest.fixture
def mock() -> MockGenesys:
    return MockGenesys(seed=7, clock=VirtualClock())


@pytest.fixture
def http(mock: MockGenesys) -> Iterator[httpx.Client]:
    with httpx.Client(transport=mock.transport(), base_url=BASE) as client:
        yield client


@pytest.fixture
def token(mock: MockGenesys) -> str:
    return mock.issue_token()


@pytest.fixture
def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
