from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from mockgenesys import World
from mockgenesys.world.copying import RECORD_TYPES, copy_data, copy_record, mutable_fields
from mockgenesys.world.models import AccessToken, Conversation, Message, SeedSession

SCALARS = {"str", "int", "float", "bool", "None"}


def _containers(value: Any, path: str = "") -> list[tuple[str, Any]]:
    """Every list, dict and record reachable from ``value``, with where it was found."""
    found: list[tuple[str, Any]] = []
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        found.append((path, value))
        for field in dataclasses.fields(value):
            found += _containers(getattr(value, field.name), f"{path}.{field.name}")
    elif isinstance(value, dict):
        found.append((path, value))
        for key, item in value.items():
            found += _containers(item, f"{path}[{key!r}]")
    elif isinstance(value, list):
        found.append((path, value))
        for index, item in enumerate(value):
            found += _containers(item, f"{path}[{index}]")
    return found


def _rich_records() -> list[Any]:
    world = World.generate(5, conversations=2, contacts=2, messages=(2, 3))
    conversation = next(iter(world.conversations.values()))
    message = dataclasses.replace(
        conversation.messages[0],
        events=[{"eventType": "Typing", "typing": {"duration": 5000}}],
        metadata={"a": "b"},
        content=[{"contentType": "Attachment", "attachment": {"id": "x", "tags": ["t"]}}],
        custom_attributes={"nested": {"list": [1, {"deep": True}]}},
    )
    conversation.messages[0] = message
    contact = next(iter(world.contacts.values()))
    contact.custom_fields["nested"] = {"values": [1, 2]}
    session = SeedSession(
        id="s", org_id="o", session_token="t", channel="web", expiration_seconds=60, created_at=0.0, metadata={"k": "v"}
    )
    token = AccessToken(token="tok", client_id="c", org_id="o", issued_at=0.0, expires_at=1.0)
    return [
        *world.orgs.values(),
        *world.clients.values(),
        *world.deployments.values(),
        conversation,
        contact,
        session,
        token,
    ]


@pytest.mark.parametrize("record", _rich_records(), ids=lambda r: type(r).__name__)
def test_copy_record_is_equal_and_shares_no_mutable_value(record: Any) -> None:
    duplicate = copy_record(record)
    assert duplicate == record and type(duplicate) is type(record)
    originals = {id(item) for _, item in _containers(record)}
    shared = [where for where, item in _containers(duplicate) if id(item) in originals]
    assert shared == []


def test_copy_record_plans_cover_every_field_that_is_not_a_scalar() -> None:
    # A new list or dict field on a record must be copied, or tests would leak into each other.
    for cls in RECORD_TYPES:
        non_scalar = [
            f.name for f in dataclasses.fields(cls) if not {p.strip() for p in str(f.type).split("|")} <= SCALARS
        ]
        assert mutable_fields(cls) == non_scalar, cls.__name__


def test_copy_record_keeps_frozen_records_frozen() -> None:
    message = next(iter(World.generate(1).conversations.values())).messages[0]
    duplicate = copy_record(message)
    with pytest.raises(dataclasses.FrozenInstanceError):
        duplicate.text = "edited"  # type: ignore[misc]
    assert isinstance(duplicate, Message)


def test_copy_record_copies_the_messages_of_a_conversation() -> None:
    conversation = next(iter(World.generate(1).conversations.values()))
    duplicate: Conversation = copy_record(conversation)
    duplicate.messages.pop()
    duplicate.participants[0].name = "someone else"
    assert len(conversation.messages) == len(duplicate.messages) + 1
    assert conversation.participants[0].name != "someone else"


def test_copy_data_copies_json_like_data_all_the_way_down_and_other_objects_by_deepcopy() -> None:
    class Box:
        def __init__(self) -> None:
            self.items = [1]

    data = {"list": [{"a": [1, 2]}], "box": Box(), "text": "t", "number": 1.5, "none": None}
    copied = copy_data(data)
    copied["list"][0]["a"].append(3)
    copied["box"].items.append(2)
    assert data["list"] == [{"a": [1, 2]}] and data["box"].items == [1]
    assert copied["text"] == "t" and copied["number"] == 1.5 and copied["none"] is None
