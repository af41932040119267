"""The simulated Genesys Cloud server: routes, auth, error bodies, the ASGI app."""

from __future__ import annotations

from mockgenesys.server.core import Server
from mockgenesys.server.http import ApiError, MockRequest, MockResponse, OAuthError, Route

__all__ = ["ApiError", "MockRequest", "MockResponse", "OAuthError", "Route", "Server"]
