"""``BaselineGuest``: a correct web-messaging guest written from the protocol, not the client core.

It speaks the guest WebSocket itself (``configureSession``, ``onMessage``, ``getJwt``) and the
guest history API (``GET /api/v2/webmessaging/messages`` with the guest JWT). Correct means:

- every operation makes at most ``max_attempts`` attempts (a message starts over, at most
  ``MAX_FRESH_STARTS`` times, in the new session or conversation that 4006/4007 or a read-only
  403 calls for); it waits Retry-After when given
  (``TooManyRequestsErrorMessage.body.retryAfter``, the REST header), else backs off
  exponentially with jitter; a 4xx other than 401/408/429 is final (a typed error);
- a message keeps one ``message.metadata.id`` across resends; after a drop or an unknown fate
  it checks delivery (the echo, then the history) before resending;
- after 4006/4007 it starts a new session and resends what the server refused; after the
  read-only 403 it starts a new conversation; it never reports success for a message the
  server does not hold;
- the guest JWT is cached (single flight), refreshed ``jwt_margin`` seconds before ``exp``,
  refetched once after a 401 and never sent again once refused;
- history is read across all pages;
- sends queue up in call order (while disconnected or while another send is on its way) and
  the backlog is flushed in order after a reconnect.

Each behaviour a mutant breaks is one small hook method (the ``# hooks`` section).
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from mockgenesys.chaos import GuestContext
from mockgenesys.client import (
    ApiError,
    AuthenticationError,
    ClientConfigError,
    ClientError,
    ConnectionFailedError,
    GuestError,
    MessageFailedError,
    RateLimitedError,
    SessionExpiredError,
)

from .policy import (
    GUEST_FRAME_PACE,
    GUEST_MESSAGE_PACE,
    MAX_ATTEMPTS,
    RETRYABLE_STATUSES,
    Gate,
    Pacer,
    api_error,
    backoff,
    json_object,
    retry_after,
)
from .wire import Connection, Connector, Frame, Lost, live_connector

if TYPE_CHECKING:
    from mockgenesys import MockGenesys

MOCK_BASE_URL = "https://api.mypurecloud.com"
HISTORY_PATH = "/api/v2/webmessaging/messages"
SESSION_GONE = (4006, 4007)
READ_ONLY = 403
MAX_PAGES = 10_000
#: New sessions or conversations one message may start over in (each with a full attempt budget).
MAX_FRESH_STARTS = 2


@dataclass(eq=False)
class Outgoing:
    """One message on its way; its ``message_id`` stays the same across every resend."""

    text: str
    message_id: str
    uncertain: bool = False  # an attempt left the client and its fate is unknown
    session_token: str = ""  # the session that attempt went to
    done: bool = False
    error: ClientError | None = None


class BaselineGuest:
    """A correct ``GuestAdapter``; the class itself is a chaos ``adapter_factory`` (``GuestContext``)."""

    max_attempts = MAX_ATTEMPTS
    jwt_margin = 60.0
    page_size = 25

    def __init__(self, ctx: GuestContext) -> None:
        self.ctx = ctx
        self.clock = ctx.clock
        self.rng = random.Random(ctx.seed)
        self._connect: Connector
        if ctx.mock is not None:
            mock, deployment = ctx.mock, ctx.deployment_id
            self._connect = lambda: mock.connect_guest(deployment)
            self.http = httpx.AsyncClient(transport=mock.transport(), base_url=MOCK_BASE_URL)
            self.request_timeout: float | None = None  # in-process a request is answered or its socket closes
        elif ctx.base_url is not None:
            self._connect = live_connector(ctx.base_url, ctx.deployment_id)
            self.http = httpx.AsyncClient(base_url=ctx.base_url, timeout=30.0)
            self.request_timeout = 30.0
        else:
            raise ClientConfigError("A GuestContext needs mock (in-process) or base_url (live); it has neither.")
        self.token = self._new_token()
        self._conn: Connection | None = None
        self._connections = 0
        self._tracing = 0
        self._wire = asyncio.Lock()  # one request on the socket at a time
        self._send_lock = asyncio.Lock()
        self._jwt_lock = asyncio.Lock()
        self._jwt: tuple[str, float] | None = None  # (jwt, exp)
        self._outbox: deque[Outgoing] = deque()
        self._echoed: set[str] = set()  # metadata ids of our messages the server echoed
        self._gate = Gate(self.clock)
        self._message_pace = Pacer(self.clock, GUEST_MESSAGE_PACE)
        self._frame_pace = Pacer(self.clock, GUEST_FRAME_PACE)

    @classmethod
    def for_mock(cls, mock: MockGenesys, seed: int = 0, *, name: str = "baseline guest") -> BaselineGuest:
        """A guest of ``mock`` in-process on its clock; ``cls.for_mock`` is a ``reauth_machine`` factory."""
        return cls(
            GuestContext(
                index=0,
                name=name,
                seed=seed,
                clock=mock.clock,
                deployment_id=mock.deployment_id,
                client_id=mock.client_id,
                client_secret=mock.client_secret,
                mock=mock,
            )
        )

    # ------------------------------------------------------------------ GuestAdapter
    async def start(self) -> None:
        async with self._wire:
            await self._connected()

    async def send(self, text: str) -> None:
        item = Outgoing(text, self._new_message_id())
        self._outbox.append(item)
        async with self._send_lock:
            while not item.done:
                head = self._outbox.popleft()
                connections = self._connections
                try:
                    await self._deliver(head)
                except ClientError as exc:
                    head.error = exc if isinstance(exc, MessageFailedError) else MessageFailedError(head.text, exc)
                head.done = True
                if self._connections != connections and self._outbox:
                    self._outbox = deque(self._flush_order(list(self._outbox)))
        if item.error is not None:
            raise item.error

    async def restore(self) -> list[str]:
        return [str(e.get("text") or "") for e in await self._history() if e.get("type") != "Event"]

    async def close(self) -> None:
        async with self._wire:
            if self._conn is not None:
                await self._conn.close()
                self._conn = None
        await self.http.aclose()

    # ------------------------------------------------------------------ hooks
    def _next_wait(self, attempt: int, retry_after: float | None) -> float | None:
        """Seconds to wait after failed attempt ``attempt`` (1-based), or ``None`` to give up."""
        if attempt >= self.max_attempts:
            return None
        if retry_after is not None:
            return self._retry_after_wait(retry_after)
        return backoff(attempt, self.rng)

    def _retry_after_wait(self, retry_after: float) -> float:
        """How long to hold off an endpoint that answered 429 with ``retry_after``: exactly that."""
        return retry_after

    def _retryable_status(self, status: int) -> bool:
        """Whether an error status (REST) or error code (WebSocket) is worth another attempt."""
        return status in RETRYABLE_STATUSES

    def _may_reauthenticate(self, why: str) -> bool:
        """Whether to start a new session (``why="session"``) or fetch a new JWT (``"jwt"``)."""
        return True

    def _jwt_is_fresh(self, exp: float) -> bool:
        """Whether the cached JWT (expiring at ``exp``) may still be used: not within the margin."""
        return self.clock.now() < exp - self.jwt_margin

    def _more_pages(self, page: int, body: dict[str, Any]) -> bool:
        """Whether history page ``page`` (just read) has a successor."""
        count = body.get("pageCount")
        return bool(body.get("entities")) and isinstance(count, int) and page < count

    def _flush_order(self, backlog: list[Outgoing]) -> list[Outgoing]:
        """The order to send a backlog in after a reconnect: the order ``send`` was called in."""
        return backlog

    async def _settle_uncertain(self, item: Outgoing) -> bool:
        """After a drop or unknown fate: whether the server already holds ``item`` (echo, then history)."""
        if item.message_id in self._echoed:
            return True
        if item.session_token != self.token:
            return False  # a new session since: its conversation cannot hold the lost attempt
        entities = await self._history()
        return any((e.get("metadata") or {}).get("id") == item.message_id for e in entities)

    def _resend_after_new_session(self, item: Outgoing) -> bool:
        """After 4006/4007 refused ``item``: resend it in the new session (never report it sent)."""
        return True

    async def _jwt_after_401(self, refused: str, refreshes: int) -> str:
        """Cache a JWT to retry with after ``refused`` got a 401: one refresh, shared by concurrent callers."""
        if refreshes >= 1:
            raise AuthenticationError(401, "bad.credentials", "a freshly fetched guest JWT was refused too")
        return await self._valid_jwt()

    # ------------------------------------------------------------------ connection and session
    def _new_token(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _new_message_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _on_frame(self, frame: Frame) -> None:
        body = frame.get("body")
        if frame.get("class") == "StructuredMessage" and isinstance(body, dict) and body.get("direction") == "Inbound":
            metadata = body.get("metadata")
            if isinstance(metadata, dict) and isinstance(metadata.get("id"), str):
                self._echoed.add(metadata["id"])

    async def _connected(self) -> Connection:
        """The open, configured connection (call holding ``_wire``): connect and configure if needed."""
        if self._conn is not None and not self._conn.closed:
            return self._conn
        if self._conn is not None:
            await self._conn.close()
            self._conn = None
        attempt = 0
        while True:
            attempt += 1
            wait_for: float | None = None
            conn = None
            try:
                conn = await Connection.open(self._connect, self._on_frame, self.request_timeout)
                answer = await self._exchange(conn, "configureSession", {"deploymentId": self.ctx.deployment_id})
            except Lost as exc:
                failure: str = str(exc)
            else:
                kind, code = answer.get("class"), _code(answer)
                if kind == "SessionResponse":
                    self._conn = conn
                    self._connections += 1
                    return conn
                if kind == "TooManyRequestsErrorMessage":
                    wait_for, failure = _retry_after_of(answer), "configureSession was rate limited"
                elif code in SESSION_GONE:
                    self._session_gone(code, answer, self.token)
                    wait_for, failure = 0.0, f"the session was gone ({code})"
                elif not self._retryable_status(code):
                    await conn.close()
                    raise GuestError(code, str(answer.get("body")), hint="configureSession was refused.")
                else:
                    failure = f"configureSession answered {code}"
            if conn is not None:
                await conn.close()
            wait = self._next_wait(attempt, wait_for)
            if wait is None:
                raise ConnectionFailedError(f"could not open a guest session after {attempt} attempts ({failure})")
            await self.clock.sleep(wait)

    async def _exchange(self, conn: Connection, action: str, fields: dict[str, Any]) -> Frame:
        """Pace, then send one request on ``conn`` and return its answer (``Lost`` if the socket goes)."""
        await self._gate.wait(action)
        await self._frame_pace.wait()
        self._tracing += 1
        frame = {"action": action, "token": self.token, "tracingId": f"{self.ctx.name}-{self._tracing}", **fields}
        answer = await conn.request(frame)
        if answer.get("class") == "TooManyRequestsErrorMessage":
            self._gate.hold(action, self._retry_after_wait(_retry_after_of(answer)))
        return answer

    async def _request(self, action: str, fields: dict[str, Any], *, message: bool = False) -> tuple[Frame, str]:
        """One request on a configured connection; the answer and the session token it went with."""
        async with self._wire:
            conn = await self._connected()
            if message:
                await self._message_pace.wait()
            token = self.token
            return await self._exchange(conn, action, fields), token

    def _session_gone(self, code: int, answer: Frame, token: str) -> None:
        """4006/4007 for ``token``: start over with a new session token (unless already done)."""
        if not self._may_reauthenticate("session"):
            raise SessionExpiredError(code, str(answer.get("body")))
        if token != self.token:
            return  # a concurrent caller already started the new session
        self.token = self._new_token()
        self._jwt = None
        if self._conn is not None:
            self._conn.closed = True  # reconfigure on a fresh socket under the new token

    async def _new_conversation(self) -> None:
        """The conversation is read-only (the agent left): ``configureSession`` with ``startNew``."""
        answer, _ = await self._request("configureSession", {"deploymentId": self.ctx.deployment_id, "startNew": True})
        if answer.get("class") != "SessionResponse":
            raise GuestError(_code(answer), str(answer.get("body")), hint="Could not start a new conversation.")

    # ------------------------------------------------------------------ sending
    async def _deliver(self, item: Outgoing) -> None:
        attempt = fresh_starts = 0
        while True:
            attempt += 1
            failure, wait_for = await self._attempt(item)
            if failure is None:
                return
            ended = isinstance(failure, GuestError | SessionExpiredError) and failure.code in (*SESSION_GONE, READ_ONLY)
            if ended and fresh_starts < MAX_FRESH_STARTS:
                # a new session or conversation: the message starts over there with a full budget,
                # or the cap of the old one would lose a message only the ended session refused
                fresh_starts += 1
                attempt = 0
            wait = self._next_wait(max(attempt, 1), wait_for)
            if wait is None:
                raise MessageFailedError(item.text, failure)
            await self.clock.sleep(wait)

    async def _attempt(self, item: Outgoing) -> tuple[ClientError | None, float | None]:
        """One try at ``item``: ``(None, None)`` once the server holds it, else why not and Retry-After."""
        if item.uncertain:
            try:
                held = await self._settle_uncertain(item)
            except Lost as exc:
                return ConnectionFailedError(str(exc)), None
            except SessionExpiredError:
                raise
            except ApiError as exc:
                if exc.status != 401 and not self._retryable_status(exc.status):
                    raise  # the history is closed to this guest: the fate cannot be known, fail the message
                return exc, None  # the fate is still unknown: never resend blind, check again later
            except ClientError as exc:
                return exc, None
            item.uncertain = False
            if held:
                return None, None
        fields = {"message": {"type": "Text", "text": item.text, "metadata": {"id": item.message_id}}}
        try:
            answer, token = await self._request("onMessage", fields, message=True)
        except Lost as exc:
            item.uncertain, item.session_token = exc.sent, str(exc.frame.get("token", ""))
            return ConnectionFailedError(str(exc)), None
        kind, code, body = answer.get("class"), _code(answer), answer.get("body")
        if kind == "StructuredMessage":
            return None, None
        if kind == "TooManyRequestsErrorMessage":
            return RateLimitedError(429, "4029", str(body)), _retry_after_of(answer)
        if code in SESSION_GONE:
            self._session_gone(code, answer, token)
            if not self._resend_after_new_session(item):
                return None, None
            return SessionExpiredError(code, str(body)), 0.0
        if code == READ_ONLY:
            await self._new_conversation()
            return GuestError(code, str(body)), 0.0
        if self._retryable_status(code):
            return GuestError(code, str(body)), None
        raise GuestError(code, str(body), hint="The server refused the message.")

    # ------------------------------------------------------------------ JWT and history
    async def _valid_jwt(self) -> str:
        """The cached JWT while fresh, else a new one (one fetch shared by concurrent callers)."""
        async with self._jwt_lock:
            if self._jwt is not None and self._jwt_is_fresh(self._jwt[1]):
                return self._jwt[0]
            return await self._fetch_jwt()

    async def _fetch_jwt(self) -> str:
        attempt = 0
        while True:
            attempt += 1
            wait_for: float | None = None
            try:
                answer, token = await self._request("getJwt", {})
            except Lost as exc:
                failure = str(exc)
            else:
                kind, code, body = answer.get("class"), _code(answer), answer.get("body")
                if kind == "JwtResponse" and isinstance(body, dict) and isinstance(body.get("jwt"), str):
                    exp = body.get("exp")
                    self._jwt = (body["jwt"], float(exp) if isinstance(exp, (int, float)) else self.clock.now())
                    return self._jwt[0]
                if kind == "TooManyRequestsErrorMessage":
                    wait_for, failure = _retry_after_of(answer), "getJwt was rate limited"
                elif code in SESSION_GONE:
                    self._session_gone(code, answer, token)
                    wait_for, failure = 0.0, f"the session was gone ({code})"
                elif self._retryable_status(code):
                    failure = f"getJwt answered {code}"
                else:
                    raise GuestError(code, str(body), hint="getJwt was refused.")
            wait = self._next_wait(attempt, wait_for)
            if wait is None:
                raise GuestError(0, f"no guest JWT after {attempt} attempts ({failure})", hint="Retry later.")
            await self.clock.sleep(wait)

    async def _history(self) -> list[dict[str, Any]]:
        """Every message entity of the conversation, oldest first (all pages, each message once)."""
        newest_first: list[dict[str, Any]] = []
        seen: set[str] = set()
        for page in range(1, MAX_PAGES + 1):
            body = await self._history_page(page)
            for entity in body["entities"]:
                if isinstance(entity, dict) and entity.get("id") not in seen:
                    seen.add(str(entity.get("id")))
                    newest_first.append(entity)
            if not self._more_pages(page, body):
                break
        return newest_first[::-1]

    async def _history_page(self, page: int) -> dict[str, Any]:
        attempt = refreshes = 0
        while True:
            attempt += 1
            wait_for: float | None = None
            await self._gate.wait(HISTORY_PATH)
            jwt = await self._valid_jwt()  # after every wait: it may have expired or been replaced
            try:
                response = await self.http.get(
                    HISTORY_PATH,
                    params={"pageSize": self.page_size, "pageNumber": page},
                    headers={"Authorization": f"Bearer {jwt}"},
                )
            except httpx.TransportError as exc:
                failure: ClientError = ConnectionFailedError(f"history page {page}: {exc}")
            else:
                body = json_object(response, "entities") if response.status_code == 200 else None
                if body is not None and isinstance(body["entities"], list):
                    return body
                if response.status_code == 200:
                    failure = ConnectionFailedError(f"history page {page} came back unreadable")
                elif response.status_code == 401:
                    if self._jwt is not None and self._jwt[0] == jwt:
                        self._jwt = None  # refused: never send it again
                    if not self._may_reauthenticate("jwt"):
                        raise api_error(response)
                    await self._jwt_after_401(jwt, refreshes)
                    refreshes += 1
                    continue
                else:
                    failure = api_error(response)
                    if not self._retryable_status(response.status_code):
                        raise failure
                    wait_for = retry_after(response, self.clock.now())
                    if wait_for is not None:
                        self._gate.hold(HISTORY_PATH, self._retry_after_wait(wait_for))
            wait = self._next_wait(attempt, wait_for)
            if wait is None:
                raise failure
            await self.clock.sleep(wait)


def _code(frame: Frame) -> int:
    code = frame.get("code")
    return code if isinstance(code, int) else 0


def _retry_after_of(frame: Frame) -> float:
    body = frame.get("body")
    value = body.get("retryAfter") if isinstance(body, dict) else None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 1.0
