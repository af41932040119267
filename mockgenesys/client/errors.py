"""Typed errors of the client core: one root, and every message says what to do next.

Every exception a public call of ``mockgenesys.client`` raises is a ``ClientError``::

    ClientError
    ├── ClientConfigError (also ValueError)    the client was configured wrongly
    ├── ApiError                               an HTTP error status (status, code, correlation_id)
    │   ├── AuthenticationError                401 even after one fresh token; 400 invalid_client
    │   ├── PermissionDeniedError              403: a permission is missing (never retried)
    │   ├── NotFoundError                      404
    │   ├── RateLimitedError                   429 on every attempt the RetryPolicy allowed
    │   └── ServerError                        502/503/504 (or another 5xx) on every attempt
    ├── ConnectionFailedError                  the network failed on every attempt
    ├── GuestError                             the guest WebSocket answered with an error code
    │   └── SessionExpiredError                4006/4007 and ``restart_expired=False``
    ├── ConversationClosedError                the conversation is read-only
    ├── MessageFailedError                     a send failed; ``cause`` is one of the above
    ├── NotConnectedError                      a guest call before login_guest() or after aclose()
    ├── SessionValidationError (also ValueError) a guest-session payload broke a rule
    ├── SignatureError                         a signed session cookie failed verification
    └── ReplayError                            a request nonce was seen before
"""

from __future__ import annotations

from typing import Any


class ClientError(Exception):
    """Root of every error the client core raises."""


class ClientConfigError(ClientError, ValueError):
    """The client was configured wrongly (a missing secret, an impossible bound...)."""


class ApiError(ClientError):
    """Genesys answered with an error status the client cannot recover from on its own.

    ``status``, ``code`` (the Genesys error code such as ``bad.credentials``), ``detail`` (the
    server's message) and ``correlation_id`` (quote it to Genesys support) come from the response.
    """

    hint = "Check the request against the Genesys API reference."

    def __init__(
        self,
        status: int,
        code: str | None = None,
        detail: str | None = None,
        *,
        correlation_id: str | None = None,
        body: Any = None,
        hint: str | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.detail = detail
        self.correlation_id = correlation_id
        self.body = body
        if hint is not None:
            self.hint = hint
        said = f"HTTP {status}" + (f" {code}" if code else "") + (f": {detail}" if detail else "")
        tail = f" (correlation id {correlation_id})" if correlation_id else ""
        super().__init__(f"{said}{tail}. {self.hint}")


class AuthenticationError(ApiError):
    """401: the credentials or the token were refused even after one fresh token."""

    hint = "Check the OAuth client id and secret, and that the client uses the Client Credentials grant."


class PermissionDeniedError(ApiError):
    """403: the OAuth client lacks a permission (the body names it)."""

    hint = "Grant the missing permission to the OAuth client's role in Genesys Cloud Admin > OAuth."


class NotFoundError(ApiError):
    """404: the conversation, contact or session does not exist (or is not visible to this client)."""

    hint = "Check the id, and that it belongs to the organization the OAuth client lives in."


class RateLimitedError(ApiError):
    """429 on every attempt the retry policy allowed."""

    hint = "Send fewer requests, or raise RetryPolicy.max_attempts / max_elapsed to wait longer."


class ServerError(ApiError):
    """502, 503 or 504 on every attempt the retry policy allowed."""

    hint = "Genesys is unavailable; retry later or raise RetryPolicy.max_elapsed."


class ConnectionFailedError(ClientError):
    """The network failed on every attempt the retry policy allowed."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"{detail}. Check the base URL and the network, or raise RetryPolicy.max_attempts.")


class GuestError(ClientError):
    """The guest WebSocket answered a request with an error code."""

    def __init__(self, code: int, detail: str, *, hint: str = "") -> None:
        self.code = code
        self.detail = detail
        super().__init__(f"WebSocket error {code}: {detail}." + (f" {hint}" if hint else ""))


class SessionExpiredError(GuestError):
    """The guest session expired (4006) or was cleared (4007) and no new session was allowed."""

    def __init__(self, code: int, detail: str) -> None:
        super().__init__(
            code, detail, hint="Start a new guest session, or construct the client with restart_expired=True."
        )


class ConversationClosedError(ClientError):
    """The conversation is closed or read-only; nothing more can be sent to it."""

    def __init__(self, conversation_id: str | None) -> None:
        self.conversation_id = conversation_id
        super().__init__(
            f"Conversation {conversation_id or '(unknown)'} is closed or read-only. "
            "Start a new conversation (login_guest(start_new=True)) to keep talking."
        )


class MessageFailedError(ClientError):
    """A message could not be delivered; ``text`` is the message, ``cause`` why."""

    def __init__(self, text: str, cause: BaseException) -> None:
        self.text = text
        self.cause = cause
        preview = text if len(text) <= 40 else text[:37] + "..."
        super().__init__(f"Message {preview!r} was not delivered: {cause}")


class NotConnectedError(ClientError):
    """A guest call was made before ``login_guest()`` or after ``aclose()``."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} needs a connected guest: call 'await client.login_guest()' first.")


class SessionValidationError(ClientError, ValueError):
    """A guest-session payload broke a rule; ``issues`` lists every broken rule."""

    def __init__(self, issues: list[str]) -> None:
        self.issues = issues
        super().__init__(f"Schema validation failed: {', '.join(issues)}")


class SignatureError(ClientError):
    """A signed session cookie failed verification (tampered, expired or signed with another key)."""


class ReplayError(ClientError):
    """A request nonce was seen before: the request is a replay."""
