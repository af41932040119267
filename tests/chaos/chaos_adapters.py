"""Small guest adapters for the chaos tests: a careful one and deliberately broken ones.

``WsGuest`` speaks the guest WebSocket protocol itself (in-process or live), waits out
``TooManyRequests``, opens a new session after 4006/4007 and a new conversation after the
read-only 403, reconnects after a drop, and restores history with ``getJwt`` + the messages API.
"""

from __future__ import annotations

import contextlib
import json
import random
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from typing import Any

import httpx
import websockets

from mockgenesys.chaos import GuestContext, PlatformContext
from mockgenesys.types import WebSocketClosed

MAX_ATTEMPTS = 12


class GuestFailed(Exception):
    pass


class WsGuest:
    def __init__(self, ctx: GuestContext) -> None:
        self.ctx = ctx
        self.rng = random.Random(ctx.seed)
        self.token = self._new_token()
        self.stack: AsyncExitStack | None = None
        self.ws: Any = None
        self.count = 0
        self.jwt: tuple[str, str, float] | None = None  # (jwt, session token, exp)
        if ctx.mock is not None:
            self.http = httpx.AsyncClient(transport=ctx.mock.transport(), base_url="https://api.mypurecloud.com")
        else:
            assert ctx.base_url is not None
            self.http = httpx.AsyncClient(base_url=ctx.base_url)

    def _new_token(self) -> str:
        return f"{self.ctx.name}-{self.rng.getrandbits(48):012x}"

    def _connector(self) -> AbstractAsyncContextManager[Any]:
        if self.ctx.mock is not None:
            return self.ctx.mock.connect_guest()
        assert self.ctx.base_url is not None
        url = self.ctx.base_url.replace("http://", "ws://") + f"/v1?deploymentId={self.ctx.deployment_id}"
        return websockets.connect(url)

    async def _connect(self, *, start_new: bool = False) -> None:
        if self.stack is not None:
            await self.stack.aclose()
        self.stack = AsyncExitStack()
        self.ws = await self.stack.enter_async_context(self._connector())
        for _ in range(MAX_ATTEMPTS):
            frame: dict[str, Any] = {
                "action": "configureSession",
                "token": self.token,
                "deploymentId": self.ctx.deployment_id,
                "tracingId": "configure",
            }
            if start_new:
                frame["startNew"] = True
            await self.ws.send(json.dumps(frame))
            answer = await self._answer("configure")
            if answer.get("class") == "SessionResponse":
                return
            if answer.get("class") == "TooManyRequestsErrorMessage":
                await self.ctx.clock.sleep(answer["body"]["retryAfter"])
            elif answer.get("code") in (4006, 4007):
                self.token = self._new_token()
            else:
                raise GuestFailed(f"configureSession refused: {answer}")
        raise GuestFailed("could not configure a session")

    async def _answer(self, tracing: str) -> dict[str, Any]:
        """The next frame answering ``tracing`` (events and other frames are skipped)."""
        for _ in range(10_000):
            frame = json.loads(await self.ws.recv())
            if frame.get("tracingId") == tracing:
                return dict(frame)
        raise GuestFailed("no answer")

    async def start(self) -> None:
        await self._connect()

    async def _request(self, action: dict[str, Any], until: str, *, renew: bool = False) -> dict[str, Any]:
        """Send ``action`` (with the current token) until the answer is an ``until`` frame.

        Reconnects after a close and waits out ``TooManyRequests``; with ``renew`` it also opens a
        new session after 4006/4007 and a new conversation after the read-only 403.
        """
        for _ in range(MAX_ATTEMPTS):
            try:
                await self.ws.send(json.dumps({"action": action["action"], "token": self.token} | action))
                answer = await self._answer(action["tracingId"])
            except (WebSocketClosed, websockets.ConnectionClosed):
                await self._connect()
                continue
            if answer.get("class") == until:
                return answer
            if answer.get("class") == "TooManyRequestsErrorMessage":
                await self.ctx.clock.sleep(answer["body"]["retryAfter"])
            elif renew and answer.get("code") in (4006, 4007):
                self.token = self._new_token()
                await self._connect()
            elif renew and answer.get("code") == 403:
                await self._connect(start_new=True)
            else:
                raise GuestFailed(f"{action['action']} refused: {answer}")
        raise GuestFailed(f"gave up on {action['action']} {action['tracingId']!r} after {MAX_ATTEMPTS} attempts")

    async def send(self, text: str) -> None:
        self.count += 1
        message = {"type": "Text", "text": text}
        action = {"action": "onMessage", "tracingId": f"{self.ctx.name}-t{self.count}", "message": message}
        await self._request(action, "StructuredMessage", renew=True)

    async def _jwt(self) -> str:
        """The guest JWT, cached until a minute before its ``exp`` (one per session)."""
        if self.jwt is None or self.jwt[1] != self.token or self.ctx.clock.now() > self.jwt[2] - 60:
            answer = await self._request({"action": "getJwt", "tracingId": "jwt"}, "JwtResponse")
            self.jwt = (answer["body"]["jwt"], self.token, float(answer["body"]["exp"]))
        return self.jwt[0]

    async def restore(self) -> list[str]:
        jwt = await self._jwt()
        texts: list[str] = []
        for page in range(1, 100):
            response = await self.http.get(
                "/api/v2/webmessaging/messages",
                params={"pageSize": 25, "pageNumber": page},
                headers={"Authorization": f"Bearer {jwt}"},
            )
            if response.status_code == 429:
                await self.ctx.clock.sleep(float(response.headers.get("retry-after", "1")))
                continue
            if response.status_code != 200:
                raise GuestFailed(f"history page {page}: {response.status_code}")
            body = response.json()
            texts.extend(m.get("text", "") for m in body["entities"])
            if page >= body.get("pageCount", 1):
                break
        return list(reversed(texts))

    async def close(self) -> None:
        if self.stack is not None:
            with contextlib.suppress(Exception):
                await self.stack.aclose()
        await self.http.aclose()


class DoubleSender(WsGuest):
    """Sends every third message twice under different tracing ids: duplicates on the server."""

    async def send(self, text: str) -> None:
        await super().send(text)
        if self.count % 3 == 1:
            await super().send(text)


class Forgetful(WsGuest):
    """Reports every fourth message as sent without sending it: lost messages."""

    asked = 0

    async def send(self, text: str) -> None:
        self.asked += 1
        if self.asked % 4 == 0:
            return
        await super().send(text)


class FirstPageBackend:
    """A platform adapter that reads only the first page of everything (and never refreshes)."""

    def __init__(self, ctx: PlatformContext) -> None:
        assert ctx.mock is not None
        self.ctx = ctx
        self.http = httpx.AsyncClient(transport=ctx.mock.transport(), base_url="https://api.mypurecloud.com")
        self.token = ""

    async def start(self) -> None:
        response = await self.http.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, auth=(self.ctx.client_id, self.ctx.client_secret)
        )
        self.token = response.json()["access_token"]

    async def _page(self, path: str, **params: Any) -> dict[str, Any]:
        response = await self.http.get(path, params=params, headers={"Authorization": f"Bearer {self.token}"})
        if response.status_code != 200:
            raise GuestFailed(f"GET {path}: {response.status_code}")
        body: dict[str, Any] = response.json()
        return body

    async def organization(self) -> str:
        return str((await self._page("/api/v2/organizations/me"))["id"])

    async def history(self, conversation_id: str) -> list[str]:
        body = await self._page(f"/api/v2/conversations/messaging/{conversation_id}/messages", sortOrder="asc")
        return [str(e.get("text") or "") for e in body["entities"] if e.get("type") != "event"]

    async def search_contacts(self, query: str) -> list[str]:
        return [str(e["id"]) for e in (await self._page("/api/v2/externalcontacts/contacts"))["entities"]]

    async def close(self) -> None:
        await self.http.aclose()
