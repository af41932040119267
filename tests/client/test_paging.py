"""Genesys listings read page by page: every page, whatever the server says about the count."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from mockgenesys import VirtualClock
from mockgenesys.client import ApiError, PlatformClient, Timing
from mockgenesys.client.paging import read_pages, unique
from mockgenesys.client.platform import MOCK_BASE_URL


def listing(total: int, *, with_count: bool) -> httpx.MockTransport:
    """A server listing ``total`` history entries, ``pageSize`` per page, with or without ``pageCount``."""

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            return httpx.Response(200, json={"access_token": "t", "expires_in": 3600})
        size = int(request.url.params["pageSize"])
        number = int(request.url.params["pageNumber"])
        ids = range((number - 1) * size, min(number * size, total))
        body: dict[str, object] = {"entities": [{"id": f"m{i}"} for i in ids], "pageSize": size, "pageNumber": number}
        if with_count:
            body["pageCount"] = -(-total // size)
        return httpx.Response(200, json=body)

    return httpx.MockTransport(handle)


async def test_paging_reads_every_page_when_the_server_omits_page_count() -> None:
    timing = Timing(clock=VirtualClock(), rng=random.Random(1))
    async with PlatformClient(
        MOCK_BASE_URL, "id", "secret", transport=listing(7, with_count=False), timing=timing
    ) as client:
        history = await client.history("c-1", page_size=3)
    assert [m["id"] for m in history] == [f"m{i}" for i in range(7)]


def pages_of(bodies: list[dict[str, Any]]) -> tuple[list[int], Callable[[int], Awaitable[Any]]]:
    asked: list[int] = []

    async def fetch(page: int) -> Any:
        asked.append(page)
        return bodies[page - 1]

    return asked, fetch


async def test_paging_follows_page_count() -> None:
    asked, fetch = pages_of([{"entities": [{"id": n}], "pageCount": 3} for n in range(5)])
    assert [e["id"] for e in await read_pages(fetch, page_size=1, where="x")] == [0, 1, 2]
    assert asked == [1, 2, 3]


async def test_paging_uses_total_when_page_count_is_missing() -> None:
    bodies = [{"entities": [{"id": 2 * n}, {"id": 2 * n + 1}], "total": 5} for n in range(3)]
    asked, fetch = pages_of(bodies)
    await read_pages(fetch, page_size=2, where="x")
    assert asked == [1, 2, 3]


async def test_paging_stops_at_an_empty_page_and_at_the_cap() -> None:
    asked, fetch = pages_of([{"entities": [{"id": 1}], "pageCount": 9}, {"entities": [], "pageCount": 9}])
    assert len(await read_pages(fetch, page_size=1, where="x")) == 1 and asked == [1, 2]
    asked, fetch = pages_of([{"entities": [{"id": n} for n in range(3)], "pageCount": 9}] * 9)
    assert len(await read_pages(fetch, page_size=3, where="x", cap=5)) == 5 and asked == [1, 2]


async def test_paging_a_page_without_entities_is_a_typed_error() -> None:
    _, fetch = pages_of([{"pageCount": 1}])
    with pytest.raises(ApiError, match=r"the guest history response has no entities list"):
        await read_pages(fetch, page_size=1, where="guest history")


def test_paging_unique_keeps_the_first_of_each_key_and_every_keyless_item() -> None:
    items = [{"id": "a", "n": 1}, {"n": 2}, {"id": "a", "n": 3}, {"n": 4}, {"id": "b", "n": 5}]
    assert [i["n"] for i in unique(items, key=lambda i: i.get("id"))] == [1, 2, 4, 5]
