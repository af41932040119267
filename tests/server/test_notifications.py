"""The Notifications API: channels and subscriptions over REST, the socket, topic events."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from mockgenesys import MockGenesys
from mockgenesys.server.notifications.connection import InProcessNotificationSocket

CHANNELS = "/api/v2/notifications/channels"


def channel(http: httpx.Client, auth: dict[str, str]) -> dict[str, Any]:
    response = http.post(CHANNELS, headers=auth)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def subscribe(http: httpx.Client, auth: dict[str, str], channel_id: str, *topics: str, **params: str) -> httpx.Response:
    return http.put(
        f"{CHANNELS}/{channel_id}/subscriptions", headers=auth, params=params, json=[{"id": t} for t in topics]
    )


def queue_topic(mock: MockGenesys, suffix: str = ".conversations.messages") -> str:
    return f"v2.routing.queues.{mock.world.queue_of(mock.org_id)}{suffix}"


def frames(socket: InProcessNotificationSocket) -> list[dict[str, Any]]:
    return [json.loads(f) for f in socket.pending()]


def topics(socket: InProcessNotificationSocket) -> list[str]:
    return [f.get("topicName", f.get("result", "")) for f in frames(socket)]


def test_notifications_channel_has_id_connect_uri_and_a_day_of_life(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str]
) -> None:
    made = channel(http, auth)
    assert made["id"].startswith("streaming-0-") and len(made["id"]) == len("streaming-0-") + 26
    assert made["connectUri"] == f"wss://streaming.mypurecloud.com/channels/{made['id']}"
    assert made["expires"] == "2026-01-02T00:00:00.000Z"  # the virtual clock starts at 2026-01-01
    assert http.head(f"{CHANNELS}/{made['id']}", headers=auth).status_code == 200
    (entry,) = mock.journal.calls("notifications.channels.create")
    assert (entry.detail, entry.expires_at) == (made["id"], mock.clock.now() + 86400)


def test_notifications_channel_of_another_client_is_not_found(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str]
) -> None:
    made = channel(http, auth)
    other = mock.world.add_client()
    headers = {"Authorization": f"Bearer {mock.issue_token(other.id)}"}
    assert http.head(f"{CHANNELS}/{made['id']}", headers=headers).status_code == 404
    assert subscribe(http, headers, made["id"], queue_topic(mock)).json()["code"] == "not.found"


def test_notifications_post_with_a_body_is_refused(http: httpx.Client, auth: dict[str, str]) -> None:
    response = http.post(CHANNELS, headers=auth, json={"topics": []})
    assert response.status_code == 400 and response.json()["code"] == "invalid.value"


def test_notifications_put_replaces_and_post_adds_topics(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str]
) -> None:
    made = channel(http, auth)
    first, second = queue_topic(mock), queue_topic(mock, ".conversations")
    assert [e["id"] for e in subscribe(http, auth, made["id"], first).json()["entities"]] == [first]
    added = http.post(f"{CHANNELS}/{made['id']}/subscriptions", headers=auth, json=[{"id": second}])
    assert [e["id"] for e in added.json()["entities"]] == [first, second]
    listed = http.get(f"{CHANNELS}/{made['id']}/subscriptions", headers=auth).json()["entities"]
    assert [(e["id"], e["state"]) for e in listed] == [(first, "Permitted"), (second, "Permitted")]
    assert http.delete(f"{CHANNELS}/{made['id']}/subscriptions", headers=auth).status_code == 204
    assert http.get(f"{CHANNELS}/{made['id']}/subscriptions", headers=auth).json()["entities"] == []


def test_notifications_subscription_writes_journal_whether_they_changed_anything(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str]
) -> None:
    made = channel(http, auth)
    subscribe(http, auth, made["id"], queue_topic(mock))
    subscribe(http, auth, made["id"], queue_topic(mock))
    assert [e.detail for e in mock.journal.calls("notifications.subscriptions.put")] == ["changed", "unchanged"]


def test_notifications_unknown_topic_is_400_unless_errors_are_ignored(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str]
) -> None:
    made = channel(http, auth)
    refused = subscribe(http, auth, made["id"], "v2.conversations.abc", queue_topic(mock))
    assert refused.status_code == 400 and "v2.conversations.abc" in refused.json()["message"]
    kept = subscribe(http, auth, made["id"], "v2.conversations.abc", queue_topic(mock), ignoreErrors="true")
    states = {e["id"]: e["state"] for e in kept.json()["entities"]}
    assert states == {queue_topic(mock): "Permitted", "v2.conversations.abc": "Rejected"}


def test_notifications_missing_permission_refuses_the_whole_request(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str]
) -> None:
    limited = mock.world.add_client(permissions=["conversation:message:view"])
    headers = {"Authorization": f"Bearer {mock.issue_token(limited.id)}"}
    made = channel(http, headers)
    contact_topic = f"v2.externalcontacts.contacts.{next(iter(mock.world.contacts))}"
    refused = subscribe(http, headers, made["id"], queue_topic(mock), contact_topic)
    assert refused.status_code == 403 and refused.json()["code"] == "missing.any.permissions"
    assert http.get(f"{CHANNELS}/{made['id']}/subscriptions", headers=headers).json()["entities"] == []
    partial = subscribe(http, headers, made["id"], queue_topic(mock), contact_topic, ignoreErrors="true")
    rejected = [e for e in partial.json()["entities"] if e["state"] == "Rejected"]
    assert rejected[0]["missingPermissions"] == ["externalContacts:contact:view", "relate:contact:view"]


def test_notifications_a_channel_holds_at_most_a_thousand_topics(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str]
) -> None:
    made = channel(http, auth)
    many = [f"v2.detail.events.conversation.c{n}.acw" for n in range(1001)]
    refused = subscribe(http, auth, made["id"], *many)
    assert refused.status_code == 400 and "1000 topics" in refused.json()["message"]
    assert subscribe(http, auth, made["id"], *many[:1000]).status_code == 200


def test_notifications_a_21st_channel_removes_an_unconnected_one_first(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str]
) -> None:
    made = [channel(http, auth) for _ in range(20)]
    first = mock.notifications.open(made[0]["id"])  # the oldest is connected: it stays
    channel(http, auth)
    assert http.head(f"{CHANNELS}/{made[0]['id']}", headers=auth).status_code == 200
    assert http.head(f"{CHANNELS}/{made[1]['id']}", headers=auth).status_code == 404
    assert not first.closed
    listed = http.get(CHANNELS, headers=auth).json()["entities"]
    assert len(listed) == 20


def test_notifications_listing_shows_other_tokens_channels_without_ids(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str]
) -> None:
    mine = channel(http, auth)
    other = {"Authorization": f"Bearer {mock.issue_token()}"}
    channel(http, other)
    listed = http.get(CHANNELS, headers=auth).json()["entities"]
    assert [e.get("id") for e in listed] == [mine["id"], None]
    everything = http.get(CHANNELS, headers=auth, params={"includechannels": "oauthclient"}).json()["entities"]
    assert all(e["id"] for e in everything)


def test_notifications_channel_expires_after_a_day_unless_resubscribed(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str]
) -> None:
    kept, lapsed = channel(http, auth), channel(http, auth)
    mock.clock.advance(86000)
    subscribe(http, auth, kept["id"], queue_topic(mock))  # subscribing extends the life by 24 h
    mock.clock.advance(1000)
    fresh = {"Authorization": f"Bearer {mock.issue_token()}"}  # any token of the client manages its channels
    assert http.head(f"{CHANNELS}/{kept['id']}", headers=fresh).status_code == 200
    assert http.head(f"{CHANNELS}/{lapsed['id']}", headers=fresh).status_code == 404


def test_notifications_availabletopics_lists_what_the_mock_publishes(http: httpx.Client, auth: dict[str, str]) -> None:
    listed = http.get(
        "/api/v2/notifications/availabletopics", headers=auth, params={"expand": "description,requiresPermissions"}
    )
    ids = [e["id"] for e in listed.json()["entities"]]
    assert "v2.routing.queues.{id}.conversations.messages" in ids
    assert all(e["description"] and e["requiresPermissions"] for e in listed.json()["entities"])


# ---------------------------------------------------------------------- the socket
async def test_notifications_socket_heartbeats_and_answers_ping(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str]
) -> None:
    made = channel(http, auth)
    async with mock.connect_notifications(made["connectUri"]) as socket:
        mock.clock.advance(30)
        assert frames(socket) == [{"topicName": "channel.metadata", "eventBody": {"message": "WebSocket Heartbeat"}}]
        mock.clock.advance(86400 / 2)  # one heartbeat after a jump, not one per 30 s skipped
        assert topics(socket) == ["channel.metadata"]
        await socket.send(json.dumps({"message": "ping"}))
        assert frames(socket) == [{"topicName": "channel.metadata", "eventBody": {"message": "pong"}}]
        await socket.send("not json")
    assert [e.status for e in mock.journal.calls("notifications.ws.*", kind="ws.in")] == [200, 400]


async def test_notifications_socket_gets_the_closing_notice_then_closes_at_expiry(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str]
) -> None:
    made = channel(http, auth)
    async with mock.connect_notifications(made["id"]) as socket:
        mock.clock.advance(86400 - 60)
        closing = [f for f in frames(socket) if f["topicName"] == "v2.system.socket_closing"]
        assert closing and closing[0]["eventBody"]["channelId"] == made["id"]
        mock.clock.advance(60)
        assert socket.connection.closed and "expired" in socket.connection.close_reason
    fresh = {"Authorization": f"Bearer {mock.issue_token()}"}
    assert http.head(f"{CHANNELS}/{made['id']}", headers=fresh).status_code == 404


async def test_notifications_second_socket_on_a_channel_closes_the_first(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str]
) -> None:
    made = channel(http, auth)
    async with mock.connect_notifications(made["id"]) as first, mock.connect_notifications(made["id"]) as second:
        assert first.connection.closed and not second.connection.closed


async def test_notifications_socket_on_an_unknown_channel_says_404_and_closes(mock: MockGenesys) -> None:
    async with mock.connect_notifications("wss://streaming.mypurecloud.com/channels/streaming-0-nope") as socket:
        assert frames(socket)[0]["result"] == "404"
        assert socket.connection.closed


# ---------------------------------------------------------------------- events
async def test_notifications_guest_side_changes_reach_the_queue_topics(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str]
) -> None:
    made = channel(http, auth)
    subscribe(http, auth, made["id"], queue_topic(mock), queue_topic(mock, ".conversations"))
    async with mock.connect_notifications(made["id"]) as socket:
        conversation = mock.add_conversation()
        mock.agent.conversation_started(conversation.id)
        started = frames(socket)
        assert [f["topicName"] for f in started] == [queue_topic(mock), queue_topic(mock, ".conversations")]
        assert started[0]["version"] == "2" and started[0]["metadata"]["CorrelationId"]
        mock.agent.assign(conversation.id)
        reply = mock.agent.reply(conversation.id, "How can I help?")
        last = frames(socket)[-2]["eventBody"]
        agent = next(p for p in last["participants"] if p["purpose"] == "agent")
        assert agent["messages"][-1]["message"]["id"] == reply.id and agent["queue"]["id"]
        mock.agent.disconnect(conversation.id)
        ended = frames(socket)[-1]["eventBody"]
        assert {p["messages"][0]["state"] for p in ended["participants"]} == {"disconnected"}


async def test_notifications_detail_events_follow_a_conversation(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str]
) -> None:
    conversation = mock.add_conversation()
    events = ("customer.start", "acd.end", "user.start", "customer.end", "user.end")
    made = channel(http, auth)
    subscribe(http, auth, made["id"], *(f"v2.detail.events.conversation.{conversation.id}.{e}" for e in events))
    async with mock.connect_notifications(made["id"]) as socket:
        mock.agent.conversation_started(conversation.id)
        agent = mock.agent.assign(conversation.id)
        mock.agent.disconnect(conversation.id)
        got = frames(socket)
    assert [f["topicName"].rsplit(".", 2)[-2:] for f in got] == [e.split(".") for e in events]
    body = got[2]["eventBody"]
    assert (body["userId"], body["mediaType"], body["messageType"]) == (agent.user_id, "MESSAGE", "WEBMESSAGING")
    assert got[3]["eventBody"]["disconnectType"] == "PEER"


async def test_notifications_events_on_a_lapsed_channel_are_journaled_as_missed(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str]
) -> None:
    made = channel(http, auth)
    subscribe(http, auth, made["id"], queue_topic(mock))
    conversation = mock.add_conversation()
    mock.agent.conversation_started(conversation.id)  # no socket: missed, but only "not-connected"
    mock.clock.advance(86401)
    mock.agent.assign(conversation.id)
    missed = mock.journal.calls("notifications.event.missed")
    assert [e.code for e in missed] == ["not-connected", "expired"]
    assert (
        missed[-1].detail == queue_topic(mock)
        and missed[-1].principal == mock.journal.calls("notifications.*")[0].principal
    )
    fresh = {"Authorization": f"Bearer {mock.issue_token()}"}
    again = channel(http, fresh)
    subscribe(http, fresh, again["id"], queue_topic(mock))  # listening again: nothing more is missed
    mock.agent.reply(conversation.id, "back")  # its socket is not connected yet, but it no longer lapsed
    assert [e.code for e in mock.journal.calls("notifications.event.missed")][2:] == ["not-connected"]


@pytest.mark.parametrize(
    ("then", "expected"),
    [
        ({"ws": {"duplicate": True}}, 2),
        ({"ws": {"hold": 5}}, 0),
    ],
)
async def test_notifications_faults_shape_event_frames(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str], then: dict[str, Any], expected: int
) -> None:
    made = channel(http, auth)
    subscribe(http, auth, made["id"], queue_topic(mock))
    mock.add_fault({"match": {"endpoint": "notifications.ws.out.event"}, "when": {"times": 1}, "then": then})
    async with mock.connect_notifications(made["id"]) as socket:
        mock.agent.assign(mock.add_conversation().id)  # one event
        assert len(frames(socket)) == expected
        mock.clock.advance(5)
        assert len([f for f in frames(socket) if f.get("topicName") == queue_topic(mock)]) == (
            1 if expected == 0 else 0
        )


async def test_notifications_drop_fault_closes_the_socket_and_loses_the_event(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str]
) -> None:
    made = channel(http, auth)
    subscribe(http, auth, made["id"], queue_topic(mock))
    mock.add_fault({"match": {"endpoint": "notifications.ws.out.event"}, "then": {"ws": {"drop": True}}})
    async with mock.connect_notifications(made["id"]) as socket:
        conversation = mock.add_conversation()
        mock.agent.conversation_started(conversation.id)
        assert socket.connection.closed and socket.connection.close_code == 1006 and frames(socket) == []
    (entry,) = mock.journal.calls("notifications.ws.out.event")
    assert (entry.status, entry.code, entry.fault) == (0, "reset", "rule-1")


async def test_notifications_connect_fault_refuses_the_socket(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str]
) -> None:
    made = channel(http, auth)
    mock.add_fault({"match": {"endpoint": "notifications.ws.connect"}, "when": {"times": 1}, "then": {"status": 503}})
    async with mock.connect_notifications(made["id"]) as refused:
        assert frames(refused)[0]["result"] == "503" and refused.connection.closed
    async with mock.connect_notifications(made["id"]) as accepted:
        assert not accepted.connection.closed


def test_notifications_close_all_sends_the_notice_and_closes_a_minute_later(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str]
) -> None:
    made = channel(http, auth)
    conn = mock.notifications.open(made["id"])
    assert mock.notifications.close_all() == 1
    assert not conn.closed and "socket_closing" in conn.queue.get_nowait()  # type: ignore[operator]
    mock.clock.advance(60)
    assert conn.closed and conn.close_code == 1001
    assert http.head(f"{CHANNELS}/{made['id']}", headers=auth).status_code == 200  # the channel stays
