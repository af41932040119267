"""``FrameCall``: one inbound guest frame as the action handlers see it (``MockRequest`` for frames)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mockgenesys.server.websocket import frames
from mockgenesys.server.websocket.refusals import ConnectionCapReached, GuestRefusal, TooManyGuestRequests

if TYPE_CHECKING:
    from mockgenesys.faults.caller import Caller
    from mockgenesys.server.websocket.connection import GuestConnection
    from mockgenesys.server.websocket.hub import GuestHub
    from mockgenesys.world.models import GuestSession
    from mockgenesys.world.store import World


@dataclass(slots=True)
class FrameCall:
    """A parsed client frame on ``conn``, who sent it, and what the journal should say about it.

    Handlers answer with ``reply`` and refuse by raising a ``GuestRefusal``.
    """

    hub: GuestHub
    conn: GuestConnection
    frame: dict[str, Any]
    caller: Caller
    tracing: str | None = None
    #: For the journal: the fingerprint and expiry of a credential this frame issued.
    detail: str | None = None
    expires_at: float | None = None

    @property
    def world(self) -> World:
        """The current world."""
        return self.hub.state.world

    def now(self) -> float:
        """The mock's clock, now."""
        return self.hub.state.clock.now()

    def reply(self, cls: str, body: Any) -> None:
        """Answer with a ``type: response`` frame of class ``cls`` carrying the request's tracingId."""
        self.conn.deliver(frames.response(cls, body, tracing_id=self.tracing))

    def limit(self, name: str, key: str, limit: int | None, period: float, text: str) -> None:
        """Count this request against a guest limit; ``TooManyGuestRequests`` when it is over."""
        retry_after = self.hub.state.hit(name, key, limit, period)
        if retry_after is not None:
            raise TooManyGuestRequests(retry_after, text)

    def attach(self, session: GuestSession) -> None:
        """Bind the connection to ``session``; ``ConnectionCapReached`` past the per-session cap."""
        if not self.hub.sockets.attach(self.conn, session):
            raise ConnectionCapReached()

    def live_session(self) -> GuestSession:
        """The open, unexpired session the frame's token names, attached to the connection."""
        session = self.world.guest_session(self.frame["token"])
        if session is None or session.closed:
            raise GuestRefusal(frames.SESSION_NOT_FOUND, "Session not found. Send configureSession first.")
        if self.hub.sockets.is_expired(session):
            raise GuestRefusal(frames.SESSION_EXPIRED, "Session has expired. Start a new session with a new token.")
        self.attach(session)
        return session
