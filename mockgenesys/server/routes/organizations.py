"""``GET /api/v2/organizations/me``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mockgenesys.server.http import ApiError, MockRequest, MockResponse, Route, json_response
from mockgenesys.server.operations import STRING, Operation, obj
from mockgenesys.server.views import org_view

if TYPE_CHECKING:
    from mockgenesys.server.core import Server


def me(server: Server, req: MockRequest) -> MockResponse:
    org = server.world.orgs.get(req.org_id or "")
    if org is None:
        raise ApiError(404, "not.found", "The caller's organization was not found.")
    return json_response(org_view(org))


ORGANIZATION = obj({"id": STRING, "name": STRING, "domain": STRING, "state": STRING}, "id", "name")
ROUTES = [
    Route(
        "GET",
        "/api/v2/organizations/me",
        "organizations.me",
        me,
        api=Operation("The caller's organization", response=ORGANIZATION, errors=(404,)),
    )
]
