from __future__ import annotations

import httpx
import pytest
from ws_driver import Guest

from mockgenesys import MockGenesys


async def test_text_over_4096_bytes_is_4011(guest: Guest) -> None:
    await guest.configure()
    frame = await guest.say("é" * 2049)
    assert frame == {
        "type": "response",
        "class": "string",
        "code": 4011,
        "body": "Message length 4098 is larger than 4096",
    }
    assert (await guest.say("x" * 4096))["class"] == "StructuredMessage"


@pytest.mark.parametrize("inside", [True, False])
async def test_custom_attributes_over_2048_bytes_is_4013(mock: MockGenesys, guest: Guest, inside: bool) -> None:
    await guest.configure()
    channel = {"metadata": {"customAttributes": {"k": "v" * 2100}}}
    message = {"type": "Text", "text": "hi", **({"channel": channel} if inside else {})}
    extra = {} if inside else {"channel": channel}
    frame = await guest.request("onMessage", message=message, **extra)
    assert frame["code"] == 4013
    assert frame["body"] == "Custom Attributes in channel metadata is larger than 2048 bytes"
    ok = {"metadata": {"customAttributes": {"plan": "gold"}}}
    good = await guest.request("onMessage", message={"type": "Text", "text": "hi", "channel": ok})
    assert good["class"] == "StructuredMessage"
    stored = mock.world.conversations[mock.world.guest_session("guest-token-1").conversation_id].messages[-1]  # type: ignore[union-attr]
    assert stored.custom_attributes == {"plan": "gold"}


async def test_message_rate_limit_is_truthful(mock: MockGenesys, guest: Guest) -> None:
    await guest.configure()
    assert (await guest.say("one"))["class"] == "StructuredMessage"
    assert (await guest.say("two"))["class"] == "StructuredMessage"
    limited = await guest.say("three", tracingId="t3")
    assert limited["class"] == "TooManyRequestsErrorMessage" and limited["code"] == 429
    assert limited["body"] == {
        "errorCode": 4029,
        "errorMessage": "Message rate too high for this session",
        "retryAfter": 1,
    }
    assert limited["tracingId"] == "t3"
    mock.clock.advance(limited["body"]["retryAfter"])
    assert (await guest.say("three"))["class"] == "StructuredMessage"


async def test_request_rate_limit_per_connection(mock: MockGenesys) -> None:
    limited = MockGenesys(
        seed=7, clock=mock.clock, limits={"ws_requests_per_minute": 3, "ws_configure_per_minute": None}
    )
    async with limited.connect_guest() as socket:
        guest = Guest(socket, "t", limited.deployment_id)
        for _ in range(3):
            assert (await guest.configure())["class"] == "SessionResponse"
        blocked = await guest.configure()
        assert blocked["class"] == "TooManyRequestsErrorMessage"
        assert blocked["body"]["errorMessage"] == "Request rate too high for this connection"
        assert blocked["body"]["retryAfter"] == 60


async def test_echo_limit_two_per_minute(mock: MockGenesys, guest: Guest) -> None:
    await guest.configure()
    assert (await guest.request("echo"))["class"] == "StructuredMessage"
    assert (await guest.request("echo"))["class"] == "StructuredMessage"
    third = await guest.request("echo")
    assert third["class"] == "TooManyRequestsErrorMessage" and third["body"]["retryAfter"] == 60
    mock.clock.advance(60)
    assert (await guest.request("echo"))["class"] == "StructuredMessage"


@pytest.mark.parametrize(
    ("raw", "code", "needle"),
    [
        ("not json", 400, "not valid JSON"),
        ("[1, 2]", 400, "JSON object"),
        ('{"token": "t"}', 400, "needs an action"),
        ('{"action": "dance", "token": "t"}', 400, "Unknown action 'dance'"),
        ('{"action": "onMessage"}', 4020, "token"),
        ('{"action": "onMessage", "token": 5}', 4020, "token"),
        ('{"action": "echo", "token": "t", "tracingId": 7}', 400, "tracingId"),
    ],
)
async def test_malformed_frames_get_string_errors_and_socket_survives(
    mock: MockGenesys, guest: Guest, raw: str, code: int, needle: str
) -> None:
    await guest.configure()
    await guest.socket.send(raw)
    frame = await guest.recv()
    assert frame["class"] == "string" and frame["code"] == code and needle in frame["body"]
    assert (await guest.say("still works"))["class"] == "StructuredMessage"


async def test_wrong_types_in_messages(guest: Guest) -> None:
    await guest.configure()
    assert (await guest.request("onMessage", message="hi"))["code"] == 4020
    assert (await guest.request("onMessage", message={"type": "Video"}))["code"] == 400
    assert (await guest.request("onMessage", message={"type": "Text", "text": 5}))["code"] == 400
    assert (await guest.request("onMessage", message={"type": "Text"}))["code"] == 4020
    assert (await guest.configure(startNew="yes"))["code"] == 400


async def test_presence_join_and_typing_events(mock: MockGenesys, guest: Guest) -> None:
    await guest.configure()
    join = await guest.request(
        "onMessage", message={"type": "Event", "events": [{"eventType": "Presence", "presence": {"type": "Join"}}]}
    )
    assert join["class"] == "StructuredMessage" and join["body"]["events"][0]["presence"]["type"] == "Join"
    typing = await guest.request(
        "onMessage", message={"type": "Event", "events": [{"eventType": "Typing", "typing": {"type": "On"}}]}
    )
    assert typing["body"]["type"] == "Event"
    mock.clock.advance(1)
    bad = await guest.request("onMessage", message={"type": "Event", "events": [{"eventType": "Dance"}]})
    assert bad["code"] == 400


async def test_presence_clear_clears_and_closes(mock: MockGenesys, guest: Guest) -> None:
    from mockgenesys.types import WebSocketClosed

    await guest.configure()
    await guest.send(
        "onMessage", message={"type": "Event", "events": [{"eventType": "Presence", "presence": {"type": "Clear"}}]}
    )
    assert (await guest.recv())["class"] == "SessionClearedEvent"
    assert (await guest.recv())["class"] == "ConnectionClosedEvent"
    with pytest.raises(WebSocketClosed):
        await guest.recv()
    async with mock.connect_guest() as socket:
        again = Guest(socket, "guest-token-1", mock.deployment_id)
        assert (await again.configure())["code"] == 4007


async def test_presence_clear_refused_when_disabled(mock: MockGenesys, guest: Guest) -> None:
    mock.world.default_deployment.conversation_clear_enabled = False
    await guest.configure()
    frame = await guest.request(
        "onMessage", message={"type": "Event", "events": [{"eventType": "Presence", "presence": {"type": "Clear"}}]}
    )
    assert frame == {
        "type": "response",
        "class": "string",
        "code": 403,
        "body": "Presence events Conversation Clear are not supported",
    }


async def test_attachment_upload_flow(mock: MockGenesys, guest: Guest) -> None:
    await guest.configure()
    frame = await guest.request(
        "onAttachment", attachmentId="att-1", fileName="a.png", fileType="image/png", fileSize=4
    )
    assert frame["class"] == "PresignedUrlResponse"
    body = frame["body"]
    assert body["url"].endswith("/__uploads/att-1") and body["fileName"] == "a.png"
    with httpx.Client(transport=mock.transport(), base_url="http://mock") as http:
        assert http.put("/__uploads/att-1", content=b"\x89PNG", headers=body["headers"]).status_code == 200
        success = await guest.recv()
        assert success["class"] == "UploadSuccessEvent" and success["body"]["attachmentId"] == "att-1"
        assert http.get("/__uploads/att-1").content == b"\x89PNG"
    got = await guest.request("getAttachment", attachmentId="att-1")
    assert got["class"] == "PresignedUrlResponse"
    content = [{"contentType": "Attachment", "attachment": {"id": "att-1"}}]
    sent = await guest.request("onMessage", message={"type": "Text", "text": "see file", "content": content})
    assert sent["body"]["content"] == [
        {
            "contentType": "Attachment",
            "attachment": {
                "id": "att-1",
                "url": "http://mockgenesys.invalid/__uploads/att-1",
                "filename": "a.png",
                "mediaType": "Image",
                "mime": "image/png",
                "fileSize": 4,
            },
        }
    ]
    deleted = await guest.request("deleteAttachment", attachmentId="att-1")
    assert deleted == {
        "type": "response",
        "class": "AttachmentDeletedResponse",
        "code": 200,
        "body": {"attachmentId": "att-1"},
    }
    assert (await guest.request("getAttachment", attachmentId="att-1"))["code"] == 4009


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"fileName": "a.tiff", "fileType": "image/tiff", "fileSize": 10}, 4001),
        ({"fileName": "run.exe", "fileType": "image/png", "fileSize": 10}, 4001),
        ({"fileName": "a.png", "fileType": "image/png", "fileSize": 50 * 1024 * 1024}, 4002),
        ({"fileName": "", "fileType": "image/png", "fileSize": 10}, 4004),
        ({"fileName": "a" * 300 + ".png", "fileType": "image/png", "fileSize": 10}, 4005),
    ],
)
async def test_attachment_refusals(guest: Guest, fields: dict[str, object], code: int) -> None:
    await guest.configure()
    frame = await guest.request("onAttachment", attachmentId="att-x", **fields)
    assert frame["class"] == "UploadFailureEvent" and frame["body"]["errorCode"] == code


async def test_upload_of_wrong_size_fails(mock: MockGenesys, guest: Guest) -> None:
    await guest.configure()
    await guest.request("onAttachment", attachmentId="att-2", fileName="a.png", fileType="image/png", fileSize=10)
    with httpx.Client(transport=mock.transport(), base_url="http://mock") as http:
        response = http.put("/__uploads/att-2", content=b"abc", headers={"content-type": "image/png"})
    assert response.status_code == 400
    failure = await guest.recv()
    assert failure["class"] == "UploadFailureEvent" and failure["body"]["errorCode"] == 4002
    unsent = await guest.request(
        "onMessage",
        message={
            "type": "Text",
            "text": "x",
            "content": [{"contentType": "Attachment", "attachment": {"id": "att-2"}}],
        },
    )
    assert unsent["code"] == 4010


async def test_frames_are_journaled_without_tokens(mock: MockGenesys, guest: Guest) -> None:
    await guest.configure()
    await guest.say("hello", tracingId="tr-1")
    inbound = mock.journal.calls("guest.ws.onMessage", kind="ws.in")
    assert len(inbound) == 1 and inbound[0].status == 200 and inbound[0].detail == "tr-1"
    assert mock.journal.calls("guest.ws.out.StructuredMessage", kind="ws.out")
    assert "guest-token-1" not in mock.journal.to_jsonl()
