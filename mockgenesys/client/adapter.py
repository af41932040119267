"""The seams between a client and the tools that drive it (chaos runner, stateful tests).

Any client can be driven by ``mockgenesys.chaos`` and ``mockgenesys.stateful`` once it is
wrapped in one of two small protocols: ``GuestAdapter`` for a web-messaging guest,
``PlatformAdapter`` for a backend or bot on the platform API (OAuth client credentials and
REST). The client core's ``CoreGuestAdapter`` and ``CorePlatformAdapter`` are the defaults.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Protocol, Unpack, runtime_checkable

import httpx

from mockgenesys.client.guest import GuestMessagingClient, GuestOptions
from mockgenesys.client.platform import PlatformClient
from mockgenesys.client.session import SessionManager
from mockgenesys.client.timing import Timing
from mockgenesys.clock import Clock

if TYPE_CHECKING:
    from mockgenesys.mock import MockGenesys


@runtime_checkable
class GuestAdapter(Protocol):
    """One guest of the web-messaging channel, as seen by a test driver.

    ``send`` returns once the server has the message (or raises a ``ClientError``), and must
    deliver it exactly once even across token expiry, socket drops, 429s and new sessions.
    ``restore`` is a history restore after re-authentication: the texts of the guest's
    conversation as the client now shows them, oldest first.
    """

    async def start(self) -> None:
        """Log the guest in and connect."""

    async def send(self, text: str) -> None:
        """Send one text message; returns when the server has echoed it."""

    async def restore(self) -> list[str]:
        """Re-fetch the conversation's history; message texts, oldest first."""

    async def close(self) -> None:
        """Disconnect (the guest session stays on the server)."""


class CoreGuestAdapter:
    """The client core (a ``SessionManager``) behind the ``GuestAdapter`` protocol."""

    def __init__(self, manager: SessionManager) -> None:
        self.manager = manager

    @classmethod
    def for_mock(
        cls, mock: MockGenesys, *, name: str = "Guest", seed: int = 0, **options: Unpack[GuestOptions]
    ) -> CoreGuestAdapter:
        """A guest of ``mock`` in-process, on its clock, with jitter drawn from ``seed``."""
        timing = Timing(clock=mock.clock, rng=random.Random(seed))
        return cls(SessionManager.for_mock(mock, name=name, timing=timing, **options))

    @classmethod
    def for_url(
        cls,
        base_url: str,
        deployment_id: str,
        *,
        name: str = "Guest",
        seed: int = 0,
        ws_url: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        **options: Unpack[GuestOptions],
    ) -> CoreGuestAdapter:
        """A guest of a live server, in real time."""
        timing = Timing(rng=random.Random(seed))
        client = GuestMessagingClient.for_url(
            base_url, deployment_id, ws_url=ws_url, transport=transport, timing=timing, **options
        )
        return cls(SessionManager(client, name=name))

    async def start(self) -> None:
        await self.manager.start()

    async def send(self, text: str) -> None:
        await self.manager.send(text)

    async def restore(self) -> list[str]:
        return [m.text or "" for m in await self.manager.restore() if m.type != "Event"]

    async def close(self) -> None:
        await self.manager.aclose()


@runtime_checkable
class PlatformAdapter(Protocol):
    """A backend or bot on the platform API with OAuth client credentials, as a test driver sees it.

    Calls may run concurrently on one adapter, sharing its token: a correct adapter fetches one
    token for all of them (single flight), refreshes it before it expires, refreshes once after
    a 401, honours Retry-After, backs off without it, and never retries another 4xx. Each call
    returns the complete answer (every page) or raises a ``ClientError``.
    """

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


class CorePlatformAdapter:
    """The client core's ``PlatformClient`` behind the ``PlatformAdapter`` protocol."""

    def __init__(self, client: PlatformClient) -> None:
        self.client = client

    @classmethod
    def for_mock(cls, mock: MockGenesys, *, seed: int = 0, clock: Clock | None = None) -> CorePlatformAdapter:
        """A client of ``mock``'s default OAuth client, in-process, on ``clock`` (the mock's by default)."""
        timing = Timing(clock=clock or mock.clock, rng=random.Random(seed))
        return cls(PlatformClient.for_mock(mock, timing=timing))

    @classmethod
    def for_url(
        cls,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        seed: int = 0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> CorePlatformAdapter:
        """A client of a live server (or of real Genesys), in real time."""
        timing = Timing(rng=random.Random(seed))
        return cls(PlatformClient(base_url, client_id, client_secret, transport=transport, timing=timing))

    async def start(self) -> None:
        await self.client.tokens.token()

    async def organization(self) -> str:
        return str((await self.client.organization())["id"])

    async def history(self, conversation_id: str) -> list[str]:
        entities = await self.client.history(conversation_id)
        return [str(e.get("text") or "") for e in entities if e.get("type") != "event"]

    async def search_contacts(self, query: str) -> list[str]:
        return [str(c["id"]) for c in await self.client.search_external_contacts(query or None)]

    async def close(self) -> None:
        await self.client.aclose()
