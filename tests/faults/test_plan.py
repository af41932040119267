from __future__ import annotations

import pytest

from mockgenesys import MockGenesys, VirtualClock
from mockgenesys.faults import ANONYMOUS, Caller, FaultPlan, Outcome, Reply, Transform


def test_plan_decide_folds_the_rule_into_one_outcome() -> None:
    plan = FaultPlan(seed=1)
    plan.add(
        {
            "id": "r",
            "match": {"endpoint": "guest.ws.onMessage"},
            "then": {
                "status": 503,
                "delay": 2,
                "expire_token": True,
                "close_conversation": True,
                "ws": {"drop": True, "hold": 1.5, "too_many": {"retry_after": 3, "message": "slow"}},
            },
        }
    )
    outcome = plan.decide("guest.ws.onMessage", "WS", ANONYMOUS, "onMessage", 0.0)
    assert outcome == Outcome(
        "r",
        replies=[Reply(503), Reply(429, message="slow", retry_after=3, websocket_only=True)],
        delay=2.0,
        drop=True,
        effects=["expire_token", "close_conversation"],
        transforms=[Transform("hold", 1.5)],
    )
    assert plan.decide("oauth.token", "POST", ANONYMOUS, None, 0.0) is None


def test_plan_decide_matches_the_callers_principals() -> None:
    plan = FaultPlan(seed=1)
    plan.add({"match": {"principal": "client-b"}, "then": {"status": 500}})
    assert plan.decide("oauth.token", "POST", Caller(principal="client:a", client_id="client-a"), None, 0.0) is None
    assert plan.decide("oauth.token", "POST", Caller(principal="client:b", client_id="client-b"), None, 0.0) is not None


def test_plan_has_rules_for_only_the_endpoints_its_rules_name() -> None:
    plan = FaultPlan(seed=1)
    assert not plan.has_rules_for("oauth.token")
    plan.add({"match": {"endpoint": "conversations.*"}, "then": {"status": 500}})
    assert plan.has_rules_for("conversations.get") and not plan.has_rules_for("oauth.token")


def test_plan_reset_numbers_rules_from_rule_1_again() -> None:
    plan = FaultPlan(seed=1)
    plan.add({"then": {"status": 500}}, {"then": {"status": 502}})
    plan.clear()
    assert [r.id for r in plan.add({"then": {"status": 503}})] == ["rule-3"]  # clear keeps counting
    plan.reset()
    assert [r.id for r in plan.add({"then": {"status": 504}})] == ["rule-1"]


@pytest.mark.parametrize("how", ["mock", "admin"])
async def test_mock_reset_restores_rule_numbering(how: str) -> None:
    import httpx

    mock = MockGenesys(seed=1, clock=VirtualClock())
    mock.add_fault({"then": {"status": 500}})
    if how == "mock":
        mock.reset()
    else:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=mock.app), base_url="http://mock") as admin:
            assert (await admin.post("/__admin/reset")).status_code == 204
    assert [r.id for r in mock.add_fault({"then": {"status": 500}})] == ["rule-1"]


def test_plan_per_caller_counts_each_caller_on_its_own() -> None:
    plan = FaultPlan(seed=1)
    plan.add(
        {
            "id": "r",
            "match": {"endpoint": "e"},
            "when": {"every": 2, "times": 2, "per": "caller"},
            "then": {"status": 503},
        }
    )
    alice, bob = Caller(principal="fp:a", client_id="alice"), Caller(principal="fp:b", client_id="bob")
    fired = [
        (who.client_id, plan.decide("e", "GET", who, None, 0.0) is not None)
        for who in (alice, bob, alice, bob, alice, alice, alice, alice)
    ]
    # each caller: every second request refused, twice, however the two interleave
    assert fired == [
        ("alice", False),
        ("bob", False),
        ("alice", True),
        ("bob", True),
        ("alice", False),
        ("alice", True),
        ("alice", False),
        ("alice", False),
    ]
    assert plan.stats("r") == {"matches": 8, "fired": 3}
    assert plan.to_list()[0]["when"] == {"times": 2, "every": 2, "per": "caller"}


def test_plan_per_caller_counts_a_refreshed_oauth_token_as_the_same_client() -> None:
    plan = FaultPlan(seed=1)
    plan.add({"match": {"endpoint": "e"}, "when": {"times": 1, "per": "caller"}, "then": {"status": 503}})
    first, refreshed = Caller(principal="fp:1", client_id="c"), Caller(principal="fp:2", client_id="c")
    assert plan.decide("e", "GET", first, None, 0.0) is not None
    assert plan.decide("e", "GET", refreshed, None, 0.0) is None


def test_plan_rejects_an_unknown_per() -> None:
    with pytest.raises(ValueError, match=r"when.per: must be one of rule, caller"):
        FaultPlan(seed=1).add({"when": {"per": "guest"}, "then": {"status": 503}})
