"""Every REST route of the simulated Genesys Cloud, with its endpoint id."""

from __future__ import annotations

from mockgenesys.server.http import Route
from mockgenesys.server.routes import (
    conversations,
    externalcontacts,
    oauth,
    organizations,
    sessions,
    uploads,
    webdeployments,
    webmessaging,
)


def all_routes() -> list[Route]:
    """The REST route table, real API and seed dialect together."""
    return [
        *oauth.ROUTES,
        *organizations.ROUTES,
        *sessions.ROUTES,
        *conversations.ROUTES,
        *externalcontacts.ROUTES,
        *webmessaging.ROUTES,
        *webdeployments.ROUTES,
        *uploads.ROUTES,
    ]


__all__ = ["all_routes"]
