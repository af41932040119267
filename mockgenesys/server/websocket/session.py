"""Guest session actions: ``configureSession``, ``configureAuthenticatedSession``, ``echo``,
``getJwt`` and ``closeSession`` (reference §5.3)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockgenesys.journal import fingerprint
from mockgenesys.server import jwt
from mockgenesys.server.guests import open_session, start_conversation
from mockgenesys.server.websocket import frames
from mockgenesys.server.websocket.refusals import GuestRefusal

if TYPE_CHECKING:
    from mockgenesys.server.websocket.call import FrameCall
    from mockgenesys.world.models import Deployment, GuestSession


def session_body(session: GuestSession, deployment: Deployment, *, new: bool, connected: bool = True) -> dict[str, Any]:
    """The body of a ``SessionResponse``: what the session may send, and when it expires."""
    return {
        "connected": connected,
        "newSession": new,
        "readOnly": session.read_only,
        "maxCustomDataBytes": frames.MAX_CUSTOM_ATTRIBUTE_BYTES,
        "clearedExistingSession": False,
        "allowedMedia": {
            "inbound": {
                "fileTypes": [{"type": t} for t in deployment.allowed_file_types],
                "maxFileSizeKB": deployment.max_file_size_kb,
            }
        },
        "blockedExtensions": list(frames.BLOCKED_EXTENSIONS),
        "durationSeconds": session.ttl,
        "expirationDate": int(session.expires_at),
    }


def configure_session(call: FrameCall) -> None:
    frame, conn, world = call.frame, call.conn, call.world
    token: str = frame["token"]
    if len(token) > frames.MAX_TOKEN_CHARS:
        raise GuestRefusal(400, f"Request failed. The session token cannot exceed {frames.MAX_TOKEN_CHARS} characters.")
    if frame.get("deploymentId", conn.deployment.id) != conn.deployment.id:
        raise GuestRefusal(400, "Request failed. deploymentId does not match the deployment of this connection.")
    start_new = frame.get("startNew", False)
    if not isinstance(start_new, bool):
        raise GuestRefusal(400, "Request failed. startNew must be true or false.")
    limits = call.hub.state.limits
    call.limit(
        "ws_configure",
        fingerprint(token),
        limits.ws_configure_per_minute,
        60.0,
        "ConfigureSession rate too high for this session",
    )
    now = call.now()
    session = world.guest_session(token)
    new = False
    if session is not None and session.closed:
        raise GuestRefusal(frames.SESSION_NOT_FOUND, "Session not found: it was cleared. Use a new token.")
    if session is not None and call.hub.sockets.is_expired(session):
        raise GuestRefusal(frames.SESSION_EXPIRED, "Session has expired. Start a new session with a new token.")
    if session is None:
        session = open_session(world, conn.deployment, token, now)
        new = True
        call.hub.agent.conversation_started(session.conversation_id)
    elif start_new:
        conversation = start_conversation(world, conn.deployment, now)
        conversation.guest_token = token
        session.conversation_id = conversation.id
        session.read_only = False
        new = True
        call.hub.agent.conversation_started(conversation.id)
    _configured(call, session, new)


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
    token: str = frame["token"]
    existing = world.guest_session(token)
    if existing is not None and existing is not session and not existing.authenticated:
        raise GuestRefusal(
            frames.CANNOT_DOWNGRADE, "Cannot downgrade or merge: this token already holds a guest session."
        )
    new = session.token != token
    if new:
        world.guest_tokens.pop(session.token, None)
        session.token = token
        world.guest_tokens[token] = session.id
        conversation = world.conversations.get(session.conversation_id)
        if conversation is not None:
            conversation.guest_token = token
        call.hub.agent.conversation_started(session.conversation_id)
    _configured(call, session, new)


def _configured(call: FrameCall, session: GuestSession, new: bool) -> None:
    call.attach(session)
    session.last_activity = call.now()
    deployment = call.world.deployments[session.deployment_id]
    call.reply("SessionResponse", session_body(session, deployment, new=new))


def echo(call: FrameCall) -> None:
    session = call.live_session()
    limits = call.hub.state.limits
    call.limit(
        "ws_echo", str(call.conn.id), limits.ws_echo_per_minute, 60.0, "Health check rate too high for this connection"
    )
    message = call.frame.get("message")
    text = message.get("text") if isinstance(message, dict) else None
    body = {
        "text": text if isinstance(text, str) else "ping",
        "type": "Text",
        "direction": "Inbound",
        "id": call.world.new_id(),
        "metadata": {"durationSeconds": str(session.ttl), "expirationDate": str(int(session.expires_at))},
    }
    call.reply("StructuredMessage", body)


def get_jwt(call: FrameCall) -> None:
    session = call.live_session()
    deployment = call.world.deployments[session.deployment_id]
    token, exp = call.hub.state.mint_guest_jwt(session, deployment.jwt_ttl)
    call.detail = fingerprint(token)
    call.expires_at = float(exp)
    call.reply("JwtResponse", {"jwt": token, "exp": exp})


def close_session(call: FrameCall) -> None:
    session = call.live_session()
    if call.frame.get("closeAllConnections", False) is True:
        for peer in call.hub.sockets.of(session):
            if peer is not call.conn:
                peer.deliver(frames.message("ConnectionClosedEvent", {}))
                peer.close(1000, "closeSession")
    deployment = call.world.deployments[session.deployment_id]
    call.reply("SessionResponse", session_body(session, deployment, new=False, connected=False))
