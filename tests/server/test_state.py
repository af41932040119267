from __future__ import annotations

import re

from mockgenesys import MockGenesys, VirtualClock
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
