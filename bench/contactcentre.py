"""`python -m bench.contactcentre`: what the contact-centre side costs, in-process.

- ``guest message``: a guest ``onMessage`` through the hub, with the contact-centre side wired but
  nobody subscribed, against the same with it unwired (the cost every guest message now pays);
- ``fan-out``: one conversation change published to N subscribed sockets (per socket delivered);
- ``webhook``: an agent message on an Open Messaging conversation through the signed webhook to an
  in-process receiver (per message, the HTTP exchange included).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time

import httpx

from mockgenesys import MockGenesys, VirtualClock
from mockgenesys.client import WebhookReceiver
from mockgenesys.server.notifications.connection import NotificationConnection

SECRET = "bench-webhook-secret-0123456789"


def _guest_messages(n: int, *, wired: bool) -> float:
    """Microseconds per guest onMessage (configureSession once, then n messages)."""
    mock = MockGenesys(seed=1, clock=VirtualClock(), routing_delay=None, limits={"enabled": False})
    if not wired:
        mock.agent.events = None
    conn = mock.hub.open(mock.deployment_id)
    mock.hub.receive(
        conn, json.dumps({"action": "configureSession", "deploymentId": mock.deployment_id, "token": "t" * 36})
    )
    frames = [
        json.dumps({"action": "onMessage", "token": "t" * 36, "message": {"type": "Text", "text": f"m{i}"}})
        for i in range(n)
    ]
    started = time.perf_counter()
    for frame in frames:
        mock.hub.receive(conn, frame)
        while not conn.queue.empty():
            conn.queue.get_nowait()
    return (time.perf_counter() - started) / n * 1e6


def _fan_out(sockets: int, events: int) -> float:
    """Microseconds per socket per event, ``sockets`` channels subscribed to the queue topic."""
    mock = MockGenesys(seed=1, clock=VirtualClock(), routing_delay=None, limits={"enabled": False})
    topic = f"v2.routing.queues.{mock.world.queue_of(mock.org_id)}.conversations.messages"
    store = mock.world.contact_centre.channels
    store.per_owner = sockets + 1
    conns: list[NotificationConnection] = []
    with httpx.Client(transport=mock.transport(), base_url="https://api.mypurecloud.com") as http:
        auth = {"Authorization": f"Bearer {mock.issue_token()}"}
        for _ in range(sockets):
            channel = http.post("/api/v2/notifications/channels", headers=auth).json()["id"]
            http.put(f"/api/v2/notifications/channels/{channel}/subscriptions", headers=auth, json=[{"id": topic}])
            conns.append(mock.notifications.open(channel))
    conversation = mock.add_conversation(messages=["hi"])
    started = time.perf_counter()
    for _ in range(events):
        mock.agent.guest_message(conversation.id, conversation.messages[0])
        for conn in conns:
            while not conn.queue.empty():
                conn.queue.get_nowait()
    return (time.perf_counter() - started) / (events * sockets) * 1e6


async def _webhooks(n: int) -> float:
    """Microseconds per agent message delivered through the webhook to an in-process receiver."""
    mock = MockGenesys(seed=1, clock=VirtualClock(), routing_delay=None, limits={"enabled": False})
    receiver = WebhookReceiver(SECRET)
    mock.webhooks.transport = httpx.ASGITransport(app=receiver)
    async with httpx.AsyncClient(transport=mock.transport(), base_url="https://api.mypurecloud.com") as http:
        auth = {"Authorization": f"Bearer {mock.issue_token()}"}
        integration = (
            await http.post(
                "/api/v2/conversations/messaging/integrations/open",
                headers=auth,
                json={
                    "name": "bench",
                    "outboundNotificationWebhookUrl": "http://127.0.0.1/hook",
                    "outboundNotificationWebhookSignatureSecretToken": SECRET,
                },
            )
        ).json()["id"]
        body = {"channel": {"from": {"id": "u", "idType": "Opaque"}, "time": "2026-01-01T00:00:00Z"}, "text": "hi"}
        sent = await http.post(
            f"/api/v2/conversations/messages/{integration}/inbound/open/message",
            headers=auth,
            params={"prefetchConversationId": "true"},
            json=body,
        )
    conversation_id = sent.json()["conversationId"]
    mock.agent.assign(conversation_id)
    started = time.perf_counter()
    for i in range(n):
        mock.agent.reply(conversation_id, f"answer {i}")
        await mock.webhooks.drain()
    elapsed = (time.perf_counter() - started) / n * 1e6
    assert len(receiver.messages) == n
    return elapsed


def main(rounds: int = 5) -> int:
    wired = statistics.median(_guest_messages(2000, wired=True) for _ in range(rounds))
    unwired = statistics.median(_guest_messages(2000, wired=False) for _ in range(rounds))
    print(f"guest message, contact-centre side wired (no subscriber): {wired:7.1f} µs")
    print(f"guest message, contact-centre side unwired:               {unwired:7.1f} µs")
    for sockets in (1, 100):
        per = statistics.median(_fan_out(sockets, 200 if sockets == 1 else 20) for _ in range(rounds))
        print(f"fan-out of one change to {sockets:3d} socket(s):                {per:7.1f} µs per socket")
    hook = statistics.median(asyncio.run(_webhooks(200)) for _ in range(rounds))
    print(f"agent message through the signed webhook (in-process):   {hook:7.1f} µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
