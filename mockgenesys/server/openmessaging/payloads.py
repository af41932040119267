"""Open Messaging bodies: what Genesys POSTs to an integration's webhook, and how it is signed.

The outbound message is Genesys' "Outbound Open NormalizedMessage Format" as a real tenant sent it
(captured in ``dgurwan/genesys-open-messaging-middleware`` ``payload.txt``): ``channel.from`` is the
integration (its name as the nickname), ``channel.to`` the external user, ``id`` equals
``channel.messageId``, with ``direction: Outbound``, ``originatingEntity`` and ``conversationId``.
The typing event follows the example Genesys' docs give. The signature is
``sha256=`` + base64 of the HMAC-SHA256 of the exact body bytes with the integration's secret, as
Genesys' validation page computes it (``digest('base64')``), in ``X-Hub-Signature-256``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

from mockgenesys.server.views import iso
from mockgenesys.world.models import Conversation, Message
from mockgenesys.world.openmessaging import OpenIntegration

SIGNATURE_HEADER = "X-Hub-Signature-256"


def sign(secret: str, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` value of ``body``: ``sha256=`` + base64(HMAC-SHA256)."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode("ascii")


def _channel(integration: OpenIntegration, to_id: str, to_type: str, message_id: str, now: float) -> dict[str, Any]:
    return {
        "id": integration.id,
        "platform": "Open",
        "type": "Private",
        "to": {"id": to_id, "idType": to_type},
        "from": {"nickname": integration.name, "id": integration.id, "idType": "Opaque"},
        "metadata": {"subType": "None"},
        "time": iso(now),
        "messageId": message_id,
    }


def outbound_message(
    integration: OpenIntegration, conversation: Conversation, message: Message, to_id: str, to_type: str
) -> dict[str, Any]:
    """The webhook body of an agent's (or bot's) message to the external user."""
    body: dict[str, Any] = {
        "id": message.id,
        "channel": _channel(integration, to_id, to_type, message.id, message.timestamp),
        "type": "Text",
        "text": message.text,
        "originatingEntity": message.originating_entity,
        "direction": "Outbound",
        "conversationId": conversation.id,
    }
    attachments = [dict(item) for item in message.content if item.get("contentType") == "Attachment"]
    if attachments:
        body["content"] = attachments
    return body


def outbound_typing(
    integration: OpenIntegration, conversation: Conversation, to_id: str, to_type: str, event_id: str, now: float
) -> dict[str, Any]:
    """The webhook body of the agent typing."""
    return {
        "id": event_id,
        "channel": _channel(integration, to_id, to_type, event_id, now),
        "type": "Event",
        "events": [{"eventType": "Typing", "typing": {"type": "On", "duration": 5000}}],
        "direction": "Outbound",
        "conversationId": conversation.id,
    }
