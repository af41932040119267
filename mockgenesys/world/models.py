"""The records the simulated Genesys Cloud keeps: plain dataclasses that dump to dicts."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

ALL_PERMISSIONS: tuple[str, ...] = (
    "conversation:message:view",
    "conversation:webmessaging:view",
    "conversation:communication:view",
    "externalContacts:contact:view",
    "relate:contact:view",
    "webmessaging:session:create",
    "webmessaging:session:view",
    "organization:profile:view",
    # the contact-centre side: agent conversations, external contacts, Open Messaging
    "conversation:message:create",
    "conversation:webmessaging:create",
    "conversation:participant:wrapup",
    "conversation:communication:disconnect",
    "conversation:message:receive",
    "externalContacts:contact:add",
    "externalContacts:contact:edit",
    "externalContacts:contact:delete",
    "externalContacts:identity:merge",
    "messaging:integration:add",
    "messaging:integration:view",
    "messaging:integration:edit",
    "messaging:integration:delete",
    "messaging:supportedContent:view",
    "messaging:supportedContent:add",
    "routing:queue:view",
)


@dataclass
class Org:
    id: str
    name: str
    domain: str
    default_site_id: str
    state: str = "active"
    version: int = 1
    #: The routing queue conversations are offered to (agents, bots and backends watch it).
    queue_id: str = ""


@dataclass
class OAuthClient:
    id: str
    secret: str
    org_id: str
    name: str
    permissions: list[str] = field(default_factory=lambda: list(ALL_PERMISSIONS))
    token_ttl: int = 86400
    grants: list[str] = field(default_factory=lambda: ["client_credentials"])


@dataclass
class Deployment:
    id: str
    org_id: str
    name: str
    status: str = "Active"
    guest_session_ttl: int = 259200
    jwt_ttl: int = 900
    read_only_after_disconnect: bool = True
    conversation_clear_enabled: bool = True
    allowed_file_types: list[str] = field(
        default_factory=lambda: ["image/png", "image/jpeg", "image/gif", "application/pdf"]
    )
    max_file_size_kb: int = 10240
    allowed_domains: list[str] = field(default_factory=list)
    #: Authenticated messaging (``auth.enabled``) and whether an anonymous session may step up to
    #: an authenticated one (``auth.allowSessionUpgrade``; Genesys' transport never reads it, the
    #: server enforces it).
    auth_enabled: bool = True
    allow_session_upgrade: bool = True
    #: The Messenger's look, required in ``config.json`` by Genesys' transport.
    primary_color: str = "#ff4f1f"
    launcher_visibility: str = "On"


@dataclass
class Participant:
    id: str
    purpose: str
    name: str
    state: str = "connected"
    start_time: float = 0.0
    connected_time: float | None = None
    end_time: float | None = None
    disconnect_type: str | None = None
    user_id: str | None = None
    queue_id: str | None = None
    external_contact_id: str | None = None
    address: str | None = None
    #: The avatar URL shown with this participant's messages (``channel.from.image``).
    image: str | None = None
    #: The wrap-up an agent gave (``code``, ``name``, ``notes``, ``tags``, ``durationSeconds``, ``endTime``).
    wrapup: dict[str, Any] = field(default_factory=dict)

    def as_sender(self) -> dict[str, str]:
        """This participant as ``channel.from``: ``nickname`` (the display name), ``firstName``,
        ``lastName`` and ``image`` when it has one."""
        first, _, last = self.name.partition(" ")
        sender = {"nickname": self.name, "firstName": first}
        if last:
            sender["lastName"] = last
        if self.image:
            sender["image"] = self.image
        return sender


@dataclass(frozen=True)
class Message:
    """One stored message. Frozen, as on Genesys (a sent message is never edited): to change
    what a conversation holds, put a new record in its ``messages`` (``dataclasses.replace``)."""

    id: str
    conversation_id: str
    direction: str
    text: str
    timestamp: float
    sender_id: str
    type: str = "Text"
    originating_entity: str = "Human"
    status: str = "Delivered"
    events: list[dict[str, Any]] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    content: list[dict[str, Any]] = field(default_factory=list)
    custom_attributes: dict[str, Any] = field(default_factory=dict)
    #: Who sent it as ``channel.from`` shows it (``nickname``, ``firstName``, ``lastName``,
    #: ``image``), fixed when sent; empty: taken from the sending participant.
    sender: dict[str, str] = field(default_factory=dict)


@dataclass
class Conversation:
    id: str
    org_id: str
    deployment_id: str
    start_time: float
    state: str = "connected"
    end_time: float | None = None
    participants: list[Participant] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    external_contact_id: str | None = None
    guest_token: str | None = None
    #: ``webmessaging`` (a web deployment's guest) or ``open`` (an Open Messaging integration,
    #: whose id is then ``deployment_id``).
    messenger_type: str = "webmessaging"

    @property
    def is_active(self) -> bool:
        return self.state not in ("disconnected", "terminated")

    def participant(self, purpose: str) -> Participant | None:
        for participant in self.participants:
            if participant.purpose == purpose:
                return participant
        return None

    def participant_by_id(self, participant_id: str) -> Participant | None:
        """The participant with ``participant_id``, if it is on this conversation."""
        for participant in self.participants:
            if participant.id == participant_id:
                return participant
        return None

    def next_time(self, now: float) -> float:
        """The timestamp for a message sent ``now``: ``now``, or one millisecond after the last
        message when ``now`` falls in the same millisecond (a frozen virtual clock).

        Genesys' transport drops a history entry whose time equals, to the millisecond, one it
        already shows, so every message of a conversation gets its own millisecond.
        """
        if not self.messages:
            return now
        last = _millis(self.messages[-1].timestamp)
        return now if _millis(now) > last else (last + 1) / 1000.0


@dataclass
class ExternalContact:
    id: str
    org_id: str
    first_name: str
    last_name: str
    title: str
    work_email: str
    personal_email: str
    cell_phone: str
    work_phone: str
    address: dict[str, str]
    create_date: float
    modify_date: float
    middle_name: str | None = None
    salutation: str | None = None
    type: str = "Curated"
    division_id: str = ""
    external_organization_id: str | None = None
    custom_fields: dict[str, Any] = field(default_factory=dict)
    #: ``{type, value, dateCreated}`` identifiers (``Phone``, ``Email``, ``Cookie``, ``ExternalId``...).
    identifiers: list[dict[str, str]] = field(default_factory=list)
    #: Fields of Genesys' ``ExternalContact`` the record has no attribute for (``homePhone``,
    #: ``otherEmail``, ``externalIds``...), as JSON.
    extra: dict[str, Any] = field(default_factory=dict)
    #: After a merge: the canonical contact this one was merged into, and the contacts merged into this one.
    merged_to: str | None = None
    merged_from: list[str] = field(default_factory=list)


@dataclass
class SeedSession:
    """A guest session created through the seed dialect's REST endpoint."""

    id: str
    org_id: str
    session_token: str
    channel: str
    expiration_seconds: int
    created_at: float
    metadata: dict[str, str] = field(default_factory=dict)
    client_id: str = ""

    @property
    def expires_at(self) -> float:
        return self.created_at + self.expiration_seconds


@dataclass
class GuestSession:
    """A web-messaging guest session, keyed by the client-chosen session token."""

    id: str
    token: str
    deployment_id: str
    org_id: str
    conversation_id: str
    created_at: float
    last_activity: float
    ttl: int
    authenticated: bool = False
    read_only: bool = False
    closed: bool = False
    expired: bool = False
    jwt_generation: int = 0
    #: The signed-in user of an authenticated session (the OAuth code's subject) and the name
    #: the Presence ``SignIn`` event shows.
    user_id: str | None = None
    first_name: str = ""
    last_name: str = ""

    @property
    def expires_at(self) -> float:
        return self.last_activity + self.ttl


@dataclass
class Attachment:
    """A file a guest announced with ``onAttachment`` and uploads to the presigned URL."""

    id: str
    session_id: str
    file_name: str
    file_type: str
    file_size: int
    created_at: float
    uploaded: bool = False
    deleted: bool = False


@dataclass
class RefreshToken:
    """A guest refresh token from the OAuth code-grant JWT exchange (24 h)."""

    token: str
    session_id: str
    expires_at: float
    revoked: bool = False


@dataclass(slots=True)
class AccessToken:
    """An OAuth access token issued by ``POST /oauth/token``."""

    token: str
    client_id: str
    org_id: str
    issued_at: float
    expires_at: float
    revoked: bool = False


def _millis(ts: float) -> int:
    """Whole milliseconds of ``ts`` as ``views.iso`` prints them (datetime rounds to microseconds)."""
    return round(ts * 1_000_000) // 1000


def to_dict(record: Any) -> dict[str, Any]:
    """Dump a record (and nested records) to plain JSON-ready data."""
    return dataclasses.asdict(record)


def from_dict(cls: type[T], data: dict[str, Any]) -> T:
    """Build ``cls`` from ``data``; nested participants and messages are rebuilt too."""
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = set(data) - names
    if unknown:
        raise KeyError(f"{cls.__name__} has no field(s) {sorted(unknown)}; valid fields: {sorted(names)}")
    values = dict(data)
    if cls is Conversation:
        values["participants"] = [from_dict(Participant, p) for p in values.get("participants", [])]
        values["messages"] = [from_dict(Message, m) for m in values.get("messages", [])]
    return cls(**values)
