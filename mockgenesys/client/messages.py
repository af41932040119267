"""What the guest client hands out: the messages of its conversation and the count of its efforts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class GuestMessage:
    """One message of the guest's conversation.

    ``sender`` is the name the agent or bot shows (``channel.from.nickname``); ``content`` the
    structured items (attachments, quick replies, cards, carousels, date pickers), read through
    ``attachments``, ``quick_replies`` and ``cards``.
    """

    id: str
    text: str | None
    direction: str
    originating_entity: str | None = None
    time: str | None = None
    type: str = "Text"
    sender: str | None = None
    content: tuple[dict[str, Any], ...] = field(default=(), compare=False, repr=False)
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> GuestMessage:
        """From a ``StructuredMessage`` body or a ``GET /api/v2/webmessaging/messages`` entity."""
        channel = body.get("channel")
        if not isinstance(channel, dict):
            channel = {}
        text = body.get("text")
        sender = channel.get("from")
        nickname = sender.get("nickname") if isinstance(sender, dict) else None
        content = body.get("content")
        return cls(
            id=str(body.get("id") or channel.get("messageId") or ""),
            text=text if isinstance(text, str) else None,
            direction=str(body.get("direction", "")),
            originating_entity=body.get("originatingEntity"),
            time=channel.get("time"),
            type=str(body.get("type", "Text")),
            sender=nickname if isinstance(nickname, str) else None,
            content=tuple(c for c in content if isinstance(c, dict)) if isinstance(content, list) else (),
            raw=body,
        )

    def _items(self, kind: str, field_name: str) -> list[dict[str, Any]]:
        return [
            item[field_name]
            for item in self.content
            if item.get("contentType") == kind and isinstance(item.get(field_name), dict)
        ]

    @property
    def attachments(self) -> list[dict[str, Any]]:
        """The attached files: ``{id, url, filename, mediaType, mime, fileSize}`` each."""
        return self._items("Attachment", "attachment")

    @property
    def quick_replies(self) -> list[tuple[str, str]]:
        """The quick-reply buttons offered, as ``(text, payload)``."""
        return [(str(q.get("text", "")), str(q.get("payload", ""))) for q in self._items("QuickReply", "quickReply")]

    @property
    def cards(self) -> list[dict[str, Any]]:
        """The cards offered, alone or in carousels: ``{title, description, image?, actions}`` each."""
        cards = self._items("Card", "card")
        for carousel in self._items("Carousel", "carousel"):
            cards.extend(c for c in carousel.get("cards", []) if isinstance(c, dict))
        return cards

    @property
    def is_inbound_text(self) -> bool:
        """True for a text the guest side sent (this client, another tab, or an earlier session)."""
        return self.direction == "Inbound" and bool(self.text)


@dataclass
class GuestStats:
    """What the client had to do to keep the guest connected."""

    connects: int = 0
    reconnects: int = 0
    sessions: int = 0
    jwt_fetches: int = 0
    rate_limited: int = 0
    resends: int = 0
    history_checks: int = 0
