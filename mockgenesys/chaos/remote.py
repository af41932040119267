"""``AdminControl``: the ``MockControl`` of a live server, through its ``/__admin`` API, in real time.

The run reads the server's clock once and keeps the offset (and again after each clock move),
so its own timestamps compare with the journal's. Only the journal rows written after the run
started are judged, and the run's texts carry a random tag, so a used server does not mix runs.
The admin API names guest tokens by fingerprint only, so connections that ``occupy`` holds are
attached by the server itself (``POST /__admin/guests/occupy``), as in-process.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Coroutine, Sequence
from typing import Any

import httpx

from mockgenesys.chaos.control import Evidence, Firing, MockFacts, SessionInfo
from mockgenesys.chaos.errors import ControlError
from mockgenesys.clock import SystemClock
from mockgenesys.journal import Entry

ADMIN_TIMEOUT = 30.0
INACTIVE_STATES = ("disconnected", "terminated")  # the states Conversation.is_active rules out


class _Occupation:
    """Connections the server attached to one session for ``occupy``, until ``release``."""

    def __init__(self, api: AdminApi, name: str, opened: int) -> None:
        self.api = api
        self.name = name
        self._opened = opened
        self._released = False

    @property
    def opened(self) -> int:
        return self._opened

    async def release(self) -> None:
        if not self._released:
            self._released = True
            await self.api.call("DELETE", f"/__admin/guests/occupy/{self.name}", missing_ok=True)


class AdminApi:
    """``/__admin`` of one server: each call answers, or raises ``ControlError`` in one sentence."""

    def __init__(self, url: str, http: httpx.AsyncClient) -> None:
        self.url = url
        self.http = http

    async def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        params: dict[str, Any] | None = None,
        missing_ok: bool = False,
    ) -> httpx.Response:
        try:
            response = await self.http.request(method, path, json=body, params=params)
        except httpx.HTTPError as exc:
            raise ControlError(
                f"Cannot reach the mock's admin API at {self.url}/__admin ({type(exc).__name__}: {exc}); "
                "start the server or fix --target."
            ) from None
        if response.status_code == 404 and missing_ok:
            return response
        if response.status_code == 401:
            raise ControlError(f"The admin API at {self.url} needs a token; pass --admin-token (admin_token=...).")
        if response.status_code >= 400:
            raise ControlError(f"{method} {self.url}{path} answered {response.status_code}: {response.text[:300]}")
        return response

    async def json(self, method: str, path: str, body: Any = None) -> Any:
        return (await self.call(method, path, body)).json()

    async def journal(self, **params: Any) -> list[Entry]:
        lines = (await self.call("GET", "/__admin/journal", params=params)).text.splitlines()
        return [Entry(**json.loads(line)) for line in lines if line.strip()]


class AdminControl:
    """Drives the live mock behind ``api`` in real time.

    Build it with ``AdminControl.connect(url, admin_token=...)``, which checks that the admin
    API answers, reads the world's ids and notes where the journal stands.
    """

    def __init__(self, api: AdminApi, world: dict[str, Any], *, offset: float, since: int) -> None:
        self.api = api
        self.offset = offset
        self.since = since
        try:
            client = world["clients"][0]
            self._facts = MockFacts(
                org_id=str(world["orgs"][0]["id"]),
                deployment_id=str(world["deployments"][0]["id"]),
                client_id=str(client["id"]),
                client_secret=str(client["secret"]),
                clock=SystemClock(),
                base_url=api.url,
            )
        except (KeyError, IndexError, TypeError) as exc:
            raise ControlError(
                f"The world of {api.url} lacks an org, an OAuth client or a deployment ({exc!r}); load a complete one."
            ) from None

    @classmethod
    @contextlib.asynccontextmanager
    async def connect(cls, url: str, *, admin_token: str | None = None) -> AsyncIterator[AdminControl]:
        """An ``AdminControl`` for the server at ``url``; ``ControlError`` when its admin API does not answer."""
        url = url.rstrip("/")
        headers = {"Authorization": f"Bearer {admin_token}"} if admin_token else {}
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=ADMIN_TIMEOUT) as http:
            api = AdminApi(url, http)
            now = float((await api.json("GET", "/__admin/clock"))["now"])
            world = await api.json("GET", "/__admin/world")
            since = max((e.seq for e in await api.journal(endpoint="admin.*")), default=0)
            yield cls(api, world, offset=now - time.time(), since=since)

    @property
    def facts(self) -> MockFacts:
        return self._facts

    @property
    def is_live(self) -> bool:
        return True

    def now(self) -> float:
        return time.time() + self.offset

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))

    async def drive(self, main: Coroutine[Any, Any, None], *, max_seconds: float) -> None:
        await main  # real time: the wall-clock limit is the runner's

    # ------------------------------------------------------------------ faults and clock
    async def add_fault(self, rule: dict[str, Any]) -> str:
        answer = await self.api.json("POST", "/__admin/faults", rule)
        return str(answer["faults"][0]["id"])

    async def remove_fault(self, rule_id: str) -> bool:
        response = await self.api.call("DELETE", f"/__admin/faults/{rule_id}", missing_ok=True)
        return response.status_code != 404

    async def clear_faults(self) -> None:
        await self.api.call("DELETE", "/__admin/faults")

    async def advance(self, seconds: float) -> None:
        # Move our view first: a text asked for while the request is under way then counts as after
        # the jump (at worst it seems to arrive early), never as waiting through it (a false alarm).
        self.offset += seconds
        answer = await self.api.json("POST", "/__admin/clock/advance", {"seconds": seconds})
        self.offset = float(answer["now"]) - time.time()

    async def expire_tokens(self, client_id: str | None) -> int:
        body = {"clientId": client_id} if client_id is not None else {}
        return int((await self.api.json("POST", "/__admin/world/expire-tokens", body))["expired"])

    # ------------------------------------------------------------------ guests and agent
    async def sessions(self) -> list[SessionInfo]:
        world = await self.api.json("GET", "/__admin/world")
        active = {str(c["id"]) for c in world["conversations"] if c.get("state") not in INACTIVE_STATES}
        found = [
            SessionInfo(
                str(s["id"]),
                str(s["token_fingerprint"]),
                str(s["deployment_id"]),
                str(s["conversation_id"]),
                str(s["conversation_id"]) in active,
            )
            for s in world["guest_sessions"]
            if not s.get("closed") and not s.get("expired")
        ]
        return sorted(found, key=lambda s: s.id)

    async def expire_session(self, session_id: str) -> None:
        await self.api.call("POST", "/__admin/world/expire-sessions", {"sessionId": session_id})

    async def agent_reply(self, conversation_id: str, text: str) -> None:
        await self.api.call("POST", f"/__admin/agent/{conversation_id}/reply", {"text": text})

    async def agent_disconnect(self, conversation_id: str) -> None:
        await self.api.call("POST", f"/__admin/agent/{conversation_id}/disconnect")

    async def connections(self) -> dict[str, int]:
        sessions = (await self.api.json("GET", "/__admin/connections"))["sessions"]
        return {str(sid): int(n) for sid, n in sorted(sessions.items()) if n}

    async def drop(self, session_ids: Sequence[str]) -> int:
        answer = await self.api.json("POST", "/__admin/guests/drop", {"sessions": list(session_ids)})
        return int(answer["dropped"])

    async def occupy(self, session: SessionInfo, count: int) -> _Occupation:
        answer = await self.api.json("POST", "/__admin/guests/occupy", {"session": session.id, "count": count})
        return _Occupation(self.api, str(answer["occupation"]), int(answer["opened"]))

    # ------------------------------------------------------------------ evidence
    async def world(self) -> dict[str, Any]:
        snapshot: dict[str, Any] = await self.api.json("GET", "/__admin/world")
        return snapshot

    async def evidence(self) -> Evidence:
        world = await self.world()
        entries = await self.api.journal(since=self.since)
        return Evidence(
            conversations=world["conversations"],
            guest_sessions=world["guest_sessions"],
            seed_sessions=world["seed_sessions"],
            entries=entries,
            firings=[Firing(e.time, e.fault, e.endpoint) for e in entries if e.fault],
            contacts=world.get("contacts", []),
        )
