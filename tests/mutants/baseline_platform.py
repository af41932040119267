"""``BaselinePlatform``: a correct backend or bot on the platform API (OAuth client credentials).

Correct means:

- one access token, cached and shared by concurrent calls; one fetch at a time (single
  flight), refreshed ``token_margin`` seconds before ``expires_in`` runs out;
- after a 401 the refused token is dropped at once (never sent again) and one refresh,
  shared by every caller that got the 401, replaces it; a second 401 is final;
- Retry-After is honoured; 429/5xx/408 and network errors without it back off exponentially
  with jitter, at most ``max_attempts`` attempts per call; any other 4xx is final (typed error);
- history and contact searches read every page.

Each behaviour a mutant breaks is one small hook method (the ``# hooks`` section).
"""

from __future__ import annotations

import asyncio
import random
from typing import TYPE_CHECKING, Any

import httpx

from mockgenesys.client import AuthenticationError, ClientConfigError, ClientError, ConnectionFailedError

from .policy import MAX_ATTEMPTS, RETRYABLE_STATUSES, Gate, api_error, backoff, json_object, retry_after
from .protocols import PlatformContext

if TYPE_CHECKING:
    from mockgenesys import MockGenesys

MOCK_BASE_URL = "https://api.mypurecloud.com"
TOKEN_PATH = "/oauth/token"
#: Genesys caps contact searches at 1,000 records (pageSize * pageNumber).
MAX_SEARCH_RECORDS = 1000
MAX_PAGES = 10_000


class BaselinePlatform:
    """A correct ``PlatformAdapter``; the class itself is a factory of ``PlatformContext``."""

    max_attempts = MAX_ATTEMPTS
    token_margin = 60.0
    page_size = 25

    def __init__(self, ctx: PlatformContext) -> None:
        self.ctx = ctx
        self.clock = ctx.clock
        self.rng = random.Random(ctx.seed)
        if ctx.mock is not None:
            self.http = httpx.AsyncClient(transport=ctx.mock.transport(), base_url=MOCK_BASE_URL)
        elif ctx.base_url is not None:
            self.http = httpx.AsyncClient(base_url=ctx.base_url, timeout=30.0)
        else:
            raise ClientConfigError("A PlatformContext needs mock (in-process) or base_url (live); it has neither.")
        self._gate = Gate(self.clock)
        self._token_lock = asyncio.Lock()
        self._token: tuple[str, float] | None = None  # (access token, expires at)

    @classmethod
    def for_mock(cls, mock: MockGenesys, seed: int = 0, *, index: int = 0) -> BaselinePlatform:
        """A client of ``mock``'s default OAuth client, in-process on the mock's clock."""
        context = PlatformContext(index, seed, mock.clock, mock.client_id, mock.client_secret, mock=mock)
        return cls(context)

    # ------------------------------------------------------------------ PlatformAdapter
    async def start(self) -> None:
        await self._valid_token()

    async def organization(self) -> str:
        body = await self._get("/api/v2/organizations/me")
        return str(body["id"])

    async def history(self, conversation_id: str) -> list[str]:
        path = f"/api/v2/conversations/messaging/{conversation_id}/messages"
        texts: list[str] = []
        for page in range(1, MAX_PAGES + 1):
            params = {"pageSize": self.page_size, "pageNumber": page, "sortOrder": "asc"}
            body = await self._get(path, params)
            texts += [str(e.get("text") or "") for e in _entities(body) if e.get("type") != "event"]
            if not self._more_pages(page, body):
                break
        return texts

    async def search_contacts(self, query: str) -> list[str]:
        ids: list[str] = []
        for page in range(1, MAX_SEARCH_RECORDS // self.page_size + 1):
            body = await self._get(
                "/api/v2/externalcontacts/contacts", {"q": query, "pageSize": self.page_size, "pageNumber": page}
            )
            ids += [str(e["id"]) for e in _entities(body)]
            if not self._more_pages(page, body):
                break
        return ids

    async def close(self) -> None:
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
        return status in RETRYABLE_STATUSES

    def _may_reauthenticate(self) -> bool:
        """Whether to fetch a new token after a 401."""
        return True

    def _token_is_fresh(self, expires_at: float) -> bool:
        """Whether the cached token (expiring at ``expires_at``) may still be used."""
        return self.clock.now() < expires_at - self.token_margin

    def _more_pages(self, page: int, body: dict[str, Any]) -> bool:
        count = body.get("pageCount")
        return bool(_entities(body)) and isinstance(count, int) and page < count

    async def _token_after_401(self, refused: str, refreshes: int) -> str:
        """Cache a token to retry with after ``refused`` got a 401: one refresh, shared by concurrent callers."""
        if refreshes >= 1:
            raise AuthenticationError(401, "bad.credentials", "a freshly fetched token was refused too")
        return await self._valid_token()

    # ------------------------------------------------------------------ token
    async def _valid_token(self) -> str:
        """The cached token while fresh, else a new one (one fetch shared by concurrent callers)."""
        async with self._token_lock:
            if self._token is not None and self._token_is_fresh(self._token[1]):
                return self._token[0]
            return await self._fetch_token()

    async def _fetch_token(self) -> str:
        attempt = 0
        while True:
            attempt += 1
            wait_for: float | None = None
            await self._gate.wait(TOKEN_PATH)
            asked = self.clock.now()
            try:
                response = await self.http.post(
                    TOKEN_PATH,
                    data={"grant_type": "client_credentials"},
                    auth=(self.ctx.client_id, self.ctx.client_secret),
                )
            except httpx.TransportError as exc:
                failure: ClientError = ConnectionFailedError(f"POST /oauth/token: {exc}")
            else:
                body = json_object(response, "access_token") if response.status_code == 200 else None
                if body is not None:
                    expires_in = body.get("expires_in")
                    life = float(expires_in) if isinstance(expires_in, (int, float)) else 0.0
                    self._token = (str(body["access_token"]), asked + life)
                    return self._token[0]
                if response.status_code == 200:
                    failure = ConnectionFailedError("POST /oauth/token came back unreadable")
                else:
                    failure = api_error(response)
                    if not self._retryable_status(response.status_code):
                        raise failure
                    wait_for = self._held(TOKEN_PATH, response)
            wait = self._next_wait(attempt, wait_for)
            if wait is None:
                raise failure
            await self.clock.sleep(wait)

    def _held(self, key: str, response: httpx.Response) -> float | None:
        """The response's Retry-After, after closing ``key`` for that long (see ``Gate``)."""
        wait_for = retry_after(response, self.clock.now())
        if wait_for is not None:
            self._gate.hold(key, self._retry_after_wait(wait_for))
        return wait_for

    def _forget(self, refused: str) -> None:
        """Drop ``refused`` from the cache at once, before any await: no caller may send it again."""
        if self._token is not None and self._token[0] == refused:
            self._token = None

    # ------------------------------------------------------------------ requests
    async def _get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        attempt = refreshes = 0
        while True:
            attempt += 1
            wait_for: float | None = None
            await self._gate.wait(path)
            token = await self._valid_token()  # after every wait: another caller may have replaced it
            try:
                response = await self.http.get(path, params=params, headers={"Authorization": f"Bearer {token}"})
            except httpx.TransportError as exc:
                failure: ClientError = ConnectionFailedError(f"GET {path}: {exc}")
            else:
                body = json_object(response) if response.status_code == 200 else None
                if body is not None:
                    return body
                if response.status_code == 200:
                    failure = ConnectionFailedError(f"GET {path} came back unreadable")
                elif response.status_code == 401:
                    self._forget(token)
                    if not self._may_reauthenticate():
                        raise api_error(response)
                    await self._token_after_401(token, refreshes)
                    refreshes += 1
                    continue
                else:
                    failure = api_error(response)
                    if not self._retryable_status(response.status_code):
                        raise failure
                    wait_for = self._held(path, response)
            wait = self._next_wait(attempt, wait_for)
            if wait is None:
                raise failure
            await self.clock.sleep(wait)


def _entities(body: dict[str, Any]) -> list[dict[str, Any]]:
    entities = body.get("entities")
    return [e for e in entities if isinstance(e, dict)] if isinstance(entities, list) else []
