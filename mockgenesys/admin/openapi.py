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
    media = _MEDIA.get(endpoint.endpoint_id, ("application/json",))
    return {"description": "OK", "content": {name: {"schema": {}} for name in media}}


#: What the operations that do not answer JSON answer (the dashboard's page, its files, the live feed).
_MEDIA = {
    "admin.journal": ("application/x-ndjson",),
    "admin.dashboard": ("text/html",),
    "admin.dashboard.asset": ("text/css", "text/javascript"),
    "admin.events": ("text/event-stream",),
}


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
            "409": _error("Conflicts with the current state"),
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
        ] + [{"name": name, "in": "query", "required": False, "schema": schema} for name, schema in endpoint.query]
        if parameters:
            operation["parameters"] = parameters
        if endpoint.body is not None:
            operation["requestBody"] = {
                "required": not endpoint.body_optional,
                "content": {"application/json": {"schema": endpoint.body}},
            }
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


def _object(properties: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "additionalProperties": False, **more}


def _seconds(high: float, *, low: float = 0, exclusive: bool = False) -> dict[str, Any]:
    bound = {"exclusiveMinimum": low} if exclusive else {"minimum": low}
    return {"type": "number", **bound, "maximum": high}


def _then() -> dict[str, Any]:
    """The ``then`` of a fault rule, as far as JSON Schema can say it (the loader checks the rest)."""
    flag = {"const": True}
    text = {"type": "string", "maxLength": 4096}
    delay = {
        "oneOf": [
            _seconds(3600),
            _object({"fixed": _seconds(3600)}, required=["fixed"]),
            _object(
                {"uniform": {"type": "array", "items": _seconds(3600), "minItems": 2, "maxItems": 2}},
                required=["uniform"],
            ),
            _object(
                {
                    "lognormal": _object(
                        {"median": _seconds(3600, exclusive=True), "sigma": _seconds(10)}, required=["median", "sigma"]
                    )
                },
                required=["lognormal"],
            ),
        ]
    }
    ws = _object(
        {
            "drop": flag,
            "duplicate": flag,
            "reorder": flag,
            "hold": _seconds(3600, exclusive=True),
            "error": _object(
                {"code": {"type": "integer", "minimum": 400, "maximum": 5999}, "text": text}, required=["code"]
            ),
            "too_many": {
                "oneOf": [
                    {"type": "integer", "minimum": 0, "maximum": 86400},
                    _object({"retry_after": {"type": "integer", "minimum": 0, "maximum": 86400}, "message": text}),
                ]
            },
        },
        minProperties=1,
    )
    headers = {
        "type": "object",
        "maxProperties": 50,
        "propertyNames": {
            "pattern": "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$",
            "not": {
                "enum": ["connection", "content-length", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade"]
            },
        },
        "additionalProperties": {"type": "string", "maxLength": 4096, "pattern": "^[\\x20-\\x7e\\t]*$"},
    }
    return _object(
        {
            "status": {"type": "integer", "minimum": 100, "maximum": 599},
            "code": text,
            "message": text,
            "headers": headers,
            "retry_after": {"type": "integer", "minimum": 0, "maximum": 86400},
            "body": {},
            "delay": delay,
            "reset": flag,
            "empty_body": flag,
            "malformed_json": flag,
            "expire_token": flag,
            "expire_session": flag,
            "close_conversation": flag,
            "ws": ws,
        },
        minProperties=1,
        dependentRequired={key: ["status"] for key in ("code", "message", "headers", "body")},
    )


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
        "FaultRule": _object(
            {
                "id": {"type": "string", "minLength": 1, "maxLength": 256},
                "match": _object(
                    {
                        k: {"type": "string", "minLength": 1, "maxLength": 256}
                        for k in ("endpoint", "method", "principal", "action")
                    }
                ),
                "when": _object(
                    {
                        "after": {"type": ["integer", "null"], "minimum": 0},
                        "times": {"type": ["integer", "null"], "minimum": 1},
                        "every": {"type": ["integer", "null"], "minimum": 1},
                        "probability": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
                        "start": {"type": ["number", "null"], "minimum": 0},
                        "end": {"type": ["number", "null"], "minimum": 0},
                        "per": {"type": "string", "enum": ["rule", "caller"]},
                    }
                ),
                "then": _then(),
            },
            required=["then"],
        ),
    }
