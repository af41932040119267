"""Strict decoders written from Genesys' own guest client, the Messenger Transport SDK.

Source: ``MyPureCloud/genesys-messenger-transport-mobile-sdk`` release 2.14.0 (commit ``ea4509f7``),
``transport/src/commonMain/kotlin/com/genesys/cloud/messenger/transport/``: ``shyrka/receive/*.kt``
(the data classes), ``shyrka/WebMessagingJson.kt`` (the one ``Json``: ``ignoreUnknownKeys``, no
``coerceInputValues``, no ``isLenient``) and ``auth/AuthJwt.kt``. The rules of kotlinx
serialization under that configuration:

- a property without a default is required; a missing one fails the whole frame;
- JSON ``null`` is accepted only by a nullable property (``T? = null``), never by one with a
  non-null default;
- an enum value outside the enum fails; a ``String`` must be a JSON string (``Map<String,
  String>`` values too); numbers must be whole and fit the declared width;
- unknown keys are ignored; an unknown ``contentType`` / ``eventType`` decodes as "unknown".

``decode_frame`` and ``decode`` return the list of mismatches (empty: the transport decodes it).
Each mismatch names the JSON path and what the transport expected there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

INT_MAX = 2**31 - 1
LONG_MAX = 2**63 - 1


@dataclass(frozen=True)
class Field:
    """One property: its type, whether it has no default (required), whether it is ``T?``."""

    type: Any
    required: bool = True
    nullable: bool = False


def req(kind: Any) -> Field:
    """``val x: T`` (no default)."""
    return Field(kind)


def opt(kind: Any) -> Field:
    """``val x: T? = null``."""
    return Field(kind, required=False, nullable=True)


def default(kind: Any) -> Field:
    """``val x: T = <default>``: may be absent, may not be ``null``."""
    return Field(kind, required=False)


@dataclass(frozen=True)
class Obj:
    """A ``@Serializable data class``."""

    name: str
    fields: dict[str, Field]


@dataclass(frozen=True)
class ListOf:
    item: Any


@dataclass(frozen=True)
class MapOfStrings:
    """``Map<String, String>``."""


@dataclass(frozen=True)
class Enum:
    values: tuple[str, ...]


@dataclass(frozen=True)
class Poly:
    """A ``JsonContentPolymorphicSerializer`` choosing by ``key``; other values decode as unknown."""

    key: str
    choices: dict[str, Any]


STR, INT, LONG, BOOL = "String", "Int", "Long", "Boolean"

# shyrka/receive/StructuredMessage.kt
PARTICIPANT = Obj("Participant", {"firstName": opt(STR), "lastName": opt(STR), "nickname": opt(STR), "image": opt(STR)})
CHANNEL = Obj(
    "Channel",
    {
        "time": opt(STR),
        "messageId": opt(STR),
        "type": opt(STR),
        "to": opt(PARTICIPANT),
        "from": opt(PARTICIPANT),
    },
)
ATTACHMENT = Obj(
    "Attachment",
    {
        "id": req(STR),
        "url": req(STR),
        "filename": req(STR),
        "fileSize": opt(INT),
        "mediaType": req(STR),
        "mime": opt(STR),
        "sha256": opt(STR),
        "text": opt(STR),
    },
)
ACTION = Obj("Action", {"type": req(STR), "text": req(STR), "url": opt(STR), "payload": opt(STR)})
CARD = Obj(
    "Card",
    {
        "title": req(STR),
        "description": req(STR),
        "image": opt(STR),
        "defaultAction": opt(ACTION),
        "actions": req(ListOf(ACTION)),
    },
)
CONTENT = Poly(
    "contentType",
    {
        "Attachment": Obj("AttachmentContent", {"contentType": req(STR), "attachment": req(ATTACHMENT)}),
        "QuickReply": Obj(
            "QuickReplyContent",
            {
                "contentType": req(STR),
                "quickReply": req(Obj("QuickReply", {"text": req(STR), "payload": req(STR), "action": opt(STR)})),
            },
        ),
        "ButtonResponse": Obj(
            "ButtonResponseContent",
            {
                "contentType": req(STR),
                "buttonResponse": req(
                    Obj(
                        "ButtonResponse",
                        {
                            "text": req(STR),
                            "payload": req(STR),
                            "type": req(STR),
                            "originatingMessageId": opt(STR),
                        },
                    )
                ),
            },
        ),
        "Card": Obj("CardContent", {"contentType": req(STR), "card": req(CARD)}),
        "Carousel": Obj(
            "CarouselContent", {"contentType": req(STR), "carousel": req(Obj("Carousel", {"cards": req(ListOf(CARD))}))}
        ),
        "DatePicker": Obj(
            "DatePickerContent",
            {
                "datePicker": req(
                    Obj(
                        "TimeSlotPickerContent",
                        {
                            "title": req(STR),
                            "subtitle": opt(STR),
                            "imageUrl": opt(STR),
                            "availableTimes": default(
                                ListOf(Obj("TimeSlotContent", {"duration": req(LONG), "dateTime": req(STR)}))
                            ),
                        },
                    )
                )
            },
        ),
    },
)
# shyrka/receive/StructuredMessageEvent.kt
EVENT_TYPE = Enum(("Typing", "Error", "Presence"))
EVENT = Poly(
    "eventType",
    {
        "Typing": Obj(
            "TypingEvent",
            {"eventType": req(EVENT_TYPE), "typing": req(Obj("Typing", {"type": req(STR), "duration": opt(LONG)}))},
        ),
        "Presence": Obj(
            "PresenceEvent",
            {
                "eventType": req(EVENT_TYPE),
                "presence": req(Obj("Presence", {"type": req(Enum(("Disconnect", "Join", "Clear", "SignIn")))})),
            },
        ),
    },
)
STRUCTURED_MESSAGE = Obj(
    "StructuredMessage",
    {
        "id": req(STR),
        "type": req(Enum(("Text", "Event", "Structured"))),
        "text": opt(STR),
        "direction": req(STR),
        "channel": opt(CHANNEL),
        "content": default(ListOf(CONTENT)),
        "metadata": default(MapOfStrings()),
        "events": default(ListOf(EVENT)),
        "originatingEntity": opt(STR),
        "originatingMessageId": opt(STR),
    },
)
MESSAGE_ENTITY_LIST = Obj(
    "MessageEntityList",
    {
        "entities": default(ListOf(STRUCTURED_MESSAGE)),
        "pageSize": req(INT),
        "pageNumber": req(INT),
        "total": req(INT),
        "pageCount": req(INT),
    },
)
# shyrka/receive/SessionResponse.kt
SESSION_RESPONSE = Obj(
    "SessionResponse",
    {
        "connected": req(BOOL),
        "newSession": default(BOOL),
        "readOnly": default(BOOL),
        "maxCustomDataBytes": default(INT),
        "allowedMedia": opt(
            Obj(
                "AllowedMedia",
                {
                    "inbound": opt(
                        Obj(
                            "Inbound",
                            {
                                "fileTypes": default(ListOf(Obj("FileType", {"type": req(STR)}))),
                                "maxFileSizeKB": opt(LONG),
                            },
                        )
                    )
                },
            )
        ),
        "blockedExtensions": default(ListOf(STR)),
        "clearedExistingSession": default(BOOL),
        "durationSeconds": opt(LONG),
        "expirationDate": opt(LONG),
    },
)
EMPTY = Obj("(empty event)", {})
BODIES: dict[str, Any] = {
    "string": STR,
    "SessionResponse": SESSION_RESPONSE,
    "StructuredMessage": STRUCTURED_MESSAGE,
    "PresignedUrlResponse": Obj(
        "PresignedUrlResponse",
        {
            "attachmentId": req(STR),
            "headers": req(MapOfStrings()),
            "url": req(STR),
            "fileName": opt(STR),
            "fileSize": opt(INT),
            "fileType": opt(STR),
        },
    ),
    "AttachmentDeletedResponse": Obj("AttachmentDeletedResponse", {"attachmentId": req(STR)}),
    "UploadFailureEvent": Obj(
        "UploadFailureEvent",
        {"attachmentId": req(STR), "errorCode": req(INT), "errorMessage": req(STR), "timestamp": req(STR)},
    ),
    "UploadSuccessEvent": Obj(
        "UploadSuccessEvent", {"attachmentId": req(STR), "downloadUrl": req(STR), "timestamp": req(STR)}
    ),
    "JwtResponse": Obj("JwtResponse", {"jwt": default(STR), "exp": default(LONG)}),
    "GenerateUrlError": Obj(
        "GenerateUrlError", {"attachmentId": req(STR), "errorCode": req(INT), "errorMessage": req(STR)}
    ),
    "SessionExpiredEvent": EMPTY,
    "TooManyRequestsErrorMessage": Obj(
        "TooManyRequestsErrorMessage", {"retryAfter": req(INT), "errorCode": req(INT), "errorMessage": req(STR)}
    ),
    "ConnectionClosedEvent": Obj("ConnectionClosedEvent", {"reason": opt(STR)}),
    "LogoutEvent": EMPTY,
    "SessionClearedEvent": EMPTY,
}
ENVELOPE = Obj("PreIdentifiedWebMessagingMessage", {"type": req(STR), "code": req(INT), "class": req(STR)})
# shyrka/receive/DeploymentConfig.kt
DEPLOYMENT_CONFIG = Obj(
    "DeploymentConfig",
    {
        "id": req(STR),
        "version": req(STR),
        "languages": req(ListOf(STR)),
        "defaultLanguage": req(STR),
        "apiEndpoint": req(STR),
        "messenger": req(
            Obj(
                "Messenger",
                {
                    "enabled": req(BOOL),
                    "apps": req(
                        Obj(
                            "Apps",
                            {
                                "conversations": req(
                                    Obj(
                                        "Conversations",
                                        {
                                            "messagingEndpoint": req(STR),
                                            "showAgentTypingIndicator": default(BOOL),
                                            "showUserTypingIndicator": default(BOOL),
                                            "autoStart": default(Obj("AutoStart", {"enabled": default(BOOL)})),
                                            "conversationDisconnect": default(
                                                Obj(
                                                    "ConversationDisconnect",
                                                    {
                                                        "enabled": default(BOOL),
                                                        "type": default(Enum(("ReadOnly", "Send"))),
                                                    },
                                                )
                                            ),
                                            "conversationClear": default(
                                                Obj("ConversationClear", {"enabled": default(BOOL)})
                                            ),
                                            "notifications": default(
                                                Obj(
                                                    "Notifications",
                                                    {
                                                        "enabled": default(BOOL),
                                                        "notificationContentType": default(
                                                            Enum(("IncludeMessagesContent", "ExcludeMessagesContent"))
                                                        ),
                                                    },
                                                )
                                            ),
                                            "markdown": default(Obj("Markdown", {"enabled": default(BOOL)})),
                                            "humanize": default(Obj("Humanize", {"enabled": default(BOOL)})),
                                        },
                                    )
                                )
                            },
                        )
                    ),
                    "styles": req(Obj("Styles", {"primaryColor": req(STR)})),
                    "launcherButton": req(Obj("LauncherButton", {"visibility": req(STR)})),
                    "fileUpload": req(
                        Obj(
                            "FileUpload",
                            {
                                "enableAttachments": opt(BOOL),
                                "modes": default(
                                    ListOf(Obj("Mode", {"fileTypes": default(ListOf(STR)), "maxFileSizeKB": req(LONG)}))
                                ),
                            },
                        )
                    ),
                },
            )
        ),
        "journeyEvents": req(Obj("JourneyEvents", {"enabled": req(BOOL)})),
        "status": req(Enum(("Active", "Inactive"))),
        "auth": req(Obj("Auth", {"enabled": req(BOOL), "allowSessionUpgrade": default(BOOL)})),
    },
)
# auth/AuthJwt.kt: the JWT exchange and refresh answers
AUTH_JWT = Obj("AuthJwt", {"jwt": req(STR), "refreshToken": opt(STR)})


def decode(value: Any, kind: Any, path: str = "$") -> list[str]:
    """Every way ``value`` fails to decode as ``kind`` (empty: it decodes)."""
    if isinstance(kind, str):
        return _primitive(value, kind, path)
    if isinstance(kind, Enum):
        ok = isinstance(value, str) and value in kind.values
        return [] if ok else [f"{path}: {value!r} is not one of {kind.values}"]
    if isinstance(kind, ListOf):
        if not isinstance(value, list):
            return [f"{path}: expected a JSON array, got {type(value).__name__}"]
        return [problem for n, item in enumerate(value) for problem in decode(item, kind.item, f"{path}[{n}]")]
    if isinstance(kind, MapOfStrings):
        if not isinstance(value, dict):
            return [f"{path}: expected a JSON object of strings, got {type(value).__name__}"]
        return [
            f"{path}.{k}: map values must be JSON strings, got {v!r}"
            for k, v in value.items()
            if not isinstance(v, str)
        ]
    if isinstance(kind, Poly):
        if not isinstance(value, dict):
            return [f"{path}: expected a JSON object, got {type(value).__name__}"]
        chosen = kind.choices.get(value.get(kind.key)) if isinstance(value.get(kind.key), str) else None
        return [] if chosen is None else decode(value, chosen, path)
    assert isinstance(kind, Obj), kind
    if not isinstance(value, dict):
        return [f"{path}: expected a JSON object ({kind.name}), got {type(value).__name__}"]
    problems = []
    for name, field in kind.fields.items():
        where = f"{path}.{name}"
        if name not in value:
            if field.required:
                problems.append(f"{where}: required by {kind.name} but missing")
        elif value[name] is None:
            if not field.nullable:
                problems.append(f"{where}: null where {kind.name} declares a non-null property")
        else:
            problems.extend(decode(value[name], field.type, where))
    return problems


def _primitive(value: Any, kind: str, path: str) -> list[str]:
    if kind == STR:
        ok = isinstance(value, str)
    elif kind == BOOL:
        ok = isinstance(value, bool)
    else:
        limit = INT_MAX if kind == INT else LONG_MAX
        ok = isinstance(value, int) and not isinstance(value, bool) and -limit - 1 <= value <= limit
    return [] if ok else [f"{path}: expected a {kind}, got {value!r}"]


def decode_frame(frame: Any) -> list[str]:
    """The mismatches of one WebSocket frame (already parsed from JSON) under
    ``WebMessagingJson.decodeFromString``: the envelope, then the body its ``class`` selects."""
    problems = decode(frame, ENVELOPE)
    if problems:
        return problems
    cls = frame["class"]
    if cls not in BODIES:
        return [f"$.class: {cls!r} is not a class the transport knows (it throws and drops the frame)"]
    envelope = Obj(f"WebMessagingMessage<{cls}>", {"body": req(BODIES[cls]), "tracingId": opt(STR)})
    problems = decode(frame, envelope)
    if not problems and cls == "StructuredMessage":
        problems = shown_problems(frame["body"], "$.body")
    return problems


def shown_problems(message: dict[str, Any], path: str) -> list[str]:
    """A decoded ``StructuredMessage`` the transport still drops: a ``Structured`` message whose
    content maps to no message type (``MessageExtension.toMessage`` gives ``Unknown``)."""
    if message["type"] != "Structured":
        return []
    kinds = {item.get("contentType") for item in message.get("content", []) if isinstance(item, dict)}
    if kinds & {"DatePicker", "QuickReply", "ButtonResponse", "Card", "Carousel"}:
        return []
    return [
        f"{path}: a Structured message with content {sorted(map(str, kinds))} is Unknown to the transport (dropped)"
    ]
