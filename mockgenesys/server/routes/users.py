"""``GET /api/v2/users/me``, and the answer Genesys gives every user-scoped endpoint called with
a client-credentials token.

Every OAuth token the mock issues is a client-credentials token (the only grant it implements),
so there is no logged-in user: Genesys answers such calls ``400`` "This request requires a user
context. Client credentials cannot be used for requests to this resource." (measured on a real
org for ``/users/me``; the ``code`` value and the same answer for ``/conversations/messages`` are
inferred, see docs/server.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mockgenesys.server.http import ApiError, MockRequest, MockResponse, Route

if TYPE_CHECKING:
    from mockgenesys.server.core import Server

USER_CONTEXT_MESSAGE = (
    "This request requires a user context. Client credentials cannot be used for requests to this resource."
)


def user_context_required() -> ApiError:
    """The 400 for a user-scoped endpoint called with a client-credentials token."""
    return ApiError(400, "bad.request", USER_CONTEXT_MESSAGE)


def me(server: Server, req: MockRequest) -> MockResponse:
    raise user_context_required()


ROUTES = [Route("GET", "/api/v2/users/me", "users.me", me)]
