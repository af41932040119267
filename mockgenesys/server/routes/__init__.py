"""Every REST route of the simulated Genesys Cloud, with its endpoint id and dialect.

`DIALECTS` are the values of ``--dialect``; `all_routes(dialect)` builds the table.
"""

from __future__ import annotations

import dataclasses

from mockgenesys.server.http import ApiError, MockRequest, MockResponse, Route
from mockgenesys.server.routes import (
    agentmedia,
    agentside,
    contactwrites,
    conversations,
    externalcontacts,
    integrations,
    notifications,
    oauth,
    openinbound,
    organizations,
    queues,
    sessions,
    uploads,
    users,
    webdeployments,
    webmessaging,
)

#: ``--dialect``: "real" serves Genesys Cloud's API only, "seed" the tutorials' invented paths
#: (and what both share), "both" everything (the default, so the tutorials' flows keep working).
DIALECTS = ("real", "seed", "both")


def all_routes(dialect: str = "both") -> list[Route]:
    """The REST route table; a path outside ``dialect`` answers Genesys' 404, as an unknown path does."""
    if dialect not in DIALECTS:
        raise ValueError(f"dialect must be one of {', '.join(DIALECTS)}, got {dialect!r}.")
    routes = [
        *oauth.ROUTES,
        *organizations.ROUTES,
        *users.ROUTES,
        *sessions.ROUTES,
        *conversations.ROUTES,
        *externalcontacts.ROUTES,
        *webmessaging.ROUTES,
        *webdeployments.ROUTES,
        *uploads.ROUTES,
        # the contact-centre side: agents, external contacts, notifications, Open Messaging
        *agentside.ROUTES,
        *agentmedia.ROUTES,
        *contactwrites.ROUTES,
        *notifications.ROUTES,
        *integrations.ROUTES,
        *openinbound.ROUTES,
        *queues.ROUTES,
    ]
    return [route if _served(route, dialect) else _absent(route) for route in routes]


def _served(route: Route, dialect: str) -> bool:
    return dialect == "both" or route.dialect in ("any", dialect)


def _absent(route: Route) -> Route:
    # The route stays in the table (same endpoint id and dialect tag) so the journal still names
    # what was called; it answers before any authentication, as Genesys does for an unknown path.
    return dataclasses.replace(route, handler=_not_found, auth="none", permissions=())


def _not_found(server: object, req: MockRequest) -> MockResponse:
    raise ApiError(404, "not.found", f"No resource at {req.path}. The requested resource was not found.")


__all__ = ["DIALECTS", "all_routes"]
