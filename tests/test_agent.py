from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from mockgenesys import MockGenesys, VirtualClock, WorldError
from mockgenesys.world import Conversation

BASE = "https://api.mypurecloud.com"


@pytest.fixture
def mock() -> MockGenesys:
    return MockGenesys(seed=7, clock=VirtualClock(), routing_delay=5)


@pytest.fixture
async def socket(mock: MockGenesys) -> AsyncIterator[object]:
    async with mock.connect_guest() as ws:
        await ws.send(json.dumps({"action": "configureSession", "token": "tok", "deploymentId": mock.deployment_id}))
        await ws.recv()
        yield ws


def conversation(mock: MockGenesys) -> Conversation:
    session = mock.world.guest_session("tok")
    assert session is not None
    return mock.world.conversations[session.conversation_id]


async def test_routing_assigns_an_agent_after_the_delay(mock: MockGenesys, socket: object) -> None:
    conv = conversation(mock)
    assert conv.state == "alerting" and conv.participant("agent") is None
    mock.clock.advance(4.9)
    assert conv.participant("agent") is None
    mock.clock.advance(0.1)
    agent = conv.participant("agent")
    assert agent is not None and agent.state == "connected" and conv.state == "connected"


async def test_agent_reply_typing_reach_the_guest(mock: MockGenesys, socket: object) -> None:
    conv = conversation(mock)
    mock.agent.typing(conv.id)
    mock.agent.reply(conv.id, "Hello from the agent")
    frames = [json.loads(f) for f in socket.pending()]  # type: ignore[attr-defined]
    assert frames[0]["body"]["events"][0] == {"eventType": "Typing", "typing": {"type": "On", "duration": 5000}}
    reply = frames[1]
    assert reply["type"] == "message" and reply["class"] == "StructuredMessage"
    assert reply["body"]["direction"] == "Outbound" and reply["body"]["originatingEntity"] == "Human"
    assert len(reply["body"]["id"]) == 32


async def test_transfer_changes_the_agent(mock: MockGenesys, socket: object) -> None:
    conv = conversation(mock)
    first = mock.agent.assign(conv.id)
    second = mock.agent.transfer(conv.id, to="Taylor Transfer")
    assert first.state == "disconnected" and first.disconnect_type == "transfer"
    assert second.name == "Taylor Transfer" and second.state == "connected"


async def test_disconnect_makes_the_session_read_only(mock: MockGenesys, socket: object) -> None:
    conv = conversation(mock)
    mock.agent.disconnect(conv.id)
    frame = json.loads(socket.pending()[-1])  # type: ignore[attr-defined]
    assert frame["body"]["events"] == [{"eventType": "Presence", "presence": {"type": "Disconnect"}}]
    assert frame["body"]["metadata"] == {"readOnly": "true"}
    assert conv.state == "disconnected"
    await socket.send(json.dumps({"action": "onMessage", "token": "tok", "message": {"type": "Text", "text": "hi"}}))  # type: ignore[attr-defined]
    refused = json.loads(await socket.recv())  # type: ignore[attr-defined]
    assert refused["code"] == 403 and "read-only" in refused["body"]
    await socket.send(json.dumps({"action": "configureSession", "token": "tok", "startNew": False}))  # type: ignore[attr-defined]
    assert json.loads(await socket.recv())["body"]["readOnly"] is True  # type: ignore[attr-defined]
    await socket.send(json.dumps({"action": "configureSession", "token": "tok", "startNew": True}))  # type: ignore[attr-defined]
    assert json.loads(await socket.recv())["body"]["readOnly"] is False  # type: ignore[attr-defined]
    with pytest.raises(WorldError, match="cannot reply"):
        mock.agent.reply(conv.id, "too late")


async def test_bot_answers_every_guest_message() -> None:
    mock = MockGenesys(seed=7, clock=VirtualClock(), bot=True)
    async with mock.connect_guest() as ws:
        await ws.send(json.dumps({"action": "configureSession", "token": "b", "deploymentId": mock.deployment_id}))
        await ws.recv()
        await ws.send(json.dumps({"action": "onMessage", "token": "b", "message": {"type": "Text", "text": "help"}}))
        await ws.recv()
        assert ws.pending() == []
        await mock.clock.sleep(1)
        reply = json.loads(ws.pending()[0])
        assert reply["body"]["originatingEntity"] == "Bot" and "help" in reply["body"]["text"]


async def test_every_view_shows_the_same_messages_in_order(mock: MockGenesys, socket: object) -> None:
    conv = conversation(mock)
    for n in range(3):
        await socket.send(
            json.dumps({"action": "onMessage", "token": "tok", "message": {"type": "Text", "text": f"guest {n}"}})
        )  # type: ignore[attr-defined]
        mock.agent.reply(conv.id, f"agent {n}")
        mock.clock.advance(1)
    pushed = [json.loads(f) for f in socket.pending()]  # type: ignore[attr-defined]
    ws_view = [f["body"]["text"] for f in pushed if f["class"] == "StructuredMessage"]
    expected = [m.text for m in conv.messages]
    assert ws_view == expected == [t for n in range(3) for t in (f"guest {n}", f"agent {n}")]
    await socket.send(json.dumps({"action": "getJwt", "token": "tok"}))  # type: ignore[attr-defined]
    jwt = json.loads(await socket.recv())["body"]["jwt"]  # type: ignore[attr-defined]
    with httpx.Client(transport=mock.transport(), base_url=BASE) as http:
        guest_view = http.get("/api/v2/webmessaging/messages", headers={"Authorization": f"Bearer {jwt}"}).json()
        auth = {"Authorization": f"Bearer {mock.issue_token()}"}
        seed_view = http.get(
            f"/api/v2/conversations/messaging/{conv.id}/messages", params={"sortOrder": "asc"}, headers=auth
        ).json()
        agent_conv = http.get(f"/api/v2/conversations/messages/{conv.id}", headers=auth).json()
        ids = [m["messageId"] for p in agent_conv["participants"] for m in p["messages"]]
        bulk = http.post(
            f"/api/v2/conversations/messages/{conv.id}/messages/bulk", headers=auth, json=[m.id for m in conv.messages]
        ).json()
    assert [e["text"] for e in guest_view["entities"]][::-1] == expected
    assert [e["text"] for e in seed_view["entities"]] == expected
    assert sorted(ids) == sorted(m.id for m in conv.messages)
    assert [e["normalizedMessage"]["text"] for e in bulk["entities"]] == expected
    assert [e["id"] for e in guest_view["entities"]][::-1] == [e["id"] for e in seed_view["entities"]]


def test_agent_errors_name_the_problem(mock: MockGenesys) -> None:
    with pytest.raises(WorldError, match="No conversation"):
        mock.agent.reply("nope", "hi")
    with pytest.raises(WorldError, match="needs some text"):
        mock.agent.reply(next(iter(mock.world.conversations)), "")


async def test_agent_rich_content_and_names_reach_the_guest(mock: MockGenesys, socket: object) -> None:
    from mockgenesys.world.content import card, quick_replies

    conv = conversation(mock)
    mock.agent.assign(conv.id, name="Dana Scully", image="https://cdn.example/d.png")
    mock.agent.reply(conv.id, "Pick", content=quick_replies("Yes", "No"))
    mock.agent.reply(conv.id, "Bot here", bot=True)
    mock.agent.reply(conv.id, content=[card("Shoes", "42")], name="Fox Mulder")
    frames = [json.loads(text)["body"] for text in socket.pending()]  # type: ignore[attr-defined]
    assert [f["type"] for f in frames] == ["Structured", "Text", "Structured"]
    assert frames[0]["channel"]["from"] == {
        "nickname": "Dana Scully",
        "firstName": "Dana",
        "lastName": "Scully",
        "image": "https://cdn.example/d.png",
    }
    assert frames[1]["channel"]["from"] == {"nickname": "Mock Bot"} and frames[1]["originatingEntity"] == "Bot"
    assert frames[2]["channel"]["from"]["nickname"] == "Fox Mulder"
    assert frames[0]["content"][1] == {
        "contentType": "QuickReply",
        "quickReply": {"text": "No", "payload": "No", "action": "Message"},
    }


async def test_agent_messages_get_their_own_millisecond_on_a_frozen_clock(mock: MockGenesys, socket: object) -> None:
    conv = conversation(mock)
    sent = [mock.agent.reply(conv.id, f"line {n}") for n in range(3)]
    assert [round(m.timestamp * 1000) for m in sent] == [round(sent[0].timestamp * 1000) + n for n in range(3)]


def test_agent_content_errors_name_the_item(mock: MockGenesys) -> None:
    cid = next(iter(mock.world.conversations))
    with pytest.raises(WorldError, match=r"content\[0\]: contentType must be one of Attachment, QuickReply"):
        mock.agent.reply(cid, content=[{"contentType": "ButtonResponse", "buttonResponse": {}}])
    with pytest.raises(WorldError, match=r"card.actions\[0\] of type Link needs a 'url' string"):
        mock.agent.reply(
            cid,
            content=[
                {
                    "contentType": "Card",
                    "card": {"title": "t", "description": "d", "actions": [{"type": "Link", "text": "x"}]},
                }
            ],
        )
    with pytest.raises(WorldError, match="needs some text or content"):
        mock.agent.reply(cid)
    with pytest.raises(WorldError, match="MIME type"):
        mock.agent.attach(cid, "a.bin", b"x", mime="binary")


async def test_guest_typing_is_echoed_but_not_history(mock: MockGenesys, socket: object) -> None:
    before = len(conversation(mock).messages)
    typing = {"eventType": "Typing", "typing": {"type": "On"}}
    await socket.send(
        json.dumps({"action": "onMessage", "token": "tok", "message": {"type": "Event", "events": [typing]}})
    )  # type: ignore[attr-defined]
    echo = json.loads(await socket.recv())  # type: ignore[attr-defined]
    assert echo["body"]["events"] == [typing]
    assert len(conversation(mock).messages) == before
