"""The client core and ``SessionManager`` on Genesys' authenticated-session events and rich content."""

from __future__ import annotations

import json

import httpx

from mockgenesys import MockGenesys
from mockgenesys.client import GuestMessagingClient, SessionManager
from mockgenesys.world.content import card, quick_replies

from .client_helpers import record, session_of, settle, timing_for

API = "https://api.mypurecloud.com"


async def _exchange(mock: MockGenesys, code: str) -> str:
    async with httpx.AsyncClient(transport=mock.transport(), base_url=API) as http:
        response = await http.post(
            "/api/v2/webdeployments/token/oauthcodegrantjwtexchange",
            json={"deploymentId": mock.deployment_id, "oauth": {"code": code, "redirectUri": "https://app/cb"}},
        )
    jwt: str = response.json()["jwt"]
    return jwt


async def _authenticate(mock: MockGenesys, token: str, jwt: str) -> list[dict[str, object]]:
    """configureAuthenticatedSession for ``token`` on a second socket; the frames it got."""
    async with mock.connect_guest() as socket:
        frame = {"action": "configureAuthenticatedSession", "token": token, "data": {"code": jwt}}
        await socket.send(json.dumps({**frame, "deploymentId": mock.deployment_id}))
        return [json.loads(text) for text in socket.pending()] or [json.loads(await socket.recv())]


async def test_client_logged_out_on_logout_event(mock: MockGenesys) -> None:
    guest = GuestMessagingClient.for_mock(mock, timing=timing_for(mock))
    seen = record(guest.events, "logged_out", "connection_state_change")
    async with guest:
        await guest.login_guest()
        first_token = guest.session_token
        jwt = await guest.jwt()
        async with httpx.AsyncClient(transport=mock.transport(), base_url=API) as http:
            revoked = await http.delete(
                "/api/v2/webdeployments/token/revoke", headers={"Authorization": f"Bearer {jwt}"}
            )
        assert revoked.status_code == 204
        await settle()
        assert [name for name, _ in seen if name == "logged_out"] == ["logged_out"]
        assert ("connection_state_change", "closed") in seen
        assert not guest.connected and guest.session_token != first_token
        await settle()
        assert not guest.connected  # no reconnect after a logout
        body = await guest.login_guest()  # a new anonymous session on request
        assert body["newSession"] is True


async def test_client_step_up_then_signed_in_elsewhere(mock: MockGenesys) -> None:
    manager = SessionManager.for_mock(mock, timing=timing_for(mock))
    seen = record(manager.events, "signed_in", "signed_in_elsewhere", "conversation_updated")
    code = mock.auth_code("alice", first_name="Alice", last_name="Doe")
    async with manager:
        await manager.start()
        token = manager.client.session_token
        conversation = session_of(mock, manager.client).conversation_id
        frames = await _authenticate(mock, token, await _exchange(mock, code))
        assert frames[-1]["class"] == "SessionResponse"
        await settle()
        assert ("signed_in", {"firstName": "Alice", "lastName": "Doe"}) in seen
        session = mock.world.guest_session(token)
        assert session is not None and session.authenticated and session.conversation_id == conversation
        # the same user signs in on another device: this one is told and stops
        other = await _authenticate(mock, "device-2-token", await _exchange(mock, code))
        assert other[-1]["body"]["clearedExistingSession"] is True  # type: ignore[index]
        await settle()
        assert [name for name, _ in seen if name == "signed_in_elsewhere"] == ["signed_in_elsewhere"]
        assert manager.conversation_state == "SIGNED_OUT" and not manager.active
        assert not manager.client.connected


async def test_client_reads_sender_and_rich_content(mock: MockGenesys) -> None:
    guest = GuestMessagingClient.for_mock(mock, timing=timing_for(mock))
    received = record(guest.events, "message_received")
    async with guest:
        await guest.login_guest()
        conversation_id = session_of(mock, guest).conversation_id
        mock.agent.assign(conversation_id, name="Dana Scully", image="https://cdn.example/dana.png")
        mock.agent.reply(conversation_id, "Pick one", content=quick_replies("Yes", "No"))
        mock.agent.reply(conversation_id, content=[card("Shoes", "Size 42")])
        mock.agent.attach(conversation_id, "receipt.pdf", b"%PDF-1", mime="application/pdf")
        await settle()
        messages = [payload for _, payload in received]
        assert [m.sender for m in messages] == ["Dana Scully"] * 3
        assert messages[0].type == "Structured" and messages[0].quick_replies == [("Yes", "Yes"), ("No", "No")]
        assert messages[1].cards[0]["title"] == "Shoes"
        (file,) = messages[2].attachments
        assert messages[2].type == "Text"
        assert (file["filename"], file["mediaType"], file["fileSize"]) == ("receipt.pdf", "File", 6)
        async with httpx.AsyncClient(transport=mock.transport(), base_url=API) as http:
            assert (await http.get(file["url"])).content == b"%PDF-1"
        history = await guest.history()
        assert [m.sender for m in history if m.direction == "Outbound"][-3:] == ["Dana Scully"] * 3
