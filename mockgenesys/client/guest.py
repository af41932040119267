"""The guest side of Genesys web messaging: one client assembled from parts with one job each.

``GuestChannel`` (socket and session), ``Pacer`` (guest limits and Retry-After), ``Outbox``
(exactly-once delivery), ``GuestJwt`` (the cached guest JWT) and ``GuestHistory`` (every page of
the guest history) behind the ``GuestMessagingClient`` facade.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict, Unpack

import httpx

from mockgenesys.client.channel import FrameRateLimited, GuestChannel, SocketLost
from mockgenesys.client.connectors import Connector, mock_connector, websocket_connector
from mockgenesys.client.errors import ClientConfigError, GuestError, RateLimitedError
from mockgenesys.client.events import Events
from mockgenesys.client.history import GuestHistory
from mockgenesys.client.jwt import GuestJwt
from mockgenesys.client.messages import GuestMessage, GuestStats
from mockgenesys.client.outbox import MAX_TEXT_BYTES, Outbox
from mockgenesys.client.pacing import GUEST_PACE, Limits, Pacer
from mockgenesys.client.platform import MOCK_BASE_URL
from mockgenesys.client.retry import RetryGate, RetryPolicy
from mockgenesys.client.timing import Timing

if TYPE_CHECKING:
    from mockgenesys.mock import MockGenesys

__all__ = ["GUEST_PACE", "MAX_TEXT_BYTES", "GuestMessage", "GuestMessagingClient", "GuestOptions", "GuestStats"]


class GuestOptions(TypedDict, total=False):
    """The keyword options of ``GuestMessagingClient`` that its factories pass on unchanged.

    ``GuestMessagingClient.for_mock`` / ``for_url``, ``SessionManager.for_mock`` and
    ``CoreGuestAdapter.for_mock`` / ``for_url`` accept these; a misspelt one is a ``TypeError``.
    """

    retry: RetryPolicy
    restart_expired: bool
    restart_closed: bool
    request_timeout: float
    jwt_margin: float
    token: str | None
    page_size: int
    pace: Limits


class GuestMessagingClient:
    """A web-messaging guest: ``login_guest()``, ``send(text)``, ``history()``, events.

    Events (``client.events.on(name, handler)``): ``connection_state_change`` (``"connected"``,
    ``"reconnecting"``, ``"disconnected"``, ``"closing"``, ``"closed"``), ``session_expired``,
    ``session_restarted``, ``message_received`` (agent, bot and other-tab messages, with their
    ``sender``, ``attachments``, ``quick_replies`` and ``cards``), ``message_sent``,
    ``message_failed``, ``conversation_updated`` (``{"state": "DISCONNECTED", "readOnly": ...}``
    when the agent leaves), ``jwt_refreshed``, ``signed_in`` (a step-up to an authenticated
    session: ``{"firstName", "lastName"}``), ``signed_in_elsewhere`` (``ConnectionClosedEvent``
    ``signedIn``: the user signed in on another device) and ``logged_out`` (``LogoutEvent``), and
    ``error``. After ``signed_in_elsewhere`` or ``logged_out`` the client stays disconnected with
    a new token until ``login_guest()``.

    ``restart_expired``: when the session expires (``SessionExpiredEvent``, 4006) or is cleared
    (4007), start a new session with a new token instead of failing. ``restart_closed``: when the
    agent ended the conversation and it is read-only, a send starts a new conversation in the
    same session (``configureSession`` with ``startNew``) instead of raising
    ``ConversationClosedError``. Its parts: ``channel`` (socket and session) and ``outbox``.
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
        pace: Limits = GUEST_PACE,
    ) -> None:
        if not deployment_id:
            raise ClientConfigError("GuestMessagingClient needs the web-messaging deployment id (Admin > Messenger).")
        if not 1 <= page_size <= 100:
            raise ClientConfigError(f"page_size must be between 1 and 100 (the API's limits), got {page_size}.")
        self.deployment_id = deployment_id
        self.connector = connector
        self.timing = timing or Timing()
        self.retry = retry or RetryPolicy()
        self.request_timeout = request_timeout
        self.jwt_margin = jwt_margin
        self.page_size = page_size
        self.pace = pace
        self.http = httpx.AsyncClient(base_url=base_url, transport=transport, timeout=30.0)
        self.events = Events()
        self.stats = GuestStats()
        self.gate = RetryGate()
        self.channel = GuestChannel(
            deployment_id,
            connector=connector,
            timing=self.timing,
            retry=self.retry,
            pacer=Pacer(self.timing, limits=pace, gate=self.gate),
            events=self.events,
            stats=self.stats,
            token=token,
            restart_expired=restart_expired,
            request_timeout=request_timeout,
        )
        self._jwt = GuestJwt(self.channel, margin=jwt_margin)
        self._history = GuestHistory(
            self.http, self._jwt, retry=self.retry, timing=self.timing, gate=self.gate, page_size=page_size
        )
        self.outbox = Outbox(self.channel, self._history.read, restart_closed=restart_closed)

    # ------------------------------------------------------------------ construction helpers
    @classmethod
    def for_mock(
        cls,
        mock: MockGenesys,
        *,
        deployment_id: str | None = None,
        timing: Timing | None = None,
        **options: Unpack[GuestOptions],
    ) -> GuestMessagingClient:
        """A guest of ``mock``'s default deployment, in-process, on the mock's clock."""
        return cls(
            deployment_id if deployment_id is not None else mock.deployment_id,
            connector=mock_connector(mock),
            base_url=MOCK_BASE_URL,
            transport=mock.transport(),
            timing=timing or Timing(clock=mock.clock),
            **options,
        )

    @classmethod
    def for_url(
        cls,
        base_url: str,
        deployment_id: str,
        *,
        ws_url: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timing: Timing | None = None,
        **options: Unpack[GuestOptions],
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
        return cls(
            deployment_id,
            connector=websocket_connector(ws_url),
            base_url=base_url,
            transport=transport,
            timing=timing,
            **options,
        )

    @property
    def session_token(self) -> str:
        """The guest session token (``configureSession``'s ``token``); keep it to resume the session."""
        return self.channel.token

    @property
    def connected(self) -> bool:
        """True while the guest socket is open."""
        return self.channel.connected

    @property
    def read_only(self) -> bool:
        """True when the conversation was ended by the agent and takes no more messages."""
        return self.channel.read_only

    @property
    def restart_expired(self) -> bool:
        """Whether an expired or cleared session is replaced by a new one instead of failing."""
        return self.channel.restart_expired

    @restart_expired.setter
    def restart_expired(self, value: bool) -> None:
        self.channel.restart_expired = value

    @property
    def restart_closed(self) -> bool:
        """Whether a send to a read-only conversation starts a new conversation instead of failing."""
        return self.outbox.restart_closed

    @restart_closed.setter
    def restart_closed(self, value: bool) -> None:
        self.outbox.restart_closed = value

    async def __aenter__(self) -> GuestMessagingClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the socket (the session stays on the server) and the HTTP client."""
        await self.channel.aclose()
        await self.events.drain()
        await self.http.aclose()

    # ------------------------------------------------------------------ the guest's calls
    async def login_guest(self, *, start_new: bool = False) -> dict[str, Any]:
        """Connect and configure the session (``configureSession``); the ``SessionResponse`` body."""
        return await self.channel.login(start_new=start_new)

    async def send(self, text: str) -> GuestMessage:
        """Send a text message; returns the stored message once the server echoed it.

        Raises ``MessageFailedError`` (and emits ``message_failed``) when it cannot be delivered.
        """
        return await self.outbox.send(text)

    async def jwt(self) -> str:
        """A guest JWT for the REST API, fetched with ``getJwt`` and refreshed before ``exp``."""
        return await self._jwt.token()

    async def history(self) -> list[GuestMessage]:
        """Every message of the guest's conversation, oldest first (all pages of the guest API)."""
        return await self._history.read()

    async def health_check(self) -> float:
        """Round-trip seconds of an ``echo`` on the client's clock."""
        started = self.timing.clock.monotonic()
        try:
            reply = await self.channel.request("echo", {"message": {"type": "Text", "text": "ping"}})
        except SocketLost:
            raise GuestError(1006, "the socket closed before the echo came back", hint="Try again.") from None
        except TimeoutError:
            raise GuestError(0, f"no echo within {self.request_timeout:g} s", hint="Check the connection.") from None
        except FrameRateLimited as exc:
            raise RateLimitedError(429, "4029", exc.detail) from None
        if reply.get("class") != "StructuredMessage":
            raise GuestError(int(reply.get("code") or 0), str(reply.get("body")), hint="The echo failed.")
        return self.timing.clock.monotonic() - started
