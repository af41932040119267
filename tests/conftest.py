from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from mockgenesys import MockGenesys, VirtualClock

BASE = "https://api.mypurecloud.com"


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
