"""The strict decoders of ``transport_schema`` catch what Genesys' transport refuses."""

from __future__ import annotations

from typing import Any

import httpx
from transport_schema import DEPLOYMENT_CONFIG, MESSAGE_ENTITY_LIST, decode, decode_frame

from mockgenesys import MockGenesys


def _message(**body: Any) -> dict[str, Any]:
    return {"type": "message", "class": "StructuredMessage", "code": 200, "body": body}


def test_schema_requires_complete_attachments() -> None:
    bare = {"contentType": "Attachment", "attachment": {"id": "a1"}}
    problems = decode_frame(_message(id="m", type="Text", direction="Inbound", content=[bare]))
    assert problems == [
        "$.body.content[0].attachment.url: required by Attachment but missing",
        "$.body.content[0].attachment.filename: required by Attachment but missing",
        "$.body.content[0].attachment.mediaType: required by Attachment but missing",
    ]


def test_schema_is_strict_about_nulls_enums_and_strings() -> None:
    assert decode_frame(_message(id="m", type="Receipt", direction="Inbound")) == [
        "$.body.type: 'Receipt' is not one of ('Text', 'Event', 'Structured')"
    ]
    assert decode_frame(_message(id="m", type="Text", direction="Inbound", content=None)) == [
        "$.body.content: null where StructuredMessage declares a non-null property"
    ]
    assert decode_frame(_message(id="m", type="Text", direction="Inbound", metadata={"readOnly": True})) == [
        "$.body.metadata.readOnly: map values must be JSON strings, got True"
    ]
    presence = {"eventType": "Presence", "presence": {"type": "SessionExpired"}}
    assert decode_frame(_message(id="m", type="Event", direction="Outbound", events=[presence])) == [
        "$.body.events[0].presence.type: 'SessionExpired' is not one of ('Disconnect', 'Join', 'Clear', 'SignIn')"
    ]
    # unknown keys, content types and event types are fine
    extra = _message(id="m", type="Event", direction="Outbound", events=[{"eventType": "CoBrowse"}], extra=1)
    assert decode_frame(extra) == []


def test_schema_drops_structured_messages_it_cannot_show() -> None:
    attachment = {
        "contentType": "Attachment",
        "attachment": {"id": "a", "url": "u", "filename": "f", "mediaType": "File"},
    }
    assert decode_frame(_message(id="m", type="Structured", direction="Outbound", content=[attachment])) == [
        "$.body: a Structured message with content ['Attachment'] is Unknown to the transport (dropped)"
    ]


def test_schema_envelope_and_classes() -> None:
    assert decode_frame({"type": "message", "class": "Nope", "code": 200, "body": {}}) == [
        "$.class: 'Nope' is not a class the transport knows (it throws and drops the frame)"
    ]
    assert decode_frame({"type": "message", "class": "LogoutEvent", "code": 200, "body": None}) == [
        "$.body: null where WebMessagingMessage<LogoutEvent> declares a non-null property"
    ]
    assert decode_frame({"type": "response", "class": "string", "code": 4017, "body": "no"}) == []
    assert decode({"pageSize": 25, "pageNumber": 1, "total": 0}, MESSAGE_ENTITY_LIST) == [
        "$.pageCount: required by MessageEntityList but missing"
    ]


def test_schema_config_needs_styles_and_launcher_button(mock: MockGenesys, http: httpx.Client) -> None:
    config = http.get(f"/webdeployments/v1/deployments/{mock.deployment_id}/config.json").json()
    assert decode(config, DEPLOYMENT_CONFIG) == []
    del config["messenger"]["styles"], config["messenger"]["launcherButton"]
    config["version"] = 1
    assert decode(config, DEPLOYMENT_CONFIG) == [
        "$.version: expected a String, got 1",
        "$.messenger.styles: required by Messenger but missing",
        "$.messenger.launcherButton: required by Messenger but missing",
    ]
