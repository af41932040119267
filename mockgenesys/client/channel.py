"""The guest's socket and session: connect, configure, reconnect with the same token, start over.

``GuestChannel`` owns the WebSocket, the reader task and the session token. ``request`` sends one
frame and waits for its reply; it raises the two internal signals ``SocketLost`` and
``FrameRateLimited`` (and ``TimeoutError``), which every operation of the client turns into a
retry or a typed ``ClientError``: they never reach the caller of a public method.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from mockgenesys.client.connectors import Connector
from mockgenesys.client.errors import (
    ClientConfigError,
    GuestError,
    NotConnectedError,
    RateLimitedError,
    SessionExpiredError,
)
from mockgenesys.client.events import Events
from mockgenesys.client.messages import GuestMessage, GuestStats
from mockgenesys.client.pacing import Pacer
from mockgenesys.client.replies import Frame, Replies
from mockgenesys.client.retry import Retry, RetryPolicy
from mockgenesys.client.timing import Timing
from mockgenesys.types import HandshakeRejected, WebSocketClosed, WebSocketLike

#: Close codes of a session that is gone: expired (4006) or cleared (4007).
SESSION_GONE = (4006, 4007)
#: Key under which ``request`` notes, in the reply, the session token the request carried.
SENT_WITH = "_sent_with"
#: ``ConnectionClosedEvent.reason`` when the same user signed in on another device (Genesys'
#: only reason on the wire; a reason-less event means the session's connection limit).
SIGNED_IN = "signedIn"


class SocketLost(Exception):
    """The socket closed (or was never open) while a request waited for its answer."""


class FrameRateLimited(Exception):
    """The server answered ``TooManyRequestsErrorMessage``; ``retry_after`` is ``None`` when it said no wait."""

    def __init__(self, retry_after: float | None, detail: str) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
        self.detail = detail


class _SessionGone(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(f"session gone ({code})")
        self.code = code


@dataclass(eq=False)
class Conversation:
    """The session's conversation as this client knows it; a new object whenever it changes.

    ``is_new``: this client started it, so every guest message in it was sent by this client.
    """

    token: str
    is_new: bool


class GuestChannel:
    """One guest session over one WebSocket at a time: login, requests, reconnects, restarts.

    After a drop it reconnects at once with the same session token (agent messages keep coming
    while the guest is idle). When the session expired (4006) or was cleared (4007) it starts a
    new session with a new token if ``restart_expired``, else raises ``SessionExpiredError``.
    """

    def __init__(
        self,
        deployment_id: str,
        *,
        connector: Connector,
        timing: Timing,
        retry: RetryPolicy,
        pacer: Pacer,
        events: Events,
        stats: GuestStats,
        token: str | None = None,
        restart_expired: bool = True,
        request_timeout: float = 10.0,
    ) -> None:
        self.deployment_id = deployment_id
        self.connector = connector
        self.timing = timing
        self.retry = retry
        self.pacer = pacer
        self.events = events
        self.stats = stats
        self.restart_expired = restart_expired
        self.request_timeout = request_timeout
        self.token = token or self._new_token()
        self.read_only = False
        self.expired = False
        self.conversation: Conversation | None = None
        self.replies = Replies()
        self._socket: WebSocketLike | None = None
        self._configured: str | None = None  # the session token configured on the open socket
        self._reader: asyncio.Task[None] | None = None
        self._logged_in = False
        self._closing = False
        self._lock = asyncio.Lock()
        self._background: set[asyncio.Task[None]] = set()

    def _new_token(self) -> str:
        return str(uuid.UUID(int=self.timing.rng.getrandbits(128), version=4))

    @property
    def connected(self) -> bool:
        """True while a socket is open."""
        return self._socket is not None

    # ------------------------------------------------------------------ session
    async def login(self, *, start_new: bool = False) -> dict[str, Any]:
        """Connect and configure the session; ``start_new`` then starts a new conversation in it."""
        self._closing = False
        self._logged_in = True
        body = await self.ensure_connected()
        if start_new:
            body = await self.new_conversation()
        return body

    async def ensure_connected(self) -> dict[str, Any]:
        """The ``SessionResponse`` body of a (re)connect, or a short one when already connected."""
        if not self._logged_in or self._closing:
            raise NotConnectedError("This call")
        async with self._lock:
            if self._socket is not None and not self.expired and self._configured == self.token:
                return {"connected": True, "newSession": False, "readOnly": self.read_only}
            return await self._connect(start_new=False)

    async def new_conversation(self) -> dict[str, Any]:
        """``configureSession`` with ``startNew``: a new conversation in the same session."""
        async with self._lock:
            return await self._connect(start_new=True)

    async def _connect(self, *, start_new: bool) -> dict[str, Any]:
        token = self.token
        failure = "lost"  # what the last attempt ran into: "lost", "limited" or "gone"
        gone_code = 0

        async def attempt() -> dict[str, Any] | Retry:
            nonlocal failure, gone_code
            if self.expired:
                self.session_gone(4006, "the session expired")
            try:
                if self._socket is None:
                    await self._open()
                # after a new session, startNew is moot: a new session is a new conversation
                return await self._configure(start_new=start_new and self.token == token)
            except (SocketLost, TimeoutError, OSError, WebSocketClosed) as exc:
                await self.drop()
                failure = "lost"
                return Retry(str(exc) or type(exc).__name__)
            except FrameRateLimited as exc:
                self.stats.rate_limited += 1
                failure = "limited"
                return Retry(exc.detail, exc.retry_after)
            except _SessionGone as exc:
                failure, gone_code = "gone", exc.code
                return Retry(str(exc))

        def give_up(retry: Retry, attempts: int) -> dict[str, Any]:
            if failure == "limited":
                raise RateLimitedError(429, "4029", retry.reason)
            if failure == "gone":
                raise GuestError(
                    gone_code,
                    f"the server ended every new session at once ({attempts} attempts)",
                    hint="Check that the deployment accepts guests (and the fault rules, against a mock).",
                )
            self.events.emit("connection_state_change", "disconnected")
            raise GuestError(
                1006,
                f"could not connect after {attempts} attempts ({retry.reason})",
                hint="Check the WebSocket URL, or raise RetryPolicy.max_attempts.",
            )

        def on_retry(retry: Retry) -> None:
            if failure == "lost":
                self.events.emit("connection_state_change", "reconnecting")

        return await self.retry.run(attempt, self.timing, give_up=give_up, on_retry=on_retry)

    async def _open(self) -> None:
        try:
            socket = await self.connector(self.deployment_id)
        except HandshakeRejected as exc:
            raise ClientConfigError(
                f"The server refused the WebSocket for deployment {self.deployment_id} (HTTP {exc.status}): "
                "check the deployment id and that this origin is in the deployment's allowed domains."
            ) from None
        self._socket = socket
        self._configured = None
        self.stats.connects += 1
        if self.stats.connects > 1:
            self.stats.reconnects += 1
        self._reader = self._spawn(self._read(socket))

    async def _configure(self, *, start_new: bool) -> dict[str, Any]:
        fields: dict[str, Any] = {"deploymentId": self.deployment_id}
        if start_new:
            fields["startNew"] = True
        reply = await self.request("configureSession", fields, connect=False)
        body = reply.get("body")
        if reply.get("class") == "SessionResponse" and isinstance(body, dict):
            self._configured = reply.get(SENT_WITH)
            self.read_only = bool(body.get("readOnly"))
            if body.get("newSession"):
                self.stats.sessions += 1
            if body.get("newSession") or start_new:
                self.conversation = Conversation(self.token, is_new=True)
            elif self.conversation is None or self.conversation.token != self.token:
                self.conversation = Conversation(self.token, is_new=False)
            self.events.emit("connection_state_change", "connected")
            if not body.get("newSession") and self.stats.connects > 1:
                self.events.emit("reconnected", body)
            return body
        code = int(reply.get("code") or 0)
        if code in SESSION_GONE:
            self.session_gone(code, str(body), reply.get(SENT_WITH))
            raise _SessionGone(code)
        raise GuestError(code, str(body), hint="The session could not be configured.")

    def session_gone(self, code: int, detail: str, token: str | None = None) -> None:
        """The session of ``token`` expired or was cleared: start over with a new token, or fail."""
        if token is not None and token != self.token:
            return  # another caller already started the new session
        if not self.restart_expired:
            raise SessionExpiredError(code, detail)
        self.expired = False
        self.token = self._new_token()
        self.conversation = None
        self.read_only = False
        self.events.emit("session_restarted", self.token)

    async def drop(self) -> None:
        """Close the socket (if any) and stop reading it; the session stays on the server."""
        socket, self._socket = self._socket, None
        if self._reader is not None and self._reader is not asyncio.current_task():
            self._reader.cancel()
        self._reader = None
        if socket is not None:
            await _close_quietly(socket)

    async def aclose(self) -> None:
        """Close the socket and stop every background task; later calls raise ``NotConnectedError``."""
        self._closing = True
        socket, self._socket = self._socket, None
        if socket is not None:
            await _close_quietly(socket)
        self._reader = None  # it is one of the background tasks cancelled below
        self.replies.fail_all(SocketLost("client closed"))
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        self._background.clear()

    # ------------------------------------------------------------------ frames
    async def request(
        self,
        action: str,
        fields: dict[str, Any],
        *,
        connect: bool = True,
        on_send: Callable[[str], None] | None = None,
    ) -> Frame:
        """Send one request frame and return its reply.

        ``on_send(tracing_id)`` runs just before the frame goes out. Raises
        ``SocketLost``, ``TimeoutError`` or ``FrameRateLimited`` (internal signals) or a
        ``ClientError`` from connecting.
        """
        if connect:
            await self.ensure_connected()
        socket = self._socket
        if socket is None:
            raise SocketLost("not connected")
        token = self.token
        tracing, future = self.replies.expect(token[:8])
        try:
            if on_send is not None:
                on_send(tracing)
            await self.pacer.wait()
            try:
                await socket.send(json.dumps({"action": action, "token": token, "tracingId": tracing, **fields}))
            except WebSocketClosed as exc:
                raise SocketLost(str(exc)) from None
            reply = await self.timing.wait_for(future, self.request_timeout)
        finally:
            self.replies.forget(tracing)
        reply[SENT_WITH] = token
        if reply.get("class") == "TooManyRequestsErrorMessage":
            body = reply.get("body")
            if not isinstance(body, dict):
                body = {}
            retry_after = _seconds(body.get("retryAfter"))
            if retry_after is not None:
                self.pacer.gate.hold(self.timing.clock.monotonic() + retry_after)
            raise FrameRateLimited(retry_after, str(body.get("errorMessage", "")))
        return reply

    def _spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

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
                self.replies.fail_all(SocketLost(str(exc)))
                await _close_quietly(socket)
                if not self._closing:
                    self.events.emit("connection_state_change", "disconnected")
                    self._spawn(self._reconnect())

    async def _reconnect(self) -> None:
        """Reconnect right after a drop, so agent messages keep arriving while the guest is idle."""
        try:
            await self.ensure_connected()
        except Exception as exc:  # a background task: report every failure, never lose one
            self.events.emit("error", exc)

    def _dispatch(self, frame: Frame) -> None:
        if self.replies.resolve(frame):
            return
        cls = frame.get("class")
        body = frame.get("body")
        if cls == "SessionExpiredEvent":
            self.expired = True
            self.replies.fail_all(SocketLost("session expired"))
            self.events.emit("session_expired", {"code": 4006})
        elif cls == "SessionClearedEvent":
            self.expired = True
            self.events.emit("session_expired", {"code": 4007, "cleared": True})
        elif cls == "StructuredMessage" and isinstance(body, dict):
            message = GuestMessage.from_body(body)
            if message.type == "Event" and _agent_left(body):
                self.events.emit("conversation_updated", {"state": "DISCONNECTED", "token": self.token})
            signed_in = _signed_in(body)
            if signed_in is not None:
                self.events.emit("signed_in", signed_in)
            self.events.emit("message_received", message)
        elif cls == "ConnectionClosedEvent":
            reason = body.get("reason") if isinstance(body, dict) else None
            if reason == SIGNED_IN:
                self._end("signed_in_elsewhere")
            else:
                self.events.emit("connection_state_change", "closing")
        elif cls == "LogoutEvent":
            self._end("logged_out")

    def _end(self, event: str) -> None:
        """The server ended this client's session for good (logout, or the user signed in on
        another device): forget the token, close the socket, do not reconnect, emit ``event``.
        ``login_guest()`` starts again with a new anonymous session."""
        self._closing = True
        self.token = self._new_token()
        self.conversation = None
        self.read_only = False
        self.replies.fail_all(SocketLost(event.replace("_", " ")))
        self._spawn(self.drop())
        self.events.emit("connection_state_change", "closed")
        self.events.emit(event, {"token": self.token})


def _agent_left(body: dict[str, Any]) -> bool:
    """An outbound ``Presence`` ``Disconnect`` event: the agent ended the conversation."""
    if body.get("direction") != "Outbound":
        return False
    for event in body.get("events") or []:
        presence = event.get("presence") if isinstance(event, dict) else None
        if isinstance(presence, dict) and presence.get("type") == "Disconnect":
            return True
    return False


def _signed_in(body: dict[str, Any]) -> dict[str, str] | None:
    """The names of an Inbound Presence ``SignIn`` event (a step-up to an authenticated session)."""
    if body.get("direction") != "Inbound":
        return None
    for event in body.get("events") or []:
        presence = event.get("presence") if isinstance(event, dict) else None
        if isinstance(presence, dict) and presence.get("type") == "SignIn":
            channel = body.get("channel")
            sender = channel.get("from") if isinstance(channel, dict) else None
            sender = sender if isinstance(sender, dict) else {}
            return {key: str(sender[key]) for key in ("firstName", "lastName") if key in sender}
    return None


def _seconds(value: Any) -> float | None:
    """A ``retryAfter`` in seconds, or ``None`` when the server gave none (or nonsense)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < math.inf:
        return None
    return float(value)


async def _close_quietly(socket: WebSocketLike) -> None:
    with contextlib.suppress(OSError, WebSocketClosed):
        await socket.close()
