from __future__ import annotations

import json

import pytest
from ws_driver import Guest

from mockgenesys import MockGenesys
from mockgenesys.journal import fingerprint


def _stored(mock: MockGenesys, token: str = "guest-token-1") -> list[str]:
    session = mock.world.guest_session(token)
    assert session is not None
    return [m.text for m in mock.world.conversations[session.conversation_id].messages]


async def test_hub_get_jwt_is_journaled_as_an_issuance(mock: MockGenesys, guest: Guest) -> None:
    await guest.configure()
    frame = await guest.request("getJwt")
    (entry,) = mock.journal.calls("guest.ws.getJwt", kind="ws.in")
    assert (entry.status, entry.detail, entry.expires_at) == (
        200,
        fingerprint(frame["body"]["jwt"]),
        frame["body"]["exp"],
    )
    assert entry.principal == fingerprint("guest-token-1")


@pytest.mark.parametrize("then", [{"ws": {"drop": True}}, {"reset": True}])
async def test_hub_a_dropped_message_is_journaled_as_not_carried_out(
    mock: MockGenesys, guest: Guest, then: dict[str, object]
) -> None:
    await guest.configure()
    mock.add_fault({"match": {"endpoint": "guest.ws.onMessage"}, "then": then})
    await guest.send("onMessage", message={"type": "Text", "text": "lost"})
    (entry,) = mock.journal.calls("guest.ws.onMessage", kind="ws.in")
    assert (entry.status, entry.code, entry.fault) == (0, "reset", "rule-1")
    assert guest.socket.connection.closed and _stored(mock) == []


async def test_hub_a_fault_reply_is_journaled_with_its_code(mock: MockGenesys, guest: Guest) -> None:
    await guest.configure()
    mock.add_fault({"match": {"action": "onMessage"}, "then": {"ws": {"too_many": {"retry_after": 7}}}})
    frame = await guest.say("refused")
    (entry,) = mock.journal.calls("guest.ws.onMessage", kind="ws.in")
    assert frame["class"] == "TooManyRequestsErrorMessage"
    assert (entry.status, entry.retry_after, entry.fault) == (429, 7, "rule-1") and _stored(mock) == []


async def test_hub_a_delayed_frame_is_journaled_once_when_answered(mock: MockGenesys, guest: Guest) -> None:
    await guest.configure()
    mock.add_fault({"match": {"endpoint": "guest.ws.onMessage"}, "then": {"delay": 5}})
    sent_at = mock.clock.now()
    await guest.send("onMessage", message={"type": "Text", "text": "late"})
    assert mock.journal.calls("guest.ws.onMessage", kind="ws.in") == []
    mock.clock.advance(5)
    (entry,) = mock.journal.calls("guest.ws.onMessage", kind="ws.in")
    assert (entry.status, entry.fault, entry.received, entry.time) == (200, "rule-1", sent_at, sent_at + 5)
    assert _stored(mock) == ["late"]


async def test_hub_a_delayed_reply_comes_late_too(mock: MockGenesys, guest: Guest) -> None:
    await guest.configure()
    mock.add_fault({"match": {"endpoint": "guest.ws.echo"}, "then": {"delay": 3, "ws": {"error": {"code": 5000}}}})
    await guest.send("echo")
    assert guest.pending() == []
    mock.clock.advance(3)
    assert [f["code"] for f in guest.pending()] == [5000]


async def test_hub_a_delayed_frame_on_a_closed_socket_is_not_carried_out(mock: MockGenesys, guest: Guest) -> None:
    await guest.configure()
    mock.add_fault({"match": {"endpoint": "guest.ws.onMessage"}, "then": {"delay": 5}})
    await guest.send("onMessage", message={"type": "Text", "text": "never"})
    guest.socket.connection.drop()
    mock.clock.advance(5)
    (entry,) = mock.journal.calls("guest.ws.onMessage", kind="ws.in")
    assert (entry.status, entry.code) == (0, "closed") and _stored(mock) == []


async def test_hub_only_a_stored_message_is_journaled_200(mock: MockGenesys, guest: Guest) -> None:
    await guest.configure()
    await guest.say("kept")
    await guest.say("x" * 5000)
    await guest.send("onMessage", message={"type": "Bogus"})
    await guest.recv()
    statuses = [e.status for e in mock.journal.calls("guest.ws.onMessage", kind="ws.in")]
    assert statuses == [200, 4011, 400] and _stored(mock) == ["kept"]


async def test_hub_a_connection_past_the_cap_is_journaled_as_closed(mock: MockGenesys, guest: Guest) -> None:
    await guest.configure()
    for _ in range(2):
        mock.hub.receive(
            mock.hub.open(mock.deployment_id), json.dumps({"action": "configureSession", "token": "guest-token-1"})
        )
    async with mock.connect_guest() as fourth:
        await fourth.send(json.dumps({"action": "configureSession", "token": "guest-token-1"}))
    entry = mock.journal.calls("guest.ws.configureSession", kind="ws.in")[-1]
    assert (entry.status, entry.code) == (0, "closed")


async def test_hub_expire_token_fault_on_a_frame_revokes_the_sessions_jwts(mock: MockGenesys, guest: Guest) -> None:
    import httpx

    await guest.configure()
    jwt = (await guest.request("getJwt"))["body"]["jwt"]
    mock.add_fault({"match": {"endpoint": "guest.ws.echo"}, "when": {"times": 1}, "then": {"expire_token": True}})
    await guest.request("echo")
    async with httpx.AsyncClient(transport=mock.transport(), base_url="https://api.mypurecloud.com") as http:
        page = await http.get("/api/v2/webmessaging/messages", headers={"Authorization": f"Bearer {jwt}"})
    assert page.status_code == 401


async def test_hub_a_frame_asks_the_faults_once(
    mock: MockGenesys, guest: Guest, monkeypatch: pytest.MonkeyPatch
) -> None:
    await guest.configure()
    asked: list[str] = []
    decide = mock.faults.decide

    def counting(endpoint: str, *args: object) -> object:
        asked.append(endpoint)
        return decide(endpoint, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(mock.faults, "decide", counting)
    mock.add_fault({"match": {"endpoint": "guest.ws.onMessage", "principal": "someone-else"}, "then": {"status": 500}})
    await guest.say("once")
    assert asked == ["guest.ws.onMessage"]
