"""The guest JWT for the REST API: ``getJwt`` on the guest socket, cached like an OAuth token."""

from __future__ import annotations

from mockgenesys.client.channel import SENT_WITH, SESSION_GONE, FrameRateLimited, GuestChannel, SocketLost
from mockgenesys.client.errors import GuestError
from mockgenesys.client.retry import Retry
from mockgenesys.client.tokens import DEFAULT_MARGIN, TokenCache

#: The JWT lifetime assumed when a ``JwtResponse`` carries no ``exp`` (Genesys issues 15 minutes).
DEFAULT_JWT_LIFETIME = 900.0


class GuestJwt:
    """The session's JWT: fetched once however many callers wait, refreshed ``margin`` s before ``exp``.

    A JWT belongs to one session: after the session restarts with a new token the old JWT is never
    handed out again. Implements the ``Bearer`` protocol (``token()``, ``invalidate(refused)``).
    """

    def __init__(self, channel: GuestChannel, *, margin: float = DEFAULT_MARGIN) -> None:
        self.channel = channel
        self._cache = TokenCache(self._fetch, channel.timing, margin=margin)
        self._session: str | None = None  # the session token the cached JWT was issued for

    async def token(self) -> str:
        """A JWT of the current session that is not yet due for refresh."""
        if self._session is not None and self._session != self.channel.token:
            self._cache.clear()
            self._session = None
        return await self._cache.token()

    def invalidate(self, token: str) -> None:
        """Forget ``token`` if it is the cached JWT (the REST API refused it)."""
        self._cache.invalidate(token)

    async def _fetch(self) -> tuple[str, float]:
        channel = self.channel

        async def attempt() -> tuple[str, float] | Retry:
            try:
                reply = await channel.request("getJwt", {})
            except (SocketLost, TimeoutError) as exc:
                return Retry(str(exc) or type(exc).__name__)
            except FrameRateLimited as exc:
                channel.stats.rate_limited += 1
                return Retry(f"rate limited ({exc.detail})", exc.retry_after)
            body = reply.get("body")
            code = int(reply.get("code") or 200)
            if code in SESSION_GONE:
                channel.session_gone(code, str(body), reply.get(SENT_WITH))
                return Retry(f"session gone ({code})")
            if reply.get("class") != "JwtResponse" or not isinstance(body, dict) or "jwt" not in body:
                raise GuestError(code, str(body), hint="getJwt failed.")
            exp = body.get("exp")
            expires_at = float(exp) if isinstance(exp, (int, float)) else channel.timing.now() + DEFAULT_JWT_LIFETIME
            self._session = reply.get(SENT_WITH)
            channel.stats.jwt_fetches += 1
            channel.events.emit("jwt_refreshed", expires_at)
            return str(body["jwt"]), expires_at

        def give_up(retry: Retry, attempts: int) -> tuple[str, float]:
            raise GuestError(
                0,
                f"getJwt failed on all {attempts} attempts ({retry.reason})",
                hint="Check the connection, or raise RetryPolicy.max_attempts.",
            )

        return await channel.retry.run(attempt, channel.timing, give_up=give_up)
