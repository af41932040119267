from __future__ import annotations

import asyncio
import random
from typing import Any

from mockgenesys import MockGenesys
from mockgenesys.client import Events, GuestMessagingClient, Timing
from mockgenesys.server.websocket.connection import DROPPED
from mockgenesys.world.models import Conversation, GuestSession


def timing_for(mock: MockGenesys, seed: int = 1) -> Timing:
    return Timing(clock=mock.clock, rng=random.Random(seed))


def session_of(mock: MockGenesys, client: GuestMessagingClient) -> GuestSession:
    """The server-side guest session behind a guest client's current session token."""
    session = mock.world.guest_session(client.session_token)
    assert session is not None, f"the mock has no guest session for token {client.session_token!r}: log in first"
    return session


def conversation_of(mock: MockGenesys, client: GuestMessagingClient) -> Conversation:
    """The server-side conversation behind a guest client's current session."""
    return mock.world.conversations[session_of(mock, client).conversation_id]


def drop_connections(
    mock: MockGenesys, client: GuestMessagingClient, *, code: int = DROPPED, reason: str = "connection dropped"
) -> int:
    """Close every server-side connection of the client's session, as a network failure would; how many."""
    connections = mock.hub.connections_for(session_of(mock, client))
    assert connections, f"the guest session of token {client.session_token!r} has no connection to drop"
    for connection in connections:
        connection.close(code, reason)
    return len(connections)


async def settle(rounds: int = 30) -> None:
    """Let queued tasks run: ``rounds`` passes of the event loop, no time passes on any clock."""
    for _ in range(rounds):
        await asyncio.sleep(0)


def guest_texts(conversation: Conversation) -> list[str]:
    return [m.text for m in conversation.messages if m.direction == "inbound" and m.text]


def record(events: Events, *names: str) -> list[tuple[str, Any]]:
    """Every ``names`` event ``events`` emits, as (name, payload) pairs."""
    seen: list[tuple[str, Any]] = []
    for name in names:
        events.on(name, lambda payload, name=name: seen.append((name, payload)))
    return seen
