"""``NotificationClient``: a Notifications API channel kept alive for a backend or bot.

The channel's life as Genesys documents it, handled so no event is missed that could be kept:

- **start**: ``POST /api/v2/notifications/channels``, ``PUT …/subscriptions`` with the topics,
  connect the socket at ``connectUri``;
- **expiry**: "to maintain a channel for longer than 24 hours, resubscribe to topics", so the
  client subscribes again ``renew_margin`` seconds before ``expires`` (the same topics: no gap);
- **closing notice** (``v2.system.socket_closing``, "one minute prior to the socket closing"): a new
  socket connects to the same channel at once, which closes the old one ("the first WebSocket
  disconnects"); what the old one still held is read first, so order is kept;
- **drop**, or (live) no heartbeat for ``heartbeat_timeout`` seconds (Genesys sends one every 30 s): it
  reconnects to the same channel with backoff; if the channel is gone (``{"result": "404"}``), it
  creates a new channel and subscribes the topics again. Events published while no socket was
  connected are lost (Genesys does not keep them), so each outage is reported as a
  ``NotificationGap`` (``gaps``, ``on_gap``) for the application to read what changed meanwhile;
- a duplicated event (same topic and ``CorrelationId``) is delivered once.

Subscriptions are only written when the topics change or the channel needs renewing: never
again after a plain reconnect (the channel keeps them), so a flapping network causes no storm.

>>> client = NotificationClient(platform, mock_notification_connector(mock))  # doctest: +SKIP
>>> await client.start(["v2.routing.queues.<queueId>.conversations.messages"])  # doctest: +SKIP
>>> event = await client.next_event()  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import websockets
from websockets.exceptions import InvalidStatus, InvalidURI, WebSocketException

from mockgenesys.client.connectors import _LiveSocket
from mockgenesys.client.errors import ClientConfigError, ClientError, NotConnectedError, NotFoundError
from mockgenesys.client.retry import RetryPolicy
from mockgenesys.client.timing import Timing
from mockgenesys.types import HandshakeRejected, WebSocketClosed, WebSocketLike

if TYPE_CHECKING:
    from mockgenesys.client.platform import PlatformClient
    from mockgenesys.mock import MockGenesys

#: Opens the socket of a channel, given its ``connectUri``.
NotificationConnector = Callable[[str], Awaitable[WebSocketLike]]
HEARTBEAT_TOPIC = "channel.metadata"
SOCKET_CLOSING = "v2.system.socket_closing"
CHANNEL_LIFE = 86400.0
#: Genesys heartbeats every 30 s; two missed in a row mean the socket is dead.
DEFAULT_HEARTBEAT_TIMEOUT = 65.0
DEFAULT_RENEW_MARGIN = 3600.0
_SEEN = 2048


@dataclass(frozen=True)
class NotificationEvent:
    """One event: its topic, body, the envelope's ``version`` and ``metadata.CorrelationId``."""

    topic: str
    body: dict[str, Any]
    version: str | None = None
    correlation_id: str | None = None


@dataclass(frozen=True)
class NotificationGap:
    """The socket was down from ``started`` to ``ended`` (the client's clock): events published
    meanwhile were lost. ``new_channel`` is true when the channel was gone and a new one was made."""

    started: float
    ended: float
    reason: str
    new_channel: bool


@dataclass
class NotificationStats:
    """What the client did, for tests and the chaos reports."""

    channels_created: int = 0
    subscriptions_written: int = 0
    reconnects: int = 0
    handovers: int = 0
    duplicates_dropped: int = 0
    events: int = 0
    gaps: list[NotificationGap] = field(default_factory=list)


class NotificationClient:
    """Keeps one notification channel subscribed and connected; see the module docstring.

    ``platform`` makes the REST calls (its token provider and retry policy); ``connector`` opens
    sockets (``notification_connector()`` live, ``mock_notification_connector(mock)`` in-process).
    """

    def __init__(
        self,
        platform: PlatformClient,
        connector: NotificationConnector,
        *,
        timing: Timing | None = None,
        retry: RetryPolicy | None = None,
        heartbeat_timeout: float = DEFAULT_HEARTBEAT_TIMEOUT,
        renew_margin: float = DEFAULT_RENEW_MARGIN,
        on_gap: Callable[[NotificationGap], Awaitable[None]] | None = None,
    ) -> None:
        if heartbeat_timeout <= 30 or not 0 < renew_margin < CHANNEL_LIFE:
            raise ClientConfigError(
                f"heartbeat_timeout must be over 30 s (Genesys heartbeats every 30 s) and renew_margin between 0 and "
                f"{CHANNEL_LIFE:g} s; got {heartbeat_timeout!r} and {renew_margin!r}."
            )
        self.platform = platform
        self.connector = connector
        self.timing = timing or platform.timing
        #: Backoff between reconnection attempts (only ``delay`` is used: a backend keeps trying).
        self.retry = retry or RetryPolicy(base_delay=1.0)
        self.heartbeat_timeout = heartbeat_timeout
        self.renew_margin = renew_margin
        self.on_gap = on_gap
        self.stats = NotificationStats()
        self.channel_id: str | None = None
        self.connect_uri: str | None = None
        self.expires = 0.0
        self.topics: list[str] = []
        self._events: asyncio.Queue[NotificationEvent] = asyncio.Queue()
        self._seen: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._socket: WebSocketLike | None = None
        self._task: asyncio.Task[None] | None = None
        self._failure: BaseException | None = None
        self._last_seen = 0.0
        self._closed = False

    @property
    def gaps(self) -> list[NotificationGap]:
        """Every outage so far, oldest first."""
        return self.stats.gaps

    # ------------------------------------------------------------------ lifecycle
    async def start(self, topics: Iterable[str] = ()) -> None:
        """Create the channel, subscribe ``topics`` and connect; events then arrive in the background."""
        if self._task is not None:
            raise ClientConfigError("start() was called twice; call subscribe() to add topics.")
        self.topics = list(dict.fromkeys(topics))
        await self._new_channel()
        self._socket = await self._connect()
        self._task = asyncio.ensure_future(self._run())

    async def subscribe(self, topics: Iterable[str]) -> None:
        """Add topics (``POST …/subscriptions``; nothing is written when none is new)."""
        added = [t for t in dict.fromkeys(topics) if t not in self.topics]
        if not added:
            return
        await self._write("POST", added)
        self.topics.extend(added)

    async def unsubscribe(self, topics: Iterable[str]) -> None:
        """Remove topics (``PUT …/subscriptions`` with what is left)."""
        gone = set(topics)
        left = [t for t in self.topics if t not in gone]
        if left != self.topics:
            await self._write("PUT", left)
            self.topics = left

    async def next_event(self, timeout: float | None = None) -> NotificationEvent:
        """The next event (``TimeoutError`` after ``timeout`` seconds on the client's clock)."""
        if self._failure is not None:
            raise self._failure
        if self._task is None:
            raise NotConnectedError("next_event()")
        waiting = self._events.get()
        return await (waiting if timeout is None else self.timing.wait_for(waiting, timeout))

    def pending(self) -> list[NotificationEvent]:
        """The events already received and not yet taken, without waiting."""
        taken = []
        while not self._events.empty():
            taken.append(self._events.get_nowait())
        return taken

    async def aclose(self) -> None:
        """Stop listening and close the socket (the channel expires on its own, as on Genesys)."""
        self._closed = True
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._socket is not None:
            with contextlib.suppress(Exception):
                await self._socket.close()

    async def __aenter__(self) -> NotificationClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # ------------------------------------------------------------------ REST
    async def _new_channel(self) -> None:
        body = await self.platform.request("POST", "/api/v2/notifications/channels")
        if (
            not isinstance(body, dict)
            or not isinstance(body.get("id"), str)
            or not isinstance(body.get("connectUri"), str)
        ):
            raise ClientError(f"POST /api/v2/notifications/channels answered without an id and connectUri: {body!r}")
        self.stats.channels_created += 1
        self.channel_id, self.connect_uri = body["id"], body["connectUri"]
        self.expires = self.timing.now() + CHANNEL_LIFE
        if self.topics:
            await self._write("PUT", self.topics)

    async def _write(self, method: str, topics: list[str]) -> None:
        path = f"/api/v2/notifications/channels/{self.channel_id}/subscriptions"
        await self.platform.request(method, path, json=[{"id": topic} for topic in topics])
        self.stats.subscriptions_written += 1
        self.expires = self.timing.now() + CHANNEL_LIFE  # subscribing extends the channel's 24 h

    async def _renew(self) -> None:
        try:
            await self._write("PUT", self.topics)
        except NotFoundError:  # the channel is gone already: make another one
            await self._new_channel()

    # ------------------------------------------------------------------ the socket
    async def _connect(self) -> WebSocketLike:
        """A socket on the channel (a gone channel says so in its first frame, ``{"result": "404"}``)."""
        assert self.connect_uri is not None
        socket = await self.connector(self.connect_uri)
        self._last_seen = self.timing.now()
        return socket

    async def _run(self) -> None:
        try:
            while not self._closed:
                assert self._socket is not None
                try:
                    await self._read(self._socket)
                    reason = "the socket closed"
                except _ChannelGone:
                    reason = "the channel was gone"
                except WebSocketClosed as exc:
                    reason = f"the socket closed ({exc.code})"
                except TimeoutError:
                    reason = f"no heartbeat for {self.heartbeat_timeout:g} s"
                if self._closed:
                    return
                await self._recover(reason)
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # kept for the next next_event(): the application sees it
            self._failure = exc

    async def _read(self, socket: WebSocketLike) -> None:
        while True:
            if self.expires - self.timing.now() <= self.renew_margin:
                await self._renew()
            frame = await self._receive(socket)
            outcome = self._handle(frame)
            if outcome == "closing":  # connect again now; the server then closes the old socket
                replacement = await self._connect()
                self.stats.handovers += 1
                await self._drain(socket)
                self._socket = socket = replacement

    async def _receive(self, socket: WebSocketLike) -> str:
        if self.timing.virtual:
            # Time moves only when told: a timer here would move it, and a jump of the clock skips
            # heartbeats on purpose. In-process a dead socket is a closed one, so none is needed.
            text = await socket.recv()
        else:
            wait = min(self.heartbeat_timeout, max(1.0, self.expires - self.renew_margin - self.timing.now()))
            try:
                text = await asyncio.wait_for(socket.recv(), wait)
            except TimeoutError:
                if self.timing.now() - self._last_seen <= self.heartbeat_timeout:
                    return "{}"  # woke to renew the channel
                raise
        self._last_seen = self.timing.now()
        return text

    async def _drain(self, socket: WebSocketLike) -> None:
        """Read what the old socket still holds, until its close."""
        with contextlib.suppress(WebSocketClosed, TimeoutError, _ChannelGone):
            while True:
                self._handle(await self.timing.wait_for(socket.recv(), 5.0))

    def _handle(self, text: str) -> str | None:
        try:
            frame = json.loads(text)
        except ValueError:
            return None
        if not isinstance(frame, dict):
            return None
        if frame.get("result") == "404":
            raise _ChannelGone()
        topic = frame.get("topicName")
        if not isinstance(topic, str) or topic == HEARTBEAT_TOPIC:
            return None
        if topic == SOCKET_CLOSING:
            return "closing"
        metadata = frame.get("metadata")
        correlation = metadata.get("CorrelationId") if isinstance(metadata, dict) else None
        if isinstance(correlation, str):
            key = (topic, correlation)
            if key in self._seen:
                self.stats.duplicates_dropped += 1
                return None
            self._seen[key] = None
            while len(self._seen) > _SEEN:
                self._seen.popitem(last=False)
        body = frame.get("eventBody")
        version = frame.get("version")
        self.stats.events += 1
        self._events.put_nowait(
            NotificationEvent(
                topic,
                body if isinstance(body, dict) else {},
                version if isinstance(version, str) else None,
                correlation,
            )
        )
        return None

    async def _recover(self, reason: str) -> None:
        """Reconnect (a new channel when the old one is gone), with backoff; record the gap."""
        started = self.timing.now()
        new_channel = reason == "the channel was gone"
        attempt = 0
        while not self._closed:
            attempt += 1
            try:
                if new_channel or self.expires <= self.timing.now():
                    await self._new_channel()
                    new_channel = True
                socket = await self._connect()
                self._socket = socket
                break
            except (OSError, HandshakeRejected, ClientError) as exc:
                if isinstance(exc, HandshakeRejected) and exc.status == 404:
                    new_channel = True
                if isinstance(exc, ClientConfigError):
                    raise
            await self.timing.pause(self.retry.delay(attempt, None, self.timing.rng))
        self.stats.reconnects += 1
        gap = NotificationGap(started, self.timing.now(), reason, new_channel)
        self.stats.gaps.append(gap)
        if self.on_gap is not None:
            await self.on_gap(gap)


class _ChannelGone(Exception):
    """The server said the channel does not exist (``{"result": "404"}``)."""


def notification_connector(*, open_timeout: float = 10.0) -> NotificationConnector:
    """Open channels' sockets over the network (``wss://streaming.<region>/channels/…`` or a live mock's)."""

    async def connect(connect_uri: str) -> WebSocketLike:
        try:
            connection = await websockets.connect(connect_uri, open_timeout=open_timeout, max_size=2**22)
        except InvalidStatus as exc:
            raise HandshakeRejected(exc.response.status_code, exc.response.reason_phrase) from None
        except InvalidURI:
            raise ClientConfigError(f"{connect_uri!r} is not a WebSocket URL (the channel's connectUri).") from None
        except WebSocketException as exc:
            raise ConnectionError(f"the WebSocket handshake with {connect_uri} failed ({exc})") from None
        return _LiveSocket(connection)

    return connect


def mock_notification_connector(mock: MockGenesys) -> NotificationConnector:
    """Open channels' sockets in-process on ``mock`` (no network, works on virtual time)."""

    async def connect(connect_uri: str) -> WebSocketLike:
        opened = contextlib.AsyncExitStack()
        socket = await opened.enter_async_context(mock.connect_notifications(connect_uri))
        return _MockSocket(socket, opened)

    return connect


class _MockSocket:
    def __init__(self, socket: WebSocketLike, opened: contextlib.AsyncExitStack) -> None:
        self._socket = socket
        self._opened = opened

    async def send(self, message: str) -> None:
        await self._socket.send(message)

    async def recv(self) -> str:
        return await self._socket.recv()

    async def close(self, code: int = 1000, reason: str = "") -> None:
        await self._socket.close(code, reason)
        await self._opened.aclose()
