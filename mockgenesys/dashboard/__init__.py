"""The dashboard: a web page at ``GET /__admin/`` that shows and drives a running mock.

It is served by the admin API (``mockgenesys.admin`` lists its endpoints in ``ENDPOINTS``), from
files inside the package, and reads everything through the admin API: a live feed of journal
rows, state and conformance findings (``GET /__admin/events``, server-sent events), the rate-limit
windows (``GET /__admin/limits``) and the world (``GET /__admin/world/summary``), and changes
the mock with the admin API's own operations (faults, clock, agent actions). See docs/dashboard.md.

Modules: ``assets`` (the static files), ``feed`` (the live feed), ``views`` (what the page shows,
secrets as fingerprints) and ``routes`` (the admin handlers).
"""

from __future__ import annotations

from mockgenesys.dashboard.assets import ASSETS, asset_response, page_response
from mockgenesys.dashboard.feed import Feed, endpoint_ids, event
from mockgenesys.dashboard.routes import EVENTS_QUERY, events, limits, page, world
from mockgenesys.dashboard.views import clock_view, faults_view, limits_view, world_view

__all__ = [
    "ASSETS",
    "EVENTS_QUERY",
    "Feed",
    "asset_response",
    "clock_view",
    "endpoint_ids",
    "event",
    "events",
    "faults_view",
    "limits",
    "limits_view",
    "page",
    "page_response",
    "world",
    "world_view",
]
