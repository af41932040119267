from __future__ import annotations

import pytest

from mockgenesys import MockGenesys
from mockgenesys.client import GuestMessagingClient, PlatformClient, RetryPolicy, SecureSessionBroker, SessionManager

from .client_helpers import conversation_of, guest_texts

pytestmark = pytest.mark.live


async def test_the_client_core_over_real_sockets() -> None:
    mock = MockGenesys(seed=11)
    mock.add_fault(
        {"match": {"endpoint": "guest.ws.out.StructuredMessage"}, "when": {"times": 1}, "then": {"ws": {"drop": True}}},
        {
            "match": {"endpoint": "conversations.history"},
            "when": {"times": 1},
            "then": {"status": 429, "retry_after": 1},
        },
    )
    with mock.serve() as url:
        retry = RetryPolicy(base_delay=0.05, max_delay=0.5)
        manager = SessionManager(GuestMessagingClient.for_url(url, mock.deployment_id, retry=retry))
        async with manager:
            await manager.start()
            for n in range(3):
                await manager.send(f"live {n}")
            conversation = conversation_of(mock, manager.client)
            assert guest_texts(conversation) == ["live 0", "live 1", "live 2"]
            assert len([m for m in conversation.messages if m.direction == "inbound"]) == 3  # none without text
            restored = await manager.restore()
            assert [m.id for m in restored] == [m.id for m in conversation.messages]
            assert manager.client.stats.reconnects == 1

        async with PlatformClient(url, mock.client_id, mock.client_secret, retry=retry) as platform:
            history = await platform.history(conversation.id)
            assert [m["id"] for m in history] == [m.id for m in conversation.messages]
            broker = SecureSessionBroker(platform, (await platform.organization())["id"], hmac_secret="k" * 32)
            secure = await broker.create_session()
            assert broker.verify(secure.session_id, secure.session_token, secure.expiration_timestamp, secure.signature)
    mock.check().assert_ok()
