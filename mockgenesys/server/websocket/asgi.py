"""The live guest WebSocket: a Starlette route at ``/v1?deploymentId=...``."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from mockgenesys.server.websocket.connection import DROPPED
from mockgenesys.types import HandshakeRejected

if TYPE_CHECKING:
    from mockgenesys.server.websocket.connection import GuestConnection
    from mockgenesys.server.websocket.hub import GuestHub

#: A dropped connection cannot say 1006 on the wire; 1012 ("service restart") tells
#: clients to reconnect, which is what a network drop asks of them.
LIVE_DROP_CODE = 1012


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
        pump = asyncio.create_task(_pump(websocket, conn))
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
                await asyncio.wait_for(pump, timeout=5)

    return WebSocketRoute(path, endpoint)


async def _pump(websocket: WebSocket, conn: GuestConnection) -> None:
    while True:
        item = await conn.queue.get()
        if item is None:
            code = LIVE_DROP_CODE if conn.close_code == DROPPED else conn.close_code
            with contextlib.suppress(Exception):
                await websocket.close(code=code, reason=conn.close_reason)
            return
        try:
            await websocket.send_text(item)
        except Exception:  # the client went away; the receive loop notices
            return
