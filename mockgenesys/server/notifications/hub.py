"""``NotificationHub``: the streaming side of the Notifications API.

One socket per channel (a second one on the same channel closes the first, as Genesys documents).
Every socket gets a ``channel.metadata`` heartbeat every 30 s and answers ``{"message": "ping"}``
with a ``pong``; 60 s before its channel expires it gets ``v2.system.socket_closing``, and at the
expiry it closes. ``publish`` fans an event out to the sockets of the channels subscribed to its
topic and journals the events a client missed: on a channel with no socket (``not-connected``),
or on a topic its ended channel was subscribed to (``expired`` / ``removed``).

Every frame the server sends passes the fault rules on ``notifications.ws.out.<kind>`` (``event``,
``heartbeat``, ``pong``, ``closing``): ``ws: {drop}`` or ``reset`` drops the socket (the frame is
lost), ``ws: {hold}`` or ``delay`` delivers it late on the mock's clock, ``ws: {duplicate}``
twice, ``ws: {reorder}`` after the next frame; a ``status`` reply sends ``{"result", "message"}``.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import TYPE_CHECKING, Any

from mockgenesys.faults.caller import Caller
from mockgenesys.faults.outcome import Transform
from mockgenesys.journal import RESET
from mockgenesys.server.http import JsonRefused, parse_json
from mockgenesys.server.inprocess import DROPPED
from mockgenesys.server.notifications.connection import NotificationConnection
from mockgenesys.server.notifications.topics import HEARTBEAT_TOPIC, SYSTEM_SOCKET_CLOSING
from mockgenesys.server.shaping import FrameShaper

if TYPE_CHECKING:
    from mockgenesys.faults.plan import FaultPlan
    from mockgenesys.server.state import ServerState
    from mockgenesys.world.channels import ChannelStore, NotificationChannel

HEARTBEAT_SECONDS = 30.0
#: Documented: the closing notice comes "one minute prior to the socket closing".
CLOSING_NOTICE_SECONDS = 60.0
MISSED = "notifications.event.missed"
NOT_CONNECTED = "not-connected"


class NotificationHub:
    """Every notification socket of one mock; publishes events and keeps the channels' clocks."""

    def __init__(self, state: ServerState, faults: FaultPlan) -> None:
        self.state = state
        self.faults = faults
        #: The open socket of each channel, by channel id.
        self.sockets: dict[str, NotificationConnection] = {}
        self._shaper: FrameShaper[tuple[str, str, str | None]] = FrameShaper(state.scheduler)
        self._correlation = 0

    @property
    def channels(self) -> ChannelStore:
        """The current world's channels."""
        return self.state.world.contact_centre.channels

    def now(self) -> float:
        return self.state.clock.now()

    # ------------------------------------------------------------------ sockets
    def open(self, channel_id: str, *, loop: asyncio.AbstractEventLoop | None = None) -> NotificationConnection:
        """A socket on ``channel_id``. An unknown or expired channel gets ``{"result": "404"}`` and a
        close; a fault on ``notifications.ws.connect`` can refuse or drop it the same way."""
        self.state.scheduler.run_due()
        now = self.now()
        conn = NotificationConnection(channel_id, loop=loop)
        channel = self.channels.get(channel_id, now)
        caller = _caller(channel) if channel is not None else Caller()
        outcome = self.faults.decide("notifications.ws.connect", "WS", caller, None, now) if self.faults else None
        fault = outcome.rule_id if outcome is not None else None
        if channel is None:
            self._journal("ws.connect", "notifications.ws.connect", channel_id, 404, None, None, code="not.found")
            conn.enqueue(json.dumps({"result": "404", "message": f"Channel {channel_id} was not found."}))
            conn.close(1000, "channel not found")
            return conn
        if outcome is not None and (outcome.reset or outcome.drop or outcome.http_reply is not None):
            status = outcome.http_reply.status if outcome.http_reply is not None else 0
            code = RESET if status == 0 else outcome.http_reply.code if outcome.http_reply else None
            self._journal("ws.connect", "notifications.ws.connect", channel_id, status, channel, fault, code=code)
            if status:
                conn.enqueue(json.dumps({"result": str(status), "message": "The connection was refused."}))
            conn.close(DROPPED if status == 0 else 1000, "refused")
            return conn
        previous = self.sockets.get(channel_id)
        if previous is not None:  # "the first WebSocket disconnects"
            previous.close(1000, "Another WebSocket connected to this channel.")
        self.sockets[channel_id] = conn
        channel.connected = True
        channel.last_used = now
        self._journal("ws.connect", "notifications.ws.connect", channel_id, 101, channel, fault)
        self.state.scheduler.call_later(HEARTBEAT_SECONDS, lambda: self._heartbeat(conn))
        self._arm_expiry(conn, channel)
        return conn

    def disconnect(self, conn: NotificationConnection, code: int = 1000, reason: str = "") -> None:
        """The client closed its socket (or went away)."""
        if conn.close(code, reason):
            self._forget(conn)

    def drop(self, channel_id: str) -> bool:
        """Drop the socket of a channel as a network failure would (1006); False when it has none."""
        conn = self.sockets.get(channel_id)
        if conn is None:
            return False
        self._drop(conn)
        return True

    def close_all(self, *, notice: bool = True) -> int:
        """Close every socket as Genesys does before maintenance: ``v2.system.socket_closing`` now
        (``notice``), the close a minute later. Channels stay; clients reconnect to them."""
        conns = list(self.sockets.values())
        for conn in conns:
            channel = self.channels.get(conn.channel_id, self.now())
            if channel is not None and notice:
                self._closing_notice(conn, channel)
            delay = CLOSING_NOTICE_SECONDS if notice else 0.0
            self.state.scheduler.call_later(delay, lambda conn=conn: self._close(conn, 1001, "Going away."))  # type: ignore[misc]
        return len(conns)

    def reset(self) -> None:
        """Drop every socket (a new world has no channels)."""
        for conn in list(self.sockets.values()):
            self._drop(conn)
        self.sockets.clear()
        self._shaper.clear()

    def renewed(self, channel: NotificationChannel) -> None:
        """The channel's expiry moved (a subscription): its socket's closing timers follow."""
        conn = self.sockets.get(channel.id)
        if conn is not None and not conn.closed:
            conn.generation += 1
            self._arm_expiry(conn, channel)

    def ended(self, channel: NotificationChannel) -> None:
        """The channel is gone (pushed out by a newer one): its socket closes."""
        conn = self.sockets.get(channel.id)
        if conn is not None:
            self._close(conn, 1000, f"Channel {channel.id} was removed.")

    # ------------------------------------------------------------------ inbound frames
    def receive(self, conn: NotificationConnection, text: str) -> None:
        """One frame from the client: ``{"message": "ping"}`` is answered with a ``pong``."""
        self.state.scheduler.run_due()
        if conn.closed:
            return
        now = self.now()
        channel = self.channels.get(conn.channel_id, now)
        try:
            frame = parse_json(text)
        except JsonRefused:  # deep, huge or not JSON: an invalid frame like any other
            frame = None
        is_ping = isinstance(frame, dict) and frame.get("message") == "ping"
        endpoint = "notifications.ws.ping" if is_ping else "notifications.ws.invalid"
        outcome = self.faults.decide(endpoint, "WS", _caller(channel), None, now) if self.faults else None
        fault = outcome.rule_id if outcome is not None else None
        if outcome is not None and (outcome.drop or outcome.reset):
            self._journal("ws.in", endpoint, conn.channel_id, 0, channel, fault, code=RESET)
            self._drop(conn)
            return
        if not is_ping:
            self._journal("ws.in", endpoint, conn.channel_id, 400, channel, fault, code="bad.request")
            return
        self._journal("ws.in", endpoint, conn.channel_id, 200, channel, fault)
        if channel is not None:
            channel.last_used = now
            body = {"topicName": HEARTBEAT_TOPIC, "eventBody": {"message": "pong"}}
            self._send(conn, channel, "pong", body, None)

    # ------------------------------------------------------------------ events
    def publish(self, topic: str, body: dict[str, Any]) -> int:
        """Send ``body`` on ``topic`` to every subscribed channel's socket; returns how many got it."""
        channels = self.channels
        if not channels.has_listeners(topic):
            return 0
        now = self.now()
        sent = 0
        for channel in channels.subscribers(topic, now):
            conn = self.sockets.get(channel.id)
            if conn is None or conn.closed:
                self._journal("ws.out", MISSED, channel.id, 0, channel, None, code=NOT_CONNECTED, detail=topic)
                continue
            self._send(conn, channel, "event", self._envelope(topic, body), topic)
            sent += 1
        for orphan in channels.orphans(topic, now):
            self.state.journal.add(
                now, time.time(), "ws.out", MISSED, "WS", f"/channels/{orphan.channel_id}", 0, orphan.principal,
                None, orphan.reason, None, 0.0, None, None, topic, None, None,
            )  # fmt: skip
        return sent

    def _envelope(self, topic: str, body: dict[str, Any]) -> dict[str, Any]:
        self._correlation += 1
        correlation = str(uuid.UUID(int=self._correlation, version=4))
        return {"topicName": topic, "version": "2", "eventBody": body, "metadata": {"CorrelationId": correlation}}

    # ------------------------------------------------------------------ timers
    def _arm_expiry(self, conn: NotificationConnection, channel: NotificationChannel) -> None:
        generation = conn.generation
        notice_at = channel.expires_at - CLOSING_NOTICE_SECONDS
        scheduler = self.state.scheduler

        def notice() -> None:
            if not conn.closed and conn.generation == generation:
                self._closing_notice(conn, channel)

        def expire() -> None:
            if not conn.closed and conn.generation == generation:
                self.channels.get(channel.id, self.now())  # ends it as expired
                self._close(conn, 1000, f"Channel {channel.id} expired.")

        scheduler.call_at(notice_at, notice)
        scheduler.call_at(channel.expires_at, expire)

    def _heartbeat(self, conn: NotificationConnection) -> None:
        if conn.closed:
            return
        channel = self.channels.get(conn.channel_id, self.now())
        if channel is None:
            return
        body = {"topicName": HEARTBEAT_TOPIC, "eventBody": {"message": "WebSocket Heartbeat"}}
        self._send(conn, channel, "heartbeat", body, None)
        # armed from the clock's time now: a jump of a day on a virtual clock sends one, not 2,880
        self.state.scheduler.call_later(HEARTBEAT_SECONDS, lambda: self._heartbeat(conn))

    def _closing_notice(self, conn: NotificationConnection, channel: NotificationChannel) -> None:
        body = {
            "channelId": channel.id,
            "message": "The socket will close in one minute; connect again to keep receiving events.",
            "organizationId": channel.org_id,
            "oauthClientId": channel.owner,
        }
        self._send(conn, channel, "closing", self._envelope(SYSTEM_SOCKET_CLOSING, body), SYSTEM_SOCKET_CLOSING)

    # ------------------------------------------------------------------ the way out
    def _send(
        self,
        conn: NotificationConnection,
        channel: NotificationChannel,
        kind: str,
        frame: dict[str, Any],
        detail: str | None,
    ) -> None:
        endpoint = f"notifications.ws.out.{kind}"
        text = json.dumps(frame, separators=(",", ":"), ensure_ascii=False)
        transforms: tuple[Transform, ...] = ()
        fault = None
        if self.faults and self.faults.has_rules_for(endpoint):
            outcome = self.faults.decide(endpoint, "WS", _caller(channel), None, self.now())
            if outcome is not None:
                fault = outcome.rule_id
                if outcome.drop or outcome.reset:
                    self._journal("ws.out", endpoint, channel.id, 0, channel, fault, code=RESET, detail=detail)
                    self._drop(conn)
                    return
                for reply in outcome.replies:
                    message = reply.message or "The server refused to deliver an event."
                    self._put(conn, channel, endpoint, json.dumps({"result": str(reply.status), "message": message}))
                transforms = tuple(outcome.transforms)
                if outcome.delay > 0:
                    transforms = (*transforms, Transform("hold", outcome.delay))
        if not transforms and not self._shaper.holds(conn.id):
            self._put(conn, channel, endpoint, text, fault, detail)
            return
        for delay, item in self._shaper.shape(
            conn.id, (endpoint, text, detail), transforms, lambda: self._release(conn)
        ):
            if delay > 0:
                self.state.scheduler.call_later(delay, lambda item=item: self._put(conn, channel, *item))  # type: ignore[misc]
            else:
                self._put(conn, channel, *item)

    def _release(self, conn: NotificationConnection) -> None:
        held = self._shaper.take(conn.id)
        channel = self.channels.get(conn.channel_id, self.now())
        if held is not None and channel is not None:
            self._put(conn, channel, *held)

    def _put(
        self,
        conn: NotificationConnection,
        channel: NotificationChannel,
        endpoint: str,
        text: str,
        fault: str | None = None,
        detail: str | None = None,
    ) -> None:
        if conn.closed:
            return
        self._journal("ws.out", endpoint, channel.id, 200, channel, fault, detail=detail)
        conn.enqueue(text)

    def _drop(self, conn: NotificationConnection) -> None:
        self._close(conn, DROPPED, "connection dropped")

    def _close(self, conn: NotificationConnection, code: int, reason: str) -> None:
        if conn.close(code, reason):
            self._forget(conn)

    def _forget(self, conn: NotificationConnection) -> None:
        self._shaper.take(conn.id)
        if self.sockets.get(conn.channel_id) is conn:
            del self.sockets[conn.channel_id]
            channel = self.channels.get(conn.channel_id, self.now())
            if channel is not None:
                channel.connected = False

    def _journal(
        self,
        kind: str,
        endpoint: str,
        channel_id: str,
        status: int,
        channel: NotificationChannel | None,
        fault: str | None,
        *,
        code: str | None = None,
        detail: str | None = None,
    ) -> None:
        self.state.journal.add(  # every Entry field after seq, in order
            self.now(),
            time.time(),
            kind,
            endpoint,
            "WS",
            f"/channels/{channel_id}",
            status,
            channel.principal if channel is not None else None,
            channel.org_id if channel is not None else None,
            code,
            fault,
            0.0,
            None,
            None,
            detail,
            None,
            None,
        )


def _caller(channel: NotificationChannel | None) -> Caller:
    if channel is None:
        return Caller()
    return Caller(principal=channel.principal, client_id=channel.owner, org_id=channel.org_id)
