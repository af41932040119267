"""The platform API as an OAuth client sees it: external contacts, conversations, history, sessions."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import httpx

from mockgenesys.client.errors import ApiError, AuthenticationError
from mockgenesys.client.paging import entities_of, read_pages, unique
from mockgenesys.client.responses import api_error, json_or_raise
from mockgenesys.client.retry import RetryGate, RetryPolicy
from mockgenesys.client.timing import Timing
from mockgenesys.client.tokens import DEFAULT_MARGIN, TokenProvider, call_with_bearer

if TYPE_CHECKING:
    from mockgenesys.mock import MockGenesys

#: Where in-process clients pretend to live; the mock's transport ignores the host.
MOCK_BASE_URL = "https://api.mypurecloud.com"
#: The external-contacts search stops at 1,000 records, as Genesys does.
SEARCH_CAP = 1000


class PlatformClient:
    """Platform API calls with bearer tokens from a ``TokenProvider`` and a ``RetryPolicy``.

    Every call retries 429 and 502/503/504 as the policy says; a 401 invalidates the token that
    was refused and the call is repeated once with a fresh token; any other error raises the
    typed ``ApiError`` subclass for its status.
    """

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        timing: Timing | None = None,
        token_margin: float = DEFAULT_MARGIN,
        timeout: float = 30.0,
    ) -> None:
        self.timing = timing or Timing()
        self.retry = retry or RetryPolicy()
        self.http = httpx.AsyncClient(base_url=base_url, transport=transport, timeout=timeout)
        self.gate = RetryGate()
        self.tokens = TokenProvider(
            self.http, client_id, client_secret, margin=token_margin, retry=self.retry, timing=self.timing
        )

    @classmethod
    def for_mock(
        cls,
        mock: MockGenesys,
        *,
        timing: Timing | None = None,
        retry: RetryPolicy | None = None,
        token_margin: float = DEFAULT_MARGIN,
        timeout: float = 30.0,
    ) -> PlatformClient:
        """A client wired to ``mock`` in-process, on the mock's clock, with the mock's default OAuth client."""
        return cls(
            MOCK_BASE_URL,
            mock.client_id,
            mock.client_secret,
            transport=mock.transport(),
            timing=timing or Timing(clock=mock.clock),
            retry=retry,
            token_margin=token_margin,
            timeout=timeout,
        )

    async def __aenter__(self) -> PlatformClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.http.aclose()

    # ------------------------------------------------------------------ core
    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """One API call; the decoded JSON body, or a typed ``ApiError``."""

        async def call(credential: Callable[[], Awaitable[str]]) -> httpx.Response:
            async def send() -> httpx.Response:
                call_headers = {"Authorization": f"Bearer {await credential()}", **(headers or {})}
                return await self.http.request(method, path, params=params, json=json, headers=call_headers)

            return await self.retry.send(send, self.timing, gate=self.gate)

        response = await call_with_bearer(self.tokens, call)
        if response.status_code != 401:
            return json_or_raise(response)
        error = api_error(response)
        raise AuthenticationError(
            401,
            error.code,
            error.detail,
            correlation_id=error.correlation_id,
            body=error.body,
            hint="A fresh token was refused too: check that the OAuth client is active and its role is granted.",
        )

    async def _pages(
        self, path: str, params: dict[str, Any], *, page_size: int, cap: int | None = None
    ) -> list[dict[str, Any]]:
        """Every entity of a Genesys listing, first page first."""

        async def fetch(page: int) -> Any:
            return await self.request("GET", path, params={**params, "pageSize": page_size, "pageNumber": page})

        return await read_pages(fetch, page_size=page_size, where=path, cap=cap)

    async def organization(self) -> dict[str, Any]:
        """``GET /api/v2/organizations/me``: the OAuth client's organization (its ``id`` and ``name``)."""
        body: dict[str, Any] = await self.request("GET", "/api/v2/organizations/me")
        return body

    # ------------------------------------------------------------------ external contacts
    async def external_contact(self, contact_id: str, *, expand: list[str] | None = None) -> dict[str, Any]:
        """``GET /api/v2/externalcontacts/contacts/{contactId}``."""
        params = {"expand": ",".join(expand)} if expand else None
        body: dict[str, Any] = await self.request(
            "GET", f"/api/v2/externalcontacts/contacts/{contact_id}", params=params
        )
        return body

    async def search_external_contacts(
        self, q: str | None = None, *, page_size: int = 25, limit: int = SEARCH_CAP
    ) -> list[dict[str, Any]]:
        """Every contact matching ``q`` (all pages, at most ``limit``, never past the 1,000-record cap)."""
        params: dict[str, Any] = {"q": q} if q else {}
        return await self._pages(
            "/api/v2/externalcontacts/contacts", params, page_size=page_size, cap=min(limit, SEARCH_CAP)
        )

    # ------------------------------------------------------------------ conversations
    async def conversation(self, conversation_id: str) -> dict[str, Any]:
        """``GET /api/v2/conversations/messages/{conversationId}``."""
        body: dict[str, Any] = await self.request("GET", f"/api/v2/conversations/messages/{conversation_id}")
        return body

    async def conversation_messages(self, conversation_id: str, *, normalized: bool = True) -> list[dict[str, Any]]:
        """Every message of a conversation: its message ids, then one bulk call per 1,000 ids."""
        conversation = await self.conversation(conversation_id)
        ids = [
            m["messageId"]
            for participant in conversation.get("participants", [])
            for m in participant.get("messages", [])
            if isinstance(m, dict) and isinstance(m.get("messageId"), str)
        ]
        messages: list[dict[str, Any]] = []
        for start in range(0, len(ids), 1000):
            body = await self.request(
                "POST",
                f"/api/v2/conversations/messages/{conversation_id}/messages/bulk",
                params={"useNormalizedMessage": str(normalized).lower()},
                json=ids[start : start + 1000],
            )
            messages.extend(entities_of(body, "messages/bulk"))
        return messages

    async def history(self, conversation_id: str, *, page_size: int = 25) -> list[dict[str, Any]]:
        """The seed dialect's message history, every page, oldest first (deduplicated by id)."""
        path = f"/api/v2/conversations/messaging/{conversation_id}/messages"
        entities = await self._pages(path, {"sortOrder": "asc"}, page_size=page_size)
        return unique(entities, key=lambda entity: entity["id"] if isinstance(entity.get("id"), str) else None)

    # ------------------------------------------------------------------ guest sessions (seed dialect)
    async def create_guest_session(
        self,
        organization_id: str,
        *,
        channel: str = "web",
        expiration_seconds: int = 3600,
        metadata: dict[str, str] | None = None,
        nonce: str | None = None,
    ) -> dict[str, Any]:
        """``POST /api/v2/webmessaging/organizations/{id}/sessions`` with an ``X-Genesys-Request-Nonce``."""
        body = await self.request(
            "POST",
            f"/api/v2/webmessaging/organizations/{organization_id}/sessions",
            json={"channel": channel, "expirationSeconds": expiration_seconds, "metadata": metadata or {}},
            headers={"X-Genesys-Request-Nonce": nonce or str(uuid.uuid4())},
        )
        if not isinstance(body, dict):
            raise ApiError(200, "malformed.body", "the session response is not a JSON object")
        return body
