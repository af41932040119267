"""The operations of ``/__admin`` and ``ENDPOINTS``, the one table that serves and describes them."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from mockgenesys import dashboard
from mockgenesys.admin.agent import AGENT_ACTIONS, agent_action
from mockgenesys.admin.inputs import (
    AdminError,
    invalid,
    number,
    optional_string,
    query_int,
    read_body,
    read_object,
    whole,
)
from mockgenesys.admin.openapi import document
from mockgenesys.admin.worlds import public_snapshot, world_from_body
from mockgenesys.server.routes.contactwrites import MAX_CONTACTS
from mockgenesys.server.views import iso
from mockgenesys.world.retention import CappedDict

if TYPE_CHECKING:
    from mockgenesys.mock import MockGenesys
    from mockgenesys.server.websocket.connection import GuestConnection

AdminHandler = Callable[["MockGenesys", Request], Awaitable[Response]]
#: The latest time the clock may be moved to (3000-01-01): every date the mock prints stays valid.
MAX_CLOCK = 32_503_680_000.0
#: The most seconds one ``clock/advance`` moves the clock (about 31 years).
MAX_ADVANCE = 1e9
#: The most fault rules installed at once.
MAX_RULES = 10_000
#: The most occupations held at once (the oldest is forgotten, its connections stay until reset).
MAX_OCCUPATIONS = 1_000
MAX_OCCUPY = 10


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
    #: Query parameters and the JSON schema of each.
    query: tuple[tuple[str, dict[str, Any]], ...] = ()
    #: Whether the body may be left out (then it reads as ``{}``).
    body_optional: bool = False
    #: Served without the admin token (still loopback-only): the dashboard's page and assets, which hold no data.
    is_public: bool = False

    @property
    def path_params(self) -> list[str]:
        """The names of the ``{parameters}`` in ``path``, in order."""
        return re.findall(r"\{(\w+)\}", self.path)


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data, separators=(",", ":")), status_code=status, media_type="application/json")


# ---------------------------------------------------------------------- faults
async def _list_faults(mock: MockGenesys, request: Request) -> Response:
    return _json({"faults": mock.faults.to_list()})


async def _add_faults(mock: MockGenesys, request: Request) -> Response:
    body = await read_body(request)
    rules = body if isinstance(body, list) else [body]
    if len(mock.faults) + len(rules) > MAX_RULES:
        raise invalid("body", f"At most {MAX_RULES} fault rules can be installed; remove some first.")
    installed = {rule.id for rule in mock.faults}
    taken = [
        rule["id"]
        for rule in rules
        if isinstance(rule, dict) and isinstance(rule.get("id"), str) and rule["id"] in installed
    ]
    if taken:
        raise AdminError(
            409,
            f"A rule with id {taken[0]!r} is already installed; remove it first or pick another id.",
            "conflict",
            "id",
        )
    added = mock.faults.add(*rules)
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


async def _get_retention(mock: MockGenesys, request: Request) -> Response:
    # A request or frame tidies before it adds, so a store may hold one over its bound until the
    # next one: tidy as they do, and the sizes are what any request sees.
    mock.hub.tidy()
    world = mock.world
    bounds: dict[str, Any] = {**asdict(world.retention), "access_tokens": world.max_tokens}
    return _json({"bounds": bounds, "sizes": world.retained()})


async def _get_clock(mock: MockGenesys, request: Request) -> Response:
    return _json(_clock_view(mock))


async def _advance_clock(mock: MockGenesys, request: Request) -> Response:
    body = await read_object(request)
    if "seconds" not in body:
        raise invalid("seconds", 'seconds is required: {"seconds": 90}.')
    seconds = number(body["seconds"], "seconds", 0, max(0.0, min(MAX_ADVANCE, MAX_CLOCK - mock.clock.now())))
    mock.clock.advance(seconds)
    return _json(_clock_view(mock))


# ---------------------------------------------------------------------- world
async def _get_world(mock: MockGenesys, request: Request) -> Response:
    return _json(public_snapshot(mock.world))


async def _load_world(mock: MockGenesys, request: Request) -> Response:
    mock.load_world(world_from_body(await read_object(request)))
    return _json({"org_id": mock.org_id, "conversations": len(mock.world.conversations)})


async def _reset(mock: MockGenesys, request: Request) -> Response:
    mock.reset()
    return Response(status_code=204)


async def _add_conversation(mock: MockGenesys, request: Request) -> Response:
    body = await read_object(request, required=False)
    messages = body.get("messages", [])
    if (
        not isinstance(messages, list)
        or len(messages) > 1000
        or not all(isinstance(m, str) and 0 < len(m) <= 4096 for m in messages)
    ):
        raise invalid("messages", "messages must be a list of at most 1000 strings of 1 to 4096 characters.")
    name = optional_string(body, "guestName", max_length=256) or "Guest"
    conversation = mock.add_conversation(guest_name=name, messages=messages)
    return _json({"id": conversation.id, "messages": [m.id for m in conversation.messages]}, 201)


async def _add_contact(mock: MockGenesys, request: Request) -> Response:
    fields = await read_object(request)
    if len(mock.world.contacts) >= MAX_CONTACTS:
        raise invalid("body", f"The world already has {MAX_CONTACTS} external contacts; reset it first.")
    for name, value in fields.items():
        if isinstance(value, str) and len(value) > 256:
            raise invalid(name, f"{name} must be at most 256 characters, got {len(value)}.")
    contact = mock.add_contact(**fields)
    return _json({"id": contact.id}, 201)


async def _expire_tokens(mock: MockGenesys, request: Request) -> Response:
    body = await read_object(request, required=False)
    client_id = optional_string(body, "clientId")
    return _json({"expired": mock.world.expire_tokens(client_id=client_id, now=mock.clock.now())})


async def _expire_sessions(mock: MockGenesys, request: Request) -> Response:
    wanted = optional_string(await read_object(request, required=False), "sessionId")
    sessions = [s for s in mock.world.guest_sessions.values() if not s.closed and wanted in (None, s.id)]
    if wanted is not None and not sessions:
        raise AdminError(404, f"No open guest session {wanted!r}.", "not.found")
    for session in sessions:
        mock.hub.expire_session(session)
    return _json({"expired": len(sessions)})


# ---------------------------------------------------------------------- journal, check, guests
async def _get_journal(mock: MockGenesys, request: Request) -> Response:
    query = request.query_params
    entries = mock.journal.calls(
        query.get("endpoint"),
        status=query_int(request, "status", None),
        principal=query.get("principal"),
        kind=query.get("kind"),
        since=query_int(request, "since", 0) or 0,
    )
    return Response(mock.journal.to_jsonl(entries), media_type="application/x-ndjson")


async def _get_check(mock: MockGenesys, request: Request) -> Response:
    return _json(mock.check().to_dict())


async def _connections(mock: MockGenesys, request: Request) -> Response:
    counts = {sid: len(peers) for sid, peers in sorted(mock.hub.connections.items()) if peers}
    return _json({"sessions": counts})


def _session_ids(body: dict[str, Any], mock: MockGenesys) -> list[str]:
    sessions = body.get("sessions")
    if not isinstance(sessions, list) or not all(isinstance(s, str) for s in sessions):
        raise invalid("sessions", 'drop needs {"sessions": ["<guest session id>", ...]}.')
    unknown = sorted(set(sessions) - set(mock.world.guest_sessions))
    if unknown:
        shown = ", ".join(map(repr, unknown[:5]))
        raise AdminError(404, f"No guest session {shown}; GET /__admin/world lists them.", "not.found")
    return sessions


async def _drop_guests(mock: MockGenesys, request: Request) -> Response:
    dropped = 0
    for session_id in _session_ids(await read_object(request), mock):
        for conn in list(mock.hub.connections.get(session_id, [])):
            conn.drop()  # close code 1006, as a network failure
            dropped += 1
    return _json({"dropped": dropped})


def _occupations(request: Request) -> CappedDict[str, list[GuestConnection]]:
    state = request.app.state
    if not hasattr(state, "occupations"):
        state.occupations = CappedDict(MAX_OCCUPATIONS)
        state.occupation_ids = itertools.count(1)
    found: CappedDict[str, list[GuestConnection]] = state.occupations
    return found


async def _occupy(mock: MockGenesys, request: Request) -> Response:
    body = await read_object(request)
    session_id = optional_string(body, "session")
    target = mock.world.guest_sessions.get(session_id or "")
    if target is None:
        raise AdminError(404, f"No guest session {session_id!r}; GET /__admin/world lists them.", "not.found")
    count = whole(body.get("count", 1), "count", 1, MAX_OCCUPY)
    occupations = _occupations(request)
    opened: list[GuestConnection] = []
    for _ in range(count):
        conn = mock.hub.open(target.deployment_id)
        if not mock.hub.attach(conn, target):
            break
        opened.append(conn)
    name = f"occupation-{next(request.app.state.occupation_ids)}"
    occupations[name] = opened
    return _json({"occupation": name, "opened": len(opened)}, 201)


async def _release(mock: MockGenesys, request: Request) -> Response:
    name = request.path_params["occupation"]
    opened = _occupations(request).pop(name, None)
    if opened is None:
        raise AdminError(404, f"No occupation {name!r} (released already, or never made).", "not.found")
    for conn in opened:
        conn.close(1000, "released")
    return Response(status_code=204)


async def _openapi(mock: MockGenesys, request: Request) -> Response:
    return _json(document(ENDPOINTS))


# ---------------------------------------------------------------------- dashboard (docs/dashboard.md)
async def _dashboard_asset(mock: MockGenesys, request: Request) -> Response:
    name = request.path_params["name"]
    response = dashboard.asset_response(name)
    if response is None:
        shown = name if len(name) <= 60 else name[:57] + "..."
        raise AdminError(
            404, f"No dashboard asset {shown!r}; the page loads {', '.join(dashboard.ASSETS)}.", "not.found"
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
        query=tuple((name, {"type": "integer", "minimum": 0, "maximum": 2**53}) for name in dashboard.EVENTS_QUERY),
    ),
    AdminEndpoint("GET", "/limits", "admin.limits", "Rate limits and the running windows' budget", dashboard.limits),
    AdminEndpoint(
        "GET", "/world/summary", "admin.world.summary", "The world for people, secrets as fingerprints", dashboard.world
    ),
)


_RULE = {"$ref": "#/components/schemas/FaultRule"}
_RECORDS = {"type": "array", "minItems": 1, "items": {"type": "object"}}
_WORLD = {
    "type": "object",
    "required": ["version", "orgs", "clients", "deployments"],
    "properties": {
        "version": {"const": 1},
        "seed": {"type": "integer"},
        **dict.fromkeys(("orgs", "clients", "deployments"), _RECORDS),
    },
}
_CONTACT_FIELDS = (
    "firstName",
    "lastName",
    "middleName",
    "title",
    "workEmail",
    "personalEmail",
    "cellPhone",
    "workPhone",
)
_CONTACT = {
    "type": "object",
    "additionalProperties": False,
    "properties": {name: {"type": "string", "maxLength": 256} for name in _CONTACT_FIELDS},
    "anyOf": [{"required": [name], "properties": {name: {"minLength": 1}}} for name in ("firstName", "lastName")],
}


def _object_schema(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


def _text(limit: int) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "maxLength": limit}


def _maybe_text(limit: int) -> dict[str, Any]:
    return {"type": ["string", "null"], "minLength": 1, "maxLength": limit}


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
        "Move the clock forward (at most to 3000-01-01)",
        _advance_clock,
        body=_object_schema({"seconds": {"type": "number", "minimum": 0, "maximum": MAX_ADVANCE}}, ("seconds",)),
    ),
    AdminEndpoint(
        "GET", "/retention", "admin.retention", "Run-time stores: their bounds and what each holds", _get_retention
    ),
    AdminEndpoint("GET", "/world", "admin.world.snapshot", "World snapshot (guest tokens as fingerprints)", _get_world),
    AdminEndpoint("POST", "/world", "admin.world.load", "Load a world snapshot", _load_world, body=_WORLD),
    AdminEndpoint("POST", "/world/reset", "admin.world.reset", "Back to the initial world", _reset, ok=204),
    AdminEndpoint(
        "POST",
        "/world/conversations",
        "admin.world.conversations.add",
        "Add a conversation",
        _add_conversation,
        body=_object_schema(
            {"guestName": _maybe_text(256), "messages": {"type": "array", "maxItems": 1000, "items": _text(4096)}}
        ),
        ok=201,
        body_optional=True,
    ),
    AdminEndpoint(
        "POST",
        "/world/contacts",
        "admin.world.contacts.add",
        "Add an external contact",
        _add_contact,
        body=_CONTACT,
        ok=201,
    ),
    AdminEndpoint(
        "POST",
        "/world/expire-tokens",
        "admin.world.expire_tokens",
        "Expire access tokens now",
        _expire_tokens,
        body=_object_schema({"clientId": _maybe_text(1024)}),
        body_optional=True,
    ),
    AdminEndpoint(
        "POST",
        "/world/expire-sessions",
        "admin.world.expire_sessions",
        "Expire guest sessions now",
        _expire_sessions,
        body=_object_schema({"sessionId": _maybe_text(1024)}),
        body_optional=True,
    ),
    AdminEndpoint(
        "POST",
        "/agent/{conversation_id}/{action}",
        "admin.agent",
        f"Agent action: {', '.join(AGENT_ACTIONS)}",
        agent_action,
        body={"type": "object"},
        body_optional=True,
    ),
    AdminEndpoint(
        "GET",
        "/journal",
        "admin.journal",
        "The journal as JSON lines",
        _get_journal,
        query=(
            ("endpoint", {"type": "string"}),
            ("status", {"type": "integer", "minimum": 0, "maximum": 2**53}),
            ("principal", {"type": "string"}),
            ("kind", {"type": "string"}),
            ("since", {"type": "integer", "minimum": 0, "maximum": 2**53}),
        ),
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
    AdminEndpoint(
        "POST",
        "/guests/occupy",
        "admin.guests.occupy",
        "Attach up to count more connections to a guest session (other tabs), until released",
        _occupy,
        body=_object_schema(
            {"session": _text(1024), "count": {"type": "integer", "minimum": 1, "maximum": MAX_OCCUPY}},
            ("session",),
        ),
        ok=201,
    ),
    AdminEndpoint(
        "DELETE",
        "/guests/occupy/{occupation}",
        "admin.guests.release",
        "Close the connections of an occupation",
        _release,
        ok=204,
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
