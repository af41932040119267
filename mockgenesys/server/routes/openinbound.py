"""Open Messaging inbound: a connector posts its platform's messages, receipts and typing.

``POST /api/v2/conversations/messages/{integrationId}/inbound/open/{message,receipt,event}``
(Python SDK 269 ``OpenInboundNormalizedMessage`` / ``…Receipt`` / ``…Event``; permission
``conversation:message:receive``). A message "will either generate a new Conversation, or be a part
of an existing conversation": the external user's conversation on this integration while it is
active, a new one otherwise. It needs ``text`` or ``content``, as Genesys' schema validator says
when neither is there. The same platform message (``channel.messageId`` and ``channel.time``) sent
again is not stored twice. A receipt accepts ``Delivered`` and ``Failed`` (the docs); it sets the
status of the agent's message it names.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, Any

from mockgenesys.server.events import events_of
from mockgenesys.server.http import ApiError, MockRequest, MockResponse, Route, json_response
from mockgenesys.server.params import bool_param, invalid, json_body
from mockgenesys.server.routes.integrations import integration_of
from mockgenesys.world.content import MEDIA_TYPES
from mockgenesys.world.models import Conversation, Message, Participant
from mockgenesys.world.openmessaging import OpenIntegration

if TYPE_CHECKING:
    from mockgenesys.server.core import Server

PERMISSIONS = ("conversation:message:receive",)
ID_TYPES = ("Email", "Phone", "Opaque")
RECEIPT_STATUSES = ("Delivered", "Failed")
REASON_CODES = (
    "MessageExpired",
    "RateLimited",
    "MessageNotAllowed",
    "GeneralError",
    "UnsupportedMessage",
    "UnknownMessage",
    "InvalidMessageStructure",
    "InvalidDestination",
    "ServerError",
    "MediaTypeNotAllowed",
    "InvalidMediaContentLength",
    "RecipientOptedOut",
    "DataFiltered",
)
_BASE = "/api/v2/conversations/messages/{integrationId}/inbound/open"


def _schema_error(field: str, message: str) -> ApiError:
    return ApiError(400, "bad.request", message, details=[{"errorCode": "bad.request", "fieldName": field}])


def _time(channel: dict[str, Any]) -> str:
    raw = channel.get("time")
    if not isinstance(raw, str):
        raise _schema_error("channel.time", "should have required property 'channel.time' (an ISO-8601 time).")
    try:
        dt.datetime.fromisoformat(raw)
    except ValueError:
        raise _schema_error("channel.time", f'channel.time should match format "date-time", got {raw!r}.') from None
    return raw


def _party(channel: dict[str, Any], key: str) -> dict[str, Any]:
    party = channel.get(key)
    if not isinstance(party, dict) or not isinstance(party.get("id"), str) or not party["id"]:
        raise _schema_error(f"channel.{key}.id", f"should have required property 'channel.{key}.id'.")
    id_type = party.get("idType", "Opaque" if key == "to" else None)
    if id_type not in ID_TYPES:
        raise _schema_error(f"channel.{key}.idType", f"channel.{key}.idType should be one of {', '.join(ID_TYPES)}.")
    return party


def _channel(body: dict[str, Any]) -> dict[str, Any]:
    channel = body.get("channel")
    if not isinstance(channel, dict):
        raise _schema_error("channel", "should have required property 'channel'.")
    return channel


def _echo_channel(integration: OpenIntegration, channel: dict[str, Any], sender: dict[str, Any]) -> dict[str, Any]:
    echo = {
        "id": integration.id,
        "platform": "Open",
        "type": "Private",
        "to": {"id": integration.id},
        "from": {
            k: v
            for k, v in sender.items()
            if k in ("nickname", "id", "idType", "firstName", "lastName", "image", "email")
        },
        "time": channel["time"],
    }
    if isinstance(channel.get("messageId"), str):
        echo["messageId"] = channel["messageId"]
    return echo


def _attachments(body: dict[str, Any]) -> list[dict[str, Any]]:
    content = body.get("content", [])
    if not isinstance(content, list):
        raise _schema_error("content", "content should be array.")
    items = []
    for index, item in enumerate(content):
        attachment = item.get("attachment") if isinstance(item, dict) else None
        if not isinstance(attachment, dict):
            raise _schema_error(f"content[{index}].attachment", "should have required property 'attachment'.")
        for key in ("mediaType", "url", "mime"):
            if not isinstance(attachment.get(key), str) or not attachment[key]:
                raise _schema_error(f"content[{index}].attachment.{key}", f"should have required property '{key}'.")
        if attachment["mediaType"] not in MEDIA_TYPES:
            raise _schema_error(
                f"content[{index}].attachment.mediaType", f"mediaType should be one of {', '.join(MEDIA_TYPES)}."
            )
        items.append({"contentType": "Attachment", "attachment": dict(attachment)})
    return items


def _allowed(patterns: list[str], mime: str) -> bool:
    major = mime.split("/", 1)[0]
    return any(p in ("*/*", mime) or (p.endswith("/*") and p[:-2] == major) for p in patterns)


def _thread(server: Server, integration: OpenIntegration, sender: dict[str, Any]) -> Conversation:
    """The external user's active conversation on ``integration``, or a new one waiting for routing."""
    world = server.world
    store = world.contact_centre.messaging
    conversation_id = store.threads.get((integration.id, sender["id"]))
    conversation = world.conversations.get(conversation_id) if conversation_id else None
    if conversation is not None and conversation.is_active:
        return conversation
    now = server.clock.now()
    name = sender.get("nickname") or " ".join(
        str(sender.get(k)) for k in ("firstName", "lastName") if isinstance(sender.get(k), str)
    )
    customer = Participant(
        id=world.new_id(),
        purpose="customer",
        name=str(name or sender["id"]),
        start_time=now,
        connected_time=now,
        address=sender["id"],
        queue_id=world.queue_of(integration.org_id),
        external_contact_id=_contact_for(server, integration.org_id, sender),
    )
    conversation = world.add_conversation(
        Conversation(
            id=world.new_id(),
            org_id=integration.org_id,
            deployment_id=integration.id,
            start_time=now,
            state="alerting",
            participants=[customer],
            external_contact_id=customer.external_contact_id,
            messenger_type="open",
        )
    )
    store.remember_thread(integration.id, sender["id"], str(sender["idType"]), conversation.id)
    server.hub.agent.conversation_started(conversation.id)
    return conversation


def _contact_for(server: Server, org_id: str, sender: dict[str, Any]) -> str | None:
    """The one external contact an Email or Phone sender's address identifies, if exactly one does."""
    value = str(sender["id"]).strip().lower()
    kind = sender["idType"]
    if kind not in ("Email", "Phone"):
        return None
    found = []
    for contact in server.world.contacts.values():
        if contact.org_id != org_id or contact.merged_to:
            continue
        fields = (
            (contact.work_email, contact.personal_email)
            if kind == "Email"
            else (contact.cell_phone, contact.work_phone)
        )
        stored = [i.get("value", "") for i in contact.identifiers if i.get("type") == kind]
        if value in {f.lower() for f in (*fields, *stored) if f}:
            found.append(contact.id)
    return found[0] if len(found) == 1 else None


def inbound_message(server: Server, req: MockRequest) -> MockResponse:
    integration = integration_of(server, req)
    body = json_body(req)
    channel = _channel(body)
    sender = _party(channel, "from")
    when = _time(channel)
    text = body.get("text")
    if text is not None and not isinstance(text, str):
        raise _schema_error("text", "text should be string.")
    content = _attachments(body)
    if not text and not content:
        raise _schema_error(
            "text",
            "should have required property 'content', should have required property '.text', should match some schema in anyOf",
        )
    metadata = body.get("metadata", {})
    if not isinstance(metadata, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()
    ):
        raise _schema_error("metadata", "metadata should be an object of strings.")
    store = server.world.contact_centre.messaging
    profile = store.supported.get(integration.supported_content_id)
    if profile is not None:  # disallowed inbound media "will be dropped"
        content = [item for item in content if _allowed(profile.inbound, item["attachment"]["mime"])]
    key = (integration.id, sender["id"], str(channel.get("messageId", "")), when)
    message_id = store.seen.get(key)
    stored = server.world.message(message_id) if message_id else None
    if stored is None:
        conversation = _thread(server, integration, sender)
        customer = conversation.participant("customer")
        stored = Message(
            id=server.world.new_id(),
            conversation_id=conversation.id,
            direction="inbound",
            text=text or "",
            timestamp=conversation.next_time(server.clock.now()),
            sender_id=customer.id if customer is not None else "",
            content=content,
            metadata=dict(metadata),
        )
        server.world.add_message(conversation, stored)
        store.remember_seen(key, stored.id)
        server.hub.agent.guest_message(conversation.id, stored)
    echo: dict[str, Any] = {
        "id": stored.id,
        "channel": _echo_channel(integration, channel, sender),
        "type": "Text",
        "direction": "Inbound",
        "metadata": dict(stored.metadata),
    }
    if stored.text:
        echo["text"] = stored.text
    if stored.content:
        echo["content"] = [dict(item) for item in stored.content]
    if bool_param(req, "prefetchConversationId"):
        echo["conversationId"] = stored.conversation_id
    return json_response(echo)


def inbound_receipt(server: Server, req: MockRequest) -> MockResponse:
    integration = integration_of(server, req)
    body = json_body(req)
    channel = _channel(body)
    recipient = _party(channel, "to")
    _time(channel)
    status = body.get("status")
    if status not in RECEIPT_STATUSES:
        raise _schema_error("status", f"status should be one of {', '.join(RECEIPT_STATUSES)} for an inbound receipt.")
    reasons = body.get("reasons", [])
    if not isinstance(reasons, list) or not all(isinstance(r, dict) and r.get("code") in REASON_CODES for r in reasons):
        raise _schema_error(
            "reasons", f"reasons should be a list of {{code, message}} with a code of {', '.join(REASON_CODES)}."
        )
    original = body.get("id")
    message = server.world.message(original) if isinstance(original, str) else None
    conversation = server.world.conversations.get(message.conversation_id) if message is not None else None
    if (
        message is None
        or conversation is None
        or conversation.deployment_id != integration.id
        or message.direction != "outbound"
    ):
        raise invalid("id", f"id must be the id of an agent message sent through integration {integration.id}.")
    server.world.replace_message(conversation, dataclasses.replace(message, status=status))
    events_of(server).message_status(conversation)
    return json_response(
        {
            "id": message.id,
            "channel": {
                "id": integration.id,
                "platform": "Open",
                "type": "Private",
                "to": {"id": recipient["id"], "idType": recipient.get("idType", "Opaque")},
                "time": channel["time"],
            },
            "type": "Receipt",
            "status": status,
            "reasons": [dict(r) for r in reasons],
            "isFinalReceipt": bool(body.get("isFinalReceipt", True)),
            "direction": "Outbound",
        }
    )


def inbound_event(server: Server, req: MockRequest) -> MockResponse:
    integration = integration_of(server, req)
    body = json_body(req)
    channel = _channel(body)
    sender = _party(channel, "from")
    _time(channel)
    events = body.get("events")
    if not isinstance(events, list) or not events:
        raise _schema_error("events", "should have required property 'events' (a non-empty list).")
    for index, event in enumerate(events):
        if not isinstance(event, dict) or event.get("eventType") != "Typing":
            raise _schema_error(f"events[{index}].eventType", "eventType should be Typing.")
    conversation_id = server.world.contact_centre.messaging.threads.get((integration.id, sender["id"]))
    conversation = server.world.conversations.get(conversation_id) if conversation_id else None
    if conversation is not None and conversation.is_active:
        events_of(server).customer_typing(conversation)
    typing = [{"eventType": "Typing", "typing": {"type": "On", "duration": 5000}} for _ in events]
    return json_response(
        {
            "id": server.world.new_hex_id(),
            "channel": _echo_channel(integration, channel, sender),
            "type": "Event",
            "events": typing,
        }
    )


ROUTES = [
    Route("POST", _BASE + "/message", "openmessaging.inbound.message", inbound_message, permissions=PERMISSIONS),
    Route("POST", _BASE + "/receipt", "openmessaging.inbound.receipt", inbound_receipt, permissions=PERMISSIONS),
    Route("POST", _BASE + "/event", "openmessaging.inbound.event", inbound_event, permissions=PERMISSIONS),
]
