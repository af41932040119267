"""JSON shapes of world records, as the real Genesys APIs return them."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import orjson

from mockgenesys.world.models import Conversation, ExternalContact, Message, Org, Participant

_UTC = dt.UTC


@functools.lru_cache(maxsize=65536)
def iso(ts: float) -> str:
    """Epoch seconds → ``2026-01-01T00:00:00.000Z``."""
    moment = dt.datetime.fromtimestamp(ts, _UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def org_view(org: Org) -> dict[str, Any]:
    return {
        "id": org.id,
        "name": org.name,
        "defaultLanguage": "en-us",
        "defaultCountryCode": "US",
        "thirdPartyOrgName": org.domain.split(".")[0],
        "domain": org.domain,
        "version": org.version,
        "state": org.state,
        "defaultSiteId": org.default_site_id,
        "voicemailEnabled": True,
        "productPlatform": "PureCloud",
        "features": {"webMessaging": True, "externalContacts": True},
        "selfUri": f"/api/v2/organizations/{org.id}",
    }


def _phone(number: str) -> dict[str, Any]:
    return {"display": number, "e164": number, "countryCode": "US", "acceptsSMS": True}


def contact_view(contact: ExternalContact, expand: frozenset[str] = frozenset()) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": contact.id,
        "firstName": contact.first_name,
        "lastName": contact.last_name,
        "title": contact.title,
        "workPhone": _phone(contact.work_phone),
        "cellPhone": _phone(contact.cell_phone),
        "workEmail": contact.work_email,
        "personalEmail": contact.personal_email,
        "address": dict(contact.address),
        "createDate": iso(contact.create_date),
        "modifyDate": iso(contact.modify_date),
        "type": contact.type,
        "surveyOptOut": False,
        "division": {"id": contact.division_id, "selfUri": f"/api/v2/authorization/divisions/{contact.division_id}"},
        "selfUri": f"/api/v2/externalcontacts/contacts/{contact.id}",
    }
    if contact.middle_name:
        view["middleName"] = contact.middle_name
    if contact.salutation:
        view["salutation"] = contact.salutation
    if contact.custom_fields:
        view["customFields"] = dict(contact.custom_fields)
    if "division" in expand:
        view["division"]["name"] = "Home"
    if contact.extra:
        view.update(contact.extra)
    if "identifiers" in expand:
        implied = [
            {"type": "Email", "value": contact.work_email, "dateCreated": iso(contact.create_date)},
            {"type": "Phone", "value": contact.cell_phone, "dateCreated": iso(contact.create_date)},
        ]
        view["identifiers"] = [i for i in implied if i["value"]] + [dict(i) for i in contact.identifiers]
    if "externalDataSources" in expand or "externalSources" in expand:
        view["externalDataSources"] = []
    if contact.merged_to:
        view["mergedTo"] = {
            "id": contact.merged_to,
            "selfUri": f"/api/v2/externalcontacts/contacts/{contact.merged_to}",
        }
        view["canonicalContact"] = view["mergedTo"]
    if contact.merged_from:
        view["mergedFrom"] = [
            {"id": source, "selfUri": f"/api/v2/externalcontacts/contacts/{source}"} for source in contact.merged_from
        ]
    return view


def participant_base(conversation: Conversation, participant: Participant) -> dict[str, Any]:
    """The fields every view of a message participant starts with (REST and notification bodies)."""
    return {
        "id": participant.id,
        "name": participant.name,
        "startTime": iso(participant.start_time),
        "purpose": participant.purpose,
        "state": participant.state,
        "direction": "inbound",
        "held": False,
        "wrapupRequired": participant.purpose == "agent",
        "type": conversation.messenger_type,
        "attributes": {},
    }


def message_refs(conversation: Conversation, participant: Participant) -> list[dict[str, Any]]:
    """The messages ``participant`` sent, as the conversation models list them (id, URI, status, time)."""
    return [
        {
            "messageId": m.id,
            "messageURI": f"/api/v2/conversations/messages/{conversation.id}/messages/{m.id}",
            "messageStatus": "received" if m.direction == "inbound" else "delivery-success",
            "messageSegmentCount": 1,
            "messageTime": iso(m.timestamp),
        }
        for m in conversation.messages
        if m.sender_id == participant.id
    ]


def participant_view(conversation: Conversation, participant: Participant) -> dict[str, Any]:
    view = participant_base(conversation, participant)
    view["messages"] = message_refs(conversation, participant)
    if participant.connected_time is not None:
        view["connectedTime"] = iso(participant.connected_time)
    if participant.end_time is not None:
        view["endTime"] = iso(participant.end_time)
    if participant.disconnect_type:
        view["disconnectType"] = participant.disconnect_type
    if participant.user_id:
        view["user"] = {"id": participant.user_id, "selfUri": f"/api/v2/users/{participant.user_id}"}
    if participant.queue_id:
        view["queue"] = {"id": participant.queue_id, "selfUri": f"/api/v2/routing/queues/{participant.queue_id}"}
    if participant.external_contact_id:
        cid = participant.external_contact_id
        view["externalContact"] = {"id": cid, "selfUri": f"/api/v2/externalcontacts/contacts/{cid}"}
    if participant.address:
        view["fromAddress"] = {"addressNormalized": participant.address}
    if participant.wrapup:
        view["wrapup"] = dict(participant.wrapup)
    return view


def conversation_view(conversation: Conversation) -> dict[str, Any]:
    return {
        "id": conversation.id,
        "participants": [participant_view(conversation, p) for p in conversation.participants],
        "otherMediaUris": [],
        "recentTransfers": [],
        "divisions": [],
        "selfUri": f"/api/v2/conversations/messages/{conversation.id}",
    }


def _addresses(conversation: Conversation, message: Message) -> tuple[str, str]:
    customer = conversation.participant("customer")
    guest = customer.address if customer and customer.address else conversation.deployment_id
    if message.direction == "inbound":
        return guest, conversation.deployment_id
    return conversation.deployment_id, guest


def message_data_view(conversation: Conversation, message: Message, normalized: bool) -> dict[str, Any]:
    """``MessageData`` of the agent-side conversations API.

    ``normalized`` is the ``useNormalizedMessage`` query flag: it removes the deprecated
    ``textBody``; ``normalizedMessage`` is always present.
    """
    from_address, to_address = _addresses(conversation, message)
    platform = "Open" if conversation.messenger_type == "open" else "WebMessaging"
    channel: dict[str, Any] = {"platform": platform, "type": "Private", "time": iso(message.timestamp)}
    sender = sender_of(message, conversation)
    if sender:
        channel["from"] = sender
    view: dict[str, Any] = {
        "id": message.id,
        "providerMessageId": message.id,
        "timestamp": iso(message.timestamp),
        "fromAddress": from_address,
        "toAddress": to_address,
        "direction": message.direction,
        "messengerType": conversation.messenger_type,
        "status": _status(message),
        "normalizedMessage": {
            "id": message.id,
            "channel": channel,
            "type": message.type,
            "text": message.text,
            "events": list(message.events),
            "content": list(message.content),
            "originatingEntity": message.originating_entity,
            "direction": message.direction.capitalize(),
            "metadata": dict(message.metadata),
        },
        "conversationId": conversation.id,
        "selfUri": f"/api/v2/conversations/messages/{conversation.id}/messages/{message.id}",
    }
    if not normalized:
        view["textBody"] = message.text
    return view


def _status(message: Message) -> str:
    """``MessageData.status``: an outbound message's receipt shows (``sent`` until one came)."""
    if message.direction == "inbound":
        return "received"
    return {"Failed": "delivery-failed", "Sent": "sent"}.get(message.status, "delivery-success")


def sender_of(message: Message, conversation: Conversation | None) -> dict[str, str] | None:
    """``channel.from`` of an outbound message: who sent it, as fixed when it was sent, else the
    sending participant of ``conversation``; ``None`` for the guest's own messages."""
    if message.direction != "outbound":
        return None
    if message.sender:
        return dict(message.sender)
    participant = conversation.participant_by_id(message.sender_id) if conversation is not None else None
    return participant.as_sender() if participant is not None else None


def web_message_view(message: Message, conversation: Conversation | None = None) -> dict[str, Any]:
    """``WebMessagingMessage`` as the guest API returns it (``channel.from`` on outbound messages)."""
    channel: dict[str, Any] = {
        "time": iso(message.timestamp),
        "messageId": message.id,
        "type": "Private",
        "platform": "WebMessaging",
    }
    sender = sender_of(message, conversation)
    if sender:
        channel["from"] = sender
    view: dict[str, Any] = {
        "id": message.id,
        "channel": channel,
        "type": message.type,
        "direction": message.direction.capitalize(),
        "originatingEntity": message.originating_entity,
        "status": message.status,
    }
    if message.text:
        view["text"] = message.text
    if message.events:
        view["events"] = list(message.events)
    if message.content:
        view["content"] = list(message.content)
    if message.metadata:
        view["metadata"] = dict(message.metadata)
    return view


def seed_message_views(conversation: Conversation, messages: list[Message]) -> list[dict[str, Any]]:
    """Messages as the first tutorial's (invented) history endpoint returns them.

    The ``from``/``to`` parts depend only on the sender, so they are built once per sender and
    page (read fresh from the conversation on every call, never kept across calls).
    """
    participants = conversation.participants
    names = {p.id: p.name for p in participants}
    parties: dict[str, tuple[dict[str, str], list[dict[str, str]]]] = {}
    views = []
    for message in messages:
        sender = message.sender_id
        party = parties.get(sender)
        if party is None:
            party = parties[sender] = (
                {"id": sender, "name": names.get(sender, "")},
                [{"id": p.id, "name": p.name} for p in participants if p.id != sender],
            )
        created = iso(message.timestamp)
        views.append(
            {
                "id": message.id,
                "conversationId": conversation.id,
                "from": party[0],
                "to": party[1],
                "text": message.text,
                "dateCreated": created,
                "dateUpdated": created,
                "type": message.type.lower(),
                "state": message.status.upper(),
            }
        )
    return views


class SeedViewStore:
    """The seed dialect's message views, each encoded once and reused while what it shows stands.

    A view shows a stored message (frozen, so the same object always has the same content), the
    conversation's id and its participants' ids and names. The participants can change, so they
    are compared on every page and any change re-encodes the conversation's views; a message
    object that is no longer the one stored under its id is encoded afresh. Nothing is answered
    that the world does not still say. At most ``limit`` views are kept.
    """

    def __init__(self, limit: int = 20_000) -> None:
        self.limit = limit
        self._size = 0
        self._by_conversation: dict[str, _Encoded] = {}

    def __len__(self) -> int:
        return self._size

    def clear(self) -> None:
        """Forget every encoded view (a new world)."""
        self._by_conversation = {}
        self._size = 0

    def page(self, conversation: Conversation, messages: list[Message]) -> list[orjson.Fragment]:
        """``messages`` of ``conversation`` as encoded views, in order."""
        parties = tuple([(p.id, p.name) for p in conversation.participants])
        known = self._by_conversation.get(conversation.id)
        if known is None or known.conversation is not conversation or known.parties != parties:
            if known is not None:
                self._size -= len(known.views)
            known = self._by_conversation[conversation.id] = _Encoded(conversation, parties)
        views = known.views
        stale = [m for m in messages if views.get(m.id, _NONE)[0] is not m]
        if stale:
            if self._size + len(stale) > self.limit:  # start over rather than track ages
                known = _Encoded(conversation, parties)
                self._by_conversation = {conversation.id: known}
                self._size = 0
                views, stale = known.views, messages
            for message, view in zip(stale, seed_message_views(conversation, stale), strict=True):
                self._size += message.id not in views
                views[message.id] = (message, orjson.Fragment(orjson.dumps(view)))
        return [views[m.id][1] for m in messages]


_NONE: tuple[None, None] = (None, None)


class _Encoded:
    __slots__ = ("conversation", "parties", "views")

    def __init__(self, conversation: Conversation, parties: tuple[tuple[str, str], ...]) -> None:
        self.conversation = conversation
        self.parties = parties
        self.views: dict[str, tuple[Message, orjson.Fragment]] = {}
