"""``onMessage``: guest text, structured messages and events (Presence, Typing), stored and echoed."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from mockgenesys.server.websocket import frames
from mockgenesys.server.websocket.refusals import GuestRefusal
from mockgenesys.world.content import GUEST_CONTENT, content_problem, media_type
from mockgenesys.world.models import Message

if TYPE_CHECKING:
    from mockgenesys.server.websocket.call import FrameCall
    from mockgenesys.world.models import GuestSession

PRESENCE_TYPES = ("Join", "Clear", "Disconnect", "SignIn")
MESSAGE_TYPES = ("Text", "Structured", "Event")


def on_message(call: FrameCall) -> None:
    session = call.live_session()
    frame = call.frame
    message = frame.get("message")
    if not isinstance(message, dict):
        raise GuestRefusal(frames.MISSING_PARAMETER, "Missing parameter: message (an object with a type).")
    kind = message.get("type")
    if kind not in MESSAGE_TYPES:
        raise GuestRefusal(400, f"Request failed. message.type must be Text, Structured or Event, got {kind!r}.")
    attributes = _custom_attributes(message, frame)
    if attributes is None:
        raise GuestRefusal(400, "Request failed. channel.metadata.customAttributes must be an object.")
    if len(json.dumps(attributes, separators=(",", ":")).encode()) > frames.MAX_CUSTOM_ATTRIBUTE_BYTES:
        raise GuestRefusal(
            frames.CUSTOM_ATTRIBUTES_TOO_LARGE,
            f"Custom Attributes in channel metadata is larger than {frames.MAX_CUSTOM_ATTRIBUTE_BYTES} bytes",
        )
    limits = call.hub.state.limits
    call.limit("ws_messages", session.id, limits.ws_messages_per_second, 1.0, "Message rate too high for this session")
    if kind == "Event":
        _on_event(call, session, message)
        return
    text = message.get("text", "")
    if not isinstance(text, str):
        raise GuestRefusal(400, "Request failed. message.text must be a string.")
    length = len(text.encode("utf-8"))
    if length > frames.MAX_TEXT_BYTES:
        raise GuestRefusal(frames.MESSAGE_TOO_LONG, f"Message length {length} is larger than {frames.MAX_TEXT_BYTES}")
    content = _guest_content(call, message.get("content", []))
    if not text and not content:
        raise GuestRefusal(frames.MISSING_PARAMETER, "Missing parameter: message.text (or an attachment).")
    if session.read_only:
        raise GuestRefusal(403, "The conversation is read-only after the agent disconnected; start a new chat.")
    metadata = message.get("metadata") if isinstance(message.get("metadata"), dict) else {}
    _store_and_echo(call, session, text, kind=kind, content=content, attributes=attributes, metadata=metadata)


def _guest_content(call: FrameCall, items: Any) -> list[dict[str, Any]]:
    """The guest's content items, each attachment (sent by id) completed with the ``url``,
    ``filename``, ``mediaType``, ``mime`` and ``fileSize`` Genesys' clients need to show it."""
    if not isinstance(items, list) or not all(isinstance(c, dict) for c in items):
        raise GuestRefusal(400, "Request failed. message.content must be a list of objects.")
    completed = []
    for item in items:
        attachment = item.get("attachment")
        if item.get("contentType") == "Attachment" and isinstance(attachment, dict):
            item = {"contentType": "Attachment", "attachment": _attachment_body(call, attachment.get("id"))}
        completed.append(item)
    problem = content_problem(completed, GUEST_CONTENT)
    if problem is not None:
        raise GuestRefusal(400, f"Request failed. message.{problem}")
    return completed


def _attachment_body(call: FrameCall, attachment_id: Any) -> dict[str, Any]:
    if not isinstance(attachment_id, str) or not attachment_id:
        raise GuestRefusal(frames.MISSING_PARAMETER, "Missing parameter: content[].attachment.id.")
    attachment = call.hub.attachments.get(attachment_id)
    if attachment is None or attachment.deleted:
        raise GuestRefusal(frames.ATTACHMENT_NOT_FOUND, f"Attachment {attachment_id} not found.")
    if not attachment.uploaded:
        raise GuestRefusal(frames.ATTACHMENT_NOT_UPLOADED, f"Attachment {attachment_id} was not uploaded.")
    return {
        "id": attachment.id,
        "url": f"{call.conn.base_url}/__uploads/{attachment.id}",
        "filename": attachment.file_name,
        "mediaType": media_type(attachment.file_type),
        "mime": attachment.file_type,
        "fileSize": attachment.file_size,
    }


def message_identity(frame: dict[str, Any] | None) -> str | None:
    """What identifies a guest message across resends: its ``metadata.id``, else its tracingId."""
    if frame is None:
        return None
    message = frame.get("message")
    if isinstance(message, dict):
        metadata = message.get("metadata")
        if isinstance(metadata, dict) and isinstance(metadata.get("id"), str):
            return str(metadata["id"])
    tracing = frame.get("tracingId")
    return tracing if isinstance(tracing, str) else None


def _custom_attributes(message: dict[str, Any], frame: dict[str, Any]) -> dict[str, Any] | None:
    for holder in (message.get("channel"), frame.get("channel")):
        if isinstance(holder, dict) and isinstance(holder.get("metadata"), dict):
            attributes = holder["metadata"].get("customAttributes")
            if attributes is None:
                continue
            return attributes if isinstance(attributes, dict) else None
    return {}


def _store_and_echo(
    call: FrameCall,
    session: GuestSession,
    text: str,
    *,
    kind: str = "Text",
    content: list[dict[str, Any]] | None = None,
    events: list[dict[str, Any]] | None = None,
    attributes: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    ephemeral: bool = False,
) -> Message:
    """Store the guest's message (unless ``ephemeral``: typing is never history) and echo it to
    every connection of the session with the request's tracingId (how senders confirm a send)."""
    now = call.now()
    world = call.world
    session.last_activity = now
    conversation = world.conversations[session.conversation_id]
    customer = conversation.participant("customer")
    tags = {str(k): str(v) for k, v in (metadata or {}).items()}
    if session.authenticated:
        tags["authenticated"] = "true"
    stored = Message(
        id=world.new_id(),
        conversation_id=conversation.id,
        direction="inbound",
        text=text,
        timestamp=conversation.next_time(now),
        sender_id=customer.id if customer else session.id,
        type="Event" if events else kind,
        status="Delivered",
        events=list(events or []),
        metadata=tags,
        content=list(content or []),
        custom_attributes=dict(attributes or {}),
    )
    if not ephemeral:
        world.add_message(conversation, stored)
    call.hub.sockets.broadcast(
        session, frames.message("StructuredMessage", frames.structured_body(stored), tracing_id=call.tracing)
    )
    if not ephemeral:
        call.hub.agent.guest_message(conversation.id, stored)
    return stored


def _on_event(call: FrameCall, session: GuestSession, message: dict[str, Any]) -> None:
    events = message.get("events")
    if not isinstance(events, list) or not events or not all(isinstance(e, dict) for e in events):
        raise GuestRefusal(frames.MISSING_PARAMETER, "Missing parameter: message.events (a non-empty list).")
    for event in events:
        kind = event.get("eventType")
        if kind == "Presence":
            presence = (event.get("presence") or {}).get("type") if isinstance(event.get("presence"), dict) else None
            if presence not in PRESENCE_TYPES:
                raise GuestRefusal(400, f"Request failed. presence.type must be one of {', '.join(PRESENCE_TYPES)}.")
            if presence == "Clear":
                _clear(call, session)
                return
        elif kind == "Typing":
            typing = event.get("typing")
            if not isinstance(typing, dict) or typing.get("type") != "On":
                raise GuestRefusal(400, "Request failed. typing.type must be On.")
        else:
            raise GuestRefusal(400, f"Request failed. eventType must be Presence or Typing, got {kind!r}.")
    typing_only = all(event.get("eventType") == "Typing" for event in events)
    _store_and_echo(call, session, "", events=events, ephemeral=typing_only)
    for event in events:
        if event.get("eventType") == "Presence" and event["presence"]["type"] == "Disconnect":
            call.hub.agent.guest_disconnected(session.conversation_id)


def _clear(call: FrameCall, session: GuestSession) -> None:
    deployment = call.world.deployments[session.deployment_id]
    if not deployment.conversation_clear_enabled:
        raise GuestRefusal(403, "Presence events Conversation Clear are not supported")
    session.closed = True
    for peer in call.hub.sockets.of(session):
        peer.deliver(frames.message("SessionClearedEvent", {}))
        peer.deliver(frames.message("ConnectionClosedEvent", {}))  # Genesys' only wire reason is "signedIn"
        peer.close(1000, "conversation cleared")
