"""Envelopes, error codes and limits of the guest WebSocket, exactly as Genesys has them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockgenesys.server.views import iso, sender_of

if TYPE_CHECKING:
    from mockgenesys.world.models import Conversation, Message

Frame = dict[str, Any]

# Genesys error codes inside WebSocket envelopes (reference §5.5).
FILE_TYPE_INVALID = 4001
FILE_SIZE_INVALID = 4002
FILE_CONTENT_INVALID = 4003
FILE_NAME_INVALID = 4004
FILE_NAME_TOO_LONG = 4005
SESSION_EXPIRED = 4006
SESSION_NOT_FOUND = 4007
ATTACHMENT_NOT_FOUND = 4009
ATTACHMENT_NOT_UPLOADED = 4010
MESSAGE_TOO_LONG = 4011
CUSTOM_ATTRIBUTES_TOO_LARGE = 4013
MISSING_PARAMETER = 4020
RATE_TOO_HIGH = 4029
CANNOT_DOWNGRADE = 4017

# Limits the server enforces and ``SessionResponse`` advertises (one source for both).
MAX_TOKEN_CHARS = 2048
MAX_TEXT_BYTES = 4096
MAX_CUSTOM_ATTRIBUTE_BYTES = 2048
MAX_FILE_NAME = 255
BLOCKED_EXTENSIONS = (".ade", ".adp", ".app", ".bat", ".cmd", ".com", ".exe", ".js", ".msi", ".scr", ".vbs")


def response(cls: str, body: Any, *, code: int = 200, tracing_id: str | None = None) -> Frame:
    """``type: response``: the answer to a client request."""
    frame: Frame = {"type": "response", "class": cls, "code": code, "body": body}
    if tracing_id is not None:
        frame["tracingId"] = tracing_id
    return frame


def message(cls: str, body: Any, *, code: int = 200, tracing_id: str | None = None) -> Frame:
    """``type: message``: unsolicited (agent messages, echoes, events)."""
    frame: Frame = {"type": "message", "class": cls, "code": code, "body": body}
    if tracing_id is not None:
        frame["tracingId"] = tracing_id
    return frame


def error(code: int, text: str, *, tracing_id: str | None = None) -> Frame:
    """An error: ``class: "string"`` with a plain-text body."""
    return response("string", text, code=code, tracing_id=tracing_id)


def too_many_requests(
    retry_after: int, text: str, *, error_code: int = RATE_TOO_HIGH, tracing_id: str | None = None
) -> Frame:
    body = {"errorCode": error_code, "errorMessage": text, "retryAfter": retry_after}
    return response("TooManyRequestsErrorMessage", body, code=429, tracing_id=tracing_id)


def structured_body(message: Message, conversation: Conversation | None = None) -> dict[str, Any]:
    """A stored message as the body of a ``StructuredMessage`` frame; an outbound one names its
    sender in ``channel.from`` (from ``message.sender``, else the sending participant of
    ``conversation``)."""
    channel: dict[str, Any] = {"time": iso(message.timestamp), "messageId": message.id, "type": "Private"}
    sender = sender_of(message, conversation)
    if sender:
        channel["from"] = sender
    body: dict[str, Any] = {
        "id": message.id,
        "channel": channel,
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
