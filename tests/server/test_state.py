from __future__ import annotations

import re

import httpx
import pytest

from mockgenesys import MockGenesys, VirtualClock
from mockgenesys.errors import ConfigError
from mockgenesys.server import jwt


def test_state_correlation_ids_are_uuid_shaped_and_seeded() -> None:
    def ids(seed: int) -> list[str]:
        state = MockGenesys(seed=seed, clock=VirtualClock()).server.state
        return [state.correlation_id() for _ in range(3)]

    first = ids(5)
    assert first == ids(5) != ids(6)
    assert all(re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}", i) for i in first)
    assert [i[-12:] for i in first] == ["000000000001", "000000000002", "000000000003"]


def test_state_hit_counts_against_a_limit_unless_it_is_off() -> None:
    mock = MockGenesys(seed=1, clock=VirtualClock())
    state = mock.server.state
    assert [state.hit("x", "k", 2, 10.0) for _ in range(3)] == [None, None, 10]
    assert state.hit("x", "k", None, 10.0) is None
    mock.clock.advance(10)
    assert state.hit("x", "k", 2, 10.0) is None


def test_state_mints_guest_jwts_its_key_verifies() -> None:
    mock = MockGenesys(seed=1, clock=VirtualClock())
    mock.guest_jwt()
    session = next(iter(mock.world.guest_sessions.values()))
    token, exp = mock.server.state.mint_guest_jwt(session, 60)
    claims = jwt.verify(token, mock.server.state.jwt_key, mock.clock.now())
    assert (claims["sub"], claims["exp"], exp) == (session.id, exp, int(mock.clock.now()) + 60)
    assert jwt.read(token, b"another key") is None


# ---------------------------------------------------------------------- secrets (issue 17)
def _forge(seed: int, claims: dict[str, object]) -> str:
    """A JWT signed with the key every mock of ``seed`` used to share (``sha256("mockgenesys-jwt-<seed>")``)."""
    from mockgenesys.server.jwt import signing_key

    return jwt.sign(claims, signing_key(seed=seed, deterministic=True))


def test_state_jwt_key_is_random_per_mock_unless_asked() -> None:
    first, second = MockGenesys(seed=3), MockGenesys(seed=3)
    assert first.server.state.jwt_key != second.server.state.jwt_key
    one, two = MockGenesys(seed=3, deterministic_secrets=True), MockGenesys(seed=3, deterministic_secrets=True)
    assert one.server.state.jwt_key == two.server.state.jwt_key
    kept = MockGenesys(seed=3, jwt_secret="s3cret"), MockGenesys(seed=9, jwt_secret="s3cret")
    assert kept[0].server.state.jwt_key == kept[1].server.state.jwt_key != one.server.state.jwt_key


def test_state_a_jwt_forged_from_the_seed_reads_no_guest_messages() -> None:
    mock = MockGenesys(seed=7, clock=VirtualClock())
    victim = jwt.read(mock.guest_jwt(), mock.server.state.jwt_key)
    assert victim is not None
    forged = _forge(7, dict(victim))
    with httpx.Client(transport=mock.transport(), base_url="https://api.mypurecloud.com") as http:
        response = http.get("/api/v2/webmessaging/messages", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401


def test_state_a_restart_invalidates_old_jwts_unless_a_secret_is_kept() -> None:
    before = MockGenesys(seed=7)
    token = before.guest_jwt()
    assert jwt.read(token, MockGenesys(seed=7).server.state.jwt_key) is None
    kept = MockGenesys(seed=7, jwt_secret="across restarts")
    assert jwt.read(kept.guest_jwt(), MockGenesys(seed=7, jwt_secret="across restarts").server.state.jwt_key)


def test_state_tokens_are_unguessable_but_the_worlds_data_stays_seeded() -> None:
    first, second = MockGenesys(seed=5), MockGenesys(seed=5)
    assert first.issue_token() != second.issue_token()
    assert first.world.new_id() == second.world.new_id()  # issuing a token drew nothing from the data's RNG
    replay = [MockGenesys(seed=5, deterministic_secrets=True) for _ in range(2)]
    assert replay[0].issue_token() == replay[1].issue_token()
    replay[0].reset()
    assert replay[0].issue_token() == MockGenesys(seed=5, deterministic_secrets=True).issue_token()


def test_state_jwt_secret_must_be_a_non_empty_string() -> None:
    with pytest.raises(ConfigError, match="jwt_secret"):
        MockGenesys(jwt_secret="")
