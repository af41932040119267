from __future__ import annotations

import json
from typing import Any

import pytest

from mockgenesys import MockGenesys, VirtualClock
from mockgenesys.types import WebSocketClosed


async def start(mock: MockGenesys, ws: Any, token: str = "t") -> None:
    await ws.send(json.dumps({"action": "configureSession", "token": token, "deploymentId": mock.deployment_id}))
    await ws.recv()


def say(text: str, token: str = "t", **extra: Any) -> str:
    return json.dumps({"action": "onMessage", "token": token, "message": {"type": "Text", "text": text}, **extra})


@pytest.fixture
def mock() -> MockGenesys:
    return MockGenesys(seed=7, clock=VirtualClock(), limits={"ws_messages_per_second": None})


async def test_every_third_message_echo_is_duplicated(mock: MockGenesys) -> None:
    mock.add_fault(
        {"match": {"endpoint": "guest.ws.onMessage"}, "when": {"every": 3}, "then": {"ws": {"duplicate": True}}}
    )
    async with mock.connect_guest() as ws:
        await start(mock, ws)
        for n in range(3):
            await ws.send(say(f"m{n}"))
        texts = [json.loads(f)["body"]["text"] for f in ws.pending()]
    assert texts == ["m0", "m1", "m2", "m2"]
    assert len(mock.world.guest_session("t").conversation_id) > 0  # type: ignore[union-attr]
    stored = mock.world.conversations[mock.world.guest_session("t").conversation_id].messages  # type: ignore[union-attr]
    assert [m.text for m in stored] == ["m0", "m1", "m2"]


async def test_hold_delivers_later_on_the_mock_clock(mock: MockGenesys) -> None:
    mock.add_fault({"match": {"endpoint": "guest.ws.onMessage"}, "when": {"times": 1}, "then": {"ws": {"hold": 5}}})
    async with mock.connect_guest() as ws:
        await start(mock, ws)
        await ws.send(say("held"))
        assert ws.pending() == []
        mock.clock.advance(5)
        assert json.loads(ws.pending()[0])["body"]["text"] == "held"


async def test_reorder_swaps_with_the_next_frame(mock: MockGenesys) -> None:
    mock.add_fault(
        {"match": {"endpoint": "guest.ws.onMessage"}, "when": {"times": 1}, "then": {"ws": {"reorder": True}}}
    )
    async with mock.connect_guest() as ws:
        await start(mock, ws)
        await ws.send(say("first"))
        await ws.send(say("second"))
        texts = [json.loads(f)["body"]["text"] for f in ws.pending()]
    assert texts == ["second", "first"]


async def test_reordered_frame_is_released_if_nothing_follows(mock: MockGenesys) -> None:
    mock.add_fault(
        {"match": {"endpoint": "guest.ws.onMessage"}, "when": {"times": 1}, "then": {"ws": {"reorder": True}}}
    )
    async with mock.connect_guest() as ws:
        await start(mock, ws)
        await ws.send(say("alone"))
        assert ws.pending() == []
        mock.clock.advance(2)
        assert len(ws.pending()) == 1


async def test_outbound_rule_on_frame_class(mock: MockGenesys) -> None:
    mock.add_fault({"match": {"endpoint": "guest.ws.out.JwtResponse"}, "then": {"ws": {"duplicate": True}}})
    async with mock.connect_guest() as ws:
        await start(mock, ws)
        await ws.send(json.dumps({"action": "getJwt", "token": "t"}))
        assert [json.loads(f)["class"] for f in ws.pending()] == ["JwtResponse", "JwtResponse"]


async def test_error_frame_too_many_and_drop(mock: MockGenesys) -> None:
    mock.add_fault(
        {
            "match": {"action": "echo"},
            "when": {"times": 1},
            "then": {"ws": {"error": {"code": 5000, "text": "Request failed."}}},
        }
    )
    mock.add_fault(
        {
            "match": {"action": "getJwt"},
            "when": {"times": 1},
            "then": {"ws": {"too_many": {"retry_after": 3, "message": "slow"}}},
        }
    )
    mock.add_fault({"match": {"endpoint": "guest.ws.closeSession"}, "then": {"ws": {"drop": True}}})
    async with mock.connect_guest() as ws:
        await start(mock, ws)
        await ws.send(json.dumps({"action": "echo", "token": "t", "tracingId": "e"}))
        assert json.loads(await ws.recv()) == {
            "type": "response",
            "class": "string",
            "code": 5000,
            "body": "Request failed.",
            "tracingId": "e",
        }
        await ws.send(json.dumps({"action": "getJwt", "token": "t"}))
        limited = json.loads(await ws.recv())
        assert limited["class"] == "TooManyRequestsErrorMessage" and limited["body"]["retryAfter"] == 3
        await ws.send(json.dumps({"action": "closeSession", "token": "t"}))
        with pytest.raises(WebSocketClosed) as info:
            await ws.recv()
        assert info.value.code == 1006
    assert [e.fault for e in mock.journal.calls("guest.ws.echo", kind="ws.in")] == ["rule-1"]


async def test_status_429_on_ws_endpoint_becomes_too_many(mock: MockGenesys) -> None:
    mock.add_fault(
        {"match": {"endpoint": "guest.ws.onMessage"}, "when": {"times": 1}, "then": {"status": 429, "retry_after": 4}}
    )
    async with mock.connect_guest() as ws:
        await start(mock, ws)
        await ws.send(say("x"))
        frame = json.loads(await ws.recv())
    assert frame["class"] == "TooManyRequestsErrorMessage" and frame["body"]["retryAfter"] == 4


async def test_expire_session_fault_gives_4006(mock: MockGenesys) -> None:
    mock.add_fault({"match": {"endpoint": "guest.ws.onMessage"}, "then": {"expire_session": True}})
    async with mock.connect_guest() as ws:
        await start(mock, ws)
        await ws.send(say("x"))
        assert json.loads(await ws.recv())["class"] == "SessionExpiredEvent"
        assert json.loads(await ws.recv())["code"] == 4006


async def test_delayed_handling_on_virtual_time(mock: MockGenesys) -> None:
    mock.add_fault({"match": {"endpoint": "guest.ws.getJwt"}, "then": {"delay": 10}})
    async with mock.connect_guest() as ws:
        await start(mock, ws)
        await ws.send(json.dumps({"action": "getJwt", "token": "t"}))
        assert ws.pending() == []
        mock.clock.advance(10)
        assert json.loads(ws.pending()[0])["class"] == "JwtResponse"


async def test_close_conversation_on_ws(mock: MockGenesys) -> None:
    mock.add_fault({"match": {"endpoint": "guest.ws.echo"}, "then": {"close_conversation": True}})
    async with mock.connect_guest() as ws:
        await start(mock, ws)
        await ws.send(json.dumps({"action": "echo", "token": "t"}))
        classes = [json.loads(f)["body"].get("events", [{}])[0].get("presence", {}).get("type") for f in ws.pending()]
    assert "Disconnect" in classes


async def test_principal_match_on_the_session_token(mock: MockGenesys) -> None:
    from mockgenesys.journal import fingerprint

    mock.add_fault(
        {
            "match": {"endpoint": "guest.ws.onMessage", "principal": fingerprint("victim")},
            "then": {"ws": {"error": {"code": 5000}}},
        }
    )
    async with mock.connect_guest() as ws:
        await start(mock, ws, "victim")
        await ws.send(say("x", token="victim"))
        assert json.loads(await ws.recv())["code"] == 5000
    async with mock.connect_guest() as ws:
        await start(mock, ws, "bystander")
        await ws.send(say("x", token="bystander"))
        assert json.loads(await ws.recv())["class"] == "StructuredMessage"
