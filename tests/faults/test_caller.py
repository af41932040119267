from __future__ import annotations

from mockgenesys.faults import ANONYMOUS, Caller
from mockgenesys.world.models import GuestSession


def test_caller_principals_name_every_way_to_aim_a_rule() -> None:
    session = GuestSession(
        id="s", token="t", deployment_id="d", org_id="o", conversation_id="c", created_at=0, last_activity=0, ttl=60
    )
    caller = Caller("fp:jwt", "fp:session", guest=session, org_id="o")
    assert caller.principals() == frozenset({"fp:jwt", "fp:session", "s", "o", "c"})
    assert Caller(principal="client:x", client_id="x").principals() == frozenset({"client:x", "x"})


def test_caller_anonymous_has_no_principals() -> None:
    assert ANONYMOUS.principals() == frozenset()
