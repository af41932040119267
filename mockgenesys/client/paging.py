"""Genesys listings, read page by page: shared by the platform client and the guest history.

Genesys pages with ``pageNumber`` (1-based) and ``pageSize`` and says how many pages there are in
``pageCount``. A server that leaves ``pageCount`` out is read on: by ``total`` when it gives one,
else until a page comes back short, so a restore never stops at the first page.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from mockgenesys.client.errors import ApiError

#: More pages than this means the server's paging is broken; stop rather than loop forever.
MAX_PAGES = 10_000

T = TypeVar("T")


def entities_of(body: Any, where: str) -> list[dict[str, Any]]:
    """The ``entities`` of one listing page; a typed error when the page has none."""
    entities = body.get("entities") if isinstance(body, dict) else None
    if not isinstance(entities, list):
        raise ApiError(200, "malformed.body", f"the {where} response has no entities list", hint="Retry the call.")
    return [e for e in entities if isinstance(e, dict)]


def _has_next(body: dict[str, Any], page: int, received: int, page_size: int) -> bool:
    count = body.get("pageCount")
    if isinstance(count, int) and not isinstance(count, bool):
        return page < count
    total = body.get("total")
    if isinstance(total, int) and not isinstance(total, bool):
        return page * page_size < total
    return received >= page_size


async def read_pages(
    fetch: Callable[[int], Awaitable[Any]], *, page_size: int, where: str, cap: int | None = None
) -> list[dict[str, Any]]:
    """Every entity of a listing, page 1 first; ``fetch(n)`` returns page ``n``'s decoded body.

    Stops after ``cap`` entities when one is given (the external-contacts search stops at 1,000).
    """
    entities: list[dict[str, Any]] = []
    for page in range(1, MAX_PAGES + 1):
        body = await fetch(page)
        batch = entities_of(body, where)
        entities.extend(batch)
        if cap is not None and len(entities) >= cap:
            return entities[:cap]
        if not batch or not _has_next(body, page, len(batch), page_size):
            break
    return entities


def unique(items: Iterable[T], key: Callable[[T], str | None]) -> list[T]:
    """``items`` without repeats of a key (the first one stays); items without a key all stay.

    Pages shift while they are read (a new message pushes older ones a page further), so the same
    entity can come twice.
    """
    seen: set[str] = set()
    kept: list[T] = []
    for item in items:
        identity = key(item)
        if identity is not None:
            if identity in seen:
                continue
            seen.add(identity)
        kept.append(item)
    return kept
