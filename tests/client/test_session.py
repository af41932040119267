from __future__ import annotations

import pytest

from mockgenesys import MockGenesys
from mockgenesys.client import MessageFailedError, SessionManager

from .client_helpers import conversation_of, drop_connections, record, session_of, settle, timing_for


@pytest.fixture
async def manager(mock: MockGenesys) -> SessionManager:
    session = SessionManager.for_mock(mock, timing=timing_for(mock))
    yield session  # type: ignore[misc]
    await session.aclose()


async def test_start_send_and_events(mock: MockGenesys, manager: SessionManager) -> None:
    seen = record(manager.events, "conversation_updated", "message_sent", "connection_state_change")
    body = await manager.start()
    assert body["newSession"] is True and manager.active
    await manager.send("hello")
    names = [name for name, _ in seen]
    assert names == ["connection_state_change", "conversation_updated", "message_sent"]
    assert [m.text for m in manager.messages] == ["hello"]


async def test_restore_after_a_drop_brings_back_what_arrived_meanwhile(
    mock: MockGenesys, manager: SessionManager
) -> None:
    await manager.start()
    await manager.send("before the drop")
    client = manager.client
    conversation = conversation_of(mock, client)
    drop_connections(mock, client, reason="network")
    mock.agent.reply(conversation.id, "sent while you were away")  # nobody connected to receive it
    await settle()
    await manager.client.events.drain()
    await settle()
    assert [m.text for m in manager.messages] == [m.text for m in conversation.messages]
    assert "sent while you were away" in [m.text for m in manager.messages]


async def test_what_the_agent_sent_during_a_drop_is_received_once_after_the_restore(
    mock: MockGenesys, manager: SessionManager
) -> None:
    received = record(manager.events, "message_received")
    await manager.start()
    conversation = conversation_of(mock, manager.client)
    mock.agent.reply(conversation.id, "seen live")
    await settle()
    drop_connections(mock, manager.client, reason="network")
    mock.agent.reply(conversation.id, "sent while you were away")  # no socket: Genesys never resends it
    await settle()
    await manager.client.events.drain()
    await settle()
    drop_connections(mock, manager.client, reason="network")  # a second reconnect announces nothing twice
    await settle()
    await manager.client.events.drain()
    await settle()
    assert [message.text for _, message in received] == ["seen live", "sent while you were away"]


async def test_guest_session_expired_reauthenticates_and_starts_clean(
    mock: MockGenesys, manager: SessionManager
) -> None:
    seen = record(manager.events, "guest_session_expired", "conversation_updated")
    await manager.start()
    await manager.send("old conversation")
    old = conversation_of(mock, manager.client)
    session = session_of(mock, manager.client)
    mock.hub.expire_session(session)
    await settle()
    await manager.events.drain()
    await manager.client.events.drain()
    assert [name for name, _ in seen].count("guest_session_expired") == 1
    assert manager.reauths == 1 and manager.messages == []
    await manager.send("new conversation")
    assert conversation_of(mock, manager.client).id != old.id
    assert [m.text for m in manager.messages] == ["new conversation"]
    mock.check().assert_ok()


async def test_a_closed_conversation_is_not_restored_automatically(mock: MockGenesys, manager: SessionManager) -> None:
    await manager.start()
    await manager.send("bye")
    conversation = conversation_of(mock, manager.client)
    mock.agent.disconnect(conversation.id)
    await settle()
    assert manager.conversation_state == "DISCONNECTED" and not manager.active
    before = len(mock.journal.calls("webmessaging.messages"))
    drop_connections(mock, manager.client)
    await settle()
    await manager.client.events.drain()
    assert manager.client.connected
    assert len(mock.journal.calls("webmessaging.messages")) == before  # no automatic restore of an ended conversation
    restored = await manager.restore()  # asked for explicitly, the history is still readable
    assert [m.text for m in restored if m.type != "Event"][:1] == ["bye"]


async def test_message_failed_is_emitted_with_the_reason(mock: MockGenesys, manager: SessionManager) -> None:
    failed = record(manager.events, "message_failed")
    await manager.start()
    with pytest.raises(MessageFailedError):
        await manager.send("y" * 5000)
    assert len(failed) == 1 and "split it" in str(failed[0][1])


async def test_a_handler_error_does_not_break_the_client(mock: MockGenesys, manager: SessionManager) -> None:
    errors = record(manager.events, "error")

    def broken(_: object) -> None:
        raise RuntimeError("handler bug")

    manager.events.on("message_sent", broken)
    await manager.start()
    await manager.send("still delivered")
    assert [type(p) for _, p in errors] == [RuntimeError]
    assert [m.text for m in manager.messages] == ["still delivered"]
