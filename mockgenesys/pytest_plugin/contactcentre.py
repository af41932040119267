"""Fixtures for the contact-centre side: a notification client, a webhook receiver, a connector.

Registered by ``mockgenesys.pytest_plugin.plugin``; mockgenesys is imported inside the fixtures, so
collection stays fast. See docs/bots.md.

- ``genesys_notifications``: a not-yet-started ``NotificationClient`` on ``genesys_mock``
  (in-process socket, the mock's clock); ``await genesys_notifications.start([...topics])``.
- ``genesys_webhook``: a ``WebhookReceiver`` the mock's Open Messaging webhooks reach in-process
  (``mock.webhooks.transport``); it checks ``X-Hub-Signature-256`` with ``WEBHOOK_SECRET``.
- ``genesys_open_messaging``: an ``OpenMessagingClient`` for a new integration whose webhook is
  ``genesys_webhook``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import pytest

from mockgenesys.pytest_plugin.coroutines import async_fixture

if TYPE_CHECKING:
    from mockgenesys import MockGenesys
    from mockgenesys.client import NotificationClient, OpenMessagingClient, WebhookReceiver

#: The signature secret of the integration ``genesys_open_messaging`` creates.
WEBHOOK_SECRET = "pytest-webhook-secret-0123456789"
#: Where that integration's webhook is (never dialled: the mock delivers in-process).
WEBHOOK_URL = "http://127.0.0.1/genesys-webhook"


@async_fixture
async def genesys_notifications(genesys_mock: MockGenesys) -> AsyncIterator[NotificationClient]:
    """A ``NotificationClient`` wired to ``genesys_mock`` in-process; closed after the test."""
    from mockgenesys.client import NotificationClient, PlatformClient, mock_notification_connector

    platform = PlatformClient.for_mock(genesys_mock)
    client = NotificationClient(platform, mock_notification_connector(genesys_mock))
    try:
        yield client
    finally:
        await client.aclose()
        await platform.aclose()


@pytest.fixture
def genesys_webhook(genesys_mock: MockGenesys) -> Iterator[WebhookReceiver]:
    """A signature-checking ``WebhookReceiver`` installed as ``genesys_mock``'s webhook transport."""
    import httpx

    from mockgenesys.client import WebhookReceiver

    receiver = WebhookReceiver(WEBHOOK_SECRET)
    genesys_mock.webhooks.transport = httpx.ASGITransport(app=receiver)
    yield receiver


@async_fixture
async def genesys_open_messaging(
    genesys_mock: MockGenesys, genesys_webhook: WebhookReceiver
) -> AsyncIterator[OpenMessagingClient]:
    """An ``OpenMessagingClient`` for a new integration whose webhook is ``genesys_webhook``."""
    from mockgenesys.client import OpenMessagingClient, PlatformClient

    platform = PlatformClient.for_mock(genesys_mock)
    try:
        yield await OpenMessagingClient.create_integration(
            platform, name="pytest connector", webhook_url=WEBHOOK_URL, secret=WEBHOOK_SECRET
        )
    finally:
        await genesys_mock.webhooks.drain()
        await platform.aclose()
