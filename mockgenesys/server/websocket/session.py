"""Guest session actions: ``configureSession``, ``echo``, ``getJwt`` and ``closeSession``
(reference §5.3); ``configureAuthenticatedSession`` lives in ``websocket.auth``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockgenesys.journal import fingerprint
from mockgenesys.server.guests import open_session, start_conversation
from mockgenesys.server.websocket import frames
from mockgenesys.server.websocket.refusals import GuestRefusal

if TYPE_CHECKING:
    from mockgenesys.server.websocket.call import FrameCall
    from mockgenesys.world.models import Deployment, GuestSession


def session_body(
    session: GuestSession, deployment: Deployment, *, new: bool, connected: bool = True, cleared: bool = False
) -> dict[str, Any]:
    """The body of a ``SessionResponse``: what the session may send, and when it expires.

    ``cleared``: signing in ended the user's authenticated session on another device.
    """
    return {
        "connected": connected,
        "newSession": new,
        "readOnly": session.read_only,
        "maxCustomDataBytes": frames.MAX_CUSTOM_ATTRIBUTE_BYTES,
        "clearedExistingSession": cleared,
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
    if session is not None and session.authenticated:
        raise GuestRefusal(
            frames.CANNOT_DOWNGRADE,
            "Cannot downgrade an authenticated session to an unauthenticated one: this token belongs to a "
            "signed-in user; send configureAuthenticatedSession, or use a new token for an anonymous session.",
        )
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
