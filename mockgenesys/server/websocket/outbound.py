"""``Outbound``: the one way out for every frame the server sends a guest.

Each frame passes the fault rules on outgoing frames (``guest.ws.out.<Class>``) and the
transforms of the inbound frame being handled (``ws: {duplicate, reorder, hold}``), then is
journaled and queued. This is the only place those transforms are carried out.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from mockgenesys.faults.outcome import Transform, carry_out
from mockgenesys.journal import fingerprint
from mockgenesys.server.auth import frame_caller
from mockgenesys.server.shaping import FrameShaper
from mockgenesys.server.websocket.refusals import from_reply

if TYPE_CHECKING:
    from mockgenesys.faults.outcome import FaultTarget
    from mockgenesys.faults.plan import FaultPlan
    from mockgenesys.server.state import ServerState
    from mockgenesys.server.websocket.connection import GuestConnection
    from mockgenesys.server.websocket.frames import Frame


class Outbound:
    """Shapes, journals and queues outgoing frames; ``target`` carries out outbound rules' effects."""

    def __init__(self, state: ServerState, faults: FaultPlan, target: FaultTarget) -> None:
        self.state = state
        self.faults = faults
        self.target = target
        self._active: tuple[Transform, ...] = ()
        self._shaper: FrameShaper[Frame] = FrameShaper(state.scheduler)

    @contextmanager
    def shaping(self, transforms: tuple[Transform, ...]) -> Iterator[None]:
        """Apply ``transforms`` to every frame sent inside the block (the answer to one inbound frame)."""
        previous, self._active = self._active, transforms
        try:
            yield
        finally:
            self._active = previous

    def send(self, conn: GuestConnection, frame: Frame) -> None:
        """Deliver ``frame`` to ``conn`` through the outbound fault rules and active transforms."""
        transforms = self._active
        endpoint = f"guest.ws.out.{frame.get('class')}"
        if self.faults and self.faults.has_rules_for(endpoint):
            session = conn.session
            caller = frame_caller(session.token if session else None, session, conn.deployment.org_id)
            outcome = self.faults.decide(endpoint, "WS", caller, None, self.state.clock.now())
            if outcome is not None:
                carry_out(outcome, caller, self.target)
                if outcome.drop or outcome.reset:
                    conn.drop()
                    return
                for reply in outcome.replies:
                    for item in from_reply(reply).frames(frame.get("tracingId")):
                        self.put(conn, item)
                transforms = (*transforms, *outcome.transforms)
        if not transforms and not self._shaper.holds(conn.id):
            self.put(conn, frame)
            return
        for delay, item in self._shaper.shape(conn.id, frame, transforms, lambda: self._release(conn)):
            if delay > 0:
                self.state.scheduler.call_later(delay, lambda item=item: self.put(conn, item))  # type: ignore[misc]
            else:
                self.put(conn, item)

    def _release(self, conn: GuestConnection) -> None:
        held = self._shaper.take(conn.id)
        if held is not None:
            self.put(conn, held)

    def put(self, conn: GuestConnection, frame: Frame) -> None:
        """Journal ``frame`` and queue it on ``conn`` now, past every rule and transform."""
        if conn.closed:
            return
        session = conn.session
        code = frame.get("code")
        body = frame.get("body")
        retry_after = body.get("retryAfter") if isinstance(body, dict) else None
        self.state.journal.add(  # every Entry field after seq, in order
            self.state.clock.now(),
            time.time(),
            "ws.out",
            f"guest.ws.out.{frame.get('class')}",
            "WS",
            "/v1",
            int(code) if isinstance(code, int) else 0,
            fingerprint(session.token) if session else None,
            session.org_id if session else conn.deployment.org_id,
            None,
            None,
            0.0,
            retry_after if isinstance(retry_after, int) else None,
            None,
            frame.get("tracingId"),
            None,
            None,
        )
        conn.enqueue(json.dumps(frame, separators=(",", ":"), ensure_ascii=False))
