from __future__ import annotations

from mockgenesys import World


def test_generate_counts_and_shapes() -> None:
    world = World.generate(7, conversations=3, contacts=5, messages=(4, 6))
    assert len(world.orgs) == 1 and len(world.deployments) == 1
    assert len(world.contacts) == 5 and len(world.conversations) == 3
    for conversation in world.conversations.values():
        assert 4 <= len(conversation.messages) <= 6
        times = [m.timestamp for m in conversation.messages]
        assert times == sorted(times)
        assert {m.direction for m in conversation.messages} == {"inbound", "outbound"}
        assert [p.purpose for p in conversation.participants] == ["customer", "agent"]
    last = list(world.conversations.values())[-1]
    assert last.state == "disconnected" and not last.is_active


def test_generate_messages_are_indexed() -> None:
    world = World.generate(2)
    for conversation in world.conversations.values():
        for message in conversation.messages:
            assert world.message(message.id) is message
