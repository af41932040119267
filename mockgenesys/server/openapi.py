"""The OpenAPI 3.1 document of the simulated Genesys REST routes, built from the route table.

Each route's ``Operation`` (``server/operations.py``) says what it takes and answers; this module
adds what the route table already knows: path parameters from the template, the security scheme
from ``Route.auth``, and the Genesys error responses the server gives around every handler
(401 for a missing or bad credential, 403 for a missing permission, 404 for an unknown id, 400
for bad parameters or bodies, 413 for a body over ``MAX_REQUEST_BYTES``, 429 for a rate limit,
5XX only when a fault rule answers so). The WebSocket protocols are not in it (docs/sdk.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from mockgenesys.server.errors import DEFAULT_MESSAGES
from mockgenesys.server.http import MAX_REQUEST_BYTES, Route
from mockgenesys.server.operations import STRING, Operation, Schema, array, obj, ref

#: Where the mock serves the document (Genesys' own Swagger 2.0 document is ``/api/v2/docs/swagger``,
#: which the mock does not serve).
DOCS_PATH = "/api/v2/docs/openapi.json"
ERROR_BODY = "ErrorBody"
OAUTH_ERROR = "OAuthError"
_SECURITY: dict[str, list[dict[str, list[str]]]] = {
    "oauth": [{"oauth": []}],
    "guest": [{"guestJwt": []}],
    "oauth_or_guest": [{"oauth": []}, {"guestJwt": []}],
}
_ERRORS = {
    400: "Bad parameters or body: ``bad.request`` or ``invalid.value`` naming the field.",
    401: "No credential (``authentication.required``), or a bad, expired or revoked one (``bad.credentials``).",
    403: "The OAuth client lacks every permission the route accepts (``missing.any.permissions``), or the "
    "resource belongs to another organization or guest (``not.authorized``).",
    404: "No such resource in the caller's organization (``not.found``).",
    409: "The request conflicts with the current state (``conflict``).",
    413: f"The body is over {MAX_REQUEST_BYTES} bytes (``request.entity.too.large``).",
    429: "A rate limit was hit (``too.many.requests.retry.after``); ``Retry-After`` says when to retry.",
    "5XX": "Only when a fault rule answers so; the mock's own errors are bugs.",
}


def build_document(routes: Iterable[Route], *, dialect: str, base_url: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``routes`` (those served in ``dialect``), served at ``base_url``."""
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        if route.api is None:
            raise ValueError(f"Route {route.endpoint} ({route.method} {route.template}) declares no api=Operation.")
        paths.setdefault(route.template, {})[route.method.lower()] = _operation(route, route.api)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"mockgenesys: the simulated Genesys Cloud REST API ({dialect} dialect)",
            "version": "2",
            "description": (
                "The REST routes a mockgenesys server answers, generated from its route table. The guest "
                "WebSocket and the notification sockets are not described here (see docs/sdk.md); fault "
                "rules may answer any status."
            ),
        },
        "servers": [{"url": base_url}],
        "paths": paths,
        "components": {
            "schemas": _SCHEMAS,
            "securitySchemes": _SECURITY_SCHEMES,
            "headers": _HEADERS,
        },
    }


def _operation(route: Route, api: Operation) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": route.endpoint,
        "summary": api.summary,
        "tags": [route.endpoint.split(".", 1)[0]],
        "x-dialect": route.dialect,
    }
    if api.description:
        operation["description"] = api.description
    path_params = re.findall(r"\{(\w+)\}", route.template)
    parameters = [{"name": name, "in": "path", "required": True, "schema": dict(STRING)} for name in path_params]
    for param in api.query:
        parameters.append(
            {
                "name": param.name,
                "in": "query",
                "required": False,
                "schema": param.schema,
                **({"description": param.description} if param.description else {}),
                **({"style": "form", "explode": True} if param.schema.get("type") == "array" else {}),
            }
        )
    if parameters:
        operation["parameters"] = parameters
    if api.body is not None:
        operation["requestBody"] = {
            "required": api.body_required,
            "content": {_BODY_TYPES[api.body_type]: {"schema": api.body}},
        }
    if route.auth in _SECURITY:
        operation["security"] = _SECURITY[route.auth]
    elif route.endpoint == "oauth.token":
        operation["security"] = [{"clientBasic": []}, {}]
    else:
        operation["security"] = []
    operation["responses"] = {str(api.ok): _success(api), **_errors(route, api, bool(path_params))}
    return operation


_BODY_TYPES = {
    "json": "application/json",
    "form": "application/x-www-form-urlencoded",
    "bytes": "application/octet-stream",
}


def _success(api: Operation) -> dict[str, Any]:
    response: dict[str, Any] = {"description": "Success", "headers": {"ININ-Correlation-Id": _CORRELATION}}
    if api.response is not None:
        media = "*/*" if api.response_type == "bytes" else "application/json"
        response["content"] = {media: {"schema": api.response}}
    return response


def _errors(route: Route, api: Operation, has_path_params: bool) -> dict[str, Any]:
    statuses: set[int | str] = {429, "5XX", *api.errors}
    if api.query or api.body is not None:
        statuses.add(400)
    if api.body is not None:
        statuses.add(413)
    if has_path_params:
        statuses.add(404)
    if route.auth != "none":
        statuses.add(401)
    if route.permissions or route.auth == "oauth_or_guest":
        statuses.add(403)
    responses: dict[str, Any] = {}
    for status in sorted(statuses, key=str):
        body = ref(OAUTH_ERROR) if route.endpoint == "oauth.token" and status == 400 else ref(ERROR_BODY)
        headers: dict[str, Any] = {"ININ-Correlation-Id": _CORRELATION}
        if status == 429:
            headers["Retry-After"] = {"$ref": "#/components/headers/RetryAfter"}
        responses[str(status)] = {
            "description": _ERRORS.get(status) or DEFAULT_MESSAGES.get(int(status), "An error."),
            "headers": headers,
            "content": {"application/json": {"schema": body}},
        }
    return responses


_CORRELATION = {"$ref": "#/components/headers/CorrelationId"}
_HEADERS = {
    "CorrelationId": {
        "description": "The request's correlation id; equals ``contextId`` in an error body.",
        "schema": STRING,
    },
    "RetryAfter": {"description": "Whole seconds to wait before retrying.", "schema": {"type": "integer"}},
}
_SECURITY_SCHEMES = {
    "oauth": {
        "type": "oauth2",
        "description": "An access token from POST /oauth/token (client credentials), sent as Authorization: Bearer.",
        "flows": {"clientCredentials": {"tokenUrl": "/oauth/token", "scopes": {}}},
    },
    "guestJwt": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A guest JWT (the guest WebSocket's JwtResponse, or the token exchange).",
    },
    "clientBasic": {
        "type": "http",
        "scheme": "basic",
        "description": "The OAuth client's id and secret (or client_id and client_secret in the form body).",
    },
}
_SCHEMAS: dict[str, Schema] = {
    ERROR_BODY: obj(
        {
            "message": STRING,
            "code": STRING,
            "status": {"type": "integer"},
            "messageWithParams": STRING,
            "messageParams": {"type": "object", "additionalProperties": STRING},
            "contextId": STRING,
            "details": array(obj({"errorCode": STRING, "fieldName": STRING, "entityId": STRING, "entityName": STRING})),
            "errors": array({"type": "object"}),
        },
        "message",
        "code",
        "status",
    ),
    OAUTH_ERROR: obj({"error": STRING, "description": STRING, "error_description": STRING}, "error"),
}
