from __future__ import annotations

import json

import pytest

from mockgenesys import MockGenesys
from mockgenesys.client import mock_connector, websocket_connector
from mockgenesys.types import HandshakeRejected, WebSocketClosed


async def test_mock_connector_opens_an_in_process_guest_socket(mock: MockGenesys) -> None:
    socket = await mock_connector(mock)(mock.deployment_id)
    await socket.send(json.dumps({"action": "configureSession", "deploymentId": mock.deployment_id,
                                  "token": "00000000-0000-4000-8000-000000000001", "tracingId": "t-1"}))  # fmt: skip
    reply = json.loads(await socket.recv())
    assert reply["class"] == "SessionResponse" and reply["tracingId"] == "t-1"
    await socket.close()
    with pytest.raises(WebSocketClosed):
        await socket.recv()
    await socket.close()  # closing twice is harmless


async def test_mock_connector_an_unknown_deployment_is_refused_at_the_handshake(mock: MockGenesys) -> None:
    with pytest.raises(HandshakeRejected) as caught:
        await mock_connector(mock)("no-such-deployment")
    assert caught.value.status == 403


@pytest.mark.live
async def test_websocket_connector_talks_to_a_live_server(mock: MockGenesys) -> None:
    with mock.serve() as url:
        connect = websocket_connector(url.replace("http://", "ws://") + "/v1")
        socket = await connect(mock.deployment_id)
        await socket.send(json.dumps({"action": "echo", "token": "x", "tracingId": "t-1", "message": {"text": "hi"}}))
        assert json.loads(await socket.recv())["tracingId"] == "t-1"
        await socket.close()
        with pytest.raises(WebSocketClosed):
            await socket.recv()
        with pytest.raises(HandshakeRejected):
            await connect("no-such-deployment")
