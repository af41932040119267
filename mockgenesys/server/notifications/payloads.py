"""The ``eventBody`` of each notification topic, built from the world as it is when the event fires.

Shapes from the Python SDK 269 models the JavaScript SDK's ``notificationMappings.json`` names:
``QueueConversationMessageEventTopicMessageConversation`` (``…conversations.messages``: message ids
as ``messages[].message.id``, no text), ``QueueConversationEventTopicConversation``
(``…conversations``: each participant's communications, message ids as ``messageId``), and the flat
detail events with UPPERCASE enums (``CustomerStartDetailEventTopicCustomerStartEvent``…).
"""

from __future__ import annotations

from typing import Any

from mockgenesys.server.views import iso, participant_base
from mockgenesys.world.models import Conversation, ExternalContact, Message, Participant
from mockgenesys.world.openmessaging import communication_id

#: ``messageType`` of the detail events, by the conversation's messenger type.
_DETAIL_MESSAGE_TYPE = {"webmessaging": "WEBMESSAGING", "open": "OPEN"}
#: ``disconnectType`` of the detail events, by the participant's (lowercase) one.
_DETAIL_DISCONNECT = {"client": "CLIENT", "peer": "PEER", "transfer": "TRANSFER", "system": "SYSTEM"}


def message_status(message: Message) -> str:
    """``messageStatus`` of a message in conversation events."""
    if message.direction == "inbound":
        return "received"
    return {"Failed": "delivery-failed", "Sent": "sent", "Queued": "queued"}.get(message.status, "delivery-success")


def _sent_by(conversation: Conversation, participant: Participant) -> list[Message]:
    return [m for m in conversation.messages if m.sender_id == participant.id]


def message_conversation_body(conversation: Conversation, queue_id: str) -> dict[str, Any]:
    """The body of ``v2.routing.queues.{id}.conversations.messages`` and ``v2.users.{id}.conversations.messages``."""
    participants = []
    for participant in conversation.participants:
        view: dict[str, Any] = {
            **participant_base(conversation, participant),
            "queue": {"id": participant.queue_id or queue_id},
            "messages": [
                {
                    "message": {"id": m.id},
                    "messageTime": iso(m.timestamp),
                    "messageStatus": message_status(m),
                    "messageSegmentCount": 1,
                }
                for m in _sent_by(conversation, participant)
            ],
        }
        _times(view, participant)
        if participant.address:
            view["address"] = participant.address
        if participant.user_id:
            view["user"] = {"id": participant.user_id}
        if participant.external_contact_id:
            view["externalContact"] = {"id": participant.external_contact_id}
        if participant.wrapup:
            view["wrapup"] = _wrapup(participant.wrapup)
        participants.append(view)
    return {"id": conversation.id, "participants": participants, "otherMediaUris": [], "divisions": []}


def conversation_body(conversation: Conversation, queue_id: str) -> dict[str, Any]:
    """The body of ``v2.routing.queues.{id}.conversations`` and ``v2.users.{id}.conversations``."""
    participants = []
    for participant in conversation.participants:
        state = "disconnected" if participant.state == "disconnected" else "connected"
        communication: dict[str, Any] = {
            "id": communication_id(participant.id),
            "state": state,
            "initialState": "alerting" if participant.purpose == "agent" else "connected",
            "direction": "inbound",
            "held": False,
            "type": conversation.messenger_type,
            "messages": [
                {
                    "messageId": m.id,
                    "messageTime": iso(m.timestamp),
                    "messageStatus": message_status(m),
                    "messageSegmentCount": 1,
                }
                for m in _sent_by(conversation, participant)
            ],
        }
        if participant.connected_time is not None:
            communication["connectedTime"] = iso(participant.connected_time)
        if participant.end_time is not None:
            communication["disconnectedTime"] = iso(participant.end_time)
        if participant.disconnect_type:
            communication["disconnectType"] = participant.disconnect_type
        view: dict[str, Any] = {
            "id": participant.id,
            "name": participant.name,
            "purpose": participant.purpose,
            "queueId": participant.queue_id or queue_id,
            "wrapupRequired": participant.purpose == "agent",
            "attributes": {},
            "messages": [communication],
            "calls": [],
            "chats": [],
            "emails": [],
        }
        if participant.connected_time is not None:
            view["connectedTime"] = iso(participant.connected_time)
        if participant.end_time is not None:
            view["endTime"] = iso(participant.end_time)
        if participant.user_id:
            view["userId"] = participant.user_id
        if participant.external_contact_id:
            view["externalContactId"] = participant.external_contact_id
        if participant.address:
            view["address"] = participant.address
        if participant.wrapup:
            view["wrapup"] = _wrapup(participant.wrapup)
        participants.append(view)
    return {"id": conversation.id, "participants": participants, "recordingState": "none", "divisions": []}


def detail_body(
    event: str, conversation: Conversation, participant: Participant, queue_id: str, now: float
) -> dict[str, Any]:
    """The flat body of ``v2.detail.events.conversation.{id}.{event}`` for ``participant``."""
    customer = conversation.participant("customer")
    body: dict[str, Any] = {
        "eventTime": int(now * 1000),
        "conversationId": conversation.id,
        "participantId": participant.id,
        "sessionId": communication_id(participant.id),
        "mediaType": "MESSAGE",
        "provider": "PureCloud Messaging",
        "direction": "INBOUND",
        "messageType": _DETAIL_MESSAGE_TYPE.get(conversation.messenger_type, "UNKNOWN"),
        "addressFrom": (customer.address if customer is not None and customer.address else "") or "",
        "addressTo": conversation.deployment_id,
        "divisionId": "",
    }
    if participant.external_contact_id:
        body["externalContactId"] = participant.external_contact_id
    if event.startswith(("acd.", "user.", "acw", "wrapup")):
        body["queueId"] = participant.queue_id or queue_id
    if participant.user_id and event.startswith(("user.", "acw", "acd.end")):
        key = "answeredUserId" if event == "acd.end" else "userId"
        body[key] = participant.user_id
    if event == "acd.end":
        body["acdOutcome"] = "ANSWERED"
    if event.endswith(".end"):
        start = participant.connected_time or participant.start_time
        body["interactingDurationMs"] = max(0, int((now - start) * 1000))
        body["disconnectType"] = _DETAIL_DISCONNECT.get(participant.disconnect_type or "", "CLIENT")
    if event in ("acw", "wrapup"):
        wrapup = participant.wrapup
        body["wrapupCode"] = str(wrapup.get("code", ""))
        body["wrapupNotes"] = str(wrapup.get("notes", ""))
        body["wrapupDurationMs"] = int(wrapup.get("durationSeconds", 0)) * 1000
    return body


def contact_body(contact: ExternalContact) -> dict[str, Any]:
    """The body of ``v2.externalcontacts.contacts.{id}``."""
    body: dict[str, Any] = {
        "id": contact.id,
        "firstName": contact.first_name,
        "lastName": contact.last_name,
        "type": contact.type,
        "modifyDate": iso(contact.modify_date),
        "createDate": iso(contact.create_date),
        "mergedFrom": [{"id": source} for source in contact.merged_from],
    }
    if contact.merged_to:
        body["mergedTo"] = {"id": contact.merged_to}
        body["canonicalContactId"] = contact.merged_to
    return body


def typing_body(conversation: Conversation, participant: Participant, now: float) -> dict[str, Any]:
    """The body of ``v2.users.{id}.conversations.inbound.typing.event``: the customer is typing."""
    return {
        "conversationId": conversation.id,
        "normalizedMessage": {
            "type": "Event",
            "channel": {
                "platform": "Open" if conversation.messenger_type == "open" else "WebMessaging",
                "time": iso(now),
            },
            "events": [{"eventType": "Typing", "typing": {"type": "On", "duration": 5000}}],
            "direction": "Inbound",
        },
        "participantId": participant.id,
    }


def _times(view: dict[str, Any], participant: Participant) -> None:
    if participant.connected_time is not None:
        view["connectedTime"] = iso(participant.connected_time)
    if participant.end_time is not None:
        view["endTime"] = iso(participant.end_time)
    if participant.disconnect_type:
        view["disconnectType"] = participant.disconnect_type


def _wrapup(wrapup: dict[str, Any]) -> dict[str, Any]:
    return {key: wrapup[key] for key in ("code", "notes", "tags", "durationSeconds", "endTime") if key in wrapup}
