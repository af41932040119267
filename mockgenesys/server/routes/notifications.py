"""The Notifications API over REST: channels and their subscriptions (``/api/v2/notifications``).

Every endpoint "Requires NO permissions" (the JavaScript SDK's docs); a topic needs the permission
``topics.TOPIC_FAMILIES`` lists for it. A channel belongs to the OAuth client whose token created
it: any token of that client may manage it (a refreshed token keeps its channels), another client
gets 404. Subscribing (``PUT`` or ``POST``) extends the channel's life to 24 hours from now.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockgenesys.server.events import events_of
from mockgenesys.server.http import ApiError, MockRequest, MockResponse, Route, json_response
from mockgenesys.server.notifications.topics import TOPIC_FAMILIES, family_of
from mockgenesys.server.params import bool_param, choice_param, invalid, multi_param
from mockgenesys.server.views import iso
from mockgenesys.world.channels import NotificationChannel

if TYPE_CHECKING:
    from mockgenesys.server.core import Server

_BASE = "/api/v2/notifications/channels"
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
TOPIC_EXPANDS = ("description", "requiresPermissions", "schema", "transports", "visibility", "enforced")


def _owner(req: MockRequest) -> str:
    caller = req.caller
    return caller.client_id or caller.principal or "anonymous"


def _connect_uri(req: MockRequest, channel_id: str) -> str:
    """Where the channel's socket is: the mock's own host live, Genesys' streaming host by name."""
    host = req.headers.get("host", "")
    if host.startswith("api."):
        base = f"wss://streaming.{host[4:]}"
    elif host:
        base = f"ws://{host}"
    else:
        base = "wss://streaming.mypurecloud.com"
    return f"{base}/channels/{channel_id}"


def _channel_view(req: MockRequest, channel: NotificationChannel) -> dict[str, Any]:
    return {"connectUri": _connect_uri(req, channel.id), "id": channel.id, "expires": iso(channel.expires_at)}


def create_channel(server: Server, req: MockRequest) -> MockResponse:
    body = req.body.strip()
    if body not in (b"", b"null", b"{}"):
        raise invalid("body", "POST /api/v2/notifications/channels takes no body.")
    world = server.world
    now = server.clock.now()
    store = world.contact_centre.channels
    suffix = "".join(_ALPHABET[world.rng.randrange(36)] for _ in range(26))
    channel = NotificationChannel(
        id=f"streaming-0-{suffix}",
        org_id=req.org_id or "",
        owner=_owner(req),
        principal=req.principal,
        created_at=now,
        expires_at=now + store.ttl,
        last_used=now,
    )
    hub = events_of(server).notifications
    for removed in store.add(channel, now):
        hub.ended(removed)
    req.detail = channel.id
    req.expires_at = channel.expires_at
    return json_response(_channel_view(req, channel))


def list_channels(server: Server, req: MockRequest) -> MockResponse:
    scope = choice_param(req, "includechannels", ("token", "oauthclient"), "token")
    now = server.clock.now()
    entities = []
    for channel in server.world.contact_centre.channels.of_owner(_owner(req), now):
        if scope == "oauthclient" or channel.principal == req.principal:
            entities.append(_channel_view(req, channel))
        else:  # "presented to show their existence", without the id
            entities.append({"expires": iso(channel.expires_at)})
    return json_response({"entities": entities})


def _channel(server: Server, req: MockRequest) -> NotificationChannel:
    channel_id = req.params["channelId"]
    channel = server.world.contact_centre.channels.get(channel_id, server.clock.now())
    if channel is None or channel.owner != _owner(req):
        raise ApiError(404, "not.found", f"Channel {channel_id} was not found; it may have expired.")
    return channel


def head_channel(server: Server, req: MockRequest) -> MockResponse:
    _channel(server, req)
    return MockResponse(200, b"", content_type=None)


def _listing(channel: NotificationChannel, rejected: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    entities: list[dict[str, Any]] = [
        {"id": topic, "state": "Permitted", "selfUri": f"/api/v2/notifications/availabletopics/{topic}"}
        for topic in channel.topics
    ]
    return {"entities": entities + (rejected or [])}


def get_subscriptions(server: Server, req: MockRequest) -> MockResponse:
    return json_response(_listing(_channel(server, req)))


def _topics(req: MockRequest) -> list[str]:
    data = req.json() if req.body.strip() else None
    if not isinstance(data, list) or not all(isinstance(t, dict) and isinstance(t.get("id"), str) for t in data):
        raise invalid(
            "body", 'The body must be a JSON array of topics like [{"id": "v2.routing.queues.{id}.conversations"}].'
        )
    return [str(t["id"]) for t in data]


def _subscribe(server: Server, req: MockRequest, *, replace: bool) -> MockResponse:
    channel = _channel(server, req)
    ignore_errors = bool_param(req, "ignoreErrors")
    wanted = _topics(req)
    client = server.world.clients.get(req.caller.client_id or "")
    granted = set(client.permissions) if client is not None else set()
    accepted: list[str] = []
    rejected: list[dict[str, Any]] = []
    unknown: list[str] = []
    missing: dict[str, tuple[str, ...]] = {}
    for topic in wanted:
        family = family_of(topic)
        if family is None:
            unknown.append(topic)
            rejected.append({"id": topic, "state": "Rejected", "rejectionReason": "The topic is not valid."})
        elif not granted & set(family.permissions):
            missing[topic] = family.permissions
            rejected.append(
                {
                    "id": topic,
                    "state": "Rejected",
                    "rejectionReason": "Missing permissions.",
                    "missingPermissions": list(family.permissions),
                }
            )
        else:
            accepted.append(topic)
    if unknown and not ignore_errors:
        raise invalid(
            "body",
            f"Not a notification topic the mock publishes: {', '.join(unknown)}. "
            "GET /api/v2/notifications/availabletopics lists them; ignoreErrors=true skips bad topics.",
        )
    if missing and not ignore_errors:  # "any permission failure will return a 403 error for the entire request"
        wanted_permissions = ", ".join(sorted({p for permissions in missing.values() for p in permissions}))
        raise ApiError(
            403,
            "missing.any.permissions",
            "Unable to perform the requested action. You must have at least one of the following permissions "
            f"assigned: [{wanted_permissions}] to subscribe to {', '.join(missing)}",
            params={"permissions": wanted_permissions},
        )
    topics = accepted if replace else [*channel.topics, *accepted]
    store = server.world.contact_centre.channels
    if len(dict.fromkeys(topics)) > store.max_topics:
        raise invalid(
            "body",
            f"A channel is limited to {store.max_topics} topics; this would subscribe {len(dict.fromkeys(topics))}. "
            "Spread the topics over several channels.",
        )
    changed = store.set_topics(channel, topics, server.clock.now())
    events_of(server).notifications.renewed(channel)
    req.detail = "changed" if changed else "unchanged"
    req.expires_at = channel.expires_at
    return json_response(_listing(channel, rejected))


def put_subscriptions(server: Server, req: MockRequest) -> MockResponse:
    return _subscribe(server, req, replace=True)


def post_subscriptions(server: Server, req: MockRequest) -> MockResponse:
    return _subscribe(server, req, replace=False)


def delete_subscriptions(server: Server, req: MockRequest) -> MockResponse:
    channel = _channel(server, req)
    server.world.contact_centre.channels.set_topics(channel, [], server.clock.now())
    events_of(server).notifications.renewed(channel)
    return MockResponse(204, b"", content_type=None)


def available_topics(server: Server, req: MockRequest) -> MockResponse:
    expand = multi_param(req, "expand", TOPIC_EXPANDS)
    entities = []
    for family in TOPIC_FAMILIES:
        entity: dict[str, Any] = {"id": family.template, "visibility": "Public", "transports": ["All"]}
        if "description" in expand:
            entity["description"] = family.description
        if "requiresPermissions" in expand:
            entity["requiresPermissions"] = list(family.permissions)
        entities.append(entity)
    return json_response({"entities": entities})


ROUTES = [
    Route("POST", _BASE, "notifications.channels.create", create_channel),
    Route("GET", _BASE, "notifications.channels.list", list_channels),
    Route("HEAD", _BASE + "/{channelId}", "notifications.channels.head", head_channel),
    Route("GET", _BASE + "/{channelId}/subscriptions", "notifications.subscriptions.get", get_subscriptions),
    Route("PUT", _BASE + "/{channelId}/subscriptions", "notifications.subscriptions.put", put_subscriptions),
    Route("POST", _BASE + "/{channelId}/subscriptions", "notifications.subscriptions.post", post_subscriptions),
    Route("DELETE", _BASE + "/{channelId}/subscriptions", "notifications.subscriptions.delete", delete_subscriptions),
    Route("GET", "/api/v2/notifications/availabletopics", "notifications.topics", available_topics),
]
