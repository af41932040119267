"""The platform-side adapter protocol and its context, as the chaos runner will publish them.

``PlatformAdapter`` is to a backend or bot on the platform API (OAuth client credentials and
REST) what ``mockgenesys.client.GuestAdapter`` is to a web-messaging guest: the small seam a
test driver needs. It lives here until it is published as ``mockgenesys.client.PlatformAdapter``;
keep the two identical.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from mockgenesys import MockGenesys
    from mockgenesys.clock import Clock


@runtime_checkable
class PlatformAdapter(Protocol):
    """A backend or bot on the platform API with OAuth client credentials, as a test driver
    sees it. Calls may run concurrently on one adapter (they share its token)."""

    async def start(self) -> None:
        """Get ready; may fetch the first token."""

    async def organization(self) -> str:
        """``GET /api/v2/organizations/me``: the organization's id."""

    async def history(self, conversation_id: str) -> list[str]:
        """Every message text of the conversation, oldest first, all pages (seed dialect
        ``GET /api/v2/conversations/messaging/{id}/messages?pageSize&pageNumber``)."""

    async def search_contacts(self, query: str) -> list[str]:
        """``GET /api/v2/externalcontacts/contacts?q=...``: the ids of every match (all pages)."""

    async def close(self) -> None:
        """Release connections."""


@dataclass(frozen=True)
class PlatformContext:
    """What a platform adapter factory gets: who the caller is and where the mock is.

    In-process ``mock`` is set (talk through ``mock.transport()``, sleep on ``clock``, the
    mock's clock); live ``base_url`` is set instead.
    """

    index: int
    seed: int
    clock: Clock
    client_id: str
    client_secret: str
    mock: MockGenesys | None = None
    base_url: str | None = None
