"""The live guest WebSocket: a Starlette route at ``/v1?deploymentId=...``."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from mockgenesys.server.asgiqueue import pump
from mockgenesys.types import HandshakeRejected

if TYPE_CHECKING:
    from mockgenesys.server.websocket.hub import GuestHub


def websocket_route(hub: GuestHub, path: str = "/v1") -> WebSocketRoute:
    async def endpoint(websocket: WebSocket) -> None:
        host = websocket.headers.get("host", "127.0.0.1")
        try:
            conn = hub.open(
                websocket.query_params.get("deploymentId"),
                base_url=f"http://{host}",
                loop=asyncio.get_running_loop(),
                origin=websocket.headers.get("origin"),
            )
        except HandshakeRejected:
            await websocket.close(code=1008)  # before accept: the server answers HTTP 403
            return
        await websocket.accept()
        sending = asyncio.create_task(pump(websocket, conn))
        try:
            while not conn.closed:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    break
                text = message.get("text")
                if text is None:
                    text = (message.get("bytes") or b"").decode("utf-8", "replace")
                hub.receive(conn, text)
                # Frames already buffered come back from receive() without a pause: yield, so one
                # socket sending as fast as it can does not keep every other client waiting.
                await asyncio.sleep(0)
        except WebSocketDisconnect:
            pass
        finally:
            conn.close(1000, "client gone")
            with contextlib.suppress(Exception):
                await asyncio.wait_for(sending, timeout=5)

    return WebSocketRoute(path, endpoint)
