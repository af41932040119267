from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Callable
from typing import Any

from mockgenesys import MockGenesys, VirtualClock
from mockgenesys.client import Connector, Events, GuestMessagingClient, RetryPolicy, Timing
from mockgenesys.types import WebSocketClosed, WebSocketLike
from mockgenesys.world.models import Conversation, GuestSession

#: The close code of a connection that failed without a close frame (a dropped network).
DROPPED = 1006


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


def token_calls(mock: MockGenesys) -> int:
    """How many OAuth token requests the mock has seen."""
    return len(mock.journal.calls("oauth.token"))


def guest_texts(conversation: Conversation) -> list[str]:
    return [m.text for m in conversation.messages if m.direction == "inbound" and m.text]


def record(events: Events, *names: str) -> list[tuple[str, Any]]:
    """Every ``names`` event ``events`` emits, as (name, payload) pairs."""
    seen: list[tuple[str, Any]] = []
    for name in names:
        events.on(name, lambda payload, name=name: seen.append((name, payload)))
    return seen


#: A scripted server: the frames (objects, or raw text) it answers to one request frame.
Answer = Callable[[dict[str, Any]], list[Any]]


def genesys_answer(frame: dict[str, Any]) -> list[Any]:
    """What a well-behaved guest server answers to ``frame`` (a minimal Genesys)."""
    action, tracing = frame.get("action"), frame.get("tracingId")
    if action == "configureSession":
        body = {"connected": True, "newSession": True, "readOnly": False}
        return [{"type": "response", "class": "SessionResponse", "code": 200, "body": body, "tracingId": tracing}]
    if action == "onMessage":
        text = frame["message"]["text"]
        body = {"id": f"m-{tracing}", "text": text, "direction": "Inbound", "type": "Text", "channel": {}}
        return [{"type": "message", "class": "StructuredMessage", "code": 200, "body": body, "tracingId": tracing}]
    if action == "getJwt":
        body = {"jwt": f"jwt-{tracing}", "exp": 4102444800}
        return [{"type": "response", "class": "JwtResponse", "code": 200, "body": body, "tracingId": tracing}]
    return [{"type": "response", "class": "string", "code": 400, "body": "unknown action", "tracingId": tracing}]


class ScriptedSocket:
    """A guest socket whose server is a function from each request frame to the frames it answers."""

    def __init__(self, answer: Answer, log: list[dict[str, Any]]) -> None:
        self._answer = answer
        self._log = log
        self._inbox: asyncio.Queue[str | None] = asyncio.Queue()

    async def send(self, message: str) -> None:
        frame = json.loads(message)
        self._log.append(frame)
        for reply in self._answer(frame):
            self._inbox.put_nowait(reply if isinstance(reply, str) else json.dumps(reply))

    async def recv(self) -> str:
        item = await self._inbox.get()
        if item is None:
            raise WebSocketClosed(1000, "closed")
        return item

    async def close(self, code: int = 1000, reason: str = "") -> None:
        self._inbox.put_nowait(None)


def scripted_connector(answer: Answer, log: list[dict[str, Any]]) -> Connector:
    """A connector whose every socket answers with ``answer`` and appends each request frame to ``log``."""

    async def connect(deployment_id: str) -> WebSocketLike:
        return ScriptedSocket(answer, log)

    return connect


def scripted_guest(
    answer: Answer, log: list[dict[str, Any]], *, clock: VirtualClock, retry: RetryPolicy | None = None
) -> GuestMessagingClient:
    """A guest client talking to a scripted server on ``clock`` (no pacing, seeded jitter)."""
    return GuestMessagingClient(
        "dep-1",
        connector=scripted_connector(answer, log),
        base_url="https://api.mypurecloud.com",
        timing=Timing(clock=clock, rng=random.Random(5)),
        retry=retry,
        pace=(),
    )
