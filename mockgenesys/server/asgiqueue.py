"""The live end of a server socket: what a connection queued goes out over a Starlette WebSocket.

The guest and the notification sockets share it.
"""

from __future__ import annotations

import contextlib

from starlette.websockets import WebSocket

from mockgenesys.server.inprocess import DROPPED, QueuedConnection

#: A dropped connection cannot say 1006 on the wire; 1012 ("service restart") tells
#: clients to reconnect, which is what a network drop asks of them.
LIVE_DROP_CODE = 1012


async def pump(websocket: WebSocket, conn: QueuedConnection) -> None:
    """Send ``conn``'s queued frames until its close marker, then close ``websocket`` with its code."""
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
