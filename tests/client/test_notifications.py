"""``NotificationClient``: a channel kept alive through drops, closing notices, expiry and duplicates."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from mockgenesys import MockGenesys, VirtualClock
from mockgenesys.client import (
    ClientConfigError,
    NotificationClient,
    NotificationGap,
    PlatformClient,
    mock_notification_connector,
    notification_connector,
)

from .client_helpers import settle, timing_for


@pytest.fixture
def mock() -> MockGenesys:
    return MockGenesys(seed=3, clock=VirtualClock(), routing_delay=None)


@pytest.fixture
async def platform(mock: MockGenesys) -> AsyncIterator[PlatformClient]:
    client = PlatformClient.for_mock(mock, timing=timing_for(mock))
    yield client
    await client.aclose()


@pytest.fixture
async def notes(mock: MockGenesys, platform: PlatformClient) -> AsyncIterator[NotificationClient]:
    client = NotificationClient(platform, mock_notification_connector(mock))
    yield client
    await client.aclose()


def topic(mock: MockGenesys) -> str:
    return f"v2.routing.queues.{mock.world.queue_of(mock.org_id)}.conversations.messages"


def writes(mock: MockGenesys) -> list[str]:
    return [e.endpoint for e in mock.journal.calls("notifications.*", kind="http") if e.method != "GET"]


async def test_notifications_client_starts_and_hears_events(mock: MockGenesys, notes: NotificationClient) -> None:
    await notes.start([topic(mock)])
    conversation = mock.add_conversation()
    mock.agent.assign(conversation.id)
    event = await notes.next_event(timeout=5)
    assert (event.topic, event.body["id"], event.version) == (topic(mock), conversation.id, "2")
    assert event.correlation_id
    assert writes(mock) == ["notifications.channels.create", "notifications.subscriptions.put"]


async def test_notifications_client_reconnects_after_a_drop_without_resubscribing(
    mock: MockGenesys, notes: NotificationClient
) -> None:
    gaps: list[NotificationGap] = []

    async def on_gap(gap: NotificationGap) -> None:
        gaps.append(gap)

    notes.on_gap = on_gap
    await notes.start([topic(mock)])
    channel = notes.channel_id
    assert channel is not None and mock.notifications.drop(channel)
    await settle()
    assert [g.reason for g in gaps] == ["the socket closed (1006)"] and not gaps[0].new_channel
    mock.agent.assign(mock.add_conversation().id)
    assert (await notes.next_event(timeout=5)).topic == topic(mock)
    assert notes.channel_id == channel and writes(mock) == [
        "notifications.channels.create",
        "notifications.subscriptions.put",
    ]


async def test_notifications_client_hands_over_on_the_closing_notice_without_a_gap(
    mock: MockGenesys, notes: NotificationClient
) -> None:
    await notes.start([topic(mock)])
    mock.notifications.close_all()
    await settle()
    mock.agent.assign(mock.add_conversation().id)
    mock.clock.advance(60)  # the old socket would close now: the client has moved already
    await settle()
    assert (await notes.next_event(timeout=5)).topic == topic(mock)
    assert notes.stats.handovers == 1 and notes.gaps == []


async def test_notifications_client_renews_the_channel_before_it_expires(
    mock: MockGenesys, notes: NotificationClient
) -> None:
    await notes.start([topic(mock)])
    mock.clock.advance(86400 - 3000)  # inside the renew margin: the next frame wakes the client
    await settle()
    assert writes(mock)[-1] == "notifications.subscriptions.put" and notes.stats.subscriptions_written == 2
    mock.clock.advance(4000)  # past the first day: the channel lives on
    mock.agent.assign(mock.add_conversation().id)
    assert (await notes.next_event(timeout=5)).topic == topic(mock)
    assert mock.check(rules=["missed_events", "notification_storm"]).ok


async def test_notifications_client_makes_a_new_channel_when_the_old_one_is_gone(
    mock: MockGenesys, notes: NotificationClient
) -> None:
    await notes.start([topic(mock)])
    old = notes.channel_id
    store = mock.world.contact_centre.channels
    lost = store.get(old or "", mock.clock.now())
    assert lost is not None
    store.end(lost, "removed", mock.clock.now())
    mock.notifications.ended(lost)
    await settle()
    assert notes.channel_id != old and notes.gaps[-1].new_channel
    mock.agent.assign(mock.add_conversation().id)
    assert (await notes.next_event(timeout=5)).topic == topic(mock)


async def test_notifications_client_delivers_a_duplicated_event_once(
    mock: MockGenesys, notes: NotificationClient
) -> None:
    mock.add_fault({"match": {"endpoint": "notifications.ws.out.event"}, "then": {"ws": {"duplicate": True}}})
    await notes.start([topic(mock)])
    mock.agent.assign(mock.add_conversation().id)
    await settle()
    assert len(notes.pending()) == 1 and notes.stats.duplicates_dropped == 1


async def test_notifications_client_subscribe_adds_only_new_topics(
    mock: MockGenesys, notes: NotificationClient
) -> None:
    await notes.start([topic(mock)])
    await notes.subscribe([topic(mock)])
    assert writes(mock).count("notifications.subscriptions.post") == 0
    typing = "v2.users.u1.conversations.inbound.typing.event"
    await notes.subscribe([typing])
    await notes.unsubscribe([typing])
    assert notes.topics == [topic(mock)]
    assert writes(mock)[-2:] == ["notifications.subscriptions.post", "notifications.subscriptions.put"]


async def test_notifications_client_refuses_impossible_settings(platform: PlatformClient, mock: MockGenesys) -> None:
    with pytest.raises(ClientConfigError, match="heartbeat_timeout"):
        NotificationClient(platform, mock_notification_connector(mock), heartbeat_timeout=10)
    client = NotificationClient(platform, mock_notification_connector(mock))
    await client.start()
    with pytest.raises(ClientConfigError, match="twice"):
        await client.start()
    await client.aclose()


@pytest.mark.live
async def test_notifications_client_live_against_a_served_mock() -> None:
    mock = MockGenesys(seed=3, routing_delay=None)
    with mock.serve() as url:
        async with PlatformClient(url, mock.client_id, mock.client_secret) as platform:
            client = NotificationClient(platform, notification_connector())
            await client.start([topic(mock)])
            assert client.connect_uri is not None and client.connect_uri.startswith("ws://127.0.0.1")
            await asyncio.sleep(0.1)
            mock.agent.assign(mock.add_conversation().id)
            event = await client.next_event(timeout=5)
            assert event.topic == topic(mock)
            await client.aclose()
