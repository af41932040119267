"""The dashboard's admin handlers: the page, its live feed and the two views the page reads.

``mockgenesys.admin`` lists them in its ``ENDPOINTS`` table, so they sit behind the same
loopback guard (and, but for the page and its assets, which hold no data, the admin token) and
appear in the same OpenAPI document.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from mockgenesys.dashboard.assets import page_response
from mockgenesys.dashboard.feed import Feed
from mockgenesys.dashboard.views import limits_view, world_view
from mockgenesys.errors import ConfigError

if TYPE_CHECKING:
    from mockgenesys.mock import MockGenesys

#: Query parameters of ``GET /__admin/events``.
EVENTS_QUERY = ("after",)


def _json(data: Any) -> Response:
    return Response(orjson.dumps(data), media_type="application/json")


async def page(mock: MockGenesys, request: Request) -> Response:
    """``GET /__admin/``: the dashboard page."""
    return page_response()


async def events(mock: MockGenesys, request: Request) -> Response:
    """``GET /__admin/events``: the live feed as server-sent events (see ``mockgenesys.dashboard.feed``)."""
    unknown = sorted(set(request.query_params) - set(EVENTS_QUERY))
    if unknown:
        raise ConfigError(f"Unknown query parameter(s) {unknown}; /__admin/events takes: {', '.join(EVENTS_QUERY)}.")
    raw = request.query_params.get("after")
    after = None
    if raw is not None:
        if not (raw.isascii() and raw.isdigit()):
            raise ConfigError(f"after must be a journal sequence number (a whole number >= 0), got {raw!r}.")
        after = int(raw)
    feed = Feed(mock, after=after)
    state = request.app.state  # ``mockgenesys.serving`` sets ``closing`` when the server shuts down
    stream = feed.stream(closing=lambda: bool(getattr(state, "closing", False)))
    headers = {"cache-control": "no-cache", "x-accel-buffering": "no"}
    return StreamingResponse(stream, media_type="text/event-stream", headers=headers)


async def limits(mock: MockGenesys, request: Request) -> Response:
    """``GET /__admin/limits``: the configured rate limits and the running windows' remaining budget."""
    return _json(limits_view(mock))


async def world(mock: MockGenesys, request: Request) -> Response:
    """``GET /__admin/world/summary``: the world for people, secrets as fingerprints, lists capped."""
    return _json(world_view(mock))
