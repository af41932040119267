"""``GET /api/v2/docs/openapi.json``: the OpenAPI document of the routes this mock serves."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mockgenesys.server.http import MockRequest, MockResponse, Route, json_response
from mockgenesys.server.openapi import DOCS_PATH, build_document
from mockgenesys.server.operations import Operation, obj

if TYPE_CHECKING:
    from mockgenesys.server.core import Server

API = Operation(
    "This OpenAPI document (no credential needed)",
    response=obj({"openapi": {"type": "string"}, "paths": {"type": "object"}}, "openapi", "paths"),
)


def base_url(host: str) -> str:
    """The base URL a client reached the mock at, from its ``Host`` header (Genesys' host names
    are reached over TLS, through an intercept)."""
    if not host:
        return "http://127.0.0.1"
    return f"https://{host}" if host.startswith(("api.", "login.")) else f"http://{host}"


def route(dialect: str, served: list[Route]) -> Route:
    """The docs route of a table serving ``served`` in ``dialect`` (the document lists it too)."""

    def openapi(server: Server, req: MockRequest) -> MockResponse:
        document = build_document([*served, docs], dialect=dialect, base_url=base_url(req.headers.get("host", "")))
        return json_response(document)

    docs = Route("GET", DOCS_PATH, "docs.openapi", openapi, auth="none", dialect="any", api=API)
    return docs
