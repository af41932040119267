from __future__ import annotations

import asyncio
import json

import pytest

from mockgenesys import MockGenesys
from mockgenesys.client import ClientConfigError, mock_connector, websocket_connector
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


async def test_websocket_connector_a_broken_url_is_a_config_error() -> None:
    with pytest.raises(ClientConfigError, match=r"not a WebSocket URL"):
        await websocket_connector("http://127.0.0.1:9/v1")("dep-1")


@pytest.mark.live
async def test_websocket_connector_a_garbled_handshake_is_a_connection_error() -> None:
    async def not_websocket(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"this is not HTTP\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(not_websocket, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        with pytest.raises(ConnectionError, match=r"handshake .* failed"):
            await websocket_connector(f"ws://127.0.0.1:{port}/v1")("dep-1")
