from __future__ import annotations

import json

import httpx
import pytest
import websockets

from mockgenesys import MockGenesys

pytestmark = pytest.mark.live


async def test_live_guest_websocket_with_the_websockets_library() -> None:
    mock = MockGenesys(seed=7)
    with mock.serve() as url:
        ws_url = url.replace("http://", "ws://") + f"/v1?deploymentId={mock.deployment_id}"
        async with websockets.connect(ws_url) as ws:
            await ws.send(
                json.dumps({"action": "configureSession", "token": "live-1", "deploymentId": mock.deployment_id})
            )
            session = json.loads(await ws.recv())
            assert session["class"] == "SessionResponse" and session["body"]["newSession"] is True
            await ws.send(
                json.dumps(
                    {
                        "action": "onMessage",
                        "token": "live-1",
                        "tracingId": "t",
                        "message": {"type": "Text", "text": "hi live"},
                    }
                )
            )
            echo = json.loads(await ws.recv())
            assert echo["body"]["text"] == "hi live" and echo["tracingId"] == "t"
            conversation_id = mock.world.guest_session("live-1").conversation_id  # type: ignore[union-attr]
            mock.agent.reply(conversation_id, "agent says hi")  # from another thread: must still arrive
            reply = json.loads(await ws.recv())
            assert reply["body"]["text"] == "agent says hi" and reply["body"]["direction"] == "Outbound"
            await ws.send(
                json.dumps(
                    {
                        "action": "onAttachment",
                        "token": "live-1",
                        "attachmentId": "a1",
                        "fileName": "x.png",
                        "fileType": "image/png",
                        "fileSize": 3,
                    }
                )
            )
            presigned = json.loads(await ws.recv())
            put = httpx.put(presigned["body"]["url"], content=b"abc", headers={"content-type": "image/png"})
            assert put.status_code == 200
            assert json.loads(await ws.recv())["class"] == "UploadSuccessEvent"
        with pytest.raises(websockets.InvalidStatus) as info:
            async with websockets.connect(url.replace("http://", "ws://") + "/v1?deploymentId=nope"):
                pass
        assert info.value.response.status_code == 403
    assert mock.journal.calls("guest.ws.onMessage", status=200)


async def test_live_drop_closes_with_a_reconnect_code() -> None:
    mock = MockGenesys(seed=7)
    with mock.serve() as url:
        async with websockets.connect(url.replace("http://", "ws://") + f"/v1?deploymentId={mock.deployment_id}") as ws:
            await ws.send(json.dumps({"action": "configureSession", "token": "d", "deploymentId": mock.deployment_id}))
            await ws.recv()
            session = mock.world.guest_session("d")
            for conn in mock.hub.connections_for(session):  # type: ignore[arg-type]
                conn.drop()
            with pytest.raises(websockets.ConnectionClosed) as info:
                await ws.recv()
            assert info.value.rcvd is not None and info.value.rcvd.code == 1012
