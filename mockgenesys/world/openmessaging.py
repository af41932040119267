"""Open Messaging and agent-side records: integrations, supported content, the external users'
conversations, webhook deliveries and the files agents upload. Every store is bounded.

Integrations and supported-content profiles are configuration: past their bound a create is
refused (``StoreFull``) rather than anything forgotten. The rest is traffic and forgets its oldest.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from dataclasses import dataclass, field

from mockgenesys.errors import WorldError

#: The most Open Messaging integrations (and supported-content profiles) one org may hold in the mock.
MAX_INTEGRATIONS = 1000
#: The most external users whose open conversation is remembered.
MAX_THREADS = 100_000
#: The most inbound platform message ids remembered for de-duplication.
MAX_SEEN = 100_000
#: The most webhook deliveries kept for inspection (``mock.webhooks.deliveries``).
MAX_DELIVERIES = 10_000
#: The most agent-uploaded files kept, and the most bytes of them (the oldest files go first past it).
MAX_MEDIA_FILES = 10_000
MAX_MEDIA_BYTES = 64 * 1024 * 1024
#: Genesys: the secret token "must be longer than 15 characters".
MIN_SECRET_LENGTH = 16
DEFAULT_SUPPORTED_CONTENT = "Default Supported Content Profile"
#: The wrap-up codes every org of the mock has (Genesys orgs define their own).
WRAPUP_CODES = ("Resolved", "Follow-up required", "Not resolved", "Spam")
_NAMESPACE = uuid.UUID("6d6f636b-6765-6e65-7379-732d63632d31")


class StoreFull(WorldError):
    """A configuration store is at its bound; the message says which and how to make room."""


def stable_id(*parts: str) -> str:
    """A UUID derived from ``parts`` (the same parts, the same id)."""
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def communication_id(participant_id: str) -> str:
    """The id of a participant's message communication (``participants[].messages[].id``)."""
    return stable_id("communication", participant_id)


def wrapup_code_id(org_id: str, name: str) -> str:
    """The id of one of ``WRAPUP_CODES`` in an org."""
    return stable_id("wrapup", org_id, name)


@dataclass
class OpenIntegration:
    """An Open Messaging integration: where agent messages go (the webhook) and how they are signed."""

    id: str
    org_id: str
    name: str
    webhook_url: str
    secret: str
    created_at: float
    modified_at: float
    created_by: str
    webhook_headers: dict[str, str] = field(default_factory=dict)
    supported_content_id: str = ""


@dataclass
class SupportedContent:
    """A supported-content profile: the MIME types (wildcards allowed) allowed in and out."""

    id: str
    org_id: str
    name: str
    inbound: list[str]
    outbound: list[str]
    created_at: float
    modified_at: float
    version: int = 1


@dataclass
class WebhookDelivery:
    """One agent message on its way to an integration's webhook, with what each attempt got."""

    id: str
    integration_id: str
    message_id: str
    conversation_id: str
    body: bytes
    created_at: float
    #: One ``(mock-clock time, HTTP status or 0, what happened)`` per attempt.
    attempts: list[tuple[float, int, str]] = field(default_factory=list)
    #: ``pending``, ``delivered`` or ``failed``.
    state: str = "pending"


@dataclass
class AgentMedia:
    """A file an agent uploaded for a message (``…/messages/media/uploads``)."""

    id: str
    conversation_id: str
    communication_id: str
    file_name: str
    created_at: float
    content_length: int | None = None
    mime: str = "application/octet-stream"
    data: bytes | None = None


class OpenMessagingStore:
    """The Open Messaging and agent-side state of one world."""

    def __init__(self) -> None:
        self.integrations: dict[str, OpenIntegration] = {}
        self.supported: dict[str, SupportedContent] = {}
        #: (integration id, external user id) → the user's open conversation, most recent last.
        self.threads: OrderedDict[tuple[str, str], str] = OrderedDict()
        #: conversation id → (external user id, its ``idType``): where agent messages go.
        self.recipients: OrderedDict[str, tuple[str, str]] = OrderedDict()
        #: (integration id, user id, platform message id, time) → the stored message id.
        self.seen: OrderedDict[tuple[str, str, str, str], str] = OrderedDict()
        self.deliveries: OrderedDict[str, WebhookDelivery] = OrderedDict()
        self.media: OrderedDict[str, AgentMedia] = OrderedDict()
        self._media_bytes = 0

    # ------------------------------------------------------------------ configuration
    def add_integration(self, integration: OpenIntegration) -> OpenIntegration:
        """Store an integration; ``StoreFull`` past ``MAX_INTEGRATIONS`` in its org."""
        if sum(1 for i in self.integrations.values() if i.org_id == integration.org_id) >= MAX_INTEGRATIONS:
            raise StoreFull(
                f"The org already has {MAX_INTEGRATIONS} Open Messaging integrations; delete one before adding another."
            )
        self.integrations[integration.id] = integration
        return integration

    def default_supported(self, org_id: str, now: float) -> SupportedContent:
        """The org's default profile (every MIME type in and out), made on first use."""
        content_id = stable_id("supportedcontent", org_id)
        profile = self.supported.get(content_id)
        if profile is None:
            profile = SupportedContent(content_id, org_id, DEFAULT_SUPPORTED_CONTENT, ["*/*"], ["*/*"], now, now)
            self.supported[content_id] = profile
        return profile

    def add_supported(self, profile: SupportedContent) -> SupportedContent:
        """Store a profile; ``StoreFull`` past ``MAX_INTEGRATIONS`` in its org."""
        if sum(1 for p in self.supported.values() if p.org_id == profile.org_id) >= MAX_INTEGRATIONS:
            raise StoreFull(f"The org already has {MAX_INTEGRATIONS} supported-content profiles; delete one first.")
        self.supported[profile.id] = profile
        return profile

    # ------------------------------------------------------------------ traffic
    def remember_thread(self, integration_id: str, user_id: str, id_type: str, conversation_id: str) -> None:
        """The external user's messages on this integration now go to ``conversation_id``."""
        key = (integration_id, user_id)
        self.threads.pop(key, None)
        self.threads[key] = conversation_id
        self.recipients[conversation_id] = (user_id, id_type)
        while len(self.threads) > MAX_THREADS:
            self.threads.popitem(last=False)
        while len(self.recipients) > MAX_THREADS:
            self.recipients.popitem(last=False)

    def remember_seen(self, key: tuple[str, str, str, str], message_id: str) -> None:
        """An inbound platform message was stored as ``message_id`` (its retries find it)."""
        self.seen[key] = message_id
        while len(self.seen) > MAX_SEEN:
            self.seen.popitem(last=False)

    def add_delivery(self, delivery: WebhookDelivery) -> WebhookDelivery:
        """Keep a delivery for inspection (the oldest are forgotten past ``MAX_DELIVERIES``)."""
        self.deliveries[delivery.id] = delivery
        while len(self.deliveries) > MAX_DELIVERIES:
            self.deliveries.popitem(last=False)
        return delivery

    def add_media(self, media: AgentMedia) -> AgentMedia:
        """Keep an uploaded file's record (its bytes arrive with ``store_media_bytes``)."""
        self.media[media.id] = media
        while len(self.media) > MAX_MEDIA_FILES:
            self._drop_media()
        return media

    def store_media_bytes(self, media: AgentMedia, data: bytes) -> None:
        """The uploaded bytes of ``media``; the oldest files go when the total passes ``MAX_MEDIA_BYTES``."""
        self._media_bytes += len(data) - len(media.data or b"")
        media.data = data
        while self._media_bytes > MAX_MEDIA_BYTES and len(self.media) > 1:
            self._drop_media()

    def _drop_media(self) -> None:
        _, oldest = self.media.popitem(last=False)
        self._media_bytes -= len(oldest.data or b"")
