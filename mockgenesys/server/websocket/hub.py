"""``GuestHub``: the guest WebSocket server — connections, sessions, fan-out, limits, TTL."""

from __future__ import annotations

import asyncio
import json
import time
from typing import TYPE_CHECKING, Any

from mockgenesys.journal import fingerprint
from mockgenesys.scheduler import Scheduler
from mockgenesys.server.websocket import frames
from mockgenesys.server.websocket.connection import GuestConnection
from mockgenesys.server.ws_types import WsInterceptor
from mockgenesys.types import HandshakeRejected
from mockgenesys.world.models import Attachment, GuestSession

if TYPE_CHECKING:
    from mockgenesys.agent import AgentSimulator
    from mockgenesys.server.core import Server
    from mockgenesys.world.models import Deployment
    from mockgenesys.world.store import World

BLOCKED_EXTENSIONS = [".ade", ".adp", ".app", ".bat", ".cmd", ".com", ".exe", ".js", ".msi", ".scr", ".vbs"]
MAX_TOKEN_CHARS = 2048


class GuestHub:
    """Every guest socket of one mock, and the protocol behaviour behind them."""

    def __init__(self, server: Server, scheduler: Scheduler) -> None:
        self.server = server
        self.scheduler = scheduler
        self.interceptor: WsInterceptor | None = None
        self.agent: AgentSimulator | None = None
        self.connections: dict[str, list[GuestConnection]] = {}
        self.attachments: dict[str, Attachment] = {}

    @property
    def world(self) -> World:
        return self.server.world

    def now(self) -> float:
        return self.server.clock.now()

    # ------------------------------------------------------------------ connections
    def open(
        self,
        deployment_id: str | None,
        *,
        base_url: str = "http://mockgenesys.invalid",
        loop: asyncio.AbstractEventLoop | None = None,
        origin: str | None = None,
    ) -> GuestConnection:
        """Accept a socket for ``deployment_id``; ``HandshakeRejected(403)`` when the deployment
        is unknown or inactive, or ``origin`` is not in its allowed domains (when it has any)."""
        self.scheduler.run_due()
        deployment = self.world.deployments.get(deployment_id or "")
        allowed = deployment is not None and deployment.status == "Active"
        if allowed and deployment is not None and deployment.allowed_domains:
            host = (origin or "").split("://")[-1].split("/")[0].split(":")[0]
            allowed = any(host == d or host.endswith("." + d) for d in deployment.allowed_domains)
        status = 101 if allowed else 403
        self._journal("ws.connect", "guest.ws.connect", status, None, None, detail=deployment_id)
        if deployment is None or status == 403:
            raise HandshakeRejected(
                403, f"deployment {deployment_id!r} is unknown, inactive or does not allow this origin"
            )
        return GuestConnection(self, deployment, base_url=base_url, loop=loop)

    def attach(self, conn: GuestConnection, session: GuestSession) -> bool:
        """Bind ``conn`` to ``session``; False (and the socket closed) past the connection cap."""
        if conn.session is session:
            return True
        if conn.session is not None:
            self.detach(conn)
        peers = self.connections.setdefault(session.id, [])
        cap = self.server.limits.ws_connections_per_session if self.server.limits.enabled else None
        if cap is not None and len(peers) >= cap:
            conn.deliver(frames.message("ConnectionClosedEvent", {"reason": "SessionLimitReached"}))
            conn.close(1000, "session connection limit reached")
            return False
        peers.append(conn)
        conn.session = session
        return True

    def detach(self, conn: GuestConnection) -> None:
        if conn.session is None:
            return
        peers = self.connections.get(conn.session.id, [])
        if conn in peers:
            peers.remove(conn)
        if not peers:
            self.connections.pop(conn.session.id, None)

    def connections_for(self, session: GuestSession) -> list[GuestConnection]:
        """The live connections of a guest session."""
        return list(self.connections.get(session.id, []))

    def broadcast(self, session: GuestSession, frame: frames.Frame) -> None:
        """Deliver ``frame`` to every connection of ``session`` (fan-out)."""
        for conn in self.connections_for(session):
            conn.deliver(frame)

    def sessions_of(self, conversation_id: str) -> list[GuestSession]:
        return [s for s in self.world.guest_sessions.values() if s.conversation_id == conversation_id and not s.closed]

    def broadcast_conversation(self, conversation_id: str, frame: frames.Frame) -> None:
        for session in self.sessions_of(conversation_id):
            self.broadcast(session, frame)

    # ------------------------------------------------------------------ fault-engine API
    def send_error(self, conn: GuestConnection, code: int, text: str, tracing_id: str | None = None) -> None:
        conn.deliver(frames.error(code, text, tracing_id=tracing_id))

    def send_too_many(
        self, conn: GuestConnection, retry_after: int, message: str, tracing_id: str | None = None
    ) -> None:
        conn.deliver(frames.too_many_requests(retry_after, message, tracing_id=tracing_id))

    def expire_session(self, session: GuestSession) -> None:
        """Expire ``session`` now: its sockets get ``SessionExpiredEvent``; later requests 4006."""
        if session.expired:
            return
        session.expired = True
        session.last_activity = min(session.last_activity, self.now() - session.ttl)
        self.broadcast(session, frames.response("SessionExpiredEvent", {}))

    def is_expired(self, session: GuestSession) -> bool:
        if not session.expired and session.expires_at <= self.now():
            self.expire_session(session)
        return session.expired

    # ------------------------------------------------------------------ inbound
    def receive(self, conn: GuestConnection, text: str) -> None:
        """Handle one text frame from the client."""
        from mockgenesys.server.websocket.actions import ACTIONS, handle

        self.scheduler.run_due()
        if conn.closed:
            return
        conn.last_code = 0
        conn.last_retry_after = None
        started = time.perf_counter()
        frame, problem = _parse(text)
        action = frame.get("action") if frame is not None else None
        endpoint = f"guest.ws.{action}" if isinstance(action, str) and action in ACTIONS else "guest.ws.invalid"
        token = frame.get("token") if frame is not None else None
        principal = fingerprint(token) if isinstance(token, str) and token else None
        tracing = frame.get("tracingId") if frame is not None and isinstance(frame.get("tracingId"), str) else None
        fault = None
        if problem is not None or frame is None:
            self.send_error(conn, 400, problem or "Request failed.", tracing)
        elif self.interceptor is not None and isinstance(action, str) and self.interceptor.inbound(conn, action, frame):
            fault = getattr(self.interceptor, "fired", None) or "fault"
        else:
            handle(self, conn, frame)
            fault = getattr(self.interceptor, "fired", None)
        if self.interceptor is not None:
            self.interceptor.finished(conn)
        session = conn.session
        detail = _detail(frame) if endpoint == "guest.ws.onMessage" else None
        self._journal(
            "ws.in",
            endpoint,
            conn.last_code or 200,  # errors always answer with a response; anything else succeeded
            principal,
            session.org_id if session else conn.deployment.org_id,
            started=started,
            fault=fault,
            retry_after=conn.last_retry_after,
            detail=detail,
        )

    # ------------------------------------------------------------------ journal
    def journal_out(self, conn: GuestConnection, frame: frames.Frame) -> None:
        session = conn.session
        code = frame.get("code")
        body = frame.get("body")
        retry_after = body.get("retryAfter") if isinstance(body, dict) else None
        self._journal(
            "ws.out",
            f"guest.ws.out.{frame.get('class')}",
            int(code) if isinstance(code, int) else 0,
            fingerprint(session.token) if session else None,
            session.org_id if session else conn.deployment.org_id,
            retry_after=retry_after if isinstance(retry_after, int) else None,
            detail=frame.get("tracingId"),
        )

    def _journal(
        self,
        kind: str,
        endpoint: str,
        status: int,
        principal: str | None,
        org_id: str | None,
        *,
        started: float | None = None,
        fault: str | None = None,
        retry_after: int | None = None,
        detail: str | None = None,
    ) -> None:
        entry = self.server.journal.record(
            time=self.now(),
            wall=time.time(),
            kind=kind,
            endpoint=endpoint,
            method="WS",
            path="/v1",
            status=status,
            principal=principal,
            org_id=org_id,
            fault=fault,
            latency_ms=(time.perf_counter() - started) * 1000.0 if started is not None else 0.0,
            retry_after=retry_after,
            detail=detail,
        )
        for observer in self.server.observers:
            observer(entry)

    # ------------------------------------------------------------------ session facts
    def session_body(
        self, session: GuestSession, deployment: Deployment, *, new: bool, connected: bool = True
    ) -> dict[str, Any]:
        return {
            "connected": connected,
            "newSession": new,
            "readOnly": session.read_only,
            "maxCustomDataBytes": 2048,
            "clearedExistingSession": False,
            "allowedMedia": {
                "inbound": {
                    "fileTypes": [{"type": t} for t in deployment.allowed_file_types],
                    "maxFileSizeKB": deployment.max_file_size_kb,
                }
            },
            "blockedExtensions": list(BLOCKED_EXTENSIONS),
            "durationSeconds": session.ttl,
            "expirationDate": int(session.expires_at),
        }

    def reset(self) -> None:
        for peers in list(self.connections.values()):
            for conn in list(peers):
                conn.drop()
        self.connections.clear()
        self.attachments.clear()


def _parse(text: str) -> tuple[dict[str, Any] | None, str | None]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, f"Request failed. The frame is not valid JSON ({exc.msg} at column {exc.colno})."
    if not isinstance(data, dict):
        return None, f"Request failed. A request must be a JSON object, got {type(data).__name__}."
    return data, None


def _detail(frame: dict[str, Any] | None) -> str | None:
    """What identifies a guest message across resends: its metadata id, else its tracingId."""
    if frame is None:
        return None
    message = frame.get("message")
    if isinstance(message, dict):
        metadata = message.get("metadata")
        if isinstance(metadata, dict) and isinstance(metadata.get("id"), str):
            return str(metadata["id"])
    tracing = frame.get("tracingId")
    return tracing if isinstance(tracing, str) else None
