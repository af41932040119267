"""Authenticated guest sessions on the socket: sign in, step up, signed in elsewhere, downgrade, log out."""

from __future__ import annotations

import httpx
from ws_driver import Guest

from mockgenesys import MockGenesys
from mockgenesys.world.models import Deployment

API = "https://api.mypurecloud.com"


def exchange(mock: MockGenesys, code: str) -> dict[str, str]:
    with httpx.Client(transport=mock.transport(), base_url=API) as http:
        body = {"deploymentId": mock.deployment_id, "oauth": {"code": code, "redirectUri": "https://app/cb"}}
        answer: dict[str, str] = http.post("/api/v2/webdeployments/token/oauthcodegrantjwtexchange", json=body).json()
    return answer


async def authenticate(guest: Guest, jwt: str) -> list[dict[str, object]]:
    await guest.send("configureAuthenticatedSession", deploymentId=guest.deployment_id, data={"code": jwt})
    return [await guest.recv(), *guest.pending()]


def deployment(mock: MockGenesys) -> Deployment:
    return mock.world.deployments[mock.deployment_id]


async def test_step_up_keeps_the_conversation_and_says_sign_in(mock: MockGenesys, guest: Guest) -> None:
    await guest.configure()
    conversation = mock.world.guest_session(guest.token).conversation_id  # type: ignore[union-attr]
    jwt = exchange(mock, mock.auth_code("alice", first_name="Alice", last_name="Doe"))["jwt"]
    sign_in, response = await authenticate(guest, jwt)
    assert sign_in["class"] == "StructuredMessage"
    assert sign_in["body"]["direction"] == "Inbound" and sign_in["body"]["type"] == "Event"  # type: ignore[index]
    assert sign_in["body"]["events"] == [{"eventType": "Presence", "presence": {"type": "SignIn"}}]  # type: ignore[index]
    assert sign_in["body"]["channel"]["from"] == {"firstName": "Alice", "lastName": "Doe"}  # type: ignore[index]
    assert response["class"] == "SessionResponse" and response["body"]["clearedExistingSession"] is False  # type: ignore[index]
    session = mock.world.guest_session(guest.token)
    assert session is not None and session.authenticated and session.user_id == "alice"
    assert session.conversation_id == conversation
    echo = await guest.say("now signed in")
    assert echo["body"]["metadata"]["authenticated"] == "true"


async def test_step_up_refused_when_the_deployment_does_not_allow_it(mock: MockGenesys, guest: Guest) -> None:
    deployment(mock).allow_session_upgrade = False
    await guest.configure()
    (refused,) = await authenticate(guest, exchange(mock, "code-1")["jwt"])
    assert (refused["class"], refused["code"]) == ("string", 403)
    assert "allowSessionUpgrade" in str(refused["body"])
    assert not mock.world.guest_session(guest.token).authenticated  # type: ignore[union-attr]


async def test_a_new_token_gets_its_own_authenticated_conversation(mock: MockGenesys, guest: Guest) -> None:
    (response,) = await authenticate(guest, exchange(mock, "code-2")["jwt"])
    assert response["body"]["newSession"] is True  # type: ignore[index]
    session = mock.world.guest_session(guest.token)
    assert session is not None and session.authenticated


async def test_signing_in_elsewhere_closes_the_other_device(mock: MockGenesys, guest: Guest) -> None:
    code = mock.auth_code("bob")
    await authenticate(guest, exchange(mock, code)["jwt"])
    await guest.say("from the phone")
    conversation = mock.world.guest_session(guest.token).conversation_id  # type: ignore[union-attr]
    async with mock.connect_guest() as socket:
        laptop = Guest(socket, "laptop-token", mock.deployment_id)
        (response,) = await authenticate(laptop, exchange(mock, code)["jwt"])
        assert response["body"]["clearedExistingSession"] is True  # type: ignore[index]
        assert mock.world.guest_session("laptop-token").conversation_id == conversation  # type: ignore[union-attr]
    closed = await guest.recv()
    assert closed == {"type": "message", "class": "ConnectionClosedEvent", "code": 200, "body": {"reason": "signedIn"}}
    assert guest.socket.connection.closed and guest.socket.connection.close_code == 1000


async def test_anonymous_configure_on_a_signed_in_token_is_4017(mock: MockGenesys, guest: Guest) -> None:
    await authenticate(guest, exchange(mock, "code-3")["jwt"])
    refused = await guest.configure()
    assert (refused["class"], refused["code"]) == ("string", 4017)


async def test_revoke_pushes_logout_event(mock: MockGenesys, guest: Guest) -> None:
    jwt = exchange(mock, "code-4")["jwt"]
    await authenticate(guest, jwt)
    with httpx.Client(transport=mock.transport(), base_url=API) as http:
        revoked = http.delete("/api/v2/webdeployments/token/revoke", headers={"Authorization": f"bearer {jwt}"})
    assert revoked.status_code == 204
    assert await guest.recv() == {"type": "message", "class": "LogoutEvent", "code": 200, "body": {}}
    assert (await guest.say("still there?"))["code"] == 4007


async def test_refresh_does_not_rotate_the_refresh_token(mock: MockGenesys) -> None:
    tokens = exchange(mock, "code-5")
    with httpx.Client(transport=mock.transport(), base_url=API) as http:
        for _ in range(2):  # Genesys' transport keeps the original refresh token: it must keep working
            answer = http.post("/api/v2/webdeployments/token/refresh", json={"refreshToken": tokens["refreshToken"]})
            assert answer.status_code == 200 and set(answer.json()) == {"jwt"}
