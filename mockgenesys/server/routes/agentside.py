"""The agent side of message conversations: read them, send as the agent, type, disconnect, wrap up.

Paths, bodies and permissions from the Python SDK 269 (``ConversationsApi``) and the JavaScript SDK's
docs ("Requires ANY permissions"). The agent sends on its own participant's communication
(``participants[].messages[].id`` of ``GET /api/v2/conversations/{id}``, the ``id`` of a
``.conversations`` topic's communication). A client-credentials token has no user, so the
"logged-in user's conversations" listing answers 400; bots and backends find conversations through
notifications or Open Messaging.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockgenesys.errors import WorldError
from mockgenesys.server.events import events_of
from mockgenesys.server.http import ApiError, MockRequest, MockResponse, Route, json_response
from mockgenesys.server.operations import OBJECT, STRING, TIMESTAMP, Operation, array, obj
from mockgenesys.server.params import invalid, json_body, json_object
from mockgenesys.server.routes.conversations import MESSAGE_DATA, VIEW_PERMISSIONS
from mockgenesys.server.routes.users import USER_SCOPED, user_context_required
from mockgenesys.server.views import iso, message_data_view, message_refs
from mockgenesys.world.content import attachment
from mockgenesys.world.models import Conversation, Participant
from mockgenesys.world.openmessaging import WRAPUP_CODES, communication_id, wrapup_code_id

if TYPE_CHECKING:
    from mockgenesys.server.core import Server

SEND_PERMISSIONS = ("conversation:message:create", "conversation:webmessaging:create")
PARTICIPANT_PERMISSIONS = (
    "conversation:participant:wrapup",
    "conversation:call:record",
    "conversation:communication:disconnect",
)
#: ``AdditionalMessage.textBody``: "SMS - 765 characters, other channels - 2000 characters".
MAX_TEXT = 2000
_MESSAGES = "/api/v2/conversations/messages"
_COMMUNICATION = _MESSAGES + "/{conversationId}/communications/{communicationId}"
_PARTICIPANT = _MESSAGES + "/{conversationId}/participants/{participantId}"


# ---------------------------------------------------------------------- lookups
def conversation_of(server: Server, req: MockRequest, conversation_id: str | None = None) -> Conversation:
    """The caller's org's conversation named by the path; 404 otherwise."""
    conversation_id = req.params["conversationId"] if conversation_id is None else conversation_id
    conversation = server.world.conversations.get(conversation_id)
    if conversation is None or conversation.org_id != req.org_id:
        raise ApiError(404, "not.found", f"Conversation {conversation_id} was not found.")
    return conversation


def _participant(conversation: Conversation, participant_id: str) -> Participant:
    participant = conversation.participant_by_id(participant_id)
    if participant is None:
        raise ApiError(404, "not.found", f"Participant {participant_id} is not on conversation {conversation.id}.")
    return participant


def _agent_communication(conversation: Conversation, communication: str) -> Participant:
    """The connected agent whose message communication is ``communication``; 400 for anyone else's."""
    for participant in conversation.participants:
        if communication_id(participant.id) != communication:
            continue
        if participant.purpose != "agent":
            raise invalid(
                "communicationId",
                f"Communication {communication} is the {participant.purpose}'s; an agent sends on its own "
                "communication (participants[].messages[].id of the agent in GET /api/v2/conversations/{id}).",
            )
        if participant.state == "disconnected" or not conversation.is_active:
            raise invalid(
                "communicationId", f"Communication {communication} is disconnected; nothing can be sent on it."
            )
        return participant
    raise ApiError(404, "not.found", f"Communication {communication} is not on conversation {conversation.id}.")


# ---------------------------------------------------------------------- views
def communication_view(conversation: Conversation, participant: Participant) -> dict[str, Any]:
    """``Message``: one participant's message communication in the ``Conversation`` model."""
    view: dict[str, Any] = {
        "id": communication_id(participant.id),
        "state": "disconnected" if participant.state == "disconnected" else "connected",
        "initialState": "alerting" if participant.purpose == "agent" else "connected",
        "held": False,
        "direction": "inbound",
        "provider": "PureCloud Messaging",
        "type": conversation.messenger_type,
        "messages": message_refs(conversation, participant),
    }
    if participant.connected_time is not None:
        view["connectedTime"] = iso(participant.connected_time)
    if participant.end_time is not None:
        view["disconnectedTime"] = iso(participant.end_time)
    if participant.disconnect_type:
        view["disconnectType"] = participant.disconnect_type
    if participant.address:
        view["fromAddress"] = {"addressNormalized": participant.address}
    if participant.wrapup:
        view["wrapup"] = dict(participant.wrapup)
    return view


def conversation_model_view(conversation: Conversation) -> dict[str, Any]:
    """``Conversation`` as ``GET /api/v2/conversations/{id}`` returns it."""
    participants = []
    for participant in conversation.participants:
        view: dict[str, Any] = {
            "id": participant.id,
            "name": participant.name,
            "startTime": iso(participant.start_time),
            "purpose": participant.purpose,
            "participantType": "External" if participant.purpose == "customer" else "Internal",
            "wrapupRequired": participant.purpose == "agent",
            "attributes": {},
            "messages": [communication_view(conversation, participant)],
            "calls": [],
            "callbacks": [],
            "chats": [],
            "emails": [],
        }
        for key, value in (
            ("connectedTime", participant.connected_time),
            ("endTime", participant.end_time),
        ):
            if value is not None:
                view[key] = iso(value)
        for key, text in (
            ("userId", participant.user_id),
            ("queueId", participant.queue_id),
            ("externalContactId", participant.external_contact_id),
            ("address", participant.address),
        ):
            if text:
                view[key] = text
        if participant.wrapup:
            view["wrapup"] = dict(participant.wrapup)
        participants.append(view)
    view = {
        "id": conversation.id,
        "startTime": iso(conversation.start_time),
        "participants": participants,
        "state": conversation.state if conversation.state in ("alerting", "connected", "disconnected") else "none",
        "recordingState": "NONE",
        "divisions": [],
        "recentTransfers": [],
        "selfUri": f"/api/v2/conversations/{conversation.id}",
    }
    if conversation.end_time is not None:
        view["endTime"] = iso(conversation.end_time)
    return view


# ---------------------------------------------------------------------- reading
def list_conversations(server: Server, req: MockRequest) -> MockResponse:
    """``GET /api/v2/conversations``: "the logged in user's" active conversations (400 without a user)."""
    raise user_context_required()


def get_conversation(server: Server, req: MockRequest) -> MockResponse:
    return json_response(conversation_model_view(conversation_of(server, req)))


def message_details(server: Server, req: MockRequest) -> MockResponse:
    message = server.world.message(req.params["messageId"])
    conversation = server.world.conversations.get(message.conversation_id) if message is not None else None
    if message is None or conversation is None or conversation.org_id != req.org_id:
        raise ApiError(404, "not.found", f"Message {req.params['messageId']} was not found.")
    return json_response(message_data_view(conversation, message, True))


# ---------------------------------------------------------------------- sending
def send_message(server: Server, req: MockRequest) -> MockResponse:
    conversation = conversation_of(server, req)
    agent = _agent_communication(conversation, req.params["communicationId"])
    body = json_body(req)
    unknown = sorted(set(body) - {"textBody", "mediaIds", "messagingTemplate"})
    if unknown:
        raise invalid(
            unknown[0], f"AdditionalMessage has no field {unknown[0]!r}; use textBody, mediaIds or messagingTemplate."
        )
    if "messagingTemplate" in body:
        raise invalid(
            "messagingTemplate",
            "messagingTemplate needs a Response Management response, which the mock does not hold; send textBody "
            "(and mediaIds), or rich content with mock.agent.reply(content=[...]).",
        )
    text = body.get("textBody", "")
    media_ids = body.get("mediaIds", [])
    if not isinstance(text, str):
        raise invalid("textBody", f"textBody must be a string, got {type(text).__name__}.")
    if len(text) > MAX_TEXT:
        raise invalid("textBody", f"textBody is limited to {MAX_TEXT} characters, got {len(text)}.")
    if not isinstance(media_ids, list) or not all(isinstance(m, str) for m in media_ids):
        raise invalid("mediaIds", "mediaIds must be a list of media id strings.")
    if len(media_ids) > 1:
        raise invalid("mediaIds", "Only one message body field can be accepted per request: send one media id.")
    if not text and not media_ids:
        raise invalid("textBody", "A message needs a textBody (or a media id from …/messages/media/uploads).")
    content = [_media_item(server, req, conversation, media_id) for media_id in media_ids]
    try:  # through the agent simulator: guests, topics and webhooks hear of it
        message = server.hub.agent.reply(conversation.id, text, content=content, name=agent.name)
    except WorldError as exc:
        raise invalid("body", str(exc)) from None
    return json_response(message_data_view(conversation, message, True))


def _media_item(server: Server, req: MockRequest, conversation: Conversation, media_id: str) -> dict[str, Any]:
    media = server.world.contact_centre.messaging.media.get(media_id)
    if media is None or media.conversation_id != conversation.id:
        raise invalid("mediaIds", f"Media {media_id} was not uploaded for conversation {conversation.id}.")
    if media.data is None:
        raise invalid("mediaIds", f"Media {media_id} has no file yet: PUT its bytes to the uploadUrl first.")
    host = req.headers.get("host", "127.0.0.1")
    return attachment(
        media.file_name,
        url=f"http://{host}/__media/{media.id}",
        mime=media.mime,
        size=len(media.data),
        attachment_id=media.id,
    )


def typing(server: Server, req: MockRequest) -> MockResponse:
    conversation = conversation_of(server, req)
    _agent_communication(conversation, req.params["communicationId"])
    body = json_body(req)
    event = body.get("typing")
    if not isinstance(event, dict) or event.get("type") != "On":
        raise invalid("typing", 'The body needs {"typing": {"type": "On", "duration": milliseconds}}.')
    duration = event.get("duration", 5000)
    if isinstance(duration, bool) or not isinstance(duration, int) or not 0 <= duration <= 600_000:
        raise invalid("typing.duration", f"typing.duration must be milliseconds from 0 to 600000, got {duration!r}.")
    server.hub.agent.typing(conversation.id, duration_ms=duration)
    return MockResponse(202, b"", content_type=None)


# ---------------------------------------------------------------------- participants
def _wrapup_of(server: Server, conversation: Conversation, data: Any, field: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise invalid(field, f'{field} must be a WrapupInput object like {{"code": "<wrap-up code id>"}}.')
    codes = {wrapup_code_id(conversation.org_id, name): name for name in WRAPUP_CODES}
    code = data.get("code")
    if not isinstance(code, str) or code not in codes:
        raise invalid(
            f"{field}.code",
            f"Unknown wrap-up code {code!r}; GET …/participants/{{participantId}}/wrapupcodes lists the codes.",
        )
    wrapup: dict[str, Any] = {"code": code, "name": codes[code], "endTime": iso(server.clock.now())}
    for key, kind in (("notes", str), ("durationSeconds", int)):
        if key in data and data[key] is not None:
            if not isinstance(data[key], kind) or isinstance(data[key], bool):
                raise invalid(f"{field}.{key}", f"{field}.{key} must be a {kind.__name__}, got {data[key]!r}.")
            wrapup[key] = data[key]
    tags = data.get("tags")
    if tags is not None:
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise invalid(f"{field}.tags", "tags must be a list of strings.")
        wrapup["tags"] = list(tags)
    return wrapup


def _wrap_up(server: Server, conversation: Conversation, participant: Participant, data: Any, field: str) -> None:
    if participant.purpose != "agent":
        raise invalid("participantId", "Only an agent participant is wrapped up.")
    participant.wrapup = _wrapup_of(server, conversation, data, field)
    events_of(server).wrapped_up(conversation, participant)


def _disconnect(server: Server, conversation: Conversation) -> None:
    if conversation.is_active:
        server.hub.agent.disconnect(conversation.id)


def update_participant(server: Server, req: MockRequest) -> MockResponse:
    conversation = conversation_of(server, req)
    participant = _participant(conversation, req.params["participantId"])
    body = json_object(req, allow_null=True) or {}
    unknown = sorted(set(body) - {"state", "wrapup", "wrapupSkipped"})
    if unknown:
        raise invalid(unknown[0], f"{unknown[0]} is not supported for message participants; use state or wrapup.")
    state = body.get("state")
    if state not in (None, "connected", "disconnected"):
        raise invalid("state", f"state must be connected or disconnected, got {state!r}.")
    if body.get("wrapup") is not None:
        _wrap_up(server, conversation, participant, body["wrapup"], "wrapup")
    if state == "disconnected":
        _disconnect(server, conversation)
    return MockResponse(202, b"", content_type=None)


def update_communication(server: Server, req: MockRequest) -> MockResponse:
    conversation = conversation_of(server, req)
    participant = _participant(conversation, req.params["participantId"])
    if communication_id(participant.id) != req.params["communicationId"]:
        raise ApiError(404, "not.found", f"Communication {req.params['communicationId']} is not this participant's.")
    body = json_body(req)
    if body.get("state") != "disconnected":
        raise invalid("state", 'This endpoint disconnects a communication: send {"state": "disconnected"}.')
    _disconnect(server, conversation)
    return json_response({})


def update_conversation(server: Server, req: MockRequest) -> MockResponse:
    conversation = conversation_of(server, req)
    body = json_body(req)
    if body.get("state") != "disconnected":
        raise invalid("state", 'Only disconnecting is supported: send {"state": "disconnected"}.')
    _disconnect(server, conversation)
    return json_response(conversation_model_view(conversation))


def set_wrapup(server: Server, req: MockRequest) -> MockResponse:
    conversation = conversation_of(server, req)
    participant = _participant(conversation, req.params["participantId"])
    if communication_id(participant.id) != req.params["communicationId"]:
        raise ApiError(404, "not.found", f"Communication {req.params['communicationId']} is not this participant's.")
    _wrap_up(server, conversation, participant, json_object(req, allow_null=True) or {}, "body")
    return MockResponse(202, b"", content_type=None)


def get_wrapup(server: Server, req: MockRequest) -> MockResponse:
    participant = _participant(conversation_of(server, req), req.params["participantId"])
    wrapup = {
        k: v for k, v in participant.wrapup.items() if k in ("code", "notes", "tags", "durationSeconds", "endTime")
    }
    return json_response(wrapup)


def wrapup_codes(server: Server, req: MockRequest) -> MockResponse:
    conversation = conversation_of(server, req)
    _participant(conversation, req.params["participantId"])
    codes = []
    for name in WRAPUP_CODES:
        code_id = wrapup_code_id(conversation.org_id, name)
        codes.append({"id": code_id, "name": name, "selfUri": f"/api/v2/routing/wrapupcodes/{code_id}"})
    return json_response(codes)


# ---------------------------------------------------------------------- what the routes take (OpenAPI)
#: ``Conversation`` (``GET /api/v2/conversations/{id}``).
CONVERSATION = obj(
    {
        "id": STRING,
        "startTime": TIMESTAMP,
        "participants": array(obj({"id": STRING, "purpose": STRING, "messages": array(OBJECT)}, "id", "purpose")),
        "state": STRING,
        "selfUri": STRING,
    },
    "id",
    "participants",
)
WRAPUP_INPUT = obj(
    {"code": STRING, "notes": STRING, "tags": array(STRING), "durationSeconds": {"type": "integer"}}, "code"
)
DISCONNECT = obj({"state": {"const": "disconnected"}}, "state")
SEND = Operation(
    "Send a message as the agent on its own communication",
    body=obj({"textBody": {"type": "string", "maxLength": MAX_TEXT}, "mediaIds": array(STRING, maxItems=1)}),
    response=MESSAGE_DATA,
)
TYPING = Operation(
    "Show the agent typing",
    body=obj(
        {
            "typing": obj(
                {"type": {"const": "On"}, "duration": {"type": "integer", "minimum": 0, "maximum": 600_000}}, "type"
            )
        },
        "typing",
    ),
    ok=202,
    response=None,
)
PARTICIPANT_UPDATE = Operation(
    "Disconnect or wrap up a participant",
    body=obj(
        {"state": {"enum": ["connected", "disconnected"]}, "wrapup": WRAPUP_INPUT, "wrapupSkipped": {"type": "boolean"}}
    ),
    body_required=False,
    ok=202,
    response=None,
)
WRAPUP = obj({"code": STRING, "notes": STRING, "tags": array(STRING), "durationSeconds": {"type": "integer"}})
ROUTES = [
    Route("GET", "/api/v2/conversations", "conversations.all.list", list_conversations, api=USER_SCOPED),
    Route(
        "GET",
        "/api/v2/conversations/{conversationId}",
        "conversations.conversation.get",
        get_conversation,
        permissions=("conversation:communication:view",),
        api=Operation("A conversation with its participants", response=CONVERSATION),
    ),
    Route(
        "GET",
        _MESSAGES + "/{messageId}/details",
        "conversations.message.details",
        message_details,
        permissions=VIEW_PERMISSIONS,
        api=Operation("One message by id", response=MESSAGE_DATA),
    ),
    Route(
        "POST",
        _COMMUNICATION + "/messages",
        "conversations.message.send",
        send_message,
        permissions=SEND_PERMISSIONS,
        api=SEND,
    ),
    Route(
        "POST",
        _COMMUNICATION + "/typing",
        "conversations.message.typing",
        typing,
        permissions=SEND_PERMISSIONS,
        api=TYPING,
    ),
    Route(
        "PATCH",
        _PARTICIPANT,
        "conversations.participant.update",
        update_participant,
        permissions=PARTICIPANT_PERMISSIONS,
        api=PARTICIPANT_UPDATE,
    ),
    Route(
        "PATCH",
        _PARTICIPANT + "/communications/{communicationId}",
        "conversations.communication.update",
        update_communication,
        permissions=("conversation:communication:disconnect",),
        api=Operation("Disconnect a participant's communication", body=DISCONNECT),
    ),
    Route(
        "PATCH",
        _MESSAGES + "/{conversationId}",
        "conversations.message.update",
        update_conversation,
        permissions=("conversation:communication:disconnect",),
        api=Operation("Disconnect a message conversation", body=DISCONNECT, response=CONVERSATION),
    ),
    Route(
        "POST",
        _PARTICIPANT + "/communications/{communicationId}/wrapup",
        "conversations.wrapup.set",
        set_wrapup,
        permissions=("conversation:participant:wrapup",),
        api=Operation(
            "Wrap up the agent's communication", body=WRAPUP_INPUT, body_required=False, ok=202, response=None
        ),
    ),
    Route(
        "GET",
        _PARTICIPANT + "/wrapup",
        "conversations.wrapup.get",
        get_wrapup,
        api=Operation("A participant's wrap-up", response=WRAPUP),
    ),
    Route(
        "GET",
        _PARTICIPANT + "/wrapupcodes",
        "conversations.wrapupcodes",
        wrapup_codes,
        api=Operation(
            "The wrap-up codes a participant may use", response=array(obj({"id": STRING, "name": STRING}, "id", "name"))
        ),
    ),
]
