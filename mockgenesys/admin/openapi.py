"""The OpenAPI 3.1 description of ``/__admin``, generated from the table that serves it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mockgenesys.admin.endpoints import AdminEndpoint

PREFIX = "/__admin"
_ERROR = {"$ref": "#/components/schemas/ErrorBody"}


def _error(description: str) -> dict[str, Any]:
    return {"description": f"{description} (Genesys error body)", "content": {"application/json": {"schema": _ERROR}}}


def _ok(endpoint: AdminEndpoint) -> dict[str, Any]:
    if endpoint.ok == 204:
        return {"description": "Done"}
    media = "application/x-ndjson" if endpoint.endpoint_id == "admin.journal" else "application/json"
    return {"description": "OK", "content": {media: {"schema": {}}}}


def document(endpoints: Iterable[AdminEndpoint]) -> dict[str, Any]:
    """The OpenAPI document of ``endpoints``: paths, parameters, bodies and every answer they give."""
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints:
        responses: dict[str, Any] = {
            str(endpoint.ok): _ok(endpoint),
            "400": _error("Invalid input"),
            "401": _error("Missing or wrong admin token"),
            "403": _error("Not a loopback client"),
            "404": _error("Unknown id"),
            "405": _error("Method not allowed on this path"),
            "413": _error("Body over the size limit"),
            "500": _error("A bug in the mock"),
        }
        operation: dict[str, Any] = {
            "operationId": endpoint.endpoint_id,
            "summary": endpoint.summary,
            "responses": responses,
        }
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in endpoint.path_params
        ] + [{"name": name, "in": "query", "required": False, "schema": {"type": "string"}} for name in endpoint.query]
        if parameters:
            operation["parameters"] = parameters
        if endpoint.body is not None:
            operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": endpoint.body}}}
        paths.setdefault(PREFIX + endpoint.path, {})[endpoint.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "mockgenesys admin API",
            "version": "1",
            "description": "Loopback-only control of a running mock.",
        },
        "paths": paths,
        "components": {"schemas": _schemas(), "securitySchemes": {"adminToken": {"type": "http", "scheme": "bearer"}}},
    }


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties}


def _schemas() -> dict[str, Any]:
    return {
        "ErrorBody": {
            "type": "object",
            "required": ["message", "code", "status"],
            "properties": {
                "message": {"type": "string"},
                "code": {"type": "string"},
                "status": {"type": "integer"},
                "messageParams": {"type": "object"},
                "contextId": {"type": "string"},
                "details": {"type": "array"},
                "errors": {"type": "array"},
            },
        },
        "FaultRule": {
            "type": "object",
            "required": ["then"],
            "properties": {
                "id": {"type": "string"},
                "match": _object({k: {"type": "string"} for k in ("endpoint", "method", "principal", "action")}),
                "when": _object(
                    {
                        "after": {"type": "integer"},
                        "times": {"type": "integer"},
                        "every": {"type": "integer"},
                        "probability": {"type": "number"},
                        "start": {"type": "number"},
                        "end": {"type": "number"},
                    }
                ),
                "then": {"type": "object"},
            },
        },
    }
