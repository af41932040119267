"""``GuestHub``: the guest WebSocket server — connections, inbound frames, faults, the journal."""

from __future__ import annotations

import asyncio
import json
import time
from typing import TYPE_CHECKING, Any

from mockgenesys.faults.outcome import Outcome, carry_out
from mockgenesys.journal import CLOSED, RESET, content_digest
from mockgenesys.server.auth import frame_caller
from mockgenesys.server.websocket.actions import ACTIONS, handle
from mockgenesys.server.websocket.call import FrameCall
from mockgenesys.server.websocket.connection import GuestConnection
from mockgenesys.server.websocket.limits import FLOOD_CLOSE_CODE, FLOOD_REFUSALS, message_size_refusal, read_frame
from mockgenesys.server.websocket.messages import message_identity
from mockgenesys.server.websocket.outbound import Outbound
from mockgenesys.server.websocket.refusals import (
    ConnectionCapReached,
    GuestRefusal,
    TooManyGuestRequests,
    from_reply,
)
from mockgenesys.types import HandshakeRejected
from mockgenesys.world.retention import CappedDict, sweep

if TYPE_CHECKING:
    from mockgenesys.agent import AgentSimulator
    from mockgenesys.faults.caller import Caller
    from mockgenesys.faults.plan import FaultPlan
    from mockgenesys.server.state import ServerState
    from mockgenesys.server.websocket.sockets import GuestSockets
    from mockgenesys.world.models import Attachment, GuestSession
    from mockgenesys.world.store import World

ON_MESSAGE = "guest.ws.onMessage"
#: The most announced attachments remembered (oldest forgotten first; a session's go with it).
MAX_ATTACHMENTS = 10_000
#: What the journal says about an answer: its status, the journal code and the Retry-After.
Answer = tuple[int, str | None, int | None]


class GuestHub:
    """Every guest socket of one mock, and the protocol behaviour behind them.

    Each inbound frame crosses the fault engine once: ``receive`` resolves the ``Caller``, asks
    ``FaultPlan.decide``, carries the ``Outcome`` out (the hub is the ``FaultTarget``), answers
    or hands the frame to its action, and journals what it actually did.
    """

    def __init__(self, state: ServerState, sockets: GuestSockets, agent: AgentSimulator, faults: FaultPlan) -> None:
        self.state = state
        self.sockets = sockets
        self.agent = agent
        self.faults = faults
        self.scheduler = state.scheduler
        self.outbound = Outbound(state, faults, self)
        #: Attachments announced with ``onAttachment``, by id, at most ``MAX_ATTACHMENTS``.
        self.attachments: CappedDict[str, Attachment] = CappedDict(MAX_ATTACHMENTS)
        #: Signed-in users by OAuth code (``mock.auth_code``): (user id, first name, last name).
        #: A code not listed here is its own user, without a name.
        self.users: dict[str, tuple[str, str, str]] = {}

    @property
    def world(self) -> World:
        """The current world."""
        return self.state.world

    def now(self) -> float:
        """The mock's clock, now."""
        return self.state.clock.now()

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
        self.tidy()
        deployment = self.world.deployments.get(deployment_id or "")
        allowed = deployment is not None and deployment.status == "Active"
        if allowed and deployment is not None and deployment.allowed_domains:
            host = (origin or "").split("://")[-1].split("/")[0].split(":")[0]
            allowed = any(host == d or host.endswith("." + d) for d in deployment.allowed_domains)
        self._journal("ws.connect", "guest.ws.connect", 101 if allowed else 403, None, None, detail=deployment_id)
        if deployment is None or not allowed:
            raise HandshakeRejected(
                403, f"deployment {deployment_id!r} is unknown, inactive or does not allow this origin"
            )
        return GuestConnection(deployment, outbound=self.outbound, sockets=self.sockets, base_url=base_url, loop=loop)

    @property
    def connections(self) -> dict[str, list[GuestConnection]]:
        """Live connections by guest session id."""
        return self.sockets.connections

    def attach(self, conn: GuestConnection, session: GuestSession) -> bool:
        """Bind ``conn`` to ``session``; past the connection cap it gets ``ConnectionClosedEvent``,
        closes, and the answer is False."""
        if self.sockets.attach(conn, session):
            return True
        self._refuse(conn, ConnectionCapReached(), None)
        return False

    def connections_for(self, session: GuestSession) -> list[GuestConnection]:
        """The live connections of a guest session."""
        return self.sockets.of(session)

    def expire_session(self, session: GuestSession) -> None:
        """Expire ``session`` now: its sockets get ``SessionExpiredEvent``; later requests 4006."""
        self.sockets.expire(session)

    def reset(self) -> None:
        """Drop every socket and forget every attachment and registered sign-in code."""
        self.sockets.drop_all()
        self.attachments.clear()
        self.users.clear()

    def tidy(self) -> None:
        """Keep the world's run-time records and the attachments within their bounds (constant work;
        a guest session with an open socket is never forgotten)."""
        connected = self.sockets.connections
        sessions = self.world.guest_sessions
        self.world.tidy(self.now(), busy=connected.__contains__)
        attachments = self.attachments
        sweep(
            attachments,
            over=lambda: False,
            dead=lambda key: attachments[key].deleted or attachments[key].session_id not in sessions,
            keep=lambda key: True,
            forget=attachments.__delitem__,
        )

    # ------------------------------------------------------------------ FaultTarget
    def expire_token(self, caller: Caller) -> None:
        """The caller's OAuth token expires now; its guest session's JWTs stop working."""
        if caller.token is not None:
            caller.token.expires_at = min(caller.token.expires_at, self.now())
        if caller.guest is not None:
            caller.guest.jwt_generation += 1

    def expire_guest_session(self, caller: Caller) -> None:
        """The caller's guest session expires now."""
        if caller.guest is not None:
            self.sockets.expire(caller.guest)

    def close_conversation(self, conversation_id: str) -> None:
        """The agent disconnects the conversation, if it is still active."""
        conversation = self.world.conversations.get(conversation_id)
        if conversation is not None and conversation.is_active:
            self.agent.disconnect(conversation_id)

    def drop_connections(self, caller: Caller) -> None:
        """Every socket of the caller's guest session drops."""
        if caller.guest is not None:
            for conn in self.sockets.of(caller.guest):
                conn.drop()

    # ------------------------------------------------------------------ inbound
    def receive(self, conn: GuestConnection, text: str) -> None:
        """Handle one text frame from the client; never raises (a bug in the mock is kept in
        ``state.errors`` and answered with a 500 error frame)."""
        self.scheduler.run_due()
        if conn.closed:
            return
        started = time.perf_counter()
        try:
            self._receive(conn, text, started)
        except Exception as exc:
            self.state.record_error(exc)
            answer = self._refuse(conn, GuestRefusal(500, "Request failed. The server met an internal error."), None)
            self._journal(
                "ws.in",
                "guest.ws.invalid",
                answer[0],
                None,
                conn.deployment.org_id,
                started=started,
                detail=f"internal error: {type(exc).__name__}",
            )

    def _receive(self, conn: GuestConnection, text: str, started: float) -> None:
        self.tidy()
        frame, problem = read_frame(text)
        action = frame.get("action") if frame is not None else None
        endpoint = f"guest.ws.{action}" if isinstance(action, str) and action in ACTIONS else "guest.ws.invalid"
        token = frame.get("token") if frame is not None else None
        session = conn.session
        if session is None and isinstance(token, str):
            session = self.world.guest_session(token)
        caller = frame_caller(token, session, conn.deployment.org_id)
        tracing = frame.get("tracingId") if frame is not None else None
        call = FrameCall(self, conn, frame or {}, caller, tracing if isinstance(tracing, str) else None)
        # Every frame counts against the connection's request limit, whatever it holds, so a
        # stream of garbage is refused like any other flood and then cut off.
        retry_after = self.state.hit("ws_conn", str(conn.id), self.state.limits.ws_requests_per_minute, 60.0)
        if retry_after is not None:
            refusal = TooManyGuestRequests(retry_after, "Request rate too high for this connection")
            self._finish(call, endpoint, started, self._refuse(conn, refusal, call.tracing))
            conn.refused_in_a_row += 1
            if conn.refused_in_a_row > FLOOD_REFUSALS:
                conn.close(FLOOD_CLOSE_CODE, "Request rate too high: the connection kept sending")
            return
        conn.refused_in_a_row = 0
        if problem is None and endpoint == ON_MESSAGE and frame is not None:
            problem = message_size_refusal(frame)
        if problem is not None:
            self._finish(call, endpoint, started, self._refuse(conn, problem, call.tracing if frame else None))
            return
        outcome = None
        if self.faults and isinstance(action, str):
            outcome = self.faults.decide(endpoint, "WS", caller, action, self.now())
        if outcome is None:
            self._finish(call, endpoint, started, self._dispatch(call))
            return
        carry_out(outcome, caller, self)
        if outcome.drop or outcome.reset:
            conn.drop()
            self._finish(call, endpoint, started, (0, RESET, None), outcome.rule_id)
        elif outcome.delay > 0:  # answer later, on the mock's clock
            received = self.now()
            self.scheduler.call_later(outcome.delay, lambda: self._answer(call, endpoint, outcome, received))
        else:
            self._answer(call, endpoint, outcome, None)

    def _answer(self, call: FrameCall, endpoint: str, outcome: Outcome, received: float | None) -> None:
        started = time.perf_counter()
        if call.conn.closed:  # the socket went away while the frame was held: nothing was carried out
            self._finish(call, endpoint, started, (0, CLOSED, None), outcome.rule_id, received)
            return
        if outcome.replies:
            answer: Answer = (0, None, None)
            for reply in outcome.replies:
                answer = self._refuse(call.conn, from_reply(reply), call.tracing)
        else:
            with self.outbound.shaping(tuple(outcome.transforms)):
                answer = self._dispatch(call)
        self._finish(call, endpoint, started, answer, outcome.rule_id, received)

    def _dispatch(self, call: FrameCall) -> Answer:
        """Run the frame's action; (status, journal code, retry-after) of its answer."""
        try:
            handle(call)
        except GuestRefusal as refusal:
            return self._refuse(call.conn, refusal, call.tracing)
        except Exception as exc:  # a bug in the mock: keep it for the test, answer like Genesys
            self.state.record_error(exc)
            call.detail = f"internal error: {type(exc).__name__}"
            return self._refuse(call.conn, GuestRefusal(500, "Request failed. The server met an internal error."), None)
        return 200, None, None

    def _refuse(self, conn: GuestConnection, refusal: GuestRefusal, tracing: str | None) -> Answer:
        """Render a refusal: the one place a guest error turns into frames (and maybe a close)."""
        for frame in refusal.frames(tracing):
            conn.deliver(frame)
        if refusal.closes:
            conn.close(1000, refusal.text)
        return refusal.status, refusal.journal_code, refusal.retry_after

    # ------------------------------------------------------------------ journal
    def _finish(
        self,
        call: FrameCall,
        endpoint: str,
        started: float,
        answer: Answer,
        fault: str | None = None,
        received: float | None = None,
    ) -> None:
        status, code, retry_after = answer
        session = call.conn.session
        detail = message_identity(call.frame) if endpoint == ON_MESSAGE else call.detail
        content = _content(call.frame) if endpoint == ON_MESSAGE else None
        self._journal(
            "ws.in",
            endpoint,
            status,
            call.caller.credential,
            session.org_id if session else call.conn.deployment.org_id,
            started=started,
            code=code,
            fault=fault,
            retry_after=retry_after,
            expires_at=call.expires_at,
            detail=detail,
            received=received,
            content=content,
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
        code: str | None = None,
        fault: str | None = None,
        retry_after: int | None = None,
        expires_at: float | None = None,
        detail: str | None = None,
        received: float | None = None,
        content: str | None = None,
    ) -> None:
        self.state.journal.add(  # every Entry field after seq, in order
            self.now(),
            time.time(),
            kind,
            endpoint,
            "WS",
            "/v1",
            status,
            principal,
            org_id,
            code,
            fault,
            (time.perf_counter() - started) * 1000.0 if started is not None else 0.0,
            retry_after,
            expires_at,
            detail,
            None,
            received,
            content,
        )


def _content(frame: dict[str, Any]) -> str | None:
    """The journal's digest of a guest message's text and attachments (None without a message)."""
    message = frame.get("message")
    if not isinstance(message, dict):
        return None
    return content_digest(json.dumps([message.get("text"), message.get("content")], sort_keys=True, default=str))
