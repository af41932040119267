from __future__ import annotations

import json

import pytest
import yaml

from mockgenesys.faults import FaultPlan, FaultRule, FaultRuleError

EXAMPLES = [
    {"match": {"endpoint": "externalcontacts.search"}, "when": {"times": 2}, "then": {"status": 429, "retry_after": 2}},
    {"match": {"endpoint": "guest.ws.onMessage"}, "when": {"every": 3}, "then": {"ws": {"duplicate": True}}},
    {
        "id": "slow",
        "match": {"endpoint": "conversations.*", "method": "GET"},
        "then": {"delay": {"lognormal": {"median": 0.2, "sigma": 0.5}}},
    },
    {
        "match": {"principal": "fp:abc"},
        "when": {"after": 1, "probability": 0.5, "start": 10, "end": 20},
        "then": {"reset": True},
    },
    {"then": {"status": 503, "code": "service.unavailable", "message": "down", "headers": {"X-A": "b"}}},
    {"then": {"expire_token": True, "empty_body": True}},
    {"then": {"ws": {"error": {"code": 4006, "text": "expired"}, "hold": 2.5}}},
    {"then": {"ws": {"too_many": {"retry_after": 3, "message": "slow down"}}}},
    {
        "then": {
            "delay": {"uniform": [0.1, 0.3]},
            "malformed_json": True,
            "close_conversation": True,
            "expire_session": True,
        }
    },
]


@pytest.mark.parametrize("data", EXAMPLES)
def test_rule_round_trips_through_dict_json_and_yaml(data: dict[str, object]) -> None:
    rule = FaultRule.from_dict(data)
    assert rule.to_dict() == data
    assert FaultRule.from_dict(json.loads(json.dumps(rule.to_dict()))) == rule
    assert FaultRule.from_dict(yaml.safe_load(yaml.safe_dump(rule.to_dict()))) == rule
    assert hash(rule) == hash(FaultRule.from_dict(data))
    assert repr(rule).startswith("FaultRule(match=")


@pytest.mark.parametrize(
    ("data", "path", "hint"),
    [
        ({"then": {"status": "x"}}, "then.status", "whole number"),
        ({"then": {"explode": True}}, "then.explode", "valid actions: status"),
        ({"then": {}}, "then", "one or more of"),
        ({"match": {"endpoint": ""}, "then": {"status": 500}}, "match.endpoint", "non-empty"),
        ({"match": {"verb": "GET"}, "then": {"status": 500}}, "match.verb", "valid fields: endpoint"),
        ({"when": {"times": 0}, "then": {"status": 500}}, "when.times", ">= 1"),
        ({"when": {"probability": 2}, "then": {"status": 500}}, "when.probability", "from 0 to 1"),
        ({"when": {"start": 5, "end": 1}, "then": {"status": 500}}, "when.end", "after start"),
        ({"then": {"delay": {"gaussian": 1}}}, "then.delay", "lognormal"),
        ({"then": {"delay": {"uniform": [3, 1]}}}, "then.delay.uniform", "high must be"),
        ({"then": {"ws": {"explode": True}}}, "then.ws.explode", "valid: drop"),
        ({"then": {"ws": {"hold": 0}}}, "then.ws.hold", "seconds > 0"),
        ({"then": {"reset": False}}, "then.reset", "must be true"),
        ({"then": {"code": "x"}}, "then.status", "is required"),
        ({"match": {}}, "then", "is required"),
        ([1], "", "must be an object"),
    ],
)
def test_invalid_rules_name_the_field_and_options(data: object, path: str, hint: str) -> None:
    with pytest.raises(FaultRuleError) as info:
        FaultRule.from_dict(data)
    assert info.value.path == path
    assert hint in str(info.value)


def test_plan_ids_lists_and_errors() -> None:
    plan = FaultPlan(seed=1)
    added = plan.add([{"then": {"status": 500}}, {"id": "mine", "then": {"status": 502}}])
    assert [r.id for r in added] == ["rule-1", "mine"]
    with pytest.raises(FaultRuleError, match="already installed"):
        plan.add({"id": "mine", "then": {"status": 503}})
    with pytest.raises(FaultRuleError) as info:
        plan.add([{"then": {"status": 500}}, {"then": {"bad": 1}}])
    assert info.value.path == "[1].then.bad"
    assert plan.to_list()[1] == {"id": "mine", "then": {"status": 502}}
    assert plan.remove("mine") and not plan.remove("mine")
    plan.clear()
    assert not plan


def test_plan_load_file_names_the_file(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "faults.yaml"
    path.write_text("- match: {endpoint: oauth.token}\n  then: {status: 503}\n")
    assert [r.to_dict() for r in FaultPlan.load_file(path)] == [
        {"match": {"endpoint": "oauth.token"}, "then": {"status": 503}}
    ]
    path.write_text("faults:\n  - then: {status: nope}\n")
    with pytest.raises(FaultRuleError, match=r"faults.yaml.*status"):
        FaultPlan.load_file(path)


def test_when_semantics_after_times_every() -> None:
    plan = FaultPlan(seed=1)
    plan.add(
        {"id": "r", "match": {"endpoint": "e"}, "when": {"after": 1, "every": 2, "times": 2}, "then": {"status": 500}}
    )
    fired = [plan.select("e", "GET", frozenset(), None, 0.0) is not None for _ in range(8)]
    assert fired == [False, False, True, False, True, False, False, False]
    assert plan.stats("r") == {"matches": 8, "fired": 2}


def test_probability_is_seeded() -> None:
    def run(seed: int) -> list[bool]:
        plan = FaultPlan(seed=seed)
        plan.add({"match": {"endpoint": "e"}, "when": {"probability": 0.5}, "then": {"status": 500}})
        return [plan.select("e", "GET", frozenset(), None, 0.0) is not None for _ in range(40)]

    assert run(3) == run(3)
    assert run(3) != run(4)
    assert 5 < sum(run(3)) < 35


def test_time_window_on_the_plan_clock() -> None:
    plan = FaultPlan(seed=0)
    plan.add({"match": {"endpoint": "e"}, "when": {"start": 10, "end": 20}, "then": {"status": 500}})
    assert [plan.select("e", "GET", frozenset(), None, t) is not None for t in (5.0, 10.0, 19.9, 20.0)] == [
        False,
        True,
        True,
        False,
    ]


def test_first_matching_due_rule_wins_and_globs_match() -> None:
    plan = FaultPlan(seed=0)
    plan.add({"id": "a", "match": {"endpoint": "conversations.*", "method": "POST"}, "then": {"status": 500}})
    plan.add({"id": "b", "match": {"endpoint": "conversations.*"}, "then": {"status": 502}})
    assert plan.select("conversations.get", "GET", frozenset(), None, 0).id == "b"  # type: ignore[union-attr]
    assert plan.select("conversations.messages.bulk", "POST", frozenset(), None, 0).id == "a"  # type: ignore[union-attr]
    assert plan.select("oauth.token", "POST", frozenset(), None, 0) is None


@pytest.mark.parametrize(
    ("then", "path"),
    [
        ({"delay": float("inf")}, "then.delay"),
        ({"delay": float("nan")}, "then.delay"),
        ({"delay": 3601}, "then.delay"),
        ({"delay": {"fixed": 1e308}}, "then.delay.fixed"),
        ({"ws": {"hold": float("inf")}}, "then.ws.hold"),
        ({"status": 503, "headers": {"Bad Name": "x"}}, "then.headers.Bad Name"),
        ({"status": 503, "headers": {"X-A": "\u20ac"}}, "then.headers.X-A"),
        ({"status": 503, "headers": {"Transfer-Encoding": "chunked"}}, "then.headers.Transfer-Encoding"),
        ({"status": 600}, "then.status"),
        ({"status": 503, "message": "m" * 5000}, "then.message"),
        ({"ws": {"too_many": {"retry_after": 10**9}}}, "then.ws.too_many.retry_after"),
    ],
)
def test_rules_numbers_are_finite_and_bounded_and_headers_well_formed(then: dict[str, object], path: str) -> None:
    with pytest.raises(FaultRuleError) as info:
        FaultRule.from_dict({"then": then})
    assert info.value.path == path


def test_rules_a_lognormal_delay_never_draws_past_the_cap() -> None:
    import random

    from mockgenesys.faults.actions import MAX_DELAY_SECONDS, draw_seconds

    rng = random.Random(1)
    assert max(draw_seconds("lognormal", 3000.0, 10.0, rng) for _ in range(200)) == MAX_DELAY_SECONDS


def test_rules_a_null_when_field_reads_as_absent() -> None:
    rule = FaultRule.from_dict({"when": {"after": None, "times": None}, "then": {"status": 503}})
    assert rule.when.after == 0 and rule.when.times is None  # was None: every matching request raised
