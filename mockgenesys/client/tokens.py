"""OAuth client-credentials tokens: cached, refreshed early, fetched once however many callers wait."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx

from mockgenesys.client.errors import ApiError, ClientConfigError
from mockgenesys.client.responses import json_or_raise
from mockgenesys.client.retry import RetryPolicy
from mockgenesys.client.timing import Timing


@dataclass(frozen=True)
class AccessToken:
    """A bearer token and the moment (on the client's clock) it stops being used."""

    value: str
    expires_at: float
    refresh_at: float


class TokenProvider:
    """Client-credentials tokens for one OAuth client.

    The token is cached until ``expires_in`` minus ``margin`` seconds (at most half its life).
    Concurrent callers during a refresh share one token request. After a 401 the caller passes
    the refused token to ``invalidate`` and asks again: only a token still cached is dropped, so
    a hundred callers refused at once still cause one new request.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        client_id: str,
        client_secret: str,
        *,
        margin: float = 60.0,
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
        self._current: AccessToken | None = None
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"TokenProvider(client_id={self.client_id!r})"  # never the secret

    @property
    def current(self) -> AccessToken | None:
        """The cached token, if any (it may be due for refresh)."""
        return self._current

    def _fresh(self) -> str | None:
        token = self._current
        if token is not None and self.timing.now() < token.refresh_at:
            return token.value
        return None

    async def token(self) -> str:
        """A usable bearer token, fetching one only when the cache has none."""
        fresh = self._fresh()
        if fresh is not None:
            return fresh
        async with self._lock:
            fresh = self._fresh()
            if fresh is not None:
                return fresh
            self._current = await self._fetch()
            return self._current.value

    def invalidate(self, token: str) -> None:
        """Forget ``token`` if it is the cached one (the API refused it)."""
        if self._current is not None and self._current.value == token:
            self._current = None

    async def _fetch(self) -> AccessToken:
        async def request() -> httpx.Response:
            self.requests += 1
            return await self.http.post(
                "/oauth/token",
                data={"grant_type": "client_credentials"},
                auth=(self.client_id, self._secret),
            )

        response = await self.retry.send(request, self.timing)
        body = json_or_raise(response)
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            raise ApiError(response.status_code, "malformed.body", "the token response has no access_token")
        lifetime = body.get("expires_in")
        lifetime = float(lifetime) if isinstance(lifetime, (int, float)) and lifetime > 0 else 3600.0
        now = self.timing.now()
        return AccessToken(body["access_token"], now + lifetime, now + lifetime - min(self.margin, lifetime / 2))
