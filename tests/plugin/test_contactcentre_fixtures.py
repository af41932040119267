from __future__ import annotations

import pytest


def test_contactcentre_fixtures_wire_a_bot_and_a_connector_to_genesys_mock(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        from mockgenesys.client import NotificationClient, OpenMessagingClient, WebhookReceiver

        async def test_notifications(genesys_notifications, genesys_mock):
            assert isinstance(genesys_notifications, NotificationClient)
            queue = genesys_mock.world.queue_of(genesys_mock.org_id)
            await genesys_notifications.start([f"v2.routing.queues.{queue}.conversations"])
            genesys_mock.agent.assign(genesys_mock.add_conversation().id)
            event = await genesys_notifications.next_event(timeout=5)
            assert event.topic.endswith(".conversations")

        async def test_open_messaging(genesys_open_messaging, genesys_webhook, genesys_mock):
            assert isinstance(genesys_open_messaging, OpenMessagingClient)
            assert isinstance(genesys_webhook, WebhookReceiver)
            sent = await genesys_open_messaging.send_text("user-1", "hello")
            genesys_mock.agent.reply(sent["conversationId"], "hi there")
            await genesys_mock.webhooks.drain()
            assert genesys_webhook.texts() == ["hi there"] and genesys_webhook.rejected == 0
        """
    )
    project.runpytest().assert_outcomes(passed=2)


def test_contactcentre_strict_marker_fails_a_webhook_that_does_not_verify(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import httpx
        import pytest

        @pytest.mark.genesys(strict=True, faults=[
            {"match": {"endpoint": "openmessaging.webhook"}, "then": {"forge_signature": True}}
        ])
        async def test_trusting_receiver(genesys_open_messaging, genesys_mock):
            genesys_mock.webhooks.transport = httpx.MockTransport(lambda request: httpx.Response(200))
            sent = await genesys_open_messaging.send_text("user-1", "hello")
            genesys_mock.agent.reply(sent["conversationId"], "hi")
            await genesys_mock.webhooks.drain()
        """
    )
    result = project.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*[[]unverified_webhook[]]*"])
