"""``GuestSockets``: the open guest sockets of each guest session, and fan-out to them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mockgenesys.server.websocket import frames

if TYPE_CHECKING:
    from mockgenesys.server.state import ServerState
    from mockgenesys.server.websocket.connection import GuestConnection
    from mockgenesys.world.models import GuestSession


class GuestSockets:
    """Which connections each guest session has; pushes frames to a session or a conversation.

    The agent and the hub both send through it, so neither needs the other to reach a guest.
    """

    def __init__(self, state: ServerState) -> None:
        self.state = state
        #: Live connections by guest session id.
        self.connections: dict[str, list[GuestConnection]] = {}

    def attach(self, conn: GuestConnection, session: GuestSession) -> bool:
        """Bind ``conn`` to ``session``; False, changing nothing, when the session is at its
        connection cap (``session.connections.max``)."""
        if conn.session is session:
            return True
        peers = self.connections.get(session.id, [])
        limits = self.state.limits
        cap = limits.ws_connections_per_session if limits.enabled else None
        if cap is not None and len(peers) >= cap:
            return False
        if conn.session is not None:
            self.detach(conn)
        self.connections.setdefault(session.id, peers).append(conn)
        conn.session = session
        return True

    def detach(self, conn: GuestConnection) -> None:
        """Forget ``conn`` (it closed, or moves to another session)."""
        if conn.session is None:
            return
        peers = self.connections.get(conn.session.id, [])
        if conn in peers:
            peers.remove(conn)
        if not peers:
            self.connections.pop(conn.session.id, None)

    def move(self, old: GuestSession, new: GuestSession) -> None:
        """Every connection of ``old`` now belongs to ``new`` (a step-up merges two sessions)."""
        for conn in self.connections.pop(old.id, []):
            conn.session = new
            self.connections.setdefault(new.id, []).append(conn)

    def of(self, session: GuestSession) -> list[GuestConnection]:
        """The live connections of a guest session."""
        return list(self.connections.get(session.id, []))

    def broadcast(self, session: GuestSession, frame: frames.Frame) -> None:
        """Deliver ``frame`` to every connection of ``session`` (fan-out)."""
        for conn in self.of(session):
            conn.deliver(frame)

    def sessions_of(self, conversation_id: str) -> list[GuestSession]:
        """The open guest sessions on a conversation."""
        world = self.state.world
        return [s for s in world.guest_sessions.values() if s.conversation_id == conversation_id and not s.closed]

    def broadcast_conversation(self, conversation_id: str, frame: frames.Frame) -> None:
        """Deliver ``frame`` to every connection of every guest on the conversation."""
        for session in self.sessions_of(conversation_id):
            self.broadcast(session, frame)

    def expire(self, session: GuestSession) -> None:
        """Expire ``session`` now: its sockets get ``SessionExpiredEvent``; later requests 4006."""
        if session.expired:
            return
        session.expired = True
        session.last_activity = min(session.last_activity, self.state.clock.now() - session.ttl)
        self.broadcast(session, frames.response("SessionExpiredEvent", {}))

    def is_expired(self, session: GuestSession) -> bool:
        """Whether ``session`` has expired (by its TTL on the mock's clock, or on purpose)."""
        if not session.expired and session.expires_at <= self.state.clock.now():
            self.expire(session)
        return session.expired

    def drop_all(self) -> None:
        """Drop every socket, as a restart would."""
        for peers in list(self.connections.values()):
            for conn in list(peers):
                conn.drop()
        self.connections.clear()
