"""Open Messaging for connectors: signatures, the webhook receiver, inbound calls."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import AsyncIterator

import httpx
import pytest

from mockgenesys import MockGenesys, VirtualClock
from mockgenesys.client import (
    ClientError,
    OpenMessagingClient,
    PlatformClient,
    WebhookReceiver,
    sign_body,
    verify_signature,
)

from .client_helpers import timing_for

SECRET = "0123456789abcdef-client"
BODY = b'{"id":"m1","type":"Text","text":"hi"}'


def test_openmessaging_signature_is_sha256_base64_as_genesys_computes_it() -> None:
    digest = hmac.new(SECRET.encode(), BODY, hashlib.sha256).digest()
    assert sign_body(SECRET, BODY) == "sha256=" + base64.b64encode(digest).decode()
    assert verify_signature(BODY, sign_body(SECRET, BODY), SECRET)
    assert verify_signature(BODY, "sha256=" + digest.hex(), SECRET)  # some middlewares send hex


@pytest.mark.parametrize(
    "header",
    [None, "", "sha256=", "sha256=not base64!", sign_body("another-secret-123", BODY), sign_body(SECRET, BODY + b" ")],
)
def test_openmessaging_signature_refuses_anything_else(header: str | None) -> None:
    assert verify_signature(BODY, header, SECRET) is False


async def call(receiver: WebhookReceiver, body: bytes, signature: str | None) -> int:
    headers = {"X-Hub-Signature-256": signature} if signature else {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=receiver), base_url="http://127.0.0.1") as http:
        return (await http.post("/webhook", content=body, headers=headers)).status_code


async def test_openmessaging_receiver_checks_signatures_and_deduplicates() -> None:
    heard: list[str] = []

    async def on_message(body: dict[str, object]) -> None:
        heard.append(str(body["id"]))

    receiver = WebhookReceiver(SECRET, on_message=on_message)
    assert await call(receiver, BODY, sign_body(SECRET, BODY)) == 200
    assert await call(receiver, BODY, sign_body(SECRET, BODY)) == 200  # a retried delivery
    assert await call(receiver, BODY, sign_body("forger-0123456789", BODY)) == 401
    assert await call(receiver, b"{", sign_body(SECRET, b"{")) == 400
    assert (receiver.texts(), heard, receiver.duplicates, receiver.rejected) == (["hi"], ["m1"], 1, 1)


@pytest.fixture
def mock() -> MockGenesys:
    return MockGenesys(seed=5, clock=VirtualClock(), routing_delay=0)


@pytest.fixture
async def connector(mock: MockGenesys) -> AsyncIterator[tuple[OpenMessagingClient, WebhookReceiver]]:
    receiver = WebhookReceiver(SECRET)
    mock.webhooks.transport = httpx.ASGITransport(app=receiver)
    async with PlatformClient.for_mock(mock, timing=timing_for(mock)) as platform:
        client = await OpenMessagingClient.create_integration(
            platform, name="acme", webhook_url="http://127.0.0.1:9/webhook", secret=SECRET
        )
        yield client, receiver
        await mock.webhooks.drain()


async def test_openmessaging_client_round_trip_with_receipt_and_typing(
    mock: MockGenesys, connector: tuple[OpenMessagingClient, WebhookReceiver]
) -> None:
    client, receiver = connector
    sent = await client.send_text("u-1", "hello", nickname="Uma", message_id="p-1")
    conversation = mock.world.conversations[sent["conversationId"]]
    reply = mock.agent.reply(conversation.id, "Hi Uma")
    await mock.webhooks.drain()
    assert receiver.texts() == ["Hi Uma"] and receiver.messages[0]["id"] == reply.id
    receipt = await client.send_receipt(reply.id, "u-1")
    assert receipt["status"] == "Delivered" and mock.world.message(reply.id).status == "Delivered"  # type: ignore[union-attr]
    assert (await client.send_typing("u-1"))["type"] == "Event"
    again = await client.send_text("u-1", "hello", message_id="p-1", time=sent["channel"]["time"])
    assert again["id"] == sent["id"]  # the same platform message is stored once
    with pytest.raises(ClientError, match="Delivered or Failed"):
        await client.send_receipt(reply.id, "u-1", status="Read")
    with pytest.raises(ClientError, match="idType"):
        await client.send_text("u-1", "x", id_type="Cookie")


async def test_openmessaging_client_sends_attachments(
    mock: MockGenesys, connector: tuple[OpenMessagingClient, WebhookReceiver]
) -> None:
    client, _ = connector
    photo = {"mediaType": "Image", "url": "https://cdn.example/p.png", "mime": "image/png", "filename": "p.png"}
    sent = await client.send_text("u-2", attachments=[photo], metadata={"shop": "north"})
    stored = mock.world.message(sent["id"])
    assert stored is not None and stored.content[0]["attachment"]["filename"] == "p.png"
    assert stored.metadata == {"shop": "north"}
