"""Guest WebSocket errors as values, like ``ApiError`` over HTTP.

An action handler raises a ``GuestRefusal``; the hub renders it in one place (the frames it
sends, whether the socket closes) and journals its ``status``. A fault's ``Reply`` becomes a
refusal through ``from_reply``, so it is rendered the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mockgenesys.errors import MockGenesysError
from mockgenesys.journal import CLOSED
from mockgenesys.server.websocket import frames

if TYPE_CHECKING:
    from mockgenesys.faults.outcome import Reply
    from mockgenesys.server.websocket.frames import Frame


class GuestRefusal(MockGenesysError):
    """A guest request answered with a ``class: "string"`` error frame whose code is ``code``.

    ``status`` and ``journal_code`` are what the journal records for the request; ``closes``
    says whether the socket closes after the frames.
    """

    closes = False

    def __init__(self, code: int, text: str) -> None:
        super().__init__(text)
        self.code = code
        self.text = text
        self.status = code
        self.journal_code: str | None = None
        self.retry_after: int | None = None

    def frames(self, tracing_id: str | None) -> list[Frame]:
        """The frames that answer the request."""
        return [frames.error(self.code, self.text, tracing_id=tracing_id)]


class TooManyGuestRequests(GuestRefusal):
    """A guest limit (or a fault) answered ``TooManyRequestsErrorMessage`` with ``retryAfter``."""

    def __init__(self, retry_after: int, text: str) -> None:
        super().__init__(429, text)
        self.retry_after = retry_after

    def frames(self, tracing_id: str | None) -> list[Frame]:
        return [frames.too_many_requests(self.retry_after or 0, self.text, tracing_id=tracing_id)]


class UploadRefused(GuestRefusal):
    """``onAttachment`` refused: an ``UploadFailureEvent`` with the Genesys file error ``code``."""

    def __init__(self, attachment_id: str, code: int, text: str, timestamp: str) -> None:
        super().__init__(code, text)
        self.attachment_id = attachment_id
        self.timestamp = timestamp

    def frames(self, tracing_id: str | None) -> list[Frame]:
        body = {
            "attachmentId": self.attachment_id,
            "errorCode": self.code,
            "errorMessage": self.text,
            "timestamp": self.timestamp,
        }
        return [frames.message("UploadFailureEvent", body, tracing_id=tracing_id)]


class ConnectionCapReached(GuestRefusal):
    """The session already has its maximum of connections: ``ConnectionClosedEvent``, then the socket closes."""

    closes = True

    def __init__(self) -> None:
        super().__init__(1000, "session connection limit reached")
        self.status = 0
        self.journal_code = CLOSED

    def frames(self, tracing_id: str | None) -> list[Frame]:
        # Genesys' transport reads a reason-less ConnectionClosedEvent as "session limit reached".
        return [frames.message("ConnectionClosedEvent", {})]


def from_reply(reply: Reply) -> GuestRefusal:
    """The refusal a fault's reply sends on the socket: ``TooManyRequestsErrorMessage`` for a 429,
    an error frame with the status as its code otherwise."""
    if reply.status != 429:
        return GuestRefusal(reply.status, reply.message or "Request failed.")
    # An HTTP-style rule (``status: 429``) always promises a wait; ``ws: {too_many}`` says its own.
    retry_after = reply.retry_after if reply.websocket_only else reply.retry_after or 1
    return TooManyGuestRequests(retry_after or 0, reply.message or "Request rate too high")
