"""The simulated Genesys Cloud server: routes, auth, error bodies, the guest WebSocket, the ASGI app."""

from __future__ import annotations

from mockgenesys.server.core import Server
from mockgenesys.server.http import ApiError, MockRequest, MockResponse, OAuthError, Route
from mockgenesys.server.state import ServerState

__all__ = ["ApiError", "MockRequest", "MockResponse", "OAuthError", "Route", "Server", "ServerState"]
