"""Frame limits of the guest socket: size, JSON depth, message parts, floods and unread frames."""

from __future__ import annotations

import json

import pytest
import websockets
from ws_driver import Guest

from mockgenesys import MockGenesys, VirtualClock
from mockgenesys.server.websocket import connection, frames
from mockgenesys.server.websocket.limits import (
    FLOOD_CLOSE_CODE,
    FLOOD_REFUSALS,
    MAX_CONTENT_ITEMS,
    MAX_FRAME_CHARS,
    MAX_METADATA_BYTES,
)
from mockgenesys.types import WebSocketClosed

DEEP = "[" * 20_000  # within the frame size, far past any recursion limit


async def test_limits_deep_json_is_an_error_frame_and_the_socket_stays_open(guest: Guest) -> None:
    await guest.socket.send(DEEP)
    answer = await guest.recv()
    assert (answer["class"], answer["code"]) == ("string", 400) and "deeper than 64" in answer["body"]
    assert (await guest.configure())["class"] == "SessionResponse"


async def test_limits_an_oversized_frame_is_refused_unread(guest: Guest) -> None:
    await guest.configure()
    answer = await guest.say("x" * (MAX_FRAME_CHARS + 1))
    assert (answer["code"], answer["class"]) == (frames.MESSAGE_TOO_LONG, "string")
    assert f"longer than {MAX_FRAME_CHARS}" in answer["body"]


@pytest.mark.parametrize(
    ("message", "problem"),
    [
        ({"type": "Text", "text": "hi", "metadata": {"k": "v" * MAX_METADATA_BYTES}}, "metadata is"),
        ({"type": "Text", "text": "hi", "content": [{}] * (MAX_CONTENT_ITEMS + 1)}, "content has"),
        ({"type": "Text", "text": "hi", "content": [{"contentType": "x" * 9000}]}, "content is"),
    ],
)
async def test_limits_message_metadata_and_content_are_bounded(
    mock: MockGenesys, guest: Guest, message: dict[str, object], problem: str
) -> None:
    await guest.configure()
    conversation = mock.world.conversations[mock.world.guest_session(guest.token).conversation_id]  # type: ignore[union-attr]
    before = len(conversation.messages)
    answer = await guest.request("onMessage", message=message)
    assert answer["code"] == frames.MESSAGE_TOO_LONG and problem in answer["body"]
    assert len(conversation.messages) == before  # neither stored nor echoed


async def test_limits_invalid_frames_count_and_a_flood_is_closed_with_a_genesys_code() -> None:
    mock = MockGenesys(seed=7, clock=VirtualClock(), limits={"ws_requests_per_minute": 5})
    async with mock.connect_guest() as socket:
        for _ in range(5):
            await socket.send("not json")
        answers = [json.loads(frame) for frame in socket.pending()]
        assert [a["code"] for a in answers] == [400] * 5
        await socket.send('{"action": "echo"}')  # the sixth frame, valid or not, is over the limit
        assert json.loads(socket.pending()[0])["class"] == "TooManyRequestsErrorMessage"
        with pytest.raises(WebSocketClosed) as closed:
            for _ in range(FLOOD_REFUSALS + 5):
                await socket.send("garbage")
        assert closed.value.code == FLOOD_CLOSE_CODE == 4029
    refused = [e for e in mock.journal.calls("guest.ws.*", kind="ws.in") if e.status == 429]
    assert len(refused) == FLOOD_REFUSALS + 1


async def test_limits_a_client_that_never_reads_is_closed_and_its_frames_let_go(
    mock: MockGenesys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(connection, "MAX_QUEUED_FRAMES", 10)
    mock = MockGenesys(seed=7, clock=VirtualClock(), limits={"enabled": False})
    async with mock.connect_guest() as socket:
        guest = Guest(socket, "slow", mock.deployment_id)
        await guest.send("configureSession", deploymentId=mock.deployment_id)
        with pytest.raises(WebSocketClosed):
            for _ in range(20):
                await guest.send("onMessage", message={"type": "Text", "text": "unread"})
        assert socket.connection.close_code == connection.SLOW_READER
        assert socket.pending() == []


async def test_limits_a_bug_in_an_action_is_a_500_frame_and_raised_in_the_test(
    mock: MockGenesys, guest: Guest, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mockgenesys.server.websocket import actions

    def broken(call: object) -> None:
        raise KeyError("inside the mock")

    monkeypatch.setitem(actions.ACTIONS, "echo", broken)
    await guest.configure()
    with pytest.raises(KeyError):
        await guest.send("echo")
    answer = await guest.recv()
    assert (answer["code"], answer["body"]) == (500, "Request failed. The server met an internal error.")
    assert mock.server.error_count == 1


@pytest.mark.live
async def test_limits_live_deep_json_gets_an_error_frame_not_a_close() -> None:
    mock = MockGenesys(seed=7)
    with mock.serve() as url:
        ws_url = url.replace("http://", "ws://") + f"/v1?deploymentId={mock.deployment_id}"
        async with websockets.connect(ws_url) as ws:
            await ws.send(DEEP)
            answer = json.loads(await ws.recv())
            assert answer["code"] == 400 and "deeper" in answer["body"]
            await ws.send(json.dumps({"action": "configureSession", "token": "t", "deploymentId": mock.deployment_id}))
            assert json.loads(await ws.recv())["class"] == "SessionResponse"
