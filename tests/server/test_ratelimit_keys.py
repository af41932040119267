"""``org.app.user.rate.per.minute`` is keyed as Genesys documents it: org, OAuth client, user."""

from __future__ import annotations

import httpx

from mockgenesys import MockGenesys, VirtualClock

LIMITS = {"client_per_minute": 3, "token_per_minute": 100}


def _me(http: httpx.Client, token: str) -> int:
    return http.get("/api/v2/organizations/me", headers={"Authorization": f"Bearer {token}"}).status_code


def test_app_limit_is_shared_by_every_token_of_one_client() -> None:
    mock = MockGenesys(seed=1, clock=VirtualClock(), limits=LIMITS)
    first, second = mock.issue_token(), mock.issue_token()
    with httpx.Client(transport=mock.transport(), base_url="https://api.mypurecloud.com") as http:
        statuses = [_me(http, first), _me(http, second), _me(http, first), _me(http, second)]
        assert statuses == [200, 200, 200, 429]
        mock.clock.advance(60)
        assert _me(http, second) == 200


def test_app_limit_is_not_per_address() -> None:
    mock = MockGenesys(seed=1, clock=VirtualClock(), limits=LIMITS)
    other = mock.world.add_client(permissions=["organization:profile:view"])
    mine, theirs = mock.issue_token(), mock.issue_token(other.id)
    with httpx.Client(transport=mock.transport(), base_url="https://api.mypurecloud.com") as http:
        assert [_me(http, mine) for _ in range(3)] == [200, 200, 200]
        # same caller address, another OAuth client: its own budget
        assert [_me(http, theirs) for _ in range(3)] == [200, 200, 200]
        assert _me(http, mine) == 429
        (refused,) = mock.journal.calls("organizations.me", status=429)
        assert refused.code == "too.many.requests.retry.after"
