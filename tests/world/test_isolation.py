"""A test that changes every kind of record leaves the next test a world equal to a fresh one.

"Fresh" is a world generated right now with ``World.generate`` (never through the per-process
templates); "equal" is the full snapshot and every probe response, byte for byte. The mocks
draw their secrets from the seed (``deterministic_secrets``), so tokens compare too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockgenesys import ConfigError, MockGenesys, VirtualClock, World
from mockgenesys.clock import DEFAULT_EPOCH

SEED = 3
BASE = "https://api.mypurecloud.com"
Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


def fresh(start: float = DEFAULT_EPOCH, world: World | None = None) -> MockGenesys:
    """The truth: a mock on a world generated (or loaded) just now, bypassing every template."""
    return MockGenesys(
        seed=SEED, deterministic_secrets=True, clock=VirtualClock(start), world=world or World.generate(SEED)
    )


async def change_everything(mock: MockGenesys) -> list[str]:
    """Touch messages, sessions, contacts, tokens, uploads, clock, faults, limits and the journal.

    Returns ids of records it created, for the probe to ask about afterwards.
    """
    world = mock.world
    conversation = next(iter(world.conversations.values()))
    contact = next(iter(world.contacts.values()))
    with httpx.Client(transport=mock.transport(), base_url=BASE) as http:
        token = http.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, auth=(mock.client_id, mock.client_secret)
        ).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        history = f"/api/v2/conversations/messaging/{conversation.id}/messages"
        statuses = {http.get(history, headers=auth).status_code for _ in range(40)}  # past 30/s: a 429
        assert 429 in statuses
        seed_session = http.post(
            f"/api/v2/webmessaging/organizations/{mock.org_id}/sessions",
            headers=auth,
            json={"channel": "mobile", "metadata": {"a": "b"}},
        ).json()
        async with mock.connect_guest() as socket:
            await _frame(socket, action="configureSession", token="isolation-guest", deploymentId=mock.deployment_id)
            await _frame(socket, action="onMessage", token="isolation-guest", message={"type": "Text", "text": "hi"})
            presigned = await _frame(
                socket,
                action="onAttachment",
                token="isolation-guest",
                attachmentId="att-iso",
                fileName="a.png",
                fileType="image/png",
                fileSize=4,
            )
            assert http.put("/__uploads/att-iso", content=b"\x89PNG", headers=presigned["body"]["headers"]).is_success
    assert mock.server.uploads and world.guest_sessions and world.seed_sessions
    added = mock.add_contact(firstName="Added", lastName="Contact")
    new_conversation = mock.add_conversation(guest_name="Someone", messages=["new"])
    mock.agent.assign(new_conversation.id)  # takes the next agent name
    mock.agent.reply(new_conversation.id, "a reply")
    # In-place changes to records the seed's template also holds.
    contact.first_name = "Changed"
    contact.address["city"] = "Nowhere"
    contact.custom_fields["nested"] = {"list": [1]}
    message = conversation.messages[0]
    message.metadata["k"] = "v"
    message.events.append({"eventType": "Typing"})
    conversation.messages.pop()
    conversation.participants[0].name = "Renamed"
    world.default_client.permissions.clear()
    world.default_client.grants.append("password")
    world.default_deployment.allowed_domains.append("evil.example")
    world.default_org.name = "Renamed Org"
    world.expire_tokens(now=mock.clock.now())
    world.max_tokens = 5
    world.use_nonce("nonce-1", mock.clock.now())
    world.new_id()  # moves the RNG
    mock.clock.advance(3600)
    mock.add_fault({"match": {"endpoint": "oauth.token"}, "then": {"status": 503}})
    assert len(mock.journal) > 40
    return [added.id, new_conversation.id, seed_session["id"]]


async def _frame(socket: Any, **frame: Any) -> dict[str, Any]:
    await socket.send(json.dumps(frame))
    answer: dict[str, Any] = json.loads(await socket.recv())
    return answer


async def probe(mock: MockGenesys, created: list[str]) -> list[Any]:
    """Every answer a client would see for a fixed script of calls, headers and bodies included."""
    contact_id, conversation_id, seed_session_id = created
    world = mock.world
    first_conversation = next(iter(world.conversations))
    first_contact = next(iter(world.contacts))
    answers: list[Any] = []
    routed = mock.add_conversation(guest_name="Probe")
    mock.agent.assign(routed.id)  # the next agent's name shows in the conversation
    with httpx.Client(transport=mock.transport(), base_url=BASE) as http:
        token_answer = http.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, auth=(mock.client_id, mock.client_secret)
        )
        auth = {"Authorization": f"Bearer {token_answer.json()['access_token']}"}
        sessions = f"/api/v2/webmessaging/organizations/{mock.org_id}/sessions"
        calls = [
            ("GET", "/api/v2/organizations/me", None),
            ("GET", f"/api/v2/externalcontacts/contacts/{first_contact}", None),
            ("GET", "/api/v2/externalcontacts/contacts?pageSize=50", None),
            ("GET", f"/api/v2/externalcontacts/contacts/{contact_id}", None),
            ("GET", f"/api/v2/conversations/messaging/{first_conversation}/messages", None),
            ("GET", f"/api/v2/conversations/messages/{first_conversation}", None),
            ("GET", f"/api/v2/conversations/messages/{conversation_id}", None),
            ("GET", f"/api/v2/conversations/messages/{routed.id}", None),
            ("GET", f"{sessions}/{seed_session_id}", None),
            ("POST", sessions, {"channel": "web"}),
            ("GET", "/__uploads/att-iso", None),
        ]
        answers.append(_answer(token_answer))
        for method, path, body in calls:
            answers.append(_answer(http.request(method, path, headers=auth, json=body)))
    async with mock.connect_guest() as socket:
        answers.append(
            await _frame(socket, action="configureSession", token="probe-guest", deploymentId=mock.deployment_id)
        )
        answers.append(
            await _frame(socket, action="onMessage", token="probe-guest", message={"type": "Text", "text": "x"})
        )
    return answers


def _answer(response: httpx.Response) -> Answer:
    return response.status_code, list(response.headers.raw), response.content


async def test_isolation_a_new_mock_after_a_test_that_changed_everything() -> None:
    created = await change_everything(MockGenesys(seed=SEED, deterministic_secrets=True, clock=VirtualClock()))
    after = MockGenesys(seed=SEED, deterministic_secrets=True, clock=VirtualClock())
    assert after.world.snapshot_json() == fresh().world.snapshot_json()
    assert await probe(after, created) == await probe(fresh(), created)


async def test_isolation_reset_after_a_test_that_changed_everything() -> None:
    mock = MockGenesys(seed=SEED, deterministic_secrets=True, clock=VirtualClock())
    created = await change_everything(mock)
    mock.reset()
    assert mock.world.snapshot_json() == fresh().world.snapshot_json()
    assert len(mock.journal) == 0 and not mock.faults
    assert not mock.server.uploads and not mock.hub.attachments and not mock.world.tokens
    # A virtual clock keeps its time across reset(): compare with a fresh mock at the same time.
    assert await probe(mock, created) == await probe(fresh(mock.clock.now()), created)


async def test_isolation_reset_twice_in_a_row_gives_the_same_answers() -> None:
    mock = MockGenesys(seed=SEED, deterministic_secrets=True, clock=VirtualClock())
    created = await change_everything(mock)
    mock.reset()
    first = await probe(mock, created)
    mock.reset()
    assert await probe(mock, created) == first


async def test_isolation_of_a_mock_loaded_from_a_snapshot_file(tmp_path: Path) -> None:
    path = tmp_path / "world.json"
    path.write_text(World.generate(SEED, contacts=7).snapshot_json())
    mock = MockGenesys(seed=SEED, deterministic_secrets=True, world=path, clock=VirtualClock())
    created = await change_everything(mock)
    again = MockGenesys(seed=SEED, deterministic_secrets=True, world=path, clock=VirtualClock())
    assert again.world.snapshot_json() == World.load(path).snapshot_json()
    assert await probe(again, created) == await probe(fresh(world=World.load(path)), created)
    mock.reset()
    assert await probe(mock, created) == await probe(fresh(mock.clock.now(), World.load(path)), created)


async def test_isolation_of_a_mock_loaded_from_a_snapshot_dict() -> None:
    snapshot = World.generate(SEED, conversations=2).snapshot()
    mock = MockGenesys(seed=SEED, deterministic_secrets=True, world=snapshot, clock=VirtualClock())
    created = await change_everything(mock)
    mock.reset()
    assert mock.world.snapshot() == snapshot
    assert await probe(mock, created) == await probe(fresh(mock.clock.now(), World.load(snapshot)), created)


def test_isolation_reset_hands_the_new_world_to_the_server_and_the_hub() -> None:
    mock = MockGenesys(seed=SEED)
    before = mock.world
    mock.reset()
    assert mock.world is not before and mock.server.world is mock.world and mock.hub.world is mock.world


def test_isolation_a_mock_around_a_world_object_still_refuses_reset() -> None:
    mock = MockGenesys(world=World.generate(SEED))
    with pytest.raises(ConfigError, match="cannot rebuild it"):
        mock.reset()
