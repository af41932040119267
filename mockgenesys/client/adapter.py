"""The seam between a guest client and the tools that drive it (chaos runner, stateful tests).

Any client can be driven by ``mockgenesys.chaos`` and ``mockgenesys.stateful`` once it is
wrapped in this small protocol; the client core's ``CoreGuestAdapter`` is the default.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Protocol, Unpack, runtime_checkable

import httpx

from mockgenesys.client.guest import GuestMessagingClient, GuestOptions
from mockgenesys.client.session import SessionManager
from mockgenesys.client.timing import Timing

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
