from __future__ import annotations

import pytest

from mockgenesys import MockGenesys
from mockgenesys.client import CoreGuestAdapter, GuestAdapter, RetryPolicy


async def test_core_adapter_implements_the_guest_adapter_protocol(mock: MockGenesys) -> None:
    adapter = CoreGuestAdapter.for_mock(mock, name="A", seed=3, retry=RetryPolicy(max_attempts=2))
    assert isinstance(adapter, GuestAdapter)
    assert adapter.manager.client.retry.max_attempts == 2
    await adapter.start()
    await adapter.send("one")
    await adapter.send("two")
    assert await adapter.restore() == ["one", "two"]
    await adapter.close()
    mock.check().assert_ok()


def test_core_adapter_a_misspelt_option_is_refused(mock: MockGenesys) -> None:
    with pytest.raises(TypeError, match=r"retry_polcy"):
        CoreGuestAdapter.for_mock(mock, retry_polcy=RetryPolicy())  # type: ignore[call-arg]


def test_core_adapter_for_url_builds_a_live_guest_with_seeded_jitter() -> None:
    one = CoreGuestAdapter.for_url("http://127.0.0.1:9", "dep-1", seed=5, page_size=10)
    two = CoreGuestAdapter.for_url("http://127.0.0.1:9", "dep-1", seed=5)
    assert one.manager.client.page_size == 10
    assert one.manager.client.timing.rng.random() == two.manager.client.timing.rng.random()
