from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from mockgenesys import MockGenesys
from mockgenesys.client import ClientError
from mockgenesys.server.websocket.inprocess import InProcessGuestSocket
from mockgenesys.stateful import ReauthMachine, reauth_machine
from mockgenesys.types import WebSocketClosed

TestCoreClientReauth = ReauthMachine.TestCase


class BrokenAdapter:
    """Everything the tutorials warn about: resends blindly, ignores Retry-After, reuses refused JWTs."""

    def __init__(self, mock: MockGenesys, seed: int) -> None:
        self.mock = mock
        self.token = str(uuid.UUID(int=seed, version=4))
        self.socket: InProcessGuestSocket | None = None
        self.jwt: str | None = None
        self.http = httpx.AsyncClient(transport=mock.transport(), base_url="https://api.mypurecloud.com")

    async def call(self, action: str, **fields: Any) -> dict[str, Any] | None:
        if self.socket is None or self.socket.closed:
            self.socket = InProcessGuestSocket(self.mock.hub, self.mock.hub.open(self.mock.deployment_id))
            await self.socket.send(
                json.dumps({"action": "configureSession", "token": self.token, "deploymentId": self.mock.deployment_id})
            )
            self.socket.pending()
        await self.socket.send(json.dumps({"action": action, "token": self.token, "tracingId": "t", **fields}))
        frames = [json.loads(f) for f in self.socket.pending()]
        return next((f for f in frames if f.get("tracingId") == "t"), None)

    async def start(self) -> None:
        await self.call("echo", message={"type": "Text", "text": "ping"})

    async def send(self, text: str) -> None:
        for _ in range(10):
            try:
                reply = await self.call("onMessage", message={"type": "Text", "text": text})
            except WebSocketClosed:
                continue
            if reply is None or reply.get("class") == "TooManyRequestsErrorMessage":
                continue  # no echo? send again. Told to wait? don't.
            if reply.get("code") in (4006, 4007):
                self.token = str(uuid.uuid4())
                continue
            return
        raise ClientError("gave up")

    async def restore(self) -> list[str]:
        if self.jwt is None:
            reply = await self.call("getJwt")
            self.jwt = reply["body"]["jwt"] if reply and reply.get("class") == "JwtResponse" else "none"
        response = await self.http.get("/api/v2/webmessaging/messages", headers={"Authorization": f"Bearer {self.jwt}"})
        if response.status_code != 200:
            response = await self.http.get(
                "/api/v2/webmessaging/messages", headers={"Authorization": f"Bearer {self.jwt}"}
            )
            raise ClientError(f"history failed: {response.status_code}")
        return [m.get("text", "") for m in reversed(response.json()["entities"])]

    async def close(self) -> None:
        await self.http.aclose()
        if self.socket is not None:
            await self.socket.close()


def test_the_machine_catches_a_broken_client() -> None:
    machine = reauth_machine(BrokenAdapter, name="BrokenClientMachine")
    search = settings(
        max_examples=300,
        stateful_step_count=12,
        deadline=None,
        derandomize=True,
        database=None,
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
    )
    with pytest.raises(AssertionError) as caught:
        run_state_machine_as_test(machine, settings=search)
    found = str(caught.value)
    assert any(
        rule in found
        for rule in (
            "duplicate_message",
            "retry_after",
            "token_reuse_after_401",
            "the server has",
            "differs from the server",
        )
    )
