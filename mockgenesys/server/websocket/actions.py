"""One handler per guest WebSocket action (reference §5.3)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mockgenesys.journal import fingerprint
from mockgenesys.server import jwt
from mockgenesys.server.guests import open_session, start_conversation
from mockgenesys.server.views import iso
from mockgenesys.server.websocket import frames
from mockgenesys.world.models import Attachment, GuestSession, Message

if TYPE_CHECKING:
    from mockgenesys.server.websocket.connection import GuestConnection
    from mockgenesys.server.websocket.hub import GuestHub

Handler = Callable[["GuestHub", "GuestConnection", dict[str, Any]], None]
MAX_TEXT_BYTES = 4096
MAX_CUSTOM_ATTRIBUTE_BYTES = 2048
MAX_FILE_NAME = 255
PRESENCE_TYPES = ("Join", "Clear", "Disconnect", "SignIn")


class _Refused(Exception):
    """A request answered with an error frame (already sent)."""


def handle(hub: GuestHub, conn: GuestConnection, frame: dict[str, Any]) -> None:
    tracing = frame.get("tracingId")
    if tracing is not None and not isinstance(tracing, str):
        hub.send_error(conn, 400, "Request failed. tracingId must be a string.")
        return
    action = frame.get("action")
    if not isinstance(action, str) or not action:
        hub.send_error(
            conn, 400, f"Request failed. Every request needs an action: one of {', '.join(ACTIONS)}.", tracing
        )
        return
    handler = ACTIONS.get(action)
    if handler is None:
        hub.send_error(
            conn, 400, f"Request failed. Unknown action {action!r}; valid actions: {', '.join(ACTIONS)}.", tracing
        )
        return
    token = frame.get("token")
    if not isinstance(token, str) or not token:
        hub.send_error(conn, frames.MISSING_PARAMETER, "Missing parameter: token (the guest session token).", tracing)
        return
    try:
        if not _within_connection_limit(hub, conn, tracing):
            return
        handler(hub, conn, frame)
    except _Refused:
        return


def _within_connection_limit(hub: GuestHub, conn: GuestConnection, tracing: str | None) -> bool:
    retry = _hit(hub, "ws_conn", str(conn.id), hub.server.limits.ws_requests_per_minute, 60.0)
    if retry is None:
        return True
    hub.send_too_many(conn, retry, "Request rate too high for this connection", tracing)
    return False


def _hit(hub: GuestHub, name: str, key: str, limit: int | None, period: float) -> int | None:
    if limit is None or not hub.server.limits.enabled:
        return None
    now = hub.now()
    return hub.server.limiter.window(name, key, limit, period, now).hit(now)


def _refuse(hub: GuestHub, conn: GuestConnection, code: int, text: str, tracing: str | None) -> _Refused:
    hub.send_error(conn, code, text, tracing)
    return _Refused()


def _live_session(hub: GuestHub, conn: GuestConnection, frame: dict[str, Any]) -> GuestSession:
    """The session the frame's token names, attached to ``conn``; error frames otherwise."""
    tracing = frame.get("tracingId")
    session = hub.world.guest_session(frame["token"])
    if session is None or session.closed:
        raise _refuse(hub, conn, frames.SESSION_NOT_FOUND, "Session not found. Send configureSession first.", tracing)
    if hub.is_expired(session):
        raise _refuse(
            hub, conn, frames.SESSION_EXPIRED, "Session has expired. Start a new session with a new token.", tracing
        )
    if conn.session is not session and not hub.attach(conn, session):
        raise _Refused()
    return session


# ---------------------------------------------------------------------- configure
def configure_session(hub: GuestHub, conn: GuestConnection, frame: dict[str, Any]) -> None:
    tracing = frame.get("tracingId")
    token: str = frame["token"]
    if len(token) > 2048:
        raise _refuse(hub, conn, 400, "Request failed. The session token cannot exceed 2048 characters.", tracing)
    deployment_id = frame.get("deploymentId", conn.deployment.id)
    if deployment_id != conn.deployment.id:
        raise _refuse(
            hub, conn, 400, "Request failed. deploymentId does not match the deployment of this connection.", tracing
        )
    start_new = frame.get("startNew", False)
    if not isinstance(start_new, bool):
        raise _refuse(hub, conn, 400, "Request failed. startNew must be true or false.", tracing)
    retry = _hit(hub, "ws_configure", fingerprint(token), hub.server.limits.ws_configure_per_minute, 60.0)
    if retry is not None:
        hub.send_too_many(conn, retry, "ConfigureSession rate too high for this session", tracing)
        raise _Refused()
    now = hub.now()
    session = hub.world.guest_session(token)
    new = False
    if session is not None and session.closed:
        raise _refuse(
            hub, conn, frames.SESSION_NOT_FOUND, "Session not found: it was cleared. Use a new token.", tracing
        )
    if session is not None and hub.is_expired(session):
        raise _refuse(
            hub, conn, frames.SESSION_EXPIRED, "Session has expired. Start a new session with a new token.", tracing
        )
    if session is None:
        session = open_session(hub.world, conn.deployment, token, now)
        new = True
        _conversation_started(hub, session.conversation_id)
    elif start_new:
        conversation = start_conversation(hub.world, conn.deployment, now)
        conversation.guest_token = token
        session.conversation_id = conversation.id
        session.read_only = False
        new = True
        _conversation_started(hub, conversation.id)
    _configured(hub, conn, session, new, tracing)


def configure_authenticated_session(hub: GuestHub, conn: GuestConnection, frame: dict[str, Any]) -> None:
    tracing = frame.get("tracingId")
    data = frame.get("data")
    code = data.get("code") if isinstance(data, dict) else None
    if not isinstance(code, str) or not code:
        raise _refuse(
            hub,
            conn,
            frames.MISSING_PARAMETER,
            "Missing parameter: data.code (the JWT from the OAuth exchange).",
            tracing,
        )
    try:
        claims = jwt.verify(code, hub.server.jwt_key, hub.now())
    except jwt.JwtInvalid as exc:
        raise _refuse(hub, conn, 401, f"User is unauthorized: {exc.reason}.", tracing) from None
    session = hub.world.guest_sessions.get(str(claims.get("sub")))
    if session is None or session.closed or not session.authenticated or claims.get("gen") != session.jwt_generation:
        raise _refuse(hub, conn, 401, "User is unauthorized: the JWT was revoked or is unknown.", tracing)
    if session.deployment_id != conn.deployment.id:
        raise _refuse(hub, conn, 400, "Request failed. The JWT belongs to another deployment.", tracing)
    token: str = frame["token"]
    existing = hub.world.guest_session(token)
    if existing is not None and existing is not session and not existing.authenticated:
        raise _refuse(hub, conn, 4017, "Cannot downgrade or merge: this token already holds a guest session.", tracing)
    new = session.token != token
    if new:
        hub.world.guest_tokens.pop(session.token, None)
        session.token = token
        hub.world.guest_tokens[token] = session.id
        conversation = hub.world.conversations.get(session.conversation_id)
        if conversation is not None:
            conversation.guest_token = token
        _conversation_started(hub, session.conversation_id)
    _configured(hub, conn, session, new, tracing)


def _configured(hub: GuestHub, conn: GuestConnection, session: GuestSession, new: bool, tracing: str | None) -> None:
    if not hub.attach(conn, session):
        raise _Refused()
    session.last_activity = hub.now()
    deployment = hub.world.deployments[session.deployment_id]
    conn.deliver(frames.response("SessionResponse", hub.session_body(session, deployment, new=new), tracing_id=tracing))


def _conversation_started(hub: GuestHub, conversation_id: str) -> None:
    if hub.agent is not None:
        hub.agent.conversation_started(conversation_id)


# ---------------------------------------------------------------------- messages
def on_message(hub: GuestHub, conn: GuestConnection, frame: dict[str, Any]) -> None:
    tracing = frame.get("tracingId")
    session = _live_session(hub, conn, frame)
    message = frame.get("message")
    if not isinstance(message, dict):
        raise _refuse(
            hub, conn, frames.MISSING_PARAMETER, "Missing parameter: message (an object with a type).", tracing
        )
    kind = message.get("type")
    if kind not in ("Text", "Structured", "Event"):
        raise _refuse(
            hub, conn, 400, f"Request failed. message.type must be Text, Structured or Event, got {kind!r}.", tracing
        )
    attributes = _custom_attributes(message, frame)
    if attributes is None:
        raise _refuse(hub, conn, 400, "Request failed. channel.metadata.customAttributes must be an object.", tracing)
    size = len(json.dumps(attributes, separators=(",", ":")).encode())
    if size > MAX_CUSTOM_ATTRIBUTE_BYTES:
        raise _refuse(
            hub,
            conn,
            frames.CUSTOM_ATTRIBUTES_TOO_LARGE,
            "Custom Attributes in channel metadata is larger than 2048 bytes",
            tracing,
        )
    retry = _hit(hub, "ws_messages", session.id, hub.server.limits.ws_messages_per_second, 1.0)
    if retry is not None:
        hub.send_too_many(conn, retry, "Message rate too high for this session", tracing)
        raise _Refused()
    if kind == "Event":
        _on_event(hub, conn, session, message, tracing)
        return
    text = message.get("text", "")
    if not isinstance(text, str):
        raise _refuse(hub, conn, 400, "Request failed. message.text must be a string.", tracing)
    length = len(text.encode("utf-8"))
    if length > MAX_TEXT_BYTES:
        raise _refuse(
            hub, conn, frames.MESSAGE_TOO_LONG, f"Message length {length} is larger than {MAX_TEXT_BYTES}", tracing
        )
    content = message.get("content", [])
    if not isinstance(content, list) or not all(isinstance(c, dict) for c in content):
        raise _refuse(hub, conn, 400, "Request failed. message.content must be a list of objects.", tracing)
    for item in content:
        attachment_id = (item.get("attachment") or {}).get("id") if isinstance(item.get("attachment"), dict) else None
        if attachment_id is not None:
            attachment = hub.attachments.get(attachment_id)
            if attachment is None or attachment.deleted:
                raise _refuse(hub, conn, frames.ATTACHMENT_NOT_FOUND, f"Attachment {attachment_id} not found.", tracing)
            if not attachment.uploaded:
                raise _refuse(
                    hub, conn, frames.ATTACHMENT_NOT_UPLOADED, f"Attachment {attachment_id} was not uploaded.", tracing
                )
    if not text and not content:
        raise _refuse(
            hub, conn, frames.MISSING_PARAMETER, "Missing parameter: message.text (or an attachment).", tracing
        )
    if session.read_only:
        raise _refuse(
            hub, conn, 403, "The conversation is read-only after the agent disconnected; start a new chat.", tracing
        )
    metadata = message.get("metadata") if isinstance(message.get("metadata"), dict) else {}
    _store_and_echo(hub, session, conn, text, tracing, content=content, attributes=attributes, metadata=metadata)


def _custom_attributes(message: dict[str, Any], frame: dict[str, Any]) -> dict[str, Any] | None:
    for holder in (message.get("channel"), frame.get("channel")):
        if isinstance(holder, dict) and isinstance(holder.get("metadata"), dict):
            attributes = holder["metadata"].get("customAttributes")
            if attributes is None:
                continue
            return attributes if isinstance(attributes, dict) else None
    return {}


def _store_and_echo(
    hub: GuestHub,
    session: GuestSession,
    conn: GuestConnection,
    text: str,
    tracing: str | None,
    *,
    content: list[dict[str, Any]] | None = None,
    events: list[dict[str, Any]] | None = None,
    attributes: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
) -> Message:
    now = hub.now()
    session.last_activity = now
    conversation = hub.world.conversations[session.conversation_id]
    customer = conversation.participant("customer")
    stored = Message(
        id=hub.world.new_id(),
        conversation_id=conversation.id,
        direction="inbound",
        text=text,
        timestamp=now,
        sender_id=customer.id if customer else session.id,
        type="Event" if events else "Text",
        status="Delivered",
        events=list(events or []),
        metadata={str(k): str(v) for k, v in (metadata or {}).items()},
        content=list(content or []),
        custom_attributes=dict(attributes or {}),
    )
    hub.world.add_message(conversation, stored)
    hub.broadcast(session, frames.message("StructuredMessage", structured_body(stored), tracing_id=tracing))
    if hub.agent is not None:
        hub.agent.guest_message(conversation.id, stored)
    return stored


def structured_body(message: Message) -> dict[str, Any]:
    """A stored message as the body of a ``StructuredMessage`` frame."""
    body: dict[str, Any] = {
        "id": message.id,
        "channel": {"time": iso(message.timestamp), "messageId": message.id, "type": "Private"},
        "type": message.type,
        "direction": message.direction.capitalize(),
        "originatingEntity": message.originating_entity,
        "metadata": {"correlationId": message.id, **message.metadata},
    }
    if message.text:
        body["text"] = message.text
    if message.events:
        body["events"] = list(message.events)
    if message.content:
        body["content"] = list(message.content)
    return body


def _on_event(
    hub: GuestHub, conn: GuestConnection, session: GuestSession, message: dict[str, Any], tracing: str | None
) -> None:
    events = message.get("events")
    if not isinstance(events, list) or not events or not all(isinstance(e, dict) for e in events):
        raise _refuse(
            hub, conn, frames.MISSING_PARAMETER, "Missing parameter: message.events (a non-empty list).", tracing
        )
    for event in events:
        kind = event.get("eventType")
        if kind == "Presence":
            presence = (event.get("presence") or {}).get("type") if isinstance(event.get("presence"), dict) else None
            if presence not in PRESENCE_TYPES:
                raise _refuse(
                    hub,
                    conn,
                    400,
                    f"Request failed. presence.type must be one of {', '.join(PRESENCE_TYPES)}.",
                    tracing,
                )
            if presence == "Clear":
                _clear(hub, conn, session, tracing)
                return
        elif kind == "Typing":
            typing = event.get("typing")
            if not isinstance(typing, dict) or typing.get("type") != "On":
                raise _refuse(hub, conn, 400, "Request failed. typing.type must be On.", tracing)
        else:
            raise _refuse(
                hub, conn, 400, f"Request failed. eventType must be Presence or Typing, got {kind!r}.", tracing
            )
    _store_and_echo(hub, session, conn, "", tracing, events=events)
    for event in events:
        if event.get("eventType") == "Presence" and event["presence"]["type"] == "Disconnect":
            conversation = hub.world.conversations[session.conversation_id]
            if hub.agent is not None:
                hub.agent.guest_disconnected(conversation.id)


def _clear(hub: GuestHub, conn: GuestConnection, session: GuestSession, tracing: str | None) -> None:
    deployment = hub.world.deployments[session.deployment_id]
    if not deployment.conversation_clear_enabled:
        raise _refuse(hub, conn, 403, "Presence events Conversation Clear are not supported", tracing)
    session.closed = True
    for peer in hub.connections_for(session):
        peer.deliver(frames.message("SessionClearedEvent", {}))
        peer.deliver(frames.message("ConnectionClosedEvent", {"reason": "ConversationCleared"}))
        peer.close(1000, "conversation cleared")


# ---------------------------------------------------------------------- session actions
def echo(hub: GuestHub, conn: GuestConnection, frame: dict[str, Any]) -> None:
    tracing = frame.get("tracingId")
    session = _live_session(hub, conn, frame)
    retry = _hit(hub, "ws_echo", str(conn.id), hub.server.limits.ws_echo_per_minute, 60.0)
    if retry is not None:
        hub.send_too_many(conn, retry, "Health check rate too high for this connection", tracing)
        raise _Refused()
    message = frame.get("message")
    text = message.get("text") if isinstance(message, dict) else None
    body = {
        "text": text if isinstance(text, str) else "ping",
        "type": "Text",
        "direction": "Inbound",
        "id": hub.world.new_id(),
        "metadata": {"durationSeconds": str(session.ttl), "expirationDate": str(int(session.expires_at))},
    }
    conn.deliver(frames.response("StructuredMessage", body, tracing_id=tracing))


def get_jwt(hub: GuestHub, conn: GuestConnection, frame: dict[str, Any]) -> None:
    session = _live_session(hub, conn, frame)
    deployment = hub.world.deployments[session.deployment_id]
    token, exp = hub.server.mint_guest_jwt(session, deployment.jwt_ttl)
    conn.deliver(frames.response("JwtResponse", {"jwt": token, "exp": exp}, tracing_id=frame.get("tracingId")))


def close_session(hub: GuestHub, conn: GuestConnection, frame: dict[str, Any]) -> None:
    session = _live_session(hub, conn, frame)
    close_all = frame.get("closeAllConnections", False)
    if close_all is True:
        for peer in hub.connections_for(session):
            if peer is not conn:
                peer.deliver(frames.message("ConnectionClosedEvent", {}))
                peer.close(1000, "closeSession")
    deployment = hub.world.deployments[session.deployment_id]
    body = hub.session_body(session, deployment, new=False, connected=False)
    conn.deliver(frames.response("SessionResponse", body, tracing_id=frame.get("tracingId")))


# ---------------------------------------------------------------------- attachments
def on_attachment(hub: GuestHub, conn: GuestConnection, frame: dict[str, Any]) -> None:
    tracing = frame.get("tracingId")
    session = _live_session(hub, conn, frame)
    deployment = hub.world.deployments[session.deployment_id]
    attachment_id = frame.get("attachmentId") or hub.world.new_id()
    name, kind, size = frame.get("fileName"), frame.get("fileType"), frame.get("fileSize")
    if not isinstance(attachment_id, str):
        raise _refuse(hub, conn, 400, "Request failed. attachmentId must be a string.", tracing)

    def failure(code: int, text: str) -> None:
        body = {"attachmentId": attachment_id, "errorCode": code, "errorMessage": text, "timestamp": iso(hub.now())}
        conn.deliver(frames.message("UploadFailureEvent", body, tracing_id=tracing))
        raise _Refused()

    if not isinstance(name, str) or not name.strip():
        failure(frames.FILE_NAME_INVALID, "File name invalid: fileName is required.")
    assert isinstance(name, str)
    if len(name) > MAX_FILE_NAME:
        failure(frames.FILE_NAME_TOO_LONG, f"File name too long: {len(name)} characters, at most {MAX_FILE_NAME}.")
    if any(name.lower().endswith(ext) for ext in (".exe", ".bat", ".cmd", ".js", ".msi", ".scr", ".vbs")):
        failure(frames.FILE_TYPE_INVALID, f"File type invalid: {name} has a blocked extension.")
    if kind not in deployment.allowed_file_types:
        failure(
            frames.FILE_TYPE_INVALID,
            f"File type invalid: {kind!r}; allowed: {', '.join(deployment.allowed_file_types)}.",
        )
    if not isinstance(size, int) or isinstance(size, bool) or size <= 0 or size > deployment.max_file_size_kb * 1024:
        failure(
            frames.FILE_SIZE_INVALID, f"File size invalid: {size!r} bytes; at most {deployment.max_file_size_kb} KB."
        )
    assert isinstance(kind, str) and isinstance(size, int)
    hub.attachments[attachment_id] = Attachment(
        id=attachment_id, session_id=session.id, file_name=name, file_type=kind, file_size=size, created_at=hub.now()
    )
    body = {
        "attachmentId": attachment_id,
        "headers": {"x-amz-tagging": f"mockgenesys-session={session.id}", "Content-Type": kind},
        "url": f"{conn.base_url}/__uploads/{attachment_id}",
        "fileName": name,
        "fileSize": size,
        "fileType": kind,
    }
    conn.deliver(frames.response("PresignedUrlResponse", body, tracing_id=tracing))


def _attachment(hub: GuestHub, conn: GuestConnection, frame: dict[str, Any], session: GuestSession) -> Attachment:
    tracing = frame.get("tracingId")
    attachment_id = frame.get("attachmentId")
    if not isinstance(attachment_id, str) or not attachment_id:
        raise _refuse(hub, conn, frames.MISSING_PARAMETER, "Missing parameter: attachmentId.", tracing)
    attachment = hub.attachments.get(attachment_id)
    if attachment is None or attachment.deleted or attachment.session_id != session.id:
        raise _refuse(hub, conn, frames.ATTACHMENT_NOT_FOUND, f"Attachment {attachment_id} not found.", tracing)
    return attachment


def get_attachment(hub: GuestHub, conn: GuestConnection, frame: dict[str, Any]) -> None:
    session = _live_session(hub, conn, frame)
    attachment = _attachment(hub, conn, frame, session)
    if not attachment.uploaded:
        raise _refuse(
            hub,
            conn,
            frames.ATTACHMENT_NOT_UPLOADED,
            f"Attachment {attachment.id} was not uploaded.",
            frame.get("tracingId"),
        )
    body = {
        "attachmentId": attachment.id,
        "headers": {},
        "url": f"{conn.base_url}/__uploads/{attachment.id}",
        "fileName": attachment.file_name,
        "fileSize": attachment.file_size,
        "fileType": attachment.file_type,
    }
    conn.deliver(frames.response("PresignedUrlResponse", body, tracing_id=frame.get("tracingId")))


def delete_attachment(hub: GuestHub, conn: GuestConnection, frame: dict[str, Any]) -> None:
    session = _live_session(hub, conn, frame)
    attachment = _attachment(hub, conn, frame, session)
    attachment.deleted = True
    conn.deliver(
        frames.response("AttachmentDeletedResponse", {"attachmentId": attachment.id}, tracing_id=frame.get("tracingId"))
    )


ACTIONS: dict[str, Handler] = {
    "configureSession": configure_session,
    "configureAuthenticatedSession": configure_authenticated_session,
    "onMessage": on_message,
    "echo": echo,
    "getJwt": get_jwt,
    "closeSession": close_session,
    "onAttachment": on_attachment,
    "getAttachment": get_attachment,
    "deleteAttachment": delete_attachment,
}
