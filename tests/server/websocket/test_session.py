from __future__ import annotations

import json

import pytest
from ws_driver import Guest

from mockgenesys import MockGenesys
from mockgenesys.types import HandshakeRejected, WebSocketClosed


async def test_configure_new_session(mock: MockGenesys, guest: Guest) -> None:
    frame = await guest.configure()
    assert frame["type"] == "response" and frame["class"] == "SessionResponse" and frame["code"] == 200
    body = frame["body"]
    assert body["connected"] is True and body["newSession"] is True and body["readOnly"] is False
    assert body["durationSeconds"] == 259200
    assert body["expirationDate"] == int(mock.clock.now()) + 259200
    session = mock.world.guest_session("guest-token-1")
    assert session is not None and session.conversation_id in mock.world.conversations


async def test_resume_same_token_is_not_new(mock: MockGenesys, guest: Guest) -> None:
    await guest.configure()
    conversation = mock.world.guest_session("guest-token-1").conversation_id  # type: ignore[union-attr]
    async with mock.connect_guest() as socket:
        again = Guest(socket, "guest-token-1", mock.deployment_id)
        body = (await again.configure(startNew=False))["body"]
    assert body["newSession"] is False
    assert mock.world.guest_session("guest-token-1").conversation_id == conversation  # type: ignore[union-attr]


async def test_start_new_gives_a_new_conversation(mock: MockGenesys, guest: Guest) -> None:
    await guest.configure()
    first = mock.world.guest_session("guest-token-1").conversation_id  # type: ignore[union-attr]
    body = (await guest.configure(startNew=True))["body"]
    assert body["newSession"] is True
    assert mock.world.guest_session("guest-token-1").conversation_id != first  # type: ignore[union-attr]


async def test_unknown_deployment_handshake_is_403(mock: MockGenesys) -> None:
    with pytest.raises(HandshakeRejected) as info:
        async with mock.connect_guest("no-such-deployment"):
            pass
    assert info.value.status == 403
    assert mock.journal.calls("guest.ws.connect", status=403)


async def test_actions_on_unknown_token_are_4007(guest: Guest) -> None:
    frame = await guest.say("hi")
    assert frame == {"type": "response", "class": "string", "code": 4007, "body": frame["body"]}
    assert "configureSession" in frame["body"]


async def test_expired_session_gets_event_then_4006(mock: MockGenesys, guest: Guest) -> None:
    await guest.configure()
    mock.clock.advance(259200)
    await guest.send("onMessage", message={"type": "Text", "text": "late"})
    assert (await guest.recv())["class"] == "SessionExpiredEvent"
    assert (await guest.recv())["code"] == 4006
    assert (await guest.say("again"))["code"] == 4006
    assert (await guest.configure())["code"] == 4006


async def test_activity_renews_the_session(mock: MockGenesys, guest: Guest) -> None:
    await guest.configure()
    for _ in range(3):
        mock.clock.advance(200000)
        assert (await guest.say("still here"))["class"] == "StructuredMessage"


async def test_hub_expire_session_pushes_event(mock: MockGenesys, guest: Guest) -> None:
    await guest.configure()
    mock.hub.expire_session(mock.world.guest_session("guest-token-1"))  # type: ignore[arg-type]
    assert (await guest.recv())["class"] == "SessionExpiredEvent"


async def test_fourth_connection_is_closed(mock: MockGenesys, guest: Guest) -> None:
    await guest.configure()
    sockets = []
    for _ in range(2):
        socket = mock.hub.open(mock.deployment_id)
        mock.hub.receive(socket, json.dumps({"action": "configureSession", "token": "guest-token-1"}))
        sockets.append(socket)
    async with mock.connect_guest() as fourth:
        await fourth.send(json.dumps({"action": "configureSession", "token": "guest-token-1"}))
        frame = json.loads(await fourth.recv())
        assert frame["class"] == "ConnectionClosedEvent"
        with pytest.raises(WebSocketClosed):
            await fourth.recv()
    assert len(mock.hub.connections_for(mock.world.guest_session("guest-token-1"))) == 3  # type: ignore[arg-type]


async def test_messages_fan_out_to_every_connection(mock: MockGenesys, guest: Guest) -> None:
    await guest.configure()
    async with mock.connect_guest() as socket:
        other = Guest(socket, "guest-token-1", mock.deployment_id)
        await other.configure()
        echo = await guest.say("to everyone", tracingId="trace-9")
        assert echo["tracingId"] == "trace-9" and echo["body"]["direction"] == "Inbound"
        assert (await other.recv())["body"]["text"] == "to everyone"


async def test_close_session_closes_other_connections(mock: MockGenesys, guest: Guest) -> None:
    await guest.configure()
    async with mock.connect_guest() as socket:
        other = Guest(socket, "guest-token-1", mock.deployment_id)
        await other.configure()
        frame = await guest.request("closeSession", closeAllConnections=True)
        assert frame["class"] == "SessionResponse" and frame["body"]["connected"] is False
        assert (await other.recv())["class"] == "ConnectionClosedEvent"
        with pytest.raises(WebSocketClosed):
            await other.recv()
    assert (await guest.configure())["body"]["newSession"] is False


async def test_echo_reports_session_duration(mock: MockGenesys, guest: Guest) -> None:
    await guest.configure()
    frame = await guest.request(
        "echo", tracingId="SGVhbHRoQ2hlY2tNZXNzYWdlSWQ=", message={"type": "Text", "text": "ping"}
    )
    assert frame["type"] == "response" and frame["class"] == "StructuredMessage"
    assert frame["tracingId"] == "SGVhbHRoQ2hlY2tNZXNzYWdlSWQ="
    assert frame["body"]["text"] == "ping"
    assert frame["body"]["metadata"] == {
        "durationSeconds": "259200",
        "expirationDate": str(int(mock.clock.now()) + 259200),
    }


async def test_get_jwt_works_on_guest_rest(mock: MockGenesys, guest: Guest) -> None:
    import httpx

    await guest.configure()
    await guest.say("remember me")
    frame = await guest.request("getJwt", tracingId="j1")
    assert frame["class"] == "JwtResponse" and frame["tracingId"] == "j1"
    assert frame["body"]["exp"] == int(mock.clock.now()) + 900
    with httpx.Client(transport=mock.transport(), base_url="https://api.mypurecloud.com") as http:
        page = http.get("/api/v2/webmessaging/messages", headers={"Authorization": f"Bearer {frame['body']['jwt']}"})
    assert [e["text"] for e in page.json()["entities"]] == ["remember me"]
    mock.clock.advance(900)
    with httpx.Client(transport=mock.transport(), base_url="https://api.mypurecloud.com") as http:
        expired = http.get("/api/v2/webmessaging/messages", headers={"Authorization": f"Bearer {frame['body']['jwt']}"})
    assert expired.status_code == 401


async def test_authenticated_session_from_oauth_exchange(mock: MockGenesys, guest: Guest) -> None:
    import httpx

    with httpx.Client(transport=mock.transport(), base_url="https://api.mypurecloud.com") as http:
        tokens = http.post(
            "/api/v2/webdeployments/token/oauthcodegrantjwtexchange",
            json={"deploymentId": mock.deployment_id, "oauth": {"code": "auth-code"}},
        ).json()
    frame = await guest.request(
        "configureAuthenticatedSession", deploymentId=mock.deployment_id, data={"code": tokens["jwt"]}
    )
    assert frame["class"] == "SessionResponse" and frame["body"]["newSession"] is True
    session = mock.world.guest_session("guest-token-1")
    assert session is not None and session.authenticated
    bad = await guest.request("configureAuthenticatedSession", data={"code": "not-a-jwt"})
    assert bad["code"] == 401 and bad["class"] == "string"
    missing = await guest.request("configureAuthenticatedSession", data={})
    assert missing["code"] == 4020


async def test_allowed_domains_check_the_origin(mock: MockGenesys) -> None:
    mock.world.default_deployment.allowed_domains = ["shop.example"]
    async with mock.connect_guest(origin="https://www.shop.example"):
        pass
    with pytest.raises(HandshakeRejected):
        async with mock.connect_guest(origin="https://evil.example"):
            pass


async def test_session_token_longer_than_max_token_chars_is_refused(mock: MockGenesys) -> None:
    from mockgenesys.server.websocket.frames import MAX_TOKEN_CHARS

    async with mock.connect_guest() as socket:
        for token, code in (("t" * MAX_TOKEN_CHARS, 200), ("u" * (MAX_TOKEN_CHARS + 1), 400)):
            await socket.send(json.dumps({"action": "configureSession", "token": token}))
            frame = json.loads(await socket.recv())
            assert frame["code"] == code
    assert str(MAX_TOKEN_CHARS) in frame["body"]
