"""Bearer credentials: cached, refreshed early, fetched once however many callers wait.

``TokenCache`` is the one cache behind both the OAuth access token (``TokenProvider``) and the
guest JWT (``GuestJwt``); ``call_with_bearer`` is the one "401: refresh once, never reuse the
refused credential" rule both the platform client and the guest history follow.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

import httpx

from mockgenesys.client.errors import ApiError, ClientConfigError
from mockgenesys.client.responses import json_or_raise
from mockgenesys.client.retry import RetryGate, RetryPolicy
from mockgenesys.client.timing import Timing

#: Seconds before its expiry a credential is replaced (at most half its life).
DEFAULT_MARGIN = 60.0
#: The lifetime assumed when a token response does not say (``expires_in`` missing or broken).
DEFAULT_LIFETIME = 3600.0

#: Fetches a new credential: its value and its expiry on the client's clock (epoch seconds).
Fetch = Callable[[], Awaitable[tuple[str, float]]]


@dataclass(frozen=True)
class AccessToken:
    """A bearer token and the moment (on the client's clock) it stops being used."""

    value: str
    expires_at: float
    refresh_at: float


class Bearer(Protocol):
    """Where a caller gets its bearer credential and reports one the server refused."""

    async def token(self) -> str:
        """A credential that is not yet due for refresh."""

    def invalidate(self, token: str) -> None:
        """Forget ``token`` if it is the cached one (the server refused it)."""


class TokenCache:
    """One credential, cached until ``margin`` seconds before its expiry (at most half its life).

    Concurrent callers during a fetch share it (single flight); ``invalidate(refused)`` drops the
    credential only while it is still the cached one, so a hundred callers refused at once cause
    one new fetch. ``clear()`` forgets the credential and any fetch still under way.
    """

    def __init__(self, fetch: Fetch, timing: Timing, *, margin: float = DEFAULT_MARGIN) -> None:
        if margin < 0:
            raise ClientConfigError(f"The token refresh margin must be >= 0 seconds, got {margin}.")
        self._fetch = fetch
        self.timing = timing
        self.margin = margin
        self._current: AccessToken | None = None
        self._lock = asyncio.Lock()
        self._generation = 0

    @property
    def current(self) -> AccessToken | None:
        """The cached credential, if any (it may be due for refresh)."""
        return self._current

    def _fresh(self) -> str | None:
        token = self._current
        if token is not None and self.timing.now() < token.refresh_at:
            return token.value
        return None

    async def token(self) -> str:
        """A usable credential, fetching one only when the cache has none due."""
        fresh = self._fresh()
        if fresh is not None:
            return fresh
        async with self._lock:
            fresh = self._fresh()
            if fresh is not None:
                return fresh
            generation = self._generation
            value, expires_at = await self._fetch()
            now = self.timing.now()
            life = max(0.0, expires_at - now)
            issued = AccessToken(value, expires_at, expires_at - min(self.margin, life / 2))
            if generation == self._generation:  # cleared meanwhile: the credential belongs to the past
                self._current = issued
            return value

    def invalidate(self, token: str) -> None:
        """Forget ``token`` if it is the cached one (the server refused it)."""
        if self._current is not None and self._current.value == token:
            self._current = None

    def clear(self) -> None:
        """Forget the credential, and do not cache one a fetch under way brings back."""
        self._current = None
        self._generation += 1


#: A call that takes a credential source: it awaits it before each of its attempts.
BearerCall = Callable[[Callable[[], Awaitable[str]]], Awaitable[httpx.Response]]


async def call_with_bearer(bearer: Bearer, call: BearerCall) -> httpx.Response:
    """``call(credential)``; after a 401 once more with a fresh credential, never with the refused one.

    ``call`` awaits ``credential()`` before each of its attempts, so an attempt after a retry
    wait sends the credential cached then, not one another call meanwhile found refused or
    replaced. Returns the last response: a 401 when a fresh credential was refused too (or none came).
    """
    used: list[str] = []

    async def credential() -> str:
        used.append(await bearer.token())
        return used[-1]

    response = await call(credential)
    if response.status_code != 401 or not used:
        return response
    refused = used[-1]
    bearer.invalidate(refused)
    fresh = await bearer.token()
    if fresh == refused:
        return response
    response = await call(credential)
    if response.status_code == 401:
        bearer.invalidate(used[-1])  # the next call starts with a new credential, not this refused one
    return response


class TokenProvider:
    """Client-credentials tokens for one OAuth client.

    The token is cached until ``expires_in`` minus ``margin`` seconds (at most half its life).
    Concurrent callers during a refresh share one token request. After a 401 the caller passes
    the refused token to ``invalidate`` and asks again: only a token still cached is dropped, so
    a hundred callers refused at once still cause one new request. A ``Retry-After`` from the
    token endpoint holds every later token request back, even after the policy gave up.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        client_id: str,
        client_secret: str,
        *,
        margin: float = DEFAULT_MARGIN,
        retry: RetryPolicy | None = None,
        timing: Timing | None = None,
    ) -> None:
        if not client_id or not client_secret:
            raise ClientConfigError(
                "TokenProvider needs an OAuth client id and secret (Genesys Cloud Admin > OAuth > "
                "Client Credentials); got an empty value."
            )
        if margin < 0:
            raise ClientConfigError(f"TokenProvider margin must be >= 0 seconds, got {margin}.")
        self.http = http
        self.client_id = client_id
        self._secret = client_secret
        self.margin = margin
        self.retry = retry or RetryPolicy()
        self.timing = timing or Timing()
        self.requests = 0
        self._gate = RetryGate()
        self._cache = TokenCache(self._fetch, self.timing, margin=margin)

    def __repr__(self) -> str:
        return f"TokenProvider(client_id={self.client_id!r})"  # never the secret

    @property
    def current(self) -> AccessToken | None:
        """The cached token, if any (it may be due for refresh)."""
        return self._cache.current

    async def token(self) -> str:
        """A usable bearer token, fetching one only when the cache has none."""
        return await self._cache.token()

    def invalidate(self, token: str) -> None:
        """Forget ``token`` if it is the cached one (the API refused it)."""
        self._cache.invalidate(token)

    async def _fetch(self) -> tuple[str, float]:
        async def request() -> httpx.Response:
            self.requests += 1
            return await self.http.post(
                "/oauth/token",
                data={"grant_type": "client_credentials"},
                auth=(self.client_id, self._secret),
            )

        response = await self.retry.send(request, self.timing, gate=self._gate)
        body = json_or_raise(response)
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            raise ApiError(response.status_code, "malformed.body", "the token response has no access_token")
        lifetime = body.get("expires_in")
        lifetime = float(lifetime) if isinstance(lifetime, (int, float)) and lifetime > 0 else DEFAULT_LIFETIME
        return body["access_token"], self.timing.now() + lifetime
