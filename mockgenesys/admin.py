"""``/__admin``: control a mock over HTTP with the same operations as its Python API.

One table, ``ENDPOINTS``, both serves the API (``admin_routes``) and describes it
(``openapi_document``), so the two cannot drift apart. It lives beside ``MockGenesys``, the
facade it drives; the server package knows nothing about it.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from mockgenesys import dashboard
from mockgenesys.errors import MockGenesysError
from mockgenesys.faults.rules import FaultRuleError
from mockgenesys.server.errors import platform_error
from mockgenesys.server.views import iso
from mockgenesys.serving import is_loopback
from mockgenesys.world.content import attachment

if TYPE_CHECKING:
    from mockgenesys.mock import MockGenesys
    from mockgenesys.world.models import Message

PREFIX = "/__admin"
#: The client host Starlette's ``TestClient`` reports for in-process requests.
TEST_CLIENT_HOST = "testclient"
AGENT_ACTIONS = ("reply", "attach", "typing", "assign", "transfer", "disconnect")
AdminHandler = Callable[["MockGenesys", Request], Awaitable[Response]]


class AdminError(MockGenesysError):
    """An admin request the mock refuses; rendered as a Genesys error body with ``status``."""

    def __init__(self, status: int, message: str, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.field = field


@dataclass(frozen=True)
class AdminEndpoint:
    """One operation of the admin API: where it is served, what it does, what it takes."""

    method: str
    path: str
    endpoint_id: str
    summary: str
    handler: AdminHandler
    body: dict[str, Any] | None = None
    ok: int = 200
    query: tuple[str, ...] = ()
    #: Served without the admin token (still loopback-only): the dashboard's page and assets, which hold no data.
    is_public: bool = False

    @property
    def path_params(self) -> list[str]:
        """The names of the ``{parameters}`` in ``path``, in order."""
        return re.findall(r"\{(\w+)\}", self.path)


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data, separators=(",", ":")), status_code=status, media_type="application/json")


async def _body(request: Request, *, required: bool = True) -> Any:
    raw = await request.body()
    if not raw.strip():
        if required:
            raise AdminError(400, "A JSON request body is required.", field="body")
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        raise AdminError(400, "The request body is not valid JSON.", "bad.request", "body") from None


async def _object(request: Request, *, required: bool = True) -> dict[str, Any]:
    body = await _body(request, required=required)
    if not isinstance(body, dict):
        raise AdminError(400, f"The request body must be a JSON object, got {type(body).__name__}.", field="body")
    return body


# ---------------------------------------------------------------------- faults
async def _list_faults(mock: MockGenesys, request: Request) -> Response:
    return _json({"faults": mock.faults.to_list()})


async def _add_faults(mock: MockGenesys, request: Request) -> Response:
    body = await _body(request)
    added = mock.faults.add(*(body if isinstance(body, list) else [body]))
    return _json({"faults": [rule.to_dict() for rule in added]}, 201)


async def _clear_faults(mock: MockGenesys, request: Request) -> Response:
    mock.faults.clear()
    return Response(status_code=204)


async def _delete_fault(mock: MockGenesys, request: Request) -> Response:
    rule_id = request.path_params["rule_id"]
    if not mock.faults.remove(rule_id):
        raise AdminError(404, f"No fault rule {rule_id!r}; GET /__admin/faults lists the installed ids.", "not.found")
    return Response(status_code=204)


# ---------------------------------------------------------------------- clock
def _clock_view(mock: MockGenesys) -> dict[str, Any]:
    now = mock.clock.now()
    return {"now": now, "iso": iso(now), "virtual": mock.clock.is_virtual}


async def _get_clock(mock: MockGenesys, request: Request) -> Response:
    return _json(_clock_view(mock))


async def _advance_clock(mock: MockGenesys, request: Request) -> Response:
    seconds = (await _object(request)).get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
        raise AdminError(400, f"seconds must be a number >= 0, got {seconds!r}.", field="seconds")
    mock.clock.advance(seconds)
    return _json(_clock_view(mock))


# ---------------------------------------------------------------------- world
async def _get_world(mock: MockGenesys, request: Request) -> Response:
    return _json(mock.world.snapshot())


async def _load_world(mock: MockGenesys, request: Request) -> Response:
    mock.load_world(await _body(request))
    return _json({"org_id": mock.org_id, "conversations": len(mock.world.conversations)})


async def _reset(mock: MockGenesys, request: Request) -> Response:
    mock.reset()
    return Response(status_code=204)


async def _add_conversation(mock: MockGenesys, request: Request) -> Response:
    body = await _object(request, required=False)
    messages = body.get("messages", [])
    if not isinstance(messages, list):
        raise AdminError(400, f"messages must be a list of strings, got {messages!r}.", field="messages")
    conversation = mock.add_conversation(guest_name=str(body.get("guestName", "Guest")), messages=messages)
    return _json({"id": conversation.id, "messages": [m.id for m in conversation.messages]}, 201)


async def _add_contact(mock: MockGenesys, request: Request) -> Response:
    contact = mock.add_contact(**await _object(request))
    return _json({"id": contact.id}, 201)


async def _expire_tokens(mock: MockGenesys, request: Request) -> Response:
    body = await _object(request, required=False)
    count = mock.world.expire_tokens(client_id=body.get("clientId"), now=mock.clock.now())
    return _json({"expired": count})


async def _expire_sessions(mock: MockGenesys, request: Request) -> Response:
    wanted = (await _object(request, required=False)).get("sessionId")
    sessions = [s for s in mock.world.guest_sessions.values() if not s.closed and wanted in (None, s.id)]
    if wanted is not None and not sessions:
        raise AdminError(404, f"No open guest session {wanted!r}.", "not.found")
    for session in sessions:
        mock.hub.expire_session(session)
    return _json({"expired": len(sessions)})


# ---------------------------------------------------------------------- agent
async def _agent_action(mock: MockGenesys, request: Request) -> Response:
    conversation_id = request.path_params["conversation_id"]
    action = request.path_params["action"]
    if action not in AGENT_ACTIONS:
        raise AdminError(404, f"Unknown agent action {action!r}; use {', '.join(AGENT_ACTIONS)}.", "not.found")
    body = await _object(request, required=False)
    if action == "reply":
        text, content, name = body.get("text", ""), body.get("content"), body.get("name")
        if not isinstance(text, str) or (content is not None and not isinstance(content, list)):
            raise AdminError(400, 'reply needs {"text": "...", "content": [items]} (either or both).', field="text")
        if name is not None and not isinstance(name, str):
            raise AdminError(400, f"name must be a string, got {name!r}.", field="name")
        message = mock.agent.reply(conversation_id, text, content=content, bot=bool(body.get("bot", False)), name=name)
        return _json({"messageId": message.id}, 201)
    if action == "attach":
        return _json({"messageId": _attach(mock, conversation_id, body).id}, 201)
    if action == "typing":
        duration = body.get("durationMs", 5000)
        if isinstance(duration, bool) or not isinstance(duration, int) or duration < 0:
            raise AdminError(400, f"durationMs must be a whole number >= 0, got {duration!r}.", field="durationMs")
        mock.agent.typing(conversation_id, duration_ms=duration)
    elif action == "assign":
        mock.agent.assign(conversation_id, name=body.get("name"), image=body.get("image"))
    elif action == "transfer":
        mock.agent.transfer(conversation_id, to=body.get("to"))
    else:
        mock.agent.disconnect(conversation_id)
    return Response(status_code=204)


def _attach(mock: MockGenesys, conversation_id: str, body: dict[str, Any]) -> Message:
    """``attach``: a file given as base64 ``data`` that the mock serves, or one hosted at ``url``."""
    filename, mime, text = body.get("filename"), body.get("mime"), body.get("text", "")
    if not isinstance(filename, str) or not isinstance(mime, str) or not isinstance(text, str):
        raise AdminError(400, 'attach needs {"filename", "mime", and "data" (base64) or "url"}.', field="filename")
    bot = bool(body.get("bot", False))
    if isinstance(body.get("url"), str):
        item = attachment(filename, url=body["url"], mime=mime, size=body.get("size"))
        return mock.agent.reply(conversation_id, text, content=[item], bot=bot)
    try:
        data = base64.b64decode(str(body.get("data", "")), validate=True)
    except ValueError:
        raise AdminError(400, "attach: data must be the file's bytes in base64.", field="data") from None
    return mock.agent.attach(conversation_id, filename, data, mime=mime, text=text, bot=bot)


# ---------------------------------------------------------------------- journal, check, docs
async def _get_journal(mock: MockGenesys, request: Request) -> Response:
    query = request.query_params
    try:
        status = int(query["status"]) if "status" in query else None
        since = int(query.get("since", 0))
    except ValueError:
        raise AdminError(400, "status and since must be whole numbers.", field="status") from None
    entries = mock.journal.calls(
        query.get("endpoint"), status=status, principal=query.get("principal"), kind=query.get("kind"), since=since
    )
    return Response(mock.journal.to_jsonl(entries), media_type="application/x-ndjson")


async def _get_check(mock: MockGenesys, request: Request) -> Response:
    return _json(mock.check().to_dict())


async def _connections(mock: MockGenesys, request: Request) -> Response:
    counts = {sid: len(peers) for sid, peers in sorted(mock.hub.connections.items()) if peers}
    return _json({"sessions": counts})


async def _drop_guests(mock: MockGenesys, request: Request) -> Response:
    body = await _body(request)
    sessions = body.get("sessions") if isinstance(body, dict) else None
    if not isinstance(sessions, list) or not all(isinstance(s, str) for s in sessions):
        raise AdminError(400, 'drop needs {"sessions": ["<guest session id>", ...]}.', field="sessions")
    unknown = sorted(set(sessions) - set(mock.world.guest_sessions))
    if unknown:
        raise AdminError(
            404, f"No guest session {', '.join(map(repr, unknown))}; GET /__admin/world lists them.", "not.found"
        )
    dropped = 0
    for session_id in sessions:
        for conn in list(mock.hub.connections.get(session_id, [])):
            conn.drop()  # close code 1006, as a network failure
            dropped += 1
    return _json({"dropped": dropped})


async def _openapi(mock: MockGenesys, request: Request) -> Response:
    return _json(openapi_document())


_RULE = {"$ref": "#/components/schemas/FaultRule"}


def _object_schema(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


# ---------------------------------------------------------------------- dashboard (docs/dashboard.md)
async def _dashboard_asset(mock: MockGenesys, request: Request) -> Response:
    name = request.path_params["name"]
    response = dashboard.asset_response(name)
    if response is None:
        raise AdminError(
            404, f"No dashboard asset {name!r}; the page loads {', '.join(dashboard.ASSETS)}.", "not.found"
        )
    return response


DASHBOARD_ENDPOINTS: tuple[AdminEndpoint, ...] = (
    AdminEndpoint("GET", "/", "admin.dashboard", "The dashboard page", dashboard.page, is_public=True),
    AdminEndpoint(
        "GET",
        "/assets/{name}",
        "admin.dashboard.asset",
        "A file of the dashboard page",
        _dashboard_asset,
        is_public=True,
    ),
    AdminEndpoint(
        "GET",
        "/events",
        "admin.events",
        "Live feed (server-sent events): journal rows, state, conformance report",
        dashboard.events,
        query=dashboard.EVENTS_QUERY,
    ),
    AdminEndpoint("GET", "/limits", "admin.limits", "Rate limits and the running windows' budget", dashboard.limits),
    AdminEndpoint(
        "GET", "/world/summary", "admin.world.summary", "The world for people, secrets as fingerprints", dashboard.world
    ),
)


ENDPOINTS: tuple[AdminEndpoint, ...] = (
    AdminEndpoint("GET", "/faults", "admin.faults.list", "List installed fault rules", _list_faults),
    AdminEndpoint(
        "POST",
        "/faults",
        "admin.faults.add",
        "Install one rule or a list",
        _add_faults,
        body={"oneOf": [_RULE, {"type": "array", "items": _RULE}]},
        ok=201,
    ),
    AdminEndpoint("DELETE", "/faults", "admin.faults.clear", "Remove every rule", _clear_faults, ok=204),
    AdminEndpoint("DELETE", "/faults/{rule_id}", "admin.faults.delete", "Remove one rule", _delete_fault, ok=204),
    AdminEndpoint("GET", "/clock", "admin.clock.get", "The mock's clock", _get_clock),
    AdminEndpoint(
        "POST",
        "/clock/advance",
        "admin.clock.advance",
        "Move the clock forward",
        _advance_clock,
        body=_object_schema({"seconds": {"type": "number", "minimum": 0}}, ("seconds",)),
    ),
    AdminEndpoint("GET", "/world", "admin.world.snapshot", "World snapshot", _get_world),
    AdminEndpoint("POST", "/world", "admin.world.load", "Load a world snapshot", _load_world, body={"type": "object"}),
    AdminEndpoint("POST", "/world/reset", "admin.world.reset", "Back to the initial world", _reset, ok=204),
    AdminEndpoint(
        "POST",
        "/world/conversations",
        "admin.world.conversations.add",
        "Add a conversation",
        _add_conversation,
        body=_object_schema(
            {"guestName": {"type": "string"}, "messages": {"type": "array", "items": {"type": "string"}}}
        ),
        ok=201,
    ),
    AdminEndpoint(
        "POST",
        "/world/contacts",
        "admin.world.contacts.add",
        "Add an external contact",
        _add_contact,
        body=_object_schema({"firstName": {"type": "string"}, "lastName": {"type": "string"}}),
        ok=201,
    ),
    AdminEndpoint(
        "POST",
        "/world/expire-tokens",
        "admin.world.expire_tokens",
        "Expire access tokens now",
        _expire_tokens,
        body=_object_schema({"clientId": {"type": "string"}}),
    ),
    AdminEndpoint(
        "POST",
        "/world/expire-sessions",
        "admin.world.expire_sessions",
        "Expire guest sessions now",
        _expire_sessions,
        body=_object_schema({"sessionId": {"type": "string"}}),
    ),
    AdminEndpoint(
        "POST",
        "/agent/{conversation_id}/{action}",
        "admin.agent",
        f"Agent action: {', '.join(AGENT_ACTIONS)}",
        _agent_action,
        body={"type": "object"},
    ),
    AdminEndpoint(
        "GET",
        "/journal",
        "admin.journal",
        "The journal as JSON lines",
        _get_journal,
        query=("endpoint", "status", "principal", "kind", "since"),
    ),
    AdminEndpoint(
        "GET", "/connections", "admin.connections", "Open guest connections per guest session id", _connections
    ),
    AdminEndpoint(
        "POST",
        "/guests/drop",
        "admin.guests.drop",
        "Drop every open connection of these guest sessions (close code 1006)",
        _drop_guests,
        body=_object_schema({"sessions": {"type": "array", "items": {"type": "string"}}}, ("sessions",)),
    ),
    AdminEndpoint("GET", "/check", "admin.check", "The conformance report", _get_check),
    AdminEndpoint(
        "POST",
        "/reset",
        "admin.reset",
        "Reset world, journal, faults, limits, sockets and clock offset",
        _reset,
        ok=204,
    ),
    AdminEndpoint("GET", "/openapi.json", "admin.openapi", "This document", _openapi),
    *DASHBOARD_ENDPOINTS,
)


def admin_routes(mock: MockGenesys) -> list[BaseRoute]:
    """The ``/__admin`` mount for ``mock``: every entry of ``ENDPOINTS``, behind the guard."""
    routes = [Route(endpoint.path, _guarded(mock, endpoint), methods=[endpoint.method]) for endpoint in ENDPOINTS]
    return [Mount(PREFIX, routes=routes), Route(PREFIX, _to_dashboard, methods=["GET"])]


async def _to_dashboard(request: Request) -> Response:
    return RedirectResponse(PREFIX + "/")  # the dashboard's page is /__admin/, with the slash


def _guarded(mock: MockGenesys, endpoint: AdminEndpoint) -> Callable[[Request], Awaitable[Response]]:
    """``endpoint`` behind the loopback and admin-token checks, with Genesys error bodies and a journal line."""

    async def wrapped(request: Request) -> Response:
        started = time.perf_counter()
        correlation = mock.server.correlation_id()
        try:
            host = request.client.host if request.client else ""
            if not mock.admin_remote and host != TEST_CLIENT_HOST and not is_loopback(host):
                raise AdminError(
                    403, f"The admin API answers loopback clients only (you are {host}).", "not.authorized"
                )
            expected = f"Bearer {mock.admin_token}"
            if (
                mock.admin_token is not None
                and not endpoint.is_public
                and request.headers.get("authorization", "") != expected
            ):
                raise AdminError(
                    401, "The admin API needs Authorization: Bearer <admin token>.", "authentication.required"
                )
            response = await endpoint.handler(mock, request)
        except AdminError as exc:
            details = [{"errorCode": exc.code or "invalid.value", "fieldName": exc.field}] if exc.field else []
            error = platform_error(exc.status, exc.code, exc.message, correlation, details=details)
            response = Response(error.body, status_code=exc.status, media_type="application/json")
        except MockGenesysError as exc:
            field = exc.path if isinstance(exc, FaultRuleError) else None
            details = [{"errorCode": "invalid.value", "fieldName": field}] if field else []
            error = platform_error(400, "invalid.value", str(exc), correlation, details=details)
            response = Response(error.body, status_code=400, media_type="application/json")
        response.headers["inin-correlation-id"] = correlation
        mock.journal.record(
            time=mock.clock.now(),
            wall=time.time(),
            kind="http",
            endpoint=endpoint.endpoint_id,
            method=request.method,
            path=request.url.path,
            status=response.status_code,
            latency_ms=(time.perf_counter() - started) * 1000.0,
        )
        return response

    return wrapped


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 description of ``/__admin``, generated from ``ENDPOINTS``."""
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in ENDPOINTS:
        operation: dict[str, Any] = {
            "operationId": endpoint.endpoint_id,
            "summary": endpoint.summary,
            "responses": {
                str(endpoint.ok): {"description": "OK"},
                "400": {"description": "Invalid input (Genesys error body)"},
                "401": {"description": "Missing or wrong admin token (Genesys error body)"},
                "403": {"description": "Not a loopback client (Genesys error body)"},
            },
        }
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in endpoint.path_params
        ] + [{"name": name, "in": "query", "required": False, "schema": {"type": "string"}} for name in endpoint.query]
        if parameters:
            operation["parameters"] = parameters
        if endpoint.path_params:
            operation["responses"]["404"] = {"description": "Unknown id (Genesys error body)"}
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
        "components": {
            "schemas": {
                "FaultRule": {
                    "type": "object",
                    "required": ["then"],
                    "properties": {
                        "id": {"type": "string"},
                        "match": _object_schema(
                            {k: {"type": "string"} for k in ("endpoint", "method", "principal", "action")}
                        ),
                        "when": _object_schema(
                            {
                                "after": {"type": "integer"},
                                "times": {"type": "integer"},
                                "every": {"type": "integer"},
                                "probability": {"type": "number"},
                                "start": {"type": "number"},
                                "end": {"type": "number"},
                                "per": {"type": "string", "enum": ["rule", "caller"]},
                            }
                        ),
                        "then": {"type": "object"},
                    },
                }
            },
            "securitySchemes": {"adminToken": {"type": "http", "scheme": "bearer"}},
        },
    }
