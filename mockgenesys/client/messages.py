"""What the guest client hands out: the messages of its conversation and the count of its efforts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class GuestMessage:
    """One message of the guest's conversation."""

    id: str
    text: str | None
    direction: str
    originating_entity: str | None = None
    time: str | None = None
    type: str = "Text"
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> GuestMessage:
        """From a ``StructuredMessage`` body or a ``GET /api/v2/webmessaging/messages`` entity."""
        channel = body.get("channel")
        if not isinstance(channel, dict):
            channel = {}
        text = body.get("text")
        return cls(
            id=str(body.get("id") or channel.get("messageId") or ""),
            text=text if isinstance(text, str) else None,
            direction=str(body.get("direction", "")),
            originating_entity=body.get("originatingEntity"),
            time=channel.get("time"),
            type=str(body.get("type", "Text")),
            raw=body,
        )

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
