"""``/__admin``: control the mock over HTTP with the same operations as the Python API."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from mockgenesys.errors import MockGenesysError
from mockgenesys.server.errors import platform_error

if TYPE_CHECKING:
    from mockgenesys.mock import MockGenesys

LOOPBACK = {"127.0.0.1", "::1", "localhost", "testclient"}
Endpoint = Callable[[Request], Awaitable[Response]]


class AdminError(Exception):
    def __init__(self, status: int, message: str, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.field = field


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


def admin_routes(mock: MockGenesys) -> list[BaseRoute]:
    """The ``/__admin`` mount for ``mock``."""

    def guard(endpoint_id: str, fn: Endpoint) -> Endpoint:
        async def wrapped(request: Request) -> Response:
            started = time.perf_counter()
            correlation = mock.server.correlation_id()
            try:
                host = request.client.host if request.client else ""
                if not mock.admin_remote and host not in LOOPBACK:
                    raise AdminError(
                        403, f"The admin API answers loopback clients only (you are {host}).", "not.authorized"
                    )
                expected = f"Bearer {mock.admin_token}"
                if mock.admin_token is not None and request.headers.get("authorization", "") != expected:
                    raise AdminError(
                        401, "The admin API needs Authorization: Bearer <admin token>.", "authentication.required"
                    )
                response = await fn(request)
            except AdminError as exc:
                details = [{"errorCode": exc.code or "invalid.value", "fieldName": exc.field}] if exc.field else []
                error = platform_error(exc.status, exc.code, exc.message, correlation, details=details)
                response = Response(error.body, status_code=exc.status, media_type="application/json")
            except MockGenesysError as exc:
                field = getattr(exc, "path", None)
                details = [{"errorCode": "invalid.value", "fieldName": field}] if field else []
                error = platform_error(400, "invalid.value", str(exc), correlation, details=details)
                response = Response(error.body, status_code=400, media_type="application/json")
            response.headers["inin-correlation-id"] = correlation
            mock.journal.record(
                time=mock.clock.now(),
                wall=time.time(),
                kind="http",
                endpoint=endpoint_id,
                method=request.method,
                path=request.url.path,
                status=response.status_code,
                latency_ms=(time.perf_counter() - started) * 1000.0,
            )
            return response

        return wrapped

    # ---------------------------------------------------------------- faults
    async def list_faults(request: Request) -> Response:
        return _json({"faults": mock.faults.to_list()})

    async def add_faults(request: Request) -> Response:
        body = await _body(request)
        added = mock.faults.add(*(body if isinstance(body, list) else [body]))
        return _json({"faults": [rule.to_dict() for rule in added]}, 201)

    async def clear_faults(request: Request) -> Response:
        mock.faults.clear()
        return Response(status_code=204)

    async def delete_fault(request: Request) -> Response:
        rule_id = request.path_params["rule_id"]
        if not mock.faults.remove(rule_id):
            raise AdminError(
                404, f"No fault rule {rule_id!r}; GET /__admin/faults lists the installed ids.", "not.found"
            )
        return Response(status_code=204)

    # ---------------------------------------------------------------- clock
    def clock_view() -> dict[str, Any]:
        from mockgenesys.server.views import iso

        now = mock.clock.now()
        return {"now": now, "iso": iso(now), "virtual": bool(getattr(mock.clock, "is_virtual", False))}

    async def get_clock(request: Request) -> Response:
        return _json(clock_view())

    async def advance_clock(request: Request) -> Response:
        body = await _body(request)
        seconds = body.get("seconds") if isinstance(body, dict) else None
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
            raise AdminError(400, f"seconds must be a number >= 0, got {seconds!r}.", field="seconds")
        mock.clock.advance(seconds)
        return _json(clock_view())

    # ---------------------------------------------------------------- world
    async def get_world(request: Request) -> Response:
        return _json(mock.world.snapshot())

    async def load_world(request: Request) -> Response:
        mock.load_world(await _body(request))
        return _json({"org_id": mock.org_id, "conversations": len(mock.world.conversations)})

    async def reset_world(request: Request) -> Response:
        mock.reset()
        return Response(status_code=204)

    async def add_conversation(request: Request) -> Response:
        body = await _body(request, required=False)
        conversation = mock.add_conversation(
            guest_name=str(body.get("guestName", "Guest")), messages=list(body.get("messages", []))
        )
        return _json({"id": conversation.id, "messages": [m.id for m in conversation.messages]}, 201)

    async def add_contact(request: Request) -> Response:
        body = await _body(request)
        contact = mock.add_contact(**{k: v for k, v in body.items()} if isinstance(body, dict) else {})
        return _json({"id": contact.id}, 201)

    async def expire_tokens(request: Request) -> Response:
        body = await _body(request, required=False)
        count = mock.world.expire_tokens(client_id=body.get("clientId"), now=mock.clock.now())
        return _json({"expired": count})

    async def expire_sessions(request: Request) -> Response:
        body = await _body(request, required=False)
        wanted = body.get("sessionId")
        sessions = [s for s in mock.world.guest_sessions.values() if not s.closed and wanted in (None, s.id)]
        if wanted is not None and not sessions:
            raise AdminError(404, f"No open guest session {wanted!r}.", "not.found")
        for session in sessions:
            mock.hub.expire_session(session)
        return _json({"expired": len(sessions)})

    # ---------------------------------------------------------------- agent
    async def agent_action(request: Request) -> Response:
        conversation_id = request.path_params["conversation_id"]
        action = request.path_params["action"]
        body = await _body(request, required=False)
        if action == "reply":
            if not isinstance(body.get("text"), str):
                raise AdminError(400, 'reply needs {"text": "..."}.', field="text")
            message = mock.agent.reply(conversation_id, body["text"], bot=bool(body.get("bot", False)))
            return _json({"messageId": message.id}, 201)
        if action == "typing":
            mock.agent.typing(conversation_id, duration_ms=int(body.get("durationMs", 5000)))
        elif action == "assign":
            mock.agent.assign(conversation_id, name=body.get("name"))
        elif action == "transfer":
            mock.agent.transfer(conversation_id, to=body.get("to"))
        elif action == "disconnect":
            mock.agent.disconnect(conversation_id)
        else:
            raise AdminError(
                404, f"Unknown agent action {action!r}; use reply, typing, assign, transfer or disconnect.", "not.found"
            )
        return Response(status_code=204)

    # ---------------------------------------------------------------- journal, check, reset
    async def get_journal(request: Request) -> Response:
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

    async def get_check(request: Request) -> Response:
        return _json(mock.check().to_dict())

    async def reset_all(request: Request) -> Response:
        mock.reset()
        return Response(status_code=204)

    async def openapi(request: Request) -> Response:
        return _json(openapi_document())

    table: list[tuple[str, str, str, Endpoint]] = [
        ("/faults", "GET", "admin.faults.list", list_faults),
        ("/faults", "POST", "admin.faults.add", add_faults),
        ("/faults", "DELETE", "admin.faults.clear", clear_faults),
        ("/faults/{rule_id}", "DELETE", "admin.faults.delete", delete_fault),
        ("/clock", "GET", "admin.clock.get", get_clock),
        ("/clock/advance", "POST", "admin.clock.advance", advance_clock),
        ("/world", "GET", "admin.world.snapshot", get_world),
        ("/world", "POST", "admin.world.load", load_world),
        ("/world/reset", "POST", "admin.world.reset", reset_world),
        ("/world/conversations", "POST", "admin.world.conversations.add", add_conversation),
        ("/world/contacts", "POST", "admin.world.contacts.add", add_contact),
        ("/world/expire-tokens", "POST", "admin.world.expire_tokens", expire_tokens),
        ("/world/expire-sessions", "POST", "admin.world.expire_sessions", expire_sessions),
        ("/agent/{conversation_id}/{action}", "POST", "admin.agent", agent_action),
        ("/journal", "GET", "admin.journal", get_journal),
        ("/check", "GET", "admin.check", get_check),
        ("/reset", "POST", "admin.reset", reset_all),
        ("/openapi.json", "GET", "admin.openapi", openapi),
        *guest_socket_routes(mock),
    ]
    routes = [Route(path, guard(eid, fn), methods=[method]) for path, method, eid, fn in table]
    return [Mount("/__admin", routes=routes)]


# -------------------------------------------------------------------- guest sockets
# Counting and dropping guest connections (what a chaos run's drop_sockets needs live). A block
# of its own, so it moves as one piece with the admin API.
def guest_socket_routes(mock: MockGenesys) -> list[tuple[str, str, str, Endpoint]]:
    """``GET /__admin/connections`` and ``POST /__admin/guests/drop``."""

    async def connections(request: Request) -> Response:
        counts = {sid: len(peers) for sid, peers in sorted(mock.hub.connections.items()) if peers}
        return _json({"sessions": counts})

    async def drop(request: Request) -> Response:
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

    return [
        ("/connections", "GET", "admin.connections", connections),
        ("/guests/drop", "POST", "admin.guests.drop", drop),
    ]


GUEST_SOCKET_PATHS: dict[str, Any] = {
    "/__admin/connections": {
        "get": {
            "summary": "Open guest connections per guest session id",
            "responses": {"200": {"description": '{"sessions": {"<session id>": <count>}}'}},
        }
    },
    "/__admin/guests/drop": {
        "post": {
            "summary": "Drop every open connection of these guest sessions (close code 1006)",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {"sessions": {"type": "array", "items": {"type": "string"}}},
                            "required": ["sessions"],
                        }
                    }
                },
            },
            "responses": {
                "200": {"description": '{"dropped": <connections closed>}'},
                "400": {"description": "Invalid input (Genesys error body)"},
                "404": {"description": "A session id that is not in the world"},
            },
        }
    },
}


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 description of ``/__admin``."""
    rule = {"$ref": "#/components/schemas/FaultRule"}

    def op(summary: str, body: Any = None, ok: str = "200") -> dict[str, Any]:
        operation: dict[str, Any] = {
            "summary": summary,
            "responses": {ok: {"description": "OK"}, "400": {"description": "Invalid input (Genesys error body)"}},
        }
        if body is not None:
            operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
        return operation

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "mockgenesys admin API",
            "version": "1",
            "description": "Loopback-only control of a running mock.",
        },
        "paths": {
            "/__admin/faults": {
                "get": op("List installed fault rules"),
                "post": op("Install one rule or a list", {"oneOf": [rule, {"type": "array", "items": rule}]}, "201"),
                "delete": op("Remove every rule", ok="204"),
            },
            "/__admin/faults/{id}": {"delete": op("Remove one rule", ok="204")},
            "/__admin/clock": {"get": op("The mock's clock")},
            "/__admin/clock/advance": {
                "post": op(
                    "Move the clock forward",
                    {
                        "type": "object",
                        "properties": {"seconds": {"type": "number", "minimum": 0}},
                        "required": ["seconds"],
                    },
                )
            },
            "/__admin/world": {"get": op("World snapshot"), "post": op("Load a world snapshot", {"type": "object"})},
            "/__admin/world/reset": {"post": op("Back to the initial world", ok="204")},
            "/__admin/world/conversations": {
                "post": op(
                    "Add a conversation",
                    {
                        "type": "object",
                        "properties": {
                            "guestName": {"type": "string"},
                            "messages": {"type": "array", "items": {"type": "string"}},
                        },
                    },
                    "201",
                )
            },
            "/__admin/world/contacts": {
                "post": op(
                    "Add an external contact",
                    {"type": "object", "properties": {"firstName": {"type": "string"}, "lastName": {"type": "string"}}},
                    "201",
                )
            },
            "/__admin/world/expire-tokens": {
                "post": op(
                    "Expire access tokens now", {"type": "object", "properties": {"clientId": {"type": "string"}}}
                )
            },
            "/__admin/world/expire-sessions": {
                "post": op(
                    "Expire guest sessions now", {"type": "object", "properties": {"sessionId": {"type": "string"}}}
                )
            },
            "/__admin/agent/{conversationId}/{action}": {
                "post": op("Agent action: reply, typing, assign, transfer, disconnect", {"type": "object"})
            },
            "/__admin/journal": {"get": op("Journal as JSON lines; filters endpoint, status, principal, kind, since")},
            "/__admin/check": {"get": op("The conformance report")},
            "/__admin/reset": {"post": op("Reset world, journal, faults, limits, sockets and clock offset", ok="204")},
            "/__admin/openapi.json": {"get": op("This document")},
            **GUEST_SOCKET_PATHS,
        },
        "components": {
            "schemas": {
                "FaultRule": {
                    "type": "object",
                    "required": ["then"],
                    "properties": {
                        "id": {"type": "string"},
                        "match": {
                            "type": "object",
                            "properties": {
                                k: {"type": "string"} for k in ("endpoint", "method", "principal", "action")
                            },
                        },
                        "when": {
                            "type": "object",
                            "properties": {
                                "after": {"type": "integer"},
                                "times": {"type": "integer"},
                                "every": {"type": "integer"},
                                "probability": {"type": "number"},
                                "start": {"type": "number"},
                                "end": {"type": "number"},
                            },
                        },
                        "then": {"type": "object"},
                    },
                }
            },
            "securitySchemes": {"adminToken": {"type": "http", "scheme": "bearer"}},
        },
    }
