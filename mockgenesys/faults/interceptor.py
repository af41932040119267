"""The fault engine on the guest WebSocket: the ``WsInterceptor`` the hub consults."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockgenesys.faults.actions import WsOutbound

if TYPE_CHECKING:
    from mockgenesys.faults.plan import FaultPlan
    from mockgenesys.server.core import Server
    from mockgenesys.server.websocket.connection import GuestConnection

Frame = dict[str, Any]
#: How long a frame held back for reordering waits at most for the next one (mock clock).
REORDER_TIMEOUT = 2.0


class FaultInterceptor:
    """Applies a ``FaultPlan`` to inbound frames (``guest.ws.<action>``) and outgoing frames
    (``guest.ws.out.<class>``, and every frame a matched inbound request makes the server send)."""

    def __init__(self, plan: FaultPlan, server: Server) -> None:
        self.plan = plan
        self.server = server
        self._active: list[WsOutbound] = []
        self._held: dict[int, Frame] = {}
        #: The id of the rule the last inbound frame fired, for the journal.
        self.fired: str | None = None

    def inbound(self, connection: GuestConnection, action: str, frame: Frame) -> bool:
        self._active = []
        self.fired = None
        if not self.plan:
            return False
        now = self.server.clock.now()
        ctx = self.plan.fire_ws(self.server, connection, f"guest.ws.{action}", action, frame, now)
        if ctx is None:
            return False
        self.fired = ctx.rule_id
        self._active = [a for a in ctx.outbound if isinstance(a, WsOutbound)]
        if ctx.consumed:
            return True
        if ctx.delay > 0:  # answer later, on the mock's clock
            from mockgenesys.server.websocket.actions import handle

            hub = self.server.hub
            assert hub is not None
            active = list(self._active)

            def later() -> None:
                self._active = active
                try:
                    handle(hub, connection, frame)
                finally:
                    self._active = []

            hub.scheduler.call_later(ctx.delay, later)
            return True
        return False

    def finished(self, connection: GuestConnection) -> None:
        self._active = []

    def outbound(self, connection: GuestConnection, frame: Frame) -> list[tuple[float, Frame]]:
        transforms = list(self._active)
        if self.plan:
            ctx = self.plan.fire_ws(
                self.server, connection, f"guest.ws.out.{frame.get('class')}", None, frame, self.server.clock.now()
            )
            if ctx is not None:
                transforms += [a for a in ctx.outbound if isinstance(a, WsOutbound)]
        result: list[tuple[float, Frame]] = [(0.0, frame)]
        for transform in transforms:
            if transform.kind == "duplicate":
                result = [item for pair in result for item in (pair, pair)]
            elif transform.kind == "hold":
                result = [(delay + transform.seconds, item) for delay, item in result]
            elif transform.kind == "reorder" and connection.id not in self._held:
                self._held[connection.id] = frame
                hub = self.server.hub
                assert hub is not None
                hub.scheduler.call_later(REORDER_TIMEOUT, lambda: self._release(connection))
                return []
        held = self._held.pop(connection.id, None)
        if held is not None:
            result.append((0.0, held))
        return result

    def _release(self, connection: GuestConnection) -> None:
        held = self._held.pop(connection.id, None)
        if held is not None:
            connection.put_now(held)
