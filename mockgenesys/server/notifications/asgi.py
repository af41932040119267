"""The live notification WebSocket: a Starlette route at ``/channels/{channelId}`` (the ``connectUri``)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from mockgenesys.server.asgiqueue import pump

if TYPE_CHECKING:
    from mockgenesys.server.notifications.hub import NotificationHub

#: A dropped socket cannot say 1006 on the wire; 1012 ("service restart") asks clients to reconnect.
PATH = "/channels/{channel_id}"


def notification_route(hub: NotificationHub) -> WebSocketRoute:
    """The route serving every channel's ``connectUri``."""

    async def endpoint(websocket: WebSocket) -> None:
        conn = hub.open(websocket.path_params["channel_id"], loop=asyncio.get_running_loop())
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
                await asyncio.sleep(0)  # one frame at a time: a flooding client cannot starve the others
        except WebSocketDisconnect:
            pass
        finally:
            hub.disconnect(conn, 1000, "client gone")
            with contextlib.suppress(Exception):
                await asyncio.wait_for(sending, timeout=5)

    return WebSocketRoute(PATH, endpoint)
