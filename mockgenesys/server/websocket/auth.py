"""Authenticated guest sessions as Genesys runs them: sign in, step up, signed in elsewhere, log out.

Sources: Genesys' Messenger Transport SDK (``MyPureCloud/genesys-messenger-transport-mobile-sdk``
2.14.0): ``uml/auth_flow/transport_auth_flow.puml``, ``high_level_stepup_flow.puml``,
``transport_auth_logout_flow.puml``, ``util/Const.kt`` (``SIGNED_IN``) and ``core/ErrorCode.kt``.

- ``configureAuthenticatedSession`` on a new token starts (or, for a user already signed in
  elsewhere, continues) the user's authenticated conversation.
- On a token holding an anonymous session it *steps up*: when the deployment allows it
  (``allowSessionUpgrade``) the anonymous conversation continues as the user's, the socket gets
  an Inbound Presence ``SignIn`` event, then the ``SessionResponse``; otherwise 403.
- Every other session of the same user is ended: its sockets get
  ``ConnectionClosedEvent {"reason": "signedIn"}`` and the new ``SessionResponse`` says
  ``clearedExistingSession: true``.
- ``DELETE /api/v2/webdeployments/token/revoke`` pushes ``LogoutEvent`` to the session's sockets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockgenesys.server import jwt
from mockgenesys.server.views import iso
from mockgenesys.server.websocket import frames
from mockgenesys.server.websocket.refusals import GuestRefusal
from mockgenesys.server.websocket.session import session_body

if TYPE_CHECKING:
    from mockgenesys.server.websocket.call import FrameCall
    from mockgenesys.server.websocket.sockets import GuestSockets
    from mockgenesys.world.models import GuestSession
    from mockgenesys.world.store import World

#: ``ConnectionClosedEvent.reason`` when the same user signed in on another device: the only
#: reason Genesys puts on the wire (``util/Const.kt``).
SIGNED_IN = "signedIn"


def configure_authenticated_session(call: FrameCall) -> None:
    frame, conn, world = call.frame, call.conn, call.world
    data = frame.get("data")
    code = data.get("code") if isinstance(data, dict) else None
    if not isinstance(code, str) or not code:
        raise GuestRefusal(frames.MISSING_PARAMETER, "Missing parameter: data.code (the JWT from the OAuth exchange).")
    try:
        claims = jwt.verify(code, call.hub.state.jwt_key, call.now())
    except jwt.JwtInvalid as exc:
        raise GuestRefusal(401, f"User is unauthorized: {exc.reason}.") from None
    session = world.guest_sessions.get(str(claims.get("sub")))
    if session is None or session.closed or not session.authenticated or claims.get("gen") != session.jwt_generation:
        raise GuestRefusal(401, "User is unauthorized: the JWT was revoked or is unknown.")
    if session.deployment_id != conn.deployment.id:
        raise GuestRefusal(400, "Request failed. The JWT belongs to another deployment.")
    if not conn.deployment.auth_enabled:
        raise GuestRefusal(403, "Authenticated messaging is not enabled for this deployment.")
    token: str = frame["token"]
    existing = world.guest_session(token)
    upgraded = False
    if existing is not None and existing is not session:
        if existing.closed:
            raise GuestRefusal(frames.SESSION_NOT_FOUND, "Session not found: it was cleared. Use a new token.")
        if existing.authenticated and existing.user_id != session.user_id:
            raise GuestRefusal(403, "This session token belongs to another signed-in user; use a new token.")
        if not existing.authenticated and not conn.deployment.allow_session_upgrade:
            raise GuestRefusal(
                403,
                "Session upgrade is not allowed: the deployment does not allow an anonymous session to become "
                "authenticated (auth.allowSessionUpgrade is false). Start the authenticated session on a new token.",
            )
        upgraded = not existing.authenticated
    cleared = _sign_out_elsewhere(call.hub.sockets, world, session, keep=existing)
    new = session.token != token
    if existing is not None and existing is not session:
        _take_over(call.hub.sockets, world, session, existing)
        new = False
    elif new:
        _rekey(world, session, token)
        if cleared is None:
            call.hub.agent.conversation_started(session.conversation_id)
    if cleared is not None and not upgraded and existing is None:
        # signed in on a new device: the user's conversation continues here
        session.conversation_id = cleared.conversation_id
        session.read_only = cleared.read_only
        conversation = world.conversations.get(cleared.conversation_id)
        if conversation is not None:
            conversation.guest_token = session.token
    call.attach(session)
    session.last_activity = call.now()
    if upgraded:
        call.hub.sockets.broadcast(session, frames.message("StructuredMessage", sign_in_body(session, world)))
    deployment = world.deployments[session.deployment_id]
    call.reply("SessionResponse", session_body(session, deployment, new=new, cleared=cleared is not None))


def sign_in_body(session: GuestSession, world: World) -> dict[str, Any]:
    """The Inbound Presence ``SignIn`` event a step-up answers with (``channel.from`` names the user)."""
    signed_in: dict[str, str] = {}
    if session.first_name:
        signed_in["firstName"] = session.first_name
    if session.last_name:
        signed_in["lastName"] = session.last_name
    now = session.last_activity
    message_id = world.new_id()
    return {
        "id": message_id,
        "channel": {"time": iso(now), "messageId": message_id, "type": "Private", "from": signed_in},
        "type": "Event",
        "direction": "Inbound",
        "events": [{"eventType": "Presence", "presence": {"type": "SignIn"}}],
        "metadata": {"authenticated": "true"},
    }


def log_out(sockets: GuestSockets, session: GuestSession) -> None:
    """The user logged out (token revoked): ``LogoutEvent`` to every socket of the session, which
    ends; Genesys' transport finishes its logout only when this event arrives."""
    sockets.broadcast(session, frames.message("LogoutEvent", {}))
    session.closed = True


def _sign_out_elsewhere(
    sockets: GuestSockets, world: World, session: GuestSession, *, keep: GuestSession | None
) -> GuestSession | None:
    """End the user's other authenticated sessions (``ConnectionClosedEvent signedIn``, then the
    socket closes); the most recently active one, if any."""
    latest: GuestSession | None = None
    for other in list(world.guest_sessions.values()):
        if other is session or other is keep or other.closed or not other.authenticated:
            continue
        if other.user_id is None or other.user_id != session.user_id or other.deployment_id != session.deployment_id:
            continue
        for peer in sockets.of(other):
            peer.deliver(frames.message("ConnectionClosedEvent", {"reason": SIGNED_IN}))
            peer.close(1000, "signed in elsewhere")
        other.closed = True
        if latest is None or other.last_activity > latest.last_activity:
            latest = other
    return latest


def _rekey(world: World, session: GuestSession, token: str) -> None:
    world.guest_tokens.pop(session.token, None)
    session.token = token
    world.guest_tokens[token] = session.id
    conversation = world.conversations.get(session.conversation_id)
    if conversation is not None:
        conversation.guest_token = token


def _take_over(sockets: GuestSockets, world: World, session: GuestSession, existing: GuestSession) -> None:
    """``session`` (the signed-in user) continues ``existing``'s conversation on its token, with
    its sockets; ``existing`` ends."""
    world.guest_tokens.pop(session.token, None)
    session.token = existing.token
    session.conversation_id = existing.conversation_id
    session.read_only = existing.read_only
    session.created_at = min(session.created_at, existing.created_at)
    existing.closed = True
    world.guest_tokens[session.token] = session.id
    conversation = world.conversations.get(session.conversation_id)
    if conversation is not None:
        conversation.guest_token = session.token
    sockets.move(existing, session)
