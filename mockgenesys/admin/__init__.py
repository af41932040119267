"""``/__admin``: control a mock over HTTP with the same operations as its Python API.

One table, ``ENDPOINTS``, both serves the API (``admin_routes``) and describes it
(``openapi_document``), so the two cannot drift apart. It lives beside ``MockGenesys``, the
facade it drives; the server package knows nothing about it. ``guard`` decides who may call and
shapes every answer, ``inputs`` reads and checks what callers send, ``worlds`` keeps guest
secrets out of snapshots, ``openapi`` writes the description.
"""

from __future__ import annotations

from typing import Any

from mockgenesys.admin.endpoints import ENDPOINTS, AdminEndpoint
from mockgenesys.admin.guard import admin_routes
from mockgenesys.admin.inputs import AdminError
from mockgenesys.admin.openapi import document
from mockgenesys.admin.worlds import public_snapshot, world_from_body


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 description of ``/__admin``, generated from ``ENDPOINTS``."""
    return document(ENDPOINTS)


__all__ = [
    "ENDPOINTS",
    "AdminEndpoint",
    "AdminError",
    "admin_routes",
    "openapi_document",
    "public_snapshot",
    "world_from_body",
]
