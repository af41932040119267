"""The guest's conversation history over REST: every page of ``GET /api/v2/webmessaging/messages``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from mockgenesys.client.messages import GuestMessage
from mockgenesys.client.paging import read_pages, unique
from mockgenesys.client.responses import json_or_raise
from mockgenesys.client.retry import RetryGate, RetryPolicy
from mockgenesys.client.timing import Timing
from mockgenesys.client.tokens import Bearer, call_with_bearer

HISTORY_PATH = "/api/v2/webmessaging/messages"


class GuestHistory:
    """Reads the guest's conversation with a guest JWT, oldest message first.

    Each page is retried under the policy (behind the client's Retry-After ``gate``), each attempt
    with the JWT cached at that moment (an expired or refused one is never sent); a 401 gets one
    fresh JWT for that page, and the refused one is never sent again.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        bearer: Bearer,
        *,
        retry: RetryPolicy,
        timing: Timing,
        gate: RetryGate,
        page_size: int,
    ) -> None:
        self.http = http
        self.bearer = bearer
        self.retry = retry
        self.timing = timing
        self.gate = gate
        self.page_size = page_size

    async def read(self) -> list[GuestMessage]:
        """Every message of the conversation, oldest first (Genesys pages newest first)."""

        async def fetch(page: int) -> Any:
            async def call(credential: Callable[[], Awaitable[str]]) -> httpx.Response:
                async def get() -> httpx.Response:
                    return await self.http.get(
                        HISTORY_PATH,
                        params={"pageSize": self.page_size, "pageNumber": page},
                        headers={"Authorization": f"Bearer {await credential()}"},
                    )

                return await self.retry.send(get, self.timing, gate=self.gate)

            return json_or_raise(await call_with_bearer(self.bearer, call))

        entities = await read_pages(fetch, page_size=self.page_size, where="guest history")
        newest_first = unique((GuestMessage.from_body(e) for e in entities), key=lambda m: m.id or None)
        return newest_first[::-1]
