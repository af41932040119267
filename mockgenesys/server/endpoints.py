"""Every endpoint id of the simulated Genesys Cloud, from the one place each is defined.

REST ids come from the route table, guest WebSocket ids from the action table
(``guest.ws.<action>``) and from the classes of the frames the server sends
(``guest.ws.out.<Class>``). ``endpoint_catalogue()`` is what fault rules are checked against
(the admin API, ``serve --faults``, the pytest marker, scenarios and ``MockGenesys`` all use
it); ``endpoint_rows()`` is what ``mockgenesys endpoints`` prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from mockgenesys.faults.catalogue import EndpointCatalogue
from mockgenesys.server.routes import all_routes
from mockgenesys.server.websocket.actions import ACTIONS

#: The class of every frame the server sends a guest (``tests/server/test_endpoints.py`` reads the
#: server's source and fails when a frame class is sent that is missing here).
FRAME_CLASSES = (
    "AttachmentDeletedResponse",
    "ConnectionClosedEvent",
    "JwtResponse",
    "LogoutEvent",
    "PresignedUrlResponse",
    "SessionClearedEvent",
    "SessionExpiredEvent",
    "SessionResponse",
    "StructuredMessage",
    "TooManyRequestsErrorMessage",
    "UploadFailureEvent",
    "UploadSuccessEvent",
    "string",
)
#: A frame whose action is a string the server does not know (journaled and faultable under this id).
INVALID_ACTION = "guest.ws.invalid"
#: Ids the journal records that no fault rule can act on, with the reason.
UNFAULTABLE = {
    "guest.ws.connect": (
        "the handshake is decided before any rule is asked; fault guest.ws.configureSession "
        "(the first frame of a session) or use ws: {drop: true} instead."
    ),
    "notifications.event.missed": (
        "it records an event no socket was there to receive; fault notifications.ws.out.event to drop "
        "or hold events that are sent."
    ),
}
#: What the notification hub sends, by the kind in its endpoint id ``notifications.ws.out.<kind>``.
NOTIFICATION_FRAMES = {
    "event": "a topic event",
    "heartbeat": "the channel.metadata heartbeat",
    "pong": "the answer to a ping",
    "closing": "the v2.system.socket_closing notice",
}
MISSED_EVENT = "notifications.event.missed"
WEBHOOK = "openmessaging.webhook"
WS = "WS"


@dataclass(frozen=True)
class EndpointRow:
    """One endpoint id as ``mockgenesys endpoints`` lists it."""

    id: str
    method: str
    what: str


def endpoint_rows() -> list[EndpointRow]:
    """Every endpoint id with its method and what it is: REST routes, guest actions, frames sent."""
    rows = [EndpointRow(route.endpoint, route.method, route.template) for route in all_routes()]
    rows.append(EndpointRow("guest.ws.connect", WS, "the guest WebSocket handshake (journal only)"))
    rows += [EndpointRow(f"guest.ws.{action}", WS, f"guest frame with action {action}") for action in ACTIONS]
    rows.append(EndpointRow(INVALID_ACTION, WS, "guest frame with an unknown action"))
    rows += [EndpointRow(f"guest.ws.out.{cls}", WS, f"{cls} frame sent to the guest") for cls in FRAME_CLASSES]
    rows.append(EndpointRow("notifications.ws.connect", WS, "the notification channel's WebSocket handshake"))
    rows.append(EndpointRow("notifications.ws.ping", WS, 'a client\'s {"message": "ping"} on a notification socket'))
    rows.append(EndpointRow("notifications.ws.invalid", WS, "any other text a client sends on a notification socket"))
    rows += [
        EndpointRow(f"notifications.ws.out.{kind}", WS, f"{what} sent on a notification socket")
        for kind, what in NOTIFICATION_FRAMES.items()
    ]
    rows.append(EndpointRow(MISSED_EVENT, WS, "an event a lapsed or unconnected channel missed (journal only)"))
    rows.append(EndpointRow(WEBHOOK, "POST", "the Open Messaging webhook to an integration's URL"))
    return rows


@cache
def endpoint_catalogue() -> EndpointCatalogue:
    """The endpoint ids, methods and guest actions every fault rule is checked against."""
    methods: dict[str, set[str]] = {}
    for row in endpoint_rows():
        if row.id not in UNFAULTABLE:
            methods.setdefault(row.id, set()).add(row.method)
    return EndpointCatalogue(
        {name: frozenset(found) for name, found in methods.items()}, frozenset(ACTIONS), dict(UNFAULTABLE)
    )
