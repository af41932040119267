"""The guest WebSocket API (``wss://webmessaging.<region>/v1``), live and in-process."""

from __future__ import annotations

from mockgenesys.server.websocket.connection import GuestConnection
from mockgenesys.server.websocket.hub import GuestHub
from mockgenesys.server.websocket.inprocess import InProcessGuestSocket
from mockgenesys.server.websocket.refusals import GuestRefusal
from mockgenesys.server.websocket.sockets import GuestSockets

__all__ = ["GuestConnection", "GuestHub", "GuestRefusal", "GuestSockets", "InProcessGuestSocket"]
