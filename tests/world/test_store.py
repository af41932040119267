from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockgenesys import ConfigError, MockGenesys, SystemClock, VirtualClock, World, WorldError
from mockgenesys.world.generate import DEFAULT_CLIENT_ID


def test_world_same_seed_is_byte_identical() -> None:
    assert World.generate(7).snapshot_json() == World.generate(7).snapshot_json()
    assert World.generate(7).snapshot_json() != World.generate(8).snapshot_json()


def test_world_default_client_is_stable_across_seeds() -> None:
    assert World.generate(1).default_client.id == World.generate(2).default_client.id == DEFAULT_CLIENT_ID


def test_world_round_trip_through_dict_and_file(tmp_path: Path) -> None:
    world = World.generate(3)
    assert World.load(world.snapshot()).snapshot_json() == world.snapshot_json()
    path = tmp_path / "world.json"
    path.write_text(world.snapshot_json())
    loaded = World.load(path)
    assert loaded.snapshot_json() == world.snapshot_json()
    assert loaded.new_id() not in {*loaded.contacts, *loaded.conversations}


def test_world_load_errors_name_the_problem(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Cannot read the world file"):
        World.load(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    with pytest.raises(ConfigError, match="not valid JSON"):
        World.load(bad)
    with pytest.raises(ConfigError, match="version"):
        World.load({"orgs": []})
    snapshot = World.generate(1).snapshot()
    snapshot["contacts"][0]["shoeSize"] = 42
    with pytest.raises(ConfigError, match=r"contacts\[0\].*shoeSize"):
        World.load(snapshot)


def test_world_mock_serves_a_loaded_world(tmp_path: Path) -> None:
    world = World.generate(5)
    path = tmp_path / "w.json"
    path.write_text(json.dumps(world.snapshot()))
    mock = MockGenesys(world=path)
    assert mock.org_id == world.default_org.id
    assert list(mock.world.conversations) == list(world.conversations)


def test_world_add_client_validates_ttl() -> None:
    world = World.generate(1)
    with pytest.raises(ConfigError, match="between 300 and 172800"):
        world.add_client(token_ttl=60)
    client = world.add_client(permissions=["a"], token_ttl=300)
    assert world.clients[client.id].permissions == ["a"]


def test_world_lookup_errors() -> None:
    world = World()
    with pytest.raises(WorldError, match="no org"):
        _ = world.default_org
    with pytest.raises(WorldError, match="No conversation"):
        world.conversation("x")


def test_world_nonce_memory_is_bounded() -> None:
    world = World()
    world.nonce_memory = 3
    assert all(world.use_nonce(f"n{i}", 0) for i in range(5))
    assert len(world.used_nonces) == 3
    assert not world.use_nonce("n4", 0)


def test_world_sweep_drops_expired_tokens() -> None:
    world = World.generate(1)
    token = world.issue_token(world.default_client, now=0)
    world.issue_token(world.default_client, now=100_000)
    assert world.sweep_tokens(now=90_000) == 1
    assert token.token not in world.tokens


def test_world_token_store_forgets_one_per_new_token_passing_over_tokens_in_use() -> None:
    world = World.generate(1)
    world.max_tokens = 100
    asked: list[str] = []

    def in_use(token: str, now: float) -> bool:
        asked.append(token)
        return token in busy

    first = [world.issue_token(world.default_client, now=0).token for _ in range(100)]
    busy = {first[0], first[1]}
    newest = world.issue_token(world.default_client, now=1, in_use=in_use).token
    assert asked == first[:3]  # two in use passed over, the third forgotten
    assert len(world.tokens) == 100 and first[2] not in world.tokens and busy <= set(world.tokens)
    assert list(world.tokens)[-3:] == [first[0], first[1], newest]  # in use: back of the line
    for _ in range(10):
        world.issue_token(world.default_client, now=1, in_use=in_use)
    assert len(world.tokens) == 100 and len(asked) == 3 + 10  # one question per new token
    assert busy <= set(world.tokens)


def test_world_token_store_forgets_expired_then_oldest_when_all_busy() -> None:
    world = World.generate(1)
    world.max_tokens = 10
    expired = world.issue_token(world.default_client, now=-100_000).token
    live = [world.issue_token(world.default_client, now=0).token for _ in range(9)]
    world.issue_token(world.default_client, now=1, in_use=lambda token, now: True)
    assert expired not in world.tokens and set(live) <= set(world.tokens)
    world.issue_token(world.default_client, now=1, in_use=lambda token, now: True)
    assert len(world.tokens) == 10 and len(set(live) - set(world.tokens)) == 1


def test_world_token_store_shrinks_to_a_lowered_bound() -> None:
    world = World.generate(1)
    for _ in range(30):
        world.issue_token(world.default_client, now=0)
    world.max_tokens = 10
    newest = world.issue_token(world.default_client, now=0).token
    assert len(world.tokens) == 10 and newest in world.tokens


def test_mock_reset_restores_the_world() -> None:
    mock = MockGenesys(seed=4)
    before = mock.world.snapshot_json()
    mock.world.add_client()
    token = mock.issue_token()
    conversation = next(iter(mock.world.conversations.values()))
    with httpx.Client(transport=mock.transport(), base_url="https://api.mypurecloud.com") as http:
        page = http.get(
            f"/api/v2/conversations/messaging/{conversation.id}/messages",
            headers={"Authorization": f"Bearer {token}"},
        )
    assert page.status_code == 200 and len(mock.server.seed_views) > 0
    mock.reset()
    assert mock.world.snapshot_json() == before
    assert mock.world.tokens == {}
    assert len(mock.server.seed_views) == 0  # views of the old world are not kept


def test_mock_reset_undoes_the_wall_clock_offset_but_keeps_virtual_time() -> None:
    live = MockGenesys(seed=4)
    assert isinstance(live.clock, SystemClock)
    live.clock.advance(3600)
    live.reset()
    assert live.clock.offset == 0.0
    virtual = MockGenesys(seed=4, clock=VirtualClock())
    virtual.clock.advance(3600)
    before = virtual.clock.now()
    virtual.reset()
    assert virtual.clock.now() == before  # virtual time only moves forward


# ---------------------------------------------------------------------- hardening (issue 17)
@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda s: s["conversations"][0]["messages"][0].update(timestamp=float("inf")), "timestamp must be from 0"),
        (lambda s: s["conversations"][0].update(state=3), "state must be a string"),
        (lambda s: s["conversations"][0]["messages"][0]["metadata"].update(k=1), "metadata.k must be a string"),
        (lambda s: s["deployments"][0].update(jwt_ttl="900"), "jwt_ttl must be a whole number"),
        (lambda s: s["orgs"][0].update(name=None), "name must be a string"),
        (lambda s: s.update(seed="seven"), "seed must be a whole number"),
        (
            lambda s: s["guest_sessions"].append(
                {
                    "id": "g",
                    "token": "t",
                    "deployment_id": "d",
                    "org_id": "o",
                    "conversation_id": "nope",
                    "created_at": 0,
                    "last_activity": 0,
                    "ttl": 60,
                }
            ),
            "both must be in the snapshot",
        ),
    ],
)
def test_store_load_refuses_values_that_would_break_a_later_request(change: Any, problem: str) -> None:
    snapshot = World.generate(seed=2).snapshot()
    change(snapshot)
    with pytest.raises(ConfigError, match=problem):
        World.load(snapshot)


def test_store_secrets_come_from_the_os_unless_asked_and_never_from_the_data_rng() -> None:
    first, second = World.generate(seed=4), World.generate(seed=4)
    assert first.secret_bytes(16) != second.secret_bytes(16)
    assert first.new_id() == second.new_id()
    first.use_deterministic_secrets()
    second.use_deterministic_secrets()
    assert first.new_token() == second.new_token() and len(first.new_token()) == 43
