"""The guest side of Genesys web messaging: the WebSocket protocol end to end, with an outbox.

Every ``send`` is delivered exactly once from the server's point of view: a message whose
fate is unknown (the socket dropped or the echo never came) is looked up in the echoes and
the guest history before it is sent again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from mockgenesys.client.connectors import Connector, mock_connector, websocket_connector
from mockgenesys.client.errors import (
    ClientConfigError,
    ClientError,
    ConversationClosedError,
    GuestError,
    MessageFailedError,
    NotConnectedError,
    RateLimitedError,
    SessionExpiredError,
)
from mockgenesys.client.events import Events
from mockgenesys.client.platform import MOCK_BASE_URL
from mockgenesys.client.responses import api_error, json_or_raise
from mockgenesys.client.retry import RetryGate, RetryPolicy
from mockgenesys.client.timing import Timing
from mockgenesys.types import HandshakeRejected, WebSocketClosed, WebSocketLike

if TYPE_CHECKING:
    from mockgenesys.mock import MockGenesys

#: Genesys refuses text messages longer than this many bytes (4011).
MAX_TEXT_BYTES = 4096
#: The documented guest limits the client paces itself under: (requests, per seconds).
GUEST_PACE = ((2, 1.0), (60, 60.0))
_SESSION_GONE = (4006, 4007)
#: Key under which ``_request`` notes, in the reply, the session token the request carried.
_SENT_WITH = "_sent_with"


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
        channel = body.get("channel") if isinstance(body.get("channel"), dict) else {}
        assert isinstance(channel, dict)
        return cls(
            id=str(body.get("id") or channel.get("messageId") or ""),
            text=body.get("text") if isinstance(body.get("text"), str) else None,
            direction=str(body.get("direction", "")),
            originating_entity=body.get("originatingEntity"),
            time=channel.get("time"),
            type=str(body.get("type", "Text")),
            raw=body,
        )


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


class _Lost(Exception):
    """The socket closed while a request was waiting for its answer."""


@dataclass
class _Outgoing:
    text: str
    tracing_id: str = ""
    session_token: str = ""
    uncertain: bool = False


class GuestMessagingClient:
    """A web-messaging guest: ``login_guest()``, ``send(text)``, ``history()``, events.

    Events (``client.events.on(name, handler)``): ``connection_state_change`` (``"connected"``,
    ``"reconnecting"``, ``"disconnected"``), ``session_expired``, ``session_restarted``,
    ``message_received`` (agent, bot and other-tab messages), ``message_sent``,
    ``message_failed``, ``conversation_updated`` (``{"state": "DISCONNECTED", "readOnly": ...}``
    when the agent leaves), ``jwt_refreshed`` and ``error``.

    ``restart_expired``: when the session expires (``SessionExpiredEvent``, 4006) or is cleared
    (4007), start a new session with a new token instead of failing. ``restart_closed``: when the
    agent ended the conversation and it is read-only, a send starts a new conversation in the
    same session (``configureSession`` with ``startNew``) instead of raising
    ``ConversationClosedError``.
    """

    def __init__(
        self,
        deployment_id: str,
        *,
        connector: Connector,
        base_url: str,
        transport: httpx.AsyncBaseTransport | None = None,
        timing: Timing | None = None,
        retry: RetryPolicy | None = None,
        restart_expired: bool = True,
        restart_closed: bool = True,
        request_timeout: float = 10.0,
        jwt_margin: float = 60.0,
        token: str | None = None,
        page_size: int = 25,
        pace: tuple[tuple[int, float], ...] = GUEST_PACE,
    ) -> None:
        if not deployment_id:
            raise ClientConfigError("GuestMessagingClient needs the web-messaging deployment id (Admin > Messenger).")
        if not 1 <= page_size <= 100:
            raise ClientConfigError(f"page_size must be between 1 and 100 (the API's limits), got {page_size}.")
        self.deployment_id = deployment_id
        self.connector = connector
        self.timing = timing or Timing()
        self.retry = retry or RetryPolicy()
        self.restart_expired = restart_expired
        self.restart_closed = restart_closed
        self.request_timeout = request_timeout
        self.jwt_margin = jwt_margin
        self.page_size = page_size
        self.http = httpx.AsyncClient(base_url=base_url, transport=transport, timeout=30.0)
        self.events = Events()
        self.stats = GuestStats()
        self.read_only = False
        self._token = token or self._new_token()
        self._socket: WebSocketLike | None = None
        self._reader: asyncio.Task[None] | None = None
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        #: Echoes that came after their request gave up, by tracing id (of the current send only).
        self._late_echoes: dict[str, dict[str, Any]] = {}
        #: How many inbound messages of each text the conversation of ``_counted_token`` holds.
        self._confirmed: Counter[str] = Counter()
        self._counted_token: str | None = None
        self._tracing = 0
        self._expired = False
        self._logged_in = False
        self._closing = False
        self._jwt: tuple[str, float] | None = None
        self._connect_lock = asyncio.Lock()
        self._send_lock = asyncio.Lock()
        self._jwt_lock = asyncio.Lock()
        self._history_lock = asyncio.Lock()
        self._background: set[asyncio.Task[Any]] = set()
        self.pace = pace
        self.gate = RetryGate()
        self._sent_at: deque[float] = deque(maxlen=max((n for n, _ in pace), default=1))

    # ------------------------------------------------------------------ construction helpers
    @classmethod
    def for_mock(cls, mock: MockGenesys, *, timing: Timing | None = None, **options: Any) -> GuestMessagingClient:
        """A guest of ``mock``'s default deployment, in-process, on the mock's clock."""
        return cls(
            options.pop("deployment_id", mock.deployment_id),
            connector=mock_connector(mock),
            base_url=MOCK_BASE_URL,
            transport=mock.transport(),
            timing=timing or Timing(clock=mock.clock),
            **options,
        )

    @classmethod
    def for_url(
        cls, base_url: str, deployment_id: str, *, ws_url: str | None = None, **options: Any
    ) -> GuestMessagingClient:
        """A guest of a live server: ``base_url`` is the REST root.

        ``ws_url`` defaults to ``ws(s)://<host>/v1`` (the mock serves both on one port), and for a
        real Genesys region ``https://api.<region>`` to ``wss://webmessaging.<region>/v1``.
        """
        if ws_url is None:
            url = httpx.URL(base_url)
            host = url.host
            if host.startswith("api."):
                host = "webmessaging." + host.removeprefix("api.")
            scheme = "wss" if url.scheme == "https" else "ws"
            port = f":{url.port}" if url.port else ""
            ws_url = f"{scheme}://{host}{port}/v1"
        return cls(deployment_id, connector=websocket_connector(ws_url), base_url=base_url, **options)

    def _new_token(self) -> str:
        return str(uuid.UUID(int=self.timing.rng.getrandbits(128), version=4))

    @property
    def session_token(self) -> str:
        """The guest session token (``configureSession``'s ``token``); keep it to resume the session."""
        return self._token

    @property
    def connected(self) -> bool:
        return self._socket is not None

    async def __aenter__(self) -> GuestMessagingClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the socket (the session stays on the server) and the HTTP client."""
        self._closing = True
        socket, self._socket = self._socket, None
        if socket is not None:
            await socket.close()
        self._reader = None  # it is one of the background tasks cancelled below
        self._fail_pending(_Lost("client closed"))
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        self._background.clear()
        await self.events.drain()
        await self.http.aclose()

    # ------------------------------------------------------------------ session
    async def login_guest(self, *, start_new: bool = False) -> dict[str, Any]:
        """Connect and configure the session (``configureSession``); the ``SessionResponse`` body."""
        self._closing = False
        self._logged_in = True
        body = await self._ensure_connected()
        if start_new:
            body = await self._new_conversation()
        return body

    async def _new_conversation(self) -> dict[str, Any]:
        """``configureSession`` with ``startNew``: a new conversation in the same session."""
        async with self._connect_lock:
            body = await self._configure(start_new=True)
            self._count_from_scratch()
            return body

    async def _ensure_connected(self) -> dict[str, Any]:
        if not self._logged_in or self._closing:
            raise NotConnectedError("This call")
        async with self._connect_lock:
            if self._socket is not None and not self._expired:
                return {"connected": True, "newSession": False, "readOnly": self.read_only}
            return await self._connect()

    async def _connect(self) -> dict[str, Any]:
        attempt = 0
        started = self.timing.clock.monotonic()
        while True:
            attempt += 1
            if self._expired:
                self._session_gone(4006, "the session expired")
            try:
                if self._socket is None:
                    await self._open()
                return await self._configure()
            except (_Lost, TimeoutError, OSError, WebSocketClosed) as exc:
                await self._drop()
                failure: Exception = exc
            except _RateLimited as exc:
                failure = exc
                self.stats.rate_limited += 1
                wait = self.retry.delay(attempt, exc.retry_after, self.timing.rng)
                if not self.retry.allows(attempt, self.timing.clock.monotonic() - started, wait):
                    raise RateLimitedError(429, "4029", exc.detail) from None
                await self.timing.pause(wait)
                continue
            wait = self.retry.delay(attempt, None, self.timing.rng)
            if not self.retry.allows(attempt, self.timing.clock.monotonic() - started, wait):
                self.events.emit("connection_state_change", "disconnected")
                raise GuestError(
                    1006,
                    f"could not connect after {attempt} attempts ({failure})",
                    hint="Check the WebSocket URL, or raise RetryPolicy.max_attempts.",
                ) from failure
            self.events.emit("connection_state_change", "reconnecting")
            await self.timing.pause(wait)

    async def _open(self) -> None:
        try:
            socket = await self.connector(self.deployment_id)
        except HandshakeRejected as exc:
            raise ClientConfigError(
                f"The server refused the WebSocket for deployment {self.deployment_id} (HTTP {exc.status}): "
                "check the deployment id and that this origin is in the deployment's allowed domains."
            ) from None
        self._socket = socket
        self.stats.connects += 1
        if self.stats.connects > 1:
            self.stats.reconnects += 1
        self._reader = asyncio.ensure_future(self._read(socket))
        self._background.add(self._reader)
        self._reader.add_done_callback(self._background.discard)

    async def _configure(self, *, start_new: bool = False) -> dict[str, Any]:
        fields: dict[str, Any] = {"deploymentId": self.deployment_id}
        if start_new:
            fields["startNew"] = True
        reply = await self._request("configureSession", fields, connect=False)
        body = reply.get("body")
        if reply.get("class") == "SessionResponse" and isinstance(body, dict):
            self.read_only = bool(body.get("readOnly"))
            if body.get("newSession"):
                self.stats.sessions += 1
                self._count_from_scratch()
            self.events.emit("connection_state_change", "connected")
            if not body.get("newSession") and self.stats.connects > 1:
                self.events.emit("reconnected", body)
            return body
        code = int(reply.get("code") or 0)
        if code in _SESSION_GONE:
            self._session_gone(code, str(body), reply.get(_SENT_WITH))
            return await self._configure()
        raise GuestError(code, str(body), hint="The session could not be configured.")

    def _count_from_scratch(self) -> None:
        """This client made the session's conversation: every inbound message in it is counted here."""
        self._confirmed.clear()
        self._counted_token = self._token

    def _session_gone(self, code: int, detail: str, token: str | None = None) -> None:
        """The session of ``token`` expired or was cleared: start over with a new token, or fail."""
        if token is not None and token != self._token:
            return  # another caller already started the new session
        if not self.restart_expired:
            raise SessionExpiredError(code, detail)
        self._restart_session()

    def _restart_session(self) -> None:
        self._expired = False
        self._token = self._new_token()
        self._jwt = None
        self._confirmed.clear()
        self._counted_token = None
        self.read_only = False
        self.events.emit("session_restarted", self._token)

    async def _drop(self) -> None:
        socket, self._socket = self._socket, None
        if self._reader is not None and self._reader is not asyncio.current_task():
            self._reader.cancel()
        self._reader = None
        if socket is not None:
            with contextlib.suppress(OSError, WebSocketClosed):
                await socket.close()

    # ------------------------------------------------------------------ frames
    def _next_tracing(self) -> str:
        self._tracing += 1
        return f"{self._token[:8]}-{self._tracing}"

    async def _request(
        self,
        action: str,
        fields: dict[str, Any],
        *,
        connect: bool = True,
        outgoing: _Outgoing | None = None,
    ) -> dict[str, Any]:
        if connect:
            await self._ensure_connected()
        socket = self._socket
        if socket is None:
            raise _Lost("not connected")
        tracing = self._next_tracing()
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[tracing] = future
        token = self._token
        frame = {"action": action, "token": token, "tracingId": tracing, **fields}
        try:
            if outgoing is not None:
                outgoing.tracing_id = tracing
                outgoing.session_token = self._token
                outgoing.uncertain = True
            await self._wait_for_pace()
            try:
                await socket.send(json.dumps(frame))
            except WebSocketClosed as exc:
                raise _Lost(str(exc)) from None
            reply = await self.timing.wait_for(future, self.request_timeout)
        finally:
            self._pending.pop(tracing, None)
        reply[_SENT_WITH] = token
        if reply.get("class") == "TooManyRequestsErrorMessage":
            body = reply.get("body") if isinstance(reply.get("body"), dict) else {}
            assert isinstance(body, dict)
            retry_after = float(body.get("retryAfter") or 1)
            self.gate.hold(self.timing.clock.monotonic() + retry_after)
            raise _RateLimited(retry_after, str(body.get("errorMessage", "")))
        return reply

    async def _wait_for_pace(self) -> None:
        """Stay under the guest limits (at most ``n`` frames in any ``period`` seconds) and behind a 429."""
        await self.gate.wait(self.timing)
        while True:
            now = self.timing.clock.monotonic()
            wait = 0.0
            for count, period in self.pace:
                if len(self._sent_at) >= count:
                    wait = max(wait, self._sent_at[-count] + period - now)
            if wait <= 0:
                self._sent_at.append(now)
                return
            await self.timing.pause(wait)

    async def _read(self, socket: WebSocketLike) -> None:
        try:
            while True:
                text = await socket.recv()
                try:
                    frame = json.loads(text)
                except ValueError:
                    self.events.emit("error", GuestError(0, f"unreadable frame {text[:80]!r}"))
                    continue
                if isinstance(frame, dict):
                    self._dispatch(frame)
        except (WebSocketClosed, OSError) as exc:
            if self._socket is socket:
                self._socket = None
                self._reader = None
                self._fail_pending(_Lost(str(exc)))
                if not self._closing:
                    self.events.emit("connection_state_change", "disconnected")
                    task = asyncio.ensure_future(self._reconnect())
                    self._background.add(task)
                    task.add_done_callback(self._background.discard)

    async def _reconnect(self) -> None:
        """Reconnect right after a drop, so agent messages keep arriving while the guest is idle."""
        try:
            await self._ensure_connected()
        except ClientError as exc:
            self.events.emit("error", exc)

    def _dispatch(self, frame: dict[str, Any]) -> None:
        tracing = frame.get("tracingId")
        cls = frame.get("class")
        if isinstance(tracing, str):
            future = self._pending.get(tracing)
            if future is not None and not future.done():
                future.set_result(frame)
                return
            if cls == "StructuredMessage":
                self._late_echoes[tracing] = frame
                return
        body = frame.get("body")
        if cls == "SessionExpiredEvent":
            self._expired = True
            self._fail_pending(_Lost("session expired"))
            self.events.emit("session_expired", {"code": 4006})
        elif cls in ("SessionClearedEvent",):
            self._expired = True
            self.events.emit("session_expired", {"code": 4007, "cleared": True})
        elif cls == "StructuredMessage" and isinstance(body, dict):
            message = GuestMessage.from_body(body)
            if message.type == "Event":
                self._on_events(body)
            self.events.emit("message_received", message)
        elif cls == "ConnectionClosedEvent":
            self.events.emit("connection_state_change", "closing")

    def _on_events(self, body: dict[str, Any]) -> None:
        for event in body.get("events") or []:
            presence = event.get("presence") if isinstance(event, dict) else None
            if (
                isinstance(presence, dict)
                and presence.get("type") == "Disconnect"
                and body.get("direction") == "Outbound"
            ):
                self.events.emit("conversation_updated", {"state": "DISCONNECTED", "token": self._token})

    def _fail_pending(self, exc: Exception) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(exc)
                future.exception()  # its waiter may be gone (timed out): do not log it as never retrieved

    # ------------------------------------------------------------------ sending
    async def send(self, text: str) -> GuestMessage:
        """Send a text message; returns the stored message once the server echoed it.

        Raises ``MessageFailedError`` (and emits ``message_failed``) when it cannot be delivered.
        """
        if not isinstance(text, str) or not text.strip():
            raise MessageFailedError(str(text), ValueError("a message needs non-blank text"))
        size = len(text.encode())
        if size > MAX_TEXT_BYTES:
            error = MessageFailedError(
                text, ValueError(f"it is {size} bytes; Genesys accepts {MAX_TEXT_BYTES}: split it")
            )
            self.events.emit("message_failed", error)
            raise error
        async with self._send_lock:
            outgoing = _Outgoing(text)
            try:
                await self._count_resumed()
                message = await self._deliver(outgoing)
            except ClientError as exc:
                error = MessageFailedError(text, exc)
                self.events.emit("message_failed", error)
                raise error from exc
            finally:
                self._late_echoes.clear()  # one message is sent at a time: older echoes cannot matter
            self._confirmed[text] += 1
            self.events.emit("message_sent", message)
            return message

    async def _count_resumed(self) -> None:
        """Count the inbound messages already in a session this client resumed (``token=``) but did
        not start, so that messages sent before it came cannot pass for a resend that arrived."""
        await self._ensure_connected()
        if self._counted_token == self._token:
            return
        try:
            history = await self.history()
        except ClientError:
            return  # counted at the next send; until then only this client's own sends count
        self._confirmed = Counter(m.text for m in history if m.direction == "Inbound" and m.text)
        self._counted_token = self._token

    async def _deliver(self, outgoing: _Outgoing) -> GuestMessage:
        attempt = 0
        started = self.timing.clock.monotonic()
        while True:
            attempt += 1
            if outgoing.uncertain:
                found = await self._arrived(outgoing)
                if found is not None:
                    return found
                self.stats.resends += 1
            retry_after: float | None = None
            try:
                reply = await self._request(
                    "onMessage", {"message": {"type": "Text", "text": outgoing.text}}, outgoing=outgoing
                )
            except (_Lost, TimeoutError) as exc:
                failure: str = f"{type(exc).__name__}: {exc}"
                if self._expired:
                    outgoing.uncertain = False  # SessionExpiredEvent: the server refused nothing it stored
            except _RateLimited as exc:
                outgoing.uncertain = False
                self.stats.rate_limited += 1
                retry_after, failure = exc.retry_after, f"rate limited ({exc.detail})"
            else:
                code = int(reply.get("code") or 200)
                body = reply.get("body")
                if reply.get("class") == "StructuredMessage" and isinstance(body, dict):
                    outgoing.uncertain = False
                    return GuestMessage.from_body(body)
                outgoing.uncertain = False
                if code in _SESSION_GONE:
                    self._session_gone(code, str(body), reply.get(_SENT_WITH))
                    failure = f"session gone ({code})"
                elif code == 403:
                    self.read_only = True
                    if not self.restart_closed:
                        raise ConversationClosedError(None)
                    await self._new_conversation()
                    self.events.emit("conversation_updated", {"state": "ACTIVE", "token": self._token, "new": True})
                    failure = "conversation closed; started a new one"
                else:
                    raise GuestError(code, str(body))
            wait = self.retry.delay(attempt, retry_after, self.timing.rng)
            if not self.retry.allows(attempt, self.timing.clock.monotonic() - started, wait):
                if retry_after is not None:
                    raise RateLimitedError(429, "4029", failure)
                raise GuestError(
                    0,
                    f"gave up after {attempt} attempts ({failure})",
                    hint="Raise RetryPolicy.max_attempts or check the connection.",
                )
            await self.timing.pause(wait)

    async def _arrived(self, outgoing: _Outgoing) -> GuestMessage | None:
        """The stored message, if an earlier attempt of ``outgoing`` reached the server."""
        echo = self._late_echoes.pop(outgoing.tracing_id, None)
        if echo is not None and isinstance(echo.get("body"), dict):
            outgoing.uncertain = False
            return GuestMessage.from_body(echo["body"])
        if outgoing.session_token != self._token:
            return None  # a new session means a new conversation: the old attempt cannot be in it
        self.stats.history_checks += 1
        history = await self.history()
        mine = [m for m in history if m.direction == "Inbound" and m.text == outgoing.text]
        if len(mine) > self._confirmed[outgoing.text]:
            outgoing.uncertain = False
            return mine[-1]
        return None

    # ------------------------------------------------------------------ JWT and history
    async def jwt(self) -> str:
        """A guest JWT for the REST API, fetched with ``getJwt`` and refreshed before ``exp``."""
        async with self._jwt_lock:
            cached = self._jwt
            if cached is not None and self.timing.now() < cached[1]:
                return cached[0]
            reply = await self._request("getJwt", {})
            body = reply.get("body")
            code = int(reply.get("code") or 200)
            if code in _SESSION_GONE:
                self._session_gone(code, str(body), reply.get(_SENT_WITH))
                reply = await self._request("getJwt", {})
                body = reply.get("body")
            if reply.get("class") != "JwtResponse" or not isinstance(body, dict) or "jwt" not in body:
                raise GuestError(int(reply.get("code") or 0), str(body), hint="getJwt failed.")
            now = self.timing.now()
            exp = float(body.get("exp") or now + 900)
            life = max(0.0, exp - now)
            self._jwt = (str(body["jwt"]), exp - min(self.jwt_margin, life / 2))
            self.stats.jwt_fetches += 1
            self.events.emit("jwt_refreshed", exp)
            return self._jwt[0]

    async def history(self) -> list[GuestMessage]:
        """Every message of the guest's conversation, oldest first (all pages of the guest API)."""
        async with self._history_lock:  # one fetch at a time: concurrent restores share JWT refreshes
            return await self._history()

    async def _history(self) -> list[GuestMessage]:
        newest_first: list[GuestMessage] = []
        seen: set[str] = set()
        page = 1
        refreshed = False
        while page <= 10_000:
            token = await self.jwt()

            async def fetch(bearer: str = token, number: int = page) -> httpx.Response:
                return await self.http.get(
                    "/api/v2/webmessaging/messages",
                    params={"pageSize": self.page_size, "pageNumber": number},
                    headers={"Authorization": f"Bearer {bearer}"},
                )

            response = await self.retry.send(fetch, self.timing, gate=self.gate)
            if response.status_code == 401:
                if self._jwt is not None and self._jwt[0] == token:
                    self._jwt = None  # refused (expired or revoked): never send it again
                if refreshed:
                    raise api_error(response)
                refreshed = True  # fetch a new JWT, once per page
                continue
            body = json_or_raise(response)
            refreshed = False
            entities = body.get("entities") if isinstance(body, dict) else None
            if not isinstance(entities, list):
                raise GuestError(0, "the guest history has no entities list", hint="Retry the call.")
            for entity in entities:
                if isinstance(entity, dict):
                    message = GuestMessage.from_body(entity)
                    if message.id not in seen:
                        seen.add(message.id)
                        newest_first.append(message)
            count = body.get("pageCount")
            if not entities or not isinstance(count, int) or page >= count:
                break
            page += 1
        return newest_first[::-1]

    async def health_check(self) -> float:
        """Round-trip seconds of an ``echo`` on the client's clock."""
        started = self.timing.clock.monotonic()
        reply = await self._request("echo", {"message": {"type": "Text", "text": "ping"}})
        if reply.get("class") != "StructuredMessage":
            raise GuestError(int(reply.get("code") or 0), str(reply.get("body")), hint="The echo failed.")
        return self.timing.clock.monotonic() - started


class _RateLimited(Exception):
    def __init__(self, retry_after: float, detail: str) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
        self.detail = detail
