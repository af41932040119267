"""Who is calling, resolved once per request or frame, and whether they may call a route.

``request_caller`` and ``frame_caller`` never raise: they describe what was presented. The
HTTP server hands that ``Caller`` to the fault plan first and to ``authorize_oauth`` /
``authorize_guest`` afterwards, so a guest JWT is verified once per request.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from mockgenesys.faults.caller import ANONYMOUS, Caller
from mockgenesys.journal import fingerprint
from mockgenesys.server import jwt
from mockgenesys.server.http import ApiError

if TYPE_CHECKING:
    from mockgenesys.server.http import MockRequest, Route
    from mockgenesys.world.models import AccessToken, GuestSession
    from mockgenesys.world.store import World


def request_caller(req: MockRequest, world: World, jwt_key: bytes) -> Caller:
    """The caller of an HTTP request: its OAuth token record, the guest session of an authentic
    guest JWT, or the client id of Basic credentials (none of them checked for validity yet)."""
    if "authorization" not in req.headers:
        return ANONYMOUS
    bearer = req.bearer
    if bearer is not None:
        credential = fingerprint(bearer)
        record = world.tokens.get(bearer)
        if record is not None:
            return Caller(credential, credential, token=record, client_id=record.client_id, org_id=record.org_id)
        if bearer.count(".") == 2:
            claims = jwt.read(bearer, jwt_key)
            session = world.guest_sessions.get(str(claims.get("sub"))) if claims is not None else None
            if claims is not None and session is not None:
                generation, exp = claims.get("gen"), claims.get("exp")
                return Caller(
                    credential,
                    fingerprint(session.token),
                    guest=session,
                    jwt_generation=generation if isinstance(generation, int) else None,
                    jwt_exp=float(exp) if isinstance(exp, (int, float)) else None,
                    org_id=session.org_id,
                )
        return Caller(credential, credential)
    credentials = req.basic_credentials()
    return ANONYMOUS if credentials is None else _client_caller(credentials[0])


@functools.lru_cache(maxsize=256)  # holds no record, so one value serves every token call of a client
def _client_caller(client_id: str) -> Caller:
    return Caller(principal=f"client:{client_id}", client_id=client_id)


def frame_caller(token: object, session: GuestSession | None, org_id: str) -> Caller:
    """The caller of a guest WebSocket frame: the session its token names (or the one the
    connection is attached to), in the deployment's org."""
    credential = fingerprint(token) if isinstance(token, str) and token else None
    return Caller(credential, credential, guest=session, org_id=session.org_id if session is not None else org_id)


def _required() -> ApiError:
    return ApiError(401, "authentication.required", "No authentication bearer token specified in authorization header.")


def _bad_credentials() -> ApiError:
    return ApiError(401, "bad.credentials", "Invalid login credentials.")


def authorize_oauth(req: MockRequest, route: Route, world: World, now: float) -> AccessToken:
    """The valid OAuth token of ``req.caller`` with a permission ``route`` needs; else a 401 or 403."""
    caller = req.caller
    if caller.credential is None:
        raise _required()
    record = caller.token
    if record is None or record.revoked or record.expires_at <= now:
        raise _bad_credentials()
    if route.permissions:
        client = world.clients.get(record.client_id)
        granted = client.permissions if client else []
        if not any(p in granted for p in route.permissions):
            wanted = ", ".join(route.permissions)
            raise ApiError(
                403,
                "missing.any.permissions",
                f"Unable to perform the requested action. You must have at least one of the following permissions assigned: [{wanted}]",
                params={"permissions": wanted},
            )
    return record


def authorize_guest(req: MockRequest, now: float) -> GuestSession:
    """The guest session of a valid guest JWT on ``req``; else a 401 (``credentials.expired`` when
    only the session itself has expired)."""
    caller = req.caller
    if caller.credential is None:
        raise _required()
    session = caller.guest
    if (
        session is None
        or caller.jwt_exp is None
        or caller.jwt_exp <= now
        or session.closed
        or caller.jwt_generation != session.jwt_generation
    ):
        raise _bad_credentials()
    if session.expires_at <= now:
        raise ApiError(401, "credentials.expired", "The supplied credentials are expired and cannot be used.")
    req.guest = session
    return session
