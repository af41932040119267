"""Seed dialect: ``POST /api/v2/webmessaging/organizations/{organizationId}/sessions``.

The second tutorial's (invented) guest-session endpoint, validated exactly as the tutorial
validates client-side, so a client that skips validation meets the same rules here.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from mockgenesys.server.http import ApiError, MockRequest, MockResponse, Route, json_response
from mockgenesys.server.operations import STRING, TIMESTAMP, Operation, obj
from mockgenesys.server.params import invalid, json_body
from mockgenesys.server.views import iso
from mockgenesys.world.models import SeedSession

if TYPE_CHECKING:
    from mockgenesys.server.core import Server

CHANNELS = ("web", "mobile", "desktop")
MIN_EXPIRATION = 300
MAX_EXPIRATION = 86400
DEFAULT_EXPIRATION = 3600
MAX_METADATA_BYTES = 2048
NONCE_HEADER = "x-genesys-request-nonce"
PERMISSIONS = ("webmessaging:session:create",)


def _org(server: Server, req: MockRequest) -> str:
    org_id = req.params["organizationId"]
    if org_id not in server.world.orgs:
        raise ApiError(404, "not.found", f"Organization {org_id} was not found.")
    if org_id != req.org_id:
        raise ApiError(403, "not.authorized", f"The OAuth client's organization does not match organization {org_id}.")
    return org_id


def create(server: Server, req: MockRequest) -> MockResponse:
    org_id = _org(server, req)
    server.hit_limit("org_sessions", org_id, server.limits.org_sessions_per_second, 1.0)
    body = json_body(req)
    unknown = sorted(set(body) - {"channel", "expirationSeconds", "metadata", "organizationId"})
    if unknown:
        raise invalid(unknown[0], f"Unknown field(s) {unknown}; valid fields: channel, expirationSeconds, metadata.")
    channel = body.get("channel", "web")
    if channel not in CHANNELS:
        raise invalid("channel", f"channel must be one of web, mobile, desktop; got {channel!r}.")
    expiration = body.get("expirationSeconds", DEFAULT_EXPIRATION)
    if not isinstance(expiration, int) or isinstance(expiration, bool):
        raise invalid("expirationSeconds", f"expirationSeconds must be a whole number of seconds, got {expiration!r}.")
    if not MIN_EXPIRATION <= expiration <= MAX_EXPIRATION:
        raise invalid(
            "expirationSeconds",
            f"expirationSeconds must be between {MIN_EXPIRATION} and {MAX_EXPIRATION}, got {expiration}.",
        )
    metadata = body.get("metadata") or {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise invalid("metadata", "metadata must be an object whose values are strings.")
    if len(json.dumps(metadata, separators=(",", ":")).encode()) > MAX_METADATA_BYTES:
        raise invalid("metadata", "Metadata exceeds maximum key size limit (2KB). Reduce custom attributes.")
    now = server.clock.now()
    nonce = req.headers.get(NONCE_HEADER)
    if nonce is not None and not server.world.use_nonce(nonce, now):
        raise ApiError(
            409,
            "conflict",
            f"The request nonce {nonce!r} was already used; send a new {NONCE_HEADER} for every request.",
            details=[{"errorCode": "conflict", "fieldName": "X-Genesys-Request-Nonce"}],
        )
    session = SeedSession(
        id=server.world.new_id(),
        org_id=org_id,
        session_token=server.world.new_token(32),
        channel=channel,
        expiration_seconds=expiration,
        created_at=now,
        metadata=dict(metadata),
        client_id=(req.principal or ""),
    )
    server.world.seed_sessions[session.id] = session
    return json_response(_view(session))


def get(server: Server, req: MockRequest) -> MockResponse:
    org_id = _org(server, req)
    session = server.world.seed_sessions.get(req.params["sessionId"])
    if session is None or session.org_id != org_id:
        raise ApiError(404, "not.found", f"Session {req.params['sessionId']} was not found.")
    return json_response(_view(session))


def _view(session: SeedSession) -> dict[str, Any]:
    return {
        "id": session.id,
        "organizationId": session.org_id,
        "sessionToken": session.session_token,
        "channel": session.channel,
        "expirationSeconds": session.expiration_seconds,
        "expirationTimestamp": iso(session.expires_at),
        "createdDate": iso(session.created_at),
        "metadata": dict(session.metadata),
    }


SESSION = obj(
    {
        "id": STRING,
        "organizationId": STRING,
        "sessionToken": STRING,
        "channel": {"enum": list(CHANNELS)},
        "expirationSeconds": {"type": "integer"},
        "expirationTimestamp": TIMESTAMP,
        "createdDate": TIMESTAMP,
        "metadata": {"type": "object", "additionalProperties": STRING},
    },
    "id",
    "organizationId",
    "sessionToken",
    "channel",
    "expirationSeconds",
)
CREATE = Operation(
    "Create a guest session (seed dialect; an X-Genesys-Request-Nonce used twice answers 409)",
    body=obj(
        {
            "channel": {"enum": list(CHANNELS)},
            "expirationSeconds": {"type": "integer", "minimum": MIN_EXPIRATION, "maximum": MAX_EXPIRATION},
            "metadata": {"type": "object", "additionalProperties": STRING},
            "organizationId": STRING,
        }
    ),
    response=SESSION,
    errors=(409,),
)
_BASE = "/api/v2/webmessaging/organizations/{organizationId}/sessions"
ROUTES = [
    Route("POST", _BASE, "sessions.create", create, permissions=PERMISSIONS, dialect="seed", api=CREATE),
    Route(
        "GET",
        _BASE + "/{sessionId}",
        "sessions.get",
        get,
        permissions=("webmessaging:session:view", *PERMISSIONS),
        dialect="seed",
        api=Operation("One guest session (seed dialect)", response=SESSION),
    ),
]
