from __future__ import annotations

from mockgenesys.client import GuestMessage, GuestStats


def test_message_from_a_structured_message_body() -> None:
    body = {
        "id": "m-1",
        "text": "hi",
        "direction": "Inbound",
        "type": "Text",
        "channel": {"time": "2026-01-01T00:00:00.000Z"},
    }
    message = GuestMessage.from_body(body)
    assert (message.id, message.text, message.direction, message.time) == (
        "m-1",
        "hi",
        "Inbound",
        body["channel"]["time"],
    )
    assert message.raw is body and message.is_inbound_text


def test_message_from_a_body_with_its_id_in_the_channel_and_no_text() -> None:
    message = GuestMessage.from_body({"channel": {"messageId": "m-2"}, "direction": "Outbound", "type": "Event"})
    assert message.id == "m-2" and message.text is None and message.type == "Event"
    assert not message.is_inbound_text


def test_message_from_a_broken_body_does_not_raise() -> None:
    message = GuestMessage.from_body({"channel": "nonsense", "text": 42})
    assert message.id == "" and message.text is None and message.direction == ""


def test_message_equality_ignores_the_raw_body() -> None:
    one = GuestMessage.from_body({"id": "m", "text": "a", "direction": "Inbound", "extra": 1})
    two = GuestMessage.from_body({"id": "m", "text": "a", "direction": "Inbound"})
    assert one == two


def test_stats_start_at_zero() -> None:
    assert GuestStats() == GuestStats(0, 0, 0, 0, 0, 0, 0)
