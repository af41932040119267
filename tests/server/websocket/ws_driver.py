"""A small driver for in-process guest sockets, shared by the WebSocket tests."""

from __future__ import annotations

import json
from typing import Any

from mockgenesys.server.websocket import InProcessGuestSocket


class Guest:
    """A tiny test driver over an in-process guest socket."""

    def __init__(self, socket: InProcessGuestSocket, token: str, deployment_id: str) -> None:
        self.socket = socket
        self.token = token
        self.deployment_id = deployment_id

    async def send(self, action: str, **fields: Any) -> None:
        await self.socket.send(json.dumps({"action": action, "token": self.token, **fields}))

    async def recv(self) -> dict[str, Any]:
        frame: dict[str, Any] = json.loads(await self.socket.recv())
        return frame

    async def request(self, action: str, **fields: Any) -> dict[str, Any]:
        await self.send(action, **fields)
        return await self.recv()

    async def configure(self, **fields: Any) -> dict[str, Any]:
        return await self.request("configureSession", deploymentId=self.deployment_id, **fields)

    async def say(self, text: str, **fields: Any) -> dict[str, Any]:
        return await self.request("onMessage", message={"type": "Text", "text": text}, **fields)

    def pending(self) -> list[dict[str, Any]]:
        return [json.loads(item) for item in self.socket.pending()]
